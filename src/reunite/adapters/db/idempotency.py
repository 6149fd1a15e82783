"""SQL for idempotency keys (mixed into the unit of work)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select, text
from sqlalchemy.dialects.postgresql import insert

from reunite.adapters.db.people_tables import idempotency_keys


class IdempotencySql:
    conn: Connection

    def remembered_result(self, key: str, within: timedelta | None = None) -> dict[str, Any] | None:
        query = select(idempotency_keys.c.result).where(idempotency_keys.c.key == key)
        if within is not None:
            query = query.where(idempotency_keys.c.created_at > func.now() - within)
        row = self.conn.execute(query).first()
        return dict(row.result) if row else None

    def remember_result(self, key: str, result: dict[str, Any], replacing_older_than: timedelta | None = None) -> bool:
        """False when the key is already taken (a concurrent retry committed first: after waiting for it),
        or taken within ``replacing_older_than`` when that is given (an older answer is replaced)."""
        values = insert(idempotency_keys).values(key=key, result=result)
        if replacing_older_than is None:
            taking = values.on_conflict_do_nothing()
        else:
            taking = values.on_conflict_do_update(
                index_elements=[idempotency_keys.c.key], set_={"result": result, "created_at": func.now()},
                where=idempotency_keys.c.created_at <= func.now() - replacing_older_than)
        return self.conn.execute(taking.returning(idempotency_keys.c.key)).first() is not None

    def forget_results(self, before: datetime) -> int:
        return int(self.conn.execute(
            idempotency_keys.delete().where(idempotency_keys.c.created_at < before)).rowcount or 0)

    def one_at_a_time(self, name: str) -> None:
        self.conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": f"reunite.once.{name}"})
