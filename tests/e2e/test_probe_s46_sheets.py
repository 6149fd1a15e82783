"""Probe s46 P1, P5, P9 (sheets) and P10: a day given alone is that day wherever it was given, so a partner's
sheet row of a child its PFIF record registered (dated by the record's day, UTC's) or a sheet row in another
zone is recognised, on a sheet and through ``POST /api/cases``; the API reads a birth date known to the month
or year as sheets and PFIF do, on registering and on correcting a case. An XLSX formula with no saved value is
its row's problem, never an empty cell; a time in words at a summer-time change is told as the gap or fold it
is."""

from __future__ import annotations

import io
from datetime import date, datetime

from fastapi.testclient import TestClient
from openpyxl import Workbook

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Scope
from reunite.services import corrections, moderation
from tests.conftest import count_rows, plain_photo
from tests.e2e.test_pfif_sync import doc, person, rows
from tests.e2e.test_probe_pfif import token_client

HEAD = "given_name,family_name,sex,birth_date,missing_since,last_seen_text,zone\n"
XML = {"Content-Type": "application/xml"}


def send(partner: TestClient, sheet: str, dry_run: bool = False) -> dict:
    answer = partner.post(f"/api/cases/import?dry_run={str(dry_run).lower()}",
                          files={"file": ("c.csv", sheet.encode())})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_sheet_row_of_a_child_a_pfif_record_registered_on_that_day_is_that_child_in_any_zone(
    container: Container,
) -> None:
    partner = token_client(container, Scope.WRITE, Scope.READ_CASES, domains=("ngo46.org",))
    sent = partner.post("/api/pfif", content=doc(person("ngo46.org/k1", full_name="甲", date_of_birth="2016",
                                                        source_date="2025-12-01T00:00:00Z")), headers=XML)
    assert sent.status_code == 200 and sent.json()["created"] == 1, sent.text
    case = sent.json()["registered"][0]["case"]
    assert rows(container, f"SELECT missing_since_precision FROM cases WHERE id = {case}") == [("day",)]
    for zone in ("", "UTC", "Asia/Shanghai", "America/New_York", "Pacific/Kiritimati"):
        for dry_run in (True, False):
            again = send(partner, HEAD + f"甲,,,2016,2025-12-01,,{zone}\n", dry_run)
            assert again["created"] == 0 and [(r["case"], r["reason"]) for r in again["already"]] == [
                (case, f"already registered: case {case}")], (zone, again)
    assert count_rows(container, "cases") == 1
    # another day is another disappearance, in whatever zone
    assert send(partner, HEAD + "甲,,,2016,2025-12-02,,UTC\n", dry_run=True)["created"] == 1


def test_a_day_another_site_exported_is_that_day_here_whatever_zone_a_row_names(container: Container) -> None:
    # another Reunite site's export writes a day given alone as that day; read here in this site's zone
    partner = token_client(container, Scope.WRITE, domains=("ngo46.org",))
    sent = partner.post("/api/pfif", content=doc(person(
        "ngo46.org/k2", full_name="乙", date_of_birth="2015-03", source_date="2025-12-03T00:00:00Z",
        description="Missing since: 2025-12-01\nred coat")), headers=XML)
    case = sent.json()["registered"][0]["case"]
    for zone in ("UTC", "America/Los_Angeles", ""):
        again = send(partner, HEAD + f"乙,,,2015-03,2025-12-01,,{zone}\n", dry_run=True)
        assert again["created"] == 0 and [r["case"] for r in again["already"]] == [case], (zone, again)


def test_a_day_given_in_new_york_is_that_day_to_the_api_and_to_rows_of_one_sheet(container: Container) -> None:
    partner = token_client(container, Scope.WRITE, domains=("ngo46.org",))
    first = send(partner, HEAD + "Day,Test,f,2016-05-02,2025-11-15,,America/New_York\n"
                 "Day,Test,f,2016-05-02,2025-11-15,,Asia/Shanghai\n")
    assert first["created"] == 1 and [r["reason"] for r in first["already"]] == [
        "the same child as row 2: registered once"]
    case = first["registered"][0]["case"]
    form = {"given_name": "Day", "family_name": "Test", "sex": "f", "birth_date": "2016-05-02",
            "missing_since": "2025-11-15"}
    answer = partner.post("/api/cases", data=form, files=[("photos", ("a.jpg", plain_photo(), "image/jpeg"))])
    assert answer.status_code == 200, answer.text
    assert answer.json()["id"] == case and answer.json()["already_registered"] is True
    # an instant still reads on the day the case reads it: the evening before in New York is not that day
    evening = send(partner, HEAD + "Day,Test,f,2016-05-02,2025-11-15T03:00:00Z,,\n", dry_run=True)
    assert evening["created"] == 1 and evening["already"] == []
    # a month given alone is that month, never its first day
    month = send(partner, HEAD + "Day,Test,f,2016-05-02,2025-11,,America/New_York\n", dry_run=True)
    assert month["created"] == 1 and month["already"] == []
    assert count_rows(container, "cases") == 1


