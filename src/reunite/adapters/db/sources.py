"""SQL for sources, sightings' provenance and reposted photos (mixed into the unit of work), and the
read side of sources' health and public statistics."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from reunite.adapters.db.people_tables import recorded_settings, sighting_sources, sources
from reunite.adapters.db.workbench import FROM, ITEM, OPEN
from reunite.domain.access import PLACE_GRID_DEG
from reunite.domain.model import Provenance

REPOST_BITS = 6  # photos whose perceptual hashes differ in at most this many of 64 bits are the same picture


def _cell(column: str) -> str:
    """The centre of a coordinate's ~1 km grid cell (``access.coarsen``'s cell, ``floor(value / grid)``), in SQL."""
    return f"(floor({column} / :grid) + 0.5) * :grid"


class SourcesSql:
    conn: Connection

    def add_source(self, kind: str, url: str, name: str, interval_s: int, by: str) -> int:
        found = self.conn.execute(select(sources.c.id).where(sources.c.url == url)).scalar()
        if found is not None:
            return int(found)
        return int(self.conn.execute(insert(sources).values(
            kind=kind, url=url, name=name, interval_s=interval_s, created_by=by).returning(sources.c.id)).scalar_one())

    def set_source_status(self, source_id: int, status: str) -> bool:
        changed = self.conn.execute(update(sources).where(sources.c.id == source_id).values(status=status))
        return bool(changed.rowcount)

    def due_sources(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        """Active sources whose time has come, locked so that two workers never poll the same one."""
        rows = self.conn.execute(select(sources).where(sources.c.status == "active", sources.c.next_poll_at <= now)
                                 .order_by(sources.c.next_poll_at).limit(limit).with_for_update(skip_locked=True))
        return [dict(r._mapping) for r in rows]

    def source_polled(self, source_id: int, values: dict[str, Any]) -> None:
        self.conn.execute(update(sources).where(sources.c.id == source_id).values(**values))

    def sighting_of_post(self, url: str) -> int | None:
        found = self.conn.execute(select(sighting_sources.c.sighting_id).where(sighting_sources.c.url == url)).scalar()
        return int(found) if found is not None else None

    def sighting_with_photo(self, phashes: list[int]) -> int | None:
        """A sighting (not removed) that already holds one of these pictures."""
        found = self.conn.execute(text(
            "SELECT p.sighting_id FROM photos p JOIN sightings s ON s.id = p.sighting_id, "
            "unnest(CAST(:hashes AS bigint[])) AS h "
            "WHERE p.phash IS NOT NULL AND s.status NOT IN ('removed', 'expired') "
            "AND bit_count((p.phash # h)::bit(64)) <= :bits ORDER BY s.created_at, p.sighting_id LIMIT 1"),
            {"hashes": phashes, "bits": REPOST_BITS}).scalar()
        return int(found) if found is not None else None

    def add_provenance(self, sighting_id: int, provenance: Provenance) -> bool:
        """Record where a sighting came from (again); False if this post was already recorded."""
        if provenance.url and self.sighting_of_post(provenance.url) is not None:
            return False
        self.conn.execute(insert(sighting_sources).values(
            sighting_id=sighting_id, kind=provenance.kind, source_id=provenance.source_id, url=provenance.url,
            author=provenance.author[:200], posted_at=provenance.posted_at))
        return True

    def figures(self, key: str, lock: bool = False) -> dict[str, Any] | None:
        if lock:  # one writer of public figures at a time (the rows may not exist yet: a lock of its own)
            self.conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('reunite.public_figures'))"))
        value = self.conn.execute(select(recorded_settings.c.value).where(recorded_settings.c.key == key)).scalar()
        return value if isinstance(value, dict) else None

    def record_figures(self, key: str, value: dict[str, Any]) -> None:
        statement = pg_insert(recorded_settings).values(key=key, value=value)
        self.conn.execute(statement.on_conflict_do_update(
            index_elements=[recorded_settings.c.key], set_={"value": value, "updated_at": func.now()}))


class SourcesReads:
    def _all(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        raise NotImplementedError

    def sources(self) -> list[dict[str, Any]]:
        return self._all(
            "SELECT s.*, (SELECT count(DISTINCT ss.sighting_id) FROM sighting_sources ss WHERE ss.source_id = s.id) "
            "AS sightings FROM sources s ORDER BY s.status, s.id")

    def sighting_provenance(self, sighting_id: int) -> list[dict[str, Any]]:
        return self._all(
            "SELECT ss.kind, ss.url, ss.author, ss.posted_at, ss.created_at, s.name AS source_name "
            "FROM sighting_sources ss LEFT JOIN sources s ON s.id = ss.source_id "
            "WHERE ss.sighting_id = :id ORDER BY ss.created_at, ss.id", id=sighting_id)

    def same_picture(self, sighting_id: int) -> list[int]:
        """Other sightings (not removed) holding a picture of this one: another witness, or a repost."""
        rows = self._all(
            "SELECT DISTINCT o.sighting_id AS id FROM photos p JOIN photos o ON o.sighting_id <> p.sighting_id "
            "AND bit_count((o.phash # p.phash)::bit(64)) <= :bits JOIN sightings s ON s.id = o.sighting_id "
            "WHERE p.sighting_id = :id AND p.phash IS NOT NULL AND o.phash IS NOT NULL "
            "AND s.status NOT IN ('removed', 'expired') ORDER BY o.sighting_id", id=sighting_id, bits=REPOST_BITS)
        return [int(r["id"]) for r in rows]

    def statistics(self, as_of: datetime, reports: Sequence[str], cases: Sequence[str],
                   weeks: Sequence[tuple[datetime, datetime]]) -> dict[str, Any]:
        """Counts only (no record leaves this query); places as the words people typed and the centre of
        their pin's ~1 km grid cell (``access.public_pin``'s cell: what the public city is read from, never the
        pin itself). Reports in ``reports`` approved (or, approved on arrival, received) before ``as_of``;
        cases in ``cases`` verified before it; reunions closed before it."""
        approved = "s.status = ANY(:reports) AND COALESCE(s.moderated_at, s.created_at) < :as_of"
        return {
            "cases": self._all(
                f"SELECT status, last_seen_text AS place, {_cell('last_seen_lat')} AS lat, "
                f"{_cell('last_seen_lon')} AS lon, count(*) AS n FROM cases WHERE status = ANY(:cases) "
                "AND verified_at < :as_of AND (status = 'open' OR closed_at < :as_of) "
                "GROUP BY 1, 2, 3, 4", cases=list(cases), as_of=as_of, grid=PLACE_GRID_DEG),
            "sightings": self._all(
                f"SELECT s.place_text AS place, {_cell('s.lat')} AS lat, {_cell('s.lon')} AS lon, count(*) AS n "
                f"FROM sightings s WHERE {approved} GROUP BY 1, 2, 3", reports=list(reports), as_of=as_of,
                grid=PLACE_GRID_DEG),
            "weeks": self._all(  # every week, empty ones too: a row's presence reveals nothing
                f"SELECT w.start, (SELECT count(*) FROM sightings s WHERE {approved} "
                "AND COALESCE(s.moderated_at, s.created_at) >= w.start "
                "AND COALESCE(s.moderated_at, s.created_at) < w.stop) AS approved "
                "FROM unnest(CAST(:starts AS timestamptz[]), CAST(:stops AS timestamptz[])) AS w(start, stop) "
                "ORDER BY w.start", as_of=as_of, reports=list(reports),
                starts=[start for start, _ in weeks], stops=[stop for _, stop in weeks]),
            "median_days": self._all(
                "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - created_at) "
                "/ 86400) AS days, count(*) AS n FROM cases WHERE status = 'reunited' AND verified_at IS NOT NULL "
                "AND closed_at < :as_of", as_of=as_of),
        }

    def review_dashboard(self, days: Sequence[tuple[datetime, datetime]]) -> dict[str, Any]:
        return {
            "queues": self._all(
                "SELECT 'sightings' AS queue, count(*) AS waiting, min(created_at) AS oldest FROM sightings "
                "WHERE status = 'pending' UNION ALL "
                "SELECT 'cases', count(*), min(created_at) FROM cases WHERE verified_at IS NULL AND status = 'open' "
                f"UNION ALL SELECT 'candidates', count(DISTINCT {ITEM}), min(c.created_at) {FROM} WHERE {OPEN}"),
            "throughput": self._all(
                "SELECT d.start, (SELECT count(*) FROM sightings s WHERE s.moderated_at >= d.start "
                "AND s.moderated_at < d.stop) AS reports, (SELECT count(*) FROM candidates c "
                "WHERE c.reviewed_at >= d.start AND c.reviewed_at < d.stop) AS candidates "
                "FROM unnest(CAST(:starts AS timestamptz[]), CAST(:stops AS timestamptz[])) AS d(start, stop) "
                "ORDER BY d.start", starts=[start for start, _ in days], stops=[stop for _, stop in days]),
        }
