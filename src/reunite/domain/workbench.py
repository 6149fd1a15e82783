"""Rules of the reviewers' workbench: how long a claim holds, the one-key reasons, how long a decision
may be undone, when a queue is overloaded for the people working it; and the store it needs."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from reunite.domain.errors import InvalidInput, bounded
from reunite.domain.text_limits import REASON_LIMIT

# the item a reviewer was given is theirs while it is on their screen: others are given other items, and
# one who opens it anyway reads who holds it until when, and may take it over (audited); then anyone may
CLAIM = timedelta(minutes=5)
LATER = timedelta(hours=1)  # "next": back in this reviewer's queue after the others
SKIP = timedelta(days=3650)  # "skip": not for this reviewer; others still see it
# a dismissed lead the family writes on again goes back to the reviewers once per this long: further notes
# within it are kept and shown, but do not put it back in the queue (probe s19 S8)
SECOND_LOOK_COOL_DOWN = timedelta(hours=24)

# one key each (1..5) on the workbench; stored as written here, shown translated
DISMISS_REASONS = ("a different child", "the face is not clear enough", "the age does not fit",
                   "the time or place does not fit", "a duplicate of another lead")
REJECT_REASONS = ("not relevant", "no child in the photos", "abusive", "duplicate", "unsafe to show")


# why a report approved before its faces were known (sent by staff, approved on arrival) waits again
CHOOSE_CHILD_FACE = "its photos show several faces: choose the child's face, or say that it is not among them"


def waits_for_report(candidate: dict[str, Any]) -> bool:
    """A proposed candidate whose report no moderator has approved yet: nobody confirms it before (its
    photo unchecked, its bystanders not settled), so it is no candidate to review, listed after those that
    are with a link to approve its report; the queue and the workbench do not count it
    (``adapters.db.workbench.OPEN``: proposed, its report approved, its case open)."""
    return candidate["status"] == "proposed" and candidate.get("sighting_status") != "approved"


def needs_child_face(face_count: int, marked: int | None) -> bool:
    """Several faces, none marked as the child's: somebody must choose before families see the report."""
    return face_count > 1 and marked is None


def require_child_face(sighting_id: int, face_count: int, marked: int | None, decided: bool) -> None:
    """A report whose photos show several faces, none marked as the child's, is approved only once the
    moderator says which face is the child's, or ``decided`` that it is not among them: approved
    otherwise it would have no child face (every face blurred for families, not searched by photo,
    grouped nor matched) without anybody having chosen so."""
    if needs_child_face(face_count, marked) and not decided:
        raise InvalidInput("report {id} shows {n} faces and none is marked as the child's: choose the child's face, or say that the child's face is not among them, then approve it again",  # noqa: E501
                           field="child_faces", id=sighting_id, n=face_count)


class Action(enum.StrEnum):
    CONFIRM = "confirm"
    DISMISS = "dismiss"
    SKIP = "skip"
    LATER = "later"


class FamilyAnswer(enum.StrEnum):
    MAYBE = "maybe"  # "this may be my child"
    NOT = "not"  # "not my child"


@dataclass(frozen=True)
class FamilyWord:
    """One word a family sent on a candidate: its answer, its note (maybe empty) and when. Every one is
    kept (reviewers read them all, the family reads what it sent); the latest is the family's answer."""

    answer: str
    note: str
    at: datetime


def word_is_new(said: Sequence[FamilyWord], answer: str, note: str) -> bool:
    """Whether a family's word adds to what it said on this candidate already (``said``, oldest first):
    another answer than its latest (a family may change its mind: "not my child", later "this may be my
    child"), or a note it has not sent before. The same answer again with no note or a note it sent already
    (a double tap, a page sent again, the form sent once more) adds nothing: nothing is kept, reviewers
    are not told again."""
    if not said or said[-1].answer != answer:
        return True
    return bool(note) and note not in {word.note for word in said}


def reason_of(raw: str, reasons: tuple[str, ...]) -> str:
    """A reason typed (one longer than ``REASON_LIMIT``: refused, never cut), or chosen by its key (1..n)."""
    raw = raw.strip()
    if raw.isdigit() and 1 <= int(raw) <= len(reasons):
        return reasons[int(raw) - 1]
    return bounded(raw, REASON_LIMIT, "reason")


