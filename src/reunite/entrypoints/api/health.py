"""Liveness and readiness for load balancers and supervisors: ``/healthz`` says the process answers,
``/readyz`` that it can do its work (the database answers, the job queue is reachable and, when this
process runs the worker, that worker is alive). 503 otherwise, naming what is down."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from reunite.bootstrap import Container

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)


class Alive(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    database: str
    queue: str
    queued_jobs: int | None = None


@router.get("/healthz", response_model=Alive)
def healthz() -> Alive:
    """The process is alive (says nothing about the database: see /readyz)."""
    return Alive(status="ok")


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness,
                                                                   "description": "Something it needs is down"}})
def readyz(request: Request) -> JSONResponse:
    """Ready to serve: the database answers and the job queue is reachable (503 otherwise)."""
    container: Container = request.app.state.container
    database, queue, waiting = "ok", "ok", None
    try:
        with container.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            waiting = int(conn.execute(text(
                "SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'")).scalar_one())
    except SQLAlchemyError as exc:
        log.warning("readiness: database unreachable: %s", exc.__class__.__name__)
        database = queue = "unreachable"
    worker: asyncio.Task[None] | None = getattr(request.app.state, "worker", None)
    if worker is not None and worker.done():
        queue = "worker stopped"
    ready = database == "ok" and queue == "ok"
    body = Readiness(status="ok" if ready else "unavailable", database=database, queue=queue, queued_jobs=waiting)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
