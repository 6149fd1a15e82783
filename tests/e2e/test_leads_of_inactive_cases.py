"""A lead is confirmed only while its case is verified and open. Rights follow the current state of what
they depend on: a case held back to wait for verification again (possibly a child another account
registered first), reopened, rejected or closed still had leads a reviewer could confirm, on the API, the
workbench and the case page alike; a confirmation then told (or, once verified again, would tell) a family
nobody vouched for that a sighting is their child. Now confirming is refused (409, naming where the case
stands, in the reader's language) and the pages offer no Confirm button; dismissing stays open."""

from __future__ import annotations

import html
from datetime import timedelta

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.model import CandidateStatus, GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.services import intake, reunion, review
from tests.conftest import count_rows, run_jobs
from tests.e2e.test_impostor import first_family, impostor_registers, seen_and_confirmed, signed_in
from tests.e2e.test_journeys import csrf
from tests.photos import portrait

CONFIRM_BUTTON = 'value="confirm"'


def status_of(container: Container, candidate_id: int) -> str:
    with container.engine.connect() as conn:
        return str(conn.exec_driver_sql(f"SELECT status FROM candidates WHERE id = {candidate_id}").scalar_one())


def test_a_lead_of_a_case_held_back_as_a_possible_second_registration_cannot_be_confirmed(
    client: TestClient, container: Container
) -> None:
    """The impostor's case was verified once its flag was dismissed, and matched; a reviewer took its lead
    onto the workbench; then the flag was reopened and the case held. The reviewer's Confirm is refused."""
    _, real, _, _ = first_family(container, seen=False)  # the child seen after both registered (probe s36 K1)
    _, fake = impostor_registers(container, real)
    [flag] = client.get("/api/moderation/duplicates").json()
    assert client.post(f"/api/moderation/duplicates/{flag['id']}",
                       json={"decision": "dismiss", "reason": "DNA on file differs"}).status_code == 204
    assert client.post(f"/api/cases/{fake}/verify", json={"evidence": "police report seen"}).status_code == 204
    sighting, _ = seen_and_confirmed(container, real)
    run_jobs(container)
    [lead] = [c for c in client.get(f"/api/cases/{fake}/candidates").json() if c["sighting_id"] == sighting]

    reviewer, _ = signed_in(container, Role.MODERATOR)
    taken = reviewer.get("/workbench", follow_redirects=False)  # claimed: it stays through the hold
    assert taken.status_code == 303 and taken.headers["location"] == f"/workbench/{lead['id']}"
    assert CONFIRM_BUTTON in reviewer.get(f"/workbench/{lead['id']}?lang=en").text  # active: confirmable
    assert client.post(f"/api/moderation/duplicates/{flag['id']}",
                       json={"decision": "reopen", "reason": "the DNA file was another child's"}).status_code == 204
    held = container.deps.read.case(fake)
    assert held["status"] == "open" and held["verified_at"] is None  # waiting for verification again
    assert status_of(container, lead["id"]) == "proposed"  # kept: a reviewer holds it

    waits = f"case {fake} is waiting for verification: a lead is confirmed only while its case is verified and open"
    by_api = client.post(f"/api/candidates/{lead['id']}/review", json={"decision": "confirm", "take_over": True})
    assert by_api.status_code == 409 and by_api.json()["detail"].startswith(waits), by_api.text
    assert by_api.json()["field"] == "status"
    chinese = client.post(f"/api/candidates/{lead['id']}/review", json={"decision": "confirm", "take_over": True},
                          headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 409
    assert f"案件 {fake} 等待核实：只有已核实且进行中的案件才能确认线索" in chinese.json()["detail"]

    page = html.unescape(reviewer.get(f"/workbench/{lead['id']}?lang=en").text)
    assert "This case is waiting for verification: its leads can be confirmed only while it is verified" in page
    assert CONFIRM_BUTTON not in page and 'value="dismiss"' in page  # no Confirm button; dismissing stays
    form = {"csrf": csrf(reviewer, f"/workbench/{lead['id']}"), "action": "confirm"}
    on_bench = reviewer.post(f"/workbench/{lead['id']}?lang=en", data=form, follow_redirects=False)
    assert on_bench.status_code == 409 and waits in html.unescape(on_bench.text)
    on_bench_zh = reviewer.post(f"/workbench/{lead['id']}?lang=zh-CN", data=form, follow_redirects=False)
    assert on_bench_zh.status_code == 409 and f"案件 {fake} 等待核实" in html.unescape(on_bench_zh.text)

    case_page = reviewer.get(f"/cases/{fake}?lang=en").text
    [item] = [part for part in case_page.split("<li ") if part.startswith(f'id="candidate-{lead["id"]}"')]
    assert CONFIRM_BUTTON not in item and 'value="dismiss"' in item
    sent = {"csrf": csrf(reviewer, f"/cases/{fake}"), "case_id": str(fake), "decision": "confirm"}
    on_case_page = reviewer.post(f"/candidates/{lead['id']}/review?lang=en", data=sent, follow_redirects=False)
    assert on_case_page.status_code == 409 and waits in html.unescape(on_case_page.text)

    assert status_of(container, lead["id"]) == "proposed"
    confirmed = f"audit_log WHERE action IN ('candidate.confirmed', 'candidate.first_confirmed') " \
                f"AND subject_id = {lead['id']}"
    assert count_rows(container, confirmed) == 0
    # dismissing tells nobody anything: still allowed, with a reason
    dismissed = reviewer.post(f"/workbench/{lead['id']}", data=form | {"action": "dismiss",
                                                                        "reason": "registered by an impostor"},
                              follow_redirects=False)
    assert dismissed.status_code == 303
    assert status_of(container, lead["id"]) == "dismissed"


def test_a_lead_of_a_closed_or_reopened_case_cannot_be_confirmed(client: TestClient, container: Container) -> None:
    """Closing a case or reopening it leaves its proposals in place; none of them is confirmed until the case
    is verified and open again."""
    now = container.deps.clock.now()
    case = NewCase(given_name="Ming", family_name="Li", sex=Sex.MALE, birth_date=now.date().replace(year=now.year - 8),
                   missing_since=now - timedelta(days=30), last_seen_place=GeoPoint(30.66, 104.06))
    case_id = intake.register_case(container.deps, OPERATOR, case, [Upload(portrait("collins", 0), "a.jpg")],
                                   [None]).case_id  # staff register verified cases
    seen = NewSighting(seen_at=now - timedelta(days=3), place=GeoPoint(30.66, 104.07), place_text="Chengdu")
    intake.report_sighting(container.deps, OPERATOR, seen, [Upload(portrait("collins", 2), "s.jpg")])
    run_jobs(container)
    [lead] = container.deps.read.candidates(case_id, None)

    reunion.close_case(container.deps, OPERATOR, case_id, reunited=False, keep_data=True)
    closed = client.post(f"/api/candidates/{lead['id']}/review", json={"decision": "confirm", "take_over": True})
    assert closed.status_code == 409 and closed.json()["detail"].startswith(f"case {case_id} is closed: a lead is")
    assert client.post(f"/api/cases/{case_id}/reopen", json={"reason": "closed by mistake"}).status_code == 204
    reopened = client.post(f"/api/candidates/{lead['id']}/review", json={"decision": "confirm", "take_over": True})
    assert reopened.status_code == 409 and f"case {case_id} is waiting for verification" in reopened.json()["detail"]
    assert status_of(container, lead["id"]) == "proposed"

    assert client.post(f"/api/cases/{case_id}/verify", json={"evidence": "police report seen"}).status_code == 204
    review.review_candidate(container.deps, OPERATOR, lead["id"], CandidateStatus.CONFIRMED, "")  # active again
    assert status_of(container, lead["id"]) == "confirmed"
