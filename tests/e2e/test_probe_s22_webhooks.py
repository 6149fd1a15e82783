"""The outside probe s22's V3: one receiver is one webhook. An address written another way that reaches the same
receiver (scheme and host in capitals, the scheme's own port named, a trailing slash) is the webhook its maker
already has for that area, never a second one sending each alert twice; the address is kept in one writing."""

from __future__ import annotations

from dataclasses import replace

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Scope
from reunite.entrypoints.api.app import create_app
from reunite.services.accounts import issue_token
from tests.e2e.test_probe_s21_reach import Recorder

AREA = {"channel": "webhook", "lat": 30.6, "lon": 104.06, "radius_km": 10}


def partner(container: Container, language: str = "en") -> TestClient:
    token = issue_token(container.deps, OPERATOR, "partner", [Scope.WEBHOOKS])
    return TestClient(create_app(container), headers={"Authorization": f"Bearer {token}", "Accept-Language": language})


def test_an_address_written_another_way_is_the_webhook_already_made(container: Container) -> None:
    container.deps = replace(container.deps, webhooks=Recorder())
    client = partner(container)
    first = client.post("/api/subscriptions", json=AREA | {"address": "HTTP://Example.ORG:80/hook"})
    assert first.status_code == 201 and first.json()["secret"]
    for variant in ("http://example.org/hook", "http://example.org/hook/", "http://EXAMPLE.org/hook",
                    "http://example.org:80/hook//", "Http://Example.org/hook/"):
        again = client.post("/api/subscriptions", json=AREA | {"address": variant})
        assert again.status_code == 201, (variant, again.text)  # as the same address sent again is answered
        assert (again.json()["id"], again.json()["secret"]) == (first.json()["id"], None), variant  # shown once
    listed = client.get("/api/subscriptions").json()
    assert [s["address"] for s in listed] == ["http://example.org/hook"]  # kept in one writing

    # another receiver is another webhook: another path, port, scheme or query
    others = ["http://example.org/hook2", "http://example.org:8080/hook", "https://example.org/hook",
              "http://example.org/Hook", "http://example.org/hook?team=2"]
    made = [client.post("/api/subscriptions", json=AREA | {"address": address}) for address in others]
    assert [m.status_code for m in made] == [201] * len(others)
    assert len({m.json()["id"] for m in made} | {first.json()["id"]}) == len(others) + 1
    assert len(client.get("/api/subscriptions").json()) == len(others) + 1


def test_a_host_and_an_empty_path_are_one_receiver_and_a_point_needs_a_radius_in_range(container: Container) -> None:
    container.deps = replace(container.deps, webhooks=Recorder())
    client = partner(container)
    first = client.post("/api/subscriptions", json=AREA | {"address": "https://Partner.example"})
    again = client.post("/api/subscriptions", json=AREA | {"address": "https://partner.example:443/"})
    assert first.status_code == again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert [s["address"] for s in client.get("/api/subscriptions").json()] == ["https://partner.example/"]
    for radius in (0, 0.5, 1001):
        refused = client.post("/api/subscriptions", json=AREA | {"address": "https://partner.example/",
                                                                 "radius_km": radius})
        assert refused.status_code == 422 and refused.json()["field"] == "radius_km"
        assert refused.json()["detail"] == "the radius around the point must be between 1 and 1,000 km"
    chinese = partner(container, "zh-CN").post("/api/subscriptions", json=AREA | {"address": "https://p.example/",
                                                                                   "radius_km": 0})
    assert chinese.json()["detail"] == "地图上所选地点周围的半径必须在 1 公里到 1,000 公里之间"
