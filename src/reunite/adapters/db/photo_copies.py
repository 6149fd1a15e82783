"""SQL of case photos that are copies of a report's picture or of a rejected case's photo (``domain.photo_copies``,
probe s36 K1): found, recorded, and read for the moderators' pages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, text

from reunite.adapters.db.ann import ann_scan
from reunite.adapters.db.same_photos import ANY_CASE_PICTURE, read_one_picture
from reunite.domain.chips import chip_correlation
from reunite.domain.photo_copies import REJECTED, SIGHTING, PhotoCopy
from reunite.domain.times import with_offset

# a case photo flagged as a report's picture: never published nor matched (``case_faces.published``, ``matched``)
# (one a moderator cleared, the family's own photo reposted as a report first: probe s39 L4, no longer)
COPIED = ("EXISTS (SELECT 1 FROM case_photo_copies x WHERE x.photo_id = {photo}.id AND x.kind = 'sighting' "
          "AND x.cleared_at IS NULL)")


# the child's face of each of a case's photos (its only face, or the one chosen; held photos too: a photo added and
# waiting is checked before anyone decides), as ``mine``, with the instant the photo was stored
CHILD_FACES = ("WITH mine AS MATERIALIZED (SELECT f.photo_id, f.embedding, f.chip, p.created_at FROM faces f "
               "JOIN photos p ON p.id = f.photo_id "
               "WHERE f.case_id = :c AND (p.face_count = 1 OR p.child_face_id = f.id))")


def not_copied(photo: str = "p") -> str:
    """The condition that case photo ``photo`` is no report's picture."""
    return "NOT " + COPIED.format(photo=photo)


