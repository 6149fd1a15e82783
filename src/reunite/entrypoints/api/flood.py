"""An ASGI gate in front of the report route: an anonymous address past its limit of refused reports
(``services.throttle``) is answered 429 before its report's body is read and parsed, unless the report
carries a fresh solved puzzle. The puzzle's fields are looked for in the body's text parts that come before
the first photo (as the report page, and common clients, send them), reading no further than that."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from reunite.entrypoints.api.formscan import FormScan, replaying
from reunite.services import throttle
from reunite.services.deps import Deps

REPORTS = "/api/sightings"
MAX_PREFIX = 64 * 1024  # the text before the first photo: a puzzle is short


class RefusedReportsGate:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        headers = dict(scope.get("headers", [])) if scope["type"] == "http" else {}
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != REPORTS \
                or headers.get(b"authorization"):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        deps: Deps = scope["app"].state.container.deps
        ip = request.client.host if request.client else "unknown"
        if (spent := await run_in_threadpool(throttle.address_flooded, deps, ip)) is None:
            await self.app(scope, receive, send)
            return
        prefix, fields, more = await _text_before_photos(receive, headers.get(b"content-type", b""))
        proof = (fields.get("pow_challenge", "")[:200], fields.get("pow_nonce", "")[:200])
        if not await run_in_threadpool(throttle.fresh_puzzle, deps, proof if all(proof) else None, ip):
            from reunite.entrypoints.api.guard import error_response

            response = error_response(request, throttle.flooded_address_error(deps, spent))
            response.headers["connection"] = "close"  # the rest of the body is never read
            await response(scope, receive, send)
            return
        await self.app(scope, replaying(prefix, more, receive), send)


async def _text_before_photos(receive: Any, content_type: bytes) -> tuple[bytes, dict[str, str], bool]:
    """The body as far as read (up to the first file part, or ``MAX_PREFIX``), its text fields, and whether
    more of the body follows."""
    scan, size, more = FormScan(content_type), 0, True
    chunks: list[bytes] = []
    while more and not scan.in_files and not scan.broken and size < MAX_PREFIX:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), scan.fields, False
        body, more = message.get("body", b""), message.get("more_body", False)
        chunks.append(body)
        size += len(body)
        scan.feed(body)
    return b"".join(chunks), scan.fields, more
