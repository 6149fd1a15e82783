"""When a reported child was seen: a time the reporter gave, checked (not in the future, not too long ago), else
the photos' clocks (the camera's, or the one the phone read before it shrank the photo) when plausible, else the
report's arrival, flagged as such (``seen_time``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from reunite.domain.errors import InvalidInput
from reunite.domain.model import NewSighting, PhotoFacts, SeenAtBasis, SeenTime
from reunite.domain.times import CLOCK_SKEW, YEARS, camera_plausible, camera_reading, earliest_given, offset_name
from reunite.domain.typed_time import INSTANT, TypedTime
from reunite.services.deps import Deps

EARLIEST = datetime(1900, 1, 1).astimezone()


def check_time(when: datetime, now: datetime, field: str, precision: str = INSTANT) -> None:
    """Refused in the future or too long ago; a date given alone (``precision`` day, month, year: ``when`` its
    first instant) is named as that date, never as its midnight."""
    if when.tzinfo is None:
        raise InvalidInput("the time needs a time zone", field=field)
    if when > now + CLOCK_SKEW:  # an instant shown in the reader's zone, named; a date alone as typed
        said = when if precision == INSTANT else TypedTime(when, precision)
        raise InvalidInput("{when} is in the future", field=field, when=said)
    if when < EARLIEST:
        raise InvalidInput("{when} is too long ago", field=field, when=when.date())


def check_seen_at(deps: Deps, when: datetime | None, floor: bool = True) -> datetime | None:
    """A time a reporter gave, refused if it is in the future or too long ago (None: not given). ``floor``
    False: the earliest time is checked later against the report's own arrival (``reports.give_time``)."""
    if when is not None and floor:
        check_seen(deps, when, deps.clock.now())
    elif when is not None:
        check_time(when, deps.clock.now(), "seen_at")
    return when


def check_seen(deps: Deps, when: datetime, now: datetime) -> None:
    """When a child was seen: not in the future, and not before ``times.earliest_given`` (``sighting_years``
    before the report, 25 by default: no child then is a child now, as for a camera's clock), refused naming
    that limit: a year typed wrong (1926 for 2026) would otherwise sit in the families' lists and in matching
    as years before the child went missing. Cases going back further (a partner's record of a child missing
    in 1986) are cases, not reports: their times are read by ``case_checks.check_case``."""
    check_time(when, now, "seen_at")
    years = deps.limits.sighting_years
    earliest = earliest_given(now, years)
    if when < earliest:
        raise InvalidInput("{when} is before {earliest}: a report is about a child seen in the last {years} years; check the year",  # noqa: E501
                           field="seen_at", when=when, earliest=earliest, years=years)


def clock_readings(facts: Sequence[PhotoFacts], phone: NewSighting, where: tzinfo) -> list[tuple[datetime, bool]]:
    """The photos' clocks, first to last, then the one the phone read before it shrank the photo (the copy
    has no EXIF): each an instant and whether its zone was assumed. A camera's zone-less time is read in
    ``where`` as it really was there (a camera's clock is not refused for a time summer time skipped); one
    that carries its offset keeps it, never read again in another zone."""
    found = [camera_reading(f.taken_at, where) for f in facts if f.taken_at and f.taken_at.year in YEARS]
    if phone.photo_taken_at is not None and phone.photo_taken_at.tzinfo:
        found.append((phone.photo_taken_at, phone.photo_zone_assumed))
    return found


def _zone_read_in(when: datetime, where: tzinfo) -> str:
    """The zone a camera's zone-less time was read in, as the reading itself says: the reporter's (else the
    site's) zone when the reading carries that zone's offset then, else that offset ("UTC+09:00": the phone
    read it in another zone than its browser named). Never a zone the instant was not read in."""
    name = getattr(where, "key", "")
    return name if name and when.astimezone(where).utcoffset() == when.utcoffset() else offset_name(when)


def seen_time(sighting: NewSighting, facts: Sequence[PhotoFacts], now: datetime, where: tzinfo,
              site: tzinfo) -> SeenTime:
    """When the child was seen, and how that is known: the reporter's time, else the first plausible camera
    clock (``camera_plausible``), else when the report was sent (a post's publication) or arrived, in the site's
    zone, flagged as such, with a camera clock set aside as implausible (1970-01-01) kept to tell the reporter
    and the moderators."""
    if sighting.seen_at is not None:
        return SeenTime(sighting.seen_at, zone=sighting.seen_at_read_in)
    readings = clock_readings(facts, sighting, where)
    for when, assumed in readings:
        if camera_plausible(when, now):
            if assumed:
                return SeenTime(when, SeenAtBasis.CAMERA_ZONE_ASSUMED, _zone_read_in(when, where))
            return SeenTime(when, SeenAtBasis.CAMERA)
    clock = sighting.photo_clock_words  # a reading the phone could not make a time of ("0000-00-00 00:00")
    if readings:  # as the camera wrote it: a zone-less clock without the zone it was read in
        when, assumed = readings[0]
        clock = (when.replace(tzinfo=None) if assumed else when).isoformat(sep=" ", timespec="minutes")
    sent = sighting.sent_at if sighting.sent_at is not None and sighting.sent_at <= now else now
    return SeenTime(sent.astimezone(site), SeenAtBasis.ARRIVAL, camera_clock=clock)
