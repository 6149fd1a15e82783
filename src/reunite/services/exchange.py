"""Exchange with other registries: PFIF 1.4 export and PFIF 1.1–1.4 import; CSV/XLSX import of
cases (with a dry run) and CSV export. Imported cases wait for verification like any family's."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from reunite.domain.access import Permission, Principal, may_write_domain, require
from reunite.domain.errors import InvalidInput, ReuniteError
from reunite.domain.model import GeoPoint, NewCase, Sex
from reunite.domain.ports import UnitOfWork
from reunite.services.deps import Deps
from reunite.services.intake import check_case

SEXES = {"female": Sex.FEMALE, "male": Sex.MALE, "f": Sex.FEMALE, "m": Sex.MALE, "女": Sex.FEMALE, "男": Sex.MALE}
AGE = re.compile(r"^(\d{1,3})(?:-(\d{1,3}))?$")
OTHER_AGE = re.compile(r"(?im)^\s*age:\s*(\d{1,3}(?:-\d{1,3})?)\s*$")
CSV_COLUMNS = ("id", "record_id", "given_name", "family_name", "nicknames", "sex", "birth_date", "missing_since",
               "last_seen_text", "description", "marks", "status", "verified_at", "source")
CHILD_YEARS = 18


@dataclass
class ImportReport:
    """What an import did, record by record: ``problems`` holds (record or row, reason)."""

    created: int = 0
    updated: int = 0
    notes_added: int = 0
    notes_known: int = 0
    linked: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)


def _time(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _iso(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def _birth(person: dict[str, str], when: datetime) -> date | None:
    """From date_of_birth (YYYY, YYYY-MM or YYYY-MM-DD: the first day) or from age (NN or a range
    NN-MM: the middle; in 1.1 records, an ``age:`` line of the description) at the source date."""
    dob = person.get("date_of_birth", "")
    parts = dob.split("-")
    if dob and all(p.isdigit() for p in parts) and len(parts) <= 3:
        numbers = [int(p) for p in parts] + [1] * (3 - len(parts))
        try:
            return date(numbers[0], numbers[1], numbers[2])
        except ValueError:
            return None
    found = OTHER_AGE.search(person.get("description", ""))  # PFIF 1.1 kept such facts in 'other'
    match = AGE.match(person.get("age", "") or (found.group(1) if found else ""))
    if match:
        low, high = int(match.group(1)), int(match.group(2) or match.group(1))
        return (when - timedelta(days=365.25 * (low + high) / 2 + 182)).date()
    return None


def person_to_case(person: dict[str, str]) -> tuple[NewCase, datetime]:
    """A PFIF person as a missing child's case; raises InvalidInput saying what is missing."""
    if not (person.get("given_name") or person.get("full_name") or person.get("family_name")):
        raise InvalidInput("a placeholder (an expired or closed record): nothing to import")
    when = _time(person.get("source_date", "")) or _time(person.get("entry_date", ""))
    if when is None:
        raise InvalidInput("no source_date or entry_date")
    birth = _birth(person, when)
    if birth is None:
        raise InvalidInput("no date of birth or age: Reunite registers children")
    if (when.date() - birth).days > CHILD_YEARS * 365.25:
        raise InvalidInput("an adult: Reunite registers children")
    full = person.get("full_name", "").split()
    given = person.get("given_name") or (full[0] if full else "")
    if not given:
        raise InvalidInput("no name")
    place = ", ".join(v for v in (person.get(k, "") for k in ("home_neighborhood", "home_city", "home_state")) if v)
    case = NewCase(
        given_name=given[:200], family_name=person.get("family_name", "")[:200],
        sex=SEXES.get(person.get("sex", ""), Sex.UNKNOWN), birth_date=birth, missing_since=when,
        last_seen_place=None, last_seen_text=place[:500], description=person.get("description", "")[:4000],
        nicknames=tuple(n.strip() for n in person.get("alternate_names", "").split("\n") if n.strip()),
    )
    return case, when


