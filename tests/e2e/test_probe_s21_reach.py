"""The outside probe s21's U6 and U7: a family's proposals and answers are limited as its messages are (429 in
the reader's language, the note kept as typed) and reviewers read how many sightings it proposed; the feed's
self link, subscriptions' status codes, one webhook for one address and area, opaque alert ids, ``case.ended``
to the webhooks alerted, what the token list says, and a wait named no longer than its window."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from typing import Any

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.entrypoints.api.app import create_app
from reunite.services import case_events, reach, reunion
from reunite.services.accounts import issue_token
from reunite.services.moderation import reopen_case, verify_case
from reunite.services.throttle import wait_minutes
from tests.conftest import session_for
from tests.e2e.test_reach import WUHAN, missing_case, north
from tests.e2e.test_workbench import _client, _form, loop


def test_a_family_proposing_past_its_hourly_limit_is_answered_429_in_its_language_with_its_note_kept(
    container: Container
) -> None:
    world = loop(container, photos=(("collins", 1), ("hopper", 0)))
    container.deps = replace(container.deps, limits=replace(container.deps.limits, messages_per_hour=2))
    family = _client(container, world.family_token)
    family.headers["Accept-Language"] = "zh-CN"
    mine = f"/sightings/{world.sightings[1]}/mine"
    for note in ("她左耳有颗痣", "她的外套"):
        assert _form(family, mine, case_id=str(world.case_id), note=note).status_code == 303
    refused = _form(family, mine, case_id=str(world.case_id), note="第三条：她的鞋子")
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 3660
    page = html.unescape(refused.text)
    assert "请求过多" in page and "60 分钟内最多 2 次" in page
    assert "请 60 分钟后再试" in page  # never "61 minutes" for a 60-minute window
    assert "第三条：她的鞋子</textarea>" in page  # what was typed, kept
    # reviewers read how many sightings this family proposed (one sighting, however many notes)
    reviewer = _client(container, session_for(container, Role.MODERATOR)[1])
    lead = next(c for c in container.deps.read.candidates(world.case_id, None)
                if c["sighting_id"] == world.sightings[1])
    assert "This family proposed 1 sighting in the last 24 hours." in reviewer.get(f"/workbench/{lead['id']}").text


def test_the_wait_a_refusal_names_is_never_longer_than_its_window() -> None:
    assert wait_minutes(3639) == 60 and wait_minutes(3600) == 60 and wait_minutes(3540) == 59
    assert wait_minutes(1) == 1 and wait_minutes(61) == 2
    assert wait_minutes(3639, None) == 61  # a sign-in lock names its own length


def test_the_feeds_self_link_is_at_the_configured_address_whatever_the_host_header(container: Container) -> None:
    client = TestClient(create_app(container))
    feed = client.get("/feeds/cases.atom?region=Wuhan", headers={"Host": "evil.example"})
    assert feed.status_code == 200 and "evil.example" not in feed.text
    assert f'<link rel="self" href="{container.deps.site.base_url}/feeds/cases.atom?region=Wuhan"' in feed.text


class Recorder:
    """A webhook receiver that keeps every body it was sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def check(self, address: str) -> None:
        return None

    def post(self, address: str, secret: str, timestamp: str, payload: dict[str, Any]) -> None:
        self.sent.append((address, payload))


def test_subscribing_answers_a_status_code_one_webhook_per_area_and_a_point_needs_a_radius(
    container: Container
) -> None:
    container.deps = replace(container.deps, webhooks=Recorder())
    token = issue_token(container.deps, OPERATOR, "partner", [Scope.WEBHOOKS])
    client = TestClient(create_app(container), headers={"Authorization": f"Bearer {token}",
                                                        "Accept-Language": "zh-CN"})
    body = {"channel": "webhook", "address": "https://partner.example/alerts", "lat": 30.6, "lon": 104.06,
            "radius_km": 10}
    first, again = (client.post("/api/subscriptions", json=body) for _ in range(2))
    assert first.status_code == again.status_code == 201
    assert first.json()["status"] == "active" and first.json()["status_text"] == "已生效"
    assert again.json()["id"] == first.json()["id"] and again.json()["status"] == "active"
    assert first.json()["secret"] and again.json()["secret"] is None  # shown once (probe s29 C10)
    assert len(client.get("/api/subscriptions").json()) == 1  # every alert sent once
    other = client.post("/api/subscriptions", json=body | {"radius_km": 20})
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]  # another area: another webhook
    nothing = client.post("/api/subscriptions", json=body | {"radius_km": 0})
    assert nothing.status_code == 422 and "1 公里" in nothing.text and "半径" in nothing.text
    assert client.post("/api/subscriptions", json=body | {"lat": None, "lon": None, "radius_km": 0,
                                                          "region": "Wuhan"}).status_code == 201


