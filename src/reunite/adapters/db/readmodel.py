"""Read-side SQL for pages and the API (implements ``domain.ports.ReadModel``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text

from reunite.adapters.db.ann import EF_SEARCH, ann_scan, vector_literal
from reunite.adapters.db.audit import AuditReads
from reunite.adapters.db.case_faces import face_ids_sql, left_to_right, poster_photo, sighting_faces_in_order
from reunite.adapters.db.look_alikes import LookAlikeReads
from reunite.adapters.db.moderation import REPORT_VERSION
from reunite.adapters.db.people import PeopleReads
from reunite.adapters.db.pfif import PfifReads
from reunite.adapters.db.photo_copies import PhotoCopiesReads
from reunite.adapters.db.queues import ModerationReads
from reunite.adapters.db.reach import ReachReads
from reunite.adapters.db.same_photos import SAME_PHOTO_DISMISSED, case_picture, copy_of, read_one_picture
from reunite.adapters.db.shortlist import CHILD_FACE, FIRST_FACE, RANKS_NOW, RANKS_NOW_JOIN, ShortlistReads
from reunite.adapters.db.sighting_filter import NOT_FOUND, found, sighting_order, sighting_where
from reunite.adapters.db.sources import SourcesReads
from reunite.adapters.db.workbench import WorkbenchReadSql, ruled_out
from reunite.domain.errors import NotFound
from reunite.domain.lifecycle import case_state
from reunite.domain.model import CandidateStatus, SightingFilter
from reunite.domain.times import with_offset

SIGHTING_COLUMNS = (
    "s.id, s.seen_at, s.seen_at_offset, s.seen_at_basis, s.seen_at_zone, s.camera_clock, s.lat, s.lon, s.day_zone, "
    "s.place_text, s.place_basis, s.photo_lat, s.photo_lon, s.photo_km, "
    "s.apparent_age_low, s.apparent_age_high, "
    "s.apparent_sex, s.description, s.with_whom, s.family_summary, s.created_at, s.status, s.child_face_id, "
    "s.group_id, "
    "(SELECT count(*) FROM photos p WHERE p.sighting_id = s.id) AS photo_count, "
    "(SELECT count(*) FROM photos p WHERE p.sighting_id = s.id AND p.processed_at IS NULL) AS pending_photos, "
    "(SELECT count(*) FROM photos p WHERE p.sighting_id = s.id AND p.failed_reason IS NOT NULL) AS failed_photos, "
    "(SELECT count(*) FROM faces f WHERE f.sighting_id = s.id) AS face_count, "
    f"{FIRST_FACE} AS first_face_id"
)


# the case a photo or face belongs to, as much as its visibility is decided from (``_owned``)
OWNER_CASE = "k.status AS case_status, k.verified_at AS case_verified_at"

CONFIRMED = ("FROM candidates c WHERE c.case_id = ANY(:cases) AND c.sighting_face_id = f.id "
             "AND c.status = 'confirmed' ORDER BY c.case_id")
# the cases a report was found for (a child found: ``found_sightings``), by its sighting id ``id``
FOUND_FOR = "ARRAY(SELECT fd.case_id FROM found_sightings fd WHERE fd.sighting_id = {id} ORDER BY fd.case_id)"
LIVE_REPORTS = "('pending', 'approved')"  # a rejected, removed or expired report's candidates are gone


def _given_offsets(row: dict[str, Any]) -> dict[str, Any]:
    """Times read back with the offset they were given in (``X_offset`` columns beside ``X``)."""
    for key in [k for k in row if k.endswith("_offset") and k[:-7] in row]:
        minutes = row.pop(key)
        if row[key[:-7]] is not None:
            row[key[:-7]] = with_offset(row[key[:-7]], minutes)
    return row


def _owned(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A photo's or face's row as access reads it: its case's head (``case``: id, status, verified_at)
    and a face's confirmations as candidates; None for an id nobody uses."""
    if not rows:
        return None
    row = rows[0]
    status, verified_at = row.pop("case_status"), row.pop("case_verified_at")
    row["case"] = {"id": row["case_id"], "status": status, "verified_at": verified_at} if row["case_id"] else None
    if "confirmed_cases" in row:
        confirmed = zip(row.pop("confirmed_cases"), row.pop("confirmed_at"), strict=True)
        # a face ruled out (another of its photo marked the child's): confirmed, it is that face's history, no
        # family's lead (``access.candidate_visible``)
        row["confirmations"] = [{"case_id": case_id, "status": "confirmed", "reviewed_at": at,
                                 "ruled_out": bool(row.get("ruled_out")), "sighting_status": row["sighting_status"],
                                 "found_for": row.get("found_for") or []}
                                for case_id, at in confirmed]
    return row


