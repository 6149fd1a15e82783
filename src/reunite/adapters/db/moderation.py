"""SQL for moderation, messages, reunion, takedowns and expiry (mixed into the unit of work); the queues
moderators work through are read in ``queues``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, text, update
from sqlalchemy import case as when

from reunite.adapters.db.people_tables import messages, takedowns, verifications
from reunite.adapters.db.sighting_filter import FOUND_LEADS
from reunite.adapters.db.tables import candidates, cases, faces, family_words, photos, sightings
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
        """Back to waiting for verification. ``withdrawn_at`` is when it left what the public and partners read (the
        feed, the exports' records in full), which dates their placeholder and the feed: ``at`` for a case held
        while verified and open; for one verified and since closed, when it closed (it left them then: reopening
        it is no public event, probe s44 P2); else it stays as it was (none for a case never verified)."""
        verified = cases.c.verified_at.is_not(None)
        self.conn.execute(update(cases).where(cases.c.id == case_id).values(  # (the row as it was, on the right)
            status="open", closed_at=None, verified_at=None, verified_by=None,
            withdrawn_at=when((verified & (cases.c.status == "open"), at),
                              (verified, func.coalesce(cases.c.closed_at, at)), else_=cases.c.withdrawn_at)))

    def supersede_verifications(self, case_id: int, at: datetime) -> list[int]:
        return [int(i) for i in self.conn.execute(update(verifications).where(
            verifications.c.case_id == case_id, verifications.c.superseded_at.is_(None)).values(
            superseded_at=at).returning(verifications.c.id)).scalars()]

    def mark_found(self, case_id: int, at: datetime) -> int:
        return int(self.conn.execute(text(
            f"WITH leads AS ({FOUND_LEADS}) INSERT INTO found_sightings (sighting_id, case_id, found_at) "
            "SELECT sighting_id, :case_id, :at FROM leads UNION SELECT g.id, :case_id, :at FROM leads l "
            "JOIN sightings fs ON fs.id = l.sighting_id JOIN sightings g ON g.group_id = fs.group_id "
            "ON CONFLICT DO NOTHING"), {"case_id": case_id, "at": at}).rowcount)

    def spread_found(self, group_id: int, at: datetime) -> int:
        return int(self.conn.execute(text(
            "INSERT INTO found_sightings (sighting_id, case_id, found_at) SELECT DISTINCT g.id, f.case_id, :at "
            "FROM found_sightings f JOIN sightings fs ON fs.id = f.sighting_id AND fs.group_id = :g "
            "JOIN sightings g ON g.group_id = :g ON CONFLICT DO NOTHING"), {"g": group_id, "at": at}).rowcount)

    def withdraw_found_proposals(self, case_id: int | None = None, group_id: int | None = None) -> int:
        return int(self.conn.execute(text(
            "DELETE FROM candidates c USING found_sightings fd WHERE fd.sighting_id = c.sighting_id "
            "AND (CAST(:case AS bigint) IS NULL OR fd.case_id = :case) AND (CAST(:g AS bigint) IS NULL OR "
            "c.sighting_id IN (SELECT g.id FROM sightings g WHERE g.group_id = :g)) AND c.status = 'proposed' "
            "AND c.proposed_by = 'machine' AND c.family_answer IS NULL AND NOT EXISTS (SELECT 1 FROM found_sightings "
            "o WHERE o.sighting_id = c.sighting_id AND o.case_id = c.case_id)"),
            {"case": case_id, "g": group_id}).rowcount)

    def unmark_found(self, case_id: int) -> list[int]:
        return sorted(int(i) for i in self.conn.execute(text(
            "DELETE FROM found_sightings WHERE case_id = :case_id RETURNING sighting_id"), {"case_id": case_id}
        ).scalars())

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
