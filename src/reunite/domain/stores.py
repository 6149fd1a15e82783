"""The parts of the unit of work that serve people rather than matching: accounts and sessions,
moderation and follow-up, reports (exchange: ``exchange_stores``). ``ports.UnitOfWork`` combines them with the rest."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from reunite.domain.model import PhotoOwner, SeenPlace, SeenTime
from reunite.domain.quality import ReportPhoto


@dataclass(frozen=True)
class AccountRow:
    id: int
    email: str
    display_name: str
    password_hash: str
    role: str
    language: str
    disabled: bool


class PeopleStore(Protocol):
    """Accounts, sessions, tokens, invitations, rate counters: written inside a unit of work."""

    def add_account(self, email: str, display_name: str, password_hash: str, role: str, language: str) -> int:
        """Raises Conflict when the email is taken."""
        ...

    def account_by_email(self, email: str) -> AccountRow | None: ...

    def add_session(self, token_hash: str, account_id: int, expires_at: datetime) -> None: ...

    def end_session(self, token_hash: str) -> None: ...

    def account_by_id(self, account_id: int) -> AccountRow | None: ...

    def set_password(self, account_id: int, password_hash: str) -> None: ...

    def set_account_language(self, account_id: int, language: str) -> str | None:
        """The language the account's emails are written in, set; the one it had (None: no such account)."""
        ...

    def end_sessions(self, account_id: int, keep: str | None = None) -> int:
        """Sign the account out everywhere but the session whose token hash is ``keep``; how many ended."""
        ...

    def add_api_token(
        self, name: str, token_hash: str, scopes: Sequence[str], domains: Sequence[str], created_by: str,
        issued_by: int | None = None,
    ) -> int:
        """A new token; with ``issued_by``, only while that token is still valid (else NotFound)."""
        ...

    def token_exists(self, token_id: int) -> bool:
        """Whether the token exists, its row locked ``FOR UPDATE`` until the commit: a write it is making
        (``token_holds``) is waited for."""
        ...

    def revoke_api_token(self, token_id: int, at: datetime) -> list[int] | None:
        """Revoke a token and every token issued from it, down the line (the token's row locked ``FOR UPDATE``: a
        write holding it ``token_holds`` is waited for); the ids newly revoked (empty when it already was), or None
        when no such token exists."""
        ...

    def token_holds(self, token_id: int) -> bool:
        """Whether the token was not revoked, its row locked ``FOR SHARE`` until the commit: a revocation (of it, of a
        token it came from, of the account that issued it) waits for this transaction, or this one reads it revoked.
        No row names it (none is ever deleted): nothing revoked it."""
        ...

    def account_holds(self, account_id: int) -> tuple[str, bool] | None:
        """The account's role and whether it is enabled, its row locked ``FOR SHARE`` until the commit: disabling it
        or changing its role waits for this transaction, or this one reads it so. None: no row names it (none is ever
        deleted)."""
        ...

    def add_invitation(self, token_hash: str, email: str, role: str, invited_by: int, expires_at: datetime) -> int: ...

    def take_invitation(self, token_hash: str, now: datetime) -> tuple[str, str, AccountRow] | None:
        """Mark an unused, unexpired invitation used; its (email, role, inviter's account, locked), or None."""
        ...

    def invitation_for_change(self, invitation_id: int) -> tuple[str, bool, datetime] | None:
        """Its role, whether it was accepted and when it ends (row locked); None: no such invitation."""
        ...

    def withdraw_invitation(self, invitation_id: int, now: datetime) -> str | None:
        """End a pending invitation now; the invitee's email, or None when none with this id is pending."""
        ...

    def end_issued(self, account_id: int, now: datetime) -> tuple[list[int], int]:
        """Revoke every API token the account issued (and every token issued from those) and end its
        pending invitations; the tokens revoked and how many invitations."""
        ...

    def set_role(self, account_id: int, role: str) -> None: ...

    def set_disabled(self, account_id: int, at: datetime | None) -> None: ...

    def other_enabled_admins(self, account_id: int) -> int:
        """How many enabled admins there are besides this account (locked until the transaction ends)."""
        ...

    def add_case_owner(self, case_id: int, account_id: int) -> None: ...

    def case_photo_digests(self, case_id: int) -> set[str]:
        """The SHA-256 of each photo the case holds."""
        ...

    def count_hit(self, key: str, window_start: datetime, n: int = 1) -> int:
        """Add ``n`` (one) to the counter of ``key`` in this window; the count so far."""
        ...

    def uncount_hit(self, key: str, window_start: datetime, n: int = 1) -> None:
        """Take back ``n`` (one) counts of ``key`` in this window (a request that turned out not to count)."""
        ...

    def hits(self, key: str, window_start: datetime) -> int:
        """How many times ``key`` was counted in that window so far (0 if never); counts nothing."""
        ...

    def counts_since(self, key: str, since: datetime) -> list[tuple[datetime, int]]:
        """Each window of ``key`` starting at or after ``since`` that counted something: its start and count,
        oldest first (a sliding window's minutes); the key's windows before ``since`` are forgotten."""
        ...

    def backoff(self, key: str) -> tuple[int, datetime | None, datetime] | None:
        """(failures, locked until, last failure) of ``key``, locked for update; None if none."""
        ...

    def set_backoff(self, key: str, failures: int, locked_until: datetime | None, at: datetime) -> None: ...

    def clear_backoff(self, key: str) -> None: ...


