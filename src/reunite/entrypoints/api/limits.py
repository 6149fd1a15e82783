"""An ASGI guard that refuses request bodies over the limit before they are read into memory."""

from __future__ import annotations

import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from reunite.domain.errors import PayloadTooLarge
from reunite.entrypoints.api.formscan import FormScan

REPORT_PAGE = "/report"  # a form whose photos may pass the limit together: shown again, as it was typed
READ_THROUGH = 4  # a report page's body up to this many times the limit is read (its photos not kept)
# the field of an operation that takes its upload under another name than "photos" (a form's photos) or "body"
# (a JSON or XML body): the document or sheet an import reads is its ``file``, however it is sent (probe s46 P11)
UPLOAD_FIELDS = {"/api/pfif": "file", "/api/cases/import": "file", "/api/search": "photo"}
MIB = 1024 * 1024


def megabytes(size: int) -> str:
    """A size in the megabytes people read it in (1 MB = 1,024 × 1,024 bytes, as ``REUNITE_MAX_UPLOAD_BYTES``'s
    default is written: 25 × 1024 × 1024 is told "25 MB", never "26 MB"): whole, else to one decimal."""
    value = size / MIB
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"


class BodyLimitMiddleware:
    """413 for a declared Content-Length over the limit. For a chunked body, once the bytes received
    pass the limit the app is told the client left, and whatever it answers is replaced by the 413: the
    same answer whichever way the body came and whatever parser read it. The report page's form is read
    through (its text kept, its photos measured and dropped) and shown again with what was typed and
    what to do (``snapshot.too_large``); a browser shown an answer before its upload ended would show a
    broken connection instead."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def refuse(self, scope: dict[str, Any], send: Any, scan: FormScan | None = None) -> None:
        """Answered as any error is: JSON for the API, the error page (with the way back to the form) for
        pages, the report page's form again for it, in the reader's language."""
        from reunite.entrypoints.api.auth import CSRF_COOKIE, _presession
        from reunite.entrypoints.api.guard import error_response
        from reunite.entrypoints.web.snapshot import too_large

        request = Request(scope)
        secret = scope["app"].state.container.deps.secret
        request.state.presession = _presession(secret, request.cookies.get(CSRF_COOKIE)) \
            or secrets.token_urlsafe(18)  # the page's forms: the browser's pre-session, else one for this page
        if scope["path"] == REPORT_PAGE and scope["method"] == "POST":
            response: Response = too_large(request, self.max_bytes, scan)
        else:
            # an import's document or sheet is its ``file``; a form carries photos; anything else is its body
            multipart = request.headers.get("content-type", "").lower().startswith("multipart/")
            named = UPLOAD_FIELDS.get(scope["path"].rstrip("/")) or ("photos" if multipart else "body")
            response = error_response(request, PayloadTooLarge(
                "the upload is larger than the {limit} MB limit", field=named, limit=megabytes(self.max_bytes)))
        response.headers["connection"] = "close"
        await response(scope, _nothing, send)

    async def read_through(self, receive: Any, content_type: bytes) -> FormScan:
        """The report page's form, read to its end: its text fields and the size of each photo."""
        scan = FormScan(content_type)
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return scan
            scan.feed(message.get("body", b""))
            if not message.get("more_body", False):
                return scan

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            scan = None
            if scope["path"] == REPORT_PAGE and int(declared) <= READ_THROUGH * self.max_bytes:
                scan = await self.read_through(receive, headers.get(b"content-type", b""))
            await self.refuse(scope, send, scan)
            return
        seen, exceeded, answered = 0, False, False

        async def limited_receive() -> Any:
            nonlocal seen, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Any) -> None:
            nonlocal answered
            if not exceeded:
                await send(message)
            elif message["type"] == "http.response.start" and not answered:
                answered = True
                await self.refuse(scope, send)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not answered:
            await self.refuse(scope, send)


async def _nothing() -> dict[str, Any]:
    return {"type": "http.disconnect"}
