"""An outside tester's findings: a taken-down case kept the child's name, dates, police report and
partner notes, partners still read it and writes still reached it (F1); "one child seen N times"
counted reports the family may not see (F2); a lead's, a face's, a photo's or a case's id answered
differently when it existed but was hidden than when it did not exist (F3, F6)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.domain.model import GeoPoint, NewCase, Sex, Upload
from reunite.domain.workbench import Action
from reunite.entrypoints.api.app import create_app
from reunite.services import intake, moderation, pfif, workbench
from reunite.services.accounts import from_session, issue_token
from tests.conftest import run_jobs, session_for
from tests.e2e import world as w
from tests.e2e.test_case_removal import removed_for_good
from tests.e2e.test_pfif_sync import PARTNER, RECENT, doc, note, person
from tests.e2e.test_workbench import loop
from tests.photos import portrait

NAME, PLACE, REPORT, CONTACT = "Sentinelname", "Sentinel lake gate", "PR-SENTINEL-4471", "sentinel@family.example"
PERSONAL = ("given_name", "family_name", "nicknames", "sex", "birth_date", "missing_since", "last_seen_lat",
            "last_seen_lon", "last_seen_text", "description", "shared_description", "marks", "shared_marks",
            "police_report", "family_contact")


def _client(container: Container, session: str | None = None, token: str | None = None,
            lang: str = "en") -> TestClient:
    test = TestClient(create_app(container), headers={"Accept-Language": lang})
    if session:
        test.cookies.set("reunite_session", session)
    if token:
        test.headers["Authorization"] = f"Bearer {token}"
    return test


def _take_down(container: Container, case_id: int) -> None:
    """An open case's removal: approved, no objection within the wait, blanked once its undo window passed."""
    removed_for_good(container, case_id)


def _csrf(client: TestClient, page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(page).text)
    assert found, f"{page} should carry a CSRF token"
    return found.group(1)


def test_a_taken_down_case_keeps_only_its_placeholder_and_takes_no_more_writes(container: Container) -> None:
    deps = container.deps
    _, session = session_for(container, Role.REPORTER)
    family = from_session(deps, session)
    assert family is not None
    case = NewCase(given_name=NAME, family_name="Zhao", sex=Sex.MALE, birth_date=date(2010, 5, 1),
                   missing_since=datetime(2020, 5, 1, 10, tzinfo=UTC), last_seen_place=GeoPoint(30.2591, 120.1302),
                   last_seen_text=PLACE, police_report=REPORT,
                   family_contact=CONTACT, description="red coat", marks="scar")
    case_id = intake.register_case(deps, family, case, [Upload(portrait("collins", 0), "c.jpg")],
                                   [date(2019, 5, 1)]).case_id
    moderation.verify_case(deps, OPERATOR, case_id, "police report checked", shared={"marks": "a scar"})
    run_jobs(container)
    police = _client(container, token=issue_token(deps, OPERATOR, "police", [Scope.ADMIN]))
    partner = _client(container, token=issue_token(deps, OPERATOR, "partner", [Scope.READ_CASES]))
    assert partner.get(f"/api/cases/{case_id}").status_code == 200  # verified and open: partners read it
    assert police.post(f"/api/cases/{case_id}/verifications",
                       json={"method": "interview", "result": "pending", "notes": f"met {NAME}"}).status_code == 201
    home = _client(container, session=session, lang="zh-CN")
    csrf = _csrf(home, f"/cases/{case_id}")  # the family's page, with its message form

    _take_down(container, case_id)

    for reader in (police, _client(container, session=session)):
        shown = reader.get(f"/api/cases/{case_id}")
        assert shown.status_code == 200 and shown.json()["status"] == "expired"
        assert all(shown.json()[name] in (None, []) for name in PERSONAL), shown.json()
        assert shown.json()["photos"] == [] and shown.json()["closed_at"]
        assert not any(secret in shown.text for secret in (NAME, PLACE, REPORT, CONTACT, "2010-05-01"))
    page = home.get(f"/cases/{case_id}")
    assert page.status_code == 200 and NAME not in page.text and "已过期" in page.text
    assert partner.get(f"/api/cases/{case_id}").status_code == 404  # no placeholder for partners
    with container.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT given_name, sex, birth_date, missing_since, last_seen_text, police_report, family_contact, "
            f"marks, shared_marks FROM cases WHERE id = {case_id}").one()
        notes = conn.exec_driver_sql(f"SELECT notes FROM verifications WHERE case_id = {case_id}").scalars().all()
    assert tuple(row) == ("", "unknown", None, None, "", "", "", "", "") and notes == [""]

    refused = police.post(f"/api/cases/{case_id}/messages", json={"body": "are you there?"})
    assert refused.status_code == 409 and "expired" in refused.json()["detail"]
    refused = police.post(f"/api/cases/{case_id}/verifications",
                          json={"method": "dna", "result": "match", "notes": "lab"})
    assert refused.status_code == 409
    written = home.post(f"/cases/{case_id}/messages", data={"csrf": csrf, "body": "我们找到他了吗？"})
    assert written.status_code == 409 and "已过期" in written.text and NAME not in written.text
    with container.engine.connect() as conn:
        assert conn.exec_driver_sql(f"SELECT count(*) FROM messages WHERE case_id = {case_id}").scalar() == 0


