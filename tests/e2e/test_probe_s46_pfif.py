"""The outside probe s46's PFIF findings: text with markup is kept whole (P2); records outside the document's PFIF
namespace, or no record at all, are said (P3); bytes in Shift_JIS, EUC-KR or windows-1251 labelled GBK are refused
naming the likely encoding, never stored as mojibake (P6); a field, a missing-since line or a record given twice is
refused naming it (P7); a date or age present but unreadable, or a future source_date, is told by its field (P9);
an oversized import names its field ``file`` and the limit as configured (P11)."""

from __future__ import annotations

from typing import Any

import pytest

from reunite.adapters.exchange.legacy_text import mislabelled_gb
from reunite.bootstrap import Container
from reunite.domain.access import Scope
from tests.e2e.test_pfif_sync import doc, person, rows
from tests.e2e.test_probe_pfif import token_client

DATED = {"source_date": "2026-12-01T00:00:00Z"}
CHILD = DATED | {"full_name": "M", "date_of_birth": "2016"}
XML = {"Content-Type": "application/xml"}


def sent(container: Container, body: bytes, language: str = "en", **headers: str) -> dict[str, Any]:
    writer = token_client(container, Scope.WRITE, domains=("ngo46.org",))
    answer = writer.post("/api/pfif", content=body, headers=XML | headers | {"Accept-Language": language})
    assert answer.status_code == 200, answer.text
    report: dict[str, Any] = answer.json()
    return report


def reasons(report: dict[str, Any]) -> dict[str, str]:
    return {problem["record"]: problem["reason"] for problem in report["problems"]}


def test_text_with_markup_is_kept_whole_and_said(container: Container) -> None:
    described = person("ngo46.org/m1", **CHILD, description="seen at the market<br/>with a man in a "
                       "<b>blue</b> car")
    report = sent(container, doc(described))
    assert report["created"] == 1
    assert rows(container, "SELECT description FROM cases") == [("seen at the market\nwith a man in a blue car",)]
    assert reasons(report) == {"ngo46.org/m1": "description holds markup (<br>, <b>): its words are kept as text, "
                                               "the markup is not"}
    # the words are kept as sent in the record, and exported as text
    assert rows(container, "SELECT pfif->>'description' FROM cases") == [
        ("seen at the market\nwith a man in a blue car",)]


def test_records_outside_the_pfif_namespace_and_empty_documents_are_said(container: Container) -> None:
    bare = ('<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4"><person><person_record_id>ngo46.org/m2'
            "</person_record_id><full_name>N</full_name><date_of_birth>2016</date_of_birth></person></pfif:pfif>")
    report = sent(container, bare.encode())
    assert report["created"] == 0 and reasons(report) == {
        "ngo46.org/m2": "person is not in the document's PFIF namespace (http://zesty.ca/pfif/1.4): it is not read",
        "?": "the document holds no person and no note in its PFIF namespace (http://zesty.ca/pfif/1.4): nothing "
             "was read"}
    older = ('<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4" xmlns:p2="http://zesty.ca/pfif/1.2"><p2:person>'
             "<p2:person_record_id>ngo46.org/m3</p2:person_record_id></p2:person></pfif:pfif>")
    said = sent(container, older.encode(), "zh-CN")["problems"]
    assert [p["record"] for p in said] == ["ngo46.org/m3", "?"]
    assert "{http://zesty.ca/pfif/1.2}person" in said[0]["reason"] and "未读取" in said[0]["reason"]
    assert "没有任何 person 或 note" in said[1]["reason"]  # and nothing was read at all
    # a field without its prefix in a person that is read: the person is taken, the field said
    half = person("ngo46.org/m4", **CHILD).replace("</pfif:person>", "<alternate_names>Mimi</alternate_names>"
                                                                        "</pfif:person>")
    taken = sent(container, doc(half))
    assert taken["created"] == 1 and "alternate_names is not in the document's PFIF namespace" in \
        reasons(taken)["ngo46.org/m4"]
    nothing = sent(container, doc("<pfif:other_thing/>"))
    assert reasons(nothing) == {"?": "the document holds no person and no note in its PFIF namespace "
                                     "(http://zesty.ca/pfif/1.4): nothing was read"}
    assert rows(container, "SELECT record_id FROM cases") == [("ngo46.org/m4",)]


