"""The browse filter's SQL: the sightings a ``SightingFilter`` asks for (near a point or a grid cell's centre,
seen between two instants or on days in each sighting's own zone, of an age and sex, in a place) and the
order the listing reads them in (``readmodel.SqlReadModel.sightings``)."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, text

from reunite.adapters.regions import ACCENTED, FOLD_FROM, FOLD_TO, GAPS, PlaceFilter, place_filter
from reunite.domain.access import PLACE_GRID_DEG
from reunite.domain.model import SightingFilter


def sighting_where(conn: Connection, query: SightingFilter) -> tuple[str, dict[str, Any]]:
    """The condition on sightings ``s`` that ``query`` asks, with its parameters: SQL's (``_where``), and the
    place filter's, which reads on ``conn`` the rows SQL keeps for it (``_place_ids``) and admits them by id."""
    where, params = _where(query)
    if query.place:  # by the public city alone for readers without exact places (regions.py)
        ids = _place_ids(conn, where, params, place_filter(query.place, exact=query.grid_deg is None))
        where, params = f"{where} AND s.id = ANY(:place_ids)", {**params, "place_ids": ids}
    return where, params


def sighting_order(query: SightingFilter) -> str:
    """The listing's ORDER BY: newest first (``NEWEST``; by the hour for readers of hours, ``NEWEST_BY_HOUR``)."""
    return NEWEST_BY_HOUR if query.arrival_hours else NEWEST


# the reports of a child found: confirmed for a case closed as reunited, or named by a check of it that matched (a
# lead police checked before any reviewer confirmed it), and every report of that child's trail; what is recorded
# when the case is closed so (``mark_found``), never read anew: the case expiring or removed, the confirmed report
# withdrawn or held again, the trail regrouped leave them found (probe s32 F2)
FOUND_LEADS = (
    "SELECT fc.sighting_id FROM cases fk JOIN candidates fc ON fc.case_id = fk.id WHERE fk.id = :case_id "
    "AND fk.status = 'reunited' AND (fc.status = 'confirmed' OR EXISTS (SELECT 1 FROM verifications fv "
    "WHERE fv.candidate_id = fc.id AND fv.result = 'match' AND fv.superseded_at IS NULL))"  # not before a reopening
)


def found(alias: str) -> str:
    """Whether sighting ``alias`` is a found child's (``found_sightings``, by its primary key)."""
    return f"EXISTS (SELECT 1 FROM found_sightings fd WHERE fd.sighting_id = {alias}.id)"


NOT_FOUND = f"NOT {found('s')}"


