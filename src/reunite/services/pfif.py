"""PFIF exchange with partner registries, both ways and without loss.

Import (1.1–1.4): a person who went missing as a child becomes a case pending verification, with every
field the partner sent kept as sent; anyone else is refused and nothing of theirs is stored, notes
included. Records are identified by ``person_record_id``; a newer ``source_date`` wins; ``expiry_date``
is honoured; this site's own records coming back are recognised, never duplicated; a note follows the
person it is nested in; what the document holds that is not read, or read twice, is said (``pfif_faults``).
Export (1.4): ``services/pfif_export.py`` (``export_pfif`` is named here too). See docs/exchange.md for every
field."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any

from reunite.domain.access import (
    Permission,
    Principal,
    case_checked_for,
    may_write_domain,
    require,
)
from reunite.domain.errors import InvalidInput, NotFound, ReuniteError
from reunite.domain.lifecycle import CaseAction, allowed, state_of
from reunite.domain.model import NewCase
from reunite.domain.pfif import (
    FUTURE_SKEW,
    KEPT,
    MAX_FIELD,
    MISSING_LINE,
    NOTE_FIELDS,
    NOTE_STATUSES,
    PERSON_FIELDS,
    canonical,
    canonical_domain,
    cut_fields,
    flag,
    instant,
    is_placeholder,
    naive_times,
    pfif_time,
    record_domain,
    record_id,
)
from reunite.domain.pfif_faults import NOTE, PERSON, Fault, sent_twice
from reunite.domain.pfif_person import person_case, recorded_at
from reunite.domain.ports import UnitOfWork
from reunite.services import doubles, idempotency, look_alikes, pfif_versions, rights, throttle
from reunite.services.case_checks import check_case
from reunite.services.deps import Deps
from reunite.services.exchange import ImportReport, Problem, Registered, read_in_zone
from reunite.services.pfif_export import export_pfif
from reunite.services.retention import blank_case

__all__ = ["attach_note", "export_pfif", "import_pfif"]

OWN_CASE = re.compile(r"^case\.(\d{1,18})$")


def _own_case_id(record_id: str, domain: str) -> int | None:
    """The case number of one of this site's own records (``{domain}/case.{id}``)."""
    if record_domain(record_id) != canonical_domain(domain):
        return None
    found = OWN_CASE.match(record_id.split("/", 1)[1])
    return int(found.group(1)) if found else None


def _kept(values: dict[str, str], names: tuple[str, ...], record: str, report: ImportReport) -> dict[str, str]:
    """The record's fields as PFIF writes them; a field with no PFIF form is reported and not kept."""
    fields, dropped = canonical(values, names)
    for name in dropped:
        if name == "profile_urls":  # a javascript: link among them (probe s41 D7)
            report.problem(record, "{name}: only http and https addresses are kept, the others are not", name=name)
        else:
            report.problem(record, "{name} is not in PFIF's format: not kept", name=name)
    return {name: value[:MAX_FIELD] for name, value in fields.items()}


def _said_cut(values: dict[str, str], names: tuple[str, ...], record: str, report: ImportReport) -> None:
    """Each field of a record kept shorter than it was sent, and where it was cut (probe s23 W9)."""
    for name, limit in cut_fields(values, names).items():
        report.problem(record, "{name} is longer than {limit} characters: kept up to there, the rest is cut",
                       name=name, limit=f"{limit:,}")


def import_pfif(deps: Deps, who: Principal, data: bytes, key: idempotency.Key | None = None,
                charset: str = "") -> ImportReport:
    """Import a PFIF 1.1–1.4 document in one transaction (see the module's docstring). Records already
    here as sent are left unchanged, so a document sent again adds nothing; under the same ``key`` the
    retry answers the first import's report. ``charset``: the one it was sent with (its Content-Type's), read
    before its XML declaration's; bytes not valid in the encoding named refuse the whole document."""
    require(who, Permission.REGISTER_CASE)
    if (first := ImportReport.remembered(deps, key)) is not None:
        return first
    version, persons, notes, faults = deps.pfif.parse(data, charset)
    throttle.records_limit(deps, who, len(persons) + len(notes))  # one key cannot flood the queue (probe s21 U4)
    report = ImportReport()
    persons, notes = _taken(persons, notes, faults, report)
    with deps.uow() as uow:
        rights.still_held(uow, who, Permission.REGISTER_CASE)  # its token revoked meanwhile: nothing written (s34 H3)
        doubles.take_turns(uow)  # a note's link may flag two cases (``_links``): before any case's row is locked
        for person in persons:
            _import_person(deps, uow, who, person, version, report)
        for note in notes:
            _import_note(deps, uow, who, note, report)
        linked = _links(deps, uow, who)
        report.linked = linked if who.can(Permission.VIEW_ALL_CASES) else 0  # says nothing of unreadable cases
        if (won := report.kept(uow, key)) is not None:
            return won
        uow.commit()
    return report