class ModerationStore(Protocol):
    """State changes made by moderators, police and families, inside a unit of work."""

    def moderate_sighting(self, sighting_id: int, status: str, reason: str, by: str, at: datetime) -> bool:
        """Set the moderation status; False when it already was so, for the same reason (nothing written)."""
        ...

    def unprocessed_photos(self, sighting_id: int) -> int:
        """How many of the sighting's photos are still waiting for face detection."""
        ...

    def report_state(self, sighting_id: int) -> dict[str, Any]:
        """The report locked until the commit: its ``status``, ``moderation_reason``, ``version`` (the stamp a
        moderator's page shows) and whether its reporter ``added_later`` photos (through the private link)."""
        ...

    def child_face_state(self, sighting_id: int) -> tuple[str | None, int, int | None]:
        """The report's status (None: no such report), its faces and the one marked as the child's."""
        ...

    def set_child_face(self, sighting_id: int, face_id: int | None) -> None: ...

    def set_family_summary(self, sighting_id: int, summary: str) -> bool:
        """A moderator's words for families; False when they already were these (nothing written)."""
        ...

    def set_shared_texts(self, case_id: int, texts: Mapping[str, str]) -> list[str]:
        """A case's free texts as a moderator approved them for sharing, by name (``access.SHARED_TEXTS``:
        description, marks); the names of those that changed (the others already were these: nothing written)."""
        ...

    def hold_for_sharing(self, case_id: int, names: Sequence[str], ask: bool, at: datetime) -> dict[str, str]:
        """Withdraw what was approved for sharing of these free texts (``names``), their source having rewritten
        them (the row locked until the commit); ``ask``: the case waits for a moderator to approve them again
        (``sharing_review_since``: ``at``, or since it waited already). The texts withdrawn (not empty), by name."""
        ...

    def sharing_reviewed(self, case_id: int) -> bool:
        """The case no longer waits for a moderator to approve its texts for sharing; False when it did not."""
        ...

    def set_case_status(self, case_id: int, status: str, at: datetime, keep_data: bool = True) -> None: ...

    def case_state(self, case_id: int, shared: bool = False) -> tuple[str, bool]:
        """The case's status and whether it was verified, locked until the transaction ends (NotFound);
        ``shared``: locked only against changes (``FOR SHARE``), so that deciding its leads and adding
        candidates to it never wait for each other, while a change of its state waits for them."""
        ...

    def case_keeps_data(self, case_id: int) -> bool:
        """Whether the family's photos were kept when the case was closed (True for an open case)."""
        ...

    def reopen_case(self, case_id: int, at: datetime) -> None:
        """Open again, waiting for verification (verified and closed dates cleared); a case verified and open
        once (partners may hold a copy) is withdrawn from them ``at`` (the exports' placeholder)."""
        ...

    def mark_found(self, case_id: int, at: datetime) -> int:
        """Record the reports of the child a case closed as reunited found (``found_sightings``): those confirmed
        for it or named by a check of it that matched, and every report of their trails. How many were new."""
        ...

    def spread_found(self, group_id: int, at: datetime) -> int:
        """A trail holding a found child's report: record its every report as found too. How many were new."""
        ...

    def withdraw_found_proposals(self, case_id: int | None = None, group_id: int | None = None) -> int:
        """Withdraw the undecided machine proposals of found reports (those found for ``case_id``, or of trail
        ``group_id``) for every other case (probe s35 J2): a found child is no other family's lead. How many."""
        ...

    def supersede_verifications(self, case_id: int, at: datetime) -> list[int]:
        """A case reopened: the checks recorded on it so far are superseded ``at`` (history, no longer current).
        Their ids."""
        ...

    def unmark_found(self, case_id: int) -> list[int]:
        """A case reopened from its reunion: the reports it found are no longer recorded as found for it. Their
        ids, in order."""
        ...

    def case_is_active(self, case_id: int) -> bool:
        """Open and verified: matched, alerted, postered."""
        ...

    def add_message(self, case_id: int, author: str, from_family: bool, body: str) -> int: ...

    def repeated_message(self, case_id: int, author: str, body: str, within: timedelta) -> int | None:
        """The case's last message, when it is this author's with this body, written within ``within``
        (nobody wrote since: the same message sent again is a retry)."""
        ...

    def add_verification(
        self, case_id: int, candidate_id: int | None, method: str, result: str, notes: str, by: str
    ) -> int: ...

    def remove_photos(self, owner: PhotoOwner, owner_id: int) -> list[str]:
        """Delete the photos and faces (and so candidates) of a record; the storage keys to delete."""
        ...

    def blank_sighting(self, sighting_id: int, status: str, at: datetime) -> None:
        """Leave a placeholder: the id, the date and the status; nothing personal."""
        ...

    def confirmed_cases(self, sighting_id: int) -> list[int]:
        """The cases for which a reviewer confirmed this sighting."""
        ...

    def orphan_checks(self, sighting_id: int, why: str, at: datetime) -> list[tuple[int, int, str]]:
        """The checks (verifications) recorded on this sighting's candidates, before they are deleted with it,
        marked as about a sighting gone (``why``: withdrawn, removed, expired) at ``at``: (id, case id, result)."""
        ...

    def blank_case(self, case_id: int, status: str, at: datetime) -> None:
        """Every personal field emptied (names, dates, places, contacts, police report, partner record),
        its messages deleted and its verifications' notes emptied: id, dates and status stay."""
        ...

    def add_takedown(self, subject: str, subject_id: int, requester: str, relation: str, reason: str) -> int: ...

    def pending_takedowns(self, subject: str, subject_id: int, requester: str, relation: str,
                          reason: str) -> list[int]:
        """The same request still waiting, oldest first: about this record, from this requester (compared
        without case), with the same relation and reason. A different request about the record is not it;
        who sent each is for the caller to tell (``retention.request_takedown``)."""
        ...

    def takedown_subject(self, takedown_id: int) -> tuple[str, int]:
        """What a request is about: (subject, subject_id). NotFound for no such request."""
        ...

    def close_takedowns(self, subject: str, subject_id: int, status: str, evidence: str,
                        by: str, at: datetime) -> list[int]:
        """Record ``status`` on every request still waiting about this record; their ids."""
        ...

    def resolve_takedown(self, takedown_id: int, status: str, evidence: str,
                         by: str, at: datetime) -> tuple[str, int, str]:
        """Record the decision of a waiting request: (subject, subject_id, "pending"). A request decided
        already is left as it is: (subject, subject_id, its decision). NotFound for no such request."""
        ...

    def expired(self, sightings_before: datetime, cases_closed_before: datetime,
                now: datetime, rejected_before: datetime | None = None) -> tuple[list[int], list[int]]:
        """Sighting ids reported before, or rejected before ``rejected_before``, and case ids closed before,
        the cut-offs, and cases whose own ``expiry_date`` (PFIF) has passed, not yet blanked."""
        ...

    def storage_keys_unused(self, keys: Sequence[str]) -> list[str]:
        """Of these keys (content-addressed), those no remaining photo or face refers to."""
        ...


