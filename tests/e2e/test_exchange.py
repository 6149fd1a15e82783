"""Spreadsheets in and out, Atom feeds and PDF posters (PFIF: test_pfif_sync.py)."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Principal, Role, Scope
from reunite.domain.model import NewCase, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.entrypoints.cli import app as cli
from reunite.services import intake, moderation, pfif
from reunite.services.accounts import issue_token
from tests.conftest import run_jobs
from tests.photos import portrait

UNVERIFIED = """<?xml version="1.0" encoding="UTF-8"?>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4"><pfif:person>
  <pfif:person_record_id>partner.org/p.14</pfif:person_record_id><pfif:entry_date>2026-03-01T08:00:00Z</pfif:entry_date>
  <pfif:source_date>2026-03-01T08:00:00Z</pfif:source_date><pfif:full_name>王小明</pfif:full_name>
  <pfif:given_name>小明</pfif:given_name><pfif:family_name>王</pfif:family_name><pfif:age>6</pfif:age>
</pfif:person></pfif:pfif>""".encode()

PARTNER = Principal(role=Role.PARTNER, token_id=1, scopes=frozenset({Scope.WRITE}),
                    domains=frozenset({"partner.org"}))


def rows(container: Container, sql: str) -> list[Any]:
    with container.engine.connect() as conn:
        return list(conn.exec_driver_sql(sql).fetchall())


def test_spreadsheet_import_dry_run_reports_each_row_and_export_is_safe(
    client: TestClient, container: Container
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["given_name", "family_name", "sex", "birth_date", "missing_since", "last_seen_text", "description"])
    sheet.append(["Lin", "Zhang", "女", date(2015, 1, 1), datetime(2019, 6, 1, 8), "Wuchang", "Yellow coat"])
    sheet.append(["", "Wang", "male", "2016-02-02", "2020-01-01T00:00:00Z", "", ""])
    sheet.append(["Mei", "Li", "female", "not a date", "2020-01-01T00:00:00Z", "", ""])
    sheet.append(["Old", "Li", "female", "1990-01-01", "2020-01-01T00:00:00Z", "", ""])
    data = io.BytesIO()
    book.save(data)
    upload = {"file": ("cases.xlsx", data.getvalue())}
    dry = client.post("/api/cases/import", files=upload)
    assert dry.status_code == 200
    assert dry.json()["created"] == 1 and [p["record"] for p in dry.json()["problems"]] == ["row 3", "row 4", "row 5"]
    assert "given name is required" in dry.json()["problems"][0]["reason"]
    chinese = client.post("/api/cases/import", files=upload, headers={"Accept-Language": "zh-CN"}).json()["problems"]
    assert [p["record"] for p in chinese] == ["第 3 行", "第 4 行", "第 5 行"]  # in the reader's words
    assert chinese[0]["reason"] == "孩子的名字为必填" and "出生日期" in chinese[1]["reason"]
    assert all(re.search("[\u4e00-\u9fff]", p["reason"]) and "must" not in p["reason"] for p in chinese)
    assert rows(container, "SELECT count(*) FROM cases")[0][0] == 0  # a dry run writes nothing
    done = client.post("/api/cases/import?dry_run=false", files=upload)
    assert done.json()["created"] == 1
    assert rows(container, "SELECT given_name, sex, verified_at FROM cases") == [("Lin", "female", None)]

    csv_import = client.post("/api/cases/import?dry_run=false", files={"file": ("c.csv", (
        "given_name,sex,birth_date,missing_since,description\n"
        '小明,male,2014-03-03,2021-05-05T10:00:00+08:00,"=HYPERLINK(""http://x"")"\n').encode())})
    assert csv_import.json()["created"] == 1
    ming = rows(container, "SELECT id FROM cases WHERE given_name = '小明'")[0][0]
    moderation.verify_case(container.deps, OPERATOR, ming, "police report seen")
    exported = client.get("/api/cases.csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    text = exported.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("id,record_id,given_name") and "小明" in text
    assert "'=HYPERLINK" in text  # a formula is neutralised
    assert "Lin" not in text  # not verified: it does not spread to other registries
    reader = TestClient(create_app(container))
    assert reader.get("/api/cases.csv").status_code == 401
    read_only = issue_token(container.deps, OPERATOR, "reader", [Scope.READ_CASES])
    assert reader.get("/api/cases.csv", headers={"Authorization": f"Bearer {read_only}"}).status_code == 403


def test_spreadsheet_rows_keep_their_numbers_and_dates_are_read_as_people_write_them(client: TestClient) -> None:
    sheet = ("given_name,sex,birth_date,missing_since\n"
             "Ann,female,2016/07/08,2024年5月1日\n"
             ",,,\n"
             "Bo,male,2017年3月2日,2024-05-01 08:30\n"
             "Cy,male,42917,45413\n"  # spreadsheet serial days: 2017-07-01 and 2024-05-01
             "\n"
             "Di,female,2016-13-01,2024-05-01\n")
    report = client.post("/api/cases/import", files={"file": ("c.csv", sheet.encode())}).json()
    assert report["created"] == 3
    assert [(p["record"], "“birth date”" in p["reason"]) for p in report["problems"]] == [("row 7", True)]


ZONED_SHEET = ("given_name,sex,birth_date,missing_since,zone\n"
               "Ann,female,2016-07-08,2024-05-01T08:30+08,\n"  # its own offset (hours alone): kept, nothing to say
               "Bo,male,2017-03-02,2024-05-01T08:30,\n"  # no offset, no zone: the site's
               "Cy,male,2017-03-02,2024-05-01T08:30,Europe/London\n"  # no offset: the row's zone
               "Di,female,2016-01-01,2024-05-01,America/New_York\n"  # a day alone: its midnight there
               "Ed,male,2016-01-01,2024-05-01T08:30,Mars/Olympus\n")  # no zone of this world: that row's problem


def test_a_sheets_missing_since_on_a_day_the_calendar_lacks_is_refused_naming_its_row_and_its_column(
    client: TestClient, cli_env: CliRunner, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["given_name", "sex", "birth_date", "missing_since"])
    sheet.append(["Ann", "female", "2016-07-08", "2026-02-30"])
    sheet.append(["Bo", "male", "2017-03-02", "2024-02-30 10:00"])
    sheet.append(["Cy", "male", "2017-03-02", "2024-05-01"])
    data = io.BytesIO()
    book.save(data)
    upload = {"file": ("c.xlsx", data.getvalue())}
    report = client.post("/api/cases/import", files=upload).json()
    assert report["created"] == 1, report
    reasons = {p["record"]: p["reason"] for p in report["problems"]}
    assert reasons == {"row 2": "“missing since”: the date is not valid (no such day in the calendar)",
                       "row 3": "“missing since”: the date is not valid (no such day in the calendar)"}, reasons
    chinese = client.post("/api/cases/import", files=upload, headers={"Accept-Language": "zh-CN"}).json()
    assert {p["record"]: p["reason"] for p in chinese["problems"]}["第 2 行"].startswith("“走失时间”：日期无效")
    csv = tmp_path / "cases.csv"
    csv.write_text("given_name,sex,birth_date,missing_since\nAnn,female,2016-07-08,2026-02-30\n", encoding="utf-8")
    said = cli_env.invoke(cli, ["import-cases", str(csv), "--dry-run"])
    # as the API and the pages say it: the column named in the operator's words
    assert "row 2: “missing since”: the date is not valid (no such day in the calendar)" in said.output, said.output


def test_a_sheets_times_without_an_offset_are_read_in_the_rows_zone_and_the_report_says_which(
    client: TestClient, container: Container
) -> None:
    """A sheet has no zones and an NGO types local times: read in the row's ``zone`` column, else the site's,
    and the report says for each such row which zone it was read in, in the dry run and in the import."""
    upload = {"file": ("c.csv", ZONED_SHEET.encode())}
    dry = client.post("/api/cases/import", files=upload).json()
    assert dry["created"] == 4
    assert [(p["record"], p["reason"]) for p in dry["problems"]] == [
        ("row 6", "“zone”: Mars/Olympus is not a time zone this site knows: give a name such as Asia/Shanghai, "
                  "or an offset such as UTC+8")]
    read = [(r["record"], r["zone"], r["note"]) for r in dry["read_in_zone"]]
    assert read == [  # each with the offset it had there then (probe s46 P13)
        ("row 3", "Asia/Shanghai", "“missing since” has no UTC offset: read in Asia/Shanghai, UTC+08:00"),
        ("row 4", "Europe/London", "“missing since” has no UTC offset: read in Europe/London, UTC+01:00"),
        ("row 5", "America/New_York", "“missing since” has no UTC offset: read in America/New_York, UTC\u221204:00")]
    chinese = client.post("/api/cases/import", files=upload, headers={"Accept-Language": "zh-CN"}).json()
    assert chinese["read_in_zone"][1]["note"] == "“走失时间”未注明 UTC 偏移：按 Europe/London 时区（UTC+01:00）读取"
    assert chinese["problems"][0]["reason"].startswith("“时区”：Mars/Olympus 不是本站认识的时区")
    assert rows(container, "SELECT count(*) FROM cases")[0][0] == 0

    key = {"Idempotency-Key": "sheet-1"}
    done = client.post("/api/cases/import?dry_run=false", files=upload, headers=key).json()
    assert done["created"] == 4 and [r["record"] for r in done["read_in_zone"]] == ["row 3", "row 4", "row 5"]
    assert client.post("/api/cases/import?dry_run=false", files=upload, headers=key).json() == done  # a retry
    kept = rows(container, "SELECT given_name, missing_since, missing_since_offset FROM cases ORDER BY given_name")
    assert [(name, when.astimezone(UTC).isoformat(), offset) for name, when, offset in kept] == [
        ("Ann", "2024-05-01T00:30:00+00:00", 480), ("Bo", "2024-05-01T00:30:00+00:00", 480),
        ("Cy", "2024-05-01T07:30:00+00:00", 60), ("Di", "2024-05-01T04:00:00+00:00", -240)]


def test_a_spreadsheet_date_and_time_kept_as_a_number_is_read_as_that_date_and_time_in_the_rows_zone(
    client: TestClient, container: Container
) -> None:
    """An XLSX cell holding 46000.75 (General format: the serial day 2025-12-09 and three quarters of it,
    18:00) is that date and time in the row's zone (before: refused as "not a date"); a date-formatted cell
    keeps its time too, and a whole serial is the day's midnight."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["given_name", "sex", "birth_date", "missing_since", "zone"])
    sheet.append(["Ida", "female", date(2016, 1, 1), 46000.75, "Asia/Shanghai"])
    sheet.append(["Jo", "male", date(2016, 1, 1), 46000.7083333333, "Europe/London"])
    sheet.append(["Kim", "male", date(2016, 1, 1), 46000.5, ""])
    sheet["D4"].number_format = "yyyy-mm-dd"  # shown as a date, holding 12:00
    sheet.append(["Lu", "female", date(2016, 1, 1), 46000, "America/New_York"])
    data = io.BytesIO()
    book.save(data)
    done = client.post("/api/cases/import?dry_run=false", files={"file": ("c.xlsx", data.getvalue())}).json()
    assert done["created"] == 4 and done["problems"] == []
    kept = rows(container, "SELECT given_name, missing_since, missing_since_offset FROM cases ORDER BY given_name")
    assert [(name, when.astimezone(UTC).isoformat(), offset) for name, when, offset in kept] == [
        ("Ida", "2025-12-09T10:00:00+00:00", 480), ("Jo", "2025-12-09T17:00:00+00:00", 0),
        ("Kim", "2025-12-09T04:00:00+00:00", 480), ("Lu", "2025-12-09T05:00:00+00:00", -300)]