def test_a_takedown_blanks_a_partner_case_and_its_notes_as_expiry_does(container: Container) -> None:
    record = person("partner.org/taken", entry_date=RECENT, source_date=RECENT, full_name=NAME, age="7",
                    notes=note("partner.org/taken.n", entry_date=RECENT, author_name="Aunt Sentinel",
                               author_email=CONTACT, source_date=RECENT, last_known_location=PLACE,
                               text="seen at school"))
    assert pfif.import_pfif(container.deps, PARTNER, doc(record)).created == 1
    with container.engine.connect() as conn:
        case_id = conn.exec_driver_sql("SELECT id FROM cases").scalar_one()
    _take_down(container, case_id)
    with container.engine.connect() as conn:
        left = conn.exec_driver_sql("SELECT author_name, last_known_location, text, pfif::text FROM case_notes").all()
        case = conn.exec_driver_sql("SELECT status, given_name, pfif::text FROM cases").one()
    assert [tuple(r) for r in left] == [("", "", "", "{}")]
    assert tuple(case) == ("expired", "", "{}")


def test_the_workbench_names_a_taken_down_cases_confirmed_candidate_by_its_number(container: Container) -> None:
    """A confirmed candidate stays after its case is taken down: the workbench shows the placeholder
    ("Case 1", as the case page does), never an empty name."""
    made = loop(container)
    with container.engine.connect() as conn:
        candidate_id = conn.exec_driver_sql("SELECT min(id) FROM candidates").scalar_one()
    assert workbench.decide(container.deps, OPERATOR, candidate_id, Action.CONFIRM) == "confirmed"
    _take_down(container, made.case_id)
    _, session = session_for(container, Role.MODERATOR)
    for lang, placeholder, expired in (("en", f"Case {made.case_id}", "This case has expired"),
                                       ("zh-CN", f"案件 {made.case_id}", "此案件已过期")):
        page = _client(container, session=session, lang=lang).get(f"/workbench/{candidate_id}")
        assert page.status_code == 200 and expired in page.text
        status = re.search(r'<p class="progress" role="status">(.*?)</p>', page.text, re.S)
        heading = re.search(r'<h2 id="case-h">(.*?)</h2>', page.text, re.S)
        assert status and heading
        assert f"· {placeholder} ·" in status.group(1) and heading.group(1).startswith(f"{placeholder} · ")


def _as(world: w.World, who: str) -> TestClient:
    return world.client(who)


def _same(a: Any, b: Any) -> bool:
    """Two answers alike but for the id they name."""
    return a.status_code == b.status_code and re.sub(r"\d+", "N", a.text) == re.sub(r"\d+", "N", b.text)


