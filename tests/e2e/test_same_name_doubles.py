"""Probe s22 V2: an impostor copied a missing child's poster (the name and the birth date) and registered the
child again from another account with photos of another child (or none a face is found in): the duplicate
check compared faces only, so no flag was raised and one click on Verify gave the impostor the real child's
leads. Two open cases of other accounts born the same day under one name, in any order, script or spelling
(李华 and "Hua Li"), are now flagged whatever their faces, said as such to moderators, and verifying the
second waits for the flag. A namesake born another day, or another child born that day, is not flagged."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.domain.model import GeoPoint, NewCase, Sex, Upload
from reunite.services import intake, moderation
from reunite.services.accounts import from_session
from tests.conftest import plain_photo, run_jobs
from tests.e2e.test_impostor import signed_in
from tests.e2e.test_journeys import csrf
from tests.e2e.test_probe_pfif import token_client

BORN = date(2017, 3, 9)


def real_family(container: Container) -> int:
    """The child's family registers 李华 (in traditional characters), and a moderator verifies the case."""
    family, _ = signed_in(container, Role.REPORTER)
    owner = from_session(container.deps, str(family.cookies["reunite_session"]))
    assert owner is not None
    case = NewCase(given_name="華", family_name="李", sex=Sex.FEMALE, birth_date=BORN,
                   missing_since=container.deps.clock.now() - timedelta(days=20),
                   last_seen_place=GeoPoint(31.23, 121.47), police_report="PR-2026-1101")
    case_id = intake.register_case(container.deps, owner, case, [Upload(plain_photo(seed=1), "a.jpg")], [None]).case_id
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report PR-2026-1101 confirmed by phone")
    run_jobs(container)
    return case_id


def another_account_registers(container: Container, family_name: str, given_name: str, born: date) -> int:
    """Another account registers a child under this name, with a photo of its own (no face in it, and no other
    case's photo: one picture in two cases is flagged whatever the names, ``test_same_photo``)."""
    other, account = signed_in(container, Role.REPORTER)
    missing = container.deps.clock.now() - timedelta(days=10)
    form = {"csrf": csrf(other, "/cases/new"), "given_name": given_name, "family_name": family_name,
            "sex": "female", "birth_date": born.isoformat(), "missing_since": missing.strftime("%Y-%m-%dT%H:%M"),
            "tz": "UTC", "police_report": "fake-123", "family_contact": "13000000000", "photo_dates": ""}
    photo = plain_photo(seed=100 + account)
    sent = other.post("/cases/new", files=[("photos", ("kid.jpg", photo, "image/jpeg"))], data=form,
                      follow_redirects=False)
    assert sent.status_code == 303, sent.text
    run_jobs(container)  # the duplicate check runs
    return int(sent.headers["location"].split("/")[2].split("?")[0])


def test_the_same_name_and_birth_date_from_another_account_is_flagged_whatever_the_faces(
        client: TestClient, container: Container) -> None:
    real = real_family(container)
    fake = another_account_registers(container, "HUA", "Li", BORN)  # pinyin, the names swapped

    [flag] = client.get("/api/moderation/duplicates").json()
    assert {flag["case_id"], flag["other_case_id"]} == {real, fake}
    assert flag["same_name"] is True and flag["verification_waits"] == [fake]
    refused = client.post(f"/api/cases/{fake}/verify", json={"evidence": "police report seen"})
    assert refused.status_code == 409 and f"possibly the same child as case {real}" in refused.json()["detail"]
    assert container.deps.read.case(fake)["verified_at"] is None

    moderator, _ = signed_in(container, Role.MODERATOR)
    page = moderator.get("/moderation?lang=en").text
    assert "Both give the same name and birth date" in page.replace("&#39;", "'")


def test_namesakes_registered_first_to_crowd_it_out_never_hide_the_verified_case(
        client: TestClient, container: Container) -> None:
    """Probe s23 W1: four decoy registrations of the name switched the name check off for the fifth."""
    real = real_family(container)
    decoys = [another_account_registers(container, "Li", "Hua", BORN) for _ in range(4)]
    fake = another_account_registers(container, "李", "Hua", BORN + timedelta(days=1))  # a day off: still flagged
    flags = client.get("/api/moderation/duplicates").json()
    assert {flag["other_case_id"] if flag["case_id"] == fake else flag["case_id"] for flag in flags
            if fake in (flag["case_id"], flag["other_case_id"])} == {real, *decoys}
    assert client.post(f"/api/cases/{fake}/verify", json={"evidence": "police report seen"}).status_code == 409


def test_a_namesake_born_years_apart_or_another_child_born_that_day_is_not_flagged(
        client: TestClient, container: Container) -> None:
    real_family(container)
    another_account_registers(container, "Li", "Hua", BORN + timedelta(days=400))
    another_account_registers(container, "王", "华", BORN)
    another_account_registers(container, "Li", "Huan", BORN)
    another_account_registers(container, "", "不详", BORN)
    another_account_registers(container, "", "不详", BORN)
    assert client.get("/api/moderation/duplicates").json() == []


def test_a_partners_record_of_the_child_is_flagged_when_it_arrives(
        client: TestClient, container: Container) -> None:
    """Probe s23 W7: a PFIF record of a registered child was compared only when someone tried to verify it."""
    real = real_family(container)
    partner = token_client(container, Scope.WRITE, domains=("partner.org",))
    sent = partner.post("/api/pfif", headers={"Content-Type": "application/xml"}, content=PFIF.encode())
    assert sent.status_code == 200 and sent.json()["created"] == 1, sent.text
    run_jobs(container)
    [flag] = client.get("/api/moderation/duplicates").json()
    assert real in (flag["case_id"], flag["other_case_id"]) and flag["same_name"] is True


PFIF = """<?xml version="1.0" encoding="UTF-8"?>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">
  <pfif:person>
    <pfif:person_record_id>partner.org/p.51</pfif:person_record_id>
    <pfif:entry_date>2026-11-01T00:00:00Z</pfif:entry_date>
    <pfif:source_date>2026-11-01T00:00:00Z</pfif:source_date>
    <pfif:full_name>Li Hua</pfif:full_name>
    <pfif:given_name>Hua</pfif:given_name>
    <pfif:family_name>Li</pfif:family_name>
    <pfif:sex>female</pfif:sex>
    <pfif:date_of_birth>2017-03-09</pfif:date_of_birth>
  </pfif:person>
</pfif:pfif>
"""
