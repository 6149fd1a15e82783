"""Probe s21 on PFIF and spreadsheet imports: another registry's notes kept aside (U3), imports bounded and
withdrawn with their token (U4), and smaller defects of the exchange (U7)."""

from __future__ import annotations

import re
from datetime import UTC
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.services import moderation, pfif
from tests.e2e.test_bad_input import page_client
from tests.e2e.test_pfif_sync import RECENT, doc, note, person, rows
from tests.e2e.test_probe_pfif import PERSON, local_case, token_client

XML = {"Content-Type": "application/xml"}
FAKE = "FAKE: child found dead, close the case"


def partner_a_case(container: Container, record: str = "partnera.org/pa1") -> int:
    pfif.import_pfif(container.deps, OPERATOR, doc(person(record, **PERSON)))
    case_id = int(rows(container, f"SELECT id FROM cases WHERE record_id = '{record}'")[0][0])
    moderation.verify_case(container.deps, OPERATOR, case_id, "checked with partner A")
    return case_id


def fake_note(number: int, record: str = "partnera.org/pa1") -> str:
    return note(f"partnerb.org/n{number}", person_record_id=record, entry_date=RECENT, source_date=RECENT,
                author_name="B", status="believed_missing", text=FAKE)


def test_another_registrys_note_is_kept_aside_named_and_attached_only_by_a_moderator(
        container: Container, client: TestClient) -> None:
    case_id = partner_a_case(container)
    writer_b = token_client(container, Scope.WRITE, domains=("partnerb.org",))
    answer = writer_b.post("/api/pfif", headers=XML, content=doc(fake_note(1)))
    assert answer.status_code == 200, answer.text
    # nothing attached it at the end of the import: the case's notes are its own registry's
    seen = client.get(f"/api/cases/{case_id}").json()
    assert FAKE not in str(seen["notes"])
    assert [(n["source"], n["text"]) for n in seen["notes_aside"]] == [("partnerb.org", FAKE)]
    # nor does partner A's next import of its person (the note waits on a case whose person is here)
    pfif.import_pfif(container.deps, OPERATOR, doc(person("partnera.org/pa1", **PERSON | {
        "source_date": "2026-03-02T10:00:00Z"})))
    assert FAKE not in str(client.get(f"/api/cases/{case_id}").json()["notes"])
    # a note of A's own registry on its person is attached as before
    pfif.import_pfif(container.deps, OPERATOR, doc(note("partnera.org/own1", person_record_id="partnera.org/pa1",
                                                        entry_date=RECENT, source_date=RECENT, text="A's own")))
    assert "A's own" in str(client.get(f"/api/cases/{case_id}").json()["notes"])
    # the moderator sees it aside, with its registry, and may attach it
    moderator = page_client(container, Role.MODERATOR)
    page = moderator.get(f"/cases/{case_id}").text
    assert "Notes kept aside" in page and "partnerb.org" in page and FAKE in page
    assert "sent by the registry partnera.org" in page  # every note names its registry
    note_id = seen["notes_aside"][0]["id"]
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    attached = moderator.post(f"/cases/{case_id}/notes/{note_id}/attach", data={"csrf": csrf.group(1)},
                              follow_redirects=False)
    assert attached.status_code == 303, attached.text[:300]
    after = client.get(f"/api/cases/{case_id}").json()
    assert FAKE in str(after["notes"]) and not after["notes_aside"]
    assert rows(container, f"SELECT action FROM audit_log WHERE subject_id = {case_id} "
                           "AND action = 'case.note_attached'") == [("case.note_attached",)]
    # again: nothing kept aside has that number any more
    assert client.post(f"/api/cases/{case_id}/notes/{note_id}/attach").status_code == 404


def test_a_partners_notes_before_its_person_are_attached_when_it_comes_but_not_anothers(
        container: Container, client: TestClient) -> None:
    writer_b = token_client(container, Scope.WRITE, domains=("partnerb.org",))
    assert writer_b.post("/api/pfif", headers=XML, content=doc(fake_note(2, "partnera.org/pa9"))).status_code == 200
    writer_a = token_client(container, Scope.WRITE, domains=("partnera.org",))
    early = note("partnera.org/early", person_record_id="partnera.org/pa9", entry_date=RECENT, source_date=RECENT,
                 text="seen at the station")
    assert writer_a.post("/api/pfif", headers=XML, content=doc(early)).status_code == 200
    assert writer_a.post("/api/pfif", headers=XML, content=doc(person("partnera.org/pa9", **PERSON))).status_code == 200
    case_id = int(rows(container, "SELECT id FROM cases WHERE record_id = 'partnera.org/pa9'")[0][0])
    seen = client.get(f"/api/cases/{case_id}").json()
    assert [n["text"] for n in seen["notes"]] == ["seen at the station"]
    assert [n["text"] for n in seen["notes_aside"]] == [FAKE]


