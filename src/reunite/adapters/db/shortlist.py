"""SQL of the shortlist's caps and ranks, groups of sightings, and cases registered twice
(implements ``domain.stores.ShortlistStore``, and the reads behind their pages)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import Connection, column, text

from reunite.adapters.db.ann import ann_scan, vector_literal
from reunite.adapters.db.case_faces import child_face, poster_photo
from reunite.adapters.db.same_photos import copy_of
from reunite.adapters.db.sighting_filter import found
from reunite.adapters.db.sources import REPOST_BITS
from reunite.adapters.db.tables import EMBEDDING_DIM, LATEST_SEEN
from reunite.adapters.db.workbench import off_face, ruled_out
from reunite.domain.access import ACTIVE_CASE_STATUSES
from reunite.domain.chips import chip_correlation
from reunite.domain.doubles import Double, SamePhoto
from reunite.domain.errors import Conflict, NotFound
from reunite.domain.matching_store import SightingHitRow

# a machine proposal nobody has touched: not a family's own, not answered by the family, not half-confirmed
# (four eyes), not in a reviewer's hands right now; only such proposals are withdrawn or trimmed
UNTOUCHED = ("status = 'proposed' AND reviewed_at IS NULL AND proposed_by = 'machine' AND first_confirmed_by IS NULL "
             "AND family_answer IS NULL AND (claim_expires_at IS NULL OR claim_expires_at < now())")


# the face of sighting ``s`` that may be the reported child (``domain.access.child_face_of``): the one
# marked (by a moderator, or its only face when the faces were found); NULL when none is (no face there is
# known to be the child's: the others are bystanders, adults among them). Only this face is searched by
# photo and grouped.
CHILD_FACE = "s.child_face_id"
# a report's first face found (ids are permuted: they say nothing of the order faces were found in)
FIRST_FACE = "(SELECT f.id FROM faces f WHERE f.sighting_id = s.id ORDER BY f.created_at, f.id LIMIT 1)"

# the cases whose photos a new case photo is compared with for one picture (``same_photos``): open (verified or
# waiting) and ended with their photos kept (a reunited child's photo registered again by someone else is one
# more reason to ask), never rejected (found false) nor expired (blanked)
KEPT = ("open", "reunited", "closed")
# a flag's other case counts while it is open, or, for one picture in both (``photo_id``), while its photos are kept
OTHER_COUNTS = "(o.status = 'open' OR (d.photo_id IS NOT NULL AND o.status IN ('reunited', 'closed')))"


def on_poster(case: str, flag: str = "d") -> str:
    """Flag ``flag``'s photo of case ``case`` (one picture in both) is the photo of its public poster: the case
    verified (its poster public while it is open, and was until it ended) and the photo its poster's."""
    photo = f"CASE WHEN {case}.id = {flag}.case_id THEN {flag}.photo_id ELSE {flag}.other_photo_id END"
    return f"({case}.verified_at IS NOT NULL AND {photo} = {poster_photo(case)})"


# each open flag of the open cases ``:ids`` whose other case counts, seen from case ``x`` (``domain.doubles``)
DOUBLES = (
    "SELECT d.id AS flag_id, x.id AS case_id, o.id AS other_case_id, x.verified_at IS NOT NULL AS verified, "
    "o.verified_at IS NOT NULL AS other_verified, EXISTS (SELECT 1 FROM case_owners w WHERE w.case_id = x.id) "
    "AS owned, EXISTS (SELECT 1 FROM case_owners w JOIN case_owners v ON v.account_id = w.account_id "
    "WHERE w.case_id = x.id AND v.case_id = o.id) AS same_owner, (o.created_at, o.id) < (x.created_at, x.id) "
    f"AS other_first, d.photo_id IS NOT NULL AS same_photo, {on_poster('o')} AS other_on_poster, d.partner_only "
    "FROM case_duplicates d JOIN cases x ON x.id IN (d.case_id, d.other_case_id) "
    "JOIN cases o ON o.id IN (d.case_id, d.other_case_id) AND o.id <> x.id "
    f"WHERE d.status = 'open' AND x.id = ANY(:ids) AND x.status = 'open' AND {OTHER_COUNTS} "
    "ORDER BY x.id, d.impostor_share, d.id")