class PhotoCopiesSql:
    conn: Connection

    def sighting_copies(self, case_id: int, similarity: float, bits: int, near: int,
                        faces: float = 1.0, chip: float = 1.0) -> list[PhotoCopy]:
        # only a report's picture stored before the case photo: a report made later of the case's photo (a repost of
        # its poster) is that report's copy of the case's, flagged on the report ("same photo"), never the reverse
        ann_scan(self.conn)
        by_face = self.conn.execute(text(
            f"{CHILD_FACES} "
            "SELECT m.photo_id, m.chip, n.sighting_id, n.photo_id AS other_photo_id, n.distance, n.chip AS other_chip "
            "FROM mine m CROSS JOIN LATERAL (SELECT g.sighting_id, g.photo_id, g.chip, "
            "g.embedding <=> m.embedding AS distance FROM faces g JOIN sightings s ON s.id = g.sighting_id "
            "JOIN photos q ON q.id = g.photo_id "
            "WHERE g.sighting_id IS NOT NULL AND s.status <> 'removed' AND q.created_at < m.created_at "
            "ORDER BY g.embedding <=> m.embedding LIMIT :near) n WHERE 1 - n.distance >= :faces"),
            {"c": case_id, "near": near, "faces": min(faces, similarity)}).all()
        by_hash = self.conn.execute(text(
            "SELECT m.id AS photo_id, q.sighting_id, q.id AS other_photo_id FROM photos m JOIN photos q "
            "ON q.sighting_id IS NOT NULL AND q.phash IS NOT NULL AND bit_count((q.phash # m.phash)::bit(64)) <= :bits "
            "AND q.created_at < m.created_at "
            "JOIN sightings s ON s.id = q.sighting_id AND s.status <> 'removed' "
            "WHERE m.case_id = :c AND m.phash IS NOT NULL"), {"c": case_id, "bits": bits}).all()
        # a withdrawn or removed report's pictures, deleted: their prints (probe s39 L3)
        kept_faces = self.conn.execute(text(
            f"{CHILD_FACES} "
            "SELECT m.photo_id, m.chip, r.sighting_id, NULL AS other_photo_id, "
            "r.embedding <=> m.embedding AS distance, r.chip AS other_chip "
            "FROM mine m JOIN report_prints r ON r.embedding IS NOT NULL "
            "AND r.stored_at < m.created_at WHERE 1 - (r.embedding <=> m.embedding) >= :faces"),
            {"c": case_id, "faces": min(faces, similarity)}).all()
        kept_hashes = self.conn.execute(text(
            "SELECT m.id AS photo_id, r.sighting_id, NULL AS other_photo_id FROM photos m JOIN report_prints r "
            "ON r.phash IS NOT NULL AND bit_count((r.phash # m.phash)::bit(64)) <= :bits "
            "AND r.stored_at < m.created_at "
            "WHERE m.case_id = :c AND m.phash IS NOT NULL"), {"c": case_id, "bits": bits}).all()
        by_face, by_hash = [*by_face, *kept_faces], [*by_hash, *kept_hashes]
        found: dict[tuple[int, int], int | None] = {}
        for r in by_face:
            alike = 1 - float(r.distance) >= similarity
            if not alike and r.chip is not None and r.other_chip is not None:
                read = chip_correlation(bytes(r.chip), bytes(r.other_chip))
                alike = read is not None and read >= chip
            if alike:
                found.setdefault((int(r.photo_id), int(r.sighting_id)), _id(r.other_photo_id))
        for r in by_hash:
            found.setdefault((int(r.photo_id), int(r.sighting_id)), _id(r.other_photo_id))
        return [PhotoCopy(case_id, photo, SIGHTING, sighting_id=sighting, other_photo_id=other)
                for (photo, sighting), other in sorted(found.items())]

    def keep_report_prints(self, sighting_id: int) -> int:
        return int(self.conn.execute(text(
            "INSERT INTO report_prints (sighting_id, phash, embedding, chip, stored_at) "
            "SELECT p.sighting_id, p.phash, f.embedding, f.chip, p.created_at FROM photos p "
            "LEFT JOIN faces f ON f.photo_id = p.id WHERE p.sighting_id = :s "
            "AND (f.id IS NOT NULL OR p.phash IS NOT NULL)"), {"s": sighting_id}).rowcount)

    def rejected_copies(self, case_id: int, found: Sequence[PhotoCopy]) -> list[PhotoCopy]:
        pairs = [(c.photo_id, c.sighting_id) for c in found if c.sighting_id is not None]
        if not pairs:
            return []
        rows = self.conn.execute(text(
            "SELECT DISTINCT ON (q.photo, x.case_id) q.photo, x.case_id, x.photo_id FROM case_photo_copies x "
            "JOIN cases k ON k.id = x.case_id AND k.status = 'rejected' "
            "JOIN unnest(CAST(:photos AS bigint[]), CAST(:sightings AS bigint[])) AS q(photo, sighting) "
            "ON q.sighting = x.sighting_id WHERE x.kind = 'sighting' AND x.case_id <> :c "
            "ORDER BY q.photo, x.case_id, x.photo_id"),
            {"c": case_id, "photos": [p for p, _ in pairs], "sightings": [s for _, s in pairs]}).all()
        return [PhotoCopy(case_id, int(r.photo), REJECTED, other_case_id=int(r.case_id), other_photo_id=int(r.photo_id))
                for r in rows]

    def flag_photo_copy(self, copy: PhotoCopy) -> bool:
        return bool(self.conn.execute(text(
            "INSERT INTO case_photo_copies (case_id, photo_id, kind, sighting_id, other_case_id, other_photo_id) "
            "SELECT CAST(:c AS bigint), CAST(:p AS bigint), CAST(:k AS varchar), CAST(:s AS bigint), "
            "CAST(:o AS bigint), CAST(:op AS bigint) WHERE NOT EXISTS (SELECT 1 FROM case_photo_copies x "
            "WHERE x.photo_id = CAST(:p AS bigint) AND x.kind = CAST(:k AS varchar) "
            "AND x.sighting_id IS NOT DISTINCT FROM CAST(:s AS bigint) "
            "AND x.other_case_id IS NOT DISTINCT FROM CAST(:o AS bigint))"),
            {"c": copy.case_id, "p": copy.photo_id, "k": copy.kind, "s": copy.sighting_id, "o": copy.other_case_id,
             "op": copy.other_photo_id}).rowcount)

    def case_pictures_among(self, face_ids: Sequence[int]) -> set[int]:
        if not face_ids:
            return set()
        rows = [dict(r._mapping) for r in self.conn.execute(text(ANY_CASE_PICTURE), {"ids": list(face_ids)})]
        return {int(row.pop("face_id")) for row in rows if read_one_picture(row)}

    def sighting_copies_of(self, case_id: int) -> list[int]:
        return [int(r[0]) for r in self.conn.execute(text(
            "SELECT DISTINCT x.sighting_id FROM case_photo_copies x JOIN photos p ON p.id = x.photo_id "
            "WHERE x.case_id = :c AND x.kind = 'sighting' AND x.sighting_id IS NOT NULL AND x.cleared_at IS NULL "
            "ORDER BY 1"), {"c": case_id})]

    def clear_photo_copy(self, copy_id: int, actor: str, reason: str, at: datetime) -> tuple[int, int | None] | None:
        row = self.conn.execute(text(
            "UPDATE case_photo_copies SET cleared_at = :at, cleared_by = :by, cleared_reason = :why "
            "WHERE id = :id AND kind = 'sighting' AND cleared_at IS NULL RETURNING case_id, sighting_id"),
            {"id": copy_id, "at": at, "by": actor, "why": reason}).first()
        return (int(row.case_id), None if row.sighting_id is None else int(row.sighting_id)) if row else None


