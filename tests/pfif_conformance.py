"""A PFIF 1.4 conformance check written from the specification (https://zesty.ca/pfif/1.4/): structure,
required fields, field order, formats, unique ids, notes and their persons, expired records as
placeholders. The test suite runs it on every PFIF document Reunite writes (tests/conftest.py)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

NS = "{http://zesty.ca/pfif/1.4}"
PERSON = ("person_record_id", "entry_date", "expiry_date", "author_name", "author_email", "author_phone",
          "source_name", "source_date", "source_url", "full_name", "given_name", "family_name", "alternate_names",
          "description", "sex", "date_of_birth", "age", "home_street", "home_neighborhood", "home_city",
          "home_state", "home_postal_code", "home_country", "photo_url", "profile_urls")
NOTE = ("note_record_id", "person_record_id", "linked_person_record_id", "entry_date", "author_name",
        "author_email", "author_phone", "source_date", "author_made_contact", "status", "email_of_found_person",
        "phone_of_found_person", "last_known_location", "text", "photo_url")
PLACEHOLDER = {"person_record_id", "entry_date", "expiry_date", "source_date"}
NOTE_PLACEHOLDER = {"note_record_id", "person_record_id", "entry_date", "source_date"}
RECORD_ID = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?/\S+$")
FORMATS = {
    "entry_date": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"),
    "expiry_date": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"),
    "source_date": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"),
    "sex": re.compile(r"^(female|male|other)$"),
    "date_of_birth": re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$"),
    "age": re.compile(r"^\d+(-\d+)?$"),
    "home_country": re.compile(r"^[A-Z]{2}$"),
    "source_url": re.compile(r"^https?://\S+$"),
    "photo_url": re.compile(r"^https?://\S+$"),
    "author_made_contact": re.compile(r"^(true|false)$"),
    "status": re.compile(r"^(information_sought|is_note_author|believed_alive|believed_missing|believed_dead)$"),
    "author_email": re.compile(r"^[^@\s]+@[^@\s]+$"),
    "email_of_found_person": re.compile(r"^[^@\s]+@[^@\s]+$"),
}
for _id_field in ("person_record_id", "note_record_id", "linked_person_record_id"):
    FORMATS[_id_field] = RECORD_ID


def _fields(element: ET.Element, order: tuple[str, ...], where: str, problems: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    last = -1
    for child in element:
        if child.tag == f"{NS}note":
            continue
        name = child.tag.removeprefix(NS)
        if name not in order:
            problems.append(f"{where}: unknown field {child.tag}")
            continue
        if name in values:
            problems.append(f"{where}: {name} twice")
        if order.index(name) < last:
            problems.append(f"{where}: {name} out of order")
        last = order.index(name)
        values[name] = child.text or ""
        pattern = FORMATS.get(name)
        if pattern and not pattern.match(values[name]):
            problems.append(f"{where}: {name} {values[name]!r} is not in PFIF's format")
    return values


def _expired(values: dict[str, str], now: datetime) -> tuple[bool, bool]:
    """(expired at all, expired at least a day ago: must be a placeholder)."""
    expiry = values.get("expiry_date", "")
    if not FORMATS["expiry_date"].match(expiry):
        return False, False
    when = datetime.strptime(expiry, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return when <= now, when <= now - timedelta(days=1)


def check(document: bytes, now: datetime | None = None) -> list[str]:
    """Every way ``document`` departs from PFIF 1.4; empty when it conforms."""
    now = now or datetime.now(UTC)
    problems: list[str] = []
    try:
        root = ET.fromstring(document)
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    if root.tag != f"{NS}pfif":
        return [f"root is {root.tag}, not a PFIF 1.4 pfif element"]
    if len(root) == 0:
        problems.append("a PFIF document holds at least one person or note")
    persons: dict[str, tuple[bool, bool]] = {}
    notes: list[tuple[dict[str, str], str | None]] = []
    for element in root:
        if element.tag == f"{NS}person":
            person = _person(element, now, problems)
            record = person.get("person_record_id", "")
            if record in persons:
                problems.append(f"person_record_id {record} is not unique")
            persons[record] = _expired(person, now)
            for nested in element.findall(f"{NS}note"):
                notes.append((_fields(nested, NOTE, f"note in {record}", problems), record))
        elif element.tag == f"{NS}note":
            notes.append((_fields(element, NOTE, "note", problems), None))
        else:
            problems.append(f"{element.tag} is neither a person nor a note")
    _check_notes(notes, persons, problems)
    return problems


def _person(element: ET.Element, now: datetime, problems: list[str]) -> dict[str, str]:
    person = _fields(element, PERSON, "person", problems)
    record = person.get("person_record_id", "?")
    for name in ("person_record_id", "entry_date", "source_date"):
        if not person.get(name):
            problems.append(f"person {record}: {name} is required")
    expired, long_ago = _expired(person, now)
    placeholder = set(person) <= PLACEHOLDER
    if long_ago and not placeholder:
        problems.append(f"person {record}: expired but not a placeholder ({sorted(set(person) - PLACEHOLDER)})")
    if not person.get("full_name") and not (placeholder and expired):
        problems.append(f"person {record}: full_name is required")
    return person


def _check_notes(notes: list[tuple[dict[str, str], str | None]], persons: dict[str, tuple[bool, bool]],
                 problems: list[str]) -> None:
    seen: set[str] = set()
    for note, enclosing in notes:
        record = note.get("note_record_id", "?")
        if record in seen:
            problems.append(f"note_record_id {record} is not unique")
        seen.add(record)
        person = note.get("person_record_id") or enclosing
        if enclosing is None and not note.get("person_record_id"):
            problems.append(f"note {record}: a top-level note needs person_record_id")
        if enclosing is not None and note.get("person_record_id", enclosing) != enclosing:
            problems.append(f"note {record}: names {note['person_record_id']} inside person {enclosing}")
        expired, long_ago = persons.get(person or "", (False, False))
        if long_ago and not set(note) <= NOTE_PLACEHOLDER:
            problems.append(f"note {record}: its person expired but the note is not a placeholder")
        required = ("note_record_id", "entry_date", "source_date") if expired else (
            "note_record_id", "entry_date", "author_name", "source_date", "text")
        for name in required:
            if not note.get(name):
                problems.append(f"note {record}: {name} is required")