def test_the_api_reads_a_birth_month_or_year_as_sheets_and_pfif_do(container: Container, client: TestClient) -> None:
    partner = token_client(container, Scope.WRITE, Scope.READ_CASES, domains=("ngo46.org",))
    made = {}
    for name, born in (("月", "2015-03"), ("年", "2015"), ("中", "2015年3月")):
        answer = partner.post("/api/cases", data={"given_name": name, "birth_date": born, "sex": "f",
                                                  "missing_since": "2025-11-01"},
                              files=[("photos", ("a.jpg", plain_photo(seed=len(made)), "image/jpeg"))],
                              headers={"Accept-Language": "zh-CN"})
        assert answer.status_code == 201, answer.text
        made[name] = answer.json()["id"]
    shown = {name: client.get(f"/api/cases/{case}").json() for name, case in made.items()}
    assert {name: (case["birth_date"], case["birth_date_precision"]) for name, case in shown.items()} == {
        "月": ("2015-03-15", "month"), "中": ("2015-03-15", "month"), "年": ("2015-07-02", "year")}

    corrected = partner.patch(f"/api/cases/{made['月']}", json={"birth_date": "2014"})
    assert corrected.status_code == 200, corrected.text
    case = client.get(f"/api/cases/{made['月']}").json()
    assert (case["birth_date"], case["birth_date_precision"]) == ("2014-07-02", "year")
    partner.patch(f"/api/cases/{made['月']}", json={"birth_date": "2014-02-03"})
    case = client.get(f"/api/cases/{made['月']}").json()
    assert (case["birth_date"], case["birth_date_precision"]) == ("2014-02-03", "day")
    assert rows(container, f"SELECT birth_date::text FROM cases WHERE id = {made['年']}") == [("2015-07-02",)]


def test_a_birth_date_refused_by_the_api_offers_no_date_in_the_future_as_its_example(container: Container) -> None:
    partner = token_client(container, Scope.WRITE, domains=("ngo46.org",))
    for lang in ("en", "zh-CN"):
        answer = partner.post("/api/cases", data={"given_name": "X", "birth_date": "soon", "sex": "f",
                                                  "missing_since": "2025-11-01"},
                              files=[("photos", ("a.jpg", plain_photo(), "image/jpeg"))],
                              headers={"Accept-Language": lang})
        assert answer.status_code == 422 and answer.json()["field"] == "birth_date", answer.text
        said = answer.json()["detail"]
        assert "2016" in said and "2026-12-02" not in said, said


def test_a_sheets_time_in_words_at_a_summer_time_change_is_told_as_the_gap_or_fold_naming_both_offsets(
    container: Container,
) -> None:
    partner = token_client(container, Scope.WRITE, domains=("ngo46.org",))
    report = send(partner, HEAD + "A,B,f,2016-05-02,2025-11-02 1am,,America/New_York\n"
                  "C,D,f,2016-05-02,2025-03-09 2:30am,,America/New_York\n"
                  "E,F,f,2016-05-02,2025年3月31日上午1点30分,,Asia/Shanghai\n", dry_run=True)
    assert report["created"] == 1, report
    reasons = {p["record"]: p["reason"] for p in report["problems"]}
    assert "-04:00" in reasons["row 2"] and "-05:00" in reasons["row 2"] and "twice" in reasons["row 2"]
    assert "never happened" in reasons["row 3"] and "3:30\u202fAM there then" in reasons["row 3"]


def test_an_xlsx_formula_with_no_saved_value_is_its_rows_problem_naming_the_column(container: Container) -> None:
    partner = token_client(container, Scope.WRITE, domains=("ngo46.org",))
    book = Workbook()  # as scripts write it: formulas, no values saved
    page = book.active
    assert page is not None
    page.append(["given_name", "family_name", "sex", "birth_date", "missing_since", "last_seen_text", "description"])
    page.append(["Mei2", "Zhou", "f", date(2016, 5, 2), datetime(2025, 11, 2, 10), '=TRIM(" Wuhan ")',
                 '=CONCATENATE("red coat"," scar on chin")'])
    page.append(['=PROPER("mei3")', "Zhou", "f", date(2016, 5, 2), datetime(2025, 11, 2, 10), "Wuhan", ""])
    page.append(["Mei4", "Zhou", "f", date(2016, 5, 3), datetime(2025, 11, 2, 10), "Wuhan", "a blue coat"])
    data = io.BytesIO()
    book.save(data)
    for dry_run in ("true", "false"):
        report = partner.post(f"/api/cases/import?dry_run={dry_run}",
                              files={"file": ("c.xlsx", data.getvalue())}).json()
        assert report["created"] == 1, report
        reasons = {p["record"]: p["reason"] for p in report["problems"]}
        assert set(reasons) == {"row 2", "row 3"}
        assert "column “last seen text” holds a formula with no saved value" in reasons["row 2"]
        assert "open and save the file" in reasons["row 2"] and 'TRIM(" Wuhan ")' in reasons["row 2"]
        assert "column “given name” holds a formula" in reasons["row 3"], reasons
    assert rows(container, "SELECT given_name, description FROM cases") == [("Mei4", "a blue coat")]


def test_a_verified_cases_birth_year_waits_for_a_moderator_and_is_kept_as_a_year_once_accepted(
    container: Container, client: TestClient,
) -> None:
    partner = token_client(container, Scope.WRITE, domains=("ngo46.org",))
    made = partner.post("/api/cases", data={"given_name": "核", "birth_date": "2015-03-04", "sex": "f",
                                            "missing_since": "2025-11-01"},
                        files=[("photos", ("a.jpg", plain_photo(seed=7), "image/jpeg"))])
    case = made.json()["id"]
    moderation.verify_case(container.deps, OPERATOR, case, "police report seen")
    asked = partner.patch(f"/api/cases/{case}", json={"birth_date": "2014"}).json()
    assert asked["waiting"] == ["birth_date"], asked
    shown = client.get(f"/api/cases/{case}").json()
    assert (shown["birth_date"], shown["birth_date_precision"]) == ("2015-03-04", "day")  # until a moderator accepts
    corrections.decide_correction(container.deps, OPERATOR, asked["correction_id"], accept=True)
    shown = client.get(f"/api/cases/{case}").json()
    assert (shown["birth_date"], shown["birth_date_precision"]) == ("2014-07-02", "year")