def _where(query: SightingFilter) -> tuple[str, dict[str, Any]]:
    clauses: list[str] = ["s.status = ANY(:statuses)"] + ([NOT_FOUND] if query.found_hidden else [])
    params: dict[str, Any] = {"statuses": list(query.statuses)}
    if query.near and query.grid_deg:  # by grid cell: the box (index) is widened by a cell's diagonal
        clauses.append(
            "s.lat IS NOT NULL AND earth_box(ll_to_earth(:lat, :lon), :radius + :slack) @> ll_to_earth(s.lat, s.lon) "
            "AND earth_distance(ll_to_earth(:lat, :lon), ll_to_earth(floor(s.lat / :grid) * :grid + :grid / 2, "
            "floor(s.lon / :grid) * :grid + :grid / 2)) <= :radius"
        )
        params.update(lat=query.near.lat, lon=query.near.lon, radius=query.radius_km * 1000,
                      grid=query.grid_deg, slack=query.grid_deg * 111_320 * 2)
    elif query.near:
        clauses.append(
            "s.lat IS NOT NULL AND earth_box(ll_to_earth(:lat, :lon), :radius) @> ll_to_earth(s.lat, s.lon) "
            "AND earth_distance(ll_to_earth(:lat, :lon), ll_to_earth(s.lat, s.lon)) <= :radius"
        )
        params.update(lat=query.near.lat, lon=query.near.lon, radius=query.radius_km * 1000)
    if query.seen_from:
        clauses.append("s.seen_at >= :seen_from" if not query.arrival_hours else
                       "s.seen_at >= :from_hour AND (s.seen_at >= :seen_from OR s.seen_at_basis = 'arrival')")
        params["seen_from"] = query.seen_from
    if query.seen_to:
        clauses.append("s.seen_at <= :seen_to" if not query.arrival_hours else
                       "s.seen_at < :after_hour AND (s.seen_at <= :seen_to OR s.seen_at_basis = 'arrival')")
        params["seen_to"] = query.seen_to
    if query.arrival_hours:
        params |= {"from_hour": _hour(query.seen_from), "after_hour": _hour(query.seen_to, 1)}
    if query.seen_on_from or query.seen_on_to:
        clauses.append(_days_seen(query, params))
    unknown_age = "s.apparent_age_low IS NULL OR " if query.include_unknown else ""
    if query.age is not None:
        clauses.append(f"({unknown_age}(s.apparent_age_low <= :age AND s.apparent_age_high >= :age))")
        params["age"] = query.age
    if query.sex is not None:
        clauses.append("s.apparent_sex = ANY(:sexes)")
        params["sexes"] = [query.sex.value, "unknown"] if query.include_unknown else [query.sex.value]
    if not query.include_unknown:  # "only known age and sex" alone: no filter to narrow, still only the known
        clauses += [] if query.age is not None else ["s.apparent_age_low IS NOT NULL"]
        clauses += [] if query.sex is not None else ["s.apparent_sex <> 'unknown'"]
    return " AND ".join(clauses), params


# the day a sighting was seen, as its card shows it (``Language.day_at``): in its place's cell's zone (``day_zone``),
# else the site's; for readers of hours (``arrival_hours``), a report dated by its arrival: the day of its hour
DAY_SEEN = "(s.seen_at AT TIME ZONE {zone})::date"
DAY_SEEN_BY_HOUR = ("((CASE WHEN s.seen_at_basis = 'arrival' THEN date_trunc('hour', s.seen_at, 'UTC') "
                    "ELSE s.seen_at END) AT TIME ZONE {zone})::date")
DAY_ZONE = "coalesce(s.day_zone, :day_zone)"
# for readers without exact places, a report without a pin whose day is dated by the offset the witness's phone
# gave (``place_days.place_zone``: ``Etc/GMT+5``) is dated in the site's zone, as its card shows it (probe s44 P1)
DAY_ZONE_SHOWN = "(CASE WHEN s.lat IS NULL AND s.day_zone LIKE 'Etc/%' THEN :day_zone ELSE " + DAY_ZONE + " END)"
ZONE_REACH = timedelta(hours=15)  # every zone's day lies within UTC's day widened by this (UTC-12 to UTC+14, an hour)


def _days_seen(query: SightingFilter, params: dict[str, Any]) -> str:
    """The days seen asked, where each sighting was seen: within the instants the days may hold in some zone
    (``ix_sightings_seen_at``), each row's day in its own zone, unless it lies in them in every zone (a long
    range reads few rows' days); at the calendar's ends, every instant."""
    day = (DAY_SEEN_BY_HOUR if query.arrival_hours else DAY_SEEN).format(
        zone=DAY_ZONE if query.grid_deg is None else DAY_ZONE_SHOWN)
    clauses = list[str]()
    params["day_zone"] = query.day_zone
    for sign, asked, name in ((-1, query.seen_on_from, "day_from"), (1, query.seen_on_to, "day_to")):
        if asked is None:
            continue
        params[name], ours = asked, f"{day} {'>=' if sign < 0 else '<='} :{name}"
        with suppress(OverflowError):
            edge = datetime.combine(asked, time.min if sign < 0 else time.max, UTC)
            params |= {f"{name}_reach": edge + sign * ZONE_REACH, f"{name}_sure": edge - sign * ZONE_REACH}
            clauses.append(f"s.seen_at {'>=' if sign < 0 else '<'} :{name}_reach")
            ours = f"(s.seen_at {'>=' if sign < 0 else '<'} :{name}_sure OR {ours})"
        clauses.append(ours)
    return " AND ".join(clauses)