def _status(row: dict[str, Any]) -> str:
    if row["status"] != "approved":
        return str(row["status"])
    if row["pending_photos"]:
        return "processing"
    if row["failed_photos"] and not row["face_count"]:
        return "faces could not be searched for"
    return "faces found" if row["face_count"] else "no face found"


class SqlReadModel(PeopleReads, ModerationReads, ReachReads, PfifReads, SourcesReads, WorkbenchReadSql,
                   ShortlistReads, AuditReads, LookAlikeReads, PhotoCopiesReads):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _all(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [_given_offsets(dict(r._mapping)) for r in conn.execute(text(sql), params)]

    def _one(self, sql: str, missing: str, **params: Any) -> dict[str, Any]:
        """The one row, or NotFound with the ``missing`` message (formatted with ``params``)."""
        rows = self._all(sql, **params)
        if not rows:
            raise NotFound(missing, **params)
        return rows[0]

    def sightings(self, query: SightingFilter) -> tuple[int, list[dict[str, Any]]]:
        with self.engine.connect() as conn:  # one connection for all: a page costs one checkout
            where, params = sighting_where(conn, query)
            total = conn.execute(text(f"SELECT count(*) FROM sightings s WHERE {where}"), params).scalar_one()
            rows = [_given_offsets(dict(r._mapping)) for r in conn.execute(text(
                f"SELECT {SIGHTING_COLUMNS} FROM sightings s WHERE {where} "
                f"{sighting_order(query)} LIMIT :limit OFFSET :offset"),
                {**params, "limit": query.limit, "offset": query.offset})]
        for row in rows:
            row["state"] = _status(row)
        return int(total), rows

    def sighting_head(self, sighting_id: int) -> dict[str, Any] | None:
        """What its visibility is decided from, in one statement: None for an id nobody uses."""
        rows = self._all(  # moderated before and pending: approved once, held again (see access.held_again_shown)
            "SELECT id, status, child_face_id, status = 'pending' AND moderated_by IS NOT NULL AS held_again, "
            f"{found('s')} AS found FROM sightings s WHERE id = :id", id=sighting_id)
        return rows[0] if rows else None

    def sighting(self, sighting_id: int) -> dict[str, Any]:
        row = self._one(
            f"SELECT {SIGHTING_COLUMNS}, s.reporter_contact, s.moderation_reason, {REPORT_VERSION} AS version "
            "FROM sightings s WHERE s.id = :id",
            "sighting {id} does not exist", id=sighting_id)
        row["state"] = _status(row)
        row["photos"] = self._all(
            "SELECT id, width, height, face_count, processed_at, failed_reason FROM photos WHERE sighting_id = :id "
            "ORDER BY created_at, id",
            id=sighting_id,
        )
        row["faces"] = self.sighting_faces(sighting_id)
        return row

    def sighting_faces(self, sighting_id: int) -> list[dict[str, Any]]:
        """A sighting's faces photo by photo, each photo's left to right (as they are numbered to choose from)."""
        return self._all(
            "SELECT f.id, f.photo_id, f.box_left, f.box_top, f.box_right, f.box_bottom, f.landmarks, f.quality, "
            f"f.detector FROM {sighting_faces_in_order('f', ':id')}", id=sighting_id,
        )

    def photo_faces(self, photo_id: int) -> list[dict[str, Any]]:
        return self._all(
            "SELECT id, photo_id, box_left, box_top, box_right, box_bottom, landmarks, quality, detector FROM faces f "
            f"WHERE photo_id = :id ORDER BY {left_to_right('f')}", id=photo_id,
        )

    def case_head(self, case_id: int) -> dict[str, Any] | None:
        """What its visibility is decided from, in one statement: None for an id nobody uses."""
        rows = self._all("SELECT id, status, verified_at FROM cases WHERE id = :id", id=case_id)
        return rows[0] if rows else None

    def case(self, case_id: int) -> dict[str, Any]:
        row = self._one(
            "SELECT id, given_name, family_name, nicknames, sex, birth_date, missing_since, missing_since_offset, "
            "missing_since_precision, last_seen_lat, last_seen_lon, last_seen_text, description, shared_description, "
            "marks, shared_marks, sharing_review_since, status, created_at, family_contact, police_report, "
            "verified_at, closed_at, pfif "
            "FROM cases WHERE id = :id",
            "case {id} does not exist", id=case_id,
        )
        row["notes"] = self._all(
            "SELECT id, author_name, status, last_known_location, text, source_date, source, pfif FROM case_notes "
            "WHERE case_id = :id ORDER BY source_date, id", id=case_id)
        # notes another registry sent on this (imported) case, kept aside until a moderator attaches them
        row["notes_aside"] = self._all(
            "SELECT n.id, n.author_name, n.status, n.last_known_location, n.text, n.source_date, n.source, n.pfif "
            "FROM case_notes n JOIN cases c ON c.record_id = n.person_record_id "
            "WHERE c.id = :id AND n.case_id IS NULL ORDER BY n.source_date, n.id", id=case_id)
        row["photos"] = self._all(
            "SELECT id, taken_on, face_count, processed_at, failed_reason, child_face_id, held_since, "
            f"{face_ids_sql('photos')} AS face_ids FROM photos WHERE case_id = :id "
            "ORDER BY taken_on, created_at, id",
            id=case_id,
        )
        return row

    def candidates(
        self, case_id: int | None, status: CandidateStatus | None, sighting_id: int | None = None,
        group_statuses: Sequence[str] = ("approved",),
    ) -> list[dict[str, Any]]:
        return self._candidate_rows(
            "(CAST(:case_id AS bigint) IS NULL OR c.case_id = :case_id) "
            "AND (CAST(:sighting_id AS bigint) IS NULL OR c.sighting_id = :sighting_id) "
            "AND (CAST(:status AS text) IS NULL OR c.status = :status)", group_statuses,
            case_id=case_id, sighting_id=sighting_id, status=status.value if status else None,
        )

    def workbench_item(self, candidate_id: int, group_statuses: Sequence[str] = ("approved",)) -> dict[str, Any]:
        rows = self._candidate_rows("c.id = :id", group_statuses, id=candidate_id)
        if not rows:
            raise NotFound("candidate {id} does not exist", id=candidate_id)
        return rows[0]

    def item_members(self, candidate_id: int, group_statuses: Sequence[str] = ("approved",)) -> list[dict[str, Any]]:
        rows = self._candidate_rows(
            "c.case_id = (SELECT case_id FROM candidates WHERE id = :id) AND c.sighting_id IN (SELECT t.id "
            "FROM candidates x JOIN sightings xs ON xs.id = x.sighting_id JOIN sightings t ON t.id = xs.id "
            f"OR t.group_id = xs.group_id WHERE x.id = :id) AND NOT {ruled_out()}", group_statuses, id=candidate_id)
        return sorted(rows, key=lambda r: (r["seen_at"], r["id"]), reverse=True)

    def _candidate_rows(self, where: str, group_statuses: Sequence[str], **params: Any) -> list[dict[str, Any]]:
        """Candidates with the sighting's facts; a rejected or removed report's candidates leave
        every list (queues, case pages, families, the API). ``group_size`` counts the sightings of
        the group in ``group_statuses`` only: those the reader sees in the trail. Ranks are read now,
        among the cases verified and open now (``RANKS_NOW``), and ``case_state`` says where the
        candidate's case stands (``lifecycle.case_state``)."""
        rows = self._all(
            "SELECT c.id, c.case_id, c.sighting_id, c.sighting_face_id, c.case_face_id, c.score, c.face_score, "
            "c.age_score, c.time_score, c.place_score, c.sex_score, c.expected_age, c.distance_km, "
            "c.elapsed_days, c.hubness, c.status, c.review_reason, c.reviewed_by, c.reviewed_at, "
            "c.claimed_by, c.claim_expires_at, c.first_confirmed_by, c.family_answer, c.family_note, "
            f"c.family_answered_at, c.proposed_by, c.dismissed_before_at, {RANKS_NOW}, "
            "c.impostor_share, c.gap_years, k.status AS case_status, k.verified_at AS case_verified_at, "
            "s.apparent_age_low, s.apparent_age_high, s.apparent_sex, "
            "s.seen_at, s.seen_at_offset, s.seen_at_basis, s.seen_at_zone, s.place_text, s.lat, s.lon, s.day_zone, "
            "s.description, "
            "s.family_summary, "
            f"s.status AS sighting_status, {found('s')} AS sighting_found, {FOUND_FOR.format(id='s.id')} AS found_for, "
            "s.group_id, "
            "(SELECT count(*) FROM sightings g WHERE g.group_id = s.group_id AND g.status = ANY(:group_statuses)) "
            "AS group_size, "
            # of those, the reports that only send again a photo an earlier one holds (probe s28 B5): one picture
            # counts once, and the sighting's own report when it is such a copy
            "(SELECT count(*) FROM sightings g WHERE g.group_id = s.group_id AND g.status = ANY(:group_statuses) "
            f"AND {copy_of('g', ':group_statuses')} IS NOT NULL) AS group_copies, "
            f"{copy_of('s', ':group_statuses')} AS copy_of, "
            # of those, the other reports a reviewer dismissed for this case (and confirmed for it on no face): when,
            # and whether a copy; a family's trail leaves them out once settled (probe s33 G6, s35 J5)
            "(SELECT json_agg(json_build_object('id', x.id, 'at', x.at, 'copy', x.copy)) FROM (SELECT g.id, "
            f"{copy_of('g', ':group_statuses')} IS NOT NULL AS copy, (SELECT max(d.reviewed_at) FROM candidates d "
            "WHERE d.sighting_id = g.id AND d.case_id = c.case_id AND d.status = 'dismissed') AS at FROM sightings g "
            "WHERE g.group_id = s.group_id AND g.id <> s.id AND g.status = ANY(:group_statuses) AND EXISTS "
            "(SELECT 1 FROM candidates y WHERE y.sighting_id = g.id AND y.case_id = c.case_id) AND NOT EXISTS "
            "(SELECT 1 FROM candidates y WHERE y.sighting_id = g.id AND y.case_id = c.case_id "
            "AND y.status = 'confirmed')) x WHERE x.at IS NOT NULL) AS dismissed_members, "
            # the face evidence its decision was made on (0048), and how many pictures its face score reads together
            "c.face_together, c.decided_face_score, c.decided_hubness, c.decided_together, "
            # waiting, the same face in the same picture as another report's lead a reviewer dismissed for this case
            f"{SAME_PHOTO_DISMISSED} AS same_photo_dismissed, "
            # whether the report's picture is one of the case's own (a repost of its poster: probe s42 N1)
            f"{case_picture('c.sighting_face_id', 'c.case_id')}, "
            # other cases a reviewer confirmed this sighting for (a child registered twice: one of them may not
            # be the child's family); reviewers read it, everyone else an empty list (``access.candidate_view``)
            "ARRAY(SELECT DISTINCT o.case_id FROM candidates o WHERE o.sighting_id = c.sighting_id "
            "AND o.case_id <> c.case_id AND o.status = 'confirmed' ORDER BY o.case_id) AS confirmed_for, "
            "k.last_seen_lat AS case_lat, k.last_seen_lon AS case_lon, k.sex AS case_sex, "
            # when the child went missing, and how precisely (a date alone: whole days, ``domain.elapsed``)
            "k.missing_since, k.missing_since_offset, k.missing_since_precision, "
            # every word the family sent on it, oldest first (the latest is family_answer, family_note)
            "(SELECT json_agg(json_build_object('answer', w.answer, 'note', w.note, 'at', w.at) "
            "ORDER BY w.at, w.id) FROM family_words w WHERE w.candidate_id = c.id) AS family_words "
            "FROM candidates c JOIN sightings s ON s.id = c.sighting_id JOIN cases k ON k.id = c.case_id "
            f"{RANKS_NOW_JOIN} "
            f"WHERE {where} "
            f"AND s.status IN {LIVE_REPORTS} ORDER BY c.score DESC, c.id", group_statuses=list(group_statuses),
            **params,
        )
        for row in rows:
            row["family_words"] = [word | {"at": datetime.fromisoformat(word["at"])}
                                   for word in row["family_words"] or []]
            row["dismissed_members"] = [m | {"at": datetime.fromisoformat(m["at"])}
                                        for m in row["dismissed_members"] or []]
            row["one_picture"] = read_one_picture(row)
            dismissed = row.pop("same_photo_dismissed")
            row["same_photo_dismissed_in"] = None if dismissed is None else int(dismissed["sighting_id"])
            row["same_photo_dismissed_at"] = None if dismissed is None else datetime.fromisoformat(dismissed["at"])
            row["case_state"] = case_state({"status": row.pop("case_status"),
                                            "verified_at": row.pop("case_verified_at")})
        return rows

    def photo(self, photo_id: int) -> dict[str, Any] | None:
        return _owned(self._all(
            "SELECT p.id, p.storage_key, p.case_id, p.sighting_id, p.processed_at, p.failed_reason, p.held_since, "
            f"s.status AS sighting_status, {found('s')} AS sighting_found, s.child_face_id, "
            f"{OWNER_CASE}, "
            # of a case photo: its faces and the one chosen as the child's (domain.case_faces)
            f"p.child_face_id AS case_child_face_id, {face_ids_sql('p')} AS face_ids "
            "FROM photos p LEFT JOIN sightings s ON s.id = p.sighting_id LEFT JOIN cases k ON k.id = p.case_id "
            "WHERE p.id = :id", id=photo_id))

    def face(self, face_id: int, cases: Sequence[int]) -> dict[str, Any] | None:
        # the confirmations are read by access.candidate_visible, as each candidate is: the undo window
        # and the report's status (the face's own sighting's); those of ``cases`` only, found through the
        # (case, face) index: no scan of every candidate, whose time would grow with the table
        return _owned(self._all(
            "SELECT f.id, f.crop_key, f.case_id, f.sighting_id, f.photo_id, f.box_left, f.box_top, f.box_right, "
            f"f.box_bottom, s.status AS sighting_status, {found('s')} AS sighting_found, "
            f"s.child_face_id, p.storage_key AS photo_key, {OWNER_CASE}, "
            f"p.child_face_id AS case_child_face_id, {face_ids_sql('p')} AS photo_face_ids, "
            "ARRAY(SELECT g.id FROM faces g WHERE g.sighting_id = f.sighting_id ORDER BY g.created_at, g.id) "
            "AS sighting_face_ids, "
            f"ARRAY(SELECT c.case_id {CONFIRMED}) AS confirmed_cases, "
            f"{FOUND_FOR.format(id='f.sighting_id')} AS found_for, "
            f"ARRAY(SELECT c.reviewed_at {CONFIRMED}) AS confirmed_at, "
            "(s.child_face_id <> f.id AND EXISTS (SELECT 1 FROM faces rc WHERE rc.id = s.child_face_id "
            "AND rc.photo_id = f.photo_id)) AS ruled_out "
            "FROM faces f LEFT JOIN sightings s ON s.id = f.sighting_id LEFT JOIN cases k ON k.id = f.case_id "
            "LEFT JOIN photos p ON p.id = f.photo_id WHERE f.id = :id", id=face_id, cases=list(cases)))

    def similar_sighting_faces(
        self, embedding: Sequence[float], limit: int, statuses: Sequence[str] = ("approved",),
        found_hidden: bool = False,
    ) -> list[dict[str, Any]]:
        """The faces nearest ``embedding`` that may be their sighting's child (``shortlist.CHILD_FACE``):
        a bystander, an adult beside the child, is never found by photo; nor, ``found_hidden``, a child found."""
        with self.engine.begin() as conn:
            ann_scan(conn, EF_SEARCH)
            rows = conn.execute(text(
                "WITH near AS MATERIALIZED (SELECT f.id AS face_id, f.sighting_id, "
                "1 - (f.embedding <=> CAST(:q AS vector)) AS similarity, "
                "f.hubness, s.seen_at, s.seen_at_offset, s.seen_at_basis, s.seen_at_zone, s.place_text, s.lat, s.lon, "
                "s.group_id, f.chip, (SELECT p.phash FROM photos p WHERE p.id = f.photo_id) AS phash "
                "FROM faces f JOIN sightings s ON s.id = f.sighting_id "
                f"WHERE f.sighting_id IS NOT NULL AND s.status = ANY(:statuses) AND f.id = {CHILD_FACE} "
                f"{'AND ' + NOT_FOUND if found_hidden else ''} "
                "ORDER BY f.embedding <=> CAST(:q AS vector) LIMIT :limit) "
                "SELECT * FROM near ORDER BY similarity DESC, face_id"
            ), {"q": vector_literal(embedding), "limit": limit, "statuses": list(statuses)})
            return [_given_offsets(dict(r._mapping)) for r in rows]

    def case_timeline(self, case_id: int) -> list[dict[str, Any]]:
        """What happened to a case; a reviewer's decision that was then undone never happened. A confirmation
        a later dismissal overturned (a bulk dismissal once did) says so (``overturned``)."""
        return self._all(
            "SELECT a.at, a.action, a.detail, (a.action = 'candidate.confirmed' AND EXISTS (SELECT 1 FROM audit_log d "
            "WHERE d.subject = 'candidate' AND d.subject_id = a.subject_id AND d.action = 'candidate.dismissed' "
            "AND d.id > a.id)) AS overturned "
            "FROM audit_log a WHERE (a.subject = 'case' AND a.subject_id = :id "
            "AND a.action IN ('case.registered', 'case.verified', 'case.rejected', 'case.closed', 'case.reunited', "
            "'case.reopened', 'case.held', 'case.expired', 'case.lead_removed', 'case.lead_ruled_out', "
            "'case.photos_added', 'case.corrected', "
            "'case.correction_asked', 'case.correction_accepted', 'case.correction_refused', "
            "'case.correction_dropped')) "
            "OR (a.subject = 'candidate' "
            "AND a.action IN ('candidate.confirmed', 'candidate.dismissed') "
            "AND (a.detail->>'case_id')::bigint = :id AND NOT EXISTS (SELECT 1 FROM audit_log u "
            "WHERE u.subject = 'candidate' AND u.subject_id = a.subject_id AND u.action = 'candidate.undone' "
            "AND u.id > a.id)) ORDER BY a.at, a.id", id=case_id,
        )

    def poster(self, case_id: int) -> dict[str, Any]:
        row = self._one(
            "SELECT c.id, c.given_name, c.sex, c.birth_date, c.missing_since, c.missing_since_offset, "
            "c.missing_since_precision, c.last_seen_text, c.last_seen_lat, c.last_seen_lon, c.description, "
            f"c.shared_description, {poster_photo()} AS photo_id, "
            f"(SELECT p.taken_on FROM photos p WHERE p.id = {poster_photo()}) AS photo_taken_on, "
            # the face kept sharp in it (of several: the one chosen), which a printed poster's key names
            f"(SELECT p.child_face_id FROM photos p WHERE p.id = {poster_photo()}) AS photo_face "
            "FROM cases c WHERE c.id = :id AND c.verified_at IS NOT NULL AND c.status = 'open'",
            "case {id} does not exist", id=case_id,
        )
        return row
