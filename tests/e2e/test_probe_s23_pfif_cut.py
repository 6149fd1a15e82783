"""The outside probe s23's W9: a PFIF description longer than the 4,000 characters a case keeps was cut with
``problems: []``, so the partner never learnt of the loss. The record is still imported, and the report says,
record by record and field by field, where each text was cut, in the reader's language."""

from __future__ import annotations

from reunite.bootstrap import Container
from reunite.domain.access import Scope
from tests.e2e.test_pfif_sync import doc, note, person, rows
from tests.e2e.test_probe_pfif import PERSON, XML, token_client

LONG = PERSON | {"description": "Missing since: 2025-11-01\n" + "她穿着红色外套。" * 1000,
                 "home_street": "x" * 12_000}


def test_a_text_longer_than_a_case_keeps_is_imported_and_the_report_says_where_it_was_cut(
    container: Container
) -> None:
    writer = token_client(container, Scope.WRITE, domains=("partnerb.org",))
    sent = doc(person("partnerb.org/p.42", **LONG) + person("partnerb.org/p.43", **PERSON)
               + note("partnerb.org/n.1", person_record_id="partnerb.org/p.42", **{
                   "entry_date": PERSON["entry_date"], "source_date": PERSON["source_date"],
                   "text": "Seen at the station. " * 300, "last_known_location": "Hankou " * 100}))
    answer = writer.post("/api/pfif", headers=XML, content=sent)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["created"] == 2 and report["notes_added"] == 1  # imported all the same
    assert sorted((p["record"], p["reason"]) for p in report["problems"]) == [
        ("partnerb.org/n.1", "last_known_location is longer than 500 characters: kept up to there, the rest is cut"),
        ("partnerb.org/n.1", "text is longer than 4,000 characters: kept up to there, the rest is cut"),
        ("partnerb.org/p.42", "description is longer than 4,000 characters: kept up to there, the rest is cut"),
        ("partnerb.org/p.42", "home_street is longer than 10,000 characters: kept up to there, the rest is cut"),
    ]  # p.43, within every limit, is not named
    kept = rows(container, "SELECT description FROM cases WHERE record_id = 'partnerb.org/p.42'")[0][0]
    assert kept.startswith("她穿着红色外套。") and len(kept) < 4000

    # the same version again is unchanged: the partner was told when it came, and nothing more is cut now
    again = writer.post("/api/pfif", headers=XML, content=sent)
    assert again.json()["unchanged"] == 2 and again.json()["problems"] == []

    chinese = writer.post("/api/pfif", headers=XML | {"Accept-Language": "zh-CN"},
                          content=doc(person("partnerb.org/p.44", **LONG | {"home_street": "Qiaokou"})))
    assert chinese.json()["created"] == 1
    assert [p["reason"] for p in chinese.json()["problems"]] == [
        "description 超过 4,000 个字符：只保存了前 4,000 个字符，其余部分已截去"]
