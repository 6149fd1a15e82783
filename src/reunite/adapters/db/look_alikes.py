"""The other accounts' open cases whose faces are nearest the faces of cases being verified
(``ReadModel.look_alike_faces``): one statement for every case a page shows (the moderators' queue, a case's
Verify form), each face searched in the case faces' HNSW index by a lateral join, whatever the birth dates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, text

from reunite.adapters.db.ann import ann_scan
from reunite.adapters.db.case_faces import child_face, poster_photo
from reunite.domain.times import with_offset

# candidates kept while searching: look-alikes are a hint for a person, the few nearest faces of each face
# (a child's other registration is among the very nearest), so far fewer than matching keeps (``ann.EF_SEARCH``)
EF_LOOK_ALIKES = 200

# who registered a case, as a verifier may read it (never who they are, nor their contact): a family's account
# (it owns the case), a partner registry's import, a partner's API token, else staff (police, a moderator)
REGISTERED_BY = (
    "CASE WHEN EXISTS (SELECT 1 FROM case_owners o WHERE o.case_id = k.id) THEN 'family' "
    "WHEN k.record_id IS NOT NULL THEN 'import' "
    "WHEN (SELECT a.actor FROM audit_log a WHERE a.subject = 'case' AND a.subject_id = k.id "
    "AND a.action = 'case.registered' ORDER BY a.at, a.id LIMIT 1) LIKE 'token:%' THEN 'partner' "
    "ELSE 'staff' END")

MINE_SQL = ("WITH mine AS MATERIALIZED (SELECT f.id, f.case_id, f.embedding, f.hubness, p.taken_on, c.birth_date "
            "FROM faces f JOIN photos p ON p.id = f.photo_id JOIN cases c ON c.id = f.case_id "
            f"WHERE f.case_id = ANY(:ids) AND c.birth_date IS NOT NULL AND {child_face()}), ")
# the faces of photos held for a moderator (added to a verified case: services/added_check.py), read as a
# registration's are: every face of the photo, unless one was chosen as the child's
HELD_FACE = "p.id = ANY(:photos) AND p.held_since IS NOT NULL AND (p.child_face_id IS NULL OR p.child_face_id = f.id)"
HELD_SQL = ("WITH mine AS MATERIALIZED (SELECT f.id, f.case_id, f.embedding, f.hubness, p.taken_on, c.birth_date "
            "FROM faces f JOIN photos p ON p.id = f.photo_id JOIN cases c ON c.id = f.case_id "
            f"WHERE f.case_id = ANY(:ids) AND c.birth_date IS NOT NULL AND {HELD_FACE}), ")
# each held face against each face standing for its own case's child (as verified)
OWN_SQL = ("SELECT f.id AS face_id, f.photo_id, p.taken_on, f.hubness, c.birth_date, o.id AS own_face_id, "
           "op.taken_on AS own_taken_on, o.hubness AS own_hubness, 1 - (f.embedding <=> o.embedding) AS similarity "
           "FROM faces f JOIN photos p ON p.id = f.photo_id JOIN cases c ON c.id = f.case_id "
           "JOIN faces o ON o.case_id = f.case_id JOIN photos op ON op.id = o.photo_id "
           f"WHERE f.case_id = :case AND {HELD_FACE} AND {child_face('o', 'op')} ORDER BY f.id, o.id")
HELD_PHOTOS_SQL = ("SELECT p.id, p.processed_at IS NOT NULL AND p.failed_reason IS NULL AS read, "
                   "(SELECT count(*) FROM faces f WHERE f.photo_id = p.id AND (p.child_face_id IS NULL "
                   "OR p.child_face_id = f.id)) AS faces, ARRAY(SELECT f.id FROM faces f WHERE f.photo_id = p.id) "
                   "AS face_ids FROM photos p WHERE p.case_id = :case AND p.id = ANY(:photos) ORDER BY p.id")

LOOK_ALIKE_SQL = (
    # each face's nearest faces of other cases open (verified or waiting) or ended (closed, reunited: the same child
    # registered again after its case ended, probe s43 E6), no account owning both
    "near AS MATERIALIZED (SELECT m.case_id, m.id AS face_id, m.birth_date, m.taken_on, m.hubness, "
    "n.case_id AS other_case_id, n.id AS other_face_id, n.photo_id AS other_photo_id, "
    "n.hubness AS other_hubness, 1 - n.distance AS similarity FROM mine m CROSS JOIN LATERAL ("
    "SELECT g.id, g.case_id, g.photo_id, g.hubness, g.embedding <=> m.embedding AS distance "
    "FROM faces g JOIN cases k ON k.id = g.case_id JOIN photos gp ON gp.id = g.photo_id "
    "WHERE g.case_id IS NOT NULL AND g.case_id <> m.case_id AND k.status IN ('open', 'closed', 'reunited') "
    "AND k.birth_date IS NOT NULL "
    f"AND {child_face('g', 'gp')} "
    "AND NOT EXISTS (SELECT 1 FROM case_owners w JOIN case_owners v ON v.account_id = w.account_id "
    "WHERE w.case_id = m.case_id AND v.case_id = g.case_id) "
    "ORDER BY g.embedding <=> m.embedding LIMIT :per_face) n), "
    # what a verifier reads of each other case found, once per case
    "others AS MATERIALIZED (SELECT k.id, k.status, k.birth_date, k.verified_at IS NOT NULL AS verified, "
    "k.missing_since, "
    "k.missing_since_offset, k.missing_since_precision, k.last_seen_text, k.last_seen_lat, k.last_seen_lon, "
    f"{REGISTERED_BY} AS registered_by, {poster_photo('k')} AS poster_photo_id "
    "FROM cases k WHERE k.id IN (SELECT other_case_id FROM near)) "
    "SELECT n.case_id, n.face_id, n.birth_date, n.taken_on, n.hubness, n.other_case_id, n.other_face_id, "
    "n.other_hubness, n.similarity, q.taken_on AS other_taken_on, o.birth_date AS other_birth_date, "
    "o.verified AS other_verified, o.status AS other_status, o.missing_since, o.missing_since_offset, "
    "o.missing_since_precision, "
    "o.last_seen_text, o.last_seen_lat, o.last_seen_lon, o.registered_by, d.id AS flag_id, d.status AS flag_status, "
    "d.photo_id IS NOT NULL AS flag_same_photo, o.verified AND n.other_photo_id = o.poster_photo_id AS on_poster "
    "FROM near n JOIN others o ON o.id = n.other_case_id JOIN photos q ON q.id = n.other_photo_id "
    "LEFT JOIN case_duplicates d ON d.case_id = LEAST(n.case_id, n.other_case_id) "
    "AND d.other_case_id = GREATEST(n.case_id, n.other_case_id) "
    "ORDER BY n.case_id, n.similarity DESC, n.other_face_id")
HELD_LOOK_ALIKE_SQL = HELD_SQL + LOOK_ALIKE_SQL
LOOK_ALIKE_SQL = MINE_SQL + LOOK_ALIKE_SQL


class LookAlikeReads:
    engine: Engine

    def look_alike_faces(self, case_ids: Sequence[int], per_face: int) -> list[dict[str, Any]]:
        if not case_ids:
            return []
        with self.engine.begin() as conn:  # the scan's settings last this transaction
            ann_scan(conn, EF_LOOK_ALIKES)
            rows = [dict(r._mapping) for r in conn.execute(text(LOOK_ALIKE_SQL),
                                                          {"ids": list(case_ids), "per_face": per_face})]
        return _as_given(rows)

    def held_photo_reads(self, case_id: int, photo_ids: Sequence[int], per_face: int) -> dict[str, Any]:
        if not photo_ids:
            return {"photos": [], "own": [], "others": []}
        said = {"case": case_id, "ids": [case_id], "photos": list(photo_ids), "per_face": per_face}
        with self.engine.begin() as conn:
            ann_scan(conn, EF_LOOK_ALIKES)
            others = [dict(r._mapping) for r in conn.execute(text(HELD_LOOK_ALIKE_SQL), said)]
            own = [dict(r._mapping) for r in conn.execute(text(OWN_SQL), said)]
            shown = [dict(r._mapping) for r in conn.execute(text(HELD_PHOTOS_SQL), said)]
        return {"photos": shown, "own": own, "others": _as_given(others)}


def _as_given(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:  # as it was given (its offset)
        offset = row.pop("missing_since_offset")
        if row["missing_since"] is not None:
            row["missing_since"] = with_offset(row["missing_since"], offset)
    return rows
