"""SQL of the reviewers' workbench: claims with expiry, passes, the first of two confirmations, the
families' answers (mixed into the unit of work), and the reads behind the workbench page."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from reunite.adapters.db.tables import candidates, family_words, review_passes
from reunite.domain.doubles import SAME_PHOTO
from reunite.domain.errors import NotFound
from reunite.domain.workbench import CLAIM, COMMAND_LINE, FamilyWord, Held, person_of


def off_face(c: str = "c", s: str = "s") -> str:
    """Candidate ``c`` of sighting ``s`` compares a face that no longer stands for its report: another is marked
    the child's (``matching.matched_faces``). It ranks among none, nor counts above any."""
    return f"({s}.child_face_id IS NOT NULL AND {c}.sighting_face_id <> {s}.child_face_id)"


def ruled_out(c: str = "c", s: str = "s") -> str:
    """Candidate ``c`` of sighting ``s`` compares a face a moderator ruled out: another face of its photo is
    marked the child's, so it is someone else's (``access.ruled_out_faces``, probe s28 B1). It is nobody's lead:
    served to no reviewer, confirmed no more, shown to no family; a decision on it stays as that face's history
    (``domain.candidates_shown``). A face of another photo may be the child again: what was decided on it stands."""
    return (f"({off_face(c, s)} AND EXISTS (SELECT 1 FROM faces rf JOIN faces rc ON rc.photo_id = rf.photo_id "
            f"WHERE rf.id = {c}.sighting_face_id AND rc.id = {s}.child_face_id))")


# a candidate reviewers can act on: proposed, its report approved, its case verified and open (a case waiting
# for verification again, reopened or held as a possible second registration of a child, is not matched), the
# face it compares not ruled out
OPEN = ("c.status = 'proposed' AND s.status = 'approved' AND k.status = 'open' AND k.verified_at IS NOT NULL "
        f"AND NOT {ruled_out()}")
# One workbench item: a case and one child's trail (the sightings of a group: reposts of a picture and
# sightings of one child; else a report alone), whatever the number of its candidates (``ITEM`` keys it
# for candidate ``c`` of sighting ``s``; ``SIBLING``: candidate ``o`` of sighting ``so`` is of c's item).
ITEM = "(c.case_id, COALESCE(-s.group_id, c.sighting_id))"
SIBLING = "o.case_id = c.case_id AND (o.sighting_id = c.sighting_id OR so.group_id = s.group_id)"
HELD_BY_OTHER = "o.claimed_by <> :me AND o.claim_expires_at >= :now"

# a decision undone: the face evidence it was made on goes with it (0048)
UNDECIDED: dict[str, None] = {"decided_face_score": None, "decided_hubness": None, "decided_together": None}


def person_sql(actor: str) -> str:
    """The person behind the actor the SQL expression ``actor`` names (``domain.workbench.person_of``): a
    token counts as the account that issued its line, every token the command line issued as the command line."""
    return (
        f"CASE WHEN {actor} LIKE 'token:%' THEN COALESCE((WITH RECURSIVE up(id, issued_by, created_by) AS ("
        f"SELECT id, issued_by, created_by FROM api_tokens WHERE 'token:' || id = {actor} UNION ALL "
        "SELECT p.id, p.issued_by, p.created_by FROM api_tokens p JOIN up ON p.id = up.issued_by) "
        f"SELECT CASE WHEN created_by IS NULL THEN NULL WHEN created_by LIKE 'account:%' THEN created_by "
        f"ELSE '{COMMAND_LINE}' END FROM up "
        f"WHERE issued_by IS NULL), {actor}) ELSE {actor} END")


