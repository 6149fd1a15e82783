"""FastAPI application: routes translate HTTP to service calls and back; nothing more."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from xstatic.pkg import leaflet, leaflet_markercluster

from reunite.bootstrap import Container
from reunite.domain.errors import NotSignedIn, ReuniteError
from reunite.entrypoints.api import reach_routes, review_routes, routes, source_routes
from reunite.entrypoints.api.auth import security_headers
from reunite.entrypoints.api.limits import BodyLimitMiddleware
from reunite.entrypoints.web import pages, people, reach, review, snapshot, workbench
from reunite.entrypoints.web import sources as web_sources

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
    settings = container.settings
    app.middleware("http")(security_headers(settings.map_tiles_url, settings.public_url.startswith("https://")))
    app.add_middleware(GZipMiddleware, minimum_size=500)
    app.add_middleware(BodyLimitMiddleware, max_bytes=container.settings.max_upload_bytes)

    @app.exception_handler(ReuniteError)
    async def reunite_error(request: Request, exc: ReuniteError) -> Response:
        if not request.url.path.startswith("/api/"):
            if isinstance(exc, NotSignedIn) and request.method == "GET":
                return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
            lang = pages.language(request)
            return pages.render(request, lang, "error.html", status=exc.status_code, message=lang.error(exc))
        content: dict[str, Any] = {"detail": exc.message}
        if exc.field:
            content["field"] = exc.field
        return JSONResponse(content, status_code=exc.status_code)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """Unknown addresses and wrong methods: a page in the reader's language for browsers, JSON for /api/."""
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        lang = pages.language(request)
        message = lang.gettext("This page does not exist. The link may be mistyped or out of date.") \
            if exc.status_code == 404 else lang.gettext("This request cannot be answered.")
        return pages.render(request, lang, "error.html", status=exc.status_code, message=message)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(pages.STATIC / "favicon.svg", media_type="image/svg+xml",
                            headers={"Cache-Control": "public, max-age=86400"})

    app.include_router(routes.router)
    app.include_router(review_routes.router)
    app.include_router(reach_routes.router)
    app.include_router(source_routes.router)
    app.include_router(snapshot.router)
    app.include_router(pages.router)
    app.include_router(people.router)
    app.include_router(review.router)
    app.include_router(workbench.router)
    app.include_router(reach.router)
    app.include_router(web_sources.router)
    app.mount("/static", StaticFiles(directory=pages.STATIC), name="static")
    app.mount("/vendor/leaflet", StaticFiles(directory=leaflet.BASE_DIR), name="leaflet")
    app.mount("/vendor/markercluster", StaticFiles(directory=leaflet_markercluster.BASE_DIR), name="markercluster")
    return app
