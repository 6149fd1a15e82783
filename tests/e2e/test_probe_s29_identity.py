"""Probe s29 C1: a partner's newer PFIF record rewrote a verified case's identity at once (a `write` token turned its
verified record into another child, and the name-doubles check then held a family's verified case back: off the
feed, its poster gone, partners told to delete it), while the same token's PATCH waited for a moderator. Now a newer
record corrects its case by decision 0007's one rule (``services.pfif_versions``)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.domain.model import GeoPoint, NewCase, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import intake, moderation, reach
from reunite.services.accounts import from_session
from tests.conftest import admin_token, run_jobs, session_for
from tests.e2e.test_pfif_sync import doc, person, rows
from tests.e2e.test_probe_pfif import XML, token_client
from tests.e2e.test_probe_s21_reach import Recorder
from tests.photos import portrait

NS = "{http://zesty.ca/pfif/1.4}"
HOOK = "https://partner.example/hook"
WUHAN = GeoPoint(30.59, 114.30)


def _p1(day: int, **fields: str) -> bytes:
    """The partner's record ``partner.org/p1`` as written on day ``day`` of November 2026."""
    when = f"2026-11-{day:02d}T10:00:00Z"
    return doc(person("partner.org/p1", entry_date=when, source_date=when, **fields))


def _family_case(container: Container) -> int:
    """A family registers 张小红 on its own account, and a moderator verifies the case."""
    _, session = session_for(container, Role.REPORTER)
    family = from_session(container.deps, session)
    assert family is not None
    now = container.deps.clock.now()
    case = NewCase(given_name="小红", family_name="张", sex=Sex.FEMALE, birth_date=date(2017, 6, 1),
                   missing_since=now - timedelta(days=20), last_seen_place=WUHAN, last_seen_text="Wuhan, Hankou",
                   police_report="PR-2026-1201")
    case_id = intake.register_case(container.deps, family, case, [Upload(portrait("hopper", 0), "x.jpg")],
                                   [None]).case_id
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report PR-2026-1201 confirmed by phone")
    return case_id


def _case(container: Container, case_id: int) -> tuple[Any, ...]:
    [row] = rows(container, "SELECT given_name, family_name, sex, birth_date, description, verified_at IS NOT NULL "
                            f"FROM cases WHERE id = {case_id}")
    return tuple(row)


def _exported(client: TestClient, record: str) -> dict[str, str]:
    answer = client.get("/api/pfif")
    assert answer.status_code == 200
    for element in ET.fromstring(answer.content).iter(f"{NS}person"):
        fields = {child.tag.removeprefix(NS): child.text or "" for child in element}
        if fields["person_record_id"] == record:
            return fields
    raise AssertionError(f"{record} is not exported")


def _audit(container: Container, action: str, case_id: int) -> list[dict[str, Any]]:
    return [r[0] for r in rows(container, f"SELECT detail FROM audit_log WHERE action = '{action}' "
                                          f"AND subject_id = {case_id} ORDER BY id")]


