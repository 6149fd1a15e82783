"""Probe s12, findings 6 and 13: a partner's token past its limit of refused reports still gets its
well-formed reports in (only its refused ones are answered 429, saying why); an anonymous address past
its limit is answered 429 before its report is read, malformed ones included, unless it brings a fresh
puzzle."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import anyio
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.abuse import solve
from reunite.entrypoints.api.app import create_app
from tests.conftest import admin_token, count_rows, plain_photo


def limited(container: Container, refused: int) -> Container:
    return replace(container, deps=replace(container.deps, limits=replace(container.deps.limits,
                                                                            refused_reports_per_hour=refused)))


def report(client: TestClient, seed: int, **form: str) -> Any:
    return client.post("/api/sightings", files=[("photos", ("street.jpg", plain_photo(seed=seed), "image/jpeg"))],
                       data=form)


def test_a_partners_refused_reports_never_shut_out_its_good_ones(container: Container) -> None:
    limited_container = limited(container, 2)
    partner = TestClient(create_app(limited_container), headers={
        "Authorization": f"Bearer {admin_token(container)}", "Accept-Language": "zh-CN"})
    assert report(partner, 0, apparent_age_low="9", apparent_age_high="3").status_code == 422
    assert report(partner, 1, seen_at="2026-12-02T15:00").status_code == 422  # refused by the framework
    past = report(partner, 2, apparent_age_low="9", apparent_age_high="3")
    assert past.status_code == 429 and "被拒绝的报告过多" in past.json()["detail"], past.json()
    assert "30" not in past.json()["detail"] and "2" in past.json()["detail"]
    again = report(partner, 3, lat="abc")
    assert again.status_code == 429 and "被拒绝的报告过多" in again.json()["detail"]
    good = report(partner, 4, apparent_age_low="3", apparent_age_high="9")
    assert good.status_code == 202, good.json()
    assert count_rows(container, "sightings") == 1


def puzzle(client: TestClient) -> dict[str, str]:
    challenge = client.get("/api/pow").json()["challenge"]
    return {"pow_challenge": challenge, "pow_nonce": solve(challenge)}


def test_past_the_limit_malformed_reports_are_answered_429_before_they_are_read(container: Container) -> None:
    app = create_app(limited(container, 3))
    client = TestClient(app, headers={"Accept-Language": "zh-CN"})
    for seed in range(3):
        assert report(client, seed, seen_at="2026-12-02T15:00").status_code == 422
    for form in ({"seen_at": "2026-12-02T15:00"}, {"lat": "abc"}, {}):
        flooded = report(client, 5, **form)
        assert flooded.status_code == 429 and "验证题" in flooded.json()["detail"], flooded.json()
        assert int(flooded.headers["Retry-After"]) > 0
    assert report(client, 6, **puzzle(client)).status_code == 202  # a witness with the page's puzzle
    used = puzzle(client)
    assert report(client, 7, **used).status_code == 202
    assert report(client, 8, **used).status_code == 429  # a puzzle buys one report
    assert count_rows(container, "sightings") == 2

    pulled = anyio.run(send_in_chunks, app, big_report_photo_first(puzzle(client)))
    assert pulled == (429, 1), "past the limit, nothing after the first chunk of the photo is read"


def big_report_photo_first(proof: dict[str, str]) -> bytes:
    """A 5 MB report whose puzzle comes after its photo: past the limit, not looked for."""
    photo = b"\xff\xd8" + b"\0" * 5_000_000
    parts = [b'--b\r\nContent-Disposition: form-data; name="photos"; filename="a.jpg"\r\n'
             b"Content-Type: image/jpeg\r\n\r\n" + photo + b"\r\n"]
    parts += [f'--b\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in proof.items()]
    return b"".join(parts) + b"--b--\r\n"


async def send_in_chunks(app: Any, body: bytes, size: int = 65536) -> tuple[int, int]:
    """Sends ``body`` to the app as a server would, chunk by chunk: (the status, the chunks it read)."""
    chunks = [body[i:i + size] for i in range(0, len(body), size)]
    pulled, status = 0, 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": chunks[pulled - 1], "more_body": pulled < len(chunks)}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {"type": "http", "method": "POST", "path": "/api/sightings", "raw_path": b"/api/sightings",
             "query_string": b"", "root_path": "", "scheme": "http", "server": ("testserver", 80),
             "client": ("testclient", 50000), "http_version": "1.1",
             "headers": [(b"content-type", b"multipart/form-data; boundary=b"),
                         (b"content-length", str(len(body)).encode()), (b"host", b"testserver")]}
    await app(scope, receive, send)
    return status, pulled
