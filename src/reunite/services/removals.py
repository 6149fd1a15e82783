"""Removal requests about an open case (docs/decisions/0006, probe s21 U0). Anyone may ask that a case
be removed, but a missing child's open case is the family's search: a request its registrant did not make
never blanks it at once. The registrant (the family's accounts, else the police or partner account or token
that registered it) is told at once and may object (the request is refused) or confirm (the removal is
theirs); a request one moderator approved waits ``limits.case_removal_wait`` for an objection, the case
still searched for; a case removed (by its registrant, or once the wait passed) is hidden as a closed case
is, everything kept for ``limits.case_removal_undo`` so that a moderator, or the registrant objecting, can
restore it; only then does the daily job blank it (``retention.expire``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from reunite.domain.access import Permission, Principal, registered_by, require
from reunite.domain.errors import Conflict, NotFound
from reunite.domain.lifecycle import CaseAction, CaseState
from reunite.domain.ports import UnitOfWork
from reunite.domain.reasons import require_why
from reunite.services.case_moves import move_case
from reunite.services.deps import Deps

WAITING, DONE = "waiting", "done"
NOTICE = "takedowns.tell_registrant"  # the job that emails the registrant


def guarded(uow: UnitOfWork, case_id: int) -> bool:
    """Whether a removal of this case must wait and stay undoable: an open case (waiting or verified),
    someone's search. An ended case (closed, reunited, rejected) is removed at once, as before."""
    found = uow.registrant(case_id)
    return found is not None and found["status"] == "open"


def is_registrant(uow: UnitOfWork, who: Principal, case_id: int) -> bool:
    """The family's own account, or the account or token that registered the case (or another token of the same
    partner organisation: ``access.registered_by``), signed in."""
    if who.owns(case_id):
        return True
    return registered_by(who, uow.registrant(case_id))


def asked(deps: Deps, uow: UnitOfWork, who: Principal, takedown_id: int, case_id: int) -> None:
    """A new request about a case: its registrant's own is honoured at once (the case hidden, restorable
    for a while); anyone else's about an open case waits for a moderator, and the registrant is told."""
    if not guarded(uow, case_id):
        return
    if is_registrant(uow, who, case_id):
        uow.set_takedown(takedown_id, registrant_answer="confirmed")
        remove(deps, uow, takedown_id, case_id, who.actor, "asked by the case's registrant, signed in")
        return
    if _told_lately(uow, takedown_id, case_id):  # probe s32 F1: one email for a burst of requests
        uow.set_takedown(takedown_id, registrant_told=TOGETHER)
        return
    uow.enqueue(NOTICE, takedown_id=takedown_id, stage="asked")


TOLD_ONCE_IN = timedelta(hours=24)  # requests about one case within this share the registrant's one email
TOGETHER = "together"  # registrant_told: not emailed again, an earlier request's email told of this one too


def _told_lately(uow: UnitOfWork, takedown_id: int, case_id: int) -> bool:
    """Whether another request about the case, still waiting, was made within ``TOLD_ONCE_IN`` and had (or
    has on its way, or being tried again) its own email to the registrant: a burst of requests, however many,
    is one email; each request still reaches the moderators. One whose email could not go (no email sent by
    this site, no address) told nobody: the next one tries again."""
    if (this := uow.takedown(takedown_id)) is None:
        return False
    since = this["created_at"] - TOLD_ONCE_IN  # the database's clock, as each request's time is
    for other in uow.case_takedowns(case_id, ("pending", WAITING)):
        row = uow.takedown(other)
        if (other != takedown_id and row is not None and row["created_at"] >= since
                and row["registrant_told"] in ("", "sent", "failed")):
            return True
    return False


def approved(deps: Deps, uow: UnitOfWork, takedown_id: int, case_id: int, by: str) -> None:
    """A moderator approved a request its registrant did not make: it waits for an objection."""
    due = deps.clock.now() + deps.limits.case_removal_wait
    uow.set_takedown(takedown_id, status=WAITING, due_at=due)
    uow.audit(by, "takedown.waiting", "case", case_id, takedown=takedown_id, until=due.isoformat())
    uow.enqueue(NOTICE, takedown_id=takedown_id, stage="approved")