def verified_open(case: str) -> str:
    """Case ``case`` is verified and open: searched, ranked and counted among the open cases."""
    return f"{case}.status = 'open' AND {case}.verified_at IS NOT NULL"


# a candidate ``c`` (of case ``k``, sighting ``s``) ranked when it is read, among the cases verified and open
# then (probe s20 T4: ranks stored at match time would still count a case rejected, closed or held again since):
# one more than the other cases of such candidates of its sighting, whatever face each was matched by (probe s28
# B2: counted by face, two cases matched by two faces were both "1st"), that matching found proposable and ranked
# before it (``matching.ranked``: one ranking of the whole sighting; both ranks are of one matching of it: the
# exact totals' ``rank``, the grid cells' ``coarse_rank``; ranks stored equal, by two matchings of old, are told
# apart by the exact score, then by id), so a case ranked above it is a candidate shown beside it; ``rank_of``
# the open cases a sighting is searched against now (``open_cases_count``). A candidate of a case not verified
# and open now has none: it is that case's history, not a lead among the open cases; nor has one of a face that
# no longer stands for the report (``off_face``: the child's is marked), nor does such a one rank above any
RANKS_NOW_JOIN = (
    "LEFT JOIN LATERAL (SELECT count(DISTINCT o.case_id) FILTER (WHERE (o.rank, -o.score, o.id) "
    "< (c.rank, -c.score, c.id)) AS above, "
    "count(DISTINCT o.case_id) FILTER (WHERE (o.coarse_rank, o.id) < (c.coarse_rank, c.id)) AS above_cells "
    "FROM candidates o JOIN cases ko ON ko.id = o.case_id WHERE o.sighting_id = c.sighting_id "
    f"AND o.case_id <> c.case_id AND o.proposable AND NOT {off_face('o')} AND {verified_open('ko')}) "
    "ranked ON true")
RANKED_NOW = f"{verified_open('k')} AND NOT {off_face()}"
RANKS_NOW = (
    f"CASE WHEN {RANKED_NOW} AND c.rank IS NOT NULL THEN 1 + ranked.above END AS rank, "
    f"CASE WHEN {RANKED_NOW} AND c.coarse_rank IS NOT NULL THEN 1 + ranked.above_cells END AS coarse_rank, "
    f"CASE WHEN {RANKED_NOW} AND c.rank IS NOT NULL THEN GREATEST(1 + ranked.above, 1 + ranked.above_cells, "
    f"(SELECT count(*) FROM cases x WHERE {verified_open('x')} AND x.missing_since <= {LATEST_SEEN})) END AS rank_of, "
    f"{ruled_out()} AS ruled_out")