def _hour(at: datetime | None, later: int = 0) -> datetime | None:
    """The first instant of the (UTC) hour ``at`` falls in (or of the hour ``later`` hours after): a report
    dated by its arrival, for readers who read its hour only, is kept by a time filter all that hour."""
    return at and at.astimezone(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=later)


# newest first; a report dated by its arrival, for readers who read its hour only, as of its hour's start
NEWEST = "ORDER BY s.seen_at DESC, s.id DESC"
NEWEST_BY_HOUR = ("ORDER BY CASE WHEN s.seen_at_basis = 'arrival' THEN date_trunc('hour', s.seen_at, 'UTC') "
                  "ELSE s.seen_at END DESC, s.id DESC")
# a sighting's words folded once (NFKC, small letters), then as the place filter looks for an area's names in
# them (``regions.squashed_text``): translate() with the long list of letters with diacritics only where there
# is one (it costs 30 times more)
FOLDED_PLACE = "CROSS JOIN LATERAL (SELECT lower(normalize(s.place_text, NFKC)) AS words) w"
SQUASHED_PLACE = ("regexp_replace(CASE WHEN w.words ~ :accented THEN translate(w.words, :fold_from, :fold_to) "
                  "ELSE w.words END, :gaps, '', 'g')")


# a pin whose ~1 km cell's centre (``places_shown.public_pin``, what ``PlaceFilter.admits`` reads) lies in the area's
# box: the index narrows by the box widened by a cell, then the centre is tested (probe s44 P1: tested on the exact
# pin, two reports of one cell at a box's edge got different answers). ``edge``: a float's rounding, never a cell.
PUBLIC_PIN_IN_BOX = (
    "(s.lat BETWEEN :south - :cell AND :north + :cell AND s.lon BETWEEN :west - :cell AND :east + :cell "
    "AND least(floor(s.lat / :cell) * :cell + :cell / 2, 90) BETWEEN :south - :edge AND :north + :edge "
    "AND least(floor(s.lon / :cell) * :cell + :cell / 2, 180) BETWEEN :west - :edge AND :east + :edge)")
EDGE = 1e-6


def _place_ids(conn: Connection, where: str, params: dict[str, Any], place: PlaceFilter) -> list[int]:
    """The sightings the place filter admits: the gazetteer reads only the rows SQL keeps (``place_rows``),
    never every row."""
    return [int(r.id) for r in place_rows(conn, where, params, place) if place.admits(r.place_text, r.lat, r.lon)]


def place_rows(conn: Connection, where: str, params: dict[str, Any], place: PlaceFilter) -> list[Any]:
    """The sightings (id, words, pin) SQL keeps for a place filter: those whose words contain a name that may
    name a place inside the area searched (or the words themselves), or whose pin lies near it."""
    narrowing = place.narrowing()
    if narrowing is None:
        return []
    kept, asked = [], dict(params)
    if narrowing.literal:
        kept.append("w.words ~* :place_literal")
        asked["place_literal"] = narrowing.literal
    if narrowing.names:
        kept.append(f"{SQUASHED_PLACE} ~* :place_names")
        asked |= {"place_names": narrowing.names, "fold_from": FOLD_FROM, "fold_to": FOLD_TO, "gaps": GAPS,
                  "accented": ACCENTED}
    if narrowing.box:  # the pin as the gazetteer reads it: its cell's centre (``admits``), never the pin itself
        kept.append(PUBLIC_PIN_IN_BOX)
        asked |= dict(zip(("south", "north", "west", "east"), narrowing.box, strict=True)) | {
            "cell": PLACE_GRID_DEG, "edge": EDGE}
    return list(conn.execute(text(f"SELECT s.id, s.place_text, s.lat, s.lon FROM sightings s {FOLDED_PLACE} "
                                  f"WHERE {where} AND ({' OR '.join(kept)})"), asked))