def _taken(persons: list[dict[str, str]], notes: list[dict[str, str]], faults: list[Fault],
           report: ImportReport) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The persons and notes to import, in order, and in the report each thing the document holds that is not read
    as sent (``pfif_faults``; probe s46 P2, P3, P7): a record with a field given twice is not taken, nor any copy of
    a record given twice with different contents (the same copy again is taken once: a re-sent feed)."""
    refused: set[tuple[str, int]] = set()
    for fault in faults:
        report.problems.append(Problem.of(record_id(fault.record) or "?", fault.error))
        if fault.refuses:
            refused.add((fault.kind, fault.at))
    taken = []
    for kind, records in ((PERSON, persons), (NOTE, notes)):
        copies: dict[str, list[dict[str, str]]] = {}
        for values in records:
            copies.setdefault(record_id(values.get(f"{kind}_record_id", "")), []).append(values)
        differ = {record for record, same in copies.items()
                  if record and len({tuple(sorted(copy.items())) for copy in same}) > 1}
        for record in differ:
            report.problems.append(Problem.of(record, sent_twice(kind, len(copies[record]))))
        taken.append([values for index, values in enumerate(records) if (kind, index) not in refused
                      and record_id(values.get(f"{kind}_record_id", "")) not in differ])
    return taken[0], taken[1]


def _links(deps: Deps, uow: UnitOfWork, who: Principal) -> int:
    """Notes attached to their cases, and their links made (``linked_person_record_id``: a partner's record or this
    site's own, ``{domain}/case.{id}`` as the export names it): each opens a duplicate flag in the moderators'
    queue saying who linked it (``look_alikes.flag_linked``, probe s29 C7). How many links were made."""
    made = uow.link_notes_and_duplicates(deps.site.pfif_domain)
    for case_id, other_case_id, note in made:
        look_alikes.flag_linked(deps, uow, who.actor, case_id, other_case_id, note)
    return len(made)


def _writable(who: Principal, record: str, kind: str, report: ImportReport) -> bool:
    if not record and kind == "note":
        report.problem("?", "a note needs a note_record_id")
        return False
    if not record:
        report.problem("?", "a person needs a person_record_id")
        return False
    domain = record_domain(record)
    if not may_write_domain(who, domain) and not domain:  # never "domain ?"
        report.problem(record, "the record id names no domain (domain/id): this key writes only its domains' records")
        return False
    if not may_write_domain(who, domain):
        report.problem(record, "domain {domain} is not one this key may write", domain=domain)
        return False
    return True


def _may(case: dict[str, Any], action: CaseAction) -> bool:
    return allowed(state_of(case["status"], case["verified_at"] is not None), action)


def _import_person(deps: Deps, uow: UnitOfWork, who: Principal, person: dict[str, str], version: str,
                   report: ImportReport) -> None:
    record, now = record_id(person.get("person_record_id", "")), deps.clock.now()
    person = person | {"person_record_id": record}  # its domain in lower case, as every id is kept
    if record and record_domain(record) == canonical_domain(deps.site.pfif_domain):
        report.unchanged += 1  # this site's own record coming back: it changes here, not by imports
        return
    if not _writable(who, record, "person", report):
        return
    existing = uow.case_for_record(record, None)
    expiry = instant(person.get("expiry_date", ""))
    if is_placeholder(person) or (expiry is not None and expiry <= now):
        _expire(deps, uow, who, record, existing, report)
        return
    if existing is not None and not _may(existing, CaseAction.IMPORT):
        report.problem(record, "closed or expired here: an import does not reopen it")
        return
    try:
        recorded = recorded_at(person)
        if recorded > now + FUTURE_SKEW:  # it would be "newer" than every correction its registry sends: not
            # taken, and not remembered as refused (the record sent again with its real date is taken); said before
            # the date missing it gives is checked (probe s46 P9: "… is in the future" named no field), naming the
            # field it came from (an entry_date when no source_date was sent)
            dated_by = "source_date" if person.get("source_date", "").strip() else "entry_date"
            report.problems.append(Problem.of(record, _ahead(dated_by, recorded)))
            return
        case, recorded, read_in = person_case(person, deps.site.zone)
        check_case(case, [], now)
    except ReuniteError as exc:
        report.problems.append(Problem.of(record, exc))
        if existing is None:
            uow.refuse_person(record)
        return
    if read_in:  # a time without an offset: read in the site's zone, and said so
        report.read_in_zone.append(read_in_zone(0, deps.site.zone, case.missing_since, record))
    _said_naive(person, record, report)
    _store_person(deps, uow, who, record, person, _without_missing_line(case), recorded, expiry, existing, report,
                  version)


def _said_naive(values: dict[str, str], record: str, report: ImportReport) -> None:
    for name in naive_times(values):  # PFIF 1.4: every time in UTC with Z; read so, and said so
        report.problem(record, "{name} has no UTC offset (Z): read as UTC, as PFIF writes every time",
                       name=name)


def _store_person(deps: Deps, uow: UnitOfWork, who: Principal, record: str, person: dict[str, str], case: NewCase,
                  recorded: datetime, expiry: datetime | None, existing: dict[str, Any] | None,
                  report: ImportReport, version: str) -> None:
    """A new case, or the update of the one here when the record's source_date is newer: newer wins."""
    fields = _kept(person, PERSON_FIELDS, record, report)
    source = person.get("source_name", "").strip() or record_domain(record)
    now = deps.clock.now()
    if existing is None:
        case_id = uow.add_imported_case(record, case, fields, source[:KEPT["source_name"]], recorded, expiry, now)
        report.created += 1
        report.registered.append(Registered(0, case_id, record))
    elif existing["source_date"] is not None and recorded < existing["source_date"]:
        report.problem(record, "older than the copy here (source_date): the newer one is kept")
        return
    elif existing["source_date"] is not None and recorded == existing["source_date"]:
        report.unchanged += 1  # the same version (a re-sent feed, or this site's export coming back)
        return
    else:
        if not pfif_versions.update(deps, uow, who, record, case, fields, source[:KEPT["source_name"]], recorded,
                                    expiry, existing, report, version):
            return
        report.updated += 1
        _said_cut(person, PERSON_FIELDS, record, report)
        return
    _said_cut(person, PERSON_FIELDS, record, report)  # stored: a version already here was told so when it came
    uow.audit(who.actor, "case.imported", "case", case_id, record=record, pfif=version)
    doubles.check_arrival(uow, case_id)  # its name and birth date


def _without_missing_line(case: NewCase) -> NewCase:
    """The description shown here without the ``missing since:`` line (the field keeps it as sent)."""
    return replace(case, description=MISSING_LINE.sub("", case.description).strip())


def _expire(deps: Deps, uow: UnitOfWork, who: Principal, record: str, existing: dict[str, Any] | None,
            report: ImportReport) -> None:
    """A placeholder or an expired record: the copy here expires with it; nothing new is stored."""
    if existing is None:
        uow.refuse_person(record)
        report.problem(record, "expired or a placeholder: nothing to import")
        return
    if _may(existing, CaseAction.WITHDRAW):
        for key in blank_case(deps, uow, existing["id"], CaseAction.WITHDRAW, who.actor):
            deps.photos.delete(key)
        uow.audit(who.actor, "case.expired", "case", existing["id"], record=record)
        report.expired += 1


def _readable(who: Principal, case: dict[str, Any]) -> bool:
    """Whether ``who`` may read this case (GET /api/cases/{id}'s rule): only such a case takes a note."""
    return who.may_view_case(int(case["id"])) and case_checked_for(who, case)


def _import_note(deps: Deps, uow: UnitOfWork, who: Principal, note: dict[str, str], report: ImportReport) -> None:
    record, person = record_id(note.get("note_record_id", "")), record_id(note.get("person_record_id", ""))
    if record and record_domain(record) == canonical_domain(deps.site.pfif_domain):
        report.unchanged += 1  # a note this site wrote
        return
    if not _writable(who, record, "note", report):
        return
    if not person:
        report.problem(record, "a note needs the person_record_id of its person")
        return
    own = _own_case_id(person, deps.site.pfif_domain)
    case = uow.case_for_record(person, own)
    if case is not None and not _readable(who, case):
        case = None  # a case this key may not read answers as one that does not exist
    if uow.person_refused(person) or (case is None and own is not None):
        report.problem(record, "its person is not a case here: the note is not kept")
        return
    if case is not None and case["status"] != "open":
        report.problem(record, "its person is closed or expired here: the note is not kept")
        return
    for dated_by in ("source_date", "entry_date"):  # a note dated ahead would stay the newest word on its case
        # above every real note after it, and be exported so (probe s46 P15): not kept, naming the field
        when = instant(note.get(dated_by, ""))
        if when is not None and when > deps.clock.now() + FUTURE_SKEW:
            report.problems.append(Problem.of(record, _ahead(dated_by, when, "note")))
            return
    _said_naive(note, record, report)
    status = note.get("status", "").strip().lower()
    if status and status not in NOTE_STATUSES:
        report.problem(record, "status {status} is not a PFIF status: the note is kept without it", status=status[:40])
        status = ""
    entry = instant(note.get("entry_date", "")) or deps.clock.now()  # as Person Finder does on import
    fields = _kept(note | {"status": status, "entry_date": pfif_time(entry)}, NOTE_FIELDS, record, report)
    added = uow.add_note({
        "record_id": record, "person_record_id": person, "case_id": case["id"] if case else None,
        "linked_person_record_id": record_id(note.get("linked_person_record_id", "")),
        "author_name": note.get("author_name", "")[:KEPT["author_name"]], "author_made_contact": flag(
            note.get("author_made_contact", "")), "status": status,
        "last_known_location": note.get("last_known_location", "")[:KEPT["last_known_location"]],
        "text": note.get("text", "")[:KEPT["text"]],
        "source_date": instant(note.get("source_date", "")) or entry, "entry_date": entry,
        "source": record_domain(record), "pfif": fields,
    })
    report.notes_added += added
    if added:
        _said_cut(note, NOTE_FIELDS, record, report)
    report.notes_known += not added


def _ahead(name: str, when: datetime, kind: str = "person") -> InvalidInput:
    """A record's date more than ``FUTURE_SKEW`` ahead of this site's clock, refused naming its field."""
    if kind == "note" and name == "entry_date":
        return InvalidInput("entry_date {when} is in the future: a note is dated when it was written; it is not kept. Send it with that time",  # noqa: E501
                            field=name, when=when)
    if kind == "note":
        return InvalidInput("source_date {when} is in the future: a note is dated when it was written; it is not kept. Send it with that time",  # noqa: E501
                            field=name, when=when)
    if name == "entry_date":
        return InvalidInput("entry_date {when} is in the future (the record has no source_date): a record is dated when it was written; send it with that time",  # noqa: E501
                            field=name, when=when)
    return InvalidInput("source_date {when} is in the future: a record is dated when it was written; send it with that time",  # noqa: E501
                        field=name, when=when)


def attach_note(deps: Deps, who: Principal, case_id: int, note_id: int) -> None:
    """A moderator attaches a note another registry sent on this case, which was kept aside (its sender
    may not write the case): it is then read with the case's notes. Audited with the note's registry."""
    require(who, Permission.MODERATE)
    with deps.uow() as uow:
        note = uow.note_aside(note_id, case_id)
        if note is None:
            raise NotFound("no note kept aside on this case has that number", field="note_id")
        uow.attach_note(note_id, case_id)
        uow.audit(who.actor, "case.note_attached", "case", case_id, note=note_id, record=note["record_id"],
                  source=note["source"])
        uow.commit()
