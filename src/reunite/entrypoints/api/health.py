"""Liveness and readiness for load balancers and supervisors: ``/healthz`` says the process answers,
``/readyz`` that it can do its work (the database answers, the job queue is reachable, the photo store can
be reached and, when this process runs the worker, that worker is alive). 503 otherwise, naming what is down."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from reunite.bootstrap import Container
from reunite.domain.errors import PhotoStoreUnavailable
from reunite.domain.ports import PhotoStore

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)


class Alive(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    database: str
    queue: str
    photos: str = "ok"
    queued_jobs: int | None = None


PHOTOS_CHECKED_FOR = 5.0  # seconds a photo store's check answers for (a load balancer asks every second or two)


class StoreCheck:
    """The photo store's ``check`` (a HEAD of the bucket, two seconds at most; the folder writable), its answer
    kept a few seconds: "ok", else "unavailable" (the cause goes to the log, not to whoever asks)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._said: dict[int, tuple[float, str]] = {}

    def __call__(self, store: PhotoStore) -> str:
        now = time.monotonic()
        with self._lock:
            said = self._said.get(id(store))
            if said is not None and now - said[0] < PHOTOS_CHECKED_FOR:
                return said[1]
            try:
                store.check()
                answer = "ok"
            except PhotoStoreUnavailable as exc:
                log.warning("readiness: %s", exc)
                answer = "unavailable"
            self._said[id(store)] = (time.monotonic(), answer)
            return answer


photo_store_state = StoreCheck()


@router.get("/healthz", response_model=Alive)
def healthz() -> Alive:
    """The process is alive (says nothing about the database: see /readyz)."""
    return Alive(status="ok")


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness,
                                                                   "description": "Something it needs is down"}})
def readyz(request: Request) -> JSONResponse:
    """Ready to serve: the database answers, the job queue and the photo store are reachable (503 otherwise,
    naming what is down: a web process that cannot store a photo cannot take a report)."""
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
    photos = photo_store_state(container.deps.photos)
    ready = database == "ok" and queue == "ok" and photos == "ok"
    body = Readiness(status="ok" if ready else "unavailable", database=database, queue=queue, photos=photos,
                     queued_jobs=waiting)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
