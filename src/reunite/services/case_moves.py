"""The one way a case's state changes (``domain.lifecycle``): read under a row lock, the change checked
against the lifecycle's table (409 saying why otherwise), and what a change of state ends on the way: a
first (four-eyes) confirmation holds only for the stretch of "verified and open" it was given in; a case that
ends, or goes back to waiting for verification, tells the webhooks alerted to it (``reach.case_ended``), and
one verified and open again tells those that were told it ended (``reach.deliver_restored``)."""

from __future__ import annotations

from datetime import datetime

from reunite.domain.abuse import new_token
from reunite.domain.corrections import as_registered
from reunite.domain.corrections import version as case_version
from reunite.domain.errors import Conflict
from reunite.domain.lifecycle import (
    CaseAction,
    CaseState,
    ends_first_confirmations,
    read_as,
    require_kept,
    settled,
    state_of,
)
from reunite.domain.lifecycle import transition as allowed_move
from reunite.domain.ports import UnitOfWork

# the email a case's family gets of each change (``case_notices.tell_family``), and where the case stands after it: a
# notice whose case has moved on since (verified, then held back before the worker ran) is not sent; the job is
# named by a key of its own (``change``), which its retries share: each address is told once
NOTICES = {CaseAction.VERIFY: ("case_verified", CaseState.ACTIVE), CaseAction.HOLD: ("case_held", CaseState.WAITING),
           CaseAction.REJECT: ("case_rejected", CaseState.REJECTED),
           # a case closed: as reunited, a warm word; otherwise, what happened only (probe s33 G2)
           CaseAction.REUNITE: ("case_reunited", CaseState.REUNITED),
           CaseAction.CLOSE: ("case_closed", CaseState.CLOSED)}
ENDINGS = frozenset({CaseState.REUNITED, CaseState.CLOSED, CaseState.REJECTED, CaseState.EXPIRED})
# why a correction still waiting when its case ends is settled undecided (probe s33 G2): none decides it after
DROPPED = "the case was closed"


def ends_for_partners(before: CaseState, after: CaseState) -> bool:
    """Whether partners told of a case (its webhooks' alerts, the exports) are to take it down: it ended
    (``ENDINGS``), or it left "verified and open" another way: held back as possibly a child another account
    registered first, or any change the lifecycle allows back to waiting for verification (probe s25 Y2). For
    a partner each reads alike: the case is withdrawn, never why."""
    return after in ENDINGS or (before is CaseState.ACTIVE and after is not CaseState.ACTIVE)


def move_case(uow: UnitOfWork, case_id: int, action: CaseAction, actor: str) -> CaseState:
    """The case's state after ``action`` (domain.lifecycle's table), its row locked until the commit;
    Conflict when the case may not change so. The caller writes the change; what the change ends is
    ended here (``_moved``), by ``actor``."""
    status, verified = uow.case_state(case_id)
    before = state_of(status, verified)
    after = allowed_move(case_id, before, action)
    _moved(uow, case_id, before, after, action, actor)
    return after


def hold_case(uow: UnitOfWork, case_id: int, actor: str, at: datetime, **why: object) -> None:
    """A verified case back to waiting for verification from ``at`` (a double, or a copy of a report's picture,
    found once it was verified): no browsing, no poster, no matching, its machine proposals nobody touched
    withdrawn; audited ``case.held`` with ``why``."""
    move_case(uow, case_id, CaseAction.HOLD, actor)  # locked until the commit
    uow.reopen_case(case_id, at)
    withdrawn = uow.withdraw_case_proposals(case_id)
    uow.audit(actor, "case.held", "case", case_id, **why, proposals_withdrawn=withdrawn)


def change_case(uow: UnitOfWork, case_id: int, action: CaseAction, actor: str) -> CaseState | None:
    """As ``move_case``, but None when the case already is where ``action`` leads: the same change
    asked again (a double tap, a retry without a key), answered as the first was with nothing written."""
    status, verified = uow.case_state(case_id)
    before = state_of(status, verified)
    if settled(before, action):
        return None
    after = allowed_move(case_id, before, action)
    _moved(uow, case_id, before, after, action, actor)
    return after


