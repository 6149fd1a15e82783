"""Who a request comes from, and the checks every entry point shares: permissions, CSRF, security
headers. The rules themselves live in ``domain.access``; this module only reads credentials."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from reunite.domain.access import ANONYMOUS, Permission, Principal, require
from reunite.domain.errors import Forbidden, NotSignedIn
from reunite.services import accounts
from reunite.services.deps import Deps

SESSION_COOKIE = "reunite_session"
CSRF_COOKIE = "reunite_csrf"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_deps(request: Request) -> Deps:
    deps: Deps = request.app.state.container.deps
    return deps


def current_principal(request: Request) -> Principal:
    """A bearer token (partners' API calls), else the session cookie (people using the pages), else
    anonymous. On /api/, a cookie authorises only reads: every API change needs a token, so no other
    site can make a signed-in browser change anything (CSRF)."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    deps = get_deps(request)
    who = ANONYMOUS
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        found = accounts.from_api_token(deps, token.strip()) if scheme.lower() == "bearer" else None
        if found is None:
            raise NotSignedIn("the API token is not valid or was revoked")
        who = found
    elif (cookie := request.cookies.get(SESSION_COOKIE)) and (
        request.method in SAFE_METHODS or not request.url.path.startswith("/api/")
    ):
        who = accounts.from_session(deps, cookie) or ANONYMOUS
    request.state.principal = who
    return who


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def allow(permission: Permission) -> Callable[[Request], Principal]:
    """A route dependency: the caller must hold ``permission`` (401 or 403 otherwise)."""

    def check(request: Request) -> Principal:
        who = current_principal(request)
        require(who, permission)
        return who

    check.permission = permission  # type: ignore[attr-defined]
    return check


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def csrf_token(request: Request) -> str:
    token: str = request.state.csrf
    return token


def check_csrf(request: Request, form: FormData) -> None:
    """Every form a page sends carries the token that its page was given (double-submit cookie)."""
    sent = form.get("csrf")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not (isinstance(sent, str) and cookie and hmac.compare_digest(sent, cookie)):
        raise Forbidden("this form has expired or came from another site: reload the page and send it again")


def security_headers(tile_url: str, https_only: bool) -> Callable[[Request, Callable[[Request], Awaitable[Response]]],
                                                                 Awaitable[Response]]:
    """CSP (scripts and styles only from this site), no framing, no sniffing, no referrer beyond the
    origin, HSTS on TLS; and the CSRF cookie every form needs."""
    tiles = ""
    if tile_url.startswith(("https://", "http://")):
        scheme, _, host = tile_url.split("/")[:3]
        tiles = f" {scheme}//{host.replace('{s}', '*')}"
    policy = (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' data: blob:{tiles}; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )

    async def middleware(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        existing = request.cookies.get(CSRF_COOKIE)
        request.state.csrf = existing or secrets.token_urlsafe(24)
        response = await call_next(request)
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        headers["Permissions-Policy"] = "camera=(self), geolocation=(self), microphone=()"
        secure = https_only or request.url.scheme == "https"
        if secure:
            headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        if not existing:
            response.set_cookie(CSRF_COOKIE, request.state.csrf, httponly=True, samesite="strict", secure=secure,
                                max_age=30 * 24 * 3600)
        return response

    return middleware
