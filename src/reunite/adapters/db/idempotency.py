"""SQL for idempotency keys (mixed into the unit of work)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.dialects.postgresql import insert

from reunite.adapters.db.tables import idempotency_keys


class IdempotencySql:
    conn: Connection

    def remembered_result(self, key: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(idempotency_keys.c.result).where(idempotency_keys.c.key == key)).first()
        return dict(row.result) if row else None

    def remember_result(self, key: str, result: dict[str, Any]) -> bool:
        """False when the key is already taken (a concurrent retry committed first: after waiting for it)."""
        inserted = self.conn.execute(
            insert(idempotency_keys).values(key=key, result=result).on_conflict_do_nothing()
            .returning(idempotency_keys.c.key)
        ).first()
        return inserted is not None

    def forget_results(self, before: datetime) -> int:
        return int(self.conn.execute(
            idempotency_keys.delete().where(idempotency_keys.c.created_at < before)).rowcount or 0)

    def one_at_a_time(self, name: str) -> None:
        self.conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": f"reunite.once.{name}"})
