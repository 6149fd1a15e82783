"""An ASGI guard that refuses request bodies over the limit before they are read into memory."""

from __future__ import annotations

import secrets
from typing import Any

from starlette.requests import Request

from reunite.domain.errors import PayloadTooLarge


class BodyLimitMiddleware:
    """413 for a declared Content-Length over the limit. For a chunked body, once the bytes received
    pass the limit the app is told the client left, and whatever it answers is replaced by the 413: the
    same answer whichever way the body came and whatever parser read it."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def refuse(self, scope: dict[str, Any], send: Any) -> None:
        """Answered as any error is: JSON for the API, the error page (with the way back to the form and
        what was typed in it) for pages, in the reader's language."""
        from reunite.entrypoints.api.guard import error_response

        request = Request(scope)
        request.state.presession = secrets.token_urlsafe(18)  # the page's forms: no cookie read yet
        error = PayloadTooLarge("the upload is larger than the {limit} MB limit", field="photos",
                                limit=f"{self.max_bytes / 1e6:.0f}")
        response = error_response(request, error)
        response.headers["connection"] = "close"
        await response(scope, _nothing, send)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self.refuse(scope, send)
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
