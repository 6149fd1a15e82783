"""The outside probe s41's D3, D5, D6 and D7: a hand-made sheet is never misread silently (cells shifted by an
unquoted comma, a column named twice or misspelled), a Big5 PFIF document labelled GB2312 is refused rather
than stored as invisible characters, this site's CSV export reads back as it was written, and PFIF writes a
name of mixed scripts as people write it and only web addresses as profile links."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Scope
from reunite.services import moderation
from tests.e2e.test_pfif_sync import person, register_local_case, rows
from tests.e2e.test_probe_pfif import RECENT, token_client


def sheet(text: str) -> dict[str, tuple[str, bytes]]:
    return {"file": ("cases.csv", text.encode())}


def test_a_row_with_more_cells_than_its_header_is_refused_naming_the_row_and_nothing_of_it_is_stored(
    client: TestClient, container: Container,
) -> None:
    shifted = sheet("given_name,birth_date,missing_since,description,last_seen_text,family_contact\n"
                    "乙乙,2019-02-01,2026-11-01,red coat, blue shoes,武汉市江汉区,妈妈 13800001111\n"
                    "丙丙,2019-02-01,2026-11-01,green hat,汉口,爸爸 13900002222\n")
    for dry_run in ("true", "false"):
        report = client.post(f"/api/cases/import?dry_run={dry_run}", files=shifted).json()
        assert report["created"] == 1
        assert [(p["record"], "more than" not in p["reason"] and "past the 6 columns" in p["reason"])
                for p in report["problems"]] == [("row 2", True)]
    assert rows(container, "SELECT given_name, family_contact FROM cases") == [("丙丙", "爸爸 13900002222")]
    chinese = client.post("/api/cases/import", files=shifted, headers={"Accept-Language": "zh-CN"}).json()
    assert chinese["problems"][0]["record"] == "第 2 行" and "6" in chinese["problems"][0]["reason"]
    assert "past" not in chinese["problems"][0]["reason"]


def test_a_column_named_twice_or_not_read_here_is_a_problem_of_the_report_naming_it(client: TestClient) -> None:
    twice = sheet("given_name,birth_date,missing_since,description,description\n"
                  'Ann,2019-02-01,2026-11-01,"first words","second words"\n'
                  "Bo,2019-02-01,2026-11-01,,only words\n")
    report = client.post("/api/cases/import", files=twice).json()
    assert report["created"] == 1  # Bo: one of the two cells filled; Ann's two differ: not taken
    assert [(p["record"], "column “description” is named" in p["reason"]) for p in report["problems"]] == [
        ("row 1", True), ("row 2", True)]
    misspelled = sheet("given_name,birth_date,missing_since,descripton,family_contct,last_seen\n"
                       "Cy,2019-02-01,2026-11-01,red coat,mum 13800001111,Wuhan\n")
    report = client.post("/api/cases/import", files=misspelled).json()
    assert report["created"] == 1
    assert [(p["record"], p["reason"].split(" is not one")[0]) for p in report["problems"]] == [
        ("row 1", "the column descripton"), ("row 1", "the column family_contct"), ("row 1", "the column last_seen")]
    assert "the column descripton is not one this site reads" in report["problems"][0]["reason"]
    assert "family_contact" in report["problems"][0]["reason"]  # the columns it reads
    chinese = client.post("/api/cases/import", files=misspelled, headers={"Accept-Language": "zh-CN"}).json()
    assert "descripton" in chinese["problems"][0]["reason"] and "not one" not in chinese["problems"][0]["reason"]


def test_a_header_read_as_people_spell_it_or_one_that_names_no_column_of_ours_is_told_the_names_expected(
    client: TestClient,
) -> None:
    spaced = sheet("Given Name,Birth-Date,MISSING_SINCE,Family Name\nAnn,2019-02-01,2026-11-01,Li\n")
    read = client.post("/api/cases/import", files=spaced).json()
    assert read["created"] == 1 and read["problems"] == []
    chinese_names = sheet("姓名,出生日期,走失时间\n乙乙,2019-02-01,2026-11-01\n")
    refused = client.post("/api/cases/import", files=chinese_names)
    assert refused.status_code == 422 and refused.json()["field"] == "file"
    assert "姓名, 出生日期, 走失时间" in refused.json()["detail"]
    assert "given_name, birth_date, missing_since" in refused.json()["detail"]
    in_chinese = client.post("/api/cases/import", files=chinese_names, headers={"Accept-Language": "zh-CN"})
    assert in_chinese.status_code == 422 and "姓名, 出生日期, 走失时间" in in_chinese.json()["detail"]
    assert "case sheet" not in in_chinese.json()["detail"]
    # content that is no sheet at all stays 415
    assert client.post("/api/cases/import", files=sheet("<html><body>hi</body></html>")).status_code == 415


BIG5_PERSON = {"entry_date": RECENT, "source_date": RECENT, "given_name": "小紅", "family_name": "張",
               "date_of_birth": "2016-02-02", "description": "Missing since: 2025-11-01\n紅色外套，在臺北車站走失"}


def test_a_big5_pfif_document_labelled_gb2312_is_refused_never_stored_as_invisible_characters(
    container: Container,
) -> None:
    writer = token_client(container, Scope.WRITE, domains=("ngo.org",))
    body = ('<?xml version="1.0" encoding="GB2312"?>\n<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">'
            f'{person("ngo.org/big5a", **BIG5_PERSON)}</pfif:pfif>').encode("big5")
    refused = writer.post("/api/pfif", content=body, headers={"Content-Type": "application/xml"})
    assert refused.status_code == 422 and "labelled GB2312, but its bytes are Big5's" in refused.json()["detail"]
    chinese = writer.post("/api/pfif", content=body, headers={"Content-Type": "application/xml",
                                                              "Accept-Language": "zh-CN"})
    assert chinese.status_code == 422 and "Big5" in chinese.json()["detail"]
    assert "bytes" not in chinese.json()["detail"]
    assert rows(container, "SELECT count(*) FROM cases") == [(0,)]
    labelled = body.replace(b'encoding="GB2312"', b'encoding="Big5"')
    taken = writer.post("/api/pfif", content=labelled, headers={"Content-Type": "application/xml"})
    assert taken.status_code == 200 and rows(container, "SELECT given_name, family_name FROM cases") == [
        ("小紅", "張")]


def test_this_sites_csv_export_reads_back_as_written_and_its_own_rows_are_not_registered_again(
    client: TestClient, container: Container,
) -> None:
    guarded = sheet("given_name,birth_date,missing_since,nicknames,description,marks\n"
                    "Zoey,2018-01-01,2026-11-01,\"'@zo, -zoe-\",\"'=blue jacket, +1 shoe\",'-3cm scar on chin\n"
                    "Ying,2018-01-01,2026-11-01,,''=two quotes,it's\n")
    assert client.post("/api/cases/import?dry_run=false", files=guarded).json()["created"] == 2
    assert rows(container, "SELECT nicknames, description, marks FROM cases ORDER BY given_name DESC") == [
        (["@zo", "-zoe-"], "=blue jacket, +1 shoe", "-3cm scar on chin"), ([], "''=two quotes", "it's")]
    writer = token_client(container, Scope.WRITE, domains=("ngo.org",))
    partners = "".join(person(f"ngo.org/{record}", entry_date=RECENT, source_date=RECENT, given_name=given,
                              family_name="Li", description="Missing since: 2025-11-01", **born)
                       for record, given, born in (("m1", "Mia", {"date_of_birth": "2015-03"}),
                                                   ("m2", "Max", {"age": "9"})))
    done = writer.post("/api/pfif", content=('<?xml version="1.0" encoding="UTF-8"?>\n<pfif:pfif '
                                             f'xmlns:pfif="http://zesty.ca/pfif/1.4">{partners}</pfif:pfif>').encode(),
                       headers={"Content-Type": "application/xml"})
    assert done.json()["created"] == 2, done.json()
    own = register_local_case(container)
    for (case_id,) in rows(container, "SELECT id FROM cases WHERE verified_at IS NULL"):
        moderation.verify_case(container.deps, OPERATOR, case_id, "police report seen")
    exported = client.get("/api/cases.csv").content
    born = {row["given_name"]: row["birth_date"] for row in csv.DictReader(io.StringIO(exported.decode("utf-8-sig")))}
    assert born["Mia"] == "2015-03" and born["琳"] == "2015-01-01" and born["Zoey"] == "2018-01-01"
    assert len(born["Max"]) == 4 and born["Max"].isdigit()  # an age alone: a year, never an invented day
    again = client.post("/api/cases/import", files={"file": ("export.csv", exported)}).json()
    assert again["created"] == 0 and again["problems"] == [], again
    assert sorted(int(p["case"]) for p in again["already"]) == sorted(
        case_id for (case_id,) in rows(container, "SELECT id FROM cases"))
    assert any(int(p["case"]) == own and "own case" in p["reason"] for p in again["already"])
    other_site = exported.decode("utf-8-sig").replace(f"\n{own},", "\n999999,")  # another site's number: its own
    assert client.post("/api/cases/import", files=sheet(other_site)).json()["created"] == 1


def test_pfif_writes_a_mixed_script_name_given_name_first_and_keeps_only_web_profile_links(
    client: TestClient, container: Container,
) -> None:
    writer = token_client(container, Scope.WRITE, domains=("ngo.org",))
    record = person("ngo.org/u1", entry_date=RECENT, source_date=RECENT, given_name="Zoë",
                    family_name="O'Brien-陈", date_of_birth="2016-02-02", description="Missing since: 2025-11-01",
                    profile_urls="javascript:alert(1)\nhttps://social.example/zoe")
    done = writer.post("/api/pfif", content=('<?xml version="1.0" encoding="UTF-8"?>\n<pfif:pfif '
                                             f'xmlns:pfif="http://zesty.ca/pfif/1.4">{record}</pfif:pfif>').encode(),
                       headers={"Content-Type": "application/xml"})
    assert done.json()["created"] == 1
    assert [(p["record"], "profile_urls" in p["reason"]) for p in done.json()["problems"]] == [("ngo.org/u1", True)]
    (case_id,) = rows(container, "SELECT id FROM cases")[0]
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report seen")
    register_local_case(container)
    document = client.get("/api/pfif").text
    assert "<pfif:full_name>Zoë O'Brien-陈</pfif:full_name>" in document or \
        "<pfif:full_name>Zoë O&apos;Brien-陈</pfif:full_name>" in document
    assert "<pfif:full_name>张琳</pfif:full_name>" in document  # both Chinese: family name first
    assert "javascript" not in document and "https://social.example/zoe" in document
