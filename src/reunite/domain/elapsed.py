"""How long after (or before) the child went missing a child was seen, known no more precisely than both times
are: what the words about a lead say (``wording.since_missing_words``: the case page, the workbench, the API's
``explanation``, search results) and the API's ``elapsed_precision`` and ``elapsed_periods`` beside the ranking's
number, ``elapsed_days``.

A case's "missing since" given as a date alone (``typed_time``: a day, month or year) is kept as its first instant,
midnight where it was given, a time nobody gave: a child seen at 15:00 that day was not seen "15 hours after the
child went missing" (the child may have gone missing at 14:00), but "the same day", and a week later "7 days after
the day the child went missing": whole calendar days (months, years), counted in the zone the date was given in, so
that "the same day" is the day the case's page shows (``Language.day_at``: a date given alone as given, at the
offset it was given with). A time seen may be a span too: the hour a report arrived in, as those who do not see
originals read it (``times_shown``), or a camera's zone-less clock read in an assumed zone, up to 14 hours off
either way (``SeenAtBasis.doubt``). "Before the child went missing" is said only when it is so at every time each
may be, as the ranking reads it (``scoring.time_plausibility``, ``scoring.contradictions``); when the two spans
meet, neither before nor after is said, but how near they are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

INSTANT, HOUR = "instant", "hour"  # a time to the minute; a time seen known to its hour (``times_shown.HOUR``)
DAY, MONTH, YEAR = "day", "month", "year"  # a case's date given alone (``typed_time``)
CALENDAR = (DAY, MONTH, YEAR)


@dataclass(frozen=True)
class Elapsed:
    """From when the child went missing to when the child was seen. ``low_days`` and ``high_days``: the fewest
    and the most days from any instant the child may have gone missing (the whole day, month or year of a date
    given alone) to any the child may have been seen at. ``unit``: ``INSTANT`` when the case's time was given,
    else the calendar span it was given as (``DAY``, ``MONTH``, ``YEAR``), ``low`` and ``high`` then the fewest
    and most whole days (months, years) from it to the one the child was seen in (0: the same day), counted in
    the zone it was given in. ``precision``: how precisely the two times are known together, the coarser of the
    two (``INSTANT``, ``HOUR``, or the case's calendar span)."""

    low_days: float
    high_days: float
    unit: str = INSTANT
    low: int = 0
    high: int = 0
    precision: str = INSTANT

    @property
    def before(self) -> bool:
        """Seen before the child went missing, at every time either may be (``scoring.contradictions``' "time")."""
        return self.high_days < 0

    @property
    def calendar(self) -> bool:
        return self.unit in CALENDAR


def since_missing(elapsed_days: float, doubt_hours: float = 0.0, seen_precision: str = INSTANT,
                  missing_since: datetime | None = None, missing_precision: str = INSTANT,
                  site_zone: tzinfo | None = None) -> Elapsed:
    """``elapsed_days`` (the ranking's number, from the first instant the child may have gone missing to the
    time seen as the reader reads it) as precisely as both times are known: the time seen ``doubt_hours`` off
    either way (``scoring.doubt_hours``), or an hour long (``seen_precision`` ``HOUR``); the case's
    ``missing_since`` (its first instant, at the offset it was given in) a day, month or year long
    (``missing_precision``), its days counted in ``calendar_zone``."""
    earliest = elapsed_days - doubt_hours / 24
    latest = elapsed_days + doubt_hours / 24 + (1 / 24 if seen_precision == HOUR else 0.0)
    precision = HOUR if seen_precision == HOUR else INSTANT
    if missing_since is None or missing_precision not in CALENDAR:
        return Elapsed(earliest, latest, precision=precision)
    where = calendar_zone(missing_since, site_zone)
    first = missing_since.astimezone(where)
    span_days = (_next(first, missing_precision) - first) / timedelta(days=1)
    # the last instant of an hour seen is not the next hour's first
    last_seen = latest - (timedelta(microseconds=1) / timedelta(days=1) if seen_precision == HOUR else 0.0)
    low, high = (_periods(first, (missing_since + timedelta(days=days)).astimezone(where), missing_precision)
                 for days in (earliest, last_seen))
    return Elapsed(earliest - span_days, latest, missing_precision, low, high, missing_precision)


def calendar_zone(missing_since: datetime, site_zone: tzinfo | None) -> tzinfo:
    """Where a date given alone is a day (month, year): the site's zone when it had, that midnight, the offset
    the date was kept with (its summer time then counted right), else that offset (a date given in another
    zone: a browser's, a partner's UTC)."""
    given = missing_since.utcoffset()
    if site_zone is not None and missing_since.astimezone(site_zone).utcoffset() == given:
        return site_zone
    return missing_since.tzinfo or UTC


def _periods(first: datetime, seen: datetime, unit: str) -> int:
    """Whole days (months, years) from ``first``'s to ``seen``'s, both in one zone."""
    if unit == DAY:
        return (seen.date() - first.date()).days
    if unit == MONTH:
        return (seen.year - first.year) * 12 + seen.month - first.month
    return seen.year - first.year


def _next(first: datetime, unit: str) -> datetime:
    """The first instant after the day (month, year) that begins at ``first``, in ``first``'s zone."""
    day = first.date()
    if unit == DAY:
        after = day + timedelta(days=1)
    elif unit == MONTH:
        after = day.replace(year=day.year + day.month // 12, month=day.month % 12 + 1, day=1)
    else:
        after = day.replace(year=day.year + 1, month=1, day=1)
    wall = datetime(after.year, after.month, after.day, tzinfo=first.tzinfo)
    return wall.astimezone(UTC).astimezone(first.tzinfo)
