"""A webhook's receiver and a source's feed are reached on the web's ports (80, 443) or those from 1024 to 65535
only: an address naming 22, 25, 110 or another port below 1024 is refused in the reader's language, naming the
port, and nothing is kept; port 0 keeps its own words."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Scope
from reunite.entrypoints.api.app import create_app
from reunite.services.accounts import issue_token
from tests.conftest import count_rows
from tests.e2e.test_probe_s21_reach import Recorder
from tests.e2e.test_probe_s22_webhooks import AREA, partner


@pytest.mark.parametrize("port", [22, 25, 110, 1, 1023])
def test_a_webhook_on_a_port_that_is_no_web_port_is_refused_naming_it(container: Container, port: int) -> None:
    container.deps = replace(container.deps, webhooks=Recorder())  # the port is refused before any lookup
    address = f"https://partner.example:{port}/hook"
    english = partner(container).post("/api/subscriptions", json=AREA | {"address": address})
    assert english.status_code == 422 and english.json()["field"] == "address"
    assert english.json()["detail"] == (
        f"webhooks are sent to port 80, 443 or 1024 to 65535, not {port}: name the receiver's web port, "
        "or leave it out")
    chinese = partner(container, "zh-CN").post("/api/subscriptions", json=AREA | {"address": address})
    assert chinese.status_code == 422 and f"1024 至 65535，不发送到 {port}" in chinese.json()["detail"]
    assert count_rows(container, "subscriptions") == 0


def test_a_webhook_on_a_web_port_or_one_from_1024_is_kept(container: Container) -> None:
    container.deps = replace(container.deps, webhooks=Recorder())
    client = partner(container)
    for address in ("https://partner.example/hook", "http://partner.example:443/a", "https://partner.example:80/b",
                    "https://partner.example:1024/c", "https://partner.example:8443/d", "http://partner.example:65535/e"):
        assert client.post("/api/subscriptions", json=AREA | {"address": address}).status_code == 201, address
    zero = client.post("/api/subscriptions", json=AREA | {"address": "http://partner.example:0/x"})
    assert zero.status_code == 422 and "nothing can be reached on port 0" in zero.json()["detail"]
    assert count_rows(container, "subscriptions") == 6


@pytest.mark.parametrize("port", [22, 25, 110, 0])
def test_a_source_on_a_port_that_is_no_web_port_is_refused_naming_it(container: Container, port: int) -> None:
    token = issue_token(container.deps, OPERATOR, "desk", [Scope.ADMIN])
    for language, words in (("en", f"sources are read from port 80, 443 or 1024 to 65535, not {port}"),
                            ("zh-CN", f"1024 至 65535 读取，不从 {port} 读取")):
        desk = TestClient(create_app(container), headers={"Authorization": f"Bearer {token}",
                                                          "Accept-Language": language})
        for kind, path in (("feed", "/rss.xml"), ("mastodon", "/tags/missing")):
            refused = desk.post("/api/sources", json={"kind": kind, "url": f"https://feeds.example:{port}{path}",
                                                      "name": "feed"})
            assert refused.status_code == 422 and refused.json()["field"] == "url", refused.text
            assert words in refused.json()["detail"]
    assert count_rows(container, "sources") == 0