# each moderators' queue (``ReadModel.queue_counts``'s keys) as reviewers read it, in emails and on pages (the
# keys are no words: "sharing: 0", probe s37 K8); translated as messages
QUEUE_WORDS = {
    "sightings": "reports to review",
    "cases": "cases to check",
    "sharing": "case words a partner registry changed",
    "corrections": "case corrections to check",
    "candidates": "candidates to review",
    "families": "families waiting for an answer",
    "takedowns": "removal requests",
}


def queue_words(name: str) -> str:
    """The queue ``name`` in words (English: the message to translate)."""
    return QUEUE_WORDS.get(name, name)


@dataclass(frozen=True)
class QueueLoad:
    """A queue's backlog against the reviewers who work it."""

    name: str
    waiting: int
    oldest_hours: float
    reviewers: int  # active in the last week (at least one)
    days_of_work: float
    alarm: bool


def queue_load(name: str, waiting: int, oldest_hours: float, reviewers: int, per_reviewer_per_day: int,
               max_wait_hours: float) -> QueueLoad:
    """Alarm when the people at hand cannot clear the queue within ``max_wait_hours`` at their usual
    pace, or when its oldest item already waited longer: the bar rises with the reviewers, and a
    single old item in a short queue still counts."""
    people = max(1, reviewers)
    days = waiting / (people * max(1, per_reviewer_per_day))
    alarm = days * 24 > max_wait_hours or (waiting > 0 and oldest_hours > max_wait_hours)
    return QueueLoad(name, waiting, round(oldest_hours, 1), people, round(days, 2), alarm)


@dataclass(frozen=True)
class Held:
    """A candidate as the workbench holds it in a transaction (row locked)."""

    case_id: int
    status: str
    claimed_by: str | None
    claim_expires_at: datetime | None
    first_confirmed_by: str | None


def held_by_other(claimed_by: str | None, until: datetime | None, me: str, now: datetime) -> bool:
    """Another reviewer holds this candidate now (their claim has not expired): a decision on it is theirs,
    unless the one deciding says they take it over (from the page that showed whose it is)."""
    return claimed_by is not None and claimed_by != me and until is not None and until >= now


# the reviewer every token issued from the command line counts as (no account issued it: nobody else can tell
# who holds it, so all of them together are one pair of eyes, the operator's, as the command line itself is)
COMMAND_LINE = "operator"


def person_of(actor: str, line_issued_by: str | None) -> str:
    """The person behind a reviewer's decision, for four eyes (``actor`` as the audit log names it; for a token,
    ``line_issued_by``: who issued the first token of its line, a token issued by a token being issued by that
    token's line). An account is itself; a token counts as the account that issued its line; a token the
    command line issued counts as the command line (``COMMAND_LINE``), one reviewer for all such tokens; a
    token no longer found counts as itself."""
    if not actor.startswith("token:"):
        return actor
    if line_issued_by is None:
        return actor
    return line_issued_by if line_issued_by.startswith("account:") else COMMAND_LINE


class Left(enum.StrEnum):
    """Why a dismissal in bulk (the moderation page's list: many at once, no side-by-side look, nobody's
    item taken over) leaves a candidate as it is."""

    DISMISSED = "dismissed"  # dismissed already (the form sent twice): nothing to do
    DECIDED = "decided"  # confirmed: a decision already taken stands (its family may have been told)
    FIRST_CONFIRMED = "first_confirmed"  # four eyes: a reviewer confirmed it; a second one decides it, side by side
    HELD = "held"  # another reviewer is looking at it now


def left_by_bulk(held: Held, me: str, now: datetime) -> Left | None:
    """Why a dismissal in bulk by reviewer ``me`` leaves this candidate as it is; None when it dismisses it.
    The workbench's rules: a decided candidate keeps its decision, one another reviewer holds is theirs
    (the workbench and the API take it over only when asked to, audited); and a first confirmation is
    answered by a second reviewer who looked at the faces side by side, never by a tick in a list."""
    if held.status != "proposed":
        return Left.DISMISSED if held.status == "dismissed" else Left.DECIDED
    if held_by_other(held.claimed_by, held.claim_expires_at, me, now):
        return Left.HELD
    if held.first_confirmed_by is not None:
        return Left.FIRST_CONFIRMED
    return None


@dataclass(frozen=True)
class BulkDismissal:
    """What a dismissal in bulk did: the candidates it dismissed, and those it left as they were, by why."""

    dismissed: tuple[int, ...]
    left: dict[Left, tuple[int, ...]]


