"""The queues moderators work through, and what the moderators' pages read of a case (read side, mixed into
``SqlReadModel``): reports, cases to verify, words to approve, families waiting for an answer, candidates,
removal requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reunite.adapters.db.case_faces import face_ids_sql, sighting_faces_in_order
from reunite.adapters.db.moderation import REPORT_VERSION
from reunite.adapters.db.same_photos import same_photo_as
from reunite.adapters.db.workbench import FROM, ITEM, OPEN

HELD_AGAIN = "s.moderated_by IS NOT NULL"  # a report waiting that a moderator had decided on: approved once
LEAD_WAITS = "k.status = 'open' AND k.verified_at IS NOT NULL"
SHARING = "sharing_review_since IS NOT NULL AND verified_at IS NOT NULL AND status = 'open'"
SAME_RECORD = ("FROM takedowns o WHERE o.status = 'pending' AND o.subject = t.subject "
               "AND o.subject_id = t.subject_id")
FAMILIES_WAITING = (
    "WITH said AS (SELECT m.case_id, m.created_at AS at, 'message' AS kind FROM messages m WHERE m.from_family "
    "UNION ALL SELECT c.case_id, w.at, 'answer_' || w.answer FROM family_words w "
    "JOIN candidates c ON c.id = w.candidate_id WHERE c.status = 'confirmed' "
    "UNION ALL SELECT c.case_id, c.reviewed_at, 'confirmed' FROM candidates c WHERE c.status = 'confirmed' "
    # a check under way whose sighting its reporter withdrew (or was removed, or expired): police and family to tell
    "UNION ALL SELECT v.case_id, v.lead_removed_at, 'check_orphaned' FROM verifications v "
    "WHERE v.lead_removed_at IS NOT NULL AND v.result = 'pending'), "
    "answered AS (SELECT case_id, max(at) AS at FROM (SELECT m.case_id, m.created_at AS at FROM messages m "
    "WHERE NOT m.from_family UNION ALL SELECT v.case_id, v.created_at FROM verifications v) x GROUP BY case_id), "
    "waiting AS (SELECT k.id, k.id AS case_id, k.given_name, k.family_name, min(s.at) AS waiting_since, "
    "array_agg(DISTINCT s.kind ORDER BY s.kind) AS kinds FROM said s JOIN cases k ON k.id = s.case_id "
    "LEFT JOIN answered a ON a.case_id = s.case_id WHERE k.status = 'open' AND k.verified_at IS NOT NULL "
    "AND s.at > coalesce(a.at, '-infinity') GROUP BY k.id)"
)
UNSEARCHED_AFTER = 600  # seconds: a report's photos not searched for faces by then are said to wait (and counted)
QUEUE_SQL = {
    "sightings": (
        "SELECT s.id, s.created_at, s.seen_at, s.seen_at_offset, s.seen_at_basis, s.seen_at_zone, s.camera_clock, "
        "s.place_text, s.place_basis, s.photo_lat, s.photo_lon, s.photo_km, s.description, s.with_whom, "
        "s.apparent_sex, s.child_face_id, s.apparent_age_low, s.apparent_age_high, s.lat, s.lon, s.moderation_reason, "
        "s.day_zone, "
        "(SELECT count(*) FROM faces f WHERE f.sighting_id = s.id) AS face_count, "
        f"ARRAY(SELECT f.id FROM {sighting_faces_in_order('f', 's.id')}) AS face_ids, "
        "(SELECT count(*) FROM photos p WHERE p.sighting_id = s.id AND p.processed_at IS NULL) AS pending_photos, "
        # waiting past UNSEARCHED_AFTER: not a search under way but one that failed (a store or engine down, a job
        # given up), said apart so that no moderator takes it for a report without matches (probe s37 K4)
        "(SELECT count(*) FROM photos p WHERE p.sighting_id = s.id AND p.processed_at IS NULL "
        f"AND p.created_at < now() - make_interval(secs => {UNSEARCHED_AFTER})) AS stalled_photos, "
        "ARRAY(SELECT p.id FROM photos p WHERE p.sighting_id = s.id ORDER BY p.created_at, p.id) AS photo_ids, "
        f"{REPORT_VERSION} AS version, "
        # other reports waiting or approved that hold one of its pictures: the same photo sent again (probe s28 B5)
        f"{same_photo_as('s')} AS same_photo_as, "
        # the leads confirmed on it whose families wait on it (their cases verified and open), told to moderators
        "(SELECT count(*) FROM candidates c JOIN cases k ON k.id = c.case_id WHERE c.sighting_id = s.id "
        f"AND c.status = 'confirmed' AND {LEAD_WAITS}) AS confirmed_leads "
        # held again (approved once, its reporter added to it) first, by how long each has waited since, whatever its
        # leads: a lead's report coming back sooner would tell its reporter it was confirmed (probe s36 K3)
        f"FROM sightings s WHERE s.status = 'pending' ORDER BY {HELD_AGAIN} DESC, "
        f"CASE WHEN {HELD_AGAIN} THEN s.moderated_at ELSE s.created_at END, s.created_at, s.id LIMIT :limit",
        "SELECT count(*) FROM sightings WHERE status = 'pending'",
    ),
    "cases": (
        "SELECT id, created_at, given_name, family_name, birth_date, missing_since, missing_since_offset, "
        "missing_since_precision, sex, nicknames, family_contact, "
        "last_seen_text, last_seen_lat, last_seen_lon, police_report, description, shared_description, marks, "
        "shared_marks, "
        "ARRAY(SELECT p.id FROM photos p WHERE p.case_id = cases.id ORDER BY p.created_at, p.id) AS photo_ids, "
        # its photos of several faces, for the verifier to choose the child's (domain.case_faces)
        "(SELECT coalesce(json_agg(json_build_object('id', p.id, 'child_face_id', p.child_face_id, "
        f"'face_ids', {face_ids_sql('p')}) ORDER BY p.created_at, p.id), '[]') FROM photos p "
        "WHERE p.case_id = cases.id AND p.face_count > 1) AS face_photos "
        "FROM cases WHERE verified_at IS NULL AND status = 'open' ORDER BY created_at, id LIMIT :limit",
        "SELECT count(*) FROM cases WHERE verified_at IS NULL AND status = 'open'",
    ),
    # verified cases whose texts a partner's record rewrote: what was approved of them for sharing withdrawn,
    # waiting for a moderator to approve the new words (services/sharing.py); those waiting for verification
    # are in "cases" (verifying approves them too)
    "sharing": (
        "SELECT id, sharing_review_since, given_name, family_name, source, record_id, description, "
        f"shared_description, marks, shared_marks FROM cases WHERE {SHARING} "
        "ORDER BY sharing_review_since, id LIMIT :limit",
        f"SELECT count(*) FROM cases WHERE {SHARING}",
    ),
    # a verified case's identity facts corrected by its registrant, waiting for a moderator beside the values they
    # replace (services/corrections.py, docs/decisions/0007)
    "corrections": (
        "SELECT k.id, k.case_id, k.created_at, k.asked_by, k.was, k.became, c.given_name, c.family_name, "
        # what the verification vouched for (0044), and the photos added with it, held until it is accepted
        "c.verified_facts, k.photo_ids AS held_photo_ids, "
        "ARRAY(SELECT p.id FROM photos p WHERE p.case_id = c.id ORDER BY p.created_at, p.id) AS photo_ids "
        "FROM case_corrections k JOIN cases c ON c.id = k.case_id WHERE k.status = 'waiting' AND c.status = 'open' "
        "ORDER BY k.created_at, k.id LIMIT :limit",
        "SELECT count(*) FROM case_corrections k JOIN cases c ON c.id = k.case_id "
        "WHERE k.status = 'waiting' AND c.status = 'open'",
    ),
    "candidates": (
        "SELECT c.id, c.case_id, c.sighting_id, c.sighting_face_id, c.case_face_id, c.score, c.face_score, "
        "c.created_at, "
        f"k.given_name {FROM} WHERE {OPEN} ORDER BY c.created_at, c.id LIMIT :limit",
        f"SELECT count(DISTINCT {ITEM}) {FROM} WHERE {OPEN}",  # workbench items: one per case and trail
    ),
    # verified, open cases whose family waits for a person (probe s28 B3): a family's message, its word on a
    # confirmed lead ("not my child" above all), or a lead confirmed that nobody has written to it about since, newer
    # than the last a reviewer, police or a caseworker wrote to it or recorded a check; oldest waiting first
    "families": (
        f"{FAMILIES_WAITING} SELECT * FROM waiting ORDER BY waiting_since, case_id LIMIT :limit",
        f"{FAMILIES_WAITING} SELECT count(*) FROM waiting",
    ),
    "takedowns": (
        # what the moderator decides about: the record's photos, its state, (a sighting) the confirmed
        # leads that removing it takes from families, and every request waiting about the same record,
        # listed together (the requester is whatever anyone types: one may contradict another)
        "SELECT t.id, t.created_at, t.subject, t.subject_id, t.requester, t.relation, t.reason, "
        f"(SELECT count(*) {SAME_RECORD}) AS requests_about_it, "
        "ARRAY(SELECT p.id FROM photos p WHERE CASE t.subject WHEN 'sighting' THEN p.sighting_id ELSE p.case_id END "
        "= t.subject_id ORDER BY p.created_at, p.id) AS photo_ids, "
        "CASE t.subject WHEN 'sighting' THEN (SELECT s.status FROM sightings s WHERE s.id = t.subject_id) "
        "ELSE (SELECT k.status FROM cases k WHERE k.id = t.subject_id) END AS subject_status, "
        "(SELECT count(*) FROM candidates c WHERE c.status = 'confirmed' AND t.subject = 'sighting' "
        "AND c.sighting_id = t.subject_id) AS confirmed "
        f"FROM takedowns t WHERE t.status = 'pending' ORDER BY (SELECT min(o.created_at) {SAME_RECORD}), "
        "t.subject, t.subject_id, t.created_at, t.id LIMIT :limit",
        "SELECT count(*) FROM takedowns WHERE status = 'pending'",
    ),
}


MIN_VERIFIED_FOR_MEDIAN = 5  # fewer verified cases say too little about how long it takes


class ModerationReads:
    def _all(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        raise NotImplementedError

    def queue(self, name: str, limit: int = 100) -> list[dict[str, Any]]:
        """A moderation queue, oldest first."""
        return self._all(QUEUE_SQL[name][0], limit=limit)

    def queue_counts(self) -> dict[str, int]:
        return {name: int(self._all(sql[1])[0]["count"]) for name, sql in QUEUE_SQL.items()}

    def items_to_review(self, case_id: int) -> int:
        """The case's share of the candidates queue (``queue_counts``): its workbench items, by the same filter."""
        return int(self._all(f"SELECT count(DISTINCT {ITEM}) AS n {FROM} WHERE {OPEN} AND c.case_id = :id",
                             id=case_id)[0]["n"])

    def messages(self, case_id: int) -> list[dict[str, Any]]:
        return self._all("SELECT id, author, from_family, body, created_at FROM messages WHERE case_id = :id "
                         "ORDER BY created_at, id", id=case_id)

    def verifications(self, case_id: int) -> list[dict[str, Any]]:
        return self._all("SELECT id, candidate_id, method, result, notes, recorded_by, created_at, lead_removed, "
                         "lead_removed_at, superseded_at FROM verifications WHERE case_id = :id "
                         "ORDER BY created_at, id", id=case_id)

    def case_reports(self, case_id: int) -> list[dict[str, Any]]:
        return self._all(
            "SELECT DISTINCT t.id, t.place_text, t.description, t.with_whom, t.lat, t.lon, t.reporter_contact "
            "FROM candidates c JOIN sightings s ON s.id = c.sighting_id JOIN sightings t ON t.id = s.id "
            "OR t.group_id = s.group_id WHERE c.case_id = :id ORDER BY t.id", id=case_id)

    def poster_outcome(self, case_id: int) -> str | None:
        rows = self._all("SELECT status FROM cases WHERE id = :id AND verified_at IS NOT NULL "
                         "AND status IN ('reunited', 'closed')", id=case_id)
        return str(rows[0]["status"]) if rows else None

    def verification_hours(self, since: datetime) -> float | None:
        row = self._all(
            "SELECT count(*) AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM "
            "verified_at - created_at)) / 3600 AS hours FROM cases WHERE verified_at >= :since "
            "AND verified_at >= created_at", since=since)[0]
        return float(row["hours"]) if row["n"] >= MIN_VERIFIED_FOR_MEDIAN else None