# what a reviewer may take: nobody else's, never a candidate its own person confirmed first (a second, different
# person confirms it: four eyes), nor one passed on for now
FOR_ME = (
    f"{OPEN} AND (c.claimed_by IS NULL OR c.claim_expires_at < :now OR c.claimed_by = :me) "
    f"AND (c.first_confirmed_by IS NULL OR {person_sql('c.first_confirmed_by')} <> {person_sql('CAST(:me AS text)')}) "
    "AND NOT EXISTS (SELECT 1 FROM review_passes r "
    "WHERE r.candidate_id = c.id AND r.reviewer = :me AND r.until > :now) "
    "AND NOT EXISTS (SELECT 1 FROM candidates o JOIN sightings so ON so.id = o.sighting_id "
    f"WHERE {SIBLING} AND o.status = 'proposed' AND {HELD_BY_OTHER})"
)
FROM = "FROM candidates c JOIN sightings s ON s.id = c.sighting_id JOIN cases k ON k.id = c.case_id"


class WorkbenchSql:
    conn: Connection

    def claim_next(self, reviewer: str, now: datetime, lead_share: float | None) -> int | None:
        # mine first, then what a second reviewer waits on, then leads by the face (the family's first),
        # then the strongest, a repost of the case's own picture after them (probe s42 N1); last what only a
        # family's word keeps (its face no lead: share above the operating point)
        found = self.conn.execute(text(
            f"UPDATE candidates SET claimed_by = :me, claim_expires_at = :until WHERE id = ("
            f"SELECT c.id {FROM} WHERE {FOR_ME} ORDER BY (c.claimed_by = :me AND c.claim_expires_at >= :now) "
            "IS TRUE DESC, (c.first_confirmed_by IS NOT NULL) DESC, "
            "(CAST(:lead AS double precision) IS NULL OR c.impostor_share IS NULL OR c.impostor_share <= :lead) "
            "DESC, (c.family_answer = 'maybe') IS TRUE DESC, "
            # a report of the case's own picture (faces one picture's: a repost of its poster) after the leads
            f"c.face_score >= {SAME_PHOTO} ASC, "
            "c.score DESC, c.id LIMIT 1 FOR UPDATE OF c SKIP LOCKED) RETURNING id"
        ), {"me": reviewer, "now": now, "until": now + CLAIM, "lead": lead_share}).scalar()
        if found is None:
            return None
        for sibling in self.item_candidates(int(found), reviewer, now):  # the whole item is in my hands
            self.set_claim(sibling, reviewer, now + CLAIM)
        return int(found)

    def item_candidates(self, candidate_id: int, reviewer: str, now: datetime) -> list[int]:
        return [int(i) for i in self.conn.execute(text(
            f"SELECT o.id FROM candidates c JOIN sightings s ON s.id = c.sighting_id, candidates o "
            f"JOIN sightings so ON so.id = o.sighting_id JOIN cases ko ON ko.id = o.case_id WHERE c.id = :id "
            f"AND {SIBLING} AND o.status = 'proposed' AND so.status = 'approved' AND ko.status = 'open' "
            f"AND ko.verified_at IS NOT NULL AND NOT {ruled_out('o', 'so')} "
            "AND (o.claimed_by IS NULL OR o.claimed_by = :me OR o.claim_expires_at < :now) "
            "ORDER BY o.id FOR UPDATE OF o"),
            {"id": candidate_id, "me": reviewer, "now": now}).scalars()]

    def hold(self, candidate_id: int) -> Held:
        row = self.conn.execute(
            select(candidates.c.case_id, candidates.c.status, candidates.c.claimed_by, candidates.c.claim_expires_at,
                   candidates.c.first_confirmed_by).where(candidates.c.id == candidate_id).with_for_update()
        ).first()
        if row is None:
            raise NotFound("candidate {id} does not exist", id=candidate_id)
        return Held(int(row.case_id), str(row.status), row.claimed_by, row.claim_expires_at, row.first_confirmed_by)

    def set_claim(self, candidate_id: int, reviewer: str | None, until: datetime | None) -> None:
        self.conn.execute(update(candidates).where(candidates.c.id == candidate_id)
                          .values(claimed_by=reviewer, claim_expires_at=until))

    def person_of(self, actor: str) -> str:
        number = actor.removeprefix("token:")
        if number == actor or not number.isdigit():
            return person_of(actor, None)
        issued_by = self.conn.execute(text(  # up the token's line to its first, issued by an account or the CLI
            "WITH RECURSIVE up(id, issued_by, created_by) AS (SELECT id, issued_by, created_by FROM api_tokens "
            "WHERE id = :id UNION ALL SELECT p.id, p.issued_by, p.created_by FROM api_tokens p "
            "JOIN up ON p.id = up.issued_by) SELECT created_by FROM up WHERE issued_by IS NULL"),
            {"id": int(number)}).scalar()
        return person_of(actor, None if issued_by is None else str(issued_by))

    def clear_first_confirmations(self, case_id: int) -> list[tuple[int, str]]:
        rows = self.conn.execute(text(  # the FROM reads the rows as they were: who had confirmed first
            "UPDATE candidates c SET first_confirmed_by = NULL, first_confirmed_at = NULL FROM (SELECT id, "
            "first_confirmed_by FROM candidates WHERE case_id = :case AND status = 'proposed' "
            "AND first_confirmed_by IS NOT NULL ORDER BY id FOR UPDATE) was WHERE c.id = was.id "
            "RETURNING c.id, was.first_confirmed_by"), {"case": case_id})
        return sorted((int(row.id), str(row.first_confirmed_by)) for row in rows)

    def add_pass(self, candidate_id: int, reviewer: str, until: datetime) -> None:
        self.conn.execute(
            pg_insert(review_passes).values(candidate_id=candidate_id, reviewer=reviewer, until=until)
            .on_conflict_do_update(index_elements=["candidate_id", "reviewer"], set_={"until": until}))

    def first_confirm(self, candidate_id: int, reviewer: str | None, at: datetime | None) -> None:
        self.conn.execute(update(candidates).where(candidates.c.id == candidate_id)
                          .values(first_confirmed_by=reviewer, first_confirmed_at=at))

    def reopen(self, candidate_id: int, at: datetime) -> None:
        self.conn.execute(update(candidates).where(candidates.c.id == candidate_id).values(
            status="proposed", review_reason="", reviewed_by=None, reviewed_at=None, first_confirmed_by=None,
            first_confirmed_at=None, updated_at=at, **UNDECIDED))

    def family_reopen(self, candidate_id: int, at: datetime, cool_down: timedelta) -> bool:
        # SET reads the row as it was: the dismissal's date is kept before it is cleared
        return self.conn.execute(update(candidates).where(
            candidates.c.id == candidate_id, candidates.c.status == "dismissed",
            or_(candidates.c.family_reopened_at.is_(None), candidates.c.family_reopened_at <= at - cool_down))
            .values(status="proposed", review_reason="", reviewed_by=None, reviewed_at=None,
                    first_confirmed_by=None, first_confirmed_at=None, updated_at=at, family_reopened_at=at,
                    dismissed_before_at=candidates.c.reviewed_at, **UNDECIDED)
            .returning(candidates.c.id)).first() is not None

    def last_decision(self, reviewer: str, since: datetime) -> list[int]:
        return [int(i) for i in self.conn.execute(text(
            "WITH d AS (SELECT id, reviewed_at AS at FROM candidates WHERE reviewed_by = :me "
            "AND reviewed_at >= :since UNION ALL SELECT id, first_confirmed_at FROM candidates "
            "WHERE first_confirmed_by = :me AND first_confirmed_at >= :since AND status = 'proposed') "
            "SELECT id FROM d WHERE at = (SELECT max(at) FROM d) ORDER BY id"),
            {"me": reviewer, "since": since}).scalars()]

    def family_words(self, candidate_id: int) -> list[FamilyWord]:
        return [FamilyWord(row.answer, row.note, row.at) for row in self.conn.execute(
            select(family_words.c.answer, family_words.c.note, family_words.c.at)
            .where(family_words.c.candidate_id == candidate_id).order_by(family_words.c.at, family_words.c.id))]

    def add_family_word(self, candidate_id: int, answer: str, note: str, at: datetime) -> int:
        case_id = self.conn.execute(
            update(candidates).where(candidates.c.id == candidate_id)
            .values(family_answer=answer, family_note=note, family_answered_at=at).returning(candidates.c.case_id)
        ).scalar()
        if case_id is None:
            raise NotFound("candidate {id} does not exist", id=candidate_id)
        self.conn.execute(insert(family_words).values(candidate_id=candidate_id, answer=answer, note=note, at=at))
        return int(case_id)

    def candidate_of_face(self, case_id: int, sighting_face_id: int) -> tuple[int, str] | None:
        row = self.conn.execute(select(candidates.c.id, candidates.c.status).where(
            candidates.c.case_id == case_id, candidates.c.sighting_face_id == sighting_face_id)
            .with_for_update()).first()
        return None if row is None else (int(row.id), str(row.status))

    def add_family_candidate(self, case_id: int, sighting_id: int, sighting_face_id: int,
                             values: dict[str, Any], at: datetime) -> int:
        return int(self.conn.execute(insert(candidates).values(
            case_id=case_id, sighting_id=sighting_id, sighting_face_id=sighting_face_id, proposed_by="family",
            updated_at=at, **values).returning(candidates.c.id)).scalar_one())