def test_a_partners_newer_record_waits_for_a_moderator_to_change_a_verified_childs_identity(
        container: Container) -> None:
    receiver = Recorder()
    deps = container.deps = replace(container.deps, webhooks=receiver)
    reach.subscribe(deps, OPERATOR, "webhook", HOOK, WUHAN, 50)
    writer = token_client(container, Scope.WRITE, domains=("partner.org",))
    exporter = token_client(container, Scope.EXPORT)
    desk = TestClient(create_app(container), headers={"Authorization": f"Bearer {admin_token(container)}"})
    first = writer.post("/api/pfif", headers=XML, content=_p1(
        1, full_name="王小明", given_name="小明", family_name="王", sex="male", date_of_birth="2018-05-01",
        description="Missing since: 2026-10-01\nblue jacket", expiry_date="2027-12-01T00:00:00Z"))
    assert first.status_code == 200 and first.json()["created"] == 1
    [(p1,)] = rows(container, "SELECT id FROM cases WHERE record_id = 'partner.org/p1'")
    moderation.verify_case(deps, OPERATOR, p1, "checked with the partner registry")
    family = _family_case(container)
    run_jobs(container)
    assert [(payload["event"], payload["case"]["id"]) for _, payload in receiver.sent] == [("case.alert", family)]
    receiver.sent.clear()

    # the same token sends its record again, newer, as the family's child (probe step 4), and new words
    swapped = writer.post("/api/pfif", headers={**XML, "Accept-Language": "zh-CN"}, content=_p1(
        3, full_name="张小红", given_name="小红", family_name="张", sex="female", date_of_birth="2017-06-01",
        description="Missing since: 2026-10-01\nred coat", expiry_date="2027-01-01T00:00:00Z"))
    assert swapped.status_code == 200 and swapped.json()["updated"] == 1
    [said] = swapped.json()["problems"]
    assert said["record"] == "partner.org/p1" and "等待审核员" in said["reason"], said
    # the case keeps its verified identity; its description (the partner's words) is taken at once
    assert _case(container, p1) == ("小明", "王", "male", date(2018, 5, 1), "red coat", True)
    run_jobs(container)  # the doubles check runs on the verified values: the family's case stands
    assert _case(container, family)[-1] is True
    assert _audit(container, "case.held", family) == []
    assert [payload["event"] for _, payload in receiver.sent] == []  # no case.ended to partners
    assert deps.read.duplicates() == []
    # other registries still read the verified record
    shown = _exported(exporter, "partner.org/p1")
    assert (shown["full_name"], shown["sex"], shown["date_of_birth"]) == ("王小明", "male", "2018-05-01")
    # the moderators read the correction beside the verified values, as a PATCH's
    [waiting] = desk.get("/api/moderation/queues").json()["corrections"]
    assert waiting["case_id"] == p1
    assert waiting["was"] == {"given_name": "小明", "family_name": "王", "sex": "male", "birth_date": "2018-05-01"}
    assert waiting["became"] == {"given_name": "小红", "family_name": "张", "sex": "female",
                                 "birth_date": "2017-06-01"}
    # audited old → new, the expiry moved by the registry too
    [reimported] = _audit(container, "case.reimported", p1)
    assert reimported["changed"] == {"description": ["blue jacket", "red coat"]}
    assert reimported["waiting"] == ["given_name", "family_name", "sex", "birth_date"]
    assert reimported["expiry_date"] == ["2027-12-01T00:00:00Z", "2027-01-01T00:00:00Z"]
    [asked] = _audit(container, "case.correction_asked", p1)
    assert asked["changed"]["given_name"] == ["小明", "小红"] and asked["correction"] == waiting["id"]
    # the same record again changes nothing and asks nobody twice
    again = writer.post("/api/pfif", headers=XML, content=_p1(
        3, full_name="张小红", given_name="小红", family_name="张", sex="female", date_of_birth="2017-06-01",
        description="Missing since: 2026-10-01\nred coat", expiry_date="2027-01-01T00:00:00Z"))
    assert again.json()["unchanged"] == 1
    assert len(desk.get("/api/moderation/queues").json()["corrections"]) == 1
    # its registry takes the new identity back: nothing is left for a moderator to accept
    back = writer.post("/api/pfif", headers=XML, content=_p1(
        4, full_name="王小明", given_name="小明", family_name="王", sex="male", date_of_birth="2018-05-01",
        description="Missing since: 2026-10-01\nred coat", expiry_date="2027-01-01T00:00:00Z"))
    assert back.json()["updated"] == 1 and back.json()["problems"] == []
    assert desk.get("/api/moderation/queues").json()["corrections"] == []
    assert _audit(container, "case.reimported", p1)[-1]["dropped_correction"] == waiting["id"]

    # sent once more, and a moderator accepts: the case and what other registries read of the record take it
    writer.post("/api/pfif", headers=XML, content=_p1(
        5, full_name="张小红", given_name="小红", family_name="张", sex="female", date_of_birth="2017-06-01",
        description="Missing since: 2026-10-01\nred coat", expiry_date="2027-01-01T00:00:00Z"))
    [waiting] = desk.get("/api/moderation/queues").json()["corrections"]
    assert desk.post(f"/api/moderation/corrections/{waiting['id']}", json={"decision": "accept"}).status_code == 204
    assert _case(container, p1)[:4] == ("小红", "张", "female", date(2017, 6, 1))
    shown = _exported(exporter, "partner.org/p1")
    assert (shown["full_name"], shown["sex"], shown["date_of_birth"]) == ("张小红", "female", "2017-06-01")


def test_a_record_nobody_verified_yet_takes_a_newer_version_whole(container: Container) -> None:
    writer = token_client(container, Scope.WRITE, domains=("partner.org",))
    writer.post("/api/pfif", headers=XML, content=_p1(1, full_name="王小明", sex="male", date_of_birth="2018-05-01"))
    [(p1,)] = rows(container, "SELECT id FROM cases WHERE record_id = 'partner.org/p1'")
    answer = writer.post("/api/pfif", headers=XML, content=_p1(2, full_name="王小刚", sex="male",
                                                               date_of_birth="2018-05-03"))
    assert answer.json()["updated"] == 1 and answer.json()["problems"] == []
    assert _case(container, p1)[:4] == ("王小刚", "", "male", date(2018, 5, 3))
    assert rows(container, "SELECT count(*) FROM case_corrections") == [(0,)]
    assert _audit(container, "case.reimported", p1)[0]["changed"]["given_name"] == ["王小明", "王小刚"]