def remove(deps: Deps, uow: UnitOfWork, takedown_id: int, case_id: int, by: str, evidence: str) -> None:
    """The case hidden as a closed case is (no poster, feed, alert, matching, partner), nothing deleted
    until ``due_at``; this request done, the others about the case closed with it."""
    now = deps.clock.now()
    move_case(uow, case_id, CaseAction.REMOVE, by)
    uow.set_case_status(case_id, "closed", now, True)
    uow.set_takedown(takedown_id, status=DONE, due_at=now + deps.limits.case_removal_undo, resolved_by=by,
                     resolved_at=now, identity_evidence=evidence)
    uow.audit(by, "takedown.done", "case", case_id, takedown=takedown_id, kept_until=(now + deps.limits.case_removal_undo).isoformat())  # noqa: E501
    for other in uow.case_takedowns(case_id, ("pending", WAITING)):
        uow.set_takedown(other, status=DONE, resolved_by=by, resolved_at=now,
                         identity_evidence=f"closed with removal request {takedown_id}")
        uow.audit(by, "takedown.done", "case", case_id, takedown=other, closed_with=takedown_id)


def _restore(deps: Deps, uow: UnitOfWork, takedown_id: int, by: str, why: str) -> int:
    """Undo a removal still undoable: a waiting request ends, a hidden case opens again as it stood."""
    row = uow.takedown(takedown_id)
    if row is None or row["subject"] != "case":
        raise NotFound("takedown request {id} does not exist", id=takedown_id)
    case_id, now = int(row["subject_id"]), deps.clock.now()
    if row["status"] not in (WAITING, DONE) or row["due_at"] is None or row["due_at"] <= now:
        raise Conflict("removal request {id} cannot be undone: only an approved removal of an open case, within its days, can", id=takedown_id)  # noqa: E501
    if row["status"] == DONE:
        back = move_case(uow, case_id, CaseAction.RESTORE, by)
        uow.set_case_status(case_id, "open", now)
        uow.audit(by, "case.restored", "case", case_id, takedown=takedown_id, why=why)
        if back is CaseState.ACTIVE:  # searched again, as verifying does: the sightings sent while it was hidden too
            uow.enqueue("faces.process_case", lock=f"case-{case_id}", case_id=case_id)
            uow.enqueue("reach.case_activated", case_id=case_id)  # the alert rounds resume where its radius is now
    uow.set_takedown(takedown_id, status="undone", resolved_by=by, resolved_at=now, identity_evidence=why)
    uow.audit(by, "takedown.undone", "case", case_id, takedown=takedown_id, why=why)
    return case_id


def undo(deps: Deps, who: Principal, takedown_id: int, why: str) -> None:
    """A moderator undoes an approved removal of an open case within its window, saying why."""
    require(who, Permission.MODERATE)
    require_why(why, "evidence")
    with deps.uow() as uow:
        _restore(deps, uow, takedown_id, who.actor, why.strip())
        uow.commit()


def answer(deps: Deps, who: Principal, takedown_id: int, objects: bool) -> None:
    """The case's registrant answers a request about it. Objecting refuses every request waiting about
    the case (and restores it, were it removed and still kept); confirming removes it now (restorable)."""
    with deps.uow() as uow:
        row = uow.takedown(takedown_id)
        if row is None or row["subject"] != "case" or not is_registrant(uow, who, int(row["subject_id"])):
            raise NotFound("takedown request {id} does not exist", id=takedown_id)
        case_id, now = int(row["subject_id"]), deps.clock.now()
        if objects:
            if row["status"] == DONE and row["due_at"] is not None and row["due_at"] > now:
                _restore(deps, uow, takedown_id, who.actor, "the case's registrant objected")
            for other in uow.case_takedowns(case_id, ("pending", WAITING)):
                uow.set_takedown(other, status="refused", registrant_answer="objected", resolved_by=who.actor,
                                 resolved_at=now, identity_evidence="the case's registrant objected")
                uow.audit(who.actor, "takedown.refused", "case", case_id, takedown=other, objected=True)
            uow.set_takedown(takedown_id, registrant_answer="objected")
        elif row["status"] in ("pending", WAITING):
            uow.set_takedown(takedown_id, registrant_answer="confirmed")
            remove(deps, uow, takedown_id, case_id, who.actor, "confirmed by the case's registrant, signed in")
        else:
            raise Conflict("removal request {id} was already decided", id=takedown_id)
        uow.commit()