class WorkbenchReadSql:
    def _all(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        raise NotImplementedError

    def reviewer_name(self, actor: str) -> str:
        rows = self._all("SELECT CASE display_name WHEN '' THEN email ELSE display_name || ' (' || email || ')' END "
                         "AS name FROM accounts WHERE 'account:' || id = :actor", actor=actor)
        return str(rows[0]["name"]) if rows else actor

    def workbench_progress(self, reviewer: str, now: datetime, since: datetime) -> dict[str, int]:
        left = self._all(f"SELECT count(DISTINCT {ITEM}) AS n {FROM} WHERE {FOR_ME}", me=reviewer, now=now)[0]["n"]
        done = self._all(
            # decisions, not candidates: a decision on an item covers its candidates at one instant
            "SELECT count(DISTINCT (case_id, CASE WHEN reviewed_by = :me AND reviewed_at >= :since THEN reviewed_at "
            "ELSE first_confirmed_at END)) AS n FROM candidates WHERE (reviewed_by = :me AND reviewed_at >= :since) "
            "OR (first_confirmed_by = :me AND first_confirmed_at >= :since AND status = 'proposed')",
            me=reviewer, since=since)[0]["n"]
        return {"left": int(left), "done": int(done)}

    def queue_oldest_hours(self, now: datetime) -> dict[str, float]:
        row = self._all(
            "SELECT (SELECT min(created_at) FROM sightings WHERE status = 'pending') AS sightings, "
            "(SELECT min(created_at) FROM cases WHERE verified_at IS NULL AND status = 'open') AS cases, "
            f"(SELECT min(c.created_at) {FROM} WHERE {OPEN}) AS candidates, "
            "(SELECT min(created_at) FROM takedowns WHERE status = 'pending') AS takedowns, "
            "(SELECT min(sharing_review_since) FROM cases WHERE sharing_review_since IS NOT NULL "
            "AND verified_at IS NOT NULL AND status = 'open') AS sharing")[0]
        return {name: (now - at) / timedelta(hours=1) if at else 0.0 for name, at in row.items()}

    def active_reviewers(self, since: datetime) -> int:
        return int(self._all(
            "SELECT count(DISTINCT actor) AS n FROM audit_log WHERE at >= :since AND actor LIKE 'account:%' "
            "AND action IN ('candidate.confirmed', 'candidate.dismissed', 'candidate.first_confirmed', "
            "'sighting.approved', 'sighting.rejected', 'case.verified')", since=since)[0]["n"])

    def family_proposed(self, case_id: int, since: datetime) -> int:
        return int(self._all(
            "SELECT count(DISTINCT c.sighting_id) AS n FROM family_words w JOIN candidates c ON c.id = w.candidate_id "
            "WHERE c.case_id = :case_id AND w.answer = 'maybe' AND w.at >= :since",
            case_id=case_id, since=since)[0]["n"])