def _domain(record_id: str) -> str:
    return record_id.split("/", 1)[0] if "/" in record_id else ""


def import_pfif(deps: Deps, who: Principal, data: bytes) -> ImportReport:
    """Persons become cases pending verification (updated, not duplicated, when re-imported); notes
    are kept once each, attached to their person even when it arrives later; a note's
    ``linked_person_record_id`` links duplicate cases. Records of domains the importer may not write
    are skipped. All in one transaction."""
    require(who, Permission.REGISTER_CASE)
    version, persons, notes = deps.pfif.parse(data)
    report = ImportReport()
    with deps.uow() as uow:
        for person in persons:
            record = person.get("person_record_id", "")
            if not may_write_domain(who, _domain(record)):
                report.problems.append((record, f"domain {_domain(record) or '?'} is not one this key may write"))
                continue
            try:
                case, when = person_to_case(person)
            except ReuniteError as exc:
                report.problems.append((record, exc.message))
                continue
            case_id, created = uow.upsert_imported_case(record, case, person.get("source_name") or _domain(record),
                                                        when, _time(person.get("expiry_date", "")))
            report.created += created
            report.updated += not created
            uow.audit(who.actor, "case.imported" if created else "case.reimported", "case", case_id,
                      record=record, pfif=version)
        for note in notes:
            _import_note(uow, who, note, report)
        report.linked = uow.link_notes_and_duplicates()
        uow.commit()
    return report


def _import_note(uow: UnitOfWork, who: Principal, note: dict[str, str], report: ImportReport) -> None:
    record = note.get("note_record_id", "")
    if not may_write_domain(who, _domain(record)):
        report.problems.append((record, f"domain {_domain(record) or '?'} is not one this key may write"))
        return
    entry = _time(note.get("entry_date", ""))
    if not record or not note.get("person_record_id") or entry is None:
        report.problems.append((record or "?", "a note needs note_record_id, person_record_id and entry_date"))
        return
    contact = note.get("author_made_contact", "").lower()
    added = uow.add_note({
        "record_id": record, "person_record_id": note["person_record_id"],
        "linked_person_record_id": note.get("linked_person_record_id", ""),
        "author_name": note.get("author_name", "")[:200],
        "author_made_contact": {"true": True, "false": False}.get(contact),
        "status": note.get("status", "")[:32], "last_known_location": note.get("last_known_location", "")[:500],
        "text": note.get("text", "")[:4000], "source_date": _time(note.get("source_date", "")) or entry,
        "entry_date": entry, "source": _domain(record),
    })
    report.notes_added += added
    report.notes_known += not added


def export_pfif(deps: Deps, who: Principal) -> bytes:
    """Every case as a PFIF 1.4 person (closed and expired cases as placeholders: ids and dates only),
    with its notes. Never contacts or police report numbers."""
    require(who, Permission.EXPORT)
    domain = deps.site.pfif_domain
    persons, notes = [], []
    for case in deps.read.export_cases():
        record = case["record_id"] or f"{domain}/case.{case['id']}"
        person = {"person_record_id": record, "entry_date": _iso(case["created_at"]),
                  "expiry_date": _iso(case["expiry_date"]), "source_date": _iso(case["source_date"] or
                                                                                case["missing_since"])}
        if case["status"] == "open":
            person |= {
                "source_name": case["source"] or domain, "given_name": case["given_name"],
                "family_name": case["family_name"], "full_name": f"{case['given_name']} {case['family_name']}".strip(),
                "alternate_names": "\n".join(case["nicknames"]), "sex": case["sex"] if case["sex"] != "unknown"
                else "", "date_of_birth": _iso(case["birth_date"]), "description": case["description"],
                "source_url": f"{deps.site.base_url}/p/{case['id']}" if case["verified_at"] else "",
            }
            if not case["record_id"] and case["last_seen_text"]:
                notes.append({"note_record_id": f"{domain}/note.case.{case['id']}", "person_record_id": record,
                              "entry_date": _iso(case["created_at"]), "source_date": _iso(case["missing_since"]),
                              "status": "information_sought", "last_known_location": case["last_seen_text"],
                              "text": case["marks"]})
        persons.append(person)
    for note in deps.read.export_notes():
        made = note["author_made_contact"]
        notes.append({
            "note_record_id": note["record_id"], "person_record_id": note["person_record_id"],
            "linked_person_record_id": note["linked_person_record_id"], "entry_date": _iso(note["entry_date"]),
            "source_date": _iso(note["source_date"]), "author_name": note["author_name"],
            "author_made_contact": "" if made is None else str(made).lower(), "status": note["status"],
            "last_known_location": note["last_known_location"], "text": note["text"],
        })
    return deps.pfif.write(persons, notes)


