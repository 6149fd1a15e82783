"""A case's life: the one table of the status changes allowed, used by every service that changes one.

A case is waiting (registered, not yet verified), active (verified and open: matched, on a poster),
or ended: reunited, closed, rejected (not real, or not verifiable) or expired (blanked, for good: its
retention ended or a takedown removed it; nothing is left to reopen).
Anything the table does not list is refused with a reason (409), except the same change asked again
once it happened (a double tap, a retry after a lost answer): the case is already where it leads, and
the answer is the first one's, with nothing written twice (``settled``)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import UTC
from typing import Any

from reunite.domain.errors import Conflict


class CaseState(enum.StrEnum):
    """Where a case stands; the values are the words shown to people (translated)."""

    WAITING = "waiting for verification"
    ACTIVE = "verified and open"
    REUNITED = "reunited"
    CLOSED = "closed"
    REJECTED = "rejected"
    EXPIRED = "expired"

    @property
    def status(self) -> str:
        """The case's stored status (``cases.status``)."""
        return "open" if self in (CaseState.WAITING, CaseState.ACTIVE) else self.value

    @property
    def verified(self) -> bool:
        return self is CaseState.ACTIVE


class CaseAction(enum.StrEnum):
    VERIFY = "verify"  # a moderator checked the police report or documents
    REJECT = "reject"  # a moderator found it false or could not verify it
    CLOSE = "close"  # a caseworker ends it for another reason than a reunion
    REUNITE = "reunite"  # a caseworker ends it as reunited (after a verification that matched)
    REOPEN = "reopen"  # a moderator undoes an ending: the case waits for verification again
    HOLD = "hold"  # found to be possibly a child another account registered (and had verified) first: it waits again
    IMPORT = "import"  # a partner registry sends a newer version of its record (PFIF)
    WITHDRAW = "withdraw"  # a partner registry's record expired or became a placeholder (PFIF)
    EXPIRE = "expire"  # retention: blanked for good
    TAKE_DOWN = "take down"  # a takedown request approved: blanked for good
    REMOVE = "remove"  # an open case removed on request: hidden (closed), kept while it can be restored
    RESTORE = "restore"  # a removal undone within its window: open again as it was (verified or not)
    CORRECT = "correct"  # its registrant corrects its facts (docs/decisions/0007): it stays where it is


W, A, U, C, R, X = (CaseState.WAITING, CaseState.ACTIVE, CaseState.REUNITED, CaseState.CLOSED,
                    CaseState.REJECTED, CaseState.EXPIRED)
TRANSITIONS: dict[tuple[CaseState, CaseAction], CaseState] = {
    (W, CaseAction.VERIFY): A,
    (W, CaseAction.REJECT): R, (A, CaseAction.REJECT): R,
    (W, CaseAction.CLOSE): C, (A, CaseAction.CLOSE): C,
    (A, CaseAction.REUNITE): U, (A, CaseAction.HOLD): W,
    (U, CaseAction.REOPEN): W, (C, CaseAction.REOPEN): W, (R, CaseAction.REOPEN): W,
    (W, CaseAction.IMPORT): W, (A, CaseAction.IMPORT): A,
    (W, CaseAction.WITHDRAW): X, (A, CaseAction.WITHDRAW): X,
    **{(s, CaseAction.EXPIRE): X for s in (W, A, U, C, R)},
    **{(s, CaseAction.TAKE_DOWN): X for s in (W, A, U, C, R)},
    (W, CaseAction.REMOVE): C, (A, CaseAction.REMOVE): C,
    (W, CaseAction.CORRECT): W, (A, CaseAction.CORRECT): A,
    (C, CaseAction.RESTORE): A,  # the case's verification is kept: restore_case reopens it as it stood
}
# where each ending action leaves the case: asked again there, it is a retry of what already happened
SETTLED = {(A, CaseAction.VERIFY), (R, CaseAction.REJECT), (C, CaseAction.CLOSE), (U, CaseAction.REUNITE)}
del W, A, U, C, R, X

