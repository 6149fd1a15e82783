"""Probe s26 Z9e: a family could not correct its own case (a birth date typed one day off), and registering the
child again made a second case beside the verified one. Now (docs/decisions/0007) the registrant corrects the case
from its page (a partner's token through PATCH /api/cases/{id}); of a verified case, the facts verification vouched
for wait for a moderator, who reads them beside the verified values; a closed case takes no correction; the words
partners read are checked as when they are approved; and a family registering its child again under another birth
date is pointed at correcting the case it has."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Principal, Role, Scope
from reunite.domain.model import GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import intake, moderation, reunion
from reunite.services.accounts import from_session, issue_token
from tests.conftest import admin_token, count_rows, run_jobs, session_for
from tests.photos import portrait

BORN, FIXED = date(2016, 3, 1), date(2016, 3, 2)


def _client(container: Container, session: str | None = None, lang: str = "en") -> TestClient:
    test = TestClient(create_app(container), headers={"Accept-Language": lang})
    if session:
        test.cookies.set("reunite_session", session)
    return test


def _family(container: Container) -> tuple[str, Principal]:
    _, session = session_for(container, Role.REPORTER)
    family = from_session(container.deps, session)
    assert family is not None
    return session, family


def _case(born: date = BORN) -> NewCase:
    return NewCase(given_name="Xiaoyu", family_name="Lin", sex=Sex.FEMALE, birth_date=born,
                   missing_since=datetime(2025, 6, 1, 10, tzinfo=UTC), last_seen_place=GeoPoint(30.59, 114.30),
                   last_seen_text="Wuhan, Hankou station", family_contact="+86 139 0000 0001")


def _register(container: Container, family: Principal) -> int:
    return intake.register_case(container.deps, family, _case(), [Upload(portrait("collins", 0), "c.jpg")],
                                [date(2024, 5, 1)]).case_id


def _form(client: TestClient, case_id: int) -> dict[str, str]:
    """The correction form as the page fills it (every field as the case stands)."""
    page = client.get(f"/cases/{case_id}/correct")
    assert page.status_code == 200, page.text
    fields = dict(re.findall(r'<input type="(?:hidden|text|date|time|number)"[^>]* name="([^"]+)"[^>]*value="([^"]*)"',
                             page.text))
    fields |= {name: html.unescape(value) for name, value in re.findall(
        r'<textarea name="([^"]+)"[^>]*>([^<]*)</textarea>', page.text)}
    fields["sex"] = re.search(r'<option value="(\w+)" selected', page.text).group(1)  # type: ignore[union-attr]
    return {name: html.unescape(value) for name, value in fields.items()}


def _born(container: Container, case_id: int) -> date:
    with container.engine.connect() as conn:
        return conn.exec_driver_sql(f"SELECT birth_date FROM cases WHERE id = {case_id}").scalar_one()  # type: ignore[no-any-return]


def test_a_family_corrects_its_pending_case_and_matching_reads_the_new_birth_date(container: Container) -> None:
    session, family = _family(container)
    case_id = _register(container, family)
    page = _client(container, session)
    assert f'href="/cases/{case_id}/correct"' in page.get(f"/cases/{case_id}").text
    sent = page.post(f"/cases/{case_id}/correct", data=_form(page, case_id) | {"birth_date": FIXED.isoformat()},
                     follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == f"/cases/{case_id}?corrected=1"
    shown = html.unescape(page.get(sent.headers["location"]).text)
    assert "The case is corrected." in shown and "Case corrected: Birth date" in shown
    assert page.get(f"/api/cases/{case_id}").json()["birth_date"] == FIXED.isoformat()
    # sent again (a double tap), nothing changes and nothing is written twice
    again = page.post(f"/cases/{case_id}/correct", data=_form(page, case_id), follow_redirects=False)
    assert again.headers["location"] == f"/cases/{case_id}?corrected=0"
    with container.engine.connect() as conn:
        assert conn.exec_driver_sql(f"SELECT count(*) FROM audit_log WHERE action = 'case.corrected' "
                                    f"AND subject_id = {case_id}").scalar_one() == 1
    # verified, the case is matched with the corrected birth date: the lead's expected age reads it
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report checked")
    intake.report_sighting(container.deps, OPERATOR, NewSighting(seen_at=datetime(2025, 9, 2, 8, tzinfo=UTC),
                                                                 place=None), [Upload(portrait("collins", 1), "s.jpg")])
    run_jobs(container)
    leads = _client(container, None).get(f"/api/cases/{case_id}/candidates",
                                        headers={"Authorization": f"Bearer {_token(container)}"}).json()
    assert leads and all(lead["expected_age"] == 9.5 for lead in leads), leads  # 2016-03-02 → 2025-09-02


def _token(container: Container) -> str:
    return admin_token(container)


def test_a_verified_case_identity_waits_for_a_moderator_and_another_account_cannot_correct_it(
        container: Container) -> None:
    session, family = _family(container)
    case_id = _register(container, family)
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report checked")
    intake.report_sighting(container.deps, OPERATOR, NewSighting(seen_at=datetime(2025, 9, 1, 8, tzinfo=UTC),
                                                                 place=None), [Upload(portrait("collins", 1), "s.jpg")])
    run_jobs(container)
    desk = _client(container)
    desk.headers["Authorization"] = f"Bearer {_token(container)}"
    before = [lead["expected_age"] for lead in desk.get(f"/api/cases/{case_id}/candidates").json()]
    assert before == [9.5], before

    # another family's account neither reads nor corrects the case: as if it did not exist
    stranger = _client(container, _family(container)[0])
    assert stranger.get(f"/cases/{case_id}/correct").status_code == 404
    token = re.search(r'name="csrf" value="([^"]+)"', stranger.get("/cases/new").text).group(1)  # type: ignore[union-attr]
    refused = stranger.post(f"/cases/{case_id}/correct", data={"csrf": token, "birth_date": "2010-01-01",
                                                               "given_name": "Someone", "sex": "male"})
    assert refused.status_code == 404 and _born(container, case_id) == BORN

    page = _client(container, session)
    born_earlier = date(2015, 3, 1)
    for _ in range(2):  # a retry asks once
        typed = _form(page, case_id) | {"birth_date": born_earlier.isoformat()}
        sent = page.post(f"/cases/{case_id}/correct", data=typed, follow_redirects=False)
        assert sent.headers["location"] == f"/cases/{case_id}?corrected=waiting"
    assert _born(container, case_id) == BORN  # the case keeps its verified values: matching reads them still
    shown = html.unescape(page.get(f"/cases/{case_id}?corrected=waiting").text)
    assert "A correction waits for a moderator" in shown and "Birth date: 2016-03-01 → 2015-03-01" in shown
    queue = desk.get("/api/moderation/queues").json()
    assert queue["counts"]["corrections"] == 1
    waiting = queue["corrections"][0]
    assert (waiting["case_id"], waiting["was"], waiting["became"]) == (
        case_id, {"birth_date": "2016-03-01"}, {"birth_date": "2015-03-01"})
    moderator = _client(container, session_for(container, Role.MODERATOR)[1])
    assert "2015-03-01" in moderator.get("/moderation").text.split('id="corrections"')[1]

    assert desk.post(f"/api/moderation/corrections/{waiting['id']}", json={"decision": "refuse"}).status_code == 422
    accepted = desk.post(f"/api/moderation/corrections/{waiting['id']}", json={"decision": "accept"})
    assert accepted.status_code == 204 and _born(container, case_id) == born_earlier
    assert desk.post(f"/api/moderation/corrections/{waiting['id']}", json={"decision": "accept"}).status_code == 204
    assert desk.post(f"/api/moderation/corrections/{waiting['id']}",
                     json={"decision": "refuse", "reason": "changed my mind"}).status_code == 409
    run_jobs(container)  # matched again: the lead is scored with the corrected birth date
    after = [lead["expected_age"] for lead in desk.get(f"/api/cases/{case_id}/candidates").json()]
    assert after == [10.5], after
    assert desk.get("/api/moderation/queues").json()["counts"]["corrections"] == 0


def test_a_closed_case_cannot_be_corrected(container: Container) -> None:
    session, family = _family(container)
    case_id = _register(container, family)
    page = _client(container, session, "zh-CN")
    form = _form(page, case_id)
    reunion.close_case(container.deps, OPERATOR, case_id, reunited=False, keep_data=True)
    assert f'href="/cases/{case_id}/correct"' not in page.get(f"/cases/{case_id}").text
    refused = page.post(f"/cases/{case_id}/correct", data=form | {"birth_date": FIXED.isoformat()})
    assert refused.status_code == 409 and _born(container, case_id) == BORN
    desk = _client(container, lang="zh-CN")
    desk.headers["Authorization"] = f"Bearer {_token(container)}"
    answer = desk.patch(f"/api/cases/{case_id}", json={"birth_date": FIXED.isoformat()})
    assert answer.status_code == 409 and "只有未结束的案件可以更正" in answer.json()["detail"], answer.json()


def test_words_partners_read_giving_a_phone_number_are_refused_and_changed_words_are_withdrawn(
        container: Container) -> None:
    desk = _client(container)
    desk.headers["Authorization"] = f"Bearer {_token(container)}"
    case_id = _register(container, OPERATOR)
    moderation.share_texts(container.deps, OPERATOR, case_id, {"description": "red coat"})
    refused = desk.patch(f"/api/cases/{case_id}", json={"description": "red coat; call 13912345678",
                                                         "shared_description": "red coat; call 13912345678"})
    assert refused.status_code == 422 and refused.json()["detail"].startswith("these words give a contact")
    chinese = desk.patch(f"/api/cases/{case_id}", json={"shared_description": "red coat; call 13912345678"},
                         headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 422 and "联系方式" in chinese.json()["detail"]
    with container.engine.connect() as conn:
        assert conn.exec_driver_sql(f"SELECT description FROM cases WHERE id = {case_id}").scalar_one() == ""
    # the family's own words may hold a phone (only reviewers read them); what partners read of the old words
    # is withdrawn and the moderators are asked again
    done = desk.patch(f"/api/cases/{case_id}", json={"description": "blue coat; teacher 13912345678"})
    assert done.status_code == 200 and done.json()["applied"] == ["description"]
    queues = desk.get("/api/moderation/queues").json()
    assert [c["id"] for c in queues["sharing"]] == [case_id]
    reader = _client(container)
    reader.headers["Authorization"] = f"Bearer {issue_token(container.deps, OPERATOR, 'p', [Scope.READ_CASES])}"
    shown = reader.get(f"/api/cases/{case_id}").json()
    assert (shown["description"], shown["description_withheld"]) == ("", True)
    too_long = desk.patch(f"/api/cases/{case_id}", json={"marks": "x" * 2001})
    assert too_long.status_code == 422


def test_registering_the_child_again_with_another_birth_date_points_at_correcting_the_case(
        container: Container) -> None:
    session, family = _family(container)
    case_id = _register(container, family)
    page = _client(container, session, "zh-CN")
    token = re.search(r'name="csrf" value="([^"]+)"', page.get("/cases/new").text).group(1)  # type: ignore[union-attr]
    again = page.post("/cases/new", data={
        "csrf": token, "given_name": "Xiaoyu", "family_name": "Lin", "sex": "female", "birth_date": FIXED.isoformat(),
        "missing_since": "2025-06-01", "missing_since_time": "18:00", "tz": "Asia/Shanghai"},
        files=[("photos", ("c.jpg", portrait("collins", 0), "image/jpeg"))])
    assert again.status_code == 409, again.text
    assert str(case_id) in again.text and count_rows(container, "cases") == 1
    english = _client(container, session).post("/cases/new", data={
        "csrf": token, "given_name": "Xiaoyu", "family_name": "Lin", "sex": "female", "birth_date": FIXED.isoformat(),
        "missing_since": "2025-06-01", "missing_since_time": "18:00", "tz": "Asia/Shanghai"},
        files=[("photos", ("c.jpg", portrait("collins", 0), "image/jpeg"))])
    assert "correct that case" in html.unescape(english.text)
