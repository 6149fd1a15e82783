"""SQL for moderation, messages, reunion, takedowns and expiry (mixed into the unit of work), and
the queues moderators work through (read side)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, text, update
from sqlalchemy import case as when

from reunite.adapters.db.case_faces import face_ids_sql, sighting_faces_in_order
from reunite.adapters.db.people_tables import messages, takedowns, verifications
from reunite.adapters.db.same_photos import same_photo_as
from reunite.adapters.db.tables import candidates, cases, faces, family_words, photos, sightings
from reunite.adapters.db.workbench import FROM, ITEM, OPEN
from reunite.domain.access import SHARED_TEXTS
from reunite.domain.errors import InvalidInput, NotFound
from reunite.domain.model import CandidateStatus, PhotoOwner

# What a moderator decides on, as a stamp the page sends back with the decision: the report's status, then
# a digest of its photos, faces and the face marked as the child's, then one of the reporter's words and
# time. A decision from a page showing another stamp is refused (services.moderation: a stale page).
REPORT_VERSION = (
    "s.status || '.' || left(md5(coalesce(s.child_face_id::text, '-') || ':' || array_to_string(ARRAY("
    "SELECT p.id FROM photos p WHERE p.sighting_id = s.id ORDER BY p.id), ',') || ':' || array_to_string(ARRAY("
    "SELECT f.id FROM faces f WHERE f.sighting_id = s.id ORDER BY f.id), ',')), 8) || '.' || "
    "left(md5(s.description || '|' || s.with_whom || '|' || s.place_text || '|' || s.seen_at_basis || '|' || "
    "extract(epoch FROM s.seen_at)::text || '|' || coalesce(s.lat::text || ',' || s.lon::text, '')), 8)")


class ModerationSql:
    conn: Connection

    def report_state(self, sighting_id: int) -> dict[str, Any]:
        row = self.conn.execute(text(
            f"SELECT s.status, s.moderation_reason, {REPORT_VERSION} AS version, EXISTS (SELECT 1 FROM audit_log a "
            "WHERE a.subject = 'sighting' AND a.subject_id = s.id AND a.action = 'sighting.photos_added') "
            "AS added_later "
            "FROM sightings s WHERE s.id = :id FOR UPDATE OF s"), {"id": sighting_id}).mappings().first()
        if row is None:
            raise NotFound("sighting {id} does not exist", id=sighting_id)
        return dict(row)

    def moderate_sighting(self, sighting_id: int, status: str, reason: str, by: str, at: datetime) -> bool:
        moderated = (sightings.c.id == sighting_id, sightings.c.status.in_(["pending", "approved", "rejected"]))
        done = self.conn.execute(
            update(sightings).where(*moderated, ~((sightings.c.status == status)
                                                  & (func.coalesce(sightings.c.moderation_reason, "") == reason)))
            .values(status=status, moderation_reason=reason, moderated_by=by, moderated_at=at)
        ).rowcount
        if done:
            return True
        if self.conn.execute(select(sightings.c.id).where(*moderated)).first() is None:
            raise NotFound("sighting {id} does not exist", id=sighting_id)
        return False  # so already: a form sent twice

    def unprocessed_photos(self, sighting_id: int) -> int:
        return int(self.conn.execute(select(func.count()).select_from(photos).where(
            photos.c.sighting_id == sighting_id, photos.c.processed_at.is_(None))).scalar_one())

    def set_family_summary(self, sighting_id: int, summary: str) -> bool:
        this = sightings.c.id == sighting_id
        other = sightings.c.family_summary != summary
        changed = self.conn.execute(update(sightings).where(this, other).values(family_summary=summary)).rowcount
        if not changed and self.conn.execute(select(sightings.c.id).where(this)).first() is None:
            raise NotFound("sighting {id} does not exist", id=sighting_id)
        return bool(changed)

    def set_shared_texts(self, case_id: int, texts: Mapping[str, str]) -> list[str]:
        this = cases.c.id == case_id
        if self.conn.execute(select(cases.c.id).where(this)).first() is None:
            raise NotFound("case {id} does not exist", id=case_id)
        changed = []
        for name, words in texts.items():
            column = cases.c[SHARED_TEXTS[name]]
            if self.conn.execute(update(cases).where(this, column != words).values({column: words})).rowcount:
                changed.append(name)
        return changed

    def hold_for_sharing(self, case_id: int, names: Sequence[str], ask: bool, at: datetime) -> dict[str, str]:
        columns = [cases.c[SHARED_TEXTS[name]] for name in names]
        this = cases.c.id == case_id
        was = self.conn.execute(select(*columns).where(this).with_for_update()).one()
        values: dict[Any, Any] = dict.fromkeys(columns, "")
        if ask:  # since it first waited, when it waits already
            values[cases.c.sharing_review_since] = func.coalesce(cases.c.sharing_review_since, at)
        self.conn.execute(update(cases).where(this).values(values))
        return {name: words for name, words in zip(names, was, strict=True) if words}

    def sharing_reviewed(self, case_id: int) -> bool:
        return bool(self.conn.execute(update(cases).where(
            cases.c.id == case_id, cases.c.sharing_review_since.is_not(None)).values(sharing_review_since=None)
        ).rowcount)

    def child_face_state(self, sighting_id: int) -> tuple[str | None, int, int | None]:
        row = self.conn.execute(
            select(sightings.c.status, sightings.c.child_face_id).where(sightings.c.id == sighting_id).with_for_update()
        ).first()
        count = self.conn.execute(select(func.count()).select_from(faces).where(faces.c.sighting_id == sighting_id))
        return (None, 0, None) if row is None else (str(row.status), int(count.scalar_one()), row.child_face_id)

    def set_child_face(self, sighting_id: int, face_id: int | None) -> None:
        if face_id is not None:
            owner = self.conn.execute(select(faces.c.sighting_id).where(faces.c.id == face_id)).scalar()
            if owner != sighting_id:
                raise InvalidInput("face {face} is not in sighting {id}", field="face_id", face=face_id,
                                   id=sighting_id)
        done = self.conn.execute(
            update(sightings).where(sightings.c.id == sighting_id).values(child_face_id=face_id)).rowcount
        if not done:
            raise NotFound("sighting {id} does not exist", id=sighting_id)

    def set_case_status(self, case_id: int, status: str, at: datetime, keep_data: bool = True) -> None:
        closed = at if status != "open" else None
        done = self.conn.execute(
            update(cases).where(cases.c.id == case_id).values(status=status, closed_at=closed, keep_data=keep_data)
        ).rowcount
        if not done:
            raise NotFound("case {id} does not exist", id=case_id)

    def case_state(self, case_id: int, shared: bool = False) -> tuple[str, bool]:
        row = self.conn.execute(select(cases.c.status, cases.c.verified_at).where(cases.c.id == case_id)
                                .with_for_update(read=shared)).first()
        if row is None:
            raise NotFound("case {id} does not exist", id=case_id)
        return str(row.status), row.verified_at is not None

    def case_keeps_data(self, case_id: int) -> bool:
        return bool(self.conn.execute(select(cases.c.keep_data).where(cases.c.id == case_id)).scalar())

    def reopen_case(self, case_id: int, at: datetime) -> None:
        shared = cases.c.verified_at.is_not(None) | cases.c.withdrawn_at.is_not(None)  # partners may hold a copy
        self.conn.execute(update(cases).where(cases.c.id == case_id).values(
            status="open", closed_at=None, verified_at=None, verified_by=None,
            withdrawn_at=when((shared, at), else_=cases.c.withdrawn_at)))

    def case_is_active(self, case_id: int) -> bool:
        return bool(self.conn.execute(
            select(cases.c.id).where(cases.c.id == case_id, cases.c.status == "open", cases.c.verified_at.isnot(None))
        ).first())

    def add_message(self, case_id: int, author: str, from_family: bool, body: str) -> int:
        return int(self.conn.execute(
            insert(messages).values(case_id=case_id, author=author, from_family=from_family, body=body)
            .returning(messages.c.id)
        ).scalar_one())

    def repeated_message(self, case_id: int, author: str, body: str, within: timedelta) -> int | None:
        last = self.conn.execute(
            select(messages.c.id, messages.c.author, messages.c.body, messages.c.created_at)
            .where(messages.c.case_id == case_id).order_by(messages.c.created_at.desc(), messages.c.id.desc())
            .limit(1)).first()
        if last is None or last.author != author or last.body != body:
            return None
        recent = self.conn.execute(select(func.now() - last.created_at <= within)).scalar()
        return int(last.id) if recent else None

    def add_verification(
        self, case_id: int, candidate_id: int | None, method: str, result: str, notes: str, by: str
    ) -> int:
        return int(self.conn.execute(
            insert(verifications).values(case_id=case_id, candidate_id=candidate_id, method=method, result=result,
                                         notes=notes, recorded_by=by).returning(verifications.c.id)
        ).scalar_one())

    def remove_photos(self, owner: PhotoOwner, owner_id: int) -> list[str]:
        col = photos.c.case_id if owner is PhotoOwner.CASE else photos.c.sighting_id
        if owner is PhotoOwner.CASE:  # confirmed leads stay in the case's history, without the case face
            self.conn.execute(candidates.delete().where(
                (candidates.c.case_id == owner_id) & (candidates.c.status != CandidateStatus.CONFIRMED.value)))
        ids = [r.id for r in self.conn.execute(select(photos.c.id).where(col == owner_id))]
        crops = self.conn.execute(select(faces.c.crop_key).where(faces.c.photo_id.in_(ids))).scalars().all()
        keys = self.conn.execute(
            photos.delete().where(photos.c.id.in_(ids)).returning(photos.c.storage_key)).scalars().all()
        return [*keys, *crops]

    def storage_keys_unused(self, keys: Sequence[str]) -> list[str]:
        used = set(self.conn.execute(select(photos.c.storage_key).where(photos.c.storage_key.in_(keys))).scalars())
        used |= set(self.conn.execute(select(faces.c.crop_key).where(faces.c.crop_key.in_(keys))).scalars())
        return [k for k in keys if k not in used]

    def confirmed_cases(self, sighting_id: int) -> list[int]:
        return list(self.conn.execute(select(candidates.c.case_id).distinct().where(
            candidates.c.sighting_id == sighting_id, candidates.c.status == "confirmed").order_by(
            candidates.c.case_id)).scalars())

    def orphan_checks(self, sighting_id: int, why: str, at: datetime) -> list[tuple[int, int, str]]:
        rows = self.conn.execute(text(
            "UPDATE verifications SET lead_removed = :why, lead_removed_at = :at WHERE lead_removed IS NULL "
            "AND candidate_id IN (SELECT id FROM candidates WHERE sighting_id = :s) RETURNING id, case_id, result"),
            {"why": why, "at": at, "s": sighting_id})
        return sorted((int(r.id), int(r.case_id), str(r.result)) for r in rows)

    def blank_sighting(self, sighting_id: int, status: str, at: datetime) -> None:
        self.conn.execute(
            update(sightings).where(sightings.c.id == sighting_id).values(
                status=status, lat=None, lon=None, photo_lat=None, photo_lon=None, photo_km=None, place_text="",
                description="", with_whom="", family_summary="",
                reporter_contact="", apparent_age_low=None, apparent_age_high=None, child_face_id=None, moderated_at=at,
                reporter_account_id=None)
        )

    def blank_case(self, case_id: int, status: str, at: datetime) -> None:
        self.conn.execute(
            update(cases).where(cases.c.id == case_id).values(
                status=status, given_name="", family_name="", nicknames=[], sex="unknown", birth_date=None,
                missing_since=None, missing_since_offset=None, last_seen_lat=None, last_seen_lon=None,
                last_seen_text="", description="", shared_description="", marks="", shared_marks="", police_report="",
                family_contact="", pfif={}, sharing_review_since=None,
                linked_case_id=None, closed_at=func.coalesce(cases.c.closed_at, at))  # the day it closed stays
        )
        self.conn.execute(messages.delete().where(messages.c.case_id == case_id))
        self.conn.execute(update(verifications).where(verifications.c.case_id == case_id).values(notes=""))
        # the family's words on its leads describe the child: its answers stay (the record), its notes go
        of_case = select(candidates.c.id).where(candidates.c.case_id == case_id).scalar_subquery()
        self.conn.execute(update(family_words).where(family_words.c.candidate_id.in_(of_case)).values(note=""))
        self.conn.execute(update(candidates).where(candidates.c.case_id == case_id).values(family_note=""))

    def add_takedown(self, subject: str, subject_id: int, requester: str, relation: str, reason: str) -> int:
        return int(self.conn.execute(
            insert(takedowns).values(subject=subject, subject_id=subject_id, requester=requester,
                                     relation=relation, reason=reason).returning(takedowns.c.id)
        ).scalar_one())

    def pending_takedowns(self, subject: str, subject_id: int, requester: str, relation: str,
                          reason: str) -> list[int]:
        found = self.conn.execute(
            select(takedowns.c.id).where(takedowns.c.subject == subject, takedowns.c.subject_id == subject_id,
                                         takedowns.c.status == "pending",
                                         func.lower(takedowns.c.requester) == requester.lower(),
                                         takedowns.c.relation == relation, takedowns.c.reason == reason)
            .order_by(takedowns.c.id)).scalars()
        return [int(i) for i in found]

    def takedown_subject(self, takedown_id: int) -> tuple[str, int]:
        row = self.conn.execute(select(takedowns.c.subject, takedowns.c.subject_id)
                                .where(takedowns.c.id == takedown_id)).first()
        if row is None:
            raise NotFound("takedown request {id} does not exist", id=takedown_id)
        return str(row.subject), int(row.subject_id)

    def close_takedowns(self, subject: str, subject_id: int, status: str, evidence: str,
                        by: str, at: datetime) -> list[int]:
        closed = self.conn.execute(
            update(takedowns).where(takedowns.c.subject == subject, takedowns.c.subject_id == subject_id,
                                    takedowns.c.status == "pending")
            .values(status=status, identity_evidence=evidence, resolved_by=by, resolved_at=at)
            .returning(takedowns.c.id)
        ).scalars().all()
        return sorted(int(i) for i in closed)

    def resolve_takedown(self, takedown_id: int, status: str, evidence: str,
                         by: str, at: datetime) -> tuple[str, int, str]:
        row = self.conn.execute(
            update(takedowns).where(takedowns.c.id == takedown_id, takedowns.c.status == "pending")
            .values(status=status, identity_evidence=evidence, resolved_by=by, resolved_at=at)
            .returning(takedowns.c.subject, takedowns.c.subject_id)
        ).first()
        if row is not None:
            return str(row.subject), int(row.subject_id), "pending"
        decided = self.conn.execute(select(takedowns.c.subject, takedowns.c.subject_id, takedowns.c.status)
                                    .where(takedowns.c.id == takedown_id)).first()
        if decided is None:
            raise NotFound("takedown request {id} does not exist", id=takedown_id)
        return str(decided.subject), int(decided.subject_id), str(decided.status)

    def expired(self, sightings_before: datetime, cases_closed_before: datetime,
                now: datetime, rejected_before: datetime | None = None) -> tuple[list[int], list[int]]:
        due = sightings.c.created_at < sightings_before
        if rejected_before is not None:  # a report the moderators did not take up is kept a short while only
            due |= (sightings.c.status == "rejected") & (sightings.c.moderated_at < rejected_before)
        old_sightings = self.conn.execute(
            select(sightings.c.id).where(due, sightings.c.status.notin_(["removed", "expired"]))
        ).scalars().all()
        old_cases = self.conn.execute(
            select(cases.c.id).where((cases.c.closed_at < cases_closed_before) | (cases.c.expiry_date <= now),
                                     cases.c.status != "expired")
        ).scalars().all()
        return [int(i) for i in old_sightings], [int(i) for i in old_cases]


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
QUEUE_SQL = {
    "sightings": (
        "SELECT s.id, s.created_at, s.seen_at, s.seen_at_offset, s.seen_at_basis, s.seen_at_zone, s.camera_clock, "
        "s.place_text, s.place_basis, s.photo_lat, s.photo_lon, s.photo_km, s.description, s.apparent_sex, "
        "s.child_face_id, s.apparent_age_low, s.apparent_age_high, s.lat, s.lon, s.moderation_reason, "
        "(SELECT count(*) FROM faces f WHERE f.sighting_id = s.id) AS face_count, "
        f"ARRAY(SELECT f.id FROM {sighting_faces_in_order('f', 's.id')}) AS face_ids, "
        "(SELECT count(*) FROM photos p WHERE p.sighting_id = s.id AND p.processed_at IS NULL) AS pending_photos, "
        "ARRAY(SELECT p.id FROM photos p WHERE p.sighting_id = s.id ORDER BY p.created_at, p.id) AS photo_ids, "
        f"{REPORT_VERSION} AS version, "
        # other reports waiting or approved that hold one of its pictures: the same photo sent again (probe s28 B5)
        f"{same_photo_as('s')} AS same_photo_as, "
        "(SELECT count(*) FROM candidates c WHERE c.sighting_id = s.id AND c.status = 'confirmed') AS confirmed_leads "
        # a report its reporter added to after a reviewer confirmed a lead on it first: a family waits on it
        "FROM sightings s WHERE s.status = 'pending' ORDER BY EXISTS (SELECT 1 FROM candidates c "
        "WHERE c.sighting_id = s.id AND c.status = 'confirmed') DESC, s.created_at, s.id LIMIT :limit",
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
                         "lead_removed_at FROM verifications WHERE case_id = :id ORDER BY created_at, id", id=case_id)

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


