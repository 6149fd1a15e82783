"""Takedown on request and expiry after a set time. Both leave a placeholder (id, date, status) so
that links and the audit log still make sense, and delete everything personal."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

from reunite.domain.abuse import sign
from reunite.domain.access import Permission, Principal, require
from reunite.domain.errors import Conflict, InvalidInput, NotFound, bounded
from reunite.domain.lifecycle import CaseAction
from reunite.domain.model import PhotoOwner
from reunite.domain.ports import UnitOfWork
from reunite.domain.reasons import require_why
from reunite.domain.text_limits import REASON_LIMIT, TEXT_LIMITS
from reunite.services import idempotency, notices, removals
from reunite.services.case_moves import move_case
from reunite.services.deps import Deps
from reunite.services.grouping import leave_group

SUBJECTS = ("sighting", "case")
STRAY_NOTES = timedelta(days=30)  # a PFIF note whose person never arrives is deleted after this long
RETRIES_WITHIN = timedelta(days=7)  # a retried request (an API client, a form sent again) comes within this


ANSWER_AFTER = 0.3  # seconds: a request is answered no sooner, about a record or about nothing (probe s24 X4)


def request_takedown(deps: Deps, subject: str, subject_id: int, requester: str, relation: str, reason: str,
                     key: idempotency.Key | None = None, sender: str | None = None,
                     who: Principal | None = None) -> int:
    """``_request_takedown``, answered no sooner than ``ANSWER_AFTER`` to anyone but moderators: a request about a
    record that does not exist stores nothing, and its quicker answer would tell whether an id exists."""
    started = time.monotonic()
    try:
        return _request_takedown(deps, subject, subject_id, requester, relation, reason, key, sender, who)
    finally:
        if who is None or not who.can(Permission.MODERATE):
            time.sleep(max(0.0, ANSWER_AFTER - (time.monotonic() - started)))


def _request_takedown(deps: Deps, subject: str, subject_id: int, requester: str, relation: str, reason: str,
                      key: idempotency.Key | None, sender: str | None, who: Principal | None) -> int:
    """Anyone may ask that a sighting (their own photo, their child) or a case be removed. A moderator
    checks their identity before deciding; the request alone changes nothing. Asked again by its sender
    (the same ``key``, or the very same request, word for word, from the same ``sender`` while it waits:
    ``idempotency.holder``, the account or token, else what the client holds, never its address alone),
    the answer is the waiting request's id: one request, not two. Any other request about the record,
    and the same words from anyone else, is stored beside it with its own receipt: the requester is
    whatever the sender types, so one sender's request never stands for another's, nor answers them.
    About an open case (``removals``): the registrant's own request (``who``, signed in) removes it at once,
    restorable for a while; anyone else's waits for a moderator, and the registrant is told at once."""
    if (first := idempotency.earlier_id(deps, key)) is not None:
        return first
    if subject not in SUBJECTS:
        raise InvalidInput("say whether it is a sighting or a case", field="subject")
    if not requester.strip() or not reason.strip():
        raise InvalidInput("give a way to reach you and the reason", field="requester")
    require_why(reason, "reason")  # a moderator decides by it: words, not a mark
    requester = bounded(requester, TEXT_LIMITS["requester"], "requester")
    relation, reason = bounded(relation, TEXT_LIMITS["relation"], "relation"), bounded(reason, REASON_LIMIT, "reason")
    with deps.uow() as uow:
        uow.one_at_a_time(_record_lock(subject, subject_id))
        if (deps.read.sighting_head if subject == "sighting" else deps.read.case_head)(subject_id) is None:
            return _about_nothing(uow, who, key, sender, subject, subject_id, (requester.lower(), relation, reason))
        for waiting in uow.pending_takedowns(subject, subject_id, requester, relation, reason):
            if (asked := _asked_by(sender, waiting)) and uow.remembered_result(asked.name, asked.within) is not None:
                return waiting
        takedown = uow.add_takedown(subject, subject_id, requester, relation, reason)
        uow.audit("anonymous", "takedown.requested", subject, subject_id, takedown=takedown)
        if subject == "case":
            removals.asked(deps, uow, who or Principal(), takedown, subject_id)
        notices.work_waits(deps, uow)
        if (won := idempotency.remember_id(uow, key, takedown)) is not None:
            return won
        idempotency.remember(uow, _asked_by(sender, takedown), {"id": takedown})
        uow.commit()
    return takedown


