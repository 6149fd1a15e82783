"""The framework's validation errors in the reader's language: each a problem of the API's one error
shape (``problems.py``) whose ``detail`` is a sentence the reader can act on, in English or Chinese,
instead of the validator's English. Fields are named as the reader calls them
(``Language.field_name``: every name in ``FIELD_NAMES`` has a translation), lists of choices are joined
as the reader's language joins them, each value named in the reader's words where they differ."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator
from pydantic_core import PydanticCustomError

from reunite.domain.dates import no_such_day
from reunite.domain.model import Sex
from reunite.domain.times import MAX_OFFSET_MINUTES, iso_time, offset_minutes
from reunite.i18n import Language

KINDS = {  # the validator's error type, by prefix, to what the reader is told
    "missing": "{field} is required",
    "int": "{field} must be a whole number",
    "float": "{field} must be a number",
    "decimal": "{field} must be a number",
    "bool": "{field} must be true or false",
    "no_such_day": "{field}: the date is not valid (no such day in the calendar)",  # dates.NO_SUCH_DAY
    "no_such_month": "{field}: the month is not valid (a year has 12 months)",  # dates.NO_SUCH_MONTH
    "birth_date": "{field} must be a date such as 2016-07-08, 2016/07/08 or 2016年7月8日, or a month or a year alone: 2015-03, 2015",  # noqa: E501
    "date": "{field} must be a date such as 2026-12-02",
    "datetime": "{field} must be a date and time with its zone, such as 2026-12-02T17:30+08:00",
    "time": "{field} must be a time such as 17:30",
    "timezone": "{field} must be a date and time with its zone, such as 2026-12-02T17:30+08:00",
    "enum": "{field} must be one of: {expected}",
    "literal": "{field} must be one of: {expected}",
    "json": "the body is not valid JSON",
    "string_too_long": "{field} is too long (at most {max_length} characters)",
    "string_too_short": "{field} is too short (at least {min_length} characters)",
    "too_long": "{field} has too many items (at most {max_length})",
    "too_short": "{field} has too few items (at least {min_length})",
    "greater_than_equal": "{field} must be at least {ge}",
    "less_than_equal": "{field} must be at most {le}",
    "greater_than": "{field} must be more than {gt}",
    "less_than": "{field} must be less than {lt}",
    "url": "{field} must be a web address starting with http:// or https://",
    "uuid": "{field} must be a UUID",
    "offset_range": "the time's UTC offset must be between -14:00 and +14:00",
    "repeated": "{field} was sent more than once: send it once",  # inputs.py
    "extra_forbidden": "{field} is not an input of this request: correct its name or leave it out (see /docs)",
}


# every input of the API and of the pages' forms that a message may name (the catalogs translate each, in
# the context "field"; a test checks that the API's inputs are all here)
FIELD_NAMES = (
    "Idempotency-Key", "address", "age", "age_high", "age_low", "apparent_age_high", "apparent_age_low",
    "apparent_sex", "approve", "before", "birth_date", "body", "candidate_id", "case_id", "channel", "contact",
    "decision",
    "copy_id", "description", "digest", "domains", "dry_run", "evidence", "face_id", "family_name", "file", "flag_id",
    "given_name", "id", "ids", "include_unknown", "interval", "interval_minutes", "keep_data", "kind", "language",
    "last_seen_lat", "last_seen_lon", "last_seen_text", "lat", "limit", "lon", "marks", "max_side", "method",
    "missing_since", "name", "nicknames", "notes", "offset", "page", "path", "photo", "photo_dates", "photo_id",
    "photos", "place", "place_text", "police_report", "pow_challenge", "pow_nonce", "radius_km", "reason", "region",
    "relation", "requester", "result", "reunited", "scopes", "seen_at", "seen_from", "seen_to", "sex", "sighting_id",
    "source_id", "status", "subject", "subject_id", "takedown_id", "token_id", "tz_offset", "url", "with_whom",
    "account_id", "invitation_id", "role",  # the accounts' routes
    "subscription_id",  # an alert subscription's (reach_routes)
    "family_summary",
    "shared_description", "shared_marks",  # a case's free texts as a moderator approved them for sharing
    "actor", "action", "since", "until",  # the audit log's filters
    "members",  # a confirmation's trail
    "child_faces",  # an approval's choice of the child's face
    "zone",  # a sheet's column: the IANA zone of the row's times (services/exchange)
    "receipt", "token",  # a reporter's private link, in the API (report_routes)
    "version", "versions", "take_over",  # a moderator's decision on what they read; taking a claim over
    # the pages' forms' own names
    "doing", "family_contact", "note", "photo_lat", "photo_lon", "query", "with",
    "email", "password", "current", "next", "details", "sure", "t", "csrf", "idempotency_key", "client_key",
    "copies", "photo_taken_at", "photo_zone_assumed", "missing_since_time", "from", "to", "known_only", "back",
    "answer", "confirm", "outcome", "member", "trail", "one", "all", "scope", "username", "photo_clock",
    "child_face",  # ``child_face_<id>``, ``version_<id>``: one per report, named as their kind (``field_name``)
    "tz",  # the browser's time zone, sent with a time typed on a page
    "lang",  # the reader's language, a query parameter of every route (inputs.py)
    "other_case_id",  # a moderator's own duplicate flag: the second case
    "note_id",  # a partner registry's note kept aside, attached by a moderator
    "correction_id",  # a family's correction a moderator decides (corrections)
    "checked",  # a moderator's tick: photos added that the machine reads as another child were compared (added_check)
    "missing_since_was", "missing_since_time_was",  # the correction form's time last seen as it stood (unchanged)
    "withdraw", "withdraw_reason",  # revoking a token, withdrawing the cases it brought in that nobody verified
    "before_entry", "audit_subject",  # ``before`` where it is an entry's id, ``subject`` a record (``MEANINGS``)
)
# an input whose name means something else at one address: named there as what it is (``before`` is a time
# in the feed, the id of an entry in the audit log; ``subject``, what to remove in a removal request, a record
# or a kind of record in the audit log)
MEANINGS = {("/api/audit", "before"): "before_entry", ("/api/audit", "subject"): "audit_subject",
            ("/audit", "before"): "before_entry", ("/audit", "subject"): "audit_subject"}  # and the log's page
QUOTED = re.compile(r"'([^']*)'")
GLOSS = "{value} ({word})"  # a value to send, with what it means in the reader's words: 'female'（女）
VALUE_WORDS = tuple(sex.value for sex in Sex)  # values that the catalogs name as words (scripts/messages.py)


# a time whose offset's "+" a query string read as a space (2026-12-05T00:00+08:00 pasted unencoded)
PLUS_READ_AS_SPACE = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)")


def _read_time(value: object) -> object:
    """A time sent as text, read as every time from outside is (``times.iso_time``: hours-only offsets
    too); text that is none is refused here, not read by the framework's own rules. A positive offset whose
    "+" became a space (the API's own example pasted into a query string unencoded) is that offset."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and (plus := PLUS_READ_AS_SPACE.fullmatch(value.strip())):
        value = f"{plus[1]}+{plus[2]}"
    parsed = iso_time(value) if isinstance(value, str) else None
    if parsed is None and isinstance(value, str) and no_such_day(value):  # 2026-02-29T10:00+08:00: it has a zone
        raise PydanticCustomError("no_such_day", "no such day in the calendar")
    if parsed is None:
        raise PydanticCustomError("datetime_parsing", "not an ISO 8601 date and time")
    return parsed  # naive when it names no offset: ``AwareDatetime`` refuses it (422, "timezone_aware")


def _offset_kept(value: datetime) -> datetime:
    """An offset beyond ±14:00 could not be kept (nor given back): refused, as ``times.localize`` does."""
    if abs(offset_minutes(value) or 0) > MAX_OFFSET_MINUTES:
        raise PydanticCustomError("offset_range", "the UTC offset is beyond -14:00 to +14:00")
    return value


# The type of every time the API and the pages take in a field, query or form: ISO 8601 with its UTC offset
# (``2026-12-02T17:30+08:00``, ``…+0800``, ``…+08``, ``…Z``); a time without one is refused naming the field.
# The OpenAPI document says ``format: date-time``.
GivenTime = Annotated[AwareDatetime, BeforeValidator(_read_time), AfterValidator(_offset_kept)]


MOST_SPECIFIC_FIRST = sorted(KINDS, key=len, reverse=True)


def _template(kind: str) -> str:
    for prefix in MOST_SPECIFIC_FIRST:
        if kind == prefix or kind.startswith(prefix + "_"):
            return KINDS[prefix]
    return "{field} is not valid"


def _name(loc: Sequence[Any]) -> str | None:
    """The input's name as it is sent (``sex``, ``seen_from``); None for the body as a whole."""
    names = [str(part) for part in loc[1:] if not isinstance(part, int)]
    return names[-1] if names else None


def _input(loc: Sequence[Any]) -> str | None:
    """The input a problem is about, else where it was looked for (``body``)."""
    return _name(loc) or (str(loc[0]) if loc else None)


def _field(loc: Sequence[Any], lang: Language, kind: str = "", path: str = "") -> str:
    name = _name(loc)
    if name and kind == "extra_forbidden":  # no input of ours: named as it was sent
        return f"“{name}”"
    return lang.field_name(MEANINGS.get((path, name), name)) if name else lang.gettext("the request body")


def _params(error: dict[str, Any], lang: Language) -> dict[str, Any]:
    """The validator's context for the sentence; the choices of an enum or literal as the reader's
    language lists them (the validator joins them with an English "or")."""
    params = {key: value for key, value in (error.get("ctx") or {}).items() if isinstance(value, int | float | str)}
    expected = params.get("expected")
    if isinstance(expected, str) and (choices := QUOTED.findall(expected)):
        params["expected"] = lang.one_of([_choice(choice, lang) for choice in choices])
    return params


def _choice(value: str, lang: Language) -> str:
    """A value the reader may send, quoted as sent, and named in the reader's language where its
    catalog has other words for it ('female'（女）); the English reader reads the value alone."""
    word = lang.gettext(value)
    return f"'{value}'" if word == value else lang.gettext(GLOSS, value=f"'{value}'", word=word)


def localized(errors: Sequence[dict[str, Any]], lang: Language, path: str = "") -> list[dict[str, Any]]:
    """Each error as a problem of the API's errors (``problems.py``): the input it is about (``field``),
    the sentence in the reader's language (``detail``), and where and what the validator found (``loc``,
    ``type``); the input itself is never echoed. ``path``: the address asked, whose inputs are named as
    what they are there (``MEANINGS``)."""
    shown = []
    for error in errors:
        loc = list(error.get("loc", ()))
        params = _params(error, lang)
        params["field"] = _field(loc, lang, str(error.get("type", "")), path)
        try:
            message = lang.gettext(_template(str(error.get("type", ""))), **params)
        except (KeyError, IndexError):  # a context the sentence does not name: say what is known
            message = lang.gettext("{field} is not valid", field=params["field"])
        shown.append({"field": _input(loc), "detail": message, "loc": loc, "type": error.get("type", "")})
    return shown


FRAMEWORK_400 = (  # the form parser's refusals (400), by their English words, to what the reader is told
    (re.compile(r"Too many fields\. Maximum number of fields is (\d+)"),
     "the form has too many fields: at most {limit} can be sent at once"),
    (re.compile(r"Too many files\. Maximum number of files is (\d+)"),
     "the form has too many files: at most {limit} can be sent at once"),
    (re.compile(r"(?:Field|Part) exceeded maximum size of (\d+)KB"),
     "a field of the form is too long: at most {limit} KB"),
)


def body_refused(detail: str, lang: Language) -> str:
    """A 400 of the framework's form parser (too many fields, a broken multipart body) in the reader's
    language, with the limit it names."""
    for pattern, message in FRAMEWORK_400:
        if found := pattern.search(detail):
            return lang.gettext(message, limit=found.group(1))
    return lang.gettext("the request body could not be read: send the form again, as a well-formed form or JSON")


def as_sex(value: object) -> object:
    """A sex as every way in reads it (``Sex.read``: ``女``, ``F``…); other words left to be refused."""
    return (Sex.read(value) or value) if isinstance(value, str) else value


# a sex in a form, a query or a body: the words the forms and sheets read (female, 女, f…), one reading on every
# route (probe s46 P10: ``GET /api/sightings?sex=女`` was refused)
SexRead = Annotated[Sex, BeforeValidator(as_sex)]
