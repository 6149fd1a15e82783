"""PFIF exchange as a partner registry uses it: documents written from the PFIF 1.1–1.4 specification,
who may become a case, lossless fields, sync semantics (identity, newer wins, expiry, placeholders,
own records coming back), lenient reading where PFIF allows it, and a round trip through a simulated
partner. Every export is also checked against the 1.4 specification (tests/conftest.py)."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from fastapi.testclient import TestClient

from reunite.adapters.db.server import EmbeddedPostgres, ensure_database
from reunite.bootstrap import Container, bootstrap
from reunite.domain.access import OPERATOR, Principal, Role, Scope
from reunite.domain.model import GeoPoint, NewCase, Sex, Upload
from reunite.services import intake, moderation, pfif, retention, reunion
from reunite.services.accounts import issue_token
from reunite.services.exchange import ImportReport
from tests import pfif_conformance
from tests.conftest import TEMPLATE, SettableClock, plain_photo

NS14 = "http://zesty.ca/pfif/1.4"
PARTNER = Principal(role=Role.PARTNER, token_id=1, scopes=frozenset({Scope.WRITE}),
                    domains=frozenset({"partner.org"}))
# a partner that also reads this site's cases: it may write notes on those it can read
READING_PARTNER = replace(PARTNER, scopes=frozenset({Scope.WRITE, Scope.READ_CASES}))


def doc(body: str, version: str = "1.4") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/{version}">'
            f"{body}</pfif:pfif>").encode()


def person(record: str, **fields: str) -> str:
    inner = "".join(f"<pfif:{k}>{v}</pfif:{k}>" for k, v in fields.items() if k != "notes")
    return f"<pfif:person><pfif:person_record_id>{record}</pfif:person_record_id>{inner}{fields.get('notes', '')}" \
           "</pfif:person>"


def note(record: str, **fields: str) -> str:
    inner = "".join(f"<pfif:{k}>{v}</pfif:{k}>" for k, v in fields.items())
    return f"<pfif:note><pfif:note_record_id>{record}</pfif:note_record_id>{inner}</pfif:note>"


def rows(container: Container, sql: str) -> list[Any]:
    with container.engine.connect() as conn:
        return list(conn.exec_driver_sql(sql).fetchall())


def register_local_case(container: Container, given_name: str = "琳") -> int:
    """A case registered here by the police (so verified at once), with a photo and last-seen words."""
    case = NewCase(given_name=given_name, family_name="张", sex=Sex.FEMALE, birth_date=date(2015, 1, 1),
                   missing_since=datetime(2019, 6, 1, 8, tzinfo=UTC), last_seen_place=GeoPoint(30.6, 114.3),
                   last_seen_text="Wuchang", description="Yellow coat", family_contact="+86 138 0000 2222",
                   police_report="PR-7", nicknames=("Linlin",))
    return intake.register_case(container.deps, OPERATOR, case, [Upload(plain_photo(), "lin.jpg")], [None]).case_id


def verify_all(container: Container) -> None:
    for (case_id,) in rows(container, "SELECT id FROM cases WHERE verified_at IS NULL AND status = 'open'"):
        moderation.verify_case(container.deps, OPERATOR, case_id, "checked against the partner's file")


def exported(container: Container) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]], bytes]:
    """(persons by id, notes by id, the document) of an export."""
    document = pfif.export_pfif(container.deps, OPERATOR)
    assert document is not None
    assert pfif_conformance.check(document) == []
    root = ET.fromstring(document)
    persons, notes = {}, {}
    for element in root.iter(f"{{{NS14}}}person"):
        values = {c.tag.split("}")[1]: c.text or "" for c in element if not c.tag.endswith("}note")}
        persons[values["person_record_id"]] = values
    for element in root.iter(f"{{{NS14}}}note"):
        values = {c.tag.split("}")[1]: c.text or "" for c in element}
        notes[values["note_record_id"]] = values
    return persons, notes, document


RECENT = "2026-03-01T10:00:00Z"

# A woman looking for the family she lost at four (Baby Come Home's families): an adult now, a case.
GROWN_UP = person("partner.org/grown", entry_date=RECENT, source_date=RECENT, full_name="李秀英",
                  date_of_birth="1982", description="Missing since: 1986-03-01\nLost at the Wuhan railway station",
                  notes=note("partner.org/grown.n1", entry_date=RECENT, author_name="NGO", source_date=RECENT,
                             text="She remembers a river"))
# An adult who went missing as an adult: refused, and nothing of theirs is stored, notes included.
ADULT = person("partner.org/adult", entry_date=RECENT, source_date=RECENT, full_name="Paul Martin", age="44",
               notes=note("partner.org/adult.n1", entry_date=RECENT, author_name="Brother", source_date=RECENT,
                          last_known_location="Harbour Road 12", text="Seen at the harbour"))
NO_AGE = person("partner.org/noage", entry_date=RECENT, source_date=RECENT, full_name="Someone")


def test_who_can_be_a_case_and_nothing_of_the_others_is_stored(container: Container) -> None:
    later_note = note("partner.org/adult.n2", person_record_id="partner.org/adult", entry_date=RECENT,
                      author_name="Brother", source_date=RECENT, text="Another place")
    report = pfif.import_pfif(container.deps, PARTNER, doc(GROWN_UP + ADULT + NO_AGE + later_note))
    assert report.created == 1 and report.notes_added == 1
    reasons = report.reasons()
    assert "went missing as an adult" in reasons["partner.org/adult"]
    assert "no date of birth or age" in reasons["partner.org/noage"]
    assert "not a case here" in reasons["partner.org/adult.n1"] and "not a case here" in reasons["partner.org/adult.n2"]
    grown = rows(container, "SELECT given_name, birth_date, missing_since, missing_since_precision, description "
                            "FROM cases")
    # a date alone: that whole day where it was read (the site's zone, Shanghai), kept as its first instant
    assert grown == [("李秀英", date(1982, 7, 2), datetime(1986, 3, 1, tzinfo=ZoneInfo("Asia/Shanghai")), "day",
                      "Lost at the Wuhan railway station")]
    stored = " ".join(str(r) for table in ("case_notes", "cases") for r in rows(container, f"SELECT * FROM {table}"))
    assert "Harbour" not in stored and "Paul" not in stored and "Brother" not in stored
    # a note for the refused adult that comes in a later document is refused too
    again = pfif.import_pfif(container.deps, PARTNER, doc(note(
        "partner.org/adult.n3", person_record_id="partner.org/adult", entry_date=RECENT, author_name="Brother",
        source_date=RECENT, text="Still looking")))
    assert again.notes_added == 0 and "not a case here" in again.reasons()["partner.org/adult.n3"]


def test_fields_come_back_unchanged_except_what_stays_here(container: Container) -> None:
    sent = {"entry_date": RECENT, "expiry_date": "2031-01-01T00:00:00Z", "author_name": "Marie Joseph",
            "author_email": "marie@partner.org", "author_phone": "+509 555 0100", "source_name": "Partner Registry",
            "source_date": RECENT, "source_url": "https://partner.org/p/7",
            "full_name": "Ana Maria\nde la Cruz Santos", "given_name": "Ana Maria",
            "family_name": "de la Cruz Santos", "alternate_names": "Ani\nNana", "description": "Red dress",
            "sex": "Female", "date_of_birth": "2019-05", "age": "6-8", "home_street": "12 Rue Capois",
            "home_neighborhood": "Bois Verna", "home_city": "Port-au-Prince", "home_state": "HT-OU",
            "home_postal_code": "6110", "home_country": "HT", "photo_url": "https://partner.org/photos/7.jpg",
            "profile_urls": "https://social.example/ana"}
    note_fields = {"entry_date": RECENT, "author_name": "Jean", "author_email": "jean@partner.org",
                   "source_date": RECENT, "author_made_contact": "yes", "status": "believed_alive",
                   "phone_of_found_person": "+509 555 0199", "last_known_location": "Carrefour market",
                   "text": "Saw her on Friday", "photo_url": "https://partner.org/photos/7n.jpg"}
    report = pfif.import_pfif(container.deps, PARTNER, doc(person("partner.org/p.7", **sent,
                                                                  notes=note("partner.org/n.7", **note_fields))))
    assert report.created == 1 and report.problems == []
    case = rows(container, "SELECT given_name, family_name, sex, birth_date, last_seen_text FROM cases")[0]
    # the note's place stays on the note (reviewers read it): never the case's public last-seen place
    assert case == ("Ana Maria", "de la Cruz Santos", "female", date(2019, 5, 15), "")
    verify_all(container)
    persons, notes, document = exported(container)
    private = {"author_email", "author_phone", "home_street", "phone_of_found_person"}
    assert persons["partner.org/p.7"] == {k: v for k, v in sent.items() if k not in private} | {
        "entry_date": persons["partner.org/p.7"]["entry_date"], "sex": "female",  # PFIF spells it so
        "person_record_id": "partner.org/p.7"}
    assert notes["partner.org/n.7"] == {"note_record_id": "partner.org/n.7", "person_record_id": "partner.org/p.7"} | {
        k: v for k, v in note_fields.items() if k not in private} | {"author_made_contact": "true"}
    for secret in (b"marie@", b"555 0100", b"Rue Capois", b"555 0199"):
        assert secret not in document


def test_reading_is_lenient_where_pfif_allows_and_strict_where_it_must(container: Container) -> None:
    body = (
        person("partner.org/a", entry_date=RECENT, source_date=RECENT, full_name="Maria de la Cruz Santos",
               sex="FEMALE", date_of_birth="not a date", age="7",
               notes=note("partner.org/a.n", person_record_id="partner.org/b", author_name="X", source_date=RECENT,
                          found="yes", status="Sighted", text="nested, naming another person, no entry_date"))
        + person("partner.org/b", entry_date=RECENT, source_date=RECENT, full_name="Bo", age="5")
        + "<pfif:person><pfif:full_name>No id</pfif:full_name><pfif:age>4</pfif:age></pfif:person>" * 2
    )
    report = pfif.import_pfif(container.deps, PARTNER, doc(body, "1.4").replace(b"found>", b"author_made_contact>"))
    assert report.created == 2
    assert [p.message for p in report.problems if p.record == "?"] == ["a person needs a person_record_id"] * 2
    assert "not a PFIF status" in report.reasons()["partner.org/a.n"]
    maria = rows(container, "SELECT id, given_name, family_name, sex, birth_date FROM cases WHERE record_id = "
                            "'partner.org/a'")[0]
    assert maria[1:4] == ("Maria de la Cruz Santos", "", "female")
    assert 6 < (date(2026, 3, 1) - maria[4]).days / 365.25 < 8
    stored = rows(container, "SELECT case_id, status, author_made_contact, entry_date FROM case_notes")[0]
    assert stored[0] == maria[0] and stored[1] == "" and stored[2] is True and stored[3] is not None


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_sync_identity_newer_wins_entry_date_moves_and_expiry(container: Container) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    clock = SettableClock(now)
    deps = replace(container.deps, clock=clock)

    def version(source: datetime, description: str) -> bytes:
        return doc(person("partner.org/s", entry_date=iso(source), source_date=iso(source), full_name="Sam",
                          age="6", expiry_date=iso(now + timedelta(days=30)), description=description))

    assert pfif.import_pfif(deps, PARTNER, version(now - timedelta(days=2), "v1")).created == 1
    verify_all(container)
    entry_before = exported(container)[0]["partner.org/s"]["entry_date"]
    clock.current += timedelta(hours=5)
    same = pfif.import_pfif(deps, PARTNER, version(now - timedelta(days=2), "v1"))
    assert (same.created, same.updated, same.unchanged) == (0, 0, 1)
    assert pfif.import_pfif(deps, PARTNER, version(now - timedelta(days=1), "v2")).updated == 1
    stale = pfif.import_pfif(deps, PARTNER, version(now - timedelta(days=9), "v0"))
    assert stale.updated == 0 and "older than the copy here" in stale.reasons()["partner.org/s"]
    assert rows(container, "SELECT description FROM cases") == [("v2",)]
    after = exported(container)[0]["partner.org/s"]
    assert after["entry_date"] > entry_before and after["description"] == "v2"
    # its own expiry date passes: the daily expiry blanks it, and the export shows a placeholder
    clock.current = now + timedelta(days=31)
    retention.expire(deps)
    assert rows(container, "SELECT status, description, pfif FROM cases") == [("expired", "", {})]
    assert set(exported(container)[0]["partner.org/s"]) == pfif_conformance.PLACEHOLDER
    # re-sending the record does not bring the name or description back
    back = pfif.import_pfif(deps, PARTNER, version(now, "v3"))
    assert back.updated == 0 and rows(container, "SELECT status, description FROM cases") == [("expired", "")]


def test_expired_records_and_placeholders_from_a_partner(container: Container) -> None:
    old = person("partner.org/old", entry_date="2020-01-01T00:00:00Z", source_date="2020-01-01T00:00:00Z",
                 expiry_date="2021-01-01T00:00:00Z", full_name="Old", age="5")
    live = person("partner.org/live", entry_date=RECENT, source_date=RECENT, full_name="Live", age="5",
                  notes=note("partner.org/live.n", entry_date=RECENT, author_name="A", source_date=RECENT,
                             text="seen at school"))
    report = pfif.import_pfif(container.deps, PARTNER, doc(old + live))
    assert report.created == 1 and "expired" in report.reasons()["partner.org/old"]
    assert rows(container, "SELECT record_id FROM cases") == [("partner.org/live",)]
    placeholder = person("partner.org/live", entry_date="2026-04-01T00:00:00Z", source_date="2026-04-01T00:00:00Z",
                         expiry_date="2026-04-01T00:00:00Z")
    gone = pfif.import_pfif(container.deps, PARTNER, doc(placeholder))
    assert gone.expired == 1
    assert rows(container, "SELECT status, given_name FROM cases") == [("expired", "")]  # nothing personal kept
    assert rows(container, "SELECT text, author_name FROM case_notes") == [("", "")]


def test_own_export_comes_back_without_duplicates_and_notes_are_complete(container: Container,
                                                                        client: TestClient) -> None:
    assert client.get("/api/pfif").status_code == 204  # nothing verified yet: no empty document
    lin = register_local_case(container)
    pfif.import_pfif(container.deps, PARTNER, doc(GROWN_UP))
    verify_all(container)
    persons, notes, document = exported(container)
    own = f"reunite.local/case.{lin}"
    assert persons[own]["full_name"] == "张琳" and "Missing since: 2019-06-01T08:00:00Z" in persons[own]["description"]
    assert notes[f"reunite.local/note.case.{lin}"]["author_name"] == "Reunite"
    assert notes[f"reunite.local/note.case.{lin}"]["text"]
    before = rows(container, "SELECT count(*) FROM cases")[0][0]
    report = pfif.import_pfif(container.deps, OPERATOR, document)
    assert (report.created, report.updated) == (0, 0) and report.unchanged >= 2
    assert rows(container, "SELECT count(*) FROM cases")[0][0] == before
    exported(container)  # ids still unique (the conformance check)


def test_round_trip_through_a_simulated_partner(container: Container) -> None:
    """A partner registry reads our export, edits and expires its own records, adds a note to one of
    ours and sends everything back, ours included."""
    lin = register_local_case(container)
    ours = f"reunite.local/case.{lin}"
    theirs = (person("partner.org/k1", entry_date=RECENT, source_date=RECENT, full_name="Kai", age="7",
                     description="first")
              + person("partner.org/k2", entry_date=RECENT, source_date=RECENT, full_name="Kim", age="9"))
    pfif.import_pfif(container.deps, PARTNER, doc(theirs))
    verify_all(container)
    _, _, document = exported(container)
    root = ET.fromstring(document)
    edited = []
    for element in root.findall(f"{{{NS14}}}person"):
        record = element.findtext(f"{{{NS14}}}person_record_id")
        if record == "partner.org/k1":  # edited at the partner: newer source_date
            element.find(f"{{{NS14}}}source_date").text = "2026-03-05T00:00:00Z"  # type: ignore[union-attr]
            element.find(f"{{{NS14}}}description").text = "edited by the partner"  # type: ignore[union-attr]
        elif record == "partner.org/k2":  # expired at the partner: sent back as a placeholder
            for child in list(element):
                if child.tag.split("}")[1] not in pfif_conformance.PLACEHOLDER:
                    element.remove(child)
            element.find(f"{{{NS14}}}expiry_date") or ET.SubElement(element, f"{{{NS14}}}expiry_date")
            element.find(f"{{{NS14}}}expiry_date").text = "2026-03-05T00:00:00Z"  # type: ignore[union-attr]
        edited.append(record)
    ET.SubElement(root, f"{{{NS14}}}note").extend([
        _element("note_record_id", "partner.org/about-lin"), _element("person_record_id", ours),
        _element("entry_date", RECENT), _element("author_name", "Partner desk"), _element("source_date", RECENT),
        _element("text", "A caller saw her in Hankou")])
    report: ImportReport = pfif.import_pfif(container.deps, READING_PARTNER, ET.tostring(root))
    assert report.created == 0 and report.updated == 1 and report.expired == 1 and report.notes_added == 1
    assert report.problems == []
    assert rows(container, "SELECT record_id, status, description FROM cases WHERE record_id IS NOT NULL "
                           "ORDER BY record_id") == [("partner.org/k1", "open", "edited by the partner"),
                                                     ("partner.org/k2", "expired", "")]
    persons, notes, _ = exported(container)
    assert notes["partner.org/about-lin"]["person_record_id"] == ours
    assert set(persons["partner.org/k2"]) == pfif_conformance.PLACEHOLDER
    assert len(persons) == 3


def _element(name: str, text: str) -> ET.Element:
    element = ET.Element(f"{{{NS14}}}{name}")
    element.text = text
    return element


def test_the_conformance_check_catches_what_it_must() -> None:
    """The checker run on every export must itself fail on broken documents."""
    assert pfif_conformance.check(doc("")) == ["a PFIF document holds at least one person or note"]
    dup = person("a.org/1", entry_date=RECENT, source_date=RECENT, full_name="A")
    assert any("not unique" in p for p in pfif_conformance.check(doc(dup + dup)))
    assert any("full_name is required" in p for p in pfif_conformance.check(
        doc(person("a.org/2", entry_date=RECENT, source_date=RECENT))))
    expired = person("a.org/3", entry_date=RECENT, source_date=RECENT, expiry_date="2020-01-01T00:00:00Z",
                     full_name="A")
    assert any("not a placeholder" in p for p in pfif_conformance.check(doc(expired)))
    assert any("format" in p for p in pfif_conformance.check(
        doc(person("A.org/4", entry_date="2026-03-01", source_date=RECENT, full_name="A", sex="Female"))))
    bad_note = note("a.org/n", person_record_id="a.org/1", entry_date=RECENT, source_date=RECENT)
    assert any("author_name is required" in p for p in pfif_conformance.check(doc(dup + bad_note)))


@pytest.mark.parametrize("version", ["1.1", "1.2", "1.3"])
def test_older_versions_are_read_with_their_field_names(container: Container, version: str) -> None:
    names = ("<pfif:first_name>Ana</pfif:first_name><pfif:last_name>Pierre</pfif:last_name>"
             if version != "1.3" else "<pfif:full_name>Ana Pierre</pfif:full_name><pfif:first_name>Ana"
             "</pfif:first_name><pfif:last_name>Pierre</pfif:last_name>")
    age = "" if version == "1.1" else "<pfif:age>7</pfif:age>"
    body = (f"<pfif:person><pfif:person_record_id>partner.org/v{version}</pfif:person_record_id>"
            f"<pfif:entry_date>{RECENT}</pfif:entry_date><pfif:source_date>{RECENT}</pfif:source_date>{names}"
            f"<pfif:home_zip>6110</pfif:home_zip>{age}<pfif:other>\n        description: red dress\n"
            f"        {'age: 7' if version == '1.1' else 'scar on the left knee'}\n    </pfif:other>"
            f"<pfif:note><pfif:note_record_id>partner.org/v{version}.n</pfif:note_record_id>"
            f"<pfif:entry_date>{RECENT}</pfif:entry_date><pfif:author_name>M</pfif:author_name>"
            f"<pfif:source_date>{RECENT}</pfif:source_date><pfif:found>false</pfif:found>"
            f"<pfif:text>seen</pfif:text></pfif:note></pfif:person>")
    report = pfif.import_pfif(container.deps, PARTNER, doc(body, version))
    assert report.created == 1 and report.notes_added == 1, report.problems
    case = rows(container, "SELECT given_name, family_name, description, pfif FROM cases")[0]
    assert case[:2] == ("Ana", "Pierre") and case[2].startswith("red dress") and case[3]["home_postal_code"] == "6110"
    assert rows(container, "SELECT author_made_contact FROM case_notes") == [(False,)]


def test_unsafe_or_foreign_xml_is_refused(container: Container) -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
            b'<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4"><pfif:person><pfif:given_name>&lol2;'
            b'</pfif:given_name></pfif:person></pfif:pfif>')
    with pytest.raises(Exception, match="declares a DTD"):
        pfif.import_pfif(container.deps, PARTNER, bomb)
    with pytest.raises(Exception, match="not a PFIF"):
        pfif.import_pfif(container.deps, PARTNER, b"<rss><channel/></rss>")
    assert rows(container, "SELECT count(*) FROM cases")[0][0] == 0


@pytest.fixture
def fresh(postgres: EmbeddedPostgres, container: Container, tmp_path: Path) -> Any:
    """A second, empty installation to import into."""
    name = f"fresh_{os.getpid()}"
    ensure_database(postgres.admin_uri, name, template=TEMPLATE)
    settings = container.settings.model_copy(update={"database_url": postgres.uri_for(name), "pfif_domain": "other.org",
                                                     "data_dir": tmp_path / "fresh"})
    other = bootstrap(settings, run_migrations=False, faces=container.deps.faces)
    yield other
    other.close()
    with psycopg.connect(postgres.admin_uri, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


CASE_FIELDS = "given_name, family_name, nicknames, sex, birth_date, missing_since, description"


def test_round_trip_into_a_fresh_installation(container: Container, fresh: Container) -> None:
    lin = register_local_case(container)
    closed = register_local_case(container, "玲")  # another child
    reunion.record_verification(container.deps, OPERATOR, closed, None, "dna", "match", "")
    reunion.close_case(container.deps, OPERATOR, closed, reunited=True, keep_data=False)
    pfif.import_pfif(container.deps, PARTNER, doc(GROWN_UP))
    verify_all(container)
    _, _, document = exported(container)
    assert b"138 0000" not in document and b"PR-7" not in document
    report = pfif.import_pfif(fresh.deps, OPERATOR, document)
    assert report.created == 2 and report.reasons() == {f"reunite.local/case.{closed}":
                                                        "expired or a placeholder: nothing to import"}
    source = rows(container, f"SELECT {CASE_FIELDS} FROM cases WHERE status = 'open' ORDER BY given_name")
    assert rows(fresh, f"SELECT {CASE_FIELDS} FROM cases ORDER BY given_name") == source
    assert rows(fresh, "SELECT record_id FROM cases WHERE given_name = '琳'") == [(f"reunite.local/case.{lin}",)]
    notes = {r[0] for r in rows(fresh, "SELECT record_id FROM case_notes")}
    assert notes == {"partner.org/grown.n1", f"reunite.local/note.case.{lin}"}
    # where she was last seen travels on the note (reviewers read it there), never onto the public case
    assert rows(fresh, "SELECT last_known_location FROM case_notes WHERE starts_with(record_id, 'reunite.local/')") == [
        ("Wuchang",)]
    assert rows(fresh, "SELECT last_seen_text FROM cases") == [("",), ("",)]
    again = pfif.import_pfif(fresh.deps, OPERATOR, document)
    assert (again.created, again.updated, again.notes_added) == (0, 0, 0)


def test_api_takes_raw_xml_like_person_finder_and_answers_413_to_oversized_bodies(container: Container,
                                                                                  anonymous: TestClient) -> None:
    token = issue_token(container.deps, OPERATOR, "partner registry", [Scope.WRITE], ["partner.org"])
    client = anonymous
    client.headers["Authorization"] = f"Bearer {token}"
    raw = client.post("/api/pfif", content=doc(GROWN_UP), headers={"Content-Type": "application/xml"})
    assert raw.status_code == 200 and raw.json()["created"] == 1
    form = client.post("/api/pfif", files={"file": ("pfif.xml", doc(NO_AGE))})
    assert form.status_code == 200 and form.json()["problems"][0]["record"] == "partner.org/noage"

    def chunks() -> Any:  # no Content-Length: the limit must hold while reading
        for _ in range(50):
            yield b" " * 1_000_000

    for kind in ("application/xml", "multipart/form-data; boundary=x"):
        big = client.post("/api/pfif", content=chunks(), headers={"Content-Type": kind})
        assert big.status_code == 413 and "larger than" in big.json()["detail"]
    assert client.post("/api/pfif", content=b"{}", headers={"Content-Type": "application/json"}).status_code == 422
