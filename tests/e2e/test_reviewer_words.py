"""Probe s14 F9: every free text a reviewer writes that the family reads (a message, a verification's
notes) is read like the moderators' words for families: the exact place, the coordinates, a map code or a
contact of any report on the case is refused in the reader's language, naming the piece, with what the
reviewer typed kept on the form; the family reads nothing of it. Before, a moderator's message gave the
family the witness's street, coordinates and email."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.services.accounts import issue_token
from tests.conftest import session_for
from tests.e2e.test_removals_seen import confirmed_lead

LEAKS = ("Report was on Nanjing road, go and look", "She was at 31.24, 121.48 yesterday",
         "plus code 6FPJ+X2 上海", "the witness is anon@x.org, call them")


def _csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


def test_a_reviewers_message_that_repeats_a_reports_place_or_contact_is_refused_and_kept(
    client: TestClient, container: Container
) -> None:
    family, sighting = confirmed_lead(container)  # reported at "Nanjing road", 31.24, 121.48
    with container.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE sightings SET reporter_contact = 'anon@x.org' WHERE id = %s", (sighting,))
    reviewer = TestClient(client.app)
    reviewer.cookies.set("reunite_session", session_for(container, Role.MODERATOR)[1])
    path = f"/cases/{family.case_id}"
    for words in LEAKS:
        sent = reviewer.post(f"{path}/messages", data={"csrf": _csrf(reviewer, path), "body": words},
                             headers={"Accept-Language": "zh-CN"})
        assert sent.status_code == 422, words
        page = html.unescape(sent.text)
        assert "家属" in page and words in page  # in Chinese, naming the piece, with the words kept
    api = TestClient(client.app, headers={
        "Authorization": f"Bearer {issue_token(container.deps, OPERATOR, 'desk', [Scope.ADMIN])}"})
    refused = api.post(f"/api/cases/{family.case_id}/messages", json={"body": "meet the witness, anon@x.org"})
    assert refused.status_code == 422 and "anon@x.org" in refused.text
    notes = api.post(f"/api/cases/{family.case_id}/verifications",
                     json={"method": "interview", "result": "pending", "notes": "interview at 6FPJ+X2 tomorrow"})
    assert notes.status_code == 422 and "6FPJ+X2" in notes.text
    # what the family reads: none of it; an ordinary message and notes still go through
    fine = "A caseworker will call you through the site tomorrow; the child seen was wearing a red coat."
    assert api.post(f"/api/cases/{family.case_id}/messages", json={"body": fine}).status_code == 201
    assert api.post(f"/api/cases/{family.case_id}/verifications",
                    json={"method": "interview", "result": "pending", "notes": "interview booked"}).status_code == 201
    read = html.unescape(family.client().get(path).text)
    talk = read[read.index('id="messages"'):]  # the messages and the verification notes
    assert fine in talk and "interview booked" in talk
    assert not any(piece in talk for piece in ("Nanjing road", "31.24", "6FPJ", "anon@x.org"))


def test_the_familys_own_message_is_not_checked(client: TestClient, container: Container) -> None:
    family, _ = confirmed_lead(container)
    own = family.client()
    path = f"/cases/{family.case_id}"
    said = "We live near Nanjing road, call me on 13800138000"
    sent = own.post(f"{path}/messages", data={"csrf": _csrf(own, path), "body": said}, follow_redirects=False)
    assert sent.status_code == 303  # the family's words go to reviewers only


def test_a_reviewers_small_numbers_pass_though_a_report_says_exit_3(client: TestClient, container: Container) -> None:
    """Probe s38 M2: a report's "exit 3" refused "within 3 days" and "2 samples matched" to every reviewer."""
    family, sighting = confirmed_lead(container)
    with container.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE sightings SET place_text = 'Nanjing road metro exit 3, gate 2' WHERE id = %s",
                             (sighting,))
    api = TestClient(client.app, headers={
        "Authorization": f"Bearer {issue_token(container.deps, OPERATOR, 'desk', [Scope.ADMIN])}"})
    path = f"/api/cases/{family.case_id}"
    for body in ("A caseworker will call you within 3 days", "He is 3 years old in this photo", "3天内联系您",
                 "Please bring 10 photos of your son"):
        assert api.post(f"{path}/messages", json={"body": body}).status_code == 201, body
    assert api.post(f"{path}/verifications", json={"method": "dna", "result": "pending",
                                                   "notes": "DNA test done, 2 samples matched"}).status_code == 201
    for body in ("He was seen at exit 3", "by gate two"):  # the report's own gate and exit, however written
        refused = api.post(f"{path}/messages", json={"body": body})
        assert refused.status_code == 422 and "place the reporter gave" in refused.text, body
    talk = html.unescape(family.client().get(f"/cases/{family.case_id}").text)
    assert "within 3 days" in talk and "2 samples matched" in talk and "exit 3" not in talk
