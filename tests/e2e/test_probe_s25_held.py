"""Probe s25 Y2: a verified case held back as a possible second registration (``doubles.hold``) dropped out of
partners' view silently: the webhooks alerted to it were never told it ended, the CSV and PFIF exports simply
left it out (a partner syncing by difference reads that as "no change", and keeps showing the child), and once
the flag was dismissed and the case verified again nothing told them it was back. Now a case leaving "verified
and open" for "waiting for verification", whatever the cause, ends for partners as any ending does, and comes
back as an undone removal does."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from alembic import command
from fastapi.testclient import TestClient

from reunite.adapters.db.migrate import alembic_config, upgrade
from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.domain.model import GeoPoint, NewCase, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import grouping, intake, look_alikes, moderation, pfif, reach, reunion
from reunite.services.accounts import from_session, issue_token
from tests.conftest import run_jobs, session_for
from tests.e2e.test_impostor import first_family
from tests.e2e.test_probe_s21_reach import Recorder
from tests.photos import portrait

NS = "{http://zesty.ca/pfif/1.4}"
HOOK = "https://partner.example/hook"


def _exporter(container: Container) -> TestClient:
    token = issue_token(container.deps, OPERATOR, "mirror", [Scope.EXPORT])
    return TestClient(create_app(container), headers={"Authorization": f"Bearer {token}"})


def _csv_row(exporter: TestClient, case_id: int) -> dict[str, str] | None:
    sheet = exporter.get("/api/cases.csv")
    assert sheet.status_code == 200
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(sheet.content.decode("utf-8-sig")))}
    return rows.get(str(case_id))


def _pfif_person(exporter: TestClient, case_id: int) -> dict[str, str] | None:
    """The exported PFIF person of this case, field by field; None when the export leaves it out."""
    answer = exporter.get("/api/pfif")
    assert answer.status_code == 200
    for person in ET.fromstring(answer.content).iter(f"{NS}person"):
        fields = {child.tag.removeprefix(NS): child.text or "" for child in person}
        if fields["person_record_id"].endswith(f"/case.{case_id}"):
            return fields
    return None


def _second_family(container: Container, name: str) -> int:
    """Another family's case near the first one, registered and verified after it: alerted to partners."""
    _, cookie = session_for(container, Role.REPORTER)
    family = from_session(container.deps, cookie)
    assert family is not None
    now = container.deps.clock.now()
    case = NewCase(given_name=name, family_name="Zhou", sex=Sex.FEMALE, birth_date=date(now.year - 4, 9, 9),
                   missing_since=now - timedelta(days=10), last_seen_place=GeoPoint(30.67, 104.05),
                   last_seen_text="Chengdu", police_report="PR-2026-5555")
    case_id = intake.register_case(container.deps, family, case, [Upload(portrait("hopper", 0), "b.jpg")],
                                   [None]).case_id
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report PR-2026-5555 checked by phone")
    run_jobs(container)
    return case_id


def test_a_case_held_as_a_possible_second_registration_ends_for_partners_and_comes_back_once_verified_again(
    container: Container
) -> None:
    receiver = Recorder()
    deps = container.deps = replace(container.deps, webhooks=receiver)
    reach.subscribe(deps, OPERATOR, "webhook", HOOK, GeoPoint(30.66, 104.06), 50)
    _, real, _, _ = first_family(container)
    held = _second_family(container, "Lanlan")
    alerts = {payload["case"]["id"]: payload for _, payload in receiver.sent if payload["event"] == "case.alert"}
    assert sorted(alerts) == sorted([real, held])
    exporter = _exporter(container)
    assert (_csv_row(exporter, held) or {}).get("given_name") == "Lanlan"
    assert (_pfif_person(exporter, held) or {}).get("given_name") == "Lanlan"
    receiver.sent.clear()

    # a moderator finds the two may be one child: the later family's case is held, waiting for verification
    flag, _ = look_alikes.flag_by_hand(deps, OPERATOR, held, real, by="moderator Li")
    assert deps.read.case(held)["verified_at"] is None
    run_jobs(container)
    [(address, ended)] = receiver.sent
    assert address == HOOK and ended["event"] == "case.ended" and ended["case"] == {"id": held}
    assert ended["alert_id"] == alerts[held]["alert_id"]  # the alert it ends, as the partner knows it
    assert not [word for word in ("held", "double", "duplicate", "lanlan") if word in str(ended).lower()]  # never why
    # the exports keep a placeholder telling mirrors to delete their copy, with nothing of the child
    row = _csv_row(exporter, held)
    assert row is not None and row["status"] == "withdrawn"
    assert row["given_name"] == row["family_name"] == row["birth_date"] == row["verified_at"] == ""
    person = _pfif_person(exporter, held)
    assert person is not None and "full_name" not in person and "given_name" not in person
    assert datetime.fromisoformat(person["expiry_date"]) <= datetime.now(UTC)
    assert (_csv_row(exporter, real) or {}).get("status") == "open"  # the first family's case stays as it was
    receiver.sent.clear()
    run_jobs(container)
    assert receiver.sent == []  # told once

    # the flag dismissed (different children) and the case verified again: partners are told it is back
    grouping.decide_duplicate(deps, OPERATOR, flag, "dismiss", "DNA on file differs", by="moderator Li")
    moderation.verify_case(deps, OPERATOR, held, "police report PR-2026-5555 checked again in person")
    run_jobs(container)
    [(address, back)] = receiver.sent
    assert address == HOOK and back["event"] == "case.restored" and back["alert_id"] == alerts[held]["alert_id"]
    assert back["case"]["id"] == held and back["case"]["given_name"] == "Lanlan"
    assert (_csv_row(exporter, held) or {}).get("given_name") == "Lanlan"
    again = _pfif_person(exporter, held)
    assert again is not None and again["given_name"] == "Lanlan"
    assert datetime.fromisoformat(again["entry_date"]) > datetime.fromisoformat(person["entry_date"])  # newer
    receiver.sent.clear()
    run_jobs(container)
    assert receiver.sent == []