def test_a_lead_is_counted_seen_as_often_as_its_reader_sees_it_in_the_trail(world: w.World) -> None:
    deps = world.container.deps
    with world.container.engine.begin() as conn:
        group = conn.exec_driver_sql("INSERT INTO sighting_groups DEFAULT VALUES RETURNING id").scalar_one()
        conn.exec_driver_sql(f"UPDATE sightings SET group_id = {group} WHERE id IN ({world.sighting}, {world.pending})")
        conn.exec_driver_sql("UPDATE candidates SET reviewed_at = reviewed_at - interval '1 day' "
                             f"WHERE id = {world.confirmed}")
    try:
        family = _as(world, "family").get(f"/api/cases/{world.case_a}/candidates").json()
        police = _as(world, "police").get(f"/api/cases/{world.case_a}/candidates").json()
        sizes = {c["id"]: c["group_size"] for c in family}
        trail = _as(world, "family").get(f"/api/sightings/{world.sighting}").json()["trail"]
        assert sizes[world.confirmed] == len(trail) == 1  # the pending report is not the family's to know of
        assert {c["id"]: c["group_size"] for c in police}[world.confirmed] == 2
    finally:
        with world.container.engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE sightings SET group_id = NULL WHERE group_id = {group}")
    assert deps.read.sighting(world.sighting)["group_id"] is None


def _answers(client: TestClient, candidate_id: int, answer: str) -> Any:
    return client.post(f"/candidates/{candidate_id}/answer", data={"csrf": _csrf(client, "/takedown"),
                                                                   "answer": answer}, follow_redirects=False)


def test_a_hidden_lead_answers_as_a_missing_one(world: w.World) -> None:
    for who in ("family", "family_unverified", "reporter"):
        client = _as(world, who)
        for answer in ("bogus", "maybe"):
            hidden, missing = _answers(client, world.proposed, answer), _answers(client, 987654321, answer)
            assert hidden.status_code == 404 and _same(hidden, missing), (who, answer)
    family = _as(world, "family")  # its own lead, while no reviewer has checked it
    with world.container.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE candidates SET status = 'proposed' WHERE id = {world.confirmed}")
    try:
        for answer in ("bogus", "maybe"):
            own, missing = _answers(family, world.confirmed, answer), _answers(family, 987654321, answer)
            assert own.status_code == 404 and _same(own, missing), answer
    finally:
        with world.container.engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE candidates SET status = 'confirmed' WHERE id = {world.confirmed}")


def test_hidden_faces_photos_and_cases_answer_as_missing_ones(world: w.World) -> None:
    with world.container.engine.connect() as conn:
        pending_face = conn.exec_driver_sql(f"SELECT min(id) FROM faces WHERE sighting_id = {world.pending}").scalar()
    assert pending_face, "the pending report's photo should show a face"
    hidden = {"family": [f"/api/faces/{world.bystander_face}/crop", f"/api/faces/{pending_face}/crop",
                         f"/api/cases/{world.case_b}", f"/api/cases/{world.case_b}/messages"],
              "family_unverified": [f"/api/faces/{world.child_face}/crop", f"/api/photos/{world.photo_of_sighting}",
                                    f"/api/photos/{world.photo_of_case_a}", f"/api/cases/{world.case_a}"],
              "reporter": [f"/api/faces/{pending_face}/crop", f"/api/photos/{world.photo_of_case_a}"]}
    for who, paths in hidden.items():
        client = _as(world, who)
        for path in paths:
            missing = re.sub(r"/(\d+)", "/987654321", path, count=1)
            assert client.get(path).status_code == 404 and _same(client.get(path), client.get(missing)), (who, path)
    anonymous = _as(world, "anonymous")
    for path in (f"/api/faces/{world.child_face}/crop", f"/api/photos/{world.photo_of_sighting}"):
        assert _same(anonymous.get(path), anonymous.get(re.sub(r"/(\d+)", "/987654321", path, count=1)))
        assert anonymous.get(path).status_code == 401