def _id(value: object) -> int | None:
    return None if value is None else int(str(value))


# the rejection of a case: its latest audit entry (the date and the moderator's reason)
REJECTION = ("(SELECT json_build_object('at', a.at, 'reason', a.detail->>'reason') FROM audit_log a "
             "WHERE a.subject = 'case' AND a.subject_id = x.other_case_id AND a.action = 'case.rejected' "
             "ORDER BY a.at DESC, a.id DESC LIMIT 1)")


# each case photo's child face (held photos too, as ``CHILD_FACES``) against the nearest faces of reports stored
# before it, none flagged as its copy: those reading at least :faces alike (``ReadModel.near_reports``)
NEAR_REPORTS_SQL = (
    "SELECT m.case_id, m.photo_id, m.face_id, n.face_id AS report_face_id, n.sighting_id, "
    "1 - n.distance AS similarity, s.seen_at, s.seen_at_offset, s.place_text, s.lat, s.lon, "
    "s.status AS sighting_status FROM (SELECT f.id AS face_id, f.case_id, f.photo_id, f.embedding, p.created_at "
    "FROM faces f JOIN photos p ON p.id = f.photo_id "
    "WHERE f.case_id = ANY(:ids) AND (p.face_count = 1 OR p.child_face_id = f.id)) m CROSS JOIN LATERAL ("
    "SELECT g.id AS face_id, g.sighting_id, g.embedding <=> m.embedding AS distance FROM faces g "
    "JOIN photos q ON q.id = g.photo_id WHERE g.sighting_id IS NOT NULL AND q.created_at < m.created_at "
    "ORDER BY g.embedding <=> m.embedding LIMIT :near) n JOIN sightings s ON s.id = n.sighting_id "
    "WHERE 1 - n.distance >= :faces AND s.status <> 'removed' AND NOT EXISTS (SELECT 1 FROM case_photo_copies x "
    "WHERE x.photo_id = m.photo_id AND x.sighting_id = n.sighting_id) ORDER BY m.case_id, n.distance")


class PhotoCopiesReads:
    engine: Engine

    def _all(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        raise NotImplementedError

    def near_reports(self, case_ids: Sequence[int], faces: float, near: int) -> list[dict[str, Any]]:
        if not case_ids:
            return []
        with self.engine.begin() as conn:  # the scan's settings last this transaction
            ann_scan(conn)
            rows = [dict(r._mapping) for r in conn.execute(text(NEAR_REPORTS_SQL),
                                                           {"ids": list(case_ids), "faces": faces, "near": near})]
        for row in rows:  # as it was given (its offset): the day where it was seen
            row["seen_at"] = with_offset(row["seen_at"], row.pop("seen_at_offset"))
        return rows

    def photo_copies(self, case_ids: Sequence[int]) -> list[dict[str, Any]]:
        rows = self._all(
            "SELECT x.id, x.case_id, x.photo_id, x.kind, x.sighting_id, s.seen_at, s.seen_at_offset, s.place_text, "
            "s.lat, s.lon, x.other_case_id, s.status AS sighting_status, s.moderation_reason AS sighting_reason, "
            "x.cleared_at, x.cleared_by, x.cleared_reason, "
            f"{REJECTION} AS rejection FROM case_photo_copies x LEFT JOIN sightings s ON s.id = x.sighting_id "
            "WHERE x.case_id = ANY(:ids) ORDER BY x.created_at, x.id", ids=list(case_ids))
        return self._shown(rows)

    def photo_copy(self, copy_id: int) -> list[dict[str, Any]]:
        return self._all("SELECT x.id, x.kind FROM case_photo_copies x WHERE x.id = :id", id=copy_id)

    @staticmethod
    def _shown(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for row in rows:
            rejection = row.pop("rejection") or {}
            row["rejected_at"], row["reason"] = rejection.get("at"), rejection.get("reason")
        return rows
