"""The web app built inside each web process of `reunite serve --workers N` (uvicorn's factory):
every process bootstraps its own container (database pool, photo store); no job worker runs in them."""

from __future__ import annotations

from fastapi import FastAPI

from reunite.bootstrap import bootstrap
from reunite.entrypoints.api.app import create_app


def web() -> FastAPI:
    return create_app(bootstrap(run_migrations=False))
