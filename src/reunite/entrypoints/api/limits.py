"""An ASGI guard that refuses request bodies over the limit before they are read into memory."""

from __future__ import annotations

import json
from typing import Any


class BodyLimitMiddleware:
    """413 for a declared Content-Length over the limit. For a chunked body, once the bytes received
    pass the limit the app is told the client left, and whatever it answers is replaced by the 413: the
    same answer whichever way the body came and whatever parser read it."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def refuse(self, send: Any) -> None:
        body = json.dumps({"detail": f"the upload is larger than the {self.max_bytes / 1e6:.0f} MB limit"}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close")]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self.refuse(send)
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
                await self.refuse(send)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not answered:
            await self.refuse(send)