def _jobs(container: Container, task: str) -> list[dict[str, Any]]:
    with container.engine.connect() as conn:
        return list(conn.exec_driver_sql("SELECT args FROM procrastinate_jobs WHERE task_name = %s ORDER BY id",
                                         (task,)).scalars())


def test_webhooks_read_opaque_alert_ids_and_are_told_when_a_case_ends(container: Container) -> None:
    receiver = Recorder()
    deps = container.deps = replace(container.deps, webhooks=receiver)
    for n in range(2):
        reach.subscribe(deps, OPERATOR, "webhook", f"https://partner.example/{n}", north(5 + n), 10)
    reach.subscribe(deps, OPERATOR, "webhook", "https://far.example/", None, 0, "北京")  # never alerted
    case_id = missing_case(container, place=WUHAN)
    verify_case(deps, OPERATOR, case_id, "police report checked")
    assert reach.alert_round(deps, case_id) == 2
    with container.engine.connect() as conn:
        counters = set(conn.exec_driver_sql("SELECT id FROM alerts WHERE case_id = %s", (case_id,)).scalars())
    for alert_id in counters:
        reach.deliver_alert(deps, alert_id)
    told = {address: payload["alert_id"] for address, payload in receiver.sent}
    assert len(set(told.values())) == 2 and not set(told.values()) & counters  # no site-wide counter
    receiver.sent.clear()

    reunion.close_case(deps, OPERATOR, case_id, reunited=False, keep_data=True)
    assert [args["case_id"] for args in _jobs(container, "reach.case_ended")] == [case_id]
    assert case_events.case_ended(deps, case_id) == 2
    for args in _jobs(container, "reach.deliver_ended"):
        case_events.deliver_ended(deps, args["alert_id"])
    assert sorted(address for address, _ in receiver.sent) == ["https://partner.example/0",
                                                              "https://partner.example/1"]
    for address, payload in receiver.sent:
        assert payload["event"] == "case.ended" and payload["case"] == {"id": case_id}
        assert payload["alert_id"] == told[address]  # the alert it ends, as the receiver knows it
        assert "closed" not in str(payload) and "reunited" not in str(payload)  # never why
    receiver.sent.clear()

    # reopened, then verified again (probe s23 W4): each webhook told it ended is told it is back, once
    reopen_case(deps, OPERATOR, case_id, "closed by mistake")
    verify_case(deps, OPERATOR, case_id, "police report checked again")
    for args in _jobs(container, "reach.deliver_restored"):
        case_events.deliver_restored(deps, args["alert_id"])
        case_events.deliver_restored(deps, args["alert_id"])  # a retry: nothing more
    assert sorted((address, payload["event"], payload["alert_id"]) for address, payload in receiver.sent) == sorted(
        (address, "case.restored", alert_id) for address, alert_id in told.items())


def test_the_token_list_shows_domains_when_issued_and_last_used(container: Container) -> None:
    deps = container.deps
    token = issue_token(deps, OPERATOR, "registry", [Scope.WRITE], ["partnera.org"])
    admin = TestClient(create_app(container))
    admin.cookies.set("reunite_session", session_for(container, Role.ADMIN)[1])

    def listed() -> dict[str, Any]:
        return next(t for t in admin.get("/api/tokens").json() if t["name"] == "registry")

    before = listed()
    assert before["allowed_domains"] == ["partnera.org"] and before["created_at"] and before["last_used_at"] is None
    partner = TestClient(create_app(container), headers={"Authorization": f"Bearer {token}"})
    assert partner.get("/api/subscriptions").status_code == 200  # audited: a use
    assert listed()["last_used_at"] is not None
    assert re.match(r"\d{4}-\d\d-\d\dT", listed()["created_at"])
