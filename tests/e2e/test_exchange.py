"""PFIF 1.4 export and 1.1–1.4 import, spreadsheets in and out, Atom feeds and PDF posters."""

from __future__ import annotations

import io
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from pypdf import PdfReader

from reunite.adapters.db.server import EmbeddedPostgres, ensure_database
from reunite.bootstrap import Container, bootstrap
from reunite.domain.access import OPERATOR, Principal, Role, Scope
from reunite.domain.model import GeoPoint, NewCase, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import exchange, intake, reunion
from reunite.services.accounts import issue_token
from tests.conftest import TEMPLATE

PFIF_11 = b"""<?xml version="1.0" encoding="UTF-8"?>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.1">
  <pfif:person>
    <pfif:person_record_id>partner.org/p.11</pfif:person_record_id>
    <pfif:entry_date>2010-01-16T17:32:05Z</pfif:entry_date>
    <pfif:source_date>2010-01-15T09:00:00Z</pfif:source_date>
    <pfif:first_name>Ana</pfif:first_name>
    <pfif:last_name>Pierre</pfif:last_name>
    <pfif:home_city>Port-au-Prince</pfif:home_city>
    <pfif:home_zip>6110</pfif:home_zip>
    <pfif:other>description: red dress, scar on the left knee
age: 7</pfif:other>
    <pfif:note>
      <pfif:note_record_id>partner.org/n.11a</pfif:note_record_id>
      <pfif:entry_date>2010-01-17T10:00:00Z</pfif:entry_date>
      <pfif:author_name>Marie</pfif:author_name>
      <pfif:found>false</pfif:found>
      <pfif:text>Seen near the market on Friday</pfif:text>
    </pfif:note>
  </pfif:person>
</pfif:pfif>"""

# 1.2: sex, date_of_birth and age arrive; notes stand alone and carry person_record_id. A note for a
# person not sent yet, a note marking a duplicate, and records of a domain the key may not write.
PFIF_12 = b"""<?xml version="1.0" encoding="UTF-8"?>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.2">
  <pfif:person>
    <pfif:person_record_id>partner.org/p.12</pfif:person_record_id>
    <pfif:entry_date>2010-01-18T08:00:00Z</pfif:entry_date>
    <pfif:first_name>Ana</pfif:first_name>
    <pfif:last_name>Pierre</pfif:last_name>
    <pfif:sex>female</pfif:sex>
    <pfif:age>6-8</pfif:age>
  </pfif:person>
  <pfif:note>
    <pfif:note_record_id>partner.org/n.12dup</pfif:note_record_id>
    <pfif:person_record_id>partner.org/p.12</pfif:person_record_id>
    <pfif:linked_person_record_id>partner.org/p.11</pfif:linked_person_record_id>
    <pfif:entry_date>2010-01-18T09:00:00Z</pfif:entry_date>
    <pfif:text>Same girl as p.11</pfif:text>
  </pfif:note>
  <pfif:note>
    <pfif:note_record_id>partner.org/n.orphan</pfif:note_record_id>
    <pfif:person_record_id>partner.org/p.14</pfif:person_record_id>
    <pfif:entry_date>2010-01-19T09:00:00Z</pfif:entry_date>
    <pfif:status>believed_alive</pfif:status>
    <pfif:last_known_location>Carrefour, by the church</pfif:last_known_location>
    <pfif:text>Note that arrives before its person</pfif:text>
  </pfif:note>
  <pfif:person>
    <pfif:person_record_id>other.org/p.1</pfif:person_record_id>
    <pfif:entry_date>2010-01-18T08:00:00Z</pfif:entry_date>
    <pfif:first_name>Jean</pfif:first_name>
    <pfif:age>9</pfif:age>
  </pfif:person>
  <pfif:note>
    <pfif:note_record_id>other.org/n.1</pfif:note_record_id>
    <pfif:person_record_id>partner.org/p.12</pfif:person_record_id>
    <pfif:entry_date>2010-01-18T08:00:00Z</pfif:entry_date>
    <pfif:text>From a domain this key may not write</pfif:text>
  </pfif:note>
</pfif:pfif>"""

