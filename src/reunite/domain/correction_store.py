"""The unit of work's part for a case corrected by its registrant (docs/decisions/0007)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from reunite.domain.model import NewCase


class CorrectionStore(Protocol):
    def case_facts_row(self, case_id: int) -> dict[str, Any]:
        """The case's facts a correction may change, its ``status`` and ``verified_at`` (its row locked by the
        caller)."""
        ...

    def set_case_facts(self, case_id: int, case: NewCase) -> None: ...

    def mark_case_changed(self, case_id: int, at: datetime) -> None:
        """What partners and readers hold of the case changed ``at`` (``cases.entry_date``, never moved back)."""
        ...

    def merge_pfif(self, case_id: int, fields: dict[str, str]) -> None:
        """These fields of a partner's record as sent (a correction accepted) written over those kept
        (``cases.pfif``); an empty value drops the field."""
        ...

    def waiting_correction(self, case_id: int) -> dict[str, Any] | None:
        """The correction of this case waiting for a moderator, locked until the commit; None if none waits."""
        ...

    def correction(self, correction_id: int) -> dict[str, Any] | None:
        """A correction's row, locked until the commit; None for no such correction."""
        ...

    def add_correction(self, case_id: int, asked_by: str, fields: dict[str, Any], was: dict[str, str],
                       became: dict[str, str], photo_ids: Sequence[int] = ()) -> int: ...

    def add_correction_photos(self, correction_id: int, photo_ids: Sequence[int]) -> None:
        """Photos added to the verified case join the correction waiting (held until it is accepted)."""
        ...

    def hold_photos(self, photo_ids: Sequence[int], at: datetime) -> None:
        """These case photos wait for a moderator: neither published nor matched (``photos.held_since``)."""
        ...

    def release_photos(self, case_id: int, photo_ids: Sequence[int]) -> None:
        """These photos of the case, held, are published and matched as any other."""
        ...

    def drop_held_photos(self, case_id: int, photo_ids: Sequence[int]) -> list[str]:
        """Those of ``photo_ids`` the case holds still held (a correction refused): deleted with their faces; their
        stored files' keys (photos and face crops)."""
        ...

    def vouch_facts(self, case_id: int, facts: dict[str, str]) -> None:
        """The identity facts as a verification vouched for them (as written), kept to compare corrections with."""
        ...

    def decide_correction(self, correction_id: int, status: str, by: str, at: datetime, reason: str = "") -> None:
        ...

    def drop_waiting_correction(self, case_id: int, by: str, reason: str) -> dict[str, Any] | None:
        """The correction of this case still waiting, settled as its case ends (``dropped``, with ``reason``, by
        ``by``, now): its id, what it would have replaced and given (``was``, ``became``), its photos held; None if
        none waited."""
        ...

    def held_photos(self, case_id: int) -> list[int]:
        """The photos of the case held for a moderator (``photos.held_since``)."""
        ...

    def own_open_cases(self, account_id: int) -> list[dict[str, Any]]:
        """The open cases this family account owns: id, names, birth date, missing since (with its offset)."""
        ...

    def candidate_sightings(self, case_id: int) -> list[int]:
        """The sightings this case holds candidates of (any status): scored again when its facts change."""
        ...
