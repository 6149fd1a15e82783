"""The parts of the unit of work that bring records in and out (``ports.UnitOfWork`` combines them with the rest):
PFIF records and notes, and the partner sources polled for sightings."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from reunite.domain.model import NewCase, Provenance


class PfifStore(Protocol):
    """PFIF records inside a unit of work: imported cases with every field sent, notes, refused persons."""

    def case_for_record(self, record_id: str, local_id: int | None) -> dict[str, Any] | None:
        """``id``, ``status``, ``verified_at``, ``source_date``, ``expiry_date`` and ``pfif`` (the fields as sent)
        of the case with this PFIF record id, or of this site's own case ``local_id``."""
        ...

    def add_imported_case(self, record_id: str, case: NewCase, fields: dict[str, str], source: str,
                          source_date: datetime, expiry: datetime | None, at: datetime) -> int: ...

    def update_imported_record(self, case_id: int, fields: dict[str, str], source: str, source_date: datetime,
                               expiry: datetime | None) -> None:
        """A newer version of a partner's record: its fields as kept, its source, dates and expiry (its facts are
        written as corrections are: ``services.corrections.corrects``)."""
        ...

    def add_note(self, values: dict[str, Any]) -> bool:
        """Store a PFIF note unless its record id is known; True if new."""
        ...

    def refuse_person(self, record_id: str) -> None:
        """Remember that this person is no case here (only the id) and drop notes waiting for it."""
        ...

    def person_refused(self, record_id: str) -> bool: ...

    def link_notes_and_duplicates(self, own_domain: str) -> list[tuple[int, int, str]]:
        """Attach waiting notes to cases imported since (only a note of the person's own registry: one from
        another is kept aside for a moderator), and find the cases that notes mark as duplicates (a partner's record,
        or this site's own, ``{own_domain}/case.{id}`` as the export names it, verified and open) whose pair is
        neither flagged with a link yet nor decided by a moderator: (the note's case, the case it links, the note's
        record id), one per pair. A moderator links them (``grouping.decide_duplicate``), never a note."""
        ...

    def note_aside(self, note_id: int, case_id: int) -> dict[str, Any] | None:
        """``id``, ``record_id`` and ``source`` of a note kept aside (on no case) whose person is this open
        case, locked; None if there is none."""
        ...

    def attach_note(self, note_id: int, case_id: int) -> None: ...

    def pending_imported_by(self, actors: list[str]) -> list[int]:
        """The cases these actors (``token:N``) imported (PFIF or a sheet) that wait for verification still,
        their rows locked."""
        ...

    def blank_notes(self, case_id: int) -> None:
        """Leave a closed or expired case's notes as placeholders (ids and dates)."""
        ...

    def drop_stray_notes(self, before: datetime) -> int:
        """Delete notes stored before ``before`` whose person never arrived; how many."""
class SourcesStore(Protocol):
    """Sources read for sightings, where each sighting came from, reposted pictures."""

    def add_source(self, kind: str, url: str, name: str, interval_s: int, by: str) -> int:
        """The source with this URL (added unless it exists); its id."""
        ...

    def set_source_status(self, source_id: int, status: str) -> bool: ...

    def due_sources(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        """Active sources due for a poll, locked against other workers (skip locked)."""
        ...

    def source_polled(self, source_id: int, values: dict[str, Any]) -> None: ...

    def sighting_of_post(self, url: str) -> int | None: ...

    def sighting_with_photo(self, phashes: list[int]) -> int | None:
        """A sighting (not removed) that already holds one of these pictures (perceptual hashes)."""
        ...

    def add_provenance(self, sighting_id: int, provenance: Provenance) -> bool:
        """Record where a sighting came from; False if that post was already recorded."""
        ...

    def figures(self, key: str, lock: bool = False) -> dict[str, Any] | None:
        """Public figures recorded under ``key`` (``services/stats.py``); with ``lock``, the transaction
        is the only writer of public figures until it ends."""
        ...

    def record_figures(self, key: str, value: dict[str, Any]) -> None: ...
