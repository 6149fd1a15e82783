"""The outside probe s46's last findings: a sheet in Shift_JIS, EUC-KR or windows-1251 is refused naming the
encoding, never imported as mojibake (P6); a zone is read as the offset it says (``UTC+8``, ``GMT+8``), ``Etc/GMT+8``
refused naming its real offset, and every note names the offset applied (P13); PFIF notes dated ahead are not kept
(P15); a misspelt PFIF field and a sheet's column with no name that holds words are said (P3, P5); the sightings'
filter reads sex as the forms do; a domain is compared in one form, its punycode (P14)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.config import Settings
from reunite.domain.access import Scope
from tests.e2e.test_pfif_sync import doc, note, person, rows
from tests.e2e.test_probe_pfif import token_client

XML = {"Content-Type": "application/xml"}
HEAD = "given_name,family_name,sex,birth_date,missing_since,last_seen_text\n"


def imported(partner: TestClient, sheet: bytes, language: str = "en", dry_run: bool = True) -> Any:
    return partner.post(f"/api/cases/import?dry_run={str(dry_run).lower()}", files={"file": ("c.csv", sheet)},
                        headers={"Accept-Language": language})


@pytest.mark.parametrize(("codec", "encoding", "language", "given", "family"), [
    ("shift_jis", "Shift_JIS", "Japanese", "さくら", "山田"), ("euc_kr", "EUC-KR", "Korean", "지민", "김"),
    ("cp1251", "windows-1251", "Cyrillic", "Ангелина", "Смирнова")])
def test_a_sheet_in_another_legacy_encoding_is_refused_naming_it_never_read_as_chinese(
    container: Container, codec: str, encoding: str, language: str, given: str, family: str,
) -> None:
    partner = token_client(container, Scope.WRITE, domains=("ngo46.org",))
    sheet = (HEAD + f"{given},{family},f,2016-05-02,2026-11-02T10:00+08:00,Wuhan\n").encode(codec)
    for dry_run in (True, False):
        refused = imported(partner, sheet, dry_run=dry_run)
        assert refused.status_code == 415 and refused.json()["field"] == "file", refused.text
        assert refused.json()["detail"].startswith(
            f"the CSV file is not in UTF-8: its bytes read as {language} in {encoding}")
        assert "(line 2): nothing was imported" in refused.json()["detail"]
    chinese = imported(partner, sheet, "zh-CN").json()["detail"]
    assert f"按 {encoding}" in chinese and "未导入任何内容" in chinese
    assert rows(container, "SELECT count(*) FROM cases") == [(0,)]
    # the same names in UTF-8 are taken as they are; a GBK sheet of Chinese names is read as before
    assert imported(partner, sheet.decode(codec).encode(), dry_run=False).json()["created"] == 1
    assert rows(container, "SELECT given_name, family_name FROM cases") == [(given, family)]
    gbk = imported(partner, (HEAD + "小红,李,f,2016-05-02,2026-11-02T10:00+08:00,武汉\n").encode("gbk"))
    assert gbk.status_code == 200 and gbk.json()["created"] == 1, gbk.text


ZONE_HEAD = "given_name,birth_date,missing_since,zone\n"


def test_a_zone_said_as_an_offset_is_that_offset_and_etc_gmt_is_refused_naming_its_real_offset(
    container: Container,
) -> None:
    partner = token_client(container, Scope.WRITE, domains=("ngo46.org",))
    sheet = ZONE_HEAD + "".join(f"Z{n},2016-05-02,2026-11-15 10:00,{zone}\n" for n, zone in enumerate(
        ("UTC+8", "GMT+8", "UTC+08:00", "utc-5", "Etc/GMT+8", "Etc/GMT-8", "UTC+5:30")))
    report = imported(partner, sheet.encode()).json()
    assert report["created"] == 4
    notes = [(r["record"], r["zone"], r["offset"], r["note"]) for r in report["read_in_zone"]]
    assert notes == [(f"row {n}", offset, offset, f"“missing since” has no UTC offset: read at {offset}")
                     for n, offset in ((2, "UTC+08:00"), (3, "UTC+08:00"), (4, "UTC+08:00"), (5, "UTC\u221205:00"))]
    reasons = {p["record"]: p["reason"] for p in report["problems"]}
    assert reasons == {
        "row 6": "“zone”: Etc/GMT+8 is UTC\u221208:00 in the time-zone database (its sign is the reverse of what it "
                 "looks): write UTC+8 if you meant UTC+08:00 (China's time is UTC+8), or UTC-8 for UTC\u221208:00",
        "row 7": "“zone”: Etc/GMT-8 is UTC+08:00 in the time-zone database (its sign is the reverse of what it "
                 "looks): write UTC-8 if you meant UTC\u221208:00 (China's time is UTC+8), or UTC+8 for UTC+08:00",
        "row 8": "“zone”: UTC+5:30: an offset of UTC+05:30 has no zone here: give the place's zone name, such as "
                 "Asia/Kolkata"}
    chinese = imported(partner, sheet.encode(), "zh-CN").json()
    assert chinese["read_in_zone"][0]["note"] == "“走失时间”未注明 UTC 偏移：按 UTC+08:00 读取"
    assert "中国时间是 UTC+8" in chinese["problems"][0]["reason"]
    imported(partner, sheet.encode(), dry_run=False)
    kept = rows(container, "SELECT given_name, missing_since FROM cases ORDER BY given_name")
    assert [(name, when.astimezone(UTC).strftime("%H:%M")) for name, when in kept] == [
        ("Z0", "02:00"), ("Z1", "02:00"), ("Z2", "02:00"), ("Z3", "15:00")]  # 10:00 in China is 02:00 UTC


def test_the_sites_zone_set_as_an_offset_is_that_offset_and_etc_gmt_is_refused() -> None:
    assert Settings(timezone="UTC+8").timezone == "Etc/GMT-8"  # UTC+08:00
    with pytest.raises(ValueError, match="Etc/GMT\\+8 is UTC\u221208:00 in the time-zone database"):
        Settings(timezone="Etc/GMT+8")


def test_pfif_notes_dated_ahead_are_not_kept_naming_their_field(container: Container) -> None:
    partner = token_client(container, Scope.WRITE, domains=("ngo46.org",))
    child = person("ngo46.org/p1", full_name="甲", date_of_birth="2016", source_date="2026-11-01T00:00:00Z")
    alive = note("ngo46.org/nown", person_record_id="ngo46.org/p1", status="is_note_author",
                 author_made_contact="true", text="found alive today", source_date="2026-11-02T00:00:00Z")
    dead = note("ngo46.org/futn2", person_record_id="ngo46.org/p1", status="believed_dead", text="believed dead",
                entry_date="2030-01-01T00:00:00Z")
    later = note("ngo46.org/futn", person_record_id="ngo46.org/p1", text="later", source_date="2099-01-01T00:00:00Z")
    answer = partner.post("/api/pfif", content=doc(child + alive + dead + later), headers=XML)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["notes_added"] == 1
    assert {p["record"]: p["reason"] for p in report["problems"]} == {
        "ngo46.org/futn2": "entry_date Jan 1, 2030, 8:00\u202fAM China Standard Time is in the future: a note is "
                           "dated when it was written; it is not kept. Send it with that time",
        "ngo46.org/futn": "source_date Jan 1, 2099, 8:00\u202fAM China Standard Time is in the future: a note is "
                          "dated when it was written; it is not kept. Send it with that time"}
    assert rows(container, "SELECT record_id FROM case_notes") == [("ngo46.org/nown",)]
    # a person dated by a future entry_date alone is told so by that field, never as "went missing as an adult"
    ahead = partner.post("/api/pfif", content=doc(person("ngo46.org/p2", full_name="乙", date_of_birth="2016",
                                                         entry_date="2099-01-01T00:00:00Z")), headers=XML).json()
    assert ahead["problems"][0]["reason"].startswith("entry_date Jan 1, 2099, 8:00\u202fAM China Standard Time is "
                                                     "in the future (the record has no source_date)")


def test_a_misspelt_pfif_field_and_a_sheet_column_with_no_name_are_said(container: Container) -> None:
    partner = token_client(container, Scope.WRITE, domains=("ngo46.org",))
    typo = person("ngo46.org/typo1", full_name="丙", date_of_birth="2016", source_date="2026-12-01T00:00:00Z",
                  descripton="Missing since: 2026-11-20T10:00+08:00 穿红色外套", photo="x")
    report = partner.post("/api/pfif", content=doc(typo), headers=XML).json()
    assert report["created"] == 1  # the record is taken, what it misspelt said
    assert [p["reason"] for p in report["problems"]] == [
        "descripton is not a PFIF person field: it is not read (did you mean description?)",
        "photo is not a PFIF person field: it is not read (did you mean photo_url?)"]
    sheet = "given_name,,birth_date,missing_since\n空列,左脸有痣 家长电话,2016-05-02,2026-11-15T10:00+08:00\n"
    said = imported(partner, sheet.encode()).json()
    assert said["created"] == 1 and [(p["record"], p["reason"]) for p in said["problems"]] == [
        ("row 1", "column B has no name in the first row, but holds words (row 2): its cells are not imported; "
                  "name the column")]
    blank = imported(partner, b"given_name,,birth_date,missing_since\nA,,2016-05-02,2026-11-15\n").json()
    assert blank["problems"] == []  # an empty column with no name says nothing


def test_the_sightings_filter_reads_sex_as_the_forms_do(container: Container) -> None:
    reader = token_client(container, Scope.READ_SIGHTINGS)
    female = reader.get("/api/sightings", params={"sex": "female"})
    assert female.status_code == 200, female.text
    for word in ("女", "F", "f"):
        answer = reader.get("/api/sightings", params={"sex": word})
        assert answer.status_code == 200 and answer.json() == female.json(), (word, answer.text)
    assert reader.get("/api/sightings", params={"sex": "男"}).status_code == 200
    assert reader.get("/api/sightings", params={"sex": "purple"}).status_code == 422


def test_an_internationalised_domain_is_one_domain_in_either_spelling(container: Container) -> None:
    for given in ("中国.org", "xn--fiqs8s.org", "XN--FIQS8S.ORG"):
        partner = token_client(container, Scope.WRITE, domains=(given,))
        records = [person(f"{domain}/p{n}", full_name=f"名{n}", date_of_birth="2016",
                          source_date="2026-12-01T00:00:00Z")
                   for n, domain in enumerate(("中国.org", "xn--fiqs8s.org", "中国.ORG"))]
        report = partner.post("/api/pfif", content=doc("".join(records)), headers=XML).json()
        assert report["problems"] == [] and report["created"] + report["unchanged"] == 3, (given, report)
    assert rows(container, "SELECT record_id FROM cases ORDER BY record_id") == [
        ("xn--fiqs8s.org/p0",), ("xn--fiqs8s.org/p1",), ("xn--fiqs8s.org/p2",)]
    other = token_client(container, Scope.WRITE, domains=("ngo46.org",))
    refused = other.post("/api/pfif", content=doc(person("中国.org/p9", full_name="丁", date_of_birth="2016",
                                                         source_date="2026-12-01T00:00:00Z")), headers=XML).json()
    assert refused["created"] == 0 and len(refused["problems"]) == 1


def test_the_browse_pages_sex_filter_reads_the_same_words(container: Container) -> None:
    from tests.e2e.test_filter_errors import browser

    reader = browser(container, "en")
    for word in ("female", "女", "F", "男"):
        page = reader.get("/sightings", params={"sex": word})
        assert page.status_code == 200 and 'id="filter-errors"' not in page.text, word
    assert reader.get("/sightings", params={"sex": "unknown"}).status_code == 422  # a filter of girls or boys
