"""Times are instants in UTC kept with the UTC offset they were given in.

A wall-clock time without an offset (a form without JavaScript, a camera that writes no
``OffsetTimeOriginal``, a spreadsheet cell) is read in a named zone: the sender's if known, else the
deployment's (``REUNITE_TIMEZONE``). Pages show every time in the reader's zone, zone named."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Shanghai"
MAX_OFFSET_MINUTES = 14 * 60


def zone(name: str | None) -> ZoneInfo | None:
    """The IANA zone of that name, or None for anything else (a cookie or field is untrusted)."""
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def offset_minutes(value: datetime) -> int | None:
    """The UTC offset a time carries, in minutes east of UTC (None for a naive time)."""
    offset = value.utcoffset()
    return None if offset is None else round(offset.total_seconds() / 60)


def with_offset(instant: datetime, minutes: int | None) -> datetime:
    """The same instant, written with the offset it was given in (unchanged when that is unknown)."""
    if minutes is None or abs(minutes) > MAX_OFFSET_MINUTES:
        return instant
    return instant.astimezone(timezone(timedelta(minutes=minutes)))


def localize(wall: datetime, where: tzinfo) -> datetime:
    """A wall-clock time read in a zone; a time that already carries an offset keeps it."""
    return wall if wall.tzinfo else wall.replace(tzinfo=where)


def from_browser(wall: datetime, zone_name: str | None, offset_west: int | None, fallback: ZoneInfo) -> datetime:
    """A ``datetime-local`` field's value: in the browser's named zone (right across summer time),
    else at the offset the browser gave (``Date.getTimezoneOffset``: minutes west of UTC), else in
    the deployment's zone (no JavaScript)."""
    named = zone(zone_name)
    if named is not None:
        return localize(wall, named)
    if offset_west is not None and abs(offset_west) <= MAX_OFFSET_MINUTES:
        return wall.replace(tzinfo=timezone(timedelta(minutes=-offset_west)))
    return localize(wall, fallback)
