"""The unit of work's part for removal requests about cases (docs/decisions/0006)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol


class RemovalStore(Protocol):
    def registrant(self, case_id: int) -> dict[str, Any] | None:
        """Who registered the case: ``kind`` (family, police, moderator, admin, partner, operator),
        ``actor``, ``token_name``, ``family_contact`` (the contact on file), ``status``, ``verified``, and
        ``emails``: (address, language) of the accounts to tell. None for no such case."""
        ...

    def takedown(self, takedown_id: int) -> dict[str, Any] | None:
        """A request's row, locked until the commit; None for no such request."""
        ...

    def set_takedown(self, takedown_id: int, **values: Any) -> None: ...

    def case_takedowns(self, case_id: int, statuses: tuple[str, ...]) -> list[int]:
        """The requests about a case in these statuses, oldest first."""
        ...

    def removals_due(self, now: datetime) -> tuple[list[int], list[int]]:
        """(approved requests whose wait for an objection has passed, their case not expired, removals whose undo
        window has)."""
        ...

    def case_removals(self, now: datetime) -> list[dict[str, Any]]:
        """Requests approved and waiting, and removed cases still restorable: what a moderator may undo."""
        ...
