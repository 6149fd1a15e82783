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

from reunite.domain.abuse import sign, signature_valid, token_hash
from reunite.domain.access import ANONYMOUS, Permission, Principal, require
from reunite.domain.errors import Forbidden, NotSignedIn, ReuniteError
from reunite.entrypoints.secret_links import carries_secret
from reunite.services import accounts
from reunite.services.deps import Deps

SESSION_COOKIE = "reunite_session"
CSRF_COOKIE = "reunite_csrf"  # a signed pre-session id; forms carry an HMAC bound to it or to the session
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
STATIC_PATHS = ("/static/", "/vendor/")  # the same files for everyone: cacheable (app.create_app mounts them)


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


def allow(permission: Permission, what: str = "") -> Callable[[Request], Principal]:
    """A route dependency: the caller must hold ``permission`` (401 or 403 otherwise, naming ``what``, the
    route's action, where it is not the permission's: ``access.require``)."""

    def check(request: Request) -> Principal:
        who = current_principal(request)
        require(who, permission, what)
        return who

    check.permission = permission  # type: ignore[attr-defined]
    return check


def _unused_sign_in(request: Request) -> bool:
    """A browser's session cookie sent with an API change (or search), which only a token may make."""
    return bool(request.cookies.get(SESSION_COOKIE)) and request.method not in SAFE_METHODS \
        and request.url.path.startswith("/api/") and not request.headers.get("authorization")


def said_truly(request: Request, exc: ReuniteError) -> ReuniteError:
    """"Sign in" answered to a signed-in browser's API change is untrue (the sign-in is set aside there,
    ``current_principal``): whatever route refused it, say what is missing (403)."""
    if isinstance(exc, NotSignedIn) and _unused_sign_in(request):
        return Forbidden("this request of the API needs an API token (Authorization: Bearer): a sign-in on the site is used for the pages and for the API's reads only")  # noqa: E501
    return exc


def client_ip(request: Request) -> str:
    """The connecting address; a proxy's X-Forwarded-For only from REUNITE_TRUSTED_PROXIES (applied
    to the request by ``proxies.TrustedProxies`` before anything else reads it)."""
    return request.client.host if request.client else "unknown"


def _presession(secret: bytes, cookie: str | None) -> str | None:
    """The id inside a pre-session cookie this server issued (``id.signature``); None if forged."""
    value, _, signature = (cookie or "").partition(".")
    return value if value and signature and signature_valid(secret, "pre-session", value, signature) else None


def presession_of(request: Request) -> str:
    """The pre-session id a client holds, or is given with this answer (a retry that sends the cookie
    back is known as the same client; one that does not is another)."""
    return f"pre:{request.state.presession}"


def csrf_token(request: Request) -> str:
    """The token a page's forms carry: an HMAC, with the server's key, of the signed-in session (or,
    for anyone not signed in, of the pre-session id the server issued in a signed cookie). A value
    planted in a cookie is worth nothing: the token cannot be made without the key."""
    who: Principal | None = getattr(request.state, "principal", None)
    if who is None:
        try:
            who = current_principal(request)
        except ReuniteError:
            who = ANONYMOUS
    session = request.cookies.get(SESSION_COOKIE)
    bound = f"session:{token_hash(session)}" if who.account_id is not None and session \
        else f"pre:{request.state.presession}"
    return sign(get_deps(request).secret, "csrf", bound)


def check_csrf(request: Request, form: FormData) -> None:
    """Every form a page sends carries the token its page was given, for this very session."""
    sent = form.get("csrf")
    if not (isinstance(sent, str) and hmac.compare_digest(sent.encode(), csrf_token(request).encode())):
        raise Forbidden("this form has expired or came from another site: reload the page and send it again")


def security_headers(
    tile_url: str, https_only: bool, secret: bytes, inline: tuple[str, str] = ("", "")
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    """CSP (scripts and styles only from this site, and the ``inline`` ones its pages carry, by their
    hashes: scripts', styles'), no framing, no sniffing, no referrer beyond the origin (none at all, and
    no caching, from an address holding a secret), HSTS on TLS; and the signed pre-session cookie that
    anonymous forms are bound to."""
    tiles = ""
    if tile_url.startswith(("https://", "http://")):
        scheme, _, host = tile_url.split("/")[:3]
        tiles = f" {scheme}//{host.replace('{s}', '*')}"
    policy = (
        f"default-src 'self'; script-src 'self' {inline[0]}; style-src 'self' {inline[1]}; "
        f"img-src 'self' data: blob:{tiles}; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )

    async def middleware(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        existing = _presession(secret, request.cookies.get(CSRF_COOKIE))
        request.state.presession = existing or secrets.token_urlsafe(18)
        response = await call_next(request)
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        if carries_secret(request.url.path, request.url.query):
            headers["Referrer-Policy"] = "no-referrer"  # the address is the secret: no other site may see it
            headers["Cache-Control"] = "no-store"
        else:  # a page holding a secret in its body (a receipt's private link) may have said none already
            headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if not request.url.path.startswith(STATIC_PATHS):
            # what a page or an answer holds depends on who asks (session cookie, token): no cache,
            # shared or the browser's own on a shared computer, keeps it; unless the route said
            # otherwise (a poster's photo: public, revalidated)
            headers.setdefault("Cache-Control", "private, no-store")
        headers["Permissions-Policy"] = "camera=(self), geolocation=(self), microphone=()"
        secure = https_only or request.url.scheme == "https"
        if secure:
            headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        # a public answer (a feed, a poster's photo) may be kept by shared caches: it never sets a cookie
        if not existing and "public" not in headers.get("Cache-Control", ""):
            value = request.state.presession
            response.set_cookie(CSRF_COOKIE, f"{value}.{sign(secret, 'pre-session', value)}", httponly=True,
                                samesite="strict", secure=secure, max_age=30 * 24 * 3600)
        return response

    return middleware
