"""What of a report's times each reader sees: part of the one visibility policy, which ``domain.access``
re-exports (callers ask ``access``). Police and moderators (who see originals) read every instant; anyone
else reads a report dated by its arrival (no time seen was given) to its hour, never the instant its sender
pressed "send", and no other time of the report finer than that hour (when it was received, when its photos
were processed, the days since the child went missing). What such a reader filters and sorts on is the
hour they read (``adapters.db.sighting_filter`` compares the same ``date_trunc('hour', seen_at, 'UTC')``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reunite.domain.principals import P, Principal

HOUR = "hour"  # ``seen_at_precision`` of an arrival time read to its hour: the hour that begins at seen_at
# when the report or its photos came: the send instant again, to anyone but those who see originals
RECEIVED_TIMES = ("created_at", "processed_at")


def hour_of(at: datetime) -> datetime:
    """The start of ``at``'s hour, cut in UTC (as the database cuts it), at ``at``'s own offset."""
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0).astimezone(at.tzinfo)


def hours_only(who: Principal) -> bool:
    """Whether ``who`` reads a report's arrival (and every time it derives) to the hour only."""
    return not who.can(P.SEE_ORIGINALS)


def times_view(who: Principal, row: dict[str, Any]) -> dict[str, Any]:
    """A report's (or a candidate's, a search hit's) times as ``who`` may read them: for readers of hours
    (``hours_only``) an arrival's ``seen_at`` is the start of its hour (``seen_at_precision`` "hour"), the
    report's receipt and its photos' processing times are their hours, and ``elapsed_days`` (from when the
    child went missing) is counted to the ``seen_at`` shown."""
    shown = dict(row)
    if "seen_at" in row:
        shown["seen_at_precision"] = "instant"
    if not hours_only(who):
        return shown
    seen = row.get("seen_at")
    if row.get("seen_at_basis") == "arrival" and isinstance(seen, datetime):
        shown["seen_at"], shown["seen_at_precision"] = hour_of(seen), HOUR
        if isinstance(row.get("elapsed_days"), float | int):
            cut = (seen - shown["seen_at"]) / timedelta(days=1)
            shown["elapsed_days"] = round(row["elapsed_days"] - cut, 6)
    for name in RECEIVED_TIMES:
        if isinstance(row.get(name), datetime):
            shown[name] = hour_of(row[name])
    if "photos" in row:
        shown["photos"] = [times_view(who, photo) for photo in row["photos"]]
    return shown


def in_place_zone(row: dict[str, Any]) -> dict[str, Any]:
    """A report's time seen for readers who do not see exact places (probe s32 F5): at the offset of the zone its
    day is shown in (``day_zone``: the public city's, else the ~1 km cell's), never at the offset it was given in,
    which says where the camera or the witness's phone was set (New York's -04:00 on a report placed in Shanghai
    by its words, its photo's position set aside); UTC when no zone is known. The zone a camera's zone-less clock
    was read in (the witness's browser's) likewise, unless it is the day's own zone. The same instant."""
    seen, place = row.get("seen_at"), _zone(row.get("day_zone"))
    shown: dict[str, Any] = {}
    if isinstance(seen, datetime):
        shown["seen_at"] = seen.astimezone(place or UTC)
    if row.get("seen_at_zone") and row.get("seen_at_zone") != row.get("day_zone"):
        shown["seen_at_zone"] = ""
    return shown


def _zone(name: object) -> ZoneInfo | None:
    if not isinstance(name, str) or not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
