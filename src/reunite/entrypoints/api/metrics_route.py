"""GET /metrics for Prometheus. Only for the operator's scraper: with REUNITE_METRICS_TOKEN set, the
request must carry it as a bearer token; without one, only a loopback client whose request came through no
proxy (no forwarded header: behind a reverse proxy on the same host every client is 127.0.0.1, probe s32 F8)."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from reunite.adapters.db.metrics import DatabaseCollector

router = APIRouter()
LOOPBACK = {"127.0.0.1", "::1"}
FORWARDED = ("x-forwarded-for", "forwarded", "x-real-ip")  # what a reverse proxy adds about the client it relays


def _local(request: Request) -> bool:
    """A scraper on this machine, not a client relayed by a reverse proxy on it."""
    peer = request.client.host if request.client else None
    return peer in LOOPBACK and not any(name in request.headers for name in FORWARDED)


def _registry(request: Request) -> CollectorRegistry:
    state = request.app.state
    if getattr(state, "metrics_registry", None) is None:
        state.metrics_registry = CollectorRegistry()
        state.metrics_registry.register(DatabaseCollector(state.container.engine))
    registry: CollectorRegistry = state.metrics_registry
    return registry


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    token = request.app.state.container.settings.metrics_token
    given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    allowed = hmac.compare_digest(given, token) if token else _local(request)
    if not allowed:
        raise HTTPException(status_code=404)  # not advertised to anyone else
    return Response(generate_latest(_registry(request)), media_type=CONTENT_TYPE_LATEST)
