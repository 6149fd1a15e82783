"""API routes for sources (moderators, admins and admin-scoped tokens) and the public statistics."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import Field

from reunite.domain.access import Permission, Principal
from reunite.domain.text_limits import TEXT_LIMITS
from reunite.entrypoints.api import bodies
from reunite.entrypoints.api.auth import allow, get_deps
from reunite.entrypoints.api.routes import ERRORS, IdempotencyKey
from reunite.services import idempotency, sources, stats
from reunite.services.deps import Deps

router = APIRouter(prefix="/api")
DepsDep = Annotated[Deps, Depends(get_deps)]
Moderator = Annotated[Principal, Depends(allow(Permission.MODERATE))]
PUBLIC_FIELDS = ("id", "kind", "url", "name", "status", "interval_s", "failures", "last_error", "last_ok_at",
                 "next_poll_at", "posts_seen", "sightings", "healthy")


class SourceIn(bodies.BodyIn):
    kind: Literal["feed", "mastodon"]
    url: str = Field(max_length=TEXT_LIMITS["source_url"])
    name: str = Field(default="", max_length=TEXT_LIMITS["source_name"])
    interval_minutes: int = Field(default=15, ge=5, le=1440)


@router.get("/sources", responses=ERRORS)
def list_sources(deps: DepsDep, who: Moderator) -> list[dict[str, Any]]:
    """Every source with its health (answering, backing off after errors, paused)."""
    return [{k: row[k] for k in PUBLIC_FIELDS} for row in sources.list_sources(deps, who)]


@router.post("/sources", status_code=201, responses=ERRORS)
def add_source(deps: DepsDep, who: Moderator, body: SourceIn, idempotency_key: IdempotencyKey = None) -> dict[str, int]:
    """Read a public feed or Mastodon timeline for sightings (each becomes a report waiting for moderation).
    A source already read (the same address) is answered with its id, with or without an ``Idempotency-Key``."""
    key = idempotency.scoped(who, "source", idempotency_key, [("body", body.model_dump_json())])
    return {"id": sources.add_source(deps, who, body.kind, body.url, body.name, body.interval_minutes, key)}


@router.post("/sources/{source_id}/pause", status_code=204, responses=ERRORS)
def pause_source(deps: DepsDep, who: Moderator, source_id: int) -> None:
    sources.set_active(deps, who, source_id, False)


@router.post("/sources/{source_id}/resume", status_code=204, responses=ERRORS)
def resume_source(deps: DepsDep, who: Moderator, source_id: int) -> None:
    sources.set_active(deps, who, source_id, True)


@router.get("/stats")
def public_statistics(deps: DepsDep) -> dict[str, Any]:
    """Public numbers: counts only; a count under 5 is null ("fewer than 5"), others rounded to 5."""
    return stats.public_statistics(deps)