class ShortlistSql:
    conn: Connection

    def open_cases_count(self, seen_at: datetime) -> int:
        return int(self.conn.execute(text(
            f"SELECT count(*) FROM cases x WHERE {verified_open('x')} AND x.missing_since <= :at"),
            {"at": seen_at}).scalar_one())

    def withdraw_proposals(self, sighting_id: int, keep: Sequence[tuple[int, int]]) -> int:
        kept = [f"{c}:{f}" for c, f in keep]
        return int(self.conn.execute(text(
            f"DELETE FROM candidates WHERE sighting_id = :s AND {UNTOUCHED} "
            "AND NOT (case_id::text || ':' || sighting_face_id::text = ANY(:keep))"),
            {"s": sighting_id, "keep": kept}).rowcount)

    def follow_child_face(self, sighting_id: int, face_id: int) -> int:
        at = {"s": sighting_id, "f": face_id}
        # the others of its photo (ruled out: someone else's), proposed: nobody decided on them
        undecided = ("c.sighting_id = :s AND c.status = 'proposed' AND c.sighting_face_id IN (SELECT g.id FROM faces g "
                     "JOIN faces m ON m.photo_id = g.photo_id WHERE m.id = :f AND g.id <> :f)")
        # of every other face, the machine's proposals nobody touched (no longer matched); of the others of its photo,
        # those no family wrote on too, in a reviewer's hands or half confirmed (the face they compare is not the
        # child's)
        withdrawn = int(self.conn.execute(text(
            f"DELETE FROM candidates c WHERE c.sighting_id = :s AND c.sighting_face_id <> :f AND (({UNTOUCHED}) OR "
            f"({undecided} AND c.proposed_by = 'machine' AND c.family_answer IS NULL))"), at).rowcount)
        # the family's word was on the report: it follows the child's face, as its case's candidate there (scored
        # again by the matching the mark enqueues); a reviewer's half confirmation was of the other face
        self.conn.execute(text(
            "UPDATE candidates c SET sighting_face_id = :f, first_confirmed_by = NULL, first_confirmed_at = NULL, "
            "claimed_by = NULL, claim_expires_at = NULL WHERE c.id IN (SELECT DISTINCT ON (c.case_id) c.id "
            f"FROM candidates c WHERE {undecided} ORDER BY c.case_id, c.id) AND NOT EXISTS (SELECT 1 FROM candidates o "
            "WHERE o.case_id = c.case_id AND o.sighting_face_id = :f)"), at)
        # or joins its case's candidate there, with every word it sent, its latest the candidate's own
        self.conn.execute(text(
            "UPDATE family_words w SET candidate_id = o.id FROM candidates c JOIN candidates o "
            f"ON o.case_id = c.case_id AND o.sighting_face_id = :f WHERE w.candidate_id = c.id AND {undecided}"), at)
        self.conn.execute(text(
            "UPDATE candidates o SET family_answer = w.answer, family_note = w.note, family_answered_at = w.at "
            "FROM (SELECT DISTINCT ON (w.candidate_id) w.candidate_id, w.answer, w.note, w.at FROM family_words w "
            "JOIN candidates t ON t.id = w.candidate_id WHERE t.sighting_id = :s AND t.sighting_face_id = :f "
            "ORDER BY w.candidate_id, w.at DESC, w.id DESC) w "
            "WHERE o.id = w.candidate_id AND o.family_answered_at IS DISTINCT FROM w.at"), at)
        return withdrawn + int(self.conn.execute(text(f"DELETE FROM candidates c WHERE {undecided}"), at).rowcount)

    def confirmed_faces(self, sighting_id: int) -> list[tuple[int, int, int]]:
        return [(int(r.id), int(r.case_id), int(r.sighting_face_id)) for r in self.conn.execute(text(
            "SELECT id, case_id, sighting_face_id FROM candidates WHERE sighting_id = :s AND status = 'confirmed' "
            "ORDER BY case_id, id"), {"s": sighting_id})]

    def withdraw_case_proposals(self, case_id: int) -> int:
        return int(self.conn.execute(text(f"DELETE FROM candidates WHERE case_id = :c AND {UNTOUCHED}"),
                                     {"c": case_id}).rowcount)

    def doubles(self, case_ids: Sequence[int]) -> list[Double]:
        return [Double(**row) for row in self.conn.execute(text(DOUBLES), {"ids": list(case_ids)}).mappings()]

    def trim_proposals(self, case_ids: Sequence[int], keep: int) -> int:
        return int(self.conn.execute(text(
            "DELETE FROM candidates WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY case_id "
            f"ORDER BY score DESC, id) AS place FROM candidates WHERE case_id = ANY(:c) AND {UNTOUCHED}) ranked "
            "WHERE place > :keep)"),
            {"c": list(case_ids), "keep": keep}).rowcount)

    def group_of(self, sighting_id: int) -> int | None:
        value = self.conn.execute(text("SELECT group_id FROM sightings WHERE id = :s"), {"s": sighting_id}).scalar()
        return None if value is None else int(value)

    def groupable_face(self, sighting_id: int) -> int | None:
        value = self.conn.execute(text(
            f"SELECT {CHILD_FACE} FROM sightings s WHERE s.id = :s AND s.status = 'approved'"),
            {"s": sighting_id}).scalar()
        return None if value is None else int(value)

    def near_child_faces(self, embedding: Sequence[float], seen_after: datetime, limit: int) -> list[SightingHitRow]:
        ann_scan(self.conn)
        rows = self.conn.execute(text(
            "WITH near AS MATERIALIZED (SELECT f.sighting_id, f.id, f.photo_id, f.embedding, f.hubness, "
            "f.embedding <=> CAST(:q AS vector) AS distance FROM faces f JOIN sightings s ON s.id = f.sighting_id "
            f"WHERE s.status = 'approved' AND s.seen_at >= :after AND f.id = {CHILD_FACE} "
            "ORDER BY f.embedding <=> CAST(:q AS vector) LIMIT :limit) "
            "SELECT sighting_id, id, photo_id, embedding, hubness FROM near ORDER BY distance, id"
        ).columns(column("sighting_id"), column("id"), column("photo_id"),
                  column("embedding", Vector(EMBEDDING_DIM)), column("hubness")),
            {"q": vector_literal(embedding), "after": seen_after, "limit": limit}).all()
        return [SightingHitRow(r.sighting_id, r.id, r.photo_id, [float(v) for v in r.embedding], r.hubness)
                for r in rows]

    def grouped_sightings(self) -> dict[int, int]:
        return {int(r.id): int(r.group_id) for r in self.conn.execute(text(
            "SELECT id, group_id FROM sightings WHERE group_id IS NOT NULL ORDER BY id FOR UPDATE"))}

    def approved_in_time_order(self) -> list[int]:
        return [int(i) for i in self.conn.execute(text(
            "SELECT id FROM sightings WHERE status = 'approved' ORDER BY seen_at, id")).scalars()]

    def ungroup_all(self) -> None:
        self.conn.execute(text("UPDATE sightings SET group_id = NULL WHERE group_id IS NOT NULL"))

    def relabel_group(self, group_id: int, as_group_id: int) -> None:
        self.conn.execute(text("UPDATE sightings SET group_id = :to WHERE group_id = :g"),
                          {"to": as_group_id, "g": group_id})

    def drop_empty_groups(self) -> int:
        return int(self.conn.execute(text(
            "DELETE FROM sighting_groups g WHERE NOT EXISTS (SELECT 1 FROM sightings s WHERE s.group_id = g.id)"
        )).rowcount)

    def same_pictures_as(self, sighting_id: int) -> int | None:
        # every picture of each in the other (perceptual hashes within a few bits), neither with a child's face
        value = self.conn.execute(text(
            "WITH mine AS (SELECT phash FROM photos WHERE sighting_id = :s) "
            "SELECT o.id FROM sightings o JOIN sightings me ON me.id = :s WHERE o.id <> me.id "
            "AND o.status = 'approved' AND me.status = 'approved' "
            "AND me.child_face_id IS NULL AND o.child_face_id IS NULL AND o.id IN (SELECT q.sighting_id FROM photos q "
            "JOIN mine m ON q.phash IS NOT NULL AND m.phash IS NOT NULL "
            "AND bit_count((q.phash # m.phash)::bit(64)) <= :bits) "
            "AND NOT EXISTS (SELECT 1 FROM mine m WHERE m.phash IS NULL OR NOT EXISTS (SELECT 1 FROM photos q "
            "WHERE q.sighting_id = o.id AND q.phash IS NOT NULL AND bit_count((q.phash # m.phash)::bit(64)) <= :bits)) "
            "AND NOT EXISTS (SELECT 1 FROM photos q WHERE q.sighting_id = o.id AND (q.phash IS NULL OR NOT EXISTS ("
            "SELECT 1 FROM mine m WHERE m.phash IS NOT NULL AND bit_count((q.phash # m.phash)::bit(64)) <= :bits))) "
            "ORDER BY o.seen_at, o.id LIMIT 1"),
            {"s": sighting_id, "bits": REPOST_BITS}).scalar()
        return None if value is None else int(value)

    def leave_group(self, sighting_id: int) -> None:
        self.conn.execute(text("UPDATE sightings SET group_id = NULL WHERE id = :s"), {"s": sighting_id})

    def join_group(self, sighting_id: int, other_sighting_id: int) -> int:
        group = self.group_of(other_sighting_id)
        if group is None:
            group = int(self.conn.execute(text("INSERT INTO sighting_groups DEFAULT VALUES RETURNING id")).scalar_one())
            self.conn.execute(text("UPDATE sightings SET group_id = :g WHERE id = :s"),
                              {"g": group, "s": other_sighting_id})
        self.conn.execute(text("UPDATE sightings SET group_id = :g WHERE id = :s"), {"g": group, "s": sighting_id})
        return group

    def group_members(self, group_id: int) -> list[int]:
        return [int(i) for i in self.conn.execute(text(
            "SELECT id FROM sightings WHERE group_id = :g AND status = 'approved' ORDER BY id"),
            {"g": group_id}).scalars()]

    def candidate_pairs(self, sighting_id: int) -> list[tuple[int, int]]:
        return [(int(r.case_id), int(r.sighting_face_id)) for r in self.conn.execute(text(
            "SELECT case_id, sighting_face_id FROM candidates WHERE sighting_id = :s ORDER BY id"),
            {"s": sighting_id})]

    def held_pairs(self, sighting_id: int) -> list[tuple[int, int]]:
        return [(int(r.case_id), int(r.sighting_face_id)) for r in self.conn.execute(text(
            f"SELECT case_id, sighting_face_id FROM candidates WHERE sighting_id = :s AND NOT ({UNTOUCHED}) "
            "ORDER BY id"), {"s": sighting_id})]

    def group_child_faces(self, group_id: int) -> list[tuple[int, int, Sequence[float], float, int | None]]:
        rows = self.conn.execute(text(
            "SELECT s.id AS sighting_id, f.id, f.embedding, f.hubness, p.phash FROM sightings s JOIN faces f "
            f"ON f.id = {CHILD_FACE} LEFT JOIN photos p ON p.id = f.photo_id "
            "WHERE s.group_id = :g AND s.status = 'approved' ORDER BY s.seen_at, s.id"
        ).columns(column("sighting_id"), column("id"), column("embedding", Vector(EMBEDDING_DIM)), column("hubness"),
                  column("phash")), {"g": group_id})
        return [(r.sighting_id, r.id, [float(v) for v in r.embedding], r.hubness,
                 None if r.phash is None else int(r.phash)) for r in rows]

    def flag_duplicate(self, case_id: int, other_case_id: int, impostor_share: float,
                       same: SamePhoto | None = None) -> bool:
        low, high = sorted((case_id, other_case_id))
        photos = {"pa": None, "pb": None} if same is None else dict(zip(
            ("pa", "pb"), (same.photo_id, same.other_photo_id) if same.case_id == low
            else (same.other_photo_id, same.photo_id), strict=True))
        # one picture found in a pair flagged otherwise: the flag says so from now on, and a dismissal made
        # without knowing it (different children, whose photos are one picture) is undone: it waits again. A pair
        # only a partner's link flagged is found by the check itself: a flag like any other from now on
        new_photo = "EXCLUDED.photo_id IS NOT NULL AND case_duplicates.photo_id IS NULL"
        return bool(self.conn.execute(text(
            "INSERT INTO case_duplicates (case_id, other_case_id, impostor_share, photo_id, other_photo_id) "
            "VALUES (:a, :b, :s, :pa, :pb) ON CONFLICT (case_id, other_case_id) DO UPDATE SET "
            "photo_id = COALESCE(case_duplicates.photo_id, EXCLUDED.photo_id), "
            "other_photo_id = COALESCE(case_duplicates.other_photo_id, EXCLUDED.other_photo_id), "
            "impostor_share = LEAST(case_duplicates.impostor_share, EXCLUDED.impostor_share), partner_only = false, "
            f"status = CASE WHEN case_duplicates.status = 'dismissed' AND {new_photo} THEN 'open' "
            f"ELSE case_duplicates.status END WHERE ({new_photo}) OR case_duplicates.partner_only"),
            {"a": low, "b": high, "s": impostor_share, **photos}).rowcount)

    def flag_linked(self, case_id: int, other_case_id: int, impostor_share: float, by: str, note: str) -> bool:
        low, high = sorted((case_id, other_case_id))
        # a flag raised already, still open, says who linked it too; a moderator's decision stands
        return bool(self.conn.execute(text(
            "INSERT INTO case_duplicates (case_id, other_case_id, impostor_share, linked_by, linked_note, "
            "partner_only) VALUES (:a, :b, :s, :by, :note, true) ON CONFLICT (case_id, other_case_id) DO UPDATE SET "
            "linked_by = EXCLUDED.linked_by, linked_note = EXCLUDED.linked_note "
            "WHERE case_duplicates.status = 'open' AND case_duplicates.linked_by IS NULL"),
            {"a": low, "b": high, "s": impostor_share, "by": by, "note": note}).rowcount)

    def same_photos(self, case_id: int, similarity: float, bits: int, near: int,
                    faces: float = 1.0, chip: float = 1.0, statuses: Sequence[str] = KEPT) -> list[SamePhoto]:
        ann_scan(self.conn)
        kept = {"c": case_id, "kept": list(statuses)}
        by_face = self.conn.execute(text(
            "WITH mine AS MATERIALIZED (SELECT f.photo_id, f.embedding, f.chip FROM faces f JOIN photos p "
            f"ON p.id = f.photo_id WHERE f.case_id = :c AND {child_face()}) "  # the child's faces only
            "SELECT m.photo_id, m.chip, n.case_id AS other_case_id, n.photo_id AS other_photo_id, n.distance, "
            "n.chip AS other_chip FROM mine m CROSS JOIN LATERAL (SELECT g.case_id, g.photo_id, g.chip, "
            "g.embedding <=> m.embedding AS distance FROM faces g JOIN cases k ON k.id = g.case_id "
            "JOIN photos gp ON gp.id = g.photo_id WHERE g.case_id IS NOT NULL AND g.case_id <> :c "
            f"AND {child_face('g', 'gp')} AND k.status = ANY(:kept) "
            "ORDER BY g.embedding <=> m.embedding LIMIT :near) n WHERE 1 - n.distance >= :faces"),
            {**kept, "near": near, "faces": min(faces, similarity)}).all()
        by_hash = self.conn.execute(text(
            "SELECT m.id AS photo_id, q.case_id AS other_case_id, q.id AS other_photo_id, "
            "bit_count((q.phash # m.phash)::bit(64))::float AS apart FROM photos m JOIN photos q "
            "ON q.case_id IS NOT NULL AND q.case_id <> :c AND q.phash IS NOT NULL "
            "AND bit_count((q.phash # m.phash)::bit(64)) <= :bits JOIN cases k ON k.id = q.case_id "
            "WHERE m.case_id = :c AND m.phash IS NOT NULL AND k.status = ANY(:kept)"), {**kept, "bits": bits}).all()
        found: list[tuple[int, int, float, int, int]] = []  # other case, how (face, chip, hash), apart, photos
        for r in by_face:
            if 1 - r.distance >= similarity:
                found.append((int(r.other_case_id), 0, float(r.distance), int(r.other_photo_id), int(r.photo_id)))
            elif r.chip is not None and r.other_chip is not None:
                alike = chip_correlation(bytes(r.chip), bytes(r.other_chip))
                if alike is not None and alike >= chip:
                    found.append((int(r.other_case_id), 1, 1 - alike, int(r.other_photo_id), int(r.photo_id)))
        found += [(int(r.other_case_id), 2, float(r.apart), int(r.other_photo_id), int(r.photo_id)) for r in by_hash]
        best: dict[int, tuple[int, int, float, int, int]] = {}
        for row in sorted(found):
            best.setdefault(row[0], row)
        return [SamePhoto(case_id, row[4], other, row[3]) for other, row in sorted(best.items())]

    def born_near(self, case_id: int, days: int) -> list[tuple[int, str, str]]:
        return [(int(r.id), str(r.family_name), str(r.given_name)) for r in self.conn.execute(text(
            "SELECT k.id, k.family_name, k.given_name FROM cases c "
            "JOIN cases k ON k.birth_date BETWEEN c.birth_date - :days AND c.birth_date + :days "
            "WHERE c.id = :id AND (k.id = c.id OR k.status = 'open') "
            "ORDER BY k.id <> c.id, k.verified_at IS NULL, abs(k.birth_date - c.birth_date), k.created_at, k.id"),
            {"id": case_id, "days": days})]

    def duplicate_flag(self, case_id: int, other_case_id: int) -> tuple[int, str] | None:
        low, high = sorted((case_id, other_case_id))
        row = self.conn.execute(text(
            "SELECT id, status FROM case_duplicates WHERE case_id = :a AND other_case_id = :b"),
            {"a": low, "b": high}).one_or_none()
        return None if row is None else (int(row.id), str(row.status))

    def decide_duplicate(self, flag_id: int, status: str, was: Sequence[str], actor: str,
                         at: datetime) -> tuple[int, int] | None:
        row = self.conn.execute(text(
            "UPDATE case_duplicates SET status = :st, decided_by = :by, decided_at = :at "
            "WHERE id = :id AND status = ANY(:was) RETURNING case_id, other_case_id"),
            {"st": status, "by": actor, "at": at, "id": flag_id, "was": list(was)}).one_or_none()
        if row is None:
            now = self.conn.execute(text("SELECT status FROM case_duplicates WHERE id = :id"),
                                    {"id": flag_id}).scalar_one_or_none()
            if now is None:
                raise NotFound("duplicate flag {id} does not exist", id=flag_id)
            if now == status and status != "open":  # the same decision again: it stands
                return None
            if now == "open":
                raise Conflict("duplicate flag {id} is open: link or dismiss it, there is nothing to reopen",
                               id=flag_id)
            if now == "linked":
                raise Conflict("duplicate flag {id} was already linked as one child: reopen it first to decide again",
                               id=flag_id)
            raise Conflict("duplicate flag {id} was already dismissed as different children: reopen it first to decide again", id=flag_id)  # noqa: E501
        a, b = int(row.case_id), int(row.other_case_id)
        if status == "linked":  # as PFIF's linked_person_record_id: each case points at the other
            self.conn.execute(text("UPDATE cases SET linked_case_id = CASE id WHEN :a THEN :b ELSE :a END "
                                   "WHERE id IN (:a, :b)"), {"a": a, "b": b})
        else:
            self.conn.execute(text("UPDATE cases SET linked_case_id = NULL WHERE (id = :a AND linked_case_id = :b) "
                                   "OR (id = :b AND linked_case_id = :a)"), {"a": a, "b": b})
        return a, b