REFUSALS = {  # why an action is refused, whatever the state ({state}: where the case stands)
    CaseAction.VERIFY: "case {id} is {state}: only a case waiting for verification can be verified",
    CaseAction.REJECT: "case {id} is {state}: only a case that is still open can be rejected",
    CaseAction.CLOSE: "case {id} is {state}: only an open case can be closed",
    CaseAction.REUNITE: "case {id} is {state}: only a verified open case can be closed as reunited",
    CaseAction.REOPEN: "case {id} is {state}: only a reunited, closed or rejected case can be reopened",
    CaseAction.HOLD: "case {id} is {state}: only a verified open case is held for a second look",
    CaseAction.IMPORT: "case {id} is {state}: an import does not change or reopen it",
    CaseAction.WITHDRAW: "case {id} is {state}: only an open case expires with its partner's record",
    CaseAction.EXPIRE: "case {id} is {state}: it has already expired",
    CaseAction.TAKE_DOWN: "case {id} is {state}: it has already expired",
    CaseAction.REMOVE: "case {id} is {state}: only an open case is removed and kept for a while first",
    CaseAction.RESTORE: "case {id} is {state}: only a case removed on request, not yet deleted, can be restored",
    CaseAction.CORRECT: "case {id} is {state}: only an open case can be corrected",
}


def state_of(status: str, verified: bool) -> CaseState:
    if status == "open":
        return CaseState.ACTIVE if verified else CaseState.WAITING
    return CaseState(status)


def read_as(state: CaseState, case: Mapping[str, Any] | None = None) -> str:
    """What a case's ``version`` starts with (``corrections.version``): where the case stood when it was read, and, of a
    verified or ended one, since when (``case``'s ``verified_at``, ``closed_at``): a case reopened and rejected again,
    or held back and verified again, since the page was read is not where that page left it."""
    word = {CaseState.WAITING: "waiting", CaseState.ACTIVE: "verified"}.get(state, state.value)
    since = None if case is None else case.get("verified_at" if state is CaseState.ACTIVE else "closed_at")
    if since is None or state is CaseState.WAITING:
        return word
    return f"{word}-{since.astimezone(UTC).strftime('%Y%m%dT%H%M%S%f')}"


def case_state(case: Mapping[str, Any]) -> CaseState | None:
    """Where a case as read (its ``status`` and ``verified_at``) stands now: the one reading of the words
    people are shown for it (the case page, "My account", a lead's case). A verification is kept after a
    case ends (``verified_at``), so only an open case reads it; a case held again or reopened waits for
    verification (its ``verified_at`` cleared). None for a status no state names (``withdrawn``: a case
    found false or taken down, as a reader who may not know why reads it)."""
    status = str(case.get("status"))
    if status not in {state.status for state in CaseState}:
        return None
    return state_of(status, case.get("verified_at") is not None)


def allowed(state: CaseState, action: CaseAction) -> bool:
    return (state, action) in TRANSITIONS


def settled(state: CaseState, action: CaseAction) -> bool:
    """Whether the case already is where ``action`` leads: the same change asked again (not a reopen,
    which leaves a case waiting as many a case is that was never ended)."""
    return (state, action) in SETTLED


def transition(case_id: int, state: CaseState, action: CaseAction) -> CaseState:
    """The state after ``action``; Conflict (409, saying why) when the table does not allow it."""
    after = TRANSITIONS.get((state, action))
    if after is None:
        raise Conflict(REFUSALS[action], field="status", id=case_id, state=state.value)
    return after


def ends_first_confirmations(before: CaseState, after: CaseState) -> bool:
    """Whether a change of a case's state ends the first (four-eyes) confirmations of its leads: one is given
    while the case is verified and open, for that verification; leaving that state (rejected, closed,
    reunited, held again, expired) or entering it anew (verified again) ends it. A change within it (a
    partner's newer record) does not."""
    return before is not after and CaseState.ACTIVE in (before, after)


def confirmable(state: CaseState) -> bool:
    """Whether a lead of a case in this state may be confirmed: only while the case is verified and open.
    A confirmation tells a family that a sighting is their child (at once, or once it is verified again);
    a case waiting for verification (never verified, reopened, or held back as possibly a child another
    account registered first) has no family vouched for, and an ended one has nobody to tell. Dismissing
    tells nobody anything (families never read dismissals), so it stays open in every state."""
    return state is CaseState.ACTIVE


def require_confirmable(case_id: int, state: CaseState) -> None:
    """Conflict (409, naming where the case stands) when a lead of this case may not be confirmed now."""
    if not confirmable(state):
        raise Conflict("case {id} is {state}: a lead is confirmed only while its case is verified and open; it may still be dismissed",  # noqa: E501
                       field="status", id=case_id, state=state.value)


def require_kept(case_id: int, state: CaseState) -> None:
    """An expired case is a placeholder for good: nothing (a message, a verification) is added to it."""
    if state is CaseState.EXPIRED:
        raise Conflict("case {id} has expired: nothing can be added to it", id=case_id)
