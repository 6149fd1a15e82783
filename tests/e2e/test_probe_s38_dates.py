"""Probe s38 M4: an impossible date was said unevenly. With a time of day ("2025-02-30 08:00",
"2025年2月29日上午8点30分") only "the date and time are not valid", a date alone "no such day in the calendar";
``POST /api/cases`` said just "the date is not valid"; month 13 was "no such day"; a sheet's unknown zone and a
time summer time skipped named no column; a dry run said "2 created" though nothing was written."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from reunite.bootstrap import Container
from reunite.domain.access import Scope
from reunite.entrypoints.cli import app as cli
from tests.e2e.test_pfif_sync import RECENT, doc, person
from tests.e2e.test_probe_pfif import token_client
from tests.photos import portrait

SHEET = ("given_name,family_name,sex,birth_date,missing_since,zone\n"
         "Ann,Li,female,2016-07-08,2025-02-30 08:00,\n"
         "Bo,Li,male,2016-07-08,2025-04-31T10:00+08:00,\n"
         "Cy,Li,male,2016-07-08,2025.2.29 08:00,\n"
         "Di,Li,female,2016-07-08,2025年2月29日上午8点30分,\n"
         "Ed,Li,male,2016-13-01,2025-05-01,\n"
         "Fa,Li,female,2016-07-08,2025-05-01 08:00,Asia/Shanghia\n"
         "Gu,Li,male,2016-07-08,2025-03-09 02:30,America/New_York\n"
         "Hu,Li,male,2016-07-08,2025-05-01 25:00,\n"
         "Ok,Li,female,2016-07-08,2025-05-01 08:00,\n"
         "Ok,Wu,female,2016-07-08,2025-05-01,\n")
NO_DAY = "“missing since”: the date is not valid (no such day in the calendar)"


def test_every_impossible_day_is_said_so_with_or_without_a_time_naming_its_column(client: TestClient) -> None:
    upload = {"file": ("a.csv", SHEET.encode())}
    report = client.post("/api/cases/import?dry_run=true", files=upload).json()
    reasons = {p["record"]: p["reason"] for p in report["problems"]}
    assert [reasons[f"row {n}"] for n in (2, 3, 4, 5)] == [NO_DAY] * 4, reasons
    assert reasons["row 6"] == "“birth date”: the month is not valid (a year has 12 months)"
    assert reasons["row 7"].startswith("“zone”: Asia/Shanghia is not a time zone")
    assert reasons["row 8"].startswith("“missing since”: Mar 9, 2025, 2:30\u202fAM never happened in Eastern Time")
    assert reasons["row 9"] == "“missing since”: the date and time are not valid"  # a real day, no 25 o'clock
    assert report["created"] == 2 and report["dry_run"] is True and report["registered"] == []
    chinese = client.post("/api/cases/import?dry_run=true", files=upload, headers={"Accept-Language": "zh-CN"}).json()
    said = {p["record"]: p["reason"] for p in chinese["problems"]}
    assert said["第 2 行"] == said["第 5 行"] == "“走失时间”：日期无效（日历上没有这一天）"
    assert said["第 6 行"].endswith("月份无效（一年只有 12 个月）")
    assert said["第 7 行"].startswith("“时区”：Asia/Shanghia 不是本站认识的时区")  # its column first
    assert said["第 8 行"].startswith("“走失时间”：")


def test_a_dry_run_on_the_command_line_says_would_be_created(cli_env: CliRunner, tmp_path: Path) -> None:
    sheet = tmp_path / "a.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    said = cli_env.invoke(cli, ["import-cases", str(sheet), "--dry-run"])
    assert "2 would be created (a dry run: nothing was written), 0 updated" in said.output, said.output
    assert " 2 created" not in said.output
    assert "row 7: “zone”: Asia/Shanghia is not a time zone" in said.output
    assert "row 4: “missing since”: the date is not valid (no such day in the calendar)" in said.output


def test_registering_a_case_through_the_api_says_which_part_of_the_date_does_not_exist(client: TestClient) -> None:
    for when, words in (("2025-02-30", "no such day in the calendar"),
                        ("2025-02-30T10:00+08:00", "no such day in the calendar"),
                        ("2025-13-01", "the month is not valid")):
        sent = client.post("/api/cases", data={"given_name": "Ann", "family_name": "Li", "sex": "female",
                                                "birth_date": "2016-07-08", "missing_since": when},
                           files={"photos": ("a.jpg", portrait(), "image/jpeg")})
        assert sent.status_code == 422 and words in sent.text, (when, sent.text)


def test_a_birth_date_in_month_13_is_said_so_when_corrected_and_from_pfif(client: TestClient,
                                                                         container: Container) -> None:
    made = client.post("/api/cases", data={"given_name": "Ann", "sex": "female", "birth_date": "2016-07-08",
                                           "missing_since": "2025-05-01"},
                       files={"photos": ("a.jpg", portrait(), "image/jpeg")})
    assert made.status_code == 201, made.text
    patched = client.patch(f"/api/cases/{made.json()['id']}", json={"birth_date": "2016-13-01"})
    assert patched.status_code == 422 and "the month is not valid" in patched.json()["detail"], patched.text
    writer = token_client(container, Scope.WRITE, domains=("partner.org",))
    sent = writer.post("/api/pfif", headers={"Content-Type": "application/xml"}, content=doc(person(
        "partner.org/m13", entry_date=RECENT, source_date=RECENT, full_name="Wang Fang", date_of_birth="2016-13-01",
        description="Missing since: 2025-11-01")))
    [problem] = sent.json()["problems"]
    assert problem["reason"] == "date_of_birth: the month is not valid (a year has 12 months)", problem
