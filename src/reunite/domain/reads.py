"""The read model: queries behind the pages and the API (``adapters/db/readmodel.py`` and its
neighbours implement it). ``ports`` re-exports it beside the other ports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from reunite.domain.audit import AuditQuery
from reunite.domain.doubles import Double
from reunite.domain.model import CandidateStatus, SightingFilter
from reunite.domain.workbench import WorkbenchReads


class ReadModel(WorkbenchReads, Protocol):
    """Queries behind the pages and the API. Returns plain, JSON-ready records."""

    def sightings(self, query: SightingFilter) -> tuple[int, list[dict[str, Any]]]:
        """Total count and one page, newest first."""
        ...

    def sighting_head(self, sighting_id: int) -> dict[str, Any] | None:
        """Only what visibility is decided from (id, status, child_face_id, held_again: pending after a
        moderator's approval; ``case_head``: id, status, verified_at), one statement (None: no such id): a
        hidden and a missing record cost the same."""
        ...

    def sighting(self, sighting_id: int) -> dict[str, Any]: ...

    def sighting_faces(self, sighting_id: int) -> list[dict[str, Any]]: ...

    def photo_faces(self, photo_id: int) -> list[dict[str, Any]]:
        """One photo's faces (boxes, landmarks) in the order found: what its blurred copies are made from."""
        ...

    def case_head(self, case_id: int) -> dict[str, Any] | None: ...

    def case(self, case_id: int) -> dict[str, Any]: ...

    def candidates(
        self, case_id: int | None, status: CandidateStatus | None, sighting_id: int | None = None,
        group_statuses: Sequence[str] = ("approved",),
    ) -> list[dict[str, Any]]:
        """Candidates of a case (or of a sighting), best first, with every score component; each one's
        ``group_size`` counts its group's sightings in ``group_statuses`` (the reader's: see
        ``access.browsable_statuses``), as the trail shows them. Its ``rank``, ``coarse_rank`` and
        ``rank_of`` are counted as it is read, among the cases verified and open then (none for a
        candidate of a case that is not), and ``case_state`` (``lifecycle.CaseState``) says where its
        case stands."""
        ...

    def photo(self, photo_id: int) -> dict[str, Any] | None:
        """Storage key, owner, its sighting's status and child's face, ``case`` (its case's head): one
        statement, None for no such id. ``face``: the same, with its crop, box, photo key, sighting's
        face ids and confirmations by ``cases`` (what ``access.candidate_visible`` reads)."""
        ...

    def face(self, face_id: int, cases: Sequence[int]) -> dict[str, Any] | None: ...

    def similar_sighting_faces(
        self, embedding: Sequence[float], limit: int, statuses: Sequence[str] = ("approved",),
        found_hidden: bool = False,
    ) -> list[dict[str, Any]]: ...

    def session_principal(self, token_hash: str, now: datetime) -> dict[str, Any] | None: ...

    def token_principal(self, token_hash: str) -> dict[str, Any] | None: ...

    def api_tokens(self) -> list[dict[str, Any]]: ...

    def invitations(self) -> list[dict[str, Any]]: ...

    def invitation(self, token_hash: str, now: datetime) -> dict[str, Any] | None:
        """An invitation still open (email, role, expires_at, inviter_role, inviter_disabled), by its token's hash."""
        ...

    def staff_accounts(self) -> list[dict[str, Any]]:
        """Admins, police, moderators and disabled accounts: id, email, display_name, role, disabled_at."""
        ...

    def outbox_skipped(self) -> int:
        """Emails recorded as not sent because no SMTP server is configured."""
        ...

    def queue(self, name: str, limit: int = 100) -> list[dict[str, Any]]:
        """A moderation queue (sightings, cases, candidates, takedowns), oldest first."""
        ...

    def queue_counts(self) -> dict[str, int]: ...

    def items_to_review(self, case_id: int) -> int:
        """The case's workbench items (one per child's trail), counted as the candidates queue counts them."""
        ...

    def feed_left_at(self) -> datetime | None:
        """When a case last left the feeds (ended, or back to waiting for verification), if one ever did."""
        ...

    def active_cases(self, before: datetime | None, limit: int) -> list[dict[str, Any]]:
        """Verified, open cases, most recently verified first: public fields only (feeds)."""
        ...

    def export_cases(self) -> list[dict[str, Any]]:
        """Verified cases with every column an export needs (``pfif``: the fields a partner sent)."""
        ...

    def export_notes(self) -> list[dict[str, Any]]:
        """Notes attached to verified cases, with ``case_record_id`` and ``case_status``."""
        ...

    def sources(self) -> list[dict[str, Any]]:
        """Every source with its state (for /admin and the reviewers' dashboard)."""
        ...

    def sighting_provenance(self, sighting_id: int) -> list[dict[str, Any]]:
        """Where a sighting came from: posts and emails (for reviewers)."""
        ...

    def same_picture(self, sighting_id: int) -> list[int]:
        """Other sightings holding the same picture (another witness sent it, or it was reposted)."""
        ...

    def statistics(self, as_of: datetime, reports: Sequence[str], cases: Sequence[str],
                   weeks: Sequence[tuple[datetime, datetime]]) -> dict[str, Any]:
        """Raw counts behind the public statistics page, of reports and cases in these statuses as they stood
        at ``as_of``, reports approved in each of ``weeks`` (start, end) (services/stats.py makes them fit
        to publish)."""
        ...

    def review_dashboard(self, days: Sequence[tuple[datetime, datetime]]) -> dict[str, Any]:
        """Queue ages, and reviewers' decisions in each of these spans (a reader's days: start, end)."""
        ...

    def messages(self, case_id: int) -> list[dict[str, Any]]: ...

    def verifications(self, case_id: int) -> list[dict[str, Any]]: ...

    def case_reports(self, case_id: int) -> list[dict[str, Any]]:
        """The reports a message on the case may speak of: its candidates' and their groups' (any status),
        with their place words, other words, point and reporter's contact."""
        ...

    def audit_entries(self, query: AuditQuery) -> list[dict[str, Any]]:
        """At most ``query.limit`` + 1 audit log entries, newest first, with who each actor is."""
        ...

    def case_timeline(self, case_id: int) -> list[dict[str, Any]]:
        """What happened to a case, oldest first: registered, verified, candidates reviewed."""
        ...

    def poster(self, case_id: int) -> dict[str, Any]:
        """The public fields of a verified, open case (NotFound otherwise), and its last-seen pin, which the
        service keeps only as the zone of its ~1 km cell."""
        ...

    def group_trail(self, group_id: int, statuses: Sequence[str]) -> list[dict[str, Any]]:
        """The sightings of one group with these statuses, oldest first."""
        ...

    def duplicates(self, status: str = "open") -> list[dict[str, Any]]:
        """Pairs of cases flagged as possibly one child registered twice, likeliest first: while both cases
        are open (a case rejected as a hoax, closed, reunited or expired has no faces left to compare and
        nothing to link; its flags come back if it is reopened)."""
        ...

    def photo_copies(self, case_ids: Sequence[int]) -> list[dict[str, Any]]:
        """These cases' photos flagged as copies (``domain.photo_copies``): ``case_id``, ``photo_id``, ``kind``,
        the report's ``sighting_id``, ``seen_at``, ``place_text``, ``lat``, ``lon`` (a report's copy), the rejected
        case's ``other_case_id``, ``rejected_at`` and ``reason`` (a rejected case's), oldest first; the flag's ``id``,
        the report's ``sighting_status`` and ``sighting_reason`` (why it was rejected), and ``cleared_at``,
        ``cleared_by``, ``cleared_reason`` (a moderator cleared it: the family's own photo)."""
        ...

    def near_reports(self, case_ids: Sequence[int], faces: float, near: int) -> list[dict[str, Any]]:
        """Each of these cases' photos' child face against the ``near`` nearest faces of reports stored before the
        photo (not removed), none flagged as its copy, those at least ``faces`` alike, most alike first per case:
        ``case_id``, ``photo_id``, ``face_id``, ``report_face_id``, ``sighting_id``, ``similarity``, ``seen_at``,
        ``place_text``, ``lat``, ``lon``, ``sighting_status``."""
        ...

    def photo_copy(self, copy_id: int) -> list[dict[str, Any]]:
        """The flag ``copy_id`` (``id``, ``kind``), where there is one."""
        ...

    def doubles(self, case_ids: Sequence[int]) -> list[Double]:
        """The open flags of these open cases whose other case is open too, seen from each of them
        (``ShortlistStore.doubles``, read outside a transaction: what the pages show)."""
        ...

    def look_alike_faces(self, case_ids: Sequence[int], per_face: int) -> list[dict[str, Any]]:
        """For each face of these cases, the ``per_face`` nearest faces (by the face index) of other open cases,
        verified or waiting, that no account owning the case owns too, whatever their birth dates; each row with
        what ``domain.doubles.FacePair`` reads, and of the other case what a verifier is shown (birth date,
        missing since, the last-seen words and pin, ``registered_by``: family, import, partner or staff, and
        whether it is verified) and the pair's duplicate flag if any (``flag_id``, ``flag_status``). One
        statement for all the cases."""
        ...

    def held_photo_reads(self, case_id: int, photo_ids: Sequence[int], per_face: int) -> dict[str, Any]:
        """What the machine reads of photos held for a moderator on case ``case_id`` (``services.added_check``):
        ``photos`` (each photo's id, whether its faces were found, how many stand for the child, its face ids),
        ``own`` (each of their faces against each face of the case's own photos as verified, with what
        ``domain.doubles.FacePair`` reads), ``others`` (as ``look_alike_faces``, for their faces)."""
        ...

    def poster_outcome(self, case_id: int) -> str | None:
        """How a once-public case (verified, then closed) ended: 'reunited' or 'closed'; None otherwise."""
        ...

    def verification_hours(self, since: datetime) -> float | None:
        """The median hours from registration to verification of cases verified since then (None: too few)."""
        ...
