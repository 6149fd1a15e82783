"""A retried request does not duplicate, but a second person never gets the first person's receipt and
private link. Two ways that rule was broken:

- a partner's token (an NGO's app relaying reports from many people) sending, without an
  ``Idempotency-Key``, a report identical to one it sent within 10 minutes got the first report's whole
  answer: its receipt and private link, which the app could hand to the next person;
- two anonymous API clients behind one address, holding no puzzle, choosing the same key ("1") for the
  same report: the second got the first's receipt and private link.

A key-less retry is now known (one report) and answered as received, without the private link; a key
from an anonymous sender must be chosen at random."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Scope
from reunite.entrypoints.api.app import create_app
from reunite.services.accounts import issue_token
from tests.conftest import count_rows, plain_photo

REPORT = {"seen_at": "2026-03-01T18:00:00+08:00", "place_text": "Wuhan bus station"}
ADDRESS = ("198.51.100.9", 40000)  # one public address: a carrier's NAT


def photo() -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("photos", ("shared.jpg", plain_photo(seed=31), "image/jpeg"))]  # the same bytes every time


def relayer(container: Container) -> TestClient:
    """An NGO's app: one write token for every person who reports through it."""
    token = issue_token(container.deps, OPERATOR, "street outreach app", [Scope.WRITE])
    return TestClient(create_app(container), headers={"Authorization": f"Bearer {token}"})


def sent(sender: TestClient, status: int = 202, **headers: str) -> dict[str, Any]:
    answer = sender.post("/api/sightings", files=photo(), data=REPORT, headers=headers)
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    return body


def opens(sender: TestClient, receipt: str, token: str) -> bool:
    return sender.get(f"/reports/{receipt}/{token}").status_code == 200


def test_a_partners_report_sent_again_without_a_key_is_one_report_answered_without_the_private_link(
    container: Container
) -> None:
    app = relayer(container)
    first = sent(app)  # the first person's report: their receipt and private link
    assert first["receipt"] and first["report_token"] and first["report_link"]

    again = sent(app, **{"Accept-Language": "zh-CN"})  # the same report from the same token, no key
    assert count_rows(container, "sightings") == 1  # not stored twice
    assert first["report_token"] not in str(again) and first["receipt"] not in str(again)
    assert again["receipt"] == again["report_token"] == again["report_link"] == ""  # nothing of the link
    assert again["id"] == first["id"] and again["already_received"] is True
    assert first["already_received"] is False
    assert "已经收到" in again["message"] and "Idempotency-Key" in again["message"]
    english = sent(app)
    assert "received already" in english["message"] and "Idempotency-Key" in english["message"]
    assert english["receipt"] == "" and count_rows(container, "sightings") == 1
    assert opens(app, first["receipt"], first["report_token"])  # the first person's link still works


def test_a_partners_keyed_retry_still_gets_the_whole_first_answer(container: Container) -> None:
    """With a key per report (what a relaying app should send), a retry is that report's: the whole answer;
    another person's identical report under their own key is their own report, with their own link."""
    app = relayer(container)
    mine = str(uuid.uuid4())
    first = sent(app, **{"Idempotency-Key": mine})
    retry = sent(app, **{"Idempotency-Key": mine})
    assert first["already_received"] is False and retry["already_received"] is True  # said truly
    assert retry == first | {"already_received": True} and retry["report_token"]
    other = sent(app, **{"Idempotency-Key": str(uuid.uuid4())})
    assert other["receipt"] not in ("", first["receipt"]) and other["report_token"] != first["report_token"]
    assert count_rows(container, "sightings") == 2


def test_two_anonymous_clients_choosing_the_same_plain_key_are_refused_and_share_nothing(
    container: Container
) -> None:
    first, second = (TestClient(create_app(container), client=ADDRESS) for _ in range(2))
    mine = sent(first, **{"Idempotency-Key": str(uuid.uuid4())})  # a random key: accepted
    assert mine["report_token"]
    for sender in (first, second):
        for plain in ("1", "retry", "0000000000000001", "aaaaaaaaaaaaaaaaaaaaaaaa", "abcdeabcdeabcdea",
                      "report-000000001", "1234567890123456"):  # probe s19 S3: patterns and counters
            sender.cookies.clear()  # holding nothing: no puzzle, no cookie
            refused = sender.post("/api/sightings", files=photo(), data=REPORT,
                                  headers={"Idempotency-Key": plain, "Accept-Language": "zh-CN"})
            assert refused.status_code == 422, (plain, refused.text)
            problem = refused.json()
            assert problem["field"] == "Idempotency-Key" and "幂等键" in problem["detail"]
            assert "UUID" in problem["detail"] and "16" in problem["detail"]
            assert mine["report_token"] not in refused.text and mine["receipt"] not in refused.text
    english = second.post("/api/sightings", files=photo(), data=REPORT, headers={"Idempotency-Key": "1"})
    assert english.status_code == 422 and "at random" in english.json()["detail"]
    assert count_rows(container, "sightings") == 1  # nothing stored for the refused ones

    theirs = sent(second, **{"Idempotency-Key": str(uuid.uuid4())})  # the same report, its own random key
    assert theirs["receipt"] != mine["receipt"] and theirs["report_token"] != mine["report_token"]
    assert count_rows(container, "sightings") == 2
    body = {"subject": "sighting", "subject_id": 7, "requester": "me@example.org", "reason": "that is me"}
    asked = second.post("/api/takedowns", json=body, headers={"Idempotency-Key": "td"})
    assert asked.status_code == 422 and count_rows(container, "takedowns") == 0  # every anonymous key alike


def test_an_anonymous_report_sent_again_without_a_key_by_its_cookie_is_answered_without_the_link(
    container: Container
) -> None:
    """A cookie may be held by an app relaying many people as a token is: without a key (or the puzzle
    spent on it), the same report again is known but its private link is not given again."""
    client = TestClient(create_app(container), client=ADDRESS)
    first = sent(client)
    again = sent(client)
    assert again["id"] == first["id"] and again["already_received"] is True and again["report_token"] == ""
    assert count_rows(container, "sightings") == 1