def test_a_sheets_time_that_happened_twice_or_never_in_its_zone_is_refused_naming_what_to_write(
    client: TestClient, container: Container
) -> None:
    """New York, 1 November 2026: 01:30 happened twice (the clocks went back). The row is refused naming both
    times with their offsets (before: taken silently as the first); written with the offset, it is kept as
    that one. 8 March's 02:30 never happened: refused too."""
    sheet = ("given_name,sex,birth_date,missing_since,zone\n"
             "Fay,female,2016-01-01,2026-11-01T01:30,America/New_York\n"
             "Gus,male,2016-01-01,2026-11-01T01:30-05:00,America/New_York\n"
             "Hal,male,2016-01-01,2026-03-08T02:30,America/New_York\n")
    upload = {"file": ("c.csv", sheet.encode())}
    done = client.post("/api/cases/import?dry_run=false", files=upload).json()
    assert done["created"] == 1
    problems = {p["record"]: p["reason"] for p in done["problems"]}
    assert problems["row 2"] == (
        "“missing since”: Nov 1, 2026, 1:30\u202fAM happened twice in Eastern Time: "
        "the clocks went back over it (summer time ended). "
        "Write it with its UTC offset: 2026-11-01T01:30-04:00 (the first time) or 2026-11-01T01:30-05:00 (the second)")
    assert "Mar 8, 2026, 2:30\u202fAM never happened in Eastern Time" in problems["row 4"]
    kept = rows(container, "SELECT given_name, missing_since, missing_since_offset FROM cases")
    assert [(name, when.astimezone(UTC).isoformat(), offset) for name, when, offset in kept] == [
        ("Gus", "2026-11-01T06:30:00+00:00", -300)]
    chinese = client.post("/api/cases/import", files=upload, headers={"Accept-Language": "zh-CN"}).json()
    reason = chinese["problems"][0]["reason"]
    assert "出现了两次" in reason and "2026-11-01T01:30-05:00" in reason


