"""A case corrected by whoever registered it (docs/decisions/0007): which of its facts a correction changes, which of
them verification vouched for (and matching reads), and what a change re-runs. Pure: the service
(``services.corrections``) reads and writes."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import fields
from datetime import date, datetime
from typing import Any

from reunite.domain.model import GeoPoint, NewCase, Sex
from reunite.domain.times import offset_minutes, with_offset

# what a verification vouched for and what matching and the name-doubles check read: the child (names, sex, birth
# date), the time and place last seen, and the police report a verifier checked. Of a verified case, a correction of
# any of them by someone who may not verify waits for a moderator (``waits``).
IDENTITY = ("given_name", "family_name", "sex", "birth_date", "missing_since", "last_seen_place", "last_seen_text",
            "police_report")
# the family's own words, taken at once by the same rules as at registration
DESCRIPTIVE = ("nicknames", "description", "marks", "family_contact")
# a change of these re-runs matching and scoring (the case's faces against sightings, every stored lead scored
# again); of these, the name-doubles check (``grouping.flag_duplicates``): both are the case's faces job
MATCHED = frozenset({"sex", "birth_date", "missing_since", "last_seen_place"})
DOUBLES = frozenset({"given_name", "family_name", "birth_date", "nicknames"})
FIELDS = IDENTITY + DESCRIPTIVE
# where the child was last seen: partners and readers hold it only as the public city and the pin's ~1 km cell
LAST_SEEN = frozenset({"last_seen_text", "last_seen_place"})
# what partners and readers hold of a case as it is (the exports, feeds, posters, webhooks): every fact but the police
# report number and the family's contact, which stay here, the family's own words (they read only what a moderator
# approved for sharing: ``services.sharing``, which tells them when that changes) and the place last seen (read as
# ``LAST_SEEN`` says). A change of any moves the case's date there (``services.case_moves.changed_for_partners``):
# a change of what they do not read never does (probe s41 D1: the feed's date told when a private fact was edited)
PUBLISHED = frozenset(FIELDS) - {"police_report", "family_contact", "description", "marks"} - LAST_SEEN


def as_registered(row: Mapping[str, Any]) -> NewCase:
    """A stored case (``cases`` row) as a registration would give it: what a correction starts from."""
    place = GeoPoint(row["last_seen_lat"], row["last_seen_lon"]) \
        if row.get("last_seen_lat") is not None and row.get("last_seen_lon") is not None else None
    return NewCase(
        given_name=row["given_name"], family_name=row.get("family_name") or "", sex=Sex(row["sex"]),
        birth_date=row["birth_date"], missing_since=with_offset(row["missing_since"], row.get("missing_since_offset")),
        missing_since_precision=row.get("missing_since_precision") or "instant", last_seen_place=place,
        last_seen_text=row.get("last_seen_text") or "", description=row.get("description") or "",
        marks=row.get("marks") or "", police_report=row.get("police_report") or "",
        family_contact=row.get("family_contact") or "", nicknames=tuple(row.get("nicknames") or ()))


def corrected(before: NewCase, given: Mapping[str, Any]) -> NewCase:
    """``before`` with the fields ``given`` (by name, ``FIELDS``; ``missing_since`` with its
    ``missing_since_precision``) replaced; names kept in one spelling as at registration (``NewCase``)."""
    known = {f.name for f in fields(NewCase)}
    values = {f.name: getattr(before, f.name) for f in fields(NewCase)}
    values |= {name: value for name, value in given.items() if name in known}
    return NewCase(**values)


def written(name: str, case: NewCase) -> str:
    """A field's value as the audit log, the moderators' queue and the case page write it."""
    value: object = getattr(case, name)
    if name == "missing_since":
        at = case.missing_since
        return at.date().isoformat() if case.missing_since_precision != "instant" else at.isoformat(timespec="minutes")
    if isinstance(value, GeoPoint):
        return f"{value.lat:.5f}, {value.lon:.5f}"
    if isinstance(value, tuple):
        return ", ".join(value)
    if isinstance(value, Sex | date | datetime):
        return value.value if isinstance(value, Sex) else value.isoformat()
    return "" if value is None else str(value)


def _same(name: str, before: NewCase, after: NewCase) -> bool:
    if name == "missing_since":  # the same instant typed in another zone is no change
        return (before.missing_since, before.missing_since_precision) == (after.missing_since,
                                                                          after.missing_since_precision)
    return bool(getattr(before, name) == getattr(after, name))


def changes(before: NewCase, after: NewCase) -> dict[str, tuple[str, str]]:
    """Each field that differs, by name: (old, new) as written."""
    return {name: (written(name, before), written(name, after)) for name in FIELDS if not _same(name, before, after)}


def kept_time(before: NewCase, after: NewCase) -> NewCase:
    """``after`` keeping the offset ``before``'s time was given in when the instant is the same."""
    if _same("missing_since", before, after) and offset_minutes(after.missing_since) != offset_minutes(
            before.missing_since):
        values = {f.name: getattr(after, f.name) for f in fields(NewCase)} | {"missing_since": before.missing_since}
        return NewCase(**values)
    return after


