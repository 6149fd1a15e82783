"""The notices people get about their work and their cases (``reach`` sends them, through the outbox): a
family's, when a reviewer confirms a lead or writes, and a registrant's when someone asks for their case's removal;
reviewers', when work waits. Each says only that something happened: details are behind sign-in."""

from __future__ import annotations

from reunite.domain import access
from reunite.domain.abuse import free_at
from reunite.domain.errors import NotFound, TooManyRequests
from reunite.domain.ports import UnitOfWork
from reunite.domain.workbench import queue_words
from reunite.services import posters, removals
from reunite.services.deps import Deps
from reunite.services.reach import CLOCKS_APART, case_active, send_email
from reunite.services.throttle import HOUR, count, hit, in_window, uncount


def _case_note(deps: Deps, case_id: int, kind: str) -> None:
    """Tell the family (by their accounts' emails) that something happened on their case. The email
    says only that: details are behind sign-in."""
    case = posters.poster(deps, case_id) if case_active(deps, case_id) else None
    if case is None:
        return
    with deps.uow() as uow:
        owners = uow.owner_emails(case_id)
    for address, language in owners:
        send_email(deps, address, kind, language, {"case": case, "case_url": f"{deps.site.base_url}/cases/{case_id}"})


def candidate_confirmed(deps: Deps, case_id: int, candidate_id: int | None = None) -> None:
    """Tell the family, unless the confirmation was undone (or its report removed, or the face it compared
    ruled out as not the child's) meanwhile, or this notice was for an earlier confirmation that was undone (a
    later one has its own notice)."""
    if candidate_id is not None:
        try:
            item = deps.read.workbench_item(candidate_id)
        except NotFound:
            return
        settled = deps.clock.now() - deps.limits.undo_window + CLOCKS_APART
        if (item["status"] != "confirmed" or item["reviewed_at"] is None or item["reviewed_at"] > settled
                or item.get("ruled_out")  # another face of its photo marked the child's since
                or access.found_elsewhere(item)):  # a child found for another case since (probe s35 J2)
            return
    _case_note(deps, case_id, "candidate_confirmed")


def message_sent(deps: Deps, message_id: int, case_id: int) -> None:
    """Families are told of reviewers' messages; reviewers of families' (their queue "families", in the hourly
    notice of work waiting: ``tell_reviewers``)."""
    message = next((m for m in deps.read.messages(case_id) if m["id"] == message_id), None)
    if message is not None and not message["from_family"]:
        _case_note(deps, case_id, "new_message")
    elif message is not None:
        tell_reviewers(deps)


def removal_asked(deps: Deps, takedown_id: int, stage: str) -> None:
    """Tell a case's registrant, in their language, that someone asked for its removal (``stage``
    "asked") or that a moderator approved it ("approved"): it waits for their objection or confirmation on
    the case's page. Nothing once the request was decided otherwise meanwhile (``removals``)."""
    with deps.uow() as uow:
        row = uow.takedown(takedown_id)
    if row is None:
        return
    case_id = int(row["subject_id"])
    context = {"case_id": case_id, "case_url": f"{deps.site.base_url}/cases/{case_id}#removals",
               "approved": stage == "approved", "days": deps.limits.case_removal_wait.days}
    if (recipients := removals.tell_registrant(deps, takedown_id, stage)) is None:
        return
    try:
        for address, language in recipients:
            send_email(deps, address, "removal_asked", language, context)
    except Exception:
        removals.told(deps, takedown_id, "failed")  # retried: a later try that goes says so
        raise
    # an email recorded but never sent warned nobody: the moderators read so (probe s23 W6)
    removals.told(deps, takedown_id, "no_email" if not deps.mailer.configured else "sent" if recipients
                  else "no_address")


REVIEWERS_NOTICE = "notice:reviewers"  # counted when the hour's notice went out (each reviewer's: ``:address``)


def work_waits(deps: Deps, uow: UnitOfWork) -> None:
    """Work joined a reviewers' queue (a report or a case to check, candidates, a removal asked): one notice job
    deferred in the caller's transaction, unless one waits already: now, or once this hour's notice is an hour old
    (probe s43 E2: a report arriving after the notice waited unannounced until more work came). A worker matching
    many sightings so defers one job, never one per sighting."""
    now = deps.clock.now()
    uow.enqueue("reach.tell_reviewers", at=free_at(in_window(uow, REVIEWERS_NOTICE, now, HOUR), 1, HOUR),
                unless_waiting=True)


def tell_reviewers(deps: Deps) -> bool:
    """Email reviewers when anything waits for them, each at most once an hour; True if any was sent. A report of a
    child seen waiting alone for its approval is work as much as a lead is: a family sees nothing of it before. A
    reviewer's hour counts only once their email went: a failed delivery is raised once the others went, so that the
    job's retry sends it again, to those not told yet (probe s43 E2: one failure cancelled the hour for everyone)."""
    counts = deps.read.queue_counts()
    if not any(counts.values()):
        return False
    with deps.uow() as uow:
        reviewers = uow.reviewer_emails()
    context = {"counts": {queue_words(name): count for name, count in counts.items()},
               "moderation_url": f"{deps.site.base_url}/moderation"}
    sent, failed = False, None
    for address, language in reviewers:
        try:
            counted = hit(deps, f"{REVIEWERS_NOTICE}:{address}", 1, HOUR)
        except TooManyRequests:  # told this hour already
            continue
        try:
            send_email(deps, address, "reviewer_queue", language, context)
        except Exception as exc:  # raised below, once the others were told
            uncount(deps, counted)
            failed = failed or exc
        else:
            sent = True
    if sent:
        with deps.uow() as uow:
            count(uow, REVIEWERS_NOTICE, deps.clock.now())
            uow.commit()
    if failed is not None:
        raise failed
    return sent