class ReportStore(Protocol):
    """A reporter's own report, found by its receipt or by the phone's key for it."""

    def set_receipt(self, sighting_id: int, receipt: str, client_key: str | None) -> None: ...

    def report_by_client_key(self, client_key: str) -> dict[str, Any] | None: ...

    def report_by_receipt(self, receipt: str, lock: bool = False) -> dict[str, Any] | None:
        """The report with this receipt (None: none has it); with ``lock``, its row locked until the commit."""
        ...

    def receipt_of(self, sighting_id: int) -> str:
        """The receipt of the report with this number ('' if none: no such report, or one without a receipt)."""
        ...

    def report_helped(self, sighting_id: int) -> bool:
        """Whether a lead a reviewer confirmed on this report belongs to a case closed as reunited."""
        ...

    def report_found(self, sighting_id: int) -> bool:
        """Whether this report is a found child's (``mark_found``): no family or partner reads it any more."""
        ...

    def add_report_details(self, sighting_id: int, description: str, contact: str) -> None: ...

    def set_seen_time(self, sighting_id: int, seen: SeenTime, day_zone: str = "") -> None:
        """The sighting's time and how it was obtained, its photos dated by it; ``day_zone``: the zone its day
        is read in then ('' the site's)."""
        ...

    def set_place(self, sighting_id: int, placed: SeenPlace, words: str, day_zone: str = "") -> None:
        """The sighting's place (a position, else ``words`` alone) and how it was obtained, given later by its
        reporter, or its photo's position set aside used by a moderator (no longer set aside then); ``day_zone``:
        the zone its day is read in then ('' the site's)."""
        ...

    def set_face_problem(self, photo_id: int, problem: str | None) -> None:
        """Why the photo's faces are poor for matching (``domain.quality``); None: fine."""
        ...

    def report_photos(self, sighting_id: int) -> list[ReportPhoto]:
        """Each photo of a report, oldest first."""
        ...
