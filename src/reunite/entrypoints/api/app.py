"""FastAPI application: routes translate HTTP to service calls and back; nothing more."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from reunite.bootstrap import Container
from reunite.domain.errors import ReuniteError
from reunite.entrypoints.api import routes
from reunite.entrypoints.api.limits import BodyLimitMiddleware

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_app(container: Container, lifespan: Lifespan | None = None) -> FastAPI:
    @asynccontextmanager
    async def default_lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield

    app = FastAPI(
        title="Reunite",
        summary="Street snapshots into leads for families of missing children.",
        version="0.1.0",
        lifespan=lifespan or default_lifespan,
    )
    app.state.container = container
    app.add_middleware(BodyLimitMiddleware, max_bytes=container.settings.max_upload_bytes)

    @app.exception_handler(ReuniteError)
    async def reunite_error(_: Request, exc: ReuniteError) -> JSONResponse:
        content: dict[str, Any] = {"detail": exc.message}
        if exc.field:
            content["field"] = exc.field
        return JSONResponse(content, status_code=exc.status_code)

    app.include_router(routes.router)
    return app
