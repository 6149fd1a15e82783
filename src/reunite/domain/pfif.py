"""PFIF records as Reunite reads them: the 1.4 fields, how a person becomes the case of someone who went
missing as a child, how a note is read, and which fields never leave Reunite. Pure rules: the XML
lives in ``adapters/exchange/pfif.py``, the storage and sync in ``services/pfif.py``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from reunite.domain.dates import loose_date
from reunite.domain.errors import InvalidInput
from reunite.domain.model import CASE_TEXT_LIMITS, Sex
from reunite.domain.times import iso_time
from reunite.domain.typed_time import INSTANT

PERSON_FIELDS = (
    "person_record_id", "entry_date", "expiry_date", "author_name", "author_email", "author_phone", "source_name",
    "source_date", "source_url", "full_name", "given_name", "family_name", "alternate_names", "description", "sex",
    "date_of_birth", "age", "home_street", "home_neighborhood", "home_city", "home_state", "home_postal_code",
    "home_country", "photo_url", "profile_urls",
)
NOTE_FIELDS = (
    "note_record_id", "person_record_id", "linked_person_record_id", "entry_date", "author_name", "author_email",
    "author_phone", "source_date", "author_made_contact", "status", "email_of_found_person",
    "phone_of_found_person", "last_known_location", "text", "photo_url",
)
NOTE_STATUSES = frozenset({"information_sought", "is_note_author", "believed_alive", "believed_missing",
                           "believed_dead"})
# What a partner's record says about whom to contact and where the family lives: police and moderators
# see it on the case (domain.access.case_view); nobody else, and it is never exported.
PERSON_CONTACTS = ("author_name", "author_email", "author_phone", "home_street", "home_neighborhood", "home_city",
                   "home_state", "home_postal_code", "home_country")
NOTE_CONTACTS = ("author_email", "author_phone", "email_of_found_person", "phone_of_found_person")
# A placeholder (an expired, closed or removed record) keeps only these (PFIF 1.3+).
PERSON_PLACEHOLDER = ("person_record_id", "entry_date", "expiry_date", "source_date")
NOTE_PLACEHOLDER = ("note_record_id", "person_record_id", "entry_date", "source_date")
# Kept for police and moderators, never exported: other people's contacts and exact home addresses. The
# rest of PERSON_CONTACTS, and partners' notes, reach only exports read by reviewers (access.pfif_hidden).
NEVER_EXPORTED = frozenset({"author_email", "author_phone", "email_of_found_person", "phone_of_found_person",
                            "home_street"})
CHILD_YEARS = 18
AGE = re.compile(r"^\s*(\d{1,3})\s*(?:-\s*(\d{1,3}))?\s*$")
OTHER_AGE = re.compile(r"(?im)^\s*age\s*:\s*(\d{1,3}(?:\s*-\s*\d{1,3})?)\s*$")
MISSING_LINE = re.compile(r"(?im)^\s*(?:missing since|date missing|went missing(?: on)?|走失(?:时间|日期)|"
                          r"失踪(?:时间|日期))\s*[:：]?\s*(.+?)\s*$")
# the fields of a partner's record that say who the person is (decision 0007's identity facts, and the photo): of a
# verified case, a newer version's wait for a moderator with the case's correction (``held_fields``, probe s29 C1)
IDENTITY_FIELDS = ("full_name", "given_name", "family_name", "sex", "date_of_birth", "age", "photo_url")
TRUE_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def instant(value: str) -> datetime | None:
    """A PFIF date and time (``yyyy-mm-ddThh:mm:ssZ``; other ISO 8601 offsets and fractions tolerated, as
    ``times.iso_time`` reads them; no zone = UTC)."""
    parsed = iso_time(value)
    if parsed is None:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def pfif_time(value: datetime | None) -> str:
    """The one form PFIF accepts: UTC, whole seconds, ``Z``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def pfif_date(value: datetime, precision: str = INSTANT) -> str:
    """A typed time (``typed_time``) as PFIF writes a date and time: an instant in UTC (``pfif_time``); a date
    given alone (a day, month or year: ``value`` its first instant where it was given) as its own date at
    00:00:00Z, so that a registry showing PFIF's UTC dates shows the day typed, never the day before (local
    midnight east of UTC is the previous day there). The date alone travels in the words beside it
    (``Missing since: 2026-11-20``), which ``missing_since`` reads back as that day, month or year."""
    if precision == INSTANT:
        return pfif_time(value)
    return datetime.combine(value.date(), time(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def flag(value: str) -> bool | None:
    """``author_made_contact`` (``found`` before 1.4): true or false, read leniently; else unknown."""
    return TRUE_WORDS.get(value.strip().lower())


@dataclass(frozen=True)
class Birth:
    """When a person was born, as far as the record says: ``day`` is the estimate matching uses, the
    record's own words (``2004-05``, age ``6-8``) are kept and exported unchanged."""

    day: date
    precision: str  # "day", "month", "year" or "age"


def birth(person: dict[str, str], at: datetime) -> Birth | None:
    """From ``date_of_birth`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: the middle of what it spans), else
    from ``age`` (``NN`` or ``NN-MM``, as of the record's source date; in 1.1 an ``age:`` line of
    ``other``). An invalid date of birth beside a valid age gives way to the age."""
    found = date_of_birth(person.get("date_of_birth", ""))
    if found is not None:
        return found
    other = OTHER_AGE.search(person.get("description", ""))
    match = AGE.match(person.get("age", "") or (other.group(1) if other else ""))
    if not match:
        return None
    low, high = int(match.group(1)), int(match.group(2) or match.group(1))
    if high < low:
        return None
    return Birth((at - timedelta(days=365.25 * (low + high) / 2 + 182)).date(), "age")


MIDDLE = {"day": timedelta(0), "month": timedelta(days=14), "year": timedelta(days=182)}  # of what a date spans


def date_of_birth(text: str) -> Birth | None:
    """A date of birth written ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a PFIF record's, a sheet's): the middle of
    what it spans, with how precise it is; None when it is no date."""
    found = loose_date(text)
    return None if found is None else Birth(found[0] + MIDDLE[found[1]], found[1])


def birth_precision(person: dict[str, str]) -> str:
    """How precise a partner's birth date was, so that it is shown as sent: "day", "month", "year", or "age"
    when only an age was given. A case typed here: "day". (How precise the date missing was is stored with
    the case: ``missing_since``'s ``precision``.)"""
    found = loose_date(person.get("date_of_birth", ""))
    return found[1] if found else "age" if person.get("age", "").strip() else "day"


def case_birth_precision(case: Mapping[str, Any]) -> str:
    """How precise a case's birth date is known: as ``birth_precision`` reads the ``date_of_birth`` kept with it
    (a partner's record's, or a sheet's month or year: probe s43 E4), while the case's birth date is still the
    one those words give; "day" once it was corrected to another."""
    sent = case.get("pfif") or {}
    precision = birth_precision(sent)
    if precision in ("month", "year"):
        found = birth(sent, datetime.now(UTC))  # a date of birth: read without the time (only an age needs it)
        if found is None or found.day != case.get("birth_date"):
            return "day"
    return precision


def birth_written(day: date, precision: str) -> str:
    """A birth date as precisely as it is known: a month as ``2015-03``, a year (or an age's) as ``2015``, never
    the day in the middle it is kept as."""
    return day.isoformat()[:7] if precision == "month" else day.isoformat()[:4] if precision in ("year", "age") \
        else day.isoformat()


def names(person: dict[str, str]) -> tuple[str, str]:
    """(given, family): the PFIF fields, else the whole ``full_name`` (its first line) as the given name:
    names are not split on spaces ("Maria de la Cruz Santos" stays whole)."""
    given, family = person.get("given_name", "").strip(), person.get("family_name", "").strip()
    if given or family:
        return given or family, family if given else ""
    full = person.get("full_name", "").strip().splitlines()
    return (full[0].strip() if full else ""), ""


def is_placeholder(person: dict[str, str]) -> bool:
    """A record with nothing but ids and dates: what a registry sends once a record expires."""
    return not any(person.get(name, "").strip() for name in PERSON_FIELDS if name not in PERSON_PLACEHOLDER)


NAME_KEPT = CASE_TEXT_LIMITS["given_name"]  # characters of a given or family name the case keeps (stripped)
# characters a case or a note keeps of its free text, as sent (the source's name: stripped); every field is also
# kept in its PFIF form (``canonical``), up to MAX_FIELD characters
KEPT = {"description": CASE_TEXT_LIMITS["description"], "source_name": 200, "author_name": 200,
        "last_known_location": 500, "text": 4000}
MAX_FIELD = 10_000


def cut_fields(values: dict[str, str], order: tuple[str, ...]) -> dict[str, int]:
    """Each field of a person (``order``: PERSON_FIELDS) or a note (NOTE_FIELDS) longer than it is kept, with
    the number of characters kept: the fewest, where it is kept twice (probe s23 W9: never cut silently)."""
    cut: dict[str, int] = {}
    if "given_name" in order:  # the name the case is known by (``names``)
        named = next((n for n in ("given_name", "family_name") if values.get(n, "").strip()), "full_name")
        for name, value in zip((named, "family_name"), names(values), strict=True):
            if len(value) > NAME_KEPT:
                cut.setdefault(name, NAME_KEPT)
    for name, limit in KEPT.items():
        value = values.get(name, "")
        if name in order and len(value.strip() if name == "source_name" else value) > limit:
            cut.setdefault(name, limit)
    for name, value in canonical(values, order)[0].items():
        if len(value) > MAX_FIELD:
            cut.setdefault(name, MAX_FIELD)
    return cut


def full_name(given: str, family: str) -> str:
    """A name as its culture writes it: Chinese, Japanese and Korean family name first, without a space, when
    both names are written so; a name of mixed scripts (Zoë O'Brien-陈) given name first, with a space (probe s41
    D7)."""
    if given and family and _cjk(given) and _cjk(family):
        return f"{family}{given}"
    return f"{given} {family}".strip()


def _cjk(name: str) -> bool:
    """Whether a name is written in Chinese, Japanese or Korean characters only (its spaces and dots aside)."""
    letters = [ch for ch in name if ch.isalpha()]
    return bool(letters) and all(CJK.match(ch) for ch in letters)


FORMATS = {
    "date_of_birth": re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$"),
    "age": re.compile(r"^\d{1,3}(-\d{1,3})?$"),
    "home_country": re.compile(r"^[A-Z]{2}$"),
    "source_url": re.compile(r"^https?://\S+$"),
    "photo_url": re.compile(r"^https?://\S+$"),
    "linked_person_record_id": re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?/\S+$"),
}
TIMES = ("entry_date", "expiry_date", "source_date")
CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003ffff]")
WEB = FORMATS["photo_url"]


def canonical(values: dict[str, str], order: tuple[str, ...]) -> tuple[dict[str, str], list[str]]:
    """A record's fields in the form PFIF 1.4 writes them (``Female`` → ``female``, ``yes`` → ``true``,
    times in UTC with ``Z``), and the names of fields that have no such form and are not kept."""
    kept: dict[str, str] = {}
    dropped: list[str] = []
    for name in order:
        value = values.get(name, "").strip() if name not in ("description", "text") else values.get(name, "")
        if not value:
            continue
        if name in TIMES:
            value = pfif_time(instant(value))
        elif name == "sex":
            sex = Sex.read(value)  # as every other way in reads it; PFIF knows no "unknown"
            value = sex.value if sex and sex is not Sex.UNKNOWN else "other" if value.lower() == "other" else ""
        elif name == "author_made_contact":
            made = flag(value)
            value = "" if made is None else str(made).lower()
        elif name == "home_country":
            value = value.upper()
        elif name == "linked_person_record_id" and "/" in value:
            domain, local = value.split("/", 1)
            value = f"{domain.lower()}/{local}"
        if value and name in FORMATS and not FORMATS[name].match(value):
            value = ""
        elif name == "profile_urls":
            value = links(value)
            if value and value != values[name].strip():  # some no web address (javascript:…): not kept, and said
                dropped.append(name)
        if value:
            kept[name] = value
        else:
            dropped.append(name)
    return kept, dropped


def exportable(values: dict[str, str], order: tuple[str, ...],
               hidden: frozenset[str] = NEVER_EXPORTED) -> dict[str, str]:
    """The fields of a stored record that may leave Reunite, in PFIF order (``hidden``: what this reader
    may not read, ``domain.access.pfif_hidden``)."""
    found = {name: values[name] for name in order if values.get(name) and name not in hidden | NEVER_EXPORTED}
    if "profile_urls" in found:  # stored before they were checked: only web addresses leave (probe s41 D7)
        found["profile_urls"] = links(found["profile_urls"])
    return {name: value for name, value in found.items() if value}


def links(urls: str) -> str:
    """``profile_urls`` (one a line) that are web addresses (``http``, ``https``: as ``photo_url`` and
    ``source_url`` are checked), the others left out."""
    return "\n".join(line.strip() for line in urls.splitlines() if WEB.match(line.strip()))


def canonical_domain(domain: str) -> str:
    """A domain in the one form it is compared in: lower case, an internationalised domain as its IDNA (punycode)
    form (``中国.org`` is ``xn--fiqs8s.org``, as DNS knows it), so that a key for either spelling writes the
    records whose ids use either (probe s46 P14); a domain IDNA cannot write is kept in lower case (and refused
    where a key names it: ``token_domain``)."""
    domain = domain.strip().lower()
    if domain.isascii():
        return domain
    try:
        return domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return domain


def record_id(value: str) -> str:
    """A PFIF record id as kept and compared: its domain (the part before the first ``/``) in its one form
    (``canonical_domain``: lower case, as domains are case-insensitive, ``PartnerB.org/p1`` is ``partnerb.org/p1``;
    an internationalised one in punycode); the rest as sent."""
    value = value.strip()
    if "/" not in value:
        return value
    domain, local = value.split("/", 1)
    return f"{canonical_domain(domain)}/{local}"


FUTURE_SKEW = timedelta(minutes=10)  # clocks differ: a source_date this far ahead of ours is still taken


def naive_times(values: dict[str, str]) -> list[str]:
    """The record's times written without a UTC offset: PFIF 1.4 writes every time in UTC with ``Z``, so they
    are read as UTC, and said so."""
    return [name for name in TIMES if (found := iso_time(values.get(name, "").strip())) is not None
            and found.tzinfo is None]


def record_domain(record_id: str) -> str:
    return canonical_domain(record_id.split("/", 1)[0]) if "/" in record_id else ""


# a host name's label (RFC 1123): letters, digits and hyphens, not at either end, at most 63
HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def token_domain(value: str) -> str:
    """A domain a token may write PFIF records of, as record ids are compared (``record_domain``): trimmed, in lower
    case, a host name of two labels or more (``partner.org``, one trailing dot dropped; an internationalised one
    in punycode: ``canonical_domain``). Anything else could never
    match a record's domain (``PartnerC.ORG`` kept as typed, ``partnerc.org/evil``, ``*``, ``""``): InvalidInput
    (probe s29 C9)."""
    domain = value.strip().lower()
    domain = canonical_domain(domain[:-1] if domain.endswith(".") else domain)  # 中国.org as xn--fiqs8s.org
    labels = domain.split(".")
    if len(domain) > 253 or len(labels) < 2 or not all(HOST_LABEL.match(label) for label in labels) \
            or labels[-1].isdigit():
        raise InvalidInput("{value} is not a domain a key may write records of: give a host name such as partner.org, without a path, port, wildcard or spaces",  # noqa: E501
                           field="domains", value=value.strip()[:100] or '""')
    return domain


def token_domains(values: Iterable[str]) -> list[str]:
    """Each domain as ``token_domain`` keeps it, once, in the order given."""
    return list(dict.fromkeys(token_domain(value) for value in values))


def _missing_line(description: str) -> str:
    found = MISSING_LINE.search(description)
    return found.group(0).strip() if found else ""


def restated(kept: dict[str, str], sent: dict[str, str]) -> set[str]:
    """The case's facts a newer version of a record (``sent``) says as the version before (``kept``) did, whatever
    its new dates: the birth date when its ``date_of_birth`` and ``age`` are the same (an age is as of the record's
    ``source_date``: read again at a newer one it would move the estimate by days), the time missing when its
    description's missing-since line is the same (without one, it is the record's ``source_date``). The case keeps
    its values for them: nothing changed, nothing for a moderator to accept."""
    same = set()
    if all(sent.get(name, "") == kept.get(name, "") for name in ("date_of_birth", "age")):
        same.add("birth_date")
    if _missing_line(sent.get("description", "")) == _missing_line(kept.get("description", "")):
        same |= {"missing_since", "missing_since_precision"}
    return same


def held_fields(kept: dict[str, str], sent: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """A newer version ``sent`` of a verified record (``kept`` as sent before) while its identity waits for a
    moderator: (what is kept now: ``sent`` but for its identity fields, ``IDENTITY_FIELDS``, and its description's
    missing-since line, as ``kept`` has them; what waits: those of ``sent`` that differ, an empty value for a field
    it drops). The exports read a partner's record as kept: its new name, birth date or photo reach no other
    registry before a moderator accepts them."""
    stored, waiting = dict(sent), {}
    for name in IDENTITY_FIELDS:
        if sent.get(name, "") != kept.get(name, ""):
            waiting[name] = sent.get(name, "")
            if kept.get(name):
                stored[name] = kept[name]
            else:
                stored.pop(name, None)
    line = _missing_line(kept.get("description", ""))
    if _missing_line(sent.get("description", "")) != line:
        waiting["description"] = sent.get("description", "")
        words = MISSING_LINE.sub("", sent.get("description", "")).strip()
        stored["description"] = "\n".join(text for text in (words, line) if text)
    return stored, waiting


def last_changed(case: Mapping[str, Any]) -> datetime:
    """When what partners and readers hold of a case last changed here (the PFIF export's ``entry_date``, and for
    this site's own records its ``source_date``; the feed entry's ``<updated>``): imported, or changed since
    (``entry_date``: a correction applied or accepted, a photo published, the words shared; probe s29 C5), verified,
    or verified again after a withdrawal, whose placeholder partners hold with the withdrawal's dates (dated before
    it, the record would lose to the placeholder). PFIF dates are whole seconds: a restore within the withdrawal's
    second is after it."""
    changed: datetime = max(d for d in (case.get("entry_date"), case.get("verified_at"), case.get("created_at"))
                            if d is not None)
    withdrawn = case.get("withdrawn_at")
    if withdrawn is not None:
        changed = max(changed, withdrawn.replace(microsecond=0) + timedelta(seconds=1))
    return changed