def test_a_case_reopened_after_it_ended_stays_in_the_exports_as_a_placeholder(container: Container) -> None:
    """Any way back to waiting for verification: a case closed, then reopened, was listed as closed, then left
    out of the exports altogether; partners read it withdrawn until it is verified again."""
    receiver = Recorder()
    deps = container.deps = replace(container.deps, webhooks=receiver)
    reach.subscribe(deps, OPERATOR, "webhook", HOOK, GeoPoint(30.66, 104.06), 50)
    case_id = _second_family(container, "Meimei")
    exporter = _exporter(container)
    reunion.close_case(deps, OPERATOR, case_id, reunited=False, keep_data=True)
    run_jobs(container)
    assert [payload["event"] for _, payload in receiver.sent] == ["case.alert", "case.ended"]
    assert (_csv_row(exporter, case_id) or {}).get("status") == "closed"
    moderation.reopen_case(deps, OPERATOR, case_id, "closed by mistake")
    run_jobs(container)
    # a case reopened (or held) before migration 0039 kept track of it is found by its audited verification
    command.downgrade(alembic_config(container.engine), "0038_removal_notices")
    upgrade(container.engine)
    row = _csv_row(exporter, case_id)
    assert row is not None and row["status"] == "withdrawn" and row["given_name"] == ""
    person = _pfif_person(exporter, case_id)
    assert person is not None and "given_name" not in person
    assert datetime.fromisoformat(person["expiry_date"]) <= datetime.now(UTC)
    assert [payload["event"] for _, payload in receiver.sent] == ["case.alert", "case.ended"]  # not told twice
    moderation.verify_case(deps, OPERATOR, case_id, "police report PR-2026-5555 checked again")
    run_jobs(container)
    assert [payload["event"] for _, payload in receiver.sent][-1] == "case.restored"
    assert (_csv_row(exporter, case_id) or {}).get("given_name") == "Meimei"


def test_a_partners_record_verified_again_after_a_withdrawal_is_dated_after_its_placeholder(
    container: Container
) -> None:
    """A partner's PFIF record, verified, withdrawn (closed, reopened) and verified again: the export's record must
    outrank the placeholder partners were given (PFIF importers keep the newer record), so it carries the new
    verification's dates, not the import's."""
    from tests.e2e.test_pfif_sync import PARTNER, doc, person

    sent = "2026-03-01T10:00:00Z"
    record = doc(person("partner.org/m1", entry_date=sent, source_date=sent, full_name="Mei Lin", age="6"))
    assert pfif.import_pfif(container.deps, PARTNER, record).created == 1
    with container.engine.connect() as conn:
        case_id = int(conn.exec_driver_sql("SELECT id FROM cases").scalar_one())
    exporter = _exporter(container)

    def exported() -> dict[str, str]:
        answer = exporter.get("/api/pfif")
        people = [{c.tag.removeprefix(NS): c.text or "" for c in p} for p in ET.fromstring(answer.content).iter(
            f"{NS}person")]
        return next(p for p in people if p["person_record_id"] == "partner.org/m1")

    moderation.verify_case(container.deps, OPERATOR, case_id, "checked with the partner by phone")
    first = exported()
    assert first["full_name"] == "Mei Lin" and first["source_date"] == sent
    reunion.close_case(container.deps, OPERATOR, case_id, reunited=False, keep_data=True)
    moderation.reopen_case(container.deps, OPERATOR, case_id, "closed by mistake")
    placeholder = exported()
    assert "full_name" not in placeholder
    moderation.verify_case(container.deps, OPERATOR, case_id, "checked again with the partner by phone")
    again = exported()
    assert again["full_name"] == "Mei Lin"
    for date_field in ("entry_date", "source_date"):
        assert datetime.fromisoformat(again[date_field]) > datetime.fromisoformat(placeholder[date_field])
