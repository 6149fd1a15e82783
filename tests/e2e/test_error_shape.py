"""Every API error has one shape in the reader's language, whoever found it: a service, the framework's
validation, routing or form parser, the body limit, or a fault of ours. A client reads ``detail`` (a
sentence), ``field`` and ``problems`` the same way for each, and a Chinese reader reads Chinese."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.entrypoints.api.app import create_app
from reunite.services import queries
from tests.conftest import admin_token, plain_photo

ZH = {"Accept-Language": "zh-CN"}
CJK = re.compile(r"[\u4e00-\u9fff]")
FRAMEWORK_WORDS = re.compile(r"Not Found|Method Not Allowed|Field required|Internal Server Error|Maximum number|"
                             r"Input should|Payload Too Large|JSON decode")


def said_in_chinese(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    assert set(body) == {"detail", "field", "problems"}, body
    assert isinstance(body["detail"], str) and CJK.search(body["detail"]), body
    assert not FRAMEWORK_WORDS.search(answer.text), body
    assert answer.headers["content-language"] == "zh-CN"
    for problem in body["problems"]:
        assert CJK.search(problem["detail"]) and "field" in problem, body
    return body


def test_every_api_error_has_one_shape_in_the_readers_language(container: Container,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    api = TestClient(create_app(container), headers=ZH, raise_server_exceptions=False)
    photos = [("photos", ("a.jpg", plain_photo(), "image/jpeg"))]

    validation = said_in_chinese(api.post("/api/subscriptions", json={"channel": "email", "address": "a@example.org",
                                                                      "lat": "north", "radius_km": 5}), 422)
    assert validation["field"] == "lat" and validation["problems"][0]["loc"] == ["body", "lat"]
    assert "纬度" in validation["detail"]
    guarded = said_in_chinese(api.post("/api/sightings", files=photos, data={"description": "x\x00y"}), 422)
    assert guarded["field"] == "description" and [p["field"] for p in guarded["problems"]] == ["description"]
    assert said_in_chinese(api.get("/api/no-such-address"), 404)["problems"] == []
    said_in_chinese(api.delete("/api/sightings"), 405)
    said_in_chinese(api.post("/api/sightings", files=photos, data={f"f{i}": "1" for i in range(1001)}), 400)
    too_large = api.post("/api/sightings", content=b"{}", headers={"Content-Type": "application/json",
                                                                   "Content-Length": str(10**9)})
    assert said_in_chinese(too_large, 413)["field"] == "body"  # a JSON body holds no photos
    fake = [("photos", ("notes.gif", b"GIF89a" + b"my notes, not a picture\n" * 20, "image/gif"))]
    not_a_photo = said_in_chinese(api.post("/api/sightings", files=fake), 415)
    assert not_a_photo["field"] == "photos" and [p["field"] for p in not_a_photo["problems"]] == ["photos"]
    assert not_a_photo["problems"][0]["detail"] == not_a_photo["detail"]  # listed as every 422 lists its field

    staff = {"Authorization": f"Bearer {admin_token(container)}"}
    said_in_chinese(api.get("/api/cases/999999", headers=staff), 404)

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("a fault of ours")

    monkeypatch.setattr(queries, "get_case", broken)
    fault = said_in_chinese(api.get("/api/cases/1", headers=staff), 500)
    assert "fault" not in fault["detail"]


def test_the_openapi_document_describes_that_one_shape(anonymous: TestClient) -> None:
    document = anonymous.get("/openapi.json").json()
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"detail", "field", "problems"}
    refs = {answer["content"]["application/json"]["schema"]["$ref"]
            for operations in document["paths"].values() for operation in operations.values()
            for status, answer in operation["responses"].items() if status[0] in "45" and "content" in answer}
    assert refs == {"#/components/schemas/Problem"}