TYPED_SHEET = ("given_name,sex,birth_date,missing_since\n"
               "Fu,female,2016/07/08,2026/11/20 10:00\n"  # typed as the birth date is, then a time
               "Gu,male,2017.03.02,2026.11.20 10:00\n"
               "He,female,2016年7月8日,2026年11月20日上午10点\n"
               "Ji,male,2016-07-08,2026-11-20T10:00-00:00\n"  # RFC 3339: offset unknown, read in the zone
               "Ke,male,2016-07-08,soon\n"  # no date: refused, the field in the reader's words
               "Lu,male,2016-07-08,2099-11-20 10:00\n")  # refused: not listed as read in a zone


def test_a_sheets_dates_typed_as_people_type_them_are_read_with_their_time_and_refusals_named_in_chinese(
    client: TestClient,
) -> None:
    upload = {"file": ("c.csv", TYPED_SHEET.encode())}
    dry = client.post("/api/cases/import", files=upload, headers={"Accept-Language": "zh-CN"}).json()
    assert dry["created"] == 4, dry
    assert [r["record"] for r in dry["read_in_zone"]] == ["第 2 行", "第 3 行", "第 4 行", "第 5 行"]
    reasons = {p["record"]: p["reason"] for p in dry["problems"]}
    assert set(reasons) == {"第 6 行", "第 7 行"}
    assert reasons["第 6 行"].startswith("“走失时间”必须是日期") and "missing_since" not in reasons["第 6 行"]