class WorkbenchStore(Protocol):
    """Claims, passes, two-reviewer confirmation and families' answers, inside a unit of work."""

    def claim_next(self, reviewer: str, now: datetime, lead_share: float | None) -> int | None:
        """Claim (until ``now + CLAIM``) the next candidate this reviewer may decide, keeping one they
        already hold, with every other candidate of its item (``item_candidates``); its id, or None when
        nothing is left for them. Leads by the face (impostor share at most ``lead_share``, the operating
        point; None: uncalibrated, every one is) come before candidates only a family's word keeps, so the
        family's word puts a lead first but never a face that is no lead above the machine's proposals."""
        ...

    def item_candidates(self, candidate_id: int, reviewer: str, now: datetime) -> list[int]:
        """Lock and list the candidates a decision on this one's workbench item covers: the proposed
        candidates of its case and trail (its report, or its group's reports: one child seen again,
        reposts of a picture), on approved reports, none held by another reviewer; itself included
        while proposed."""
        ...

    def hold(self, candidate_id: int) -> Held:
        """Lock the candidate's row; NotFound when it does not exist."""
        ...

    def set_claim(self, candidate_id: int, reviewer: str | None, until: datetime | None) -> None: ...

    def person_of(self, actor: str) -> str:
        """The person behind ``actor`` for four eyes (``person_of``): a token as the account that issued its line."""
        ...

    def clear_first_confirmations(self, case_id: int) -> list[tuple[int, str]]:
        """Clear the first (four-eyes) confirmations of the case's candidates still waiting for a second one;
        each one cleared: its candidate and who had given it."""
        ...

    def add_pass(self, candidate_id: int, reviewer: str, until: datetime) -> None: ...

    def first_confirm(self, candidate_id: int, reviewer: str | None, at: datetime | None) -> None: ...

    def reopen(self, candidate_id: int, at: datetime) -> None:
        """Back to proposed: the review undone (the first reviewer's confirmation too)."""
        ...

    def family_reopen(self, candidate_id: int, at: datetime, cool_down: timedelta) -> bool:
        """A dismissed candidate the family wrote on again back to proposed, marked with the date of the
        dismissal it undoes, unless the family brought it back within ``cool_down`` already; whether it did."""
        ...

    def last_decision(self, reviewer: str, since: datetime) -> list[int]:
        """The candidates of this reviewer's latest decision (or first confirmation) after ``since``:
        one workbench item's, decided at one instant."""
        ...

    def family_words(self, candidate_id: int) -> list[FamilyWord]:
        """Every word the family sent on this candidate, oldest first."""
        ...

    def add_family_word(self, candidate_id: int, answer: str, note: str, at: datetime) -> int:
        """Keep one more word of the family on this candidate, which becomes its answer (the latest);
        returns the case id (NotFound when the candidate does not exist)."""
        ...

    def candidate_of_face(self, case_id: int, sighting_face_id: int) -> tuple[int, str] | None:
        """The case's candidate for this face of a sighting (its id and status), locked; None if none."""
        ...

    def add_family_candidate(self, case_id: int, sighting_id: int, sighting_face_id: int,
                             values: dict[str, Any], at: datetime) -> int:
        """A new candidate the family proposed (scored by ``values``); its id."""
        ...


class WorkbenchReads(Protocol):
    def workbench_item(self, candidate_id: int, group_statuses: Sequence[str] = ("approved",)) -> dict[str, Any]:
        """One candidate with its case (photos with dates) and its sighting (photos, faces)."""
        ...

    def item_members(self, candidate_id: int, group_statuses: Sequence[str] = ("approved",)) -> list[dict[str, Any]]:
        """Every candidate (any status) of this one's workbench item: its case and its trail's reports,
        as ``workbench_item`` reads each, newest sighting first."""
        ...

    def reviewer_name(self, actor: str) -> str:
        """How other reviewers know the reviewer behind ``actor``: their name and address."""
        ...

    def workbench_progress(self, reviewer: str, now: datetime, since: datetime) -> dict[str, int]:
        """``left`` (candidates this reviewer may still take) and ``done`` (decided by them since)."""
        ...

    def queue_oldest_hours(self, now: datetime) -> dict[str, float]: ...

    def active_reviewers(self, since: datetime) -> int: ...

    def family_proposed(self, case_id: int, since: datetime) -> int:
        """How many sightings the case's family said "this may be my child" of since then (probe s21 U6)."""
        ...
