"""Probe s12, finding 17: photos too large together for one report (a phone without the page's script
sends them at full size) bring the report form back with everything typed and what to send instead, in
the reader's language; the form parser's own refusals (too many fields) are in the reader's language too."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from typing import Any

import httpx
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.entrypoints.api.app import create_app
from tests.conftest import count_rows, plain_photo, said_at_top

LIMIT = 2_000_000
TYPED = {"seen_at": "2026-01-02T15:00", "place_text": "人民公园东门", "doing": "红色外套，在哭",
         "contact": "13800002222"}


def small_limit(container: Container) -> Container:
    return replace(container, settings=container.settings.model_copy(update={"max_upload_bytes": LIMIT}))


def hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(csrf|idempotency_key|pow_challenge)" value="([^"]*)"', page))


def test_photos_too_large_together_bring_the_form_back_as_typed_saying_how_many_fit(container: Container) -> None:
    browser = TestClient(create_app(small_limit(container)), headers={"Accept-Language": "zh-CN"})
    form = hidden(browser.get("/report").text) | TYPED
    full_size = [("photos", (f"{n}.jpg", plain_photo(seed=n) + bytes(800_000), "image/jpeg")) for n in range(3)]
    page = browser.post("/report", files=full_size, data=form)
    assert page.status_code == 413 and page.headers["content-type"].startswith("text/html")
    for value in TYPED.values():
        assert f'value="{value}"' in page.text, value  # nothing typed is lost
    error = said_at_top(page.text)
    assert error and "3 张照片" in error and "最多发送其中 2 张" in error, page.text[-3000:]
    assert count_rows(container, "sightings") == 0

    smaller = [("photos", (f"{n}.jpg", plain_photo(seed=n), "image/jpeg")) for n in range(2)]
    sent = browser.post("/report", files=smaller, data=hidden(page.text) | TYPED)  # the form shown again works
    assert sent.status_code == 200, sent.text[-2000:]
    assert count_rows(container, "sightings") == 1

    one = browser.post("/report", files=[("photos", ("big.jpg", plain_photo() + bytes(2_100_000), "image/jpeg"))],
                       data=hidden(page.text) | TYPED)
    assert one.status_code == 413 and "这张照片有 2 MB" in one.text and "截图" in one.text
    huge = browser.post("/report", files=[("photos", ("x.jpg", bytes(5 * LIMIT), "image/jpeg"))], data=TYPED)
    assert huge.status_code == 413 and "请发送较少或较小的照片" in huge.text  # not read: what to do, still


def test_too_many_fields_are_refused_in_the_readers_language(anonymous: TestClient) -> None:
    fields = {f"f{n}": "x" for n in range(1001)}
    chinese = {"Accept-Language": "zh-CN"}
    api = anonymous.post("/api/sightings", data=fields, files=[("photos", ("a.jpg", plain_photo(), "image/jpeg"))],
                         headers=chinese)
    assert api.status_code == 400 and "字段过多" in api.json()["detail"] and "1000" in api.json()["detail"]
    page = anonymous.post("/report", data=fields, files=[("photos", ("a.jpg", plain_photo(), "image/jpeg"))],
                          headers=chinese)
    assert page.status_code == 400 and "字段过多" in page.text


def test_words_split_between_two_pieces_of_a_too_large_upload_come_back_whole(container: Container) -> None:
    """A phone's upload arrives in pieces that may cut a Chinese character in two: the form shown again
    has the reporter's words as typed, not replacement marks."""
    photo = [("photos", ("big.jpg", plain_photo() + bytes(LIMIT), "image/jpeg"))]
    sent = httpx.Request("POST", "http://testserver/report", data=TYPED, files=photo)
    body = sent.read()
    cut = body.index(TYPED["place_text"].encode()) + 4  # inside the second character (3 bytes each)
    pieces = [body[:cut], body[cut:]]
    scope = {"type": "http", "http_version": "1.1", "method": "POST", "scheme": "http", "path": "/report",
             "raw_path": b"/report", "query_string": b"", "root_path": "", "server": ("testserver", 80),
             "client": ("127.0.0.1", 5000), "headers": [
                 (b"host", b"testserver"), (b"accept-language", b"zh-CN"), (b"content-length", str(len(body)).encode()),
                 (b"content-type", sent.headers["content-type"].encode())]}
    answer: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if pieces:
            return {"type": "http.request", "body": pieces.pop(0), "more_body": bool(pieces)}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        answer.append(message)

    asyncio.run(create_app(small_limit(container))(scope, receive, send))
    assert answer[0]["status"] == 413
    page = b"".join(m.get("body", b"") for m in answer[1:]).decode()
    assert f'value="{TYPED["place_text"]}"' in page and "\ufffd" not in page
