"""An ASGI guard that refuses request bodies over the limit before they are read into memory."""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException


class BodyLimitMiddleware:
    """413 for a declared Content-Length over the limit; for chunked bodies, 413 as soon as the
    bytes received pass it (raised inside the route, so the API's error handling answers)."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def message(self) -> str:
        return f"the upload is larger than the {self.max_bytes / 1e6:.0f} MB limit"

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            body = json.dumps({"detail": self.message()}).encode()
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                       (b"connection", b"close")]
            await send({"type": "http.response.start", "status": 413, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        seen = 0

        async def limited_receive() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(413, self.message())
            return message

        await self.app(scope, limited_receive, send)