def test_the_command_line_says_which_zone_a_sheets_times_without_an_offset_were_read_in(
    cli_env: CliRunner, container: Container, tmp_path: Path
) -> None:
    sheet = tmp_path / "cases.csv"
    sheet.write_text(ZONED_SHEET, encoding="utf-8")
    dry = cli_env.invoke(cli, ["import-cases", str(sheet), "--dry-run"])
    assert "missing_since without a UTC offset, read in Asia/Shanghai, UTC+08:00: row 3" in dry.output
    assert "missing_since without a UTC offset, read in Europe/London, UTC+01:00: row 4" in dry.output
    assert "row 6: “zone”: Mars/Olympus is not a time zone this site knows" in dry.output
    assert dry.exit_code == 1 and rows(container, "SELECT count(*) FROM cases")[0][0] == 0


def test_atom_feed_pages_by_date_and_filters_by_region(client: TestClient, container: Container,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from reunite.entrypoints.web import reach as pages

    monkeypatch.setattr(pages, "FEED_PAGE", 2)
    photo = Upload(portrait(), "kid.jpg")
    for name, place in (("A", "Wuhan"), ("B", "Shanghai"), ("C", "Wuhan, Hankou")):
        case = NewCase(given_name=name, family_name="Secretname", sex=Sex.FEMALE, birth_date=date(2015, 1, 1),
                       missing_since=datetime(2019, 6, 1, tzinfo=UTC), last_seen_place=None, last_seen_text=place,
                       family_contact="+86 139 1111 2222")
        intake.register_case(container.deps, OPERATOR, case, [photo], [None])
    pfif.import_pfif(container.deps, PARTNER, UNVERIFIED)  # not verified: never in the feed
    anonymous = TestClient(create_app(container))
    first = anonymous.get("/feeds/cases.atom")
    assert first.status_code == 200 and first.headers["content-type"].startswith("application/atom+xml")
    assert first.text.count("<entry>") == 2 and "Missing: C" in first.text and "小明" not in first.text
    assert "Secretname" not in first.text and "139 1111" not in first.text
    next_page = first.text.split('<link rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = anonymous.get(next_page.removeprefix("http://127.0.0.1:8000"))
    assert second.text.count("<entry>") == 1 and "Missing: A" in second.text
    wuhan = anonymous.get("/feeds/cases.atom", params={"region": "wuhan"})
    assert wuhan.text.count("<entry>") == 2 and "Missing: B" not in wuhan.text


def test_a_feed_readers_error_is_plain_text_in_the_readers_language(container: Container) -> None:
    """A feed reader shows an error's text: never an HTML page on a feed's address."""
    anonymous = TestClient(create_app(container))
    wrong = anonymous.get("/feeds/cases.atom", params={"before": "garbage"})
    assert wrong.status_code == 422 and wrong.headers["content-type"].startswith("text/plain")
    assert "<html" not in wrong.text.lower() and "This request cannot be answered" in wrong.text
    chinese = anonymous.get("/feeds/cases.atom", params={"before": "garbage"}, headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 422 and chinese.headers["content-type"].startswith("text/plain")
    assert chinese.headers["content-language"] == "zh-CN" and "<html" not in chinese.text.lower()
    assert "This request" not in chinese.text and re.search(r"[\u4e00-\u9fff]", chinese.text)
    missing = anonymous.get("/feeds/nothing.atom")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/plain")


def test_a_feeds_region_finds_cases_in_it_whatever_script_either_is_written_in(
        client: TestClient, container: Container) -> None:
    """A feed for a city or a province lists the cases the gazetteer places there: 武汉市汉口 for Wuhan,
    Chengdu for 成都, a place in Shenzhen for 广东 (Guangdong's cities), traditional characters too."""
    photo = Upload(portrait(), "kid.jpg")
    for name, place in (("A", "武汉市汉口"), ("B", "Chengdu"), ("C", "深圳 福田"), ("D", "成都 天府廣場"),
                        ("E", "Shanghai")):
        case = NewCase(given_name=name, family_name="F", sex=Sex.FEMALE, birth_date=date(2015, 1, 1),
                       missing_since=datetime(2019, 6, 1, tzinfo=UTC), last_seen_place=None, last_seen_text=place,
                       family_contact="+86 139 1111 2222")
        intake.register_case(container.deps, OPERATOR, case, [photo], [None])
    anonymous = TestClient(create_app(container))

    def listed(region: str) -> set[str]:
        feed = anonymous.get("/feeds/cases.atom", params={"region": region}).text
        return {name for name in "ABCDE" if f"Missing: {name}<" in feed}

    assert listed("Wuhan") == {"A"} and listed("湖北") == {"A"}
    assert listed("成都") == {"B", "D"} == listed("Chengdu") == listed("成都市")
    assert listed("Guangdong") == {"C"} == listed("广东") == listed("Shenzhen")
    assert listed("上海") == {"E"}


def test_pdf_poster_renders_chinese_and_never_the_family(client: TestClient, container: Container) -> None:
    photo = Upload(portrait(), "kid.jpg")
    case = NewCase(given_name="小林", family_name="张", sex=Sex.FEMALE, birth_date=date(2015, 1, 1),
                   missing_since=datetime(2019, 6, 1, 8, tzinfo=UTC), last_seen_place=None,
                   last_seen_text="武汉汉口火车站", family_contact="+86 138 0000 3333")
    case_id = intake.register_case(container.deps, OPERATOR, case, [photo], [None]).case_id
    run_jobs(container)  # its photo's faces found: a poster prints it only once they are
    pdf = TestClient(create_app(container)).get(f"/p/{case_id}/poster.pdf", params={"lang": "zh_CN"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    page = PdfReader(io.BytesIO(pdf.content)).pages[0]
    text = page.extract_text()
    # where she was last seen: the city only, never the station the family named (docs/privacy.md)
    assert "走失儿童" in text and "小林" in text and "湖北省武汉市" in text and "110" in text
    assert "汉口" not in text and "火车站" not in text
    assert "走失时年龄：4 岁" in text and f"/p/{case_id}" in text
    assert "张" not in text.replace("小林", "") and "138 0000" not in text
    assert len(page.images) == 2  # the child's photo and the QR code
    english = PdfReader(io.BytesIO(TestClient(create_app(container)).get(f"/p/{case_id}/poster.pdf").content))
    assert "Missing child" in english.pages[0].extract_text()


def test_a_sheets_text_longer_than_a_case_keeps_is_imported_and_the_report_says_where_it_was_cut(
        client: TestClient) -> None:
    """Probe s23 W9, for sheets as for PFIF: a description cut at 4,000 characters was cut without a word."""
    long = "红色外套，" * 1000  # 5,000 characters
    sheet = f"given_name,sex,birth_date,missing_since,description\nAnn,female,2016-07-08,2024-05-01,{long}\n"
    report = client.post("/api/cases/import?dry_run=false", files={"file": ("c.csv", sheet.encode())}).json()
    assert report["created"] == 1
    [cut] = report["problems"]
    assert cut["record"] == "row 2" and "longer than 4,000 characters" in cut["reason"], cut
    [case_id] = [r["case"] for r in report["registered"]]
    assert len(client.get(f"/api/cases/{case_id}").json()["description"]) == 4000
