"""The outside probe s43's E3 and E4: a CSV row with fewer cells than its header is refused naming it, never
read by position (a family's phone stored as the place last seen), while an XLSX row and a CSV row that keeps the
commas of its empty cells are read; a sheet's month or year of birth stays a month or a year on the case's page,
in the API and in the CSV and PFIF exports, as a partner's PFIF record's does."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from openpyxl import Workbook

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Scope
from reunite.services import moderation
from tests.e2e.test_pfif_sync import rows
from tests.e2e.test_probe_pfif import token_client

HEADER = "given_name,birth_date,missing_since,description,last_seen_text,family_contact\n"


def sheet(text: str) -> dict[str, tuple[str, bytes]]:
    return {"file": ("cases.csv", text.encode())}


def test_a_csv_row_with_fewer_cells_than_its_header_is_refused_naming_it_and_nothing_of_it_is_stored(
    client: TestClient, container: Container,
) -> None:
    short = sheet(HEADER + "甲甲,2019-02-01,2026-12-01,武汉市江汉区,妈妈 13800001111\n"
                  "乙乙,2019-02-01,2026-12-01,red coat,,\n")  # its empty cells written with their commas: read
    for dry_run in ("true", "false"):
        report = client.post(f"/api/cases/import?dry_run={dry_run}", files=short).json()
        assert report["created"] == 1, report
        assert [(p["record"], "5 cells" in p["reason"] and "6 columns" in p["reason"] and ",," in p["reason"])
                for p in report["problems"]] == [("row 2", True)]
    assert rows(container, "SELECT given_name, description, last_seen_text, family_contact FROM cases") == [
        ("乙乙", "red coat", "", "")]
    chinese = client.post("/api/cases/import?dry_run=true", files=short,
                          headers={"Accept-Language": "zh-CN"}).json()
    assert chinese["problems"][0]["record"] == "第 2 行" and "cells" not in chinese["problems"][0]["reason"]
    assert "5" in chinese["problems"][0]["reason"] and "6" in chinese["problems"][0]["reason"]


def test_an_xlsx_row_whose_last_cells_are_empty_is_read_as_its_header_names_them(
    client: TestClient, container: Container,
) -> None:
    book = Workbook()
    page = book.active
    assert page is not None
    page.append(HEADER.strip().split(","))
    page.append(["丙丙", "2019-02-01", "2026-12-01", "green hat"])  # the sheet holds no cells after it
    data = io.BytesIO()
    book.save(data)
    report = client.post("/api/cases/import?dry_run=false", files={"file": ("cases.xlsx", data.getvalue())}).json()
    assert report["created"] == 1 and report["problems"] == [], report
    assert rows(container, "SELECT given_name, description FROM cases") == [("丙丙", "green hat")]


def test_a_sheets_month_or_year_of_birth_stays_a_month_or_a_year_on_the_case_and_in_every_export(
    client: TestClient, container: Container,
) -> None:
    born = sheet("given_name,family_name,birth_date,missing_since\n"
                 "Zoey,Li,2015-03,2026-11-01\nMax,Wu,2016,2026-11-01\nAda,Ng,2017-05-06,2026-11-01\n")
    report = client.post("/api/cases/import?dry_run=false", files=born).json()
    assert report["created"] == 3 and report["problems"] == [], report
    cases = dict(rows(container, "SELECT given_name, id FROM cases"))
    for case_id in cases.values():
        moderation.verify_case(container.deps, OPERATOR, case_id, "police report seen")
    shown = {name: client.get(f"/api/cases/{case_id}").json() for name, case_id in cases.items()}
    assert {name: (case["birth_date"][:len("2015-03")], case["birth_date_precision"])
            for name, case in shown.items()} == {
        "Zoey": ("2015-03", "month"), "Max": ("2016-07", "year"), "Ada": ("2017-05", "day")}
    page = client.get(f"/p/{cases['Zoey']}", headers={"Accept-Language": "en"}).text
    assert "2015-03-15" not in page
    exported = client.get("/api/cases.csv").content.decode("utf-8-sig")
    assert {row["given_name"]: row["birth_date"] for row in csv.DictReader(io.StringIO(exported))} == {
        "Zoey": "2015-03", "Max": "2016", "Ada": "2017-05-06"}
    document = client.get("/api/pfif").text
    for written in ("2015-03", "2016", "2017-05-06"):
        assert f"<pfif:date_of_birth>{written}</pfif:date_of_birth>" in document
    assert "2015-03-15" not in document and "2016-07-01" not in document
    again = client.post("/api/cases/import", files={"file": ("export.csv", exported.encode())}).json()
    assert again["created"] == 0 and len(again["already"]) == 3, again  # read back as the same children


def test_a_sheets_month_of_birth_corrected_to_a_day_reads_as_that_day(client: TestClient, container: Container) -> None:
    report = client.post("/api/cases/import?dry_run=false",
                         files=sheet("given_name,birth_date,missing_since\nZoey,2015-03,2026-11-01\n")).json()
    [(case_id,)] = rows(container, "SELECT id FROM cases")
    assert report["created"] == 1 and client.get(f"/api/cases/{case_id}").json()["birth_date_precision"] == "month"
    patched = client.patch(f"/api/cases/{case_id}", json={"birth_date": "2015-03-20"})
    assert patched.status_code == 200, patched.text
    case = client.get(f"/api/cases/{case_id}").json()
    assert (case["birth_date"], case["birth_date_precision"]) == ("2015-03-20", "day")


def test_an_id_in_a_sheet_tells_another_organisation_nothing_of_a_case_no_export_carried(
    container: Container,
) -> None:
    """Probe s43 E7: a row's ``id`` and a guessed given name answered "this site's own case N" for another
    organisation's case waiting for verification (or rejected): any write token learned it exists and the child's
    name. Only a case an export could have carried (verified), or one of the sender's own, is recognised."""
    ngo = token_client(container, Scope.WRITE, domains=("ngo.example",))
    other = token_client(container, Scope.WRITE, domains=("evil.example",))
    row = "id,given_name,birth_date,missing_since\n{id},Lele,2019-02-01,2026-11-01\n"
    assert ngo.post("/api/cases/import?dry_run=false", files=sheet(row.format(id=""))).json()["created"] == 1
    [(case_id,)] = rows(container, "SELECT id FROM cases")
    probing = sheet(row.format(id=case_id))
    assert other.post("/api/cases/import?dry_run=true", files=probing).json()["created"] == 1  # as no case at all
    assert ngo.post("/api/cases/import?dry_run=true", files=probing).json()["already"]  # its own: recognised
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report seen")
    assert other.post("/api/cases/import?dry_run=true", files=probing).json()["already"]  # exported now