NAMES = (("shift_jis", "Shift_JIS", "さくら", "山田"), ("euc_kr", "EUC-KR", "지민", "김"),
         ("cp1251", "windows-1251", "Ангелина", "Смирнова"))


@pytest.mark.parametrize(("codec", "encoding", "given", "family"), NAMES)
def test_other_legacy_encodings_labelled_gbk_are_refused_naming_the_likely_one(
    container: Container, codec: str, encoding: str, given: str, family: str,
) -> None:
    writer = token_client(container, Scope.WRITE, domains=("ngo46.org",))
    record = person("ngo46.org/e1", **CHILD | {"full_name": "", "given_name": given, "family_name": family})
    body = (f'<?xml version="1.0" encoding="GBK"?>\n<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">\n{record}'
            "</pfif:pfif>").encode(codec)
    refused = writer.post("/api/pfif", content=body, headers=XML)
    assert refused.status_code == 422 and refused.json()["field"] == "file"
    assert refused.json()["detail"] == (
        f"the PFIF document is labelled GBK, but its bytes read as {encoding}, not as Chinese (line 3): nothing was "
        f"imported. Label it {encoding}, or send it in UTF-8")
    sent_as = writer.post("/api/pfif", content=body.replace(b' encoding="GBK"', b""),
                          headers={"Content-Type": "application/xml; charset=gb2312", "Accept-Language": "zh-CN"})
    assert sent_as.status_code == 422 and f"按 {encoding} 才读得通" in sent_as.json()["detail"]
    assert rows(container, "SELECT count(*) FROM cases") == [(0,)]
    labelled = writer.post("/api/pfif", content=body.replace(b'"GBK"', f'"{encoding}"'.encode()), headers=XML)
    assert labelled.status_code == 200 and labelled.json()["created"] == 1, labelled.text
    assert rows(container, "SELECT given_name, family_name FROM cases") == [(given, family)]


def test_chinese_in_gbk_is_never_taken_for_another_encoding() -> None:
    texts = ("李小红", "陈丽", "王伟", "张伟", "高丽", "赵雪梅", "欧阳娜娜", "走失时间：2025-11-01\n红色外套",
             "在公园门口被人带走，穿蓝色衣服", "孩子左眉有一颗痣", "刘梓涵，女，六岁", "黄浩宇 黄一诺")
    for text in texts:
        assert mislabelled_gb(f'<?xml version="1.0" encoding="GBK"?><n>{text}</n>'.encode("gbk")) is None, text


def test_a_field_a_missing_since_line_or_a_record_given_twice_is_refused_naming_it(container: Container) -> None:
    twice_named = person("ngo46.org/dup1", **DATED | {"date_of_birth": "2016"}).replace(
        "</pfif:person>", "<pfif:full_name>陈一</pfif:full_name><pfif:full_name>陈二</pfif:full_name></pfif:person>")
    expiring = person("ngo46.org/dup2", **CHILD, expiry_date="2020-01-01T00:00:00Z").replace(
        "</pfif:person>", "<pfif:expiry_date>2099-01-01T00:00:00Z</pfif:expiry_date></pfif:person>")
    two_lines = person("ngo46.org/dup3", **CHILD, description="Missing since: 2026-11-20T10:00+08:00\n"
                       "Missing since: 2026-11-27T10:00+08:00\nblue")
    same_line = person("ngo46.org/ok1", **CHILD, description="Missing since: 2026-11-20\nMissing since: 2026-11-20")
    two_ids = person("all46.org/hh2", **CHILD).replace(
        "</pfif:person>", "<pfif:person_record_id>ngo46.org/hh2</pfif:person_record_id></pfif:person>")
    first = person("ngo46.org/a7", **DATED | {"full_name": "A", "date_of_birth": "2015"})
    second = person("ngo46.org/a7", **DATED | {"full_name": "B", "date_of_birth": "2014"})
    again = person("ngo46.org/a8", **CHILD)
    report = sent(container, doc(twice_named + expiring + two_lines + same_line + two_ids + first + second + again
                                 + again))
    assert reasons(report) == {
        "ngo46.org/dup1": "full_name is given 2 times in this record: the record is not taken; give each field once",
        "ngo46.org/dup2": "expiry_date is given 2 times in this record: the record is not taken; give each field once",
        "ngo46.org/dup3": "the description has 2 missing-since lines saying different dates (2026-11-20T10:00+08:00; "
                          "2026-11-27T10:00+08:00): the person is not taken; give one",
        "all46.org/hh2": "person_record_id is given 2 times in this record: the record is not taken; give each "
                         "field once",
        "ngo46.org/a7": "this person is in the document 2 times with different contents: none of them is taken; "
                        "send each record once",
    }
    # one line said twice alike is one line; one record sent twice alike is one record (a re-sent feed)
    assert report["created"] == 2 and report["unchanged"] == 1
    assert rows(container, "SELECT record_id FROM cases ORDER BY 1") == [("ngo46.org/a8",), ("ngo46.org/ok1",)]


