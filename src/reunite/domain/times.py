"""Times are instants in UTC kept with the UTC offset they were given in.

A wall-clock time without an offset (a form without JavaScript, a camera that writes no
``OffsetTimeOriginal``, a spreadsheet cell) is read in a named zone: the sender's if known, else the
deployment's (``REUNITE_TIMEZONE``), and a camera's is said to be so read. The API takes no such time: a
partner's clock is not guessed (422). Pages show every time in the reader's zone, zone named; a date shown
alone of something that happened at a place (a child went missing, was seen) is the day in that place's zone
(``i18n.Language.day_at``; docs/decisions/0005), never in the offset it was typed with, for every reader.

Summer time, decided once for every place a wall-clock time is read (as RFC 5545 and the calendars
do): a time a person typed that never existed there (the hour skipped when clocks go forward) is
refused, the message naming the zone, the skip and the time it was there then; a camera's such
time is read with the offset before the skip (the real instant, written with the offset after).
A time that happened twice (the hour repeated when clocks go back) is refused, never silently taken as one of the
two: where it can be written with its offset (a sheet, the command line) the message names both; a form's field,
which cannot carry one, comes back as typed asking which of the two, each named with its offset (``RepeatedTime``'s
``choices``), and the one chosen is taken (``localize``'s ``chosen``), kept with that occurrence's offset."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from reunite.domain.errors import InvalidInput

DEFAULT_ZONE = "Asia/Shanghai"
MAX_OFFSET_MINUTES = 14 * 60
YEARS = range(2, 9999)  # Python's calendar is years 1-9999: a time in the first or last year may not
# convert to every zone (nor be shown in one), so a time is read only inside these years


ISO_TIME = re.compile(  # ISO 8601 / RFC 3339: a day, then optionally a time of day and an offset: Z, ±hh:mm, ±hhmm or
    # ±hh (the hours alone, as ISO 8601 allows); extended (2026-12-03T10:00) or basic (20261203T1000) forms; the
    # offset may follow a space, as `date`, git and many exports write it ("2026-11-20 10:00:00 +0800")
    r"(?P<day>\d{4}-\d{2}-\d{2}|\d{8})(?:[Tt ](?P<clock>\d{2}(?::\d{2}(?::\d{2})?|\d{2}(?:\d{2})?)?)"
    r"(?:[.,](?P<fraction>\d+))?\s?(?P<offset>[Zz]|(?P<sign>[+-])(?P<hours>\d{2})(?::?(?P<minutes>\d{2}))?)?)?")


NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})  # files in the zone database that name no place:
# the server's own clock setting, a template of rules, and a placeholder that says "Local time zone must be set"


@cache
def known_zones() -> frozenset[str]:
    """The IANA zones this server knows (its tz database, ``tzdata``), less files that are not zones."""
    return frozenset(available_timezones()) - NOT_ZONES


@cache
def _zones_by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in known_zones()}


def zone(name: str | None) -> ZoneInfo | None:
    """The IANA zone of that name in any case (``asia/shanghai`` is Asia/Shanghai), or None for anything
    else (a cookie or field is untrusted): only a name the zone database lists as a zone, never a path nor
    a file like ``localtime`` (the server's own zone)."""
    name = _zones_by_folded_name().get(name.strip().casefold()) if name and len(name) <= 64 else None
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


OFFSET_ZONE = re.compile(r"(?:UTC|GMT)\s*(?P<sign>[+\-\u2212])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?", re.I)
POSIX_ZONE = re.compile(r"Etc/GMT(?P<sign>[+-])(?P<hours>\d{1,2})", re.I)


def given_zone(name: str, field: str) -> ZoneInfo | None:
    """A zone as people and partners write one (a sheet's ``zone``, a form's ``tz``, an option): an IANA name in
    any case, or an offset said the way people say it, ``UTC+8``, ``GMT+8``, ``UTC+08:00``, ``UTC-5``, read as
    that offset (east of UTC); None for nothing given. ``Etc/GMT+8`` is refused naming what it is: the zone
    database writes those with POSIX's reversed sign (UTC−08:00), so it would read a Chinese time 16 hours off
    (probe s46 P13). An offset of no whole hours, or beyond -12 to +14, has no zone here: refused naming it."""
    name = name.strip()
    if not name:
        return None
    if (posix := POSIX_ZONE.fullmatch(name)) and int(posix["hours"]):
        east = -int(posix["hours"]) if posix["sign"] == "+" else int(posix["hours"])
        meant = f"UTC{'+' if east < 0 else '-'}{abs(east)}"
        raise InvalidInput("{name}: {zone} is {offset} in the time-zone database (its sign is the reverse of what it looks): write {meant} if you meant {meant_offset} (China's time is UTC+8), or {written} for {offset}",  # noqa: E501
                           field=field, name=field, zone=name[:64], offset=_offset_words(east * 60), meant=meant,
                           meant_offset=_offset_words(-east * 60), written=f"UTC{'+' if east > 0 else '-'}{abs(east)}")
    if said := OFFSET_ZONE.fullmatch(name):
        east = int(said["hours"]) * 60 + int(said["minutes"] or 0)
        east = -east if said["sign"] != "+" else east
        if east % 60 or int(said["minutes"] or 0) > 59 or not -12 * 60 <= east <= 14 * 60:
            raise InvalidInput("{name}: {zone}: an offset of {offset} has no zone here: give the place's zone name, such as Asia/Kolkata",  # noqa: E501
                               field=field, name=field, zone=name[:64], offset=_offset_words(east))
        return ZoneInfo(f"Etc/GMT{'-' if east > 0 else '+'}{abs(east) // 60}") if east else ZoneInfo("UTC")
    found = zone(name)
    if found is None:
        raise InvalidInput("{name}: {zone} is not a time zone this site knows: give a name such as Asia/Shanghai, or an offset such as UTC+8",  # noqa: E501
                           field=field, name=field, zone=name[:64])
    return found


def _offset_words(minutes: int) -> str:
    """An offset in minutes east of UTC as a reader is shown one: "UTC−08:00" (a minus sign), "UTC+05:30"."""
    sign = "\u2212" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zone_offset(where: tzinfo, at: datetime) -> str:
    """The UTC offset a zone had at an instant, as a reader is shown it ("UTC+08:00", "UTC−05:00")."""
    offset = at.astimezone(where).utcoffset()
    return _offset_words(round(offset.total_seconds() / 60) if offset is not None else 0)


def offset_only(key: str) -> bool:
    """Whether a zone's key names an offset and no place (``Etc/GMT-8``, ``UTC``): shown as its offset alone."""
    return key.startswith("Etc/") or key in ("UTC", "GMT")


def iso_time(text: str) -> datetime | None:
    """A date and time in ISO 8601 as anyone outside sends it (the API, a sheet, PFIF, a feed, a form): the
    one reader of them all. ``2026-12-03T10:00+08:00``, ``…+0800``, ``…+08`` (hours alone), ``…Z``, with or
    without seconds and their fraction, ``T`` or a space between; a day alone is its midnight. Naive when
    it names no offset, or ``-00:00`` (RFC 3339: offset unknown), and the caller reads it in a zone, or refuses
    it; None when it is no such time. Any
    offset under a day is read (``localize`` refuses one beyond ±14:00, saying so)."""
    found = ISO_TIME.fullmatch(text.strip())
    if found is None:
        return None
    clock = (found["clock"] or "00") + (f".{found['fraction'][:6]:0<6}" if found["fraction"] else "")
    try:
        wall = datetime.fromisoformat(f"{found['day']}T{clock}")
    except ValueError:  # no such day or hour
        return None
    if not found["offset"]:
        return wall
    hours, minutes = int(found["hours"] or 0), int(found["minutes"] or 0)
    if hours > 23 or minutes > 59:
        return None
    east = (hours * 60 + minutes) * (-1 if found["sign"] == "-" else 1)
    if east == 0 and found["sign"] == "-":
        return wall  # "-00:00" (RFC 3339): the offset is unknown, not UTC: as if none were named
    return wall.replace(tzinfo=UTC if east == 0 else timezone(timedelta(minutes=east)))


def clock_hint(text: str) -> datetime | None:
    """A camera's clock as a page's script read it from a photo (``2026-11-20T14:00:00+08:00``): a hint, never a
    reason to refuse what it came with. The instant when it is one: a real day and hour in ``YEARS`` with an
    offset within ±14:00; else None (a clock of zeros, 2019-02-30, 24:00, an offset of +14:30 or a fraction
    of a minute): no time, as if the photo had none."""
    when = iso_time(text[:40]) if len(text) <= 40 else None
    offset = None if when is None else offset_minutes(when)
    if when is None or offset is None or abs(offset) > MAX_OFFSET_MINUTES or when.year not in YEARS:
        return None
    return when


def clock_words(text: str) -> str:
    """What a camera's clock hint said, as a reviewer is shown one set aside ("0000-00-00 00:00"): its day and
    minute as written, or nothing when it does not even look like a clock."""
    found = re.match(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d", text.strip())
    return found.group(0).replace("T", " ") if found else ""


def offset_minutes(value: datetime) -> int | None:
    """The UTC offset a time carries, in minutes east of UTC (None for a naive time)."""
    offset = value.utcoffset()
    return None if offset is None else round(offset.total_seconds() / 60)


def offset_zone(instant: datetime | None) -> str:
    """The zone of no region that keeps the offset a time was given with ("Etc/GMT+5" for -05:00: the zone
    database writes its sign the other way), so that a day is dated where the time was given when nothing says
    where the place is ('' for a time given with no offset, or with one of no whole hours: no such zone)."""
    offset = instant.utcoffset() if instant is not None else None
    if offset is None:
        return ""
    minutes = int(offset.total_seconds()) // 60
    if minutes % 60 or not -12 * 60 <= minutes <= 14 * 60:
        return ""
    hours = minutes // 60
    return "Etc/GMT" if not hours else f"Etc/GMT{'-' if hours > 0 else '+'}{abs(hours)}"


def with_offset(instant: datetime, minutes: int | None) -> datetime:
    """The same instant, written with the offset it was given in (unchanged when that is unknown)."""
    if minutes is None or abs(minutes) > MAX_OFFSET_MINUTES:
        return instant
    return instant.astimezone(timezone(timedelta(minutes=minutes)))


def real(wall: datetime, where: tzinfo) -> datetime:
    """A zone-less wall-clock time read in a zone, as it really was there: the first occurrence of
    a repeated one, and a skipped one read with the offset before the skip (02:30 on the night
    clocks go from 02:00 to 03:00 is 03:30), each written with the offset it really had."""
    first = wall.replace(tzinfo=where, fold=0)
    return first.astimezone(UTC).astimezone(where)


def skipped(wall: datetime, where: tzinfo) -> bool:
    """Whether this wall-clock time never happened in that zone (clocks jumped over it)."""
    return real(wall, where).replace(tzinfo=None, fold=0) != wall.replace(tzinfo=None, fold=0)


def repeated(wall: datetime, where: tzinfo) -> bool:
    """Whether this wall-clock time happened twice in that zone (clocks went back over it)."""
    return not skipped(wall, where) and \
        wall.replace(tzinfo=where, fold=0).utcoffset() != wall.replace(tzinfo=where, fold=1).utcoffset()


class ZoneName(str):
    """An IANA zone's key inside a message for people: shown as the reader's language names the zone ("Pacific
    Time", "北美太平洋时间"), never as its key ("America/Los_Angeles")."""


class WallTime(str):
    """A wall-clock time inside a message ("2026-03-08 02:30", in the zone the message names): shown as the reader
    writes a date and a time ("Mar 8, 2026, 2:30 AM", "2026年3月8日 02:30"), read in no zone of its own."""

    @classmethod
    def of(cls, wall: datetime) -> WallTime:
        return cls(wall.strftime("%Y-%m-%d %H:%M"))

    @property
    def at(self) -> datetime:
        return datetime.fromisoformat(self)


class RepeatedTime(InvalidInput):
    """A wall-clock time that happened twice where it was read (the clocks went back over it), refused saying so:
    ``choices``, the first and the second occurrence, each with the offset it had, for a form to ask which."""

    def __init__(self, said: InvalidInput, choices: tuple[datetime, datetime]) -> None:
        super().__init__(said.template, field=said.field, **said.params)
        self.choices = choices


def localize(wall: datetime, where: tzinfo, field: str = "time", chosen: datetime | None = None) -> datetime:
    """A typed wall-clock time read in a zone (a time that already carries an offset keeps it). A time
    the clocks skipped there is refused, naming the zone and the time it was then (InvalidInput); one that
    happened twice (the clocks went back) is refused naming both, each with its offset (``RepeatedTime``),
    unless ``chosen`` is one of the two (a form's answer to which: that wall time with that offset). Every
    typed or sent time passes here: one outside ``YEARS`` is refused (it could not be converted or shown)."""
    if wall.year not in YEARS:
        raise InvalidInput("the date and time are not valid", field=field)
    offset = offset_minutes(wall)
    if offset is not None and abs(offset) > MAX_OFFSET_MINUTES:  # it could not be kept, nor given back
        raise InvalidInput("the time's UTC offset must be between -14:00 and +14:00", field=field)
    if wall.tzinfo:
        return wall
    if skipped(wall, where):
        name = ZoneName(getattr(where, "key", None) or str(where))
        raise InvalidInput("{wall} never happened in {zone}: the clocks went forward over it (summer time began). It was {real} there then: check the time and send it again",  # noqa: E501
                           field=field, wall=WallTime.of(wall), zone=name, real=WallTime.of(real(wall, where)))
    if repeated(wall, where):
        name = ZoneName(getattr(where, "key", None) or str(where))
        first, second = (wall.replace(tzinfo=where, fold=fold).astimezone(UTC).astimezone(where) for fold in (0, 1))
        for each in (first, second):
            if chosen is not None and chosen.replace(tzinfo=None) == wall.replace(tzinfo=None, fold=0) \
                    and chosen.utcoffset() == each.utcoffset():
                return each
        raise RepeatedTime(InvalidInput("{wall} happened twice in {zone}: the clocks went back over it (summer time ended). Write it with its UTC offset: {first} (the first time) or {second} (the second)",  # noqa: E501
                                        field=field, wall=WallTime.of(wall), zone=name,
                                        first=offset_text(first), second=offset_text(second)), (first, second))
    return real(wall, where)


def offset_text(when: datetime) -> str:
    """``2026-11-01T01:30-04:00``: a wall time as ISO 8601 with its offset, to the minute (to the second when it
    has seconds); read again by ``iso_time``, the same instant."""
    return when.isoformat(timespec="seconds" if when.second else "minutes").replace("+00:00", "Z")


def from_browser(wall: datetime, zone_name: str | None, offset_west: int | None, fallback: ZoneInfo,
                 field: str = "time", chosen: datetime | None = None) -> datetime:
    """A ``datetime-local`` field's value: in the browser's named zone (right across summer time),
    else at the offset the browser gave (``Date.getTimezoneOffset``: minutes west of UTC), else in
    the deployment's zone (no JavaScript). A time that happened twice there is refused (``RepeatedTime``)
    unless ``chosen`` says which (``localize``)."""
    return localize(wall, browser_zone(zone_name, offset_west, fallback), field, chosen)


def browser_zone(zone_name: str | None, offset_west: int | None, fallback: ZoneInfo) -> tzinfo:
    """The zone a page's typed time is read in: the browser's named zone, else the offset it gave
    (``Date.getTimezoneOffset``: minutes west of UTC), else ``fallback`` (no JavaScript)."""
    named = zone(zone_name)
    if named is not None:
        return named
    if offset_west is not None and abs(offset_west) <= MAX_OFFSET_MINUTES:
        return timezone(timedelta(minutes=-offset_west))
    return fallback


# a camera's zone-less clock read in an assumed zone (``real``): the camera may have been set to another, and a
# zone's clock is up to 14 hours from UTC (``MAX_OFFSET_MINUTES``): the time seen is taken as that far off either way
ZONE_DOUBT = timedelta(minutes=MAX_OFFSET_MINUTES)
CAMERA_FROM = datetime(2000, 1, 1, tzinfo=UTC)  # a camera's clock before this was reset (1970, 1980), not set
CAMERA_YEARS = 25  # nor a reading more years before the report arrives: no child then is a child now
CLOCK_SKEW = timedelta(minutes=15)  # a clock a little ahead of the server's


def earliest_seen(now: datetime) -> datetime:
    """The earliest a child in a report arriving ``now`` can have been seen: 2000-01-01, or ``CAMERA_YEARS``
    before the report (no child then is a child now), whichever is later."""
    return max(CAMERA_FROM, now - timedelta(days=365.25 * CAMERA_YEARS))


def earliest_given(sent: datetime, years: int) -> datetime:
    """The earliest a reporter may say the child was seen, in a report sent at ``sent``: ``years`` before it
    (the setting ``sighting_years``, by default as far back as a camera's clock is believed: ``CAMERA_YEARS``).
    The product is about children seen in the street: a time before then is a year typed wrong (1926 for
    2026), refused naming this limit. Cases (a child missing in 1986) are read by their own rules."""
    return sent - timedelta(days=365.25 * years)


def camera_plausible(when: datetime, now: datetime) -> bool:
    """Whether a camera's clock reading can be when a child was seen in a report arriving ``now``: not
    before 2000-01-01 (a clock whose battery ran out reads 1970 or 1980), not more than ``CAMERA_YEARS``
    before the report, not in the future, and not the first minute of a year (where a reset clock
    starts: 2010-01-01 00:00, 2015-01-01 00:00). Else it is no time at all, and said so (``SeenAtBasis``)."""
    reset = (when.month, when.day, when.hour, when.minute) == (1, 1, 0, 0)  # on the camera's own clock
    return earliest_seen(now) <= when <= now + CLOCK_SKEW and not reset


def camera_reading(taken: datetime, where: tzinfo) -> tuple[datetime, bool]:
    """A photo's clock as an instant, and whether its zone was assumed: one with an offset keeps it; a zone-less
    one, or one whose offset no zone has (beyond ±14:00), is its wall clock read in ``where`` (``real``)."""
    offset = offset_minutes(taken)
    if offset is not None and abs(offset) <= MAX_OFFSET_MINUTES:
        return taken, False
    return real(taken.replace(tzinfo=None), where), True


def today_somewhere(now: datetime) -> date:
    """The latest calendar day that has begun anywhere (at UTC+14:00): a day people write as they count days
    where they are (a birth, a photo's day) is in the future only after it; never the server's own day."""
    return now.astimezone(timezone(timedelta(minutes=MAX_OFFSET_MINUTES))).date()


def offset_name(when: datetime) -> str:
    """The UTC offset a time carries, as a reader is shown it: "UTC+09:00", "UTC-03:30", "UTC"."""
    minutes = offset_minutes(when) or 0
    if not minutes:
        return "UTC"
    sign, minutes = ("-" if minutes < 0 else "+"), abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def local_days(now: datetime, where: tzinfo, count: int, weeks: bool = False) -> list[tuple[date, datetime, datetime]]:
    """The last ``count`` days (``weeks``: weeks from Monday) in a zone, up to and including the one ``now``
    falls in there, oldest first: each first date with the instants the span starts and ends (a day of
    23 or 25 hours where clocks change)."""
    today = now.astimezone(where).date()
    length = timedelta(weeks=1 if weeks else 0, days=0 if weeks else 1)
    last = today - timedelta(days=today.weekday()) if weeks else today
    firsts = [last - length * back for back in range(count - 1, -1, -1)]
    return [(first, _midnight(first, where), _midnight(first + length, where)) for first in firsts]


def _midnight(day: date, where: tzinfo) -> datetime:
    return real(datetime.combine(day, time()), where).astimezone(UTC)


def daily_cron(hour: int, minute: int, where: tzinfo, now: datetime) -> str:
    """A daily cron line, read in UTC (as procrastinate's periodic tasks read theirs: it knows no zone), for
    ``hour``:``minute`` on the clocks of ``where`` (the site's zone, ``REUNITE_TIMEZONE``) at the offset they keep
    on ``now``'s day there: "7 0 * * *" for 08:07 in Shanghai, "7 16 * * *" in Los Angeles in winter. A change to
    or from summer time moves it by that hour until the line is made again (the next start of the worker)."""
    at = real(datetime.combine(now.astimezone(where).date(), time(hour, minute)), where).astimezone(UTC)
    return f"{at.minute} {at.hour} * * *"
