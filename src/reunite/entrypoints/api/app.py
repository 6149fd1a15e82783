"""FastAPI application: routes translate HTTP to service calls and back; nothing more."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import FileResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from xstatic.pkg import leaflet, leaflet_markercluster

from reunite.bootstrap import Container
from reunite.domain.access import ANONYMOUS
from reunite.domain.errors import InvalidInput, NotFound, ReuniteError, ServiceUnavailable
from reunite.entrypoints.api import (
    audit_routes,
    case_routes,
    health,
    inputs,
    media_routes,
    metrics_route,
    openapi_doc,
    reach_routes,
    report_routes,
    review_routes,
    routes,
    source_routes,
    staff_routes,
)
from reunite.entrypoints.api.auth import client_ip, security_headers
from reunite.entrypoints.api.flood import RefusedReportsGate
from reunite.entrypoints.api.guard import InputGuardMiddleware, error_response, feed_error
from reunite.entrypoints.api.head import HeadAsGet
from reunite.entrypoints.api.limits import BodyLimitMiddleware
from reunite.entrypoints.api.problems import framework_message, framework_problem, validation_problem
from reunite.entrypoints.api.proxies import TrustedProxies
from reunite.entrypoints.api.validation import body_refused, localized
from reunite.entrypoints.web import (
    admin,
    assets,
    audit,
    browse,
    cases,
    pages,
    people,
    reach,
    recovery,
    review,
    snapshot,
    workbench,
)
from reunite.entrypoints.web import corrections as web_corrections
from reunite.entrypoints.web import sources as web_sources
from reunite.services import throttle

log = logging.getLogger(__name__)
FOREIGN_KEY_VIOLATION = "23503"
REPORTS = "/api/sightings"
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
    """The API answers every problem (its one error shape), a page whose address names no record
    (``/p/abc``) is a page that does not exist: both in the reader's language."""
    lang = pages.language(request)
    if request.method == "POST" and request.url.path == REPORTS:  # a report refused: counted like the others
        who = getattr(request.state, "principal", None) or ANONYMOUS
        too_many = throttle.refused_before_read(request.app.state.container.deps, who, client_ip(request))
        if too_many is not None:  # a partner's token past its limit of refused reports
            return error_response(request, too_many)
    if request.url.path.startswith("/api/"):
        return validation_problem(lang, exc.errors(), request.url.path)
    in_path = any(error.get("loc", ("",))[0] == "path" for error in exc.errors())
    if in_path:
        message = lang.gettext("This page does not exist. The link may be mistyped or out of date.")
        return pages.render(request, lang, "error.html", status=404, message=message)
    problems = lang.gettext("; ").join(problem["detail"] for problem in localized(exc.errors(), lang, request.url.path))
    message = lang.gettext("This request cannot be answered: {problems}.", problems=problems)
    if (feed := feed_error(request, message, 422, lang.html_lang)) is not None:
        return feed
    return pages.render(request, lang, "error.html", status=422, message=message)


