"""Reading the pages' forms: each field read once, the same way on every page; a value that cannot be
read is refused naming its field (422), never guessed, so that the page shows the form again as typed with
the error by that field; a value a page's script worked out (``hint``: a photo's clock and place) is left out
when it cannot be read, never a reason to refuse what the reader typed. A field of one value sent more than
once (a form built by hand, a broken client) is refused too, never reduced to one of its values; fields that
are lists (photos, ticked boxes) are read with ``several``. A NUL character (no text may hold one) is refused
in the field that holds it when that field is read; the form as read (``checked_form``) holds none, so that
what is shown again or kept never does. A whole number is read as one once its text is read (``number``):
never past the database's bigint."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from fastapi import Request
from starlette.datastructures import FormData, QueryParams, UploadFile

from reunite.domain.access import Principal
from reunite.domain.errors import InvalidInput, InvalidInputs, Problems, ReuniteError, bounded
from reunite.domain.model import GeoPoint, Sex, Upload
from reunite.domain.spelling import without_controls
from reunite.domain.times import (
    MAX_OFFSET_MINUTES,
    RepeatedTime,
    browser_zone,
    from_browser,
    iso_time,
    offset_name,
    offset_text,
    zone,
)
from reunite.domain.typed_time import TypedTime, typed_time
from reunite.entrypoints.api.auth import check_csrf
from reunite.entrypoints.api.guard import BIGINT_MAX, NUMBER
from reunite.entrypoints.api.guard import problem as nul_problem
from reunite.i18n import Language, ZoneKey
from reunite.services import idempotency


class ReadForm(FormData):
    """A page's form as read (``checked_form``): NUL characters left out of every field's name and text, the
    fields that held one (``nul``) refused when read (``single``, ``several``)."""

    def __init__(self, items: list[tuple[str, str | UploadFile]], nul: frozenset[str]) -> None:
        super().__init__(items)
        self.nul = nul


class ReadQuery(QueryParams):
    """A page's address as read (``pages.address``): what could not be read left out, each parameter that held
    some refused when read (``refused``, by name), and said so (``told``: the page says the others)."""

    def __init__(self, items: list[tuple[str, str]], refused: dict[str, InvalidInput], told: set[str]) -> None:
        super().__init__(items)
        self.refused = refused
        self.told = told


def without_nul(form: FormData) -> FormData:
    """The form with no NUL character in it, remembering the fields that held one."""
    held = frozenset(name.replace("\x00", "") for name, value in form.multi_items()
                     if "\x00" in name or (isinstance(value, str) and "\x00" in value))
    if not held:
        return form
    return ReadForm([(name.replace("\x00", ""), value.replace("\x00", "") if isinstance(value, str) else value)
                     for name, value in form.multi_items()], held)


async def checked_form(request: Request) -> FormData:
    """The form a page sent, once its CSRF token is checked; without NUL characters (``without_nul``)."""
    form = await request.form()
    check_csrf(request, form)
    return without_nul(form)


def _readable(form: FormData | QueryParams, name: str, values: list[Any]) -> None:
    """Refuses a field that held a NUL character (or, in an address, bytes that are not text), naming it (in the
    reader's words, as every field)."""
    if isinstance(form, ReadQuery) and name in form.refused:
        form.told.add(name)
        raise form.refused[name]
    typed = "\x00" if name in getattr(form, "nul", ()) else "".join(v for v in values if isinstance(v, str))
    if (found := nul_problem(typed, name)) is not None:
        raise found


def single(form: FormData | QueryParams, name: str) -> str:
    """A field's one value, as sent ("" when absent, or a file); sent more than once, or holding a NUL
    character: refused naming it."""
    values = form.getlist(name)
    _readable(form, name, values)
    if len(values) > 1:
        raise InvalidInput("{name} was sent more than once: send it once", field=name, name=name)
    return values[0] if values and isinstance(values[0], str) else ""


def several(form: FormData | QueryParams, name: str) -> list[str]:
    """A list field's texts (ticked boxes, ids), as sent; one holding a NUL character: refused naming it."""
    values = form.getlist(name)
    _readable(form, name, values)
    return [value for value in values if isinstance(value, str)]


def shown(form: FormData, name: str) -> str:
    """A field as typed, to show again in a refused form (the last value of one sent more than once; never
    a NUL character)."""
    value = form.get(name)
    return value.replace("\x00", "").strip() if isinstance(value, str) else ""


def hint(form: FormData, name: str) -> str:
    """A value a page's script worked out for the reader (a photo's clock, its place, the browser's zone), which
    they neither see nor can change: its first value as sent, trimmed, never a reason to refuse the form (the
    caller leaves out what it cannot read)."""
    value = form.get(name)
    return value.strip()[:200] if isinstance(value, str) else ""


def text(form: FormData | QueryParams, name: str, limit: int | None = None) -> str:
    """A field's text, trimmed, without invisible control characters (``spelling.without_controls``: ESC, BEL…;
    a vertical tab is a space); longer than ``limit``: refused naming the field, never cut short."""
    found = without_controls(single(form, name))
    return found if limit is None else bounded(found, limit, name)


NOT_THE_REQUEST = {"csrf", "client_key", "idempotency_key", "pow_challenge", "pow_nonce"}


def request_fields(form: FormData) -> list[tuple[str, str]]:
    """What a form asks for (its text fields, not its keys and tokens): a key sent again with other
    fields names another request (``services.idempotency``)."""
    return [(name, value) for name, value in form.multi_items()
            if isinstance(value, str) and name not in NOT_THE_REQUEST]


def own_key(who: Principal, form: FormData) -> str | None:
    """The form's one-time key (a hidden field), made its sender's own: the account's, else the
    browser's, by the form's CSRF token (made from the pre-session its cookie holds, checked by
    ``checked_form``): a key another browser sends, copied or chosen alike, is another request."""
    raw = text(form, "idempotency_key")[:64]
    return raw if who.signed_in else idempotency.senders(raw, "csrf:" + text(form, "csrf"))


def form_key(who: Principal, operation: str, form: FormData) -> idempotency.Key | None:
    """The form's one-time key, bound to who sends it (``own_key``) and what it asks: the same form
    sent twice (a double click, a resend after a lost answer) is done once."""
    return idempotency.scoped(who, operation, own_key(who, form), request_fields(form))


def number(form: FormData, name: str, kind: type[int] | type[float] = float) -> Any:
    """A number typed in a field (``kind``: a whole one); a whole one is at most the database's bigint."""
    raw = text(form, name)
    if not raw:
        return None
    if kind is int:
        return whole(raw, name)
    try:
        value = kind(raw)
    except ValueError:
        raise InvalidInput("{name} must be a number", field=name, name=name) from None
    if not math.isfinite(value):  # 1e309, nan: never a number a person typed, nor quoted back as "inf"
        raise InvalidInput("{name} must be a number", field=name, name=name)
    return value


def whole(raw: str, name: str) -> int:
    """A whole number's text (an id, a count) as the number: anything else refused naming the field, and
    one past the database's bigint too (read by its length first: 600 digits are never turned into one)."""
    raw = raw.strip()
    if not NUMBER.match(raw):
        raise InvalidInput("{name} must be a whole number", field=name, name=name)
    if len(raw.lstrip("+-").lstrip("0")) > 19 or abs(int(raw)) > BIGINT_MAX:
        raise InvalidInput("{name} is too large a number", field=name, name=name)
    return int(raw)


def ids(form: FormData, name: str) -> list[int]:
    """A list field of ids (ticked boxes), each read as ``whole`` reads it; blank ones left out."""
    return [whole(value, name) for value in several(form, name) if value.strip()]


def local_time(form: FormData, name: str, lang: Language) -> datetime | None:
    """A datetime-local field, read in the browser's zone (``tz``, or its ``tz_offset``), else in the
    reader's zone as the page showed it (the site's without JavaScript). A time that happened twice there (the
    clocks went back over it) is the one the reader chose (``occurrence``), else the form comes back asking."""
    raw = text(form, name)
    if not raw:
        return None
    wall = iso_time(raw)  # a datetime-local value; typed in a text box (an old browser), its offset is kept
    if wall is None:
        raise InvalidInput("the date and time are not valid", field=name)
    try:
        return from_browser(wall, *_browser(form), lang.tzinfo, name, occurrence(form, name))
    except RepeatedTime as exc:
        raise _asked(exc) from None


def typed_day_and_time(form: FormData, name: str, clock: str, lang: Language) -> TypedTime | None:
    """A date field and an optional time field beside it (``clock``), read as every typed time is, the API's
    too (``typed_time.typed_time``: 2026-02-30 is "the date is not valid") in the browser's zone as
    ``local_time`` reads one: with a time, that instant (one that happened twice: the one chosen, else asked);
    without, the whole day. A date field typed as text (an old browser) may hold its time too."""
    day, hour = text(form, name), text(form, clock)
    if not day:
        return None
    where = browser_zone(*_browser(form), lang.tzinfo)
    try:
        return typed_time(f"{day} {hour}" if hour else day, where, name, chosen=occurrence(form, name))
    except RepeatedTime as exc:
        raise _asked(exc) from None


OCCURRENCE = "{}_occurrence"  # the field of a form's answer to which of two times it meant (``occurrences``)


def occurrence(form: FormData, name: str) -> datetime | None:
    """Which of the two times a wall time that happened twice means, as the reader chose it in the form asking
    (``occurrences``): that time with its offset (ISO 8601), else None."""
    found = iso_time(text(form, OCCURRENCE.format(name))[:40])
    return found if found is not None and found.tzinfo is not None else None


def _asked(exc: RepeatedTime) -> RepeatedTime:
    """A form's refusal of a time that happened twice: the form comes back as typed, asking which (a field
    cannot carry an offset: never written, never silently the first)."""
    return RepeatedTime(InvalidInput("{wall} happened twice in {zone}: the clocks went back over it (summer time ended). Choose which of the two times you mean, under the time, and send the form again",  # noqa: E501
                                     field=exc.field, wall=exc.params["wall"], zone=ZoneKey(exc.params["zone"])),
                        exc.choices)  # the zone named as the choices under it name it


def occurrences(exc: ReuniteError, lang: Language) -> dict[str, list[tuple[str, str]]]:
    """What a refused form asks of each time it read that happened twice: by field, the two times, each as the
    answer's value (the time with its offset, ``occurrence``) and in words: the time in the zone it was read in,
    zone named, its UTC offset and whether it is the first or the second."""
    found = exc.problems if isinstance(exc, InvalidInputs) else [exc]
    asked = {}
    for problem in found:
        if isinstance(problem, RepeatedTime) and problem.field:
            first, second = problem.choices
            there = replace(lang, zone=getattr(first.tzinfo, "key", lang.zone))
            asked[problem.field] = [
                (offset_text(first), lang.gettext("{time} ({offset}): the first time, before the clocks went back",
                                                  time=there.datetime(first), offset=offset_name(first))),
                (offset_text(second), lang.gettext("{time} ({offset}): the second time, after the clocks went back",
                                                   time=there.datetime(second), offset=offset_name(second)))]
    return asked


def _browser(form: FormData) -> tuple[str, int | None]:
    """The browser's zone (``tz``) and offset (``tz_offset``) sent with a typed time, checked: a zone this server
    does not know is refused unless its offset came too, never silently read in another."""
    named, offset = text(form, "tz"), number(form, "tz_offset", int)
    if named and zone(named) is None and offset is None:  # never silently read in another zone (with the
        # browser's offset it is read at that offset: a zone newer than this server's list)
        raise InvalidInput("{zone} is not a time zone this site knows: give a name such as Asia/Shanghai",
                           field="tz", zone=named[:64])
    if offset is not None and abs(offset) > MAX_OFFSET_MINUTES:
        raise InvalidInput("{name} must be between {low} and {high}", field="tz_offset", name="tz_offset",
                           low=-MAX_OFFSET_MINUTES, high=MAX_OFFSET_MINUTES)
    return named, offset


def form_language(form: FormData, lang: Language) -> Language:
    """The reader's language, in the zone their form was sent from (their next page shows times in it); the
    page's own when the form's zone cannot be read (a refused form is shown again in it)."""
    sent = form.getlist("tz")
    named = sent[0].strip() if len(sent) == 1 and isinstance(sent[0], str) else ""
    return replace(lang, zone=named) if zone(named) else lang


def a_date(raw: str, field: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("the date is not valid", field=field) from None


def place(form: FormData, lat: str = "lat", lon: str = "lon") -> GeoPoint | None:
    """A map pin; half of one (a latitude without its longitude) is refused, never silently dropped."""
    la, lo = number(form, lat), number(form, lon)
    if (la is None) != (lo is None):
        raise InvalidInput("give both latitude and longitude, or neither", field=lon if lo is None else lat)
    return GeoPoint(la, lo) if la is not None and lo is not None else None


async def uploads(form: FormData, dates: str | None = None,
                  problems: Problems | None = None) -> tuple[list[Upload], list[date | None]]:
    """Files actually chosen (browsers send empty parts for empty inputs), with their dates if asked: the date
    beside each file field, in order. A date beside a field with no photo (chosen before the form came back,
    which a browser cannot keep) is refused naming that photo, never dropped unsaid; every photo's problem at once
    (into ``problems`` when given, the photos and dates that could be read returned: a date that could not, None).
    Each photo numbered by its field (``Upload.number``)."""
    files = form.getlist("photos")
    days = [raw.strip() if isinstance(raw, str) else "" for raw in form.getlist(dates)] if dates else []
    if dates:
        _readable(form, dates, days)  # a NUL in a date: refused naming the dates
    chosen, taken, found = [], [], Problems() if problems is None else problems
    for index in range(max(len(files), len(days))):
        item = files[index] if index < len(files) else None
        upload = item if isinstance(item, UploadFile) and item.filename else None
        data = await upload.read() if upload is not None else b""
        raw = days[index] if index < len(days) else ""
        if upload is None or not data:
            if raw:
                found.add(InvalidInput("photo {number} has a date taken but no photo: choose the photo again, or clear its date",  # noqa: E501
                                       field="photo_dates", number=index + 1))
            continue
        chosen.append(Upload(data, upload.filename or "", index + 1))
        try:
            taken.append(a_date(raw, "photo_dates"))
        except InvalidInput as exc:  # said of its photo: "photo 2: the date is not valid"
            exc.within("photo {number}: ", number=index + 1)
            found.add(exc)
            taken.append(None)
    if problems is None:
        found.raise_all()
    return chosen, taken


def sex(form: FormData, name: str, required: bool = False) -> Sex:
    """A sex from a list; a required one has no default (a child's case must say, "unknown" included)."""
    if required and not text(form, name):
        raise InvalidInput("choose the child's sex (or “Not known”)", field=name)
    found = Sex.read(text(form, name) or "unknown")  # as the API and the spreadsheets read it
    if found is None:
        raise InvalidInput("choose a sex from the list", field=name)
    return found