def pfif_doc(body: str, encoding: str = "UTF-8") -> bytes:
    return (f'<?xml version="1.0" encoding="{encoding}"?>\n<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">'
            f"{body}</pfif:pfif>").encode("gb18030" if encoding.upper() in ("GB2312", "GBK") else "utf-8")


def test_a_record_ids_domain_is_read_in_any_case(container: Container, client: TestClient) -> None:
    writer = token_client(container, Scope.WRITE, domains=("partnerb.org",))
    first = writer.post("/api/pfif", headers=XML, content=doc(person("PartnerB.org/p1", **PERSON))).json()
    again = writer.post("/api/pfif", headers=XML, content=doc(person("partnerb.org/p1", **PERSON))).json()
    assert (first["created"], again["created"], again["unchanged"]) == (1, 0, 1)
    assert rows(container, "SELECT record_id FROM cases") == [("partnerb.org/p1",)]
    writer.post("/api/pfif", headers=XML, content=doc(note("PARTNERB.ORG/n1", person_record_id="PARTNERB.org/p1",
                                                           entry_date=RECENT, source_date=RECENT, text="seen")))
    assert rows(container, "SELECT n.record_id, n.case_id = c.id FROM case_notes n, cases c") == [
        ("partnerb.org/n1", True)]


def test_a_source_date_in_the_future_is_refused_and_freezes_nothing(container: Container) -> None:
    writer = token_client(container, Scope.WRITE, domains=("partnera.org",))
    future = writer.post("/api/pfif", headers=XML | {"Accept-Language": "zh-CN"}, content=doc(person(
        "partnera.org/pa2", **PERSON | {"source_date": "2099-01-01T00:00:00Z"}))).json()
    assert future["created"] == 0 and "将来" in future["problems"][0]["reason"]
    fixed = writer.post("/api/pfif", headers=XML, content=doc(person("partnera.org/pa2", **PERSON))).json()
    assert fixed["created"] == 1 and fixed["problems"] == []
    # a naive source_date is read as UTC, as PFIF 1.4 writes every time, and said so
    naive = writer.post("/api/pfif", headers=XML, content=doc(person(
        "partnera.org/pa3", **PERSON | {"source_date": "2026-03-01T10:00:00"}))).json()
    assert naive["created"] == 1
    assert [p["reason"] for p in naive["problems"]] == [
        "source_date has no UTC offset (Z): read as UTC, as PFIF writes every time"]
    assert rows(container, "SELECT source_date = '2026-03-01T10:00:00Z' FROM cases WHERE record_id = "
                           "'partnera.org/pa3'") == [(True,)]


def test_a_pfif_document_in_gb2312_is_read_and_errors_are_the_readers_sentences(container: Container) -> None:
    writer = token_client(container, Scope.WRITE, domains=("partnera.org",))
    chinese = PERSON | {"full_name": "李小红", "description": "走失时间：2025-11-01\n红色外套"}
    answer = writer.post("/api/pfif", headers=XML, content=pfif_doc(person("partnera.org/gb", **chinese), "GB2312"))
    assert answer.status_code == 200 and answer.json()["created"] == 1, answer.text
    assert rows(container, "SELECT given_name FROM cases") == [("李小红",)]
    for document in (pfif_doc(person("partnera.org/x", **PERSON), "klingon-8"),
                     pfif_doc(person("partnera.org/x", **PERSON), "GBK").replace(b"Mei", b"\xff\xff"),
                     pfif_doc(person("partnera.org/x", **PERSON))[:62]):
        refused = writer.post("/api/pfif", headers=XML | {"Accept-Language": "zh-CN"}, content=document)
        assert refused.status_code == 422, refused.text
        said = refused.json()["detail"]
        assert "PFIF 文件" in said and not re.search(r"[a-z]{4,} [a-z]{3,}", said), said  # no English words


def test_the_sites_own_note_is_dated_when_written_and_tells_the_time_missing(container: Container,
                                                                             client: TestClient) -> None:
    case_id = local_case(container)
    (missing, verified), = rows(container, f"SELECT missing_since, verified_at FROM cases WHERE id = {case_id}")
    exported = client.get("/api/pfif").text
    own = exported.split(f"reunite.local/note.case.{case_id}")[1].split("</pfif:note>")[0]
    written = verified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f"<pfif:source_date>{written}</pfif:source_date>" in own
    shanghai = missing.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    assert f"Missing since {shanghai} (Asia/Shanghai)" in own, own