# 1.4: given/family names, author_made_contact, description; the person of the earlier orphan note;
# a backdated note (its source_date before the others'); an adult, who is not registered.
PFIF_14 = """<?xml version="1.0" encoding="UTF-8"?>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">
  <pfif:person>
    <pfif:person_record_id>partner.org/p.14</pfif:person_record_id>
    <pfif:entry_date>2010-01-20T08:00:00Z</pfif:entry_date>
    <pfif:expiry_date>2011-01-20T08:00:00Z</pfif:expiry_date>
    <pfif:source_name>Partner Registry</pfif:source_name>
    <pfif:source_date>2010-01-12T16:53:00Z</pfif:source_date>
    <pfif:full_name>小明 王</pfif:full_name>
    <pfif:given_name>小明</pfif:given_name>
    <pfif:family_name>王</pfif:family_name>
    <pfif:alternate_names>Mingming</pfif:alternate_names>
    <pfif:sex>male</pfif:sex>
    <pfif:date_of_birth>2004-05</pfif:date_of_birth>
    <pfif:description>Blue school uniform</pfif:description>
    <pfif:note>
      <pfif:note_record_id>partner.org/n.14back</pfif:note_record_id>
      <pfif:entry_date>2010-01-21T08:00:00Z</pfif:entry_date>
      <pfif:source_date>2010-01-13T08:00:00Z</pfif:source_date>
      <pfif:author_made_contact>true</pfif:author_made_contact>
      <pfif:status>is_note_author</pfif:status>
      <pfif:text>Backdated: written down from a phone call on the 13th</pfif:text>
    </pfif:note>
  </pfif:person>
  <pfif:person>
    <pfif:person_record_id>partner.org/adult</pfif:person_record_id>
    <pfif:entry_date>2010-01-20T08:00:00Z</pfif:entry_date>
    <pfif:given_name>Paul</pfif:given_name>
    <pfif:date_of_birth>1970-01-01</pfif:date_of_birth>
  </pfif:person>
</pfif:pfif>""".encode()

PARTNER = Principal(role=Role.PARTNER, token_id=1, scopes=frozenset({Scope.WRITE}),
                    domains=frozenset({"partner.org"}))


def rows(container: Container, sql: str) -> list[Any]:
    with container.engine.connect() as conn:
        return list(conn.exec_driver_sql(sql).fetchall())


def test_pfif_11_to_14_import_renames_links_and_updates(container: Container) -> None:
    deps = container.deps
    first = exchange.import_pfif(deps, PARTNER, PFIF_11)
    assert (first.created, first.notes_added) == (1, 1)
    second = exchange.import_pfif(deps, PARTNER, PFIF_12)
    assert second.created == 1 and second.notes_added == 2 and second.linked == 1
    assert {p[0] for p in second.problems} == {"other.org/p.1", "other.org/n.1"}  # foreign domain: skipped
    third = exchange.import_pfif(deps, PARTNER, PFIF_14)
    assert third.created == 1 and third.problems == [("partner.org/adult", "an adult: Reunite registers children")]

    cases = {r.record_id: r for r in rows(container, "SELECT * FROM cases")}
    ana = cases["partner.org/p.11"]
    assert (ana.given_name, ana.family_name, ana.last_seen_text) == ("Ana", "Pierre", "Port-au-Prince")
    assert ana.description.startswith("description: red dress")  # 1.1 'other'
    assert 6.5 < (ana.missing_since.date() - ana.birth_date).days / 365.25 < 8  # 'age: 7' in it
    assert cases["partner.org/p.12"].linked_case_id == ana.id  # the duplicate note links the two
    ming = cases["partner.org/p.14"]
    assert (ming.given_name, ming.family_name, ming.sex, ming.birth_date) == ("小明", "王", "male", date(2004, 5, 1))
    assert ming.nicknames == ["Mingming"] and ming.source == "Partner Registry" and ming.verified_at is None
    assert ming.last_seen_text == "Carrefour, by the church"  # from the note that came first
    notes = {r.record_id: r for r in rows(container, "SELECT * FROM case_notes")}
    assert notes["partner.org/n.orphan"].case_id == ming.id  # attached once its person arrived
    assert notes["partner.org/n.11a"].author_made_contact is False  # 1.1 'found'
    assert notes["partner.org/n.14back"].source_date < notes["partner.org/n.orphan"].source_date
    assert 5 < (ming.missing_since.date() - ming.birth_date).days / 365.25 < 6

    again = exchange.import_pfif(deps, PARTNER, PFIF_14.replace(b"Blue school uniform", b"Grey jacket"))
    assert (again.created, again.updated, again.notes_added, again.notes_known) == (0, 1, 0, 1)
    assert rows(container, "SELECT count(*) FROM cases")[0][0] == 3
    assert rows(container, "SELECT description FROM cases WHERE record_id = 'partner.org/p.14'")[0][0] == "Grey jacket"


