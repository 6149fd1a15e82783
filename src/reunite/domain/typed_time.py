"""When something happened, as a person or a partner typed it, read once for every way in: the registration
form, the API, a spreadsheet's cell and a PFIF record's ``missing since:`` line. The answer is the instant and
how precisely it is known: a date and time ("2026-11-20 10:00", "2026-11-20T10:00+08:00", "2026/11/20 10:00",
"2026年11月20日上午10点", a spreadsheet's serial number with its fraction of a day) is an instant, kept to the
minute it names (seconds too, when given); a date alone ("2026-11-20", "2026/11/20", "2026年11月20日", a whole
serial day) is that whole day, a month or year alone ("2026-11", "2026") that whole month or year. A day, month
or year is kept as its first instant (midnight in the zone it was read in): whatever is compared with it (a
sighting seen before the child went missing?) is compared with the whole span, never with a midnight nobody
gave, and it is shown as the date alone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from reunite.domain.dates import NO_SUCH_DAY, NO_SUCH_MONTH, calendar_fault, loose_date, serial_date, serial_moment
from reunite.domain.errors import InvalidInput, plain
from reunite.domain.said_time import dated_wall
from reunite.domain.times import YEARS, iso_time, localize, real

INSTANT = "instant"  # a date and time: the instant it names
DAY, MONTH, YEAR = "day", "month", "year"  # a date alone: the whole day (month, year), in the zone it was read in
PRECISIONS = (INSTANT, DAY, MONTH, YEAR)

# a date typed as people type one (2026/11/20, 2026.11.20, 2026年11月20日), then a clock time (10:00, 10:00:30)
DATE_AND_CLOCK = re.compile(r"^(?P<day>.+?)[Tt\s]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?$")
# what is meant as a date, whether or not it names one: a year's four figures, then a month's (2026-02-30,
# 2026/13/01, 2026.2.30, 2026年2月30日, 20260230); a time of day after it (10:00, 上午10点)
DATE_SHAPED = re.compile(r"^\s*\d{4}\s*(?:[-/.]\s*\d{1,2}|年\s*\d{1,2}\s*月|\d{4}(?!\d))")
CLOCK_SHAPED = re.compile(r"\d\s*[:：]\s*\d|[点點时時]")


@dataclass(frozen=True)
class TypedTime:
    """A time as given: ``at`` the instant (of a day, month or year: its first, midnight where it was read),
    with the offset it was given in; ``precision`` one of ``PRECISIONS``; ``read_in`` the zone a time or date
    that named no UTC offset was read in (said to whoever sent it), else empty."""

    at: datetime
    precision: str = INSTANT
    read_in: str = ""

    def __str__(self) -> str:
        """As ISO 8601 writes it, as precisely as it was given (probe s22 V5: never ``TypedTime(at=…)`` in a
        message): 2026-11-20T10:00+08:00 (an instant, at its offset), 2026-11-20, 2026-11, 2026."""
        return str(plain(self.at)) if self.precision == INSTANT else date_written(self.at, self.precision)


def zone_label(where: tzinfo) -> str:
    """A zone as a report names it: its IANA name, else its offset ("UTC+08:00")."""
    return str(getattr(where, "key", None) or where)


def whole(day: date, where: tzinfo, precision: str = DAY, field: str = "time") -> TypedTime:
    """A day (month, year) in a zone: its first instant there (a midnight summer time skipped: the instant the
    day began), said to be read in that zone."""
    if day.year not in YEARS:
        raise InvalidInput("the date is not valid", field=field)  # a date alone: no time was given
    return TypedTime(real(datetime.combine(day, time()), where), precision, zone_label(where))


def read_typed_time(text: str, where: tzinfo, field: str = "time", *, serials: bool = False,
                    chosen: datetime | None = None) -> TypedTime | None:
    """``text`` as a date and time or a date alone (see the module), or None when it is neither. A time or date
    that names no UTC offset (or ``-00:00``, "offset unknown") is read in ``where``; a wall time summer time
    skipped there is refused (InvalidInput, naming the real time), and one it repeated too (``RepeatedTime``,
    naming both) unless ``chosen`` is one of the two (a form's answer: ``times.localize``). ``serials``: a
    spreadsheet's serial number is a date (``45413``) or a date and time (``46000.75``), as a sheet's cell keeps
    one."""
    said = text.strip()
    wall, day = _wall_or_day(said, serials)
    if wall is not None:
        return _instant(wall, where, field, chosen)
    if day is not None:
        return whole(day[0], where, day[1], field)
    spoken = dated_wall(said) if said else None  # "2026年11月20日上午10点", "2026-11-20 3pm"
    return None if spoken is None else _instant(spoken, where, field, chosen)  # a gap or a fold said (s46 P9)


def typed_time(text: str, where: tzinfo, field: str, *, serials: bool = False,
               offset_needed: bool = False, chosen: datetime | None = None, named: bool = False) -> TypedTime:
    """``read_typed_time``, refusing what it cannot read (``unread``: a date that does not exist is said to be
    no date; anything else is told every shape read), the one reading of the form, the API and sheets.
    ``offset_needed``: a date and time must name its UTC offset (the API: a partner's clock without one would
    be hours off, never guessed); a date, month or year alone is read in ``where`` (no time of day to shift).
    ``named``: a refusal names ``field`` in its words (a sheet's cell, said beside no field of a form)."""
    try:
        found = read_typed_time(text, where, field, serials=serials, chosen=chosen)
    except InvalidInput as exc:
        if named and (said := _named(exc, field)) is not exc:
            raise said from None
        raise
    if found is None:
        raise unread(text, field, named)
    if offset_needed and found.precision == INSTANT and found.read_in:
        raise InvalidInput("{name} has a time of day but no UTC offset: give it with its offset, such as 2026-11-20T10:00+08:00, or give the date alone",  # noqa: E501
                           field=field, name=field)
    return found


def unread(text: str, field: str, named: bool = False) -> InvalidInput:
    """Why ``text`` is no time, said alike by every way in (the form, the API, sheets, PFIF; probe s20 T6, s38 M4):
    typed as a date naming a month that does not exist (2026-13-01), "the month is not valid"; a day that does not
    exist (2026-02-30, with a time of day or without), "no such day in the calendar"; a real day with a time out of
    range (2026-11-20 25:00), "the date and time are not valid"; anything else, every shape read.
    ``named``: the field named in the words, as a sheet's other cells are ("birth_date: the date is not valid")."""
    if DATE_SHAPED.match(text):
        return _no_such_time(text, field, named)
    return InvalidInput("{name} must be a date and time such as 2026-11-20 10:00 or 2026-11-20T10:00+08:00, or a date, month or year alone: 2026-11-20, 2026/11/20, 2026-11, 2026",  # noqa: E501
                        field=field, name=field)


def _no_such_time(text: str, field: str, named: bool) -> InvalidInput:
    """A text typed as a date naming no real month, day, or time of day (``unread``)."""
    fault = calendar_fault(text)
    if fault == "month":
        return InvalidInput(NO_SUCH_MONTH, field=field, name=field) if named else \
            InvalidInput("the month is not valid (a year has 12 months)", field=field)
    if fault == "day":
        return InvalidInput(NO_SUCH_DAY, field=field, name=field) if named else \
            InvalidInput("the date is not valid (no such day in the calendar)", field=field)
    timed = CLOCK_SHAPED.search(text) is not None
    if named and timed:
        return InvalidInput("{name}: the date and time are not valid", field=field, name=field)
    if named:
        return InvalidInput("{name}: the date is not valid", field=field, name=field)
    return InvalidInput("the date and time are not valid" if timed else "the date is not valid", field=field)


def _named(exc: InvalidInput, field: str) -> InvalidInput:
    """A time summer time skipped or repeated, said naming its column (a sheet's cell, probe s38 M4)."""
    if exc.template.startswith("{wall} never happened in"):
        return InvalidInput("{name}: {wall} never happened in {zone}: the clocks went forward over it (summer time began). It was {real} there then: check the time and send it again",  # noqa: E501
                            field=field, name=field, **exc.params)
    if exc.template.startswith("{wall} happened twice in"):
        return InvalidInput("{name}: {wall} happened twice in {zone}: the clocks went back over it (summer time ended). Write it with its UTC offset: {first} (the first time) or {second} (the second)",  # noqa: E501
                            field=field, name=field, **exc.params)
    return exc


def _wall_or_day(said: str, serials: bool) -> tuple[datetime | None, tuple[date, str] | None]:
    """A date and time in figures (naive when it names no offset), or a date alone with its precision."""
    moment = iso_time(said) if said else None
    if moment is not None:  # a day alone (2026-11-20, 20261120) is as long as a date at most
        return (moment, None) if len(said) > len("yyyy-mm-dd") else (None, (moment.date(), DAY))
    serial = serial_moment(said) if serials else None
    if serial is not None:  # a whole serial: the day (a date cell holding no time of day)
        return (serial, None) if serial.time() != time() else (None, (serial.date(), DAY))
    clock = DATE_AND_CLOCK.match(said)
    day = _whole_date(clock["day"], serials) if clock else None
    if clock is not None and day is not None:
        try:
            clock_time = time(int(clock["hour"]), int(clock["minute"]), int(clock["second"] or 0))
        except ValueError:  # 25:00, 10:61
            return None, None
        return datetime.combine(day, clock_time), None
    return None, loose_date(said)


def _whole_date(text: str, serials: bool) -> date | None:
    """The date before a clock time: a whole date as people type it (never a date and time), or a serial day."""
    text = text.strip()
    found = loose_date(text) if len(text) <= len("yyyy-mm-dd") or iso_time(text) is None else None
    if found is not None:
        return found[0] if found[1] == DAY else None
    return serial_date(text) if serials else None


def _instant(wall: datetime, where: tzinfo, field: str, chosen: datetime | None) -> TypedTime:
    at = localize(wall, where, field, chosen)
    return TypedTime(at, INSTANT, "" if wall.tzinfo else zone_label(where))


def date_written(at: datetime, precision: str) -> str:
    """A stored time's date as ISO 8601 writes it, as precisely as it was given and where it was given (at the
    offset ``at`` carries): 2026-11-20 (a day's, or a time's date), 2026-11 (a month), 2026 (a year). Read again
    by ``read_typed_time``, a day, month or year is that day, month or year again."""
    return at.date().isoformat()[:{MONTH: 7, YEAR: 4}.get(precision, 10)]


def day_given(at: datetime, precision: str) -> date | None:
    """The date a day (month, year) given alone names, as it was written where it was given (``at`` in its own
    offset: the first instant there); None for an instant, whose day depends on where it is read."""
    return None if precision == INSTANT else at.date()


def same_day_missing(one: datetime, one_precision: str, other: datetime, other_precision: str) -> bool:
    """Whether two dates missing name the same day, as the second (a case here, an earlier row) reads it: a day
    given alone is compared as that day, whatever zone it was given or read in (``2026-12-01`` read in UTC and in
    Asia/Shanghai is one day: probe s46 P1); an instant is read on the day the second reads it (in its offset). A
    month or a year alone is the same only as that month or year."""
    if one_precision in (MONTH, YEAR) or other_precision in (MONTH, YEAR):
        return one_precision == other_precision and one.date() == other.date()
    mine = day_given(one, one_precision) or one.astimezone(other.tzinfo).date()
    return mine == other.date()