class ShortlistReads:
    def _all(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        raise NotImplementedError

    def group_trail(self, group_id: int, statuses: Sequence[str]) -> list[dict[str, Any]]:
        """The group's sightings, oldest first: when and where (coarse place text) each was seen."""
        return self._all(
            "SELECT s.id, s.seen_at, s.seen_at_offset, s.seen_at_basis, s.seen_at_zone, s.lat, s.lon, s.place_text, "
            f"s.status, s.child_face_id, {found('s')} AS found, "
            # the earlier report of the trail whose photo this one only sends again (probe s28 B5)
            f"{copy_of('s', ':st')} AS copy_of, "
            "(SELECT count(*) FROM faces f WHERE f.sighting_id = s.id) AS face_count, "
            f"{FIRST_FACE} AS first_face_id "
            "FROM sightings s WHERE s.group_id = :g AND s.status = ANY(:st) ORDER BY s.seen_at, s.id",
            g=group_id, st=list(statuses))

    def doubles(self, case_ids: Sequence[int]) -> list[Double]:
        return [Double(**row) for row in self._all(DOUBLES, ids=list(case_ids))]

    def duplicates(self, status: str = "open") -> list[dict[str, Any]]:
        return self._all(
            "SELECT d.id, d.case_id, d.other_case_id, d.impostor_share, d.status, d.created_at, "
            "a.given_name AS case_name, b.given_name AS other_name, a.family_name AS case_family_name, "
            "b.family_name AS other_family_name, abs(a.birth_date - b.birth_date) AS births_apart_days, "
            f"(SELECT f.id FROM faces f JOIN photos p ON p.id = f.photo_id WHERE f.case_id = a.id AND {child_face()} "
            "ORDER BY f.created_at, f.id LIMIT 1) AS case_face_id, "
            f"(SELECT f.id FROM faces f JOIN photos p ON p.id = f.photo_id WHERE f.case_id = b.id AND {child_face()} "
            "ORDER BY f.created_at, f.id LIMIT 1) "
            "AS other_face_id, d.photo_id IS NOT NULL AS same_photo, "
            f"{on_poster('a')} AS case_on_poster, {on_poster('b')} AS other_on_poster, d.linked_note, d.partner_only, "
            "COALESCE((SELECT t.name FROM api_tokens t WHERE 'token:' || t.id = d.linked_by), d.linked_by) "
            "AS linked_by "
            "FROM case_duplicates d JOIN cases a ON a.id = d.case_id JOIN cases b ON b.id = d.other_case_id "
            "WHERE d.status = :st AND ((a.status = ANY(:live) AND b.status = ANY(:live)) OR (d.photo_id IS NOT NULL "
            "AND ((a.status = 'open' AND b.status = ANY(:kept)) OR (b.status = 'open' AND a.status = ANY(:kept))))) "
            "ORDER BY d.impostor_share, d.id", st=status, live=list(ACTIVE_CASE_STATUSES), kept=list(KEPT))
