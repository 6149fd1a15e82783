"""Required reasons must be words. A duplicate flag's dismissal already asked for them; every other reason
the platform requires (rejecting a report or a case, reopening a case, what was checked to verify one,
dismissing a lead, one by one or many at once, asking for a removal and deciding it) took ".", "x" or "-",
which tell whoever reads the record later nothing. Now each is refused (422, naming the field, in the
reader's language) and nothing changes; words in any script pass."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import ANONYMOUS, OPERATOR, Role
from reunite.domain.model import GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.services import intake
from reunite.services.accounts import from_session
from tests.conftest import count_rows, plain_photo, run_jobs
from tests.e2e.test_impostor import signed_in
from tests.e2e.test_journeys import csrf
from tests.photos import portrait

MARKS = ("x", ".", " - ", "ok", "??")


def words_refused(answer: object, field: str) -> None:
    """A 422 naming the field, saying a reason must be words."""
    response = answer  # an httpx response
    assert response.status_code == 422, response.text  # type: ignore[attr-defined]
    problem = response.json()  # type: ignore[attr-defined]
    assert problem["field"] == field and "must be words, at least three letters" in problem["detail"], problem


def test_every_required_reason_is_words_on_the_api(client: TestClient, container: Container) -> None:
    family, _ = signed_in(container, Role.REPORTER)
    owner = from_session(container.deps, str(family.cookies["reunite_session"]))
    assert owner is not None
    now = container.deps.clock.now()
    case = NewCase(given_name="Ming", family_name="Li", sex=Sex.MALE, birth_date=now.date().replace(year=now.year - 8),
                   missing_since=now - timedelta(days=30), last_seen_place=GeoPoint(30.66, 104.06))
    waiting = intake.register_case(container.deps, owner, case, [Upload(plain_photo(), "a.jpg")], [None]).case_id
    for mark in MARKS:
        words_refused(client.post(f"/api/cases/{waiting}/verify", json={"evidence": mark}), "evidence")
        words_refused(client.post(f"/api/cases/{waiting}/reject", json={"reason": mark}), "reason")
    assert container.deps.read.case(waiting)["status"] == "open"
    assert container.deps.read.case(waiting)["verified_at"] is None
    chinese = client.post(f"/api/cases/{waiting}/reject", json={"reason": "x"}, headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 422 and chinese.json()["detail"].startswith("“理由”必须用文字写明")
    assert client.post(f"/api/cases/{waiting}/reject", json={"reason": "假报案"}).status_code == 204  # words
    for mark in MARKS:
        words_refused(client.post(f"/api/cases/{waiting}/reopen", json={"reason": mark}), "reason")
    assert container.deps.read.case(waiting)["status"] == "rejected"

    seen = NewSighting(seen_at=now - timedelta(hours=2), place=None)
    report = intake.report_sighting(container.deps, ANONYMOUS, seen, [Upload(plain_photo(seed=3), "s.jpg")]).sighting_id
    run_jobs(container)
    for mark in MARKS:
        words_refused(client.post("/api/moderation/sightings", json={"ids": [report], "approve": False,
                                                                      "reason": mark}), "reason")
    assert container.deps.read.sighting(report)["status"] == "pending"

    for mark in MARKS[:3]:  # an address asks at most 5 times an hour
        words_refused(client.post("/api/takedowns", json={"subject": "sighting", "subject_id": report,
                                                          "requester": "me@example.org", "reason": mark}), "reason")
    assert count_rows(container, "takedowns") == 0
    asked = client.post("/api/takedowns", json={"subject": "sighting", "subject_id": report,
                                                "requester": "me@example.org", "reason": "I am in the photo"})
    assert asked.status_code == 202, asked.text
    for mark in MARKS:
        for approve in (True, False):
            words_refused(client.post(f"/api/takedowns/{asked.json()['id']}/decision",
                                      json={"approve": approve, "evidence": mark}), "evidence")
    assert count_rows(container, "takedowns WHERE status = 'pending'") == 1


def test_dismissing_a_lead_needs_words_on_the_api_the_workbench_the_case_page_and_the_queue(
    client: TestClient, container: Container
) -> None:
    now = container.deps.clock.now()
    case = NewCase(given_name="Ming", family_name="Li", sex=Sex.MALE, birth_date=now.date().replace(year=now.year - 8),
                   missing_since=now - timedelta(days=30), last_seen_place=GeoPoint(30.66, 104.06))
    case_id = intake.register_case(container.deps, OPERATOR, case, [Upload(portrait("collins", 0), "a.jpg")],
                                   [None]).case_id
    seen = NewSighting(seen_at=now - timedelta(days=3), place=GeoPoint(30.66, 104.07), place_text="Chengdu")
    intake.report_sighting(container.deps, OPERATOR, seen, [Upload(portrait("collins", 2), "s.jpg")])
    run_jobs(container)
    [lead] = container.deps.read.candidates(case_id, None)

    for mark in MARKS:
        words_refused(client.post(f"/api/candidates/{lead['id']}/review", json={"decision": "dismiss",
                                                                                "reason": mark}), "reason")
    moderator, _ = signed_in(container, Role.MODERATOR)
    bench = {"csrf": csrf(moderator, f"/workbench/{lead['id']}"), "action": "dismiss", "reason": "x"}
    on_bench = moderator.post(f"/workbench/{lead['id']}?lang=en", data=bench, follow_redirects=False)
    assert on_bench.status_code == 422 and "“Reason” must be words" in html.unescape(on_bench.text)
    on_page = moderator.post(f"/candidates/{lead['id']}/review?lang=zh-CN", follow_redirects=False,
                             data={"csrf": bench["csrf"], "case_id": str(case_id), "decision": "dismiss",
                                   "reason": "."})
    assert on_page.status_code == 422 and "“理由”必须用文字写明" in html.unescape(on_page.text)
    token = re.search(r'name="csrf" value="([^"]+)"', moderator.get("/moderation").text)
    assert token
    many = moderator.post("/moderation/candidates?lang=en", data={"csrf": token.group(1), "ids": [str(lead["id"])],
                                                                 "reason": "-"}, follow_redirects=False)
    assert many.status_code == 422 and "“Reason” must be words" in html.unescape(many.text)
    assert [c["status"] for c in container.deps.read.candidates(case_id, None)] == ["proposed"]

    chosen = moderator.post(f"/workbench/{lead['id']}", data=bench | {"reason": "2"}, follow_redirects=False)
    assert chosen.status_code == 303  # a reason chosen by its key is its words
    assert [c["review_reason"] for c in container.deps.read.candidates(case_id, None)] == \
        ["the face is not clear enough"]
