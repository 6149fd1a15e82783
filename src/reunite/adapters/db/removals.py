"""SQL for removal requests about cases (mixed into the unit of work): who registered the case (to tell
and to show the moderators), the registrant's answer, the wait before a removal and its undoing
(docs/decisions/0006)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text, update

from reunite.adapters.db.people_tables import takedowns

# the account or token that registered or imported the case first (the audit log keeps who did)
FIRST_ACTOR = ("(SELECT a.actor FROM audit_log a WHERE a.subject = 'case' AND a.subject_id = {case} "
               "AND a.action IN ('case.registered', 'case.imported') ORDER BY a.at, a.id LIMIT 1)")

# the accounts a case's registrant reads its email at: the family's own accounts, else the account that
# registered it, or the account that issued the token that registered it (a partner registry)
REGISTRANT_EMAILS = (
    "SELECT a.email, a.language FROM accounts a WHERE a.disabled_at IS NULL AND (a.id IN "
    "(SELECT o.account_id FROM case_owners o WHERE o.case_id = :case_id) OR (NOT EXISTS "
    "(SELECT 1 FROM case_owners o WHERE o.case_id = :case_id) AND 'account:' || a.id IN "
    f"({FIRST_ACTOR.format(case=':case_id')}, (SELECT t.created_by FROM api_tokens t WHERE 'token:' || t.id = "
    f"{FIRST_ACTOR.format(case=':case_id')})))) ORDER BY a.id")

# who registered the case, as its removal requests show it to moderators (who may read contacts)
REGISTRANT = (
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM case_owners o WHERE o.case_id = k.id) THEN 'family' "
    "WHEN r.actor LIKE 'token:%' THEN 'partner' "
    "WHEN r.actor LIKE 'account:%' THEN (SELECT a.role FROM accounts a WHERE 'account:' || a.id = r.actor) "
    "ELSE 'operator' END AS kind, r.actor, "
    "(SELECT t.name FROM api_tokens t WHERE 'token:' || t.id = r.actor) AS token_name, "
    "(SELECT t.allowed_domains FROM api_tokens t WHERE 'token:' || t.id = r.actor) AS token_domains, "
    "k.family_contact, k.source, k.status, k.verified_at IS NOT NULL AS verified "
    f"FROM cases k, LATERAL (SELECT {FIRST_ACTOR.format(case='k.id')} AS actor) r WHERE k.id = :case_id")


class RemovalSql:
    conn: Connection

    def registrant(self, case_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(text(REGISTRANT), {"case_id": case_id}).mappings().first()
        if row is None:
            return None
        emails = self.conn.execute(text(REGISTRANT_EMAILS), {"case_id": case_id}).all()
        return dict(row) | {"emails": [(str(e.email), str(e.language)) for e in emails]}

    def takedown(self, takedown_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(takedowns.select().where(takedowns.c.id == takedown_id).with_for_update()).first()
        return None if row is None else dict(row._mapping)

    def set_takedown(self, takedown_id: int, **values: Any) -> None:
        self.conn.execute(update(takedowns).where(takedowns.c.id == takedown_id).values(**values))

    def case_takedowns(self, case_id: int, statuses: tuple[str, ...]) -> list[int]:
        found = self.conn.execute(text(
            "SELECT id FROM takedowns WHERE subject = 'case' AND subject_id = :case_id AND status = ANY(:statuses) "
            "ORDER BY created_at, id"), {"case_id": case_id, "statuses": list(statuses)}).scalars()
        return [int(i) for i in found]

    def removals_due(self, now: datetime) -> tuple[list[int], list[int]]:
        """(approved requests whose wait passed, removals whose undo window passed)."""
        rows = self.conn.execute(text(
            "SELECT t.id, t.status FROM takedowns t JOIN cases k ON k.id = t.subject_id AND t.subject = 'case' "
            "WHERE t.due_at <= :now AND ((t.status = 'waiting' AND k.status <> 'expired') "
            "OR (t.status = 'done' AND k.status = 'closed')) ORDER BY t.due_at, t.id"), {"now": now}).all()
        return [int(r.id) for r in rows if r.status == "waiting"], [int(r.id) for r in rows if r.status == "done"]

    def case_removals(self, now: datetime) -> list[dict[str, Any]]:
        """Requests approved and waiting for an objection, and open cases removed that can still be restored."""
        rows = self.conn.execute(text(
            "SELECT t.id, t.subject_id, t.status, t.due_at, t.registrant_answer, t.registrant_told, t.requester, "
            "t.relation, t.reason, "
            "t.identity_evidence, t.resolved_at FROM takedowns t JOIN cases k ON k.id = t.subject_id "
            "WHERE t.subject = 'case' AND t.due_at > :now AND ((t.status = 'waiting' AND k.status = 'open') "
            "OR (t.status = 'done' AND k.status = 'closed')) ORDER BY t.due_at, t.id"), {"now": now}).mappings()
        return [dict(r) for r in rows]