def as_read(uow: UnitOfWork, case_id: int, version: str | None, changed: str) -> None:
    """Refuse (409, nothing written) a decision on a case taken on a page or a read that showed it otherwise than it
    is now (``version``: ``corrections.version`` as the page or GET /api/cases/{id} gave it): decided meanwhile by
    another moderator (verified, rejected, closed, held back, reopened: probe s34 H2, a stale "Reject" overturned a
    verification made seconds before), or its facts or photos changed (``changed``, the caller's words). Without a
    version (an API client that read none) the case is taken as it stands. Its row is locked (``case_state``) until
    the commit; called before anything is written, or in the transaction that writes."""
    if version is None:
        return
    status, verified = uow.case_state(case_id)
    state, facts = state_of(status, verified), uow.case_facts_row(case_id)
    now = case_version(as_registered(facts), [p.photo_id for p in uow.case_photo_faces(case_id)], read_as(state, facts))
    if version == now:
        return
    read = version.split(".", 1)[0] if "." in version else ""
    if read == now.split(".", 1)[0] or read.split("-", 1)[0] not in {read_as(s) for s in CaseState}:
        raise Conflict(changed, field="version", id=case_id)  # where it stood as read (or an older page's version)
    if state is CaseState.ACTIVE:
        raise Conflict("case {id} was verified meanwhile by another moderator: look at it again, nothing was changed",
                       field="version", id=case_id)
    if state is CaseState.WAITING:
        raise Conflict("case {id} waits for verification again since you opened it (held back, or reopened): look at it again, nothing was changed",  # noqa: E501
                       field="version", id=case_id)
    raise Conflict("case {id} is {state} since you opened it, by another decision: look at it again, nothing was changed",  # noqa: E501
                   field="version", id=case_id, state=state.value)


def changed_for_partners(uow: UnitOfWork, case_id: int, at: datetime) -> None:
    """What partners and readers hold of the case changed (its names, dates, place, photos, or the texts shared:
    probe s29 C5): it is dated ``at`` (``cases.entry_date``: the PFIF export's ``entry_date``, and for this site's own
    records its ``source_date``, which decides "newer wins" at the partner; the feed entry's ``<updated>``), and the
    webhooks alerted to it are told (``case.updated``: ``case_events.case_updated``, a job), in the caller's
    transaction, so only when the change is written."""
    uow.mark_case_changed(case_id, at)
    uow.enqueue("reach.case_updated", case_id=case_id, unless_waiting=True)


def kept_case(uow: UnitOfWork, case_id: int) -> None:
    """Conflict when the case has expired (a placeholder): nothing is added to it; its row locked
    until the commit, so that it cannot expire meanwhile."""
    status, verified = uow.case_state(case_id)
    require_kept(case_id, state_of(status, verified))


def _moved(uow: UnitOfWork, case_id: int, before: CaseState, after: CaseState, action: CaseAction,
           actor: str) -> None:
    """A case leaving "verified and open" (rejected, closed, reunited, held again, expired), or entering it
    again: the first confirmations of its candidates were given for a verification that no longer holds
    (a case found false, then reopened and verified again, is not the case they were given for), so each
    is cleared, audited (``candidate.first_confirmation_cleared``: who had given it, the case's change);
    a second reviewer then makes none of them final alone. A case that ends (reunited, closed, rejected, withdrawn,
    expired, taken down) or is held again (``ends_for_partners``): the webhooks alerted to it are told it ended
    (``reach.case_ended``), in the caller's transaction, so only when the change is written. A case verified and
    open again (a removal undone, a case reopened then verified): each webhook and email subscriber told it ended
    is told it is back (``case_events.deliver_restored``), likewise. Verified, held back, rejected, reunited or
    closed: its family is emailed (``case_notices``), likewise; a case no account registered (the police's, a
    partner's import) has no family to tell, and no job. A case that ends (``ENDINGS``; not one held back, which may
    come back): each email subscriber it was alerted to and not told since is told, once (``end_email_alerts``), in
    the same transaction (``case_events.deliver_ended``: that the appeal ended, never why, and to take its printed
    posters down). A correction still waiting when the case ends is settled undecided
    (``DROPPED``, audited ``case.correction_dropped``: the case's timeline says so), the case keeping its values; the
    photos held with it stay unpublished (``reunion.close_case`` and ``moderation.reject_case`` delete them; the
    timeline names them: probe s35 J7)."""
    if ends_for_partners(before, after):
        uow.enqueue("reach.case_ended", case_id=case_id)
    if before is not after and action in NOTICES and uow.owner_emails(case_id):  # a family's accounts, told
        uow.enqueue("reach.case_changed", case_id=case_id, notice=NOTICES[action][0], change=new_token()[:24])
    if after in ENDINGS and (dropped := uow.drop_waiting_correction(case_id, actor, DROPPED)) is not None:
        uow.audit(actor, "case.correction_dropped", "case", case_id, correction=int(dropped["id"]),
                  changed={name: [old, dropped["became"].get(name, "")] for name, old in dropped["was"].items()},
                  photos=list(dropped["photo_ids"] or []), case_state=after.value)
    if after in ENDINGS:  # the email subscribers alerted to it: once per alert, only at an end (never "held")
        for alert_id in uow.end_email_alerts(case_id):
            uow.enqueue("reach.deliver_ended", alert_id=alert_id)
    if after is CaseState.ACTIVE and before is not CaseState.ACTIVE:
        for alert_id in uow.alerts_told_ended(case_id):
            uow.enqueue("reach.deliver_restored", alert_id=alert_id)
    if not ends_first_confirmations(before, after):
        return
    for candidate_id, given_by in uow.clear_first_confirmations(case_id):
        uow.audit(actor, "candidate.first_confirmation_cleared", "candidate", candidate_id, case_id=case_id,
                  was_given_by=given_by, case_change=action.value, case_state=after.value)