def test_unsafe_or_foreign_xml_is_refused(container: Container) -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
            b'<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4"><pfif:person><pfif:given_name>&lol2;'
            b'</pfif:given_name></pfif:person></pfif:pfif>')
    with pytest.raises(Exception, match="not well-formed or safe"):
        exchange.import_pfif(container.deps, PARTNER, bomb)
    with pytest.raises(Exception, match="not a PFIF"):
        exchange.import_pfif(container.deps, PARTNER, b"<rss><channel/></rss>")
    assert rows(container, "SELECT count(*) FROM cases")[0][0] == 0


@pytest.fixture
def fresh(postgres: EmbeddedPostgres, container: Container, tmp_path: Path) -> Any:
    """A second, empty installation to import into."""
    name = f"fresh_{os.getpid()}"
    ensure_database(postgres.admin_uri, name, template=TEMPLATE)
    settings = container.settings.model_copy(update={"database_url": postgres.uri_for(name),
                                                     "data_dir": tmp_path / "fresh"})
    other = bootstrap(settings, run_migrations=False, faces=container.deps.faces)
    yield other
    other.close()
    with psycopg.connect(postgres.admin_uri, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


CASE_FIELDS = "given_name, family_name, nicknames, sex, birth_date, missing_since, last_seen_text, description"


def test_pfif_round_trip_into_a_fresh_database(container: Container, fresh: Container, fgnet: Path) -> None:
    exchange.import_pfif(container.deps, PARTNER, PFIF_14)
    photo = Upload((fgnet / "images" / "001a02.jpg").read_bytes(), "kid.jpg")
    case = NewCase(given_name="Lin", family_name="Zhang", sex=Sex.FEMALE, birth_date=date(2015, 1, 1),
                   missing_since=datetime(2019, 6, 1, 8, tzinfo=UTC), last_seen_place=GeoPoint(30.6, 114.3),
                   last_seen_text="Wuchang", description="Yellow coat", family_contact="+86 138 0000 2222",
                   police_report="PR-7", nicknames=("Linlin",))
    lin = intake.register_case(container.deps, OPERATOR, case, [photo], [None]).case_id
    closed = intake.register_case(container.deps, OPERATOR, case, [photo], [None]).case_id
    reunion.record_verification(container.deps, OPERATOR, closed, None, "dna", "match", "")
    reunion.close_case(container.deps, OPERATOR, closed, reunited=True, keep_data=False)

    document = exchange.export_pfif(container.deps, OPERATOR)
    assert b"http://zesty.ca/pfif/1.4" in document and b"138 0000" not in document and b"PR-7" not in document
    report = exchange.import_pfif(fresh.deps, OPERATOR, document)
    placeholder = "a placeholder (an expired or closed record): nothing to import"
    assert report.created == 2 and report.problems == [(f"reunite.local/case.{closed}", placeholder)]
    source = rows(container, f"SELECT {CASE_FIELDS} FROM cases WHERE status = 'open' ORDER BY given_name")
    copied = rows(fresh, f"SELECT {CASE_FIELDS} FROM cases ORDER BY given_name")
    assert copied == source
    assert rows(fresh, "SELECT record_id FROM cases WHERE given_name = 'Lin'")[0][0] == f"reunite.local/case.{lin}"
    notes = "SELECT record_id, text, source_date, author_made_contact FROM case_notes ORDER BY record_id"
    assert {n.record_id for n in rows(fresh, notes)} == {"partner.org/n.14back", f"reunite.local/note.case.{lin}"}
    assert set(rows(fresh, notes)) >= set(rows(container, notes))
    assert exchange.import_pfif(fresh.deps, OPERATOR, document).created == 0  # again: updates, no duplicates


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
    assert rows(container, "SELECT count(*) FROM cases")[0][0] == 0  # a dry run writes nothing
    done = client.post("/api/cases/import?dry_run=false", files=upload)
    assert done.json()["created"] == 1
    assert rows(container, "SELECT given_name, sex, verified_at FROM cases") == [("Lin", "female", None)]

    csv_import = client.post("/api/cases/import?dry_run=false", files={"file": ("c.csv", (
        "given_name,sex,birth_date,missing_since,description\n"
        '小明,male,2014-03-03,2021-05-05T10:00:00+08:00,"=HYPERLINK(""http://x"")"\n').encode())})
    assert csv_import.json()["created"] == 1
    exported = client.get("/api/cases.csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    text = exported.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("id,record_id,given_name") and "小明" in text
    assert "'=HYPERLINK" in text  # a formula is neutralised
    reader = TestClient(create_app(container))
    assert reader.get("/api/cases.csv").status_code == 401
    read_only = issue_token(container.deps, OPERATOR, "reader", [Scope.READ_CASES])
    assert reader.get("/api/cases.csv", headers={"Authorization": f"Bearer {read_only}"}).status_code == 403


def test_atom_feed_pages_by_date_and_filters_by_region(client: TestClient, container: Container,
                                                       fgnet: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reunite.entrypoints.web import reach as pages

    monkeypatch.setattr(pages, "FEED_PAGE", 2)
    photo = Upload((fgnet / "images" / "001a02.jpg").read_bytes(), "kid.jpg")
    for name, place in (("A", "Wuhan"), ("B", "Shanghai"), ("C", "Wuhan, Hankou")):
        case = NewCase(given_name=name, family_name="Secretname", sex=Sex.FEMALE, birth_date=date(2015, 1, 1),
                       missing_since=datetime(2019, 6, 1, tzinfo=UTC), last_seen_place=None, last_seen_text=place,
                       family_contact="+86 139 1111 2222")
        intake.register_case(container.deps, OPERATOR, case, [photo], [None])
    exchange.import_pfif(container.deps, PARTNER, PFIF_14)  # unverified: never in the feed
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


def test_pdf_poster_renders_chinese_and_never_the_family(client: TestClient, container: Container,
                                                         fgnet: Path) -> None:
    photo = Upload((fgnet / "images" / "001a02.jpg").read_bytes(), "kid.jpg")
    case = NewCase(given_name="小林", family_name="张", sex=Sex.FEMALE, birth_date=date(2015, 1, 1),
                   missing_since=datetime(2019, 6, 1, 8, tzinfo=UTC), last_seen_place=None,
                   last_seen_text="武汉汉口火车站", family_contact="+86 138 0000 3333")
    case_id = intake.register_case(container.deps, OPERATOR, case, [photo], [None]).case_id
    pdf = TestClient(create_app(container)).get(f"/p/{case_id}/poster.pdf", params={"lang": "zh_CN"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    page = PdfReader(io.BytesIO(pdf.content)).pages[0]
    text = page.extract_text()
    assert "走失儿童" in text and "小林" in text and "武汉汉口火车站" in text and "110" in text
    assert "失踪时 4 岁" in text and f"/p/{case_id}" in text
    assert "张" not in text.replace("小林", "") and "138" not in text
    assert len(page.images) == 2  # the child's photo and the QR code
    english = PdfReader(io.BytesIO(TestClient(create_app(container)).get(f"/p/{case_id}/poster.pdf").content))
    assert "Missing child" in english.pages[0].extract_text()