def identity(changed: Mapping[str, object]) -> list[str]:
    return [name for name in IDENTITY if name in changed]


def descriptive(changed: Mapping[str, object]) -> list[str]:
    return [name for name in DESCRIPTIVE if name in changed]


def waits(verified: bool, may_verify: bool, changed: Mapping[str, object]) -> bool:
    """Whether a correction's identity facts wait for a moderator: of a verified case, when its author may not
    verify cases (a family, a partner's token). A case waiting for verification is checked whole by the moderator
    who verifies it; police and moderators vouch for what they write, as when they register a case."""
    return verified and not may_verify and bool(identity(changed))


def published(names: Iterable[str]) -> bool:
    """Whether partners or readers hold any of these facts (``PUBLISHED``)."""
    return bool(PUBLISHED.intersection(names))


def reruns(changed: Mapping[str, object]) -> bool:
    """Whether the case's faces job (doubles first, then matching and every stored lead scored again) runs again."""
    return bool(set(changed) & (MATCHED | DOUBLES))


def kept(case: NewCase, names: list[str]) -> dict[str, Any]:
    """The fields ``names`` of ``case`` as a waiting correction keeps them (JSON), for ``given`` to read back."""
    out: dict[str, Any] = {}
    for name in names:
        value: Any = getattr(case, name)
        if name == "missing_since":
            out["missing_since"] = value.isoformat()
            out["missing_since_precision"] = case.missing_since_precision
        elif name == "last_seen_place":
            out[name] = [value.lat, value.lon] if value is not None else None
        elif isinstance(value, date | datetime):
            out[name] = value.isoformat()
        elif isinstance(value, Sex):
            out[name] = value.value
        else:
            out[name] = value
    return out


def given(stored: Mapping[str, Any]) -> dict[str, Any]:
    """A waiting correction's fields (``kept``) as ``corrected`` takes them."""
    out: dict[str, Any] = {}
    for name, value in stored.items():
        if name == "missing_since":
            out[name] = datetime.fromisoformat(value)
        elif name == "birth_date":
            out[name] = date.fromisoformat(value)
        elif name == "sex":
            out[name] = Sex(value)
        elif name == "last_seen_place":
            out[name] = GeoPoint(value[0], value[1]) if value else None
        else:
            out[name] = value
    return out


def vouched(case: NewCase) -> dict[str, str]:
    """The identity facts a verification vouches for, as written: kept at verification (``cases.verified_facts``) so
    that a correction is compared with what was verified, not with what earlier corrections made of it."""
    return {name: written(name, case) for name in IDENTITY}


# what ``version`` gives ("waiting.3f9a0c1d2b4e6f70", "verified-20261205T091500123456.3f9a…"), or an older page's 16
# letters and digits: anything else was never a case's version
VERSION = re.compile(r"(?:[a-z]+(?:-\d{8}T\d{12})?\.)?[0-9a-f]{16}")


def version(case: NewCase, photo_ids: Iterable[int], state: str) -> str:
    """What a moderator read of a case: where it stood (``state``: ``waiting``, ``verified``, or how it ended), then its
    facts, as written, and its photos in a few characters (``state.stamp``). The forms deciding on a case (verify,
    reject, close) carry it, and a case that changed since is refused (probe s27 A3: facts corrected, a photo added;
    probe s34 H2: verified meanwhile by another moderator, and rejected on the page that showed it waiting)."""
    said = "\n".join(f"{name}={written(name, case)}" for name in FIELDS)
    said += "\nphotos=" + ",".join(str(i) for i in sorted(int(i) for i in photo_ids))
    return f"{state}.{hashlib.sha256(said.encode()).hexdigest()[:16]}"