def _about_nothing(uow: UnitOfWork, who: Principal | None, key: idempotency.Key | None, sender: str | None,
                   subject: str, subject_id: int, words: tuple[str, str, str]) -> int:
    """A request about a record that does not exist (probe s23 W10): nothing is stored for moderators to read,
    yet it is answered as any request is, with a receipt (of a number no request has), the same one to its
    retries, so that nobody learns from the answer whether a case or sighting exists (an unverified case is no
    one's to find). Moderators, who read every record, are told."""
    if who is not None and who.can(Permission.MODERATE):
        if subject == "sighting":
            raise NotFound("sighting {id} does not exist", id=subject_id)
        raise NotFound("case {id} does not exist", id=subject_id)
    asked = None if not sender else idempotency.same_request(
        sender, f"takedown:{subject}:{subject_id}", zip(("requester", "relation", "reason"), words, strict=True),
        within=RETRIES_WITHIN)
    if asked is not None and (first := uow.remembered_result(asked.name, asked.within)) is not None:
        return int(first["id"])
    nothing = -1 - secrets.randbits(62)  # never a request's id (they count up from 1)
    if (won := idempotency.remember_id(uow, key, nothing)) is not None:
        return won
    idempotency.remember(uow, asked, {"id": nothing})
    uow.commit()
    return nothing


def _record_lock(subject: str, subject_id: int) -> str:
    """The one lock that requests about a record and decisions about them take turns on."""
    return f"takedown:{subject}:{subject_id}"


def _asked_by(sender: str | None, takedown: int) -> idempotency.Key | None:
    """The mark that ``sender`` sent removal request ``takedown`` (kept as long as a retry may come)."""
    return None if not sender else idempotency.same_request(sender, f"takedown:{takedown}", within=RETRIES_WITHIN)


def takedown_receipt(deps: Deps, takedown_id: int) -> str:
    """What a removal request's sender is given to quote: unguessable, the same for the request asked
    again, and telling nothing of how many requests the site gets (as its consecutive id would)."""
    return sign(deps.secret, "takedown", str(takedown_id))


def blank_case(deps: Deps, uow: UnitOfWork, case_id: int, action: CaseAction, actor: str = "operator") -> list[str]:
    """The one way a case is blanked, whatever ends it (retention, an approved takedown, a partner's
    record withdrawn): the lifecycle's move to expired, then its photos, faces, messages, verification
    notes, partner notes and every personal field deleted; a placeholder (id, dates, status) stays.
    Returns the stored files nothing else uses, to delete once committed."""
    status = move_case(uow, case_id, action, actor).status
    keys = uow.remove_photos(PhotoOwner.CASE, case_id)
    uow.blank_case(case_id, status, deps.clock.now())
    uow.blank_notes(case_id)
    return uow.storage_keys_unused(keys) if keys else []


# a report withdrawn by its reporter or removed on request: its pictures' prints kept for the copy check only (not
# one expired: its retention ended)
KEEP_PRINTS = ("withdrawn", "removed")


def blank_sighting(deps: Deps, uow: UnitOfWork, sighting_id: int, status: str) -> list[str]:
    """The one way a sighting is blanked (removed on request, withdrawn by its reporter, expired): its
    photos, faces, candidates and words deleted, a placeholder left; each case a reviewer had confirmed
    it for is told in its history (``case.lead_removed``: its family and reviewers see why the lead is
    gone). A check recorded on one of its leads (a DNA test under way) is marked as about a sighting gone, why
    and when, for the police and the family who read it; one still pending waits in the moderators' "families
    waiting" queue and the reviewers' hourly notice until someone writes to the family or records a check
    (``verification.lead_removed``, audited: probe s28 B7). Returns the stored files nothing else uses, to delete
    once committed."""
    for case_id in uow.confirmed_cases(sighting_id):
        uow.audit("operator", "case.lead_removed", "case", case_id, sighting=sighting_id, why=status)
    orphaned = uow.orphan_checks(sighting_id, status, deps.clock.now())
    for check_id, case_id, result in orphaned:
        uow.audit("reporter" if status == "withdrawn" else "operator", "verification.lead_removed", "verification",
                  check_id, case_id=case_id, sighting=sighting_id, why=status, result=result)
    if any(result == "pending" for _, _, result in orphaned):
        uow.enqueue("reach.tell_reviewers")
    if status in KEEP_PRINTS:  # a copy of its picture saved before is still one (probe s39 L3)
        uow.keep_report_prints(sighting_id)
    keys = uow.remove_photos(PhotoOwner.SIGHTING, sighting_id)
    uow.blank_sighting(sighting_id, status, deps.clock.now())
    leave_group(deps, uow, sighting_id)  # it leaves its group (and the group's fused face)
    return uow.storage_keys_unused(keys) if keys else []