def test_a_date_or_age_present_but_unreadable_is_told_by_its_field(container: Container) -> None:
    unreadable = {"ngo46.org/t1": CHILD | {"source_date": "yesterday"},
                  "ngo46.org/t2": CHILD | {"source_date": "2026-12-01T00:00:00+99:00"},
                  "ngo46.org/t3": CHILD | {"date_of_birth": "", "age": "99999999999999999999"},
                  "ngo46.org/t4": CHILD | {"date_of_birth": "0000-01"},
                  "ngo46.org/t5": CHILD | {"source_date": "2030-01-01T00:00:00Z"},
                  "ngo46.org/t6": {"entry_date": "soon", "full_name": "M", "date_of_birth": "2016"}}
    report = reasons(sent(container, doc("".join(person(record, **fields) for record, fields in unreadable.items()))))
    future = report.pop("ngo46.org/t5")  # in the reader's zone, named
    assert future.startswith("source_date Jan 1, 2030")
    assert future.endswith(" is in the future: a record is dated when it was written; send it with that time")
    assert report == {
        "ngo46.org/t1": "source_date “yesterday” is not a date and time: write it in UTC as 2026-12-01T08:00:00Z",
        "ngo46.org/t2": "source_date “2026-12-01T00:00:00+99:00” is not a date and time: write it in UTC as "
                        "2026-12-01T08:00:00Z",
        "ngo46.org/t3": "age “99999999999999999999” is not an age: write it as years, 7, or a range, 6-8, the "
                        "younger first",
        "ngo46.org/t4": "date_of_birth “0000-01” is not a date of birth: write it as 2016-05-02, 2016-05 or 2016",
        "ngo46.org/t6": "entry_date “soon” is not a date and time: write it in UTC as 2026-12-01T08:00:00Z",
    }
    chinese = reasons(sent(container, doc(person("ngo46.org/t7", **CHILD | {"source_date": "2030-01-01T00:00:00Z"})),
                           "zh-CN"))
    assert chinese["ngo46.org/t7"].startswith("source_date ")  # the field is named in Chinese too
    assert rows(container, "SELECT count(*) FROM cases") == [(0,)]


def test_an_oversized_import_names_its_field_file_and_the_limit_as_configured(container: Container) -> None:
    writer = token_client(container, Scope.WRITE, domains=("ngo46.org",))
    limit = container.settings.max_upload_bytes
    assert limit == 25 * 1024 * 1024
    big = b"x" * (limit + 1024 * 1024)
    for path in ("/api/pfif", "/api/cases/import?dry_run=true"):
        for language, words in (("en", "larger than the 25 MB limit"), ("zh-CN", "25 MB")):
            refused = writer.post(path, files={"file": ("big.csv", big)}, headers={"Accept-Language": language})
            assert refused.status_code == 413 and refused.json()["field"] == "file", (path, refused.text)
            assert words in refused.json()["detail"] and "26" not in refused.json()["detail"]
    raw = writer.post("/api/pfif", content=big, headers=XML)
    assert raw.status_code == 413 and raw.json()["field"] == "file"
