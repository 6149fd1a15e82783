"""PFIF export (1.4): verified cases only; open ones in full but for the fields the privacy rules keep here
(``domain.pfif.NEVER_EXPORTED``), closed and expired ones, and those verified once that wait for verification
again (held, reopened), as placeholders, their notes too. See docs/exchange.md for every field; the import is
``services/pfif.py``."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from reunite.domain.access import (
    Permission,
    Principal,
    exact_last_seen,
    exported_in_full,
    notes_shown,
    pfif_hidden,
    require,
    text_shown,
)
from reunite.domain.pfif import (
    NOTE_FIELDS,
    NOTE_PLACEHOLDER,
    PERSON_FIELDS,
    birth_written,
    case_birth_precision,
    exportable,
    full_name,
    last_changed,
    pfif_time,
    record_domain,
)
from reunite.domain.typed_time import INSTANT, date_written
from reunite.services.deps import Deps
from reunite.services.exchange import audit_export, last_seen_as_read
from reunite.services.place_days import day_zone


def export_pfif(deps: Deps, who: Principal) -> bytes | None:
    """Verified cases as PFIF 1.4 persons with their notes; None when there is nothing to export (a PFIF
    document needs at least one record)."""
    require(who, Permission.EXPORT)
    domain, now = deps.site.pfif_domain, deps.clock.now()
    persons: list[dict[str, str]] = []
    notes: list[dict[str, str]] = []
    gone: set[int] = set()
    for case in deps.read.export_cases():
        record = case["record_id"] or f"{domain}/case.{case['id']}"
        if not exported_in_full(case) or (case["expiry_date"] and case["expiry_date"] <= now):
            persons.append(_placeholder(case, record, now))
            gone.add(case["id"])
            continue
        persons.append(_person(deps, who, case, record))
        if not case["record_id"]:
            notes.append(_own_note(deps, who, case, record))
    for note in deps.read.export_notes() if notes_shown(who) else ():  # as case_view: reviewers only
        record = note["case_record_id"] or f"{domain}/case.{note['case_id']}"
        fields = {**note["pfif"], "note_record_id": note["record_id"], "person_record_id": record,
                  "entry_date": pfif_time(note["entry_date"]), "source_date": pfif_time(note["source_date"])}
        if note["case_id"] in gone:
            notes.append({name: fields[name] for name in NOTE_PLACEHOLDER})
            continue
        fields.setdefault("author_name", note["source"] or record_domain(note["record_id"]))  # required in PFIF
        fields.setdefault("text", note["status"] or "-")
        notes.append(exportable(fields, NOTE_FIELDS))
    audit_export(deps, who, "pfif", len(persons))
    return deps.pfif.write(persons, notes) if persons else None


def _placeholder(case: dict[str, Any], record: str, now: datetime) -> dict[str, str]:
    """A closed or expired record, or one withdrawn (verified once, waiting for verification again: held,
    reopened), as PFIF 1.3+ placeholders look: ids and dates only, set when it closed (or was withdrawn), and an
    expiry date that has passed (so that partners delete their copy). A case withdrawn, then closed while it was
    waiting (rejected, closed by its family), keeps its withdrawal's dates: what happened to it since was never
    exported, and a new date would tell when (probe s44 P2)."""
    closed_shown = case["closed_at"] if case["verified_at"] is not None else None
    closed = (closed_shown or case["withdrawn_at"] or case["expiry_date"] or case["entry_date"]
              or case["created_at"])
    expiry = min(d for d in (case["expiry_date"], closed, now) if d is not None)
    return {"person_record_id": record, "entry_date": pfif_time(closed), "expiry_date": pfif_time(expiry),
            "source_date": pfif_time(closed)}


def _person(deps: Deps, who: Principal, case: dict[str, Any], record: str) -> dict[str, str]:
    changed, withdrawn = last_changed(case), case["withdrawn_at"]  # when this copy last changed here
    dates = {"person_record_id": record, "entry_date": pfif_time(changed),
             "expiry_date": pfif_time(case["expiry_date"])}
    name = full_name(case["given_name"], case["family_name"])
    base, precision = deps.site.base_url, case["missing_since_precision"]
    # a date given alone is written alone (read back as that whole day, month or year), never as its midnight
    missing = pfif_time(case["missing_since"]) if precision == INSTANT else date_written(case["missing_since"],
                                                                                          precision)
    # the family's (or the partner's) own words only for those who read them on the case; for anyone else the
    # text a moderator approved for sharing, else none (``access.text_shown``)
    description = "\n".join(v for v in (text_shown(who, case, "description"), f"Missing since: {missing}") if v)
    if case["record_id"]:  # a partner's record: as it was sent, less what stays here
        sent, hidden = dict(case["pfif"]), pfif_hidden(who)
        sent.setdefault("full_name", name)
        if "author_name" in hidden:  # PFIF wants an author: the registry, not the person who wrote
            sent["author_name"] = case["source"] or record_domain(record)
        if not exact_last_seen(who, case["id"]):
            sent["description"] = description
        source_date = case["source_date"] or changed
        if withdrawn is not None and source_date <= withdrawn:
            source_date = changed  # the partner's date, older than the placeholder, would lose to it
        return exportable({**sent, **dates, "source_date": pfif_time(source_date)}, PERSON_FIELDS,
                          hidden - {"author_name"})
    return exportable({
        **dates, "source_date": pfif_time(changed), "author_name": "Reunite", "source_name": deps.site.pfif_domain,
        "source_url": f"{base}/p/{case['id']}", "full_name": name, "given_name": case["given_name"],
        "family_name": case["family_name"], "alternate_names": "\n".join(case["nicknames"]),
        "description": description, "sex": case["sex"] if case["sex"] != "unknown" else "",
        "date_of_birth": birth_written(case["birth_date"], case_birth_precision(case)),  # a sheet's month: so
        "photo_url": f"{base}/p/{case['id']}/photo.jpg" if case["has_photo"] else "",
    }, PERSON_FIELDS)


def _own_note(deps: Deps, who: Principal, case: dict[str, Any], record: str) -> dict[str, str]:
    """The note this site writes for its own case: its distinguishing marks as this reader may read them (the
    family's words, else the marks a moderator approved for sharing: ``access.text_shown``), else when the child
    was last seen and where, as this reader may read it (``exchange.last_seen_as_read``)."""
    written = case["verified_at"] or case["created_at"]  # the note's date: when it was written, not the child's
    place = last_seen_as_read(deps, who, case)
    # the day where the child went missing (its place's zone, named: ``place_days.day_zone``), not the UTC date nor
    # the day of whoever typed the time; a day, month or year given alone as such
    day = date_written(case["missing_since"], case["missing_since_precision"])
    if case["missing_since_precision"] == INSTANT:
        where = day_zone(deps, case["last_seen_lat"], case["last_seen_lon"], case.get("last_seen_text") or "",
                         case["missing_since"])  # an instant: its time there too
        day = f"{case['missing_since'].astimezone(ZoneInfo(where)).strftime('%Y-%m-%d %H:%M')} ({where})"
    text = text_shown(who, case, "marks") or f"Missing since {day}" + (f", last seen: {place}" if place else "")
    return exportable({
        "note_record_id": f"{deps.site.pfif_domain}/note.case.{case['id']}", "person_record_id": record,
        "entry_date": pfif_time(written), "author_name": "Reunite",
        "source_date": pfif_time(written), "status": "information_sought", "last_known_location": place,
        "text": text,
    }, NOTE_FIELDS)