def asked_of(deps: Deps, who: Principal, case_id: int) -> list[dict[str, Any]]:
    """The requests about a case its registrant may answer (waiting, approved, or removed and restorable):
    when each was made and where it stands, never who asked nor their words (probe s32 F1: anyone may type
    anything there, a ransom demand or "press I asked for it to keep your case", unread by anyone yet; the
    moderators who check who asked read them)."""
    with deps.uow() as uow:
        if not is_registrant(uow, who, case_id):
            return []
        rows = [uow.takedown(i) for i in uow.case_takedowns(case_id, ("pending", WAITING, DONE))]
    now = deps.clock.now()
    return [{k: r[k] for k in ("id", "status", "created_at", "due_at", "registrant_answer")}
            for r in rows if r is not None and (r["status"] != DONE or (r["due_at"] is not None and r["due_at"] > now))]


def removed_at_once(deps: Deps, who: Principal, takedown_id: int) -> tuple[int, datetime] | None:
    """What its sender is answered of a request (probe s23 W5): (the case, when it is deleted for good) when it
    was the registrant's own and hid the case at once, restorable until then; None for a request that waits
    for a moderator (or is not about a case ``who`` registered)."""
    with deps.uow() as uow:
        row = uow.takedown(takedown_id)
        if row is None or row["subject"] != "case" or row["status"] != DONE or row["due_at"] is None:
            return None
        case_id = int(row["subject_id"])
        if row["registrant_answer"] != "confirmed" or not is_registrant(uow, who, case_id):
            return None
    return case_id, row["due_at"]


def tell_registrant(deps: Deps, takedown_id: int, stage: str) -> list[tuple[str, str]] | None:
    """The registrant's notice (a job): the addresses and languages to email (none: nobody to email, no account
    or its account disabled); None once decided otherwise."""
    with deps.uow() as uow:
        row = uow.takedown(takedown_id)
        if row is None or row["status"] not in ("pending", WAITING):
            return None
        found = uow.registrant(int(row["subject_id"]))
    return [] if found is None else list(found["emails"])


# registrant_told: what the notice did; '' before it ran
TOLD = ("sent", "no_email", "no_address", "failed", TOGETHER)


def told(deps: Deps, takedown_id: int, outcome: str) -> None:
    """What the registrant's notice did (``TOLD``), for the moderators to read the truth (probe s23 W6): an email
    recorded but never sent (this site sends no email), or nobody to send it to, warned nobody."""
    with deps.uow() as uow:
        uow.set_takedown(takedown_id, registrant_told=outcome)
        uow.commit()


def due(deps: Deps, uow: UnitOfWork, now: datetime) -> list[int]:
    """The daily job's part: approved requests whose wait passed remove their case (an open one hidden first,
    restorable; one that ended meanwhile at once); the cases to blank now are returned: those, and those whose
    undo window passed."""
    waited, kept = uow.removals_due(now)
    ended = []  # closed, reunited or rejected meanwhile: nothing left to search for, removed at once as approved
    for takedown_id in waited:
        if (row := uow.takedown(takedown_id)) is None:
            continue
        case_id = int(row["subject_id"])
        if uow.case_state(case_id)[0] == "open":
            remove(deps, uow, takedown_id, case_id, "operator", "no objection within the wait")
            continue
        uow.set_takedown(takedown_id, status=DONE, resolved_by="operator", resolved_at=now,
                         identity_evidence="no objection within the wait; the case had ended meanwhile")
        uow.audit("operator", "takedown.done", "case", case_id, takedown=takedown_id, ended_meanwhile=True)
        ended.append(case_id)
    return ended + [int(row["subject_id"]) for i in kept if (row := uow.takedown(i)) is not None]
