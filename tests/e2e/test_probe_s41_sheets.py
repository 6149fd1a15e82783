"""Probe s41 D4 and D8. A sheet sent again registers nothing twice when the partner organisation rotated its key
(another token of the same PFIF domain), whose new key corrects the cases the old one registered; when the case
has since ended (said so, never a fresh pending case republishing a reunited child); and when the same instant
is written in UTC rather than in China time. And a verification asked again of a case verified already takes the
shared texts sent with it, never drops them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Scope
from reunite.services import moderation, reunion
from tests.conftest import count_rows, plain_photo
from tests.e2e.test_probe_pfif import token_client

HEAD = "given_name,family_name,sex,birth_date,missing_since,zone\n"
SHEET = (HEAD + "乙乙,周,女,2018-04-05,2024-05-01 10:00,Asia/Shanghai\n").encode()


def send(partner: TestClient, sheet: bytes, dry_run: bool = False) -> dict:
    answer = partner.post(f"/api/cases/import?dry_run={str(dry_run).lower()}", files={"file": ("c.csv", sheet)})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_rotated_key_of_the_same_organisation_finds_and_corrects_what_the_old_key_registered(
    container: Container,
) -> None:
    old = token_client(container, Scope.WRITE, Scope.READ_CASES, domains=("ngo.org",))
    first = send(old, SHEET)
    assert first["created"] == 1
    case = first["registered"][0]["case"]

    rotated = token_client(container, Scope.WRITE, Scope.READ_CASES, domains=("ngo.org",))
    for dry_run in (True, False):
        again = send(rotated, SHEET, dry_run)
        assert again["created"] == 0 and [(r["case"], r["reason"]) for r in again["already"]] == [
            (case, f"already registered: case {case}")]
    assert count_rows(container, "cases") == 1
    corrected = rotated.patch(f"/api/cases/{case}", json={"marks": "a scar on the left hand"})
    assert corrected.status_code == 200, corrected.text
    assert container.deps.read.case(case)["marks"] == "a scar on the left hand"

    # another organisation (another domain, or none) is not the registrant: its sheet is its own
    for domains in (("other.org",), ()):
        other = token_client(container, Scope.WRITE, Scope.READ_CASES, domains=domains)
        assert other.patch(f"/api/cases/{case}", json={"marks": "x"}).status_code == 404  # waiting: not theirs
        assert send(other, SHEET, dry_run=True)["created"] == 1


def test_a_row_of_a_case_that_ended_is_said_already_registered_and_ended_not_registered_again(
    container: Container,
) -> None:
    partner = token_client(container, Scope.WRITE, domains=("ngo.org",))
    sheet = (HEAD + "Zoey,Chen,f,2017-03-02,2024-06-01,\n").encode()
    case = send(partner, sheet)["registered"][0]["case"]
    moderation.verify_case(container.deps, OPERATOR, case, "police report SH-2024-118 checked")
    reunion.close_case(container.deps, OPERATOR, case, reunited=False, keep_data=True)
    for dry_run in (True, False):
        again = send(partner, sheet, dry_run)
        assert again["created"] == 0 and again["registered"] == []
        assert [(r["case"], r["reason"]) for r in again["already"]] == [(case, f"already registered: case {case}, closed since: not registered again (a child missing again is registered with the new day missing)")]  # noqa: E501
    assert count_rows(container, "cases") == 1
    missing_again = (HEAD + "Zoey,Chen,f,2017-03-02,2025-02-01,\n").encode()  # another disappearance
    assert send(partner, missing_again)["created"] == 1


def test_one_instant_written_in_utc_or_in_china_time_is_one_child_and_the_day_is_the_cases(
    container: Container,
) -> None:
    partner = token_client(container, Scope.WRITE, domains=("ngo.org",))
    case = send(partner, (HEAD + "丙丙,吴,男,2016-01-02,2024-12-01 01:00,Asia/Shanghai\n").encode())
    known = case["registered"][0]["case"]
    utc = (HEAD + "丙丙,吴,男,2016-01-02,2024-11-30T17:00:00Z,\n").encode()  # the same instant
    for dry_run in (True, False):
        again = send(partner, utc, dry_run)
        assert again["created"] == 0 and [r["case"] for r in again["already"]] == [known]
    # the day before as China reads it is another day, however it is written
    before = send(partner, (HEAD + "丙丙,吴,男,2016-01-02,2024-11-30T15:00:00Z,\n").encode(), dry_run=True)
    assert before["created"] == 1 and before["already"] == []
    assert count_rows(container, "cases") == 1

    # within one sheet: one row in China time, one in UTC, the same instant: registered once
    both = (HEAD + "丁丁,吴,男,2016-01-03,2024-12-01 01:00,Asia/Shanghai\n"
            "丁丁,吴,男,2016-01-03,2024-11-30T17:00:00Z,\n").encode()
    report = send(partner, both)
    assert report["created"] == 1 and [r["reason"] for r in report["already"]] == [
        "the same child as row 2: registered once"]


def test_verifying_a_case_verified_already_takes_the_shared_texts_sent(client: TestClient,
                                                                         container: Container) -> None:
    case = send(client, (HEAD + "Amy,Lee,f,2015-05-05,2024-03-03,\n").encode())["registered"][0]["case"]
    assert client.post(f"/api/cases/{case}/verify", json={"evidence": "police report NY-2024-7 checked"}
                       ).status_code == 204
    assert container.deps.read.case(case)["shared_description"] == ""
    again = client.post(f"/api/cases/{case}/verify", json={
        "evidence": "police report NY-2024-7 checked", "shared_description": "红色外套", "shared_marks": "左手有疤"})
    assert again.status_code == 204
    shown = container.deps.read.case(case)
    assert (shown["shared_description"], shown["shared_marks"]) == ("红色外套", "左手有疤")
    # refused as PUT .../shared-description refuses it, and nothing taken
    refused = client.post(f"/api/cases/{case}/verify", json={
        "evidence": "police report NY-2024-7 checked", "shared_description": "call 13912345678"})
    assert refused.status_code == 422 and refused.json()["field"] == "shared_description"
    assert container.deps.read.case(case)["shared_description"] == "红色外套"
    with container.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM audit_log WHERE action = 'case.verified'").scalar_one() == 1


def test_a_child_registered_again_by_the_api_after_the_case_ended_is_refused_naming_it(
    client: TestClient, container: Container,
) -> None:
    form = {"given_name": "Lin", "family_name": "Chen", "sex": "female", "birth_date": "2015-01-01",
            "missing_since": "2020-06-01T08:00:00+08:00"}
    files = [("photos", ("a.jpg", plain_photo(), "image/jpeg"))]
    first = client.post("/api/cases", files=files, data=form)
    assert first.status_code == 201
    reunion.close_case(container.deps, OPERATOR, first.json()["id"], reunited=False, keep_data=True)
    again = client.post("/api/cases", files=files, data=form | {"missing_since": "2020-06-01T00:00:00Z"},
                        headers={"Accept-Language": "zh-CN"})
    assert again.status_code == 409 and again.json()["field"] == "missing_since"
    assert str(first.json()["id"]) in again.json()["detail"] and "已结案" in again.json()["detail"]
    assert "被误结" in again.json()["detail"]  # and the way back for a case closed by mistake (probe s43 E10)
    assert count_rows(container, "cases") == 1
    missing_again = client.post("/api/cases", files=files, data=form | {"missing_since": "2021-03-01T08:00:00+08:00"})
    assert missing_again.status_code == 201 and count_rows(container, "cases") == 2
