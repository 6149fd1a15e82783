"""HEAD wherever GET answers (RFC 9110 §9.1: a server supports both), in one place for every route, page, feed and
file: feed readers, aggregators and link checkers ask a feed's ``Last-Modified`` and ``ETag`` with HEAD (probe
s46 P8: ``HEAD /feeds/cases.atom`` answered 405)."""

from __future__ import annotations

from typing import Any


class HeadAsGet:
    """ASGI middleware: a HEAD request is answered as the GET of the same address would be, its status and headers
    (``Content-Length``, ``ETag``, ``Last-Modified`` included), without the body. The server's own scope still says
    HEAD (it is copied, never changed), so the server sends no body either."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # a part of the body: nothing is sent until its end
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(dict(scope, method="GET"), receive, headers_only)