def _row_case(row: dict[str, str]) -> NewCase:
    def day(name: str) -> date:
        try:
            return date.fromisoformat(row.get(name, "").strip()[:10])
        except ValueError:
            raise InvalidInput("{name} must be a date YYYY-MM-DD", field=name, name=name) from None

    missing = _time(row.get("missing_since", "").strip())
    if missing is None:
        raise InvalidInput("missing_since must be a date and time (ISO 8601)", field="missing_since")
    if not row.get("given_name", "").strip():
        raise InvalidInput("the child's given name is required", field="given_name")
    lat, lon = row.get("last_seen_lat", "").strip(), row.get("last_seen_lon", "").strip()
    try:
        place = GeoPoint(float(lat), float(lon)) if lat and lon else None
    except ValueError:
        raise InvalidInput("last_seen_lat and last_seen_lon must be numbers", field="last_seen_lat") from None
    return NewCase(
        given_name=row["given_name"].strip()[:200], family_name=row.get("family_name", "").strip()[:200],
        sex=SEXES.get(row.get("sex", "").strip().lower(), Sex.UNKNOWN), birth_date=day("birth_date"),
        missing_since=missing, last_seen_place=place, last_seen_text=row.get("last_seen_text", "")[:500],
        description=row.get("description", "")[:4000], marks=row.get("marks", "")[:2000],
        police_report=row.get("police_report", "")[:200], family_contact=row.get("family_contact", "")[:500],
        nicknames=tuple(n.strip() for n in row.get("nicknames", "").split(",") if n.strip()),
    )


def import_cases_table(
    deps: Deps, who: Principal, data: bytes, dry_run: bool, progress: Callable[[int], object] | None = None
) -> ImportReport:
    """Cases from a CSV or XLSX sheet (one row each; columns as in docs/exchange.md). A dry run
    checks every row and writes nothing; otherwise valid rows are registered (pending verification,
    without photos) in one transaction and the others reported with the reason."""
    require(who, Permission.REGISTER_CASE)
    rows = deps.tables.read_rows(data)
    report = ImportReport()
    valid: list[tuple[int, NewCase]] = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        try:
            case = _row_case(row)
            check_case(case, [], deps.clock.now())
            valid.append((number, case))
        except ReuniteError as exc:
            report.problems.append((f"row {number}", exc.message))
        if progress:
            progress(1)
    if dry_run:
        report.created = len(valid)
        return report
    with deps.uow() as uow:
        for number, case in valid:
            case_id = uow.add_case(case, deps.clock.now())
            uow.audit(who.actor, "case.imported", "case", case_id, row=number)
            report.created += 1
        uow.commit()
    return report


def export_cases_csv(deps: Deps, who: Principal) -> bytes:
    """Every case for authorised partners (no contacts, no police report numbers)."""
    require(who, Permission.EXPORT)
    rows = [dict(case, nicknames=", ".join(case["nicknames"])) for case in deps.read.export_cases()]
    return deps.tables.write_csv(rows, CSV_COLUMNS)
