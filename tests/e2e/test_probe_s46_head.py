"""The outside probe s46's P8: ``HEAD /feeds/cases.atom`` answered 405 where GET answered 200 (``/`` and ``/healthz``
too), so feed readers and link checkers asking a feed's ``Last-Modified`` and ``ETag`` with HEAD marked it broken.
HEAD is answered wherever GET is, in one place for the whole app: the same status and headers, no body."""

from __future__ import annotations

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.entrypoints.api.app import create_app
from tests.e2e.test_access import app_routes


def test_head_answers_as_get_on_the_feed_the_home_page_and_health(container: Container) -> None:
    client = TestClient(create_app(container))
    for path in ("/feeds/cases.atom", "/", "/healthz", "/docs", "/stats", "/subscribe", "/favicon.ico",
                 "/static/map.js", "/p/123"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code, (path, head.status_code, got.status_code)
        assert head.content == b"", path
        for name in ("ETag", "Last-Modified", "Content-Type", "Cache-Control"):
            assert head.headers.get(name) == got.headers.get(name), (path, name)
    feed = client.get("/feeds/cases.atom")
    assert feed.status_code == 200
    again = client.head("/feeds/cases.atom", headers={"If-None-Match": feed.headers["ETag"]})
    assert again.status_code == 304  # a feed reader's revalidation by HEAD costs nothing


def test_head_answers_wherever_get_does_and_nowhere_else(container: Container) -> None:
    app = create_app(container)
    client = TestClient(app)
    reads = sorted(path for method, path in app_routes(app) if method == "GET" and "{" not in path)
    assert "/feeds/cases.atom" in reads and "/" in reads
    for path in reads:
        assert client.head(path).status_code == client.get(path).status_code, path
    assert client.head("/api/pfif").status_code == client.get("/api/pfif").status_code  # GET's answer, not 200
    posted_only = client.head("/api/takedowns")
    assert posted_only.status_code in (401, 405) and posted_only.content == b""
