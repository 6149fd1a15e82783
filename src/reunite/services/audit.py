"""Reading the audit log (admins and police: ``Permission.READ_AUDIT``): who opened a sighting, an exact
place or a contact, who changed what, and when. Each reading is itself written to the log
(``audit.viewed``, with the question asked and the entries shown)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reunite.domain.access import Permission, Principal, require
from reunite.domain.audit import AuditQuery
from reunite.services.deps import Deps
from reunite.services.queries import audit_read


@dataclass(frozen=True)
class AuditPage:
    entries: list[dict[str, Any]]
    next_before: int | None  # the ``before`` of the next (older) page; None: this is the last


def read_log(deps: Deps, who: Principal, query: AuditQuery) -> AuditPage:
    """One page of the log, newest first; the reading is audited whatever it found."""
    require(who, Permission.READ_AUDIT)
    rows = deps.read.audit_entries(query)
    entries = [_entry(row) for row in rows[:query.limit]]
    audit_read(deps, who, "audit.viewed", "audit", 0, query=query.described(), shown=len(entries),
               ids=[e["id"] for e in entries])
    return AuditPage(entries, entries[-1]["id"] if len(rows) > query.limit else None)


def _entry(row: dict[str, Any]) -> dict[str, Any]:
    """An entry with its actor named as people know them: an account's email and role, a token's organisation."""
    if row.get("actor_email"):
        named = row["actor_email"] + (f" ({row['actor_name']})" if row.get("actor_name") else "")
    else:
        named = row.get("actor_token") or ""
    return {"id": row["id"], "at": row["at"], "actor": row["actor"], "actor_named": named,
            "actor_role": row.get("actor_role") or _token_role(row),
            "action": row["action"], "subject": row["subject"], "subject_id": row["subject_id"],
            "detail": row["detail"] or {}}


def _token_role(row: dict[str, Any]) -> str | None:
    """A token's kind as the log's reader should take it: an admin's own token is no partner organisation."""
    if not row.get("actor_token"):
        return None
    return "admin token" if "admin" in (row.get("actor_token_scopes") or ()) else "partner"