def _blank(deps: Deps, uow: UnitOfWork, subject: str, subject_id: int, actor: str) -> list[str]:
    """An approved takedown: a sighting is removed, a case expires for good. A request about a record
    that does not exist (the public form answers alike either way) is not 'done': the moderator is told."""
    try:
        if subject == "sighting":
            deps.read.sighting(subject_id)
            return blank_sighting(deps, uow, subject_id, "removed")
        return blank_case(deps, uow, subject_id, CaseAction.TAKE_DOWN, actor)
    except NotFound:
        raise InvalidInput("{subject} {id} does not exist, so nothing can be removed: refuse the request, saying so",
                           field="decision", subject=subject, id=subject_id) from None


def decide_takedown(deps: Deps, who: Principal, takedown_id: int, approve: bool, evidence: str,
                    key: idempotency.Key | None = None) -> None:
    """Approve (identity checked: say how) and the record is blanked, and every other request waiting
    about it is closed as done with it (each audited, naming the request decided): nothing is left to
    remove for them; or refuse, saying why: only this request (anyone can type any contact, so one
    sender's refused request never decides another's). The same decision again (the same ``key``, or a
    request decided so already) is made once; the other decision on a decided request is refused (409)."""
    require(who, Permission.MODERATE)
    if idempotency.done(deps, key):
        return
    if not evidence.strip():
        raise InvalidInput("say how the requester's identity was checked, or why the request is refused",
                           field="evidence")
    require_why(evidence, "evidence")
    decision = "done" if approve else "refused"
    now = deps.clock.now()
    with deps.uow() as uow:
        if not idempotency.first(uow, key):
            return
        # one decision at a time about a record (two moderators approving two of its requests at once),
        # and no new request about it stored while it is decided
        uow.one_at_a_time(_record_lock(*uow.takedown_subject(takedown_id)))
        subject, subject_id, before = uow.resolve_takedown(takedown_id, decision, evidence.strip(), who.actor, now)
        if before == removals.WAITING:  # approved already, waiting for an objection: undo it to refuse it
            if approve:
                return
            raise Conflict("removal request {id} was already approved and waits for the registrant's objection: undo it instead", id=takedown_id)  # noqa: E501
        if before == "done" and not approve:
            raise Conflict("removal request {id} was already approved and the record removed: it cannot be refused now", id=takedown_id)  # noqa: E501
        if before == decision:
            return  # decided so already: the same answer, nothing done twice
        if before not in ("pending", decision):
            raise Conflict("removal request {id} was already refused: it cannot be approved now; a new request can be made", id=takedown_id)  # noqa: E501
        if approve and subject == "case" and removals.guarded(uow, subject_id):
            removals.approved(deps, uow, takedown_id, subject_id, who.actor)  # the case is not touched yet
            uow.commit()
            return
        unused = _blank(deps, uow, subject, subject_id, who.actor) if approve else []
        uow.audit(who.actor, "takedown.done" if approve else "takedown.refused", subject, subject_id,
                  takedown=takedown_id)
        if approve:  # the record is gone: the other requests about it are answered by this removal
            for other in uow.close_takedowns(subject, subject_id, decision,
                                             f"closed with removal request {takedown_id}", who.actor, now):
                uow.audit(who.actor, "takedown.done", subject, subject_id, takedown=other, closed_with=takedown_id)
        uow.commit()
    for stored in unused:
        deps.photos.delete(stored)


def expire(deps: Deps) -> tuple[int, int]:
    """Blank sightings older than the retention period, reports rejected longer ago than theirs (short:
    time to correct a mistaken rejection; nobody needs a rejected photo of a child for long), cases closed
    longer than theirs and cases past their own expiry date (PFIF records); their notes become
    placeholders. PFIF notes still waiting for their person after ``STRAY_NOTES`` are deleted."""
    now = deps.clock.now()
    with deps.uow() as uow:
        sighting_ids, case_ids = uow.expired(now - deps.limits.sighting_retention,
                                             now - deps.limits.closed_case_retention, now,
                                             now - deps.limits.rejected_sighting_retention)
        uow.drop_stray_notes(now - STRAY_NOTES)
        uow.forget_results(now - RETRIES_WITHIN)
        unused = [key for i in sighting_ids for key in blank_sighting(deps, uow, i, "expired")]
        unused += [key for i in case_ids for key in blank_case(deps, uow, i, CaseAction.EXPIRE)]
        removed = removals.due(deps, uow, now)  # open cases removed on request: hidden first, then blanked
        unused += [key for i in removed for key in blank_case(deps, uow, i, CaseAction.TAKE_DOWN)]
        for record in removed:
            uow.audit("operator", "case.removed_for_good", "case", record)
        for subject, ids in (("sighting", sighting_ids), ("case", case_ids)):
            for record in ids:
                uow.audit("operator", f"{subject}.expired", subject, record)
        uow.commit()
    for key in unused:
        deps.photos.delete(key)
    return len(sighting_ids), len(case_ids)