def warmed(container: Container, lifespan: Lifespan | None) -> Lifespan:
    """``lifespan``, the gazetteers read first, before the first request is taken: seconds a web process's first
    readers waited (every page names cities: the browse page's first answer took 6 s, then 34 ms)."""

    @asynccontextmanager
    async def started(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(container.deps.places.warm)
        if lifespan is None:
            yield
            return
        async with lifespan(app):
            yield

    return started


def create_app(container: Container, lifespan: Lifespan | None = None) -> FastAPI:
    app = FastAPI(
        title="Reunite",
        summary="Street snapshots into leads for families of missing children.",
        description=openapi_doc.DESCRIPTION,
        version="0.1.0",
        lifespan=warmed(container, lifespan),
        dependencies=[Depends(inputs.each_once)],  # every route: each input once, only those it takes
    )
    app.state.container = container
    settings = container.settings
    app.add_middleware(InputGuardMiddleware)  # innermost: after the body limit, with the page's CSRF state
    app.add_middleware(RefusedReportsGate)  # before the guard reads a report's body
    app.middleware("http")(security_headers(settings.map_tiles_url, settings.public_url.startswith("https://"),
                                             container.deps.secret, assets.csp_hashes()))
    app.add_middleware(GZipMiddleware, minimum_size=500)
    app.add_middleware(BodyLimitMiddleware, max_bytes=container.settings.max_upload_bytes)
    app.add_middleware(TrustedProxies, trusted=settings.trusted_proxy_list())  # before any limit
    app.add_middleware(HeadAsGet)  # outermost: HEAD wherever GET answers, every route read as its GET (s46 P8)

    @app.exception_handler(ReuniteError)
    async def reunite_error(request: Request, exc: ReuniteError) -> Response:
        return error_response(request, exc)

    @app.exception_handler(DataError)
    async def unstorable_value(request: Request, exc: DataError) -> Response:
        """The last line behind the input guard: a value the database refuses is the sender's error."""
        log.warning("refused a value the database cannot store: %s", str(exc.orig).splitlines()[0])
        if request.method in ("GET", "HEAD"):  # a reading stores nothing
            return error_response(request, InvalidInput("a value is out of range or cannot be read"))
        return error_response(request, InvalidInput("a value is out of range or cannot be stored"))

    @app.exception_handler(IntegrityError)
    async def refers_to_nothing(request: Request, exc: IntegrityError) -> Response:
        """A write that names a record that does not exist (or no longer does) is answered 404."""
        if getattr(exc.orig, "sqlstate", None) != FOREIGN_KEY_VIOLATION:
            raise exc
        return error_response(request, NotFound("a record this request refers to does not exist"))

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def database_down(request: Request, exc: DBAPIError) -> Response:
        """The database is unreachable (restarting, network): 503 with Retry-After, never a 500; the pool
        reconnects by itself when it returns."""
        log.warning("database unavailable: %s", exc.__class__.__name__)
        response = error_response(request, ServiceUnavailable("the service is briefly unavailable: try again soon"))
        response.headers["Retry-After"] = "5"
        return response

    app.include_router(health.router)

    app.add_exception_handler(RequestValidationError, invalid_request)  # type: ignore[arg-type]

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """Unknown addresses and wrong methods: a page in the reader's language for browsers, JSON for /api/."""
        lang = pages.language(request)
        if request.url.path.startswith("/api/"):
            return framework_problem(lang, exc.status_code, str(exc.detail), exc.headers)
        refused = body_refused(str(exc.detail), lang) if exc.status_code == 400 else None  # the form parser's
        message = lang.gettext("This page does not exist. The link may be mistyped or out of date.") \
            if exc.status_code == 404 else refused or lang.gettext("This request cannot be answered.")
        if (feed := feed_error(request, message, exc.status_code, lang.html_lang)) is not None:
            return feed
        return pages.render(request, lang, "error.html", status=exc.status_code, message=message)

    @app.exception_handler(Exception)
    async def fault(request: Request, exc: Exception) -> Response:
        """A fault of ours (the server logs it): said in the reader's language, as the API's errors are, or
        as a page; plain text when even the page cannot be shown."""
        lang = pages.language(request)
        if request.url.path.startswith("/api/"):
            return framework_problem(lang, 500, "")
        message = framework_message(lang, 500, "")
        try:
            return pages.render(request, lang, "error.html", status=500, message=message)
        except Exception:  # the page's own parts (the reader's session) may be what failed
            return PlainTextResponse(message, status_code=500, headers={"Content-Language": lang.html_lang})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(assets.STATIC / "favicon.svg", media_type="image/svg+xml",
                            headers={"Cache-Control": "public, max-age=86400"})

    for module in (routes, case_routes, media_routes, report_routes, metrics_route, review_routes, reach_routes,
                   source_routes, staff_routes, audit_routes, snapshot, pages, cases, browse, people, recovery, review,
                   workbench, reach, web_sources, audit, web_corrections, admin):
        app.include_router(module.router)
    openapi_doc.install(app)
    app.mount("/static", StaticFiles(directory=assets.STATIC), name="static")
    app.mount("/vendor/leaflet", StaticFiles(directory=leaflet.BASE_DIR), name="leaflet")
    app.mount("/vendor/markercluster", StaticFiles(directory=leaflet_markercluster.BASE_DIR), name="markercluster")
    return app
