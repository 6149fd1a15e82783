"""The reviewers' workbench: one item at a time (a case and one child's trail of candidates), claimed
so two reviewers never take the same one; confirm, dismiss (one-key reasons), skip, later, undo; a
second reviewer's agreement before the family is told when four eyes are asked for; queue alarms
sized to the reviewers at hand."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from reunite.domain import access
from reunite.domain.access import Permission, Principal, require
from reunite.domain.errors import Conflict, InvalidInput, NotFound, bounded
from reunite.domain.lifecycle import confirmable, require_confirmable, state_of
from reunite.domain.model import CandidateStatus, age_in_years, age_shown
from reunite.domain.ports import ReaderScript, UnitOfWork
from reunite.domain.reasons import require_why
from reunite.domain.text_limits import REASON_LIMIT
from reunite.domain.workbench import (
    CLAIM,
    DISMISS_REASONS,
    LATER,
    SKIP,
    Action,
    BulkDismissal,
    Left,
    QueueLoad,
    held_by_other,
    left_by_bulk,
    queue_load,
    reason_of,
)
from reunite.services import doubles, photo_copies
from reunite.services.deps import Deps
from reunite.services.queries import sighting_shown, with_lead

SESSION = timedelta(hours=12)  # "done" in the progress line counts decisions of the last 12 hours
FAMILY_PROPOSALS_SINCE = timedelta(hours=24)  # the workbench says how many sightings a family proposed in this


def next_candidate(deps: Deps, who: Principal) -> int | None:
    """Claim the next candidate for this reviewer (or the one they hold); None when none is left."""
    require(who, Permission.REVIEW_CANDIDATES)
    with deps.uow() as uow:
        found = uow.claim_next(who.actor, deps.clock.now(), lead_share(deps))
        uow.commit()
    return found


def open_by_address(deps: Deps, who: Principal, candidate_id: int) -> None:
    """A candidate opened by its address (the case page's "Open in the workbench", a link sent to a colleague) is
    claimed as the queue claims one (probe s28 B7), with the rest of its item, when it waits for a decision and
    nobody else holds it: its report approved, its case verified and open. One another reviewer holds stays
    theirs (the page says whose, and until when); nothing is claimed for a decided one."""
    require(who, Permission.REVIEW_CANDIDATES)
    now = deps.clock.now()
    with deps.uow() as uow:
        try:
            held = uow.hold(candidate_id)
        except NotFound:
            return  # the page answers 404 as it reads it
        if held.status != CandidateStatus.PROPOSED.value or held_by_other(held.claimed_by, held.claim_expires_at,
                                                                          who.actor, now):
            return
        item = uow.item_candidates(candidate_id, who.actor, now)
        if candidate_id not in item:  # its report waits for a moderator, or its case is not verified and open
            return
        for each in item:
            uow.set_claim(each, who.actor, now + CLAIM)
        uow.commit()


def holders(deps: Deps, who: Principal, rows: Sequence[dict[str, Any]]) -> None:
    """For reviewers: each candidate still waiting for a decision that another reviewer holds now says who, and
    until when (``held_by``), as the workbench does: a decision on it from a list is refused (409) naming them."""
    if not who.can(Permission.REVIEW_CANDIDATES):
        return
    now = deps.clock.now()
    for row in rows:
        if row.get("status") == CandidateStatus.PROPOSED.value and held_by_other(
                row.get("claimed_by"), row.get("claim_expires_at"), who.actor, now):
            row["held_by"] = {"reviewer": deps.read.reviewer_name(str(row["claimed_by"])),
                              "until": row["claim_expires_at"]}


def lead_share(deps: Deps) -> float | None:
    """The operating point candidates are read against (None: no calibration, every candidate a lead)."""
    return None if deps.policy.calibration is None else deps.policy.leads.propose_share


def item(deps: Deps, who: Principal, candidate_id: int, reader: ReaderScript | None = None) -> dict[str, Any]:
    """What the workbench shows of one item: the candidate's sighting (as this reviewer may see it, its
    photos and the face), every case photo by age, the explanation, the family's word, progress; and
    the item's ``members``: every candidate of the case on the same child's trail (its group's reports,
    reposts among them), newest first, each with its own decision. Each candidate names the other cases
    its sighting was confirmed for (``confirmed_for``), and ``doubles`` the case's open duplicate flags:
    a reviewer never confirms another family's lead for a possible second registration unaware. Cities are named
    for ``reader`` (its language and script), as every other page names them (probe s37 K6)."""
    require(who, Permission.REVIEW_CANDIDATES)
    statuses = access.browsable_statuses(who)
    row = sighting_shown(deps, who, deps.read.workbench_item(candidate_id, statuses), reader)
    members = [sighting_shown(deps, who, m, reader) for m in deps.read.item_members(candidate_id, statuses)]
    with_lead(deps, [row, *members])
    stored = deps.read.case(row["case_id"])
    case = access.case_view(who, stored)
    for photo in case["photos"]:
        photo["age"] = age_shown(age_in_years(case["birth_date"], photo["taken_on"])) if photo["taken_on"] else None
    case["photos"].sort(key=lambda p: (p["age"] is None, p["age"] or 0))
    sighting = sighting_shown(deps, who, deps.read.sighting(row["sighting_id"]), reader)
    now = deps.clock.now()
    with deps.uow() as uow:
        uow.audit(who.actor, "sighting.viewed", "sighting", row["sighting_id"], candidate=candidate_id,
                  exact_place=sighting["place_precise"], via="workbench")
        for member in members:
            if member["sighting_id"] != row["sighting_id"]:
                uow.audit(who.actor, "sighting.viewed", "sighting", member["sighting_id"], candidate=member["id"],
                          exact_place=member["place_precise"], via="workbench trail")
        uow.commit()
    held = held_by_other(row["claimed_by"], row["claim_expires_at"], who.actor, now)
    state = state_of(stored["status"], stored["verified_at"] is not None)
    return {"c": row, "case": case, "sighting": sighting, "members": members if len(members) > 1 else [],
            "case_state": state.value, "confirmable": confirmable(state) and not access.found_elsewhere(row),
            "doubles": doubles.flags_shown(deps, who, [row["case_id"]]).get(row["case_id"], []),
            # a case photo that is a report's picture: never evidence beside that report (probe s36 K1)
            "photo_copies": photo_copies.copies_shown(deps, who, [row["case_id"]]).get(row["case_id"], []),
            "held_by_other": {"reviewer": deps.read.reviewer_name(row["claimed_by"]),
                              "until": row["claim_expires_at"]} if held else None,
            "progress": deps.read.workbench_progress(who.actor, now, now - SESSION),
            "four_eyes": deps.limits.four_eyes,
            # a family proposing many sightings at once (a flood, or a hope): reviewers see how many (probe s21 U6)
            "family_proposed": deps.read.family_proposed(row["case_id"], now - FAMILY_PROPOSALS_SINCE)}


def decide(deps: Deps, who: Principal, candidate_id: int, action: Action, reason: str = "",
           members: Sequence[int] | None = None, whole: bool = True, take_over: bool = False) -> str:
    """One reviewer's decision on one workbench item; what happened: ``confirmed``, ``first_confirmed``
    (four eyes: a second reviewer must agree), ``dismissed``, ``skipped`` or ``later``.

    The item is the candidate and, with ``whole``, the other proposed candidates of its case on the
    same child's trail (``item_candidates``): a dismissal, a skip or "later" covers them all, each
    recorded and audited on its own; a confirmation covers the ``members`` the reviewer looked at and
    ticked (the candidate alone when not given). A candidate already decided keeps its decision.
    A candidate another reviewer holds (claim not expired) is refused, naming them and until when,
    unless the decision says it ``take_over`` (the page showed whose it is: audited); so is confirming one whose
    report no moderator has approved yet (its photo unchecked, its bystanders not settled), one of a face a
    moderator ruled out (another face of its photo marked the child's: someone else's), and one whose case
    is not verified and open now (``lifecycle.require_confirmable``: waiting for verification, held back as
    possibly a child registered twice, or ended), read under a lock that a change of the case's state waits
    for; dismissing, skipping and "later" stay open. However it is confirmed, the family's notice waits out
    the undo window (the job checks it is still confirmed)."""
    require(who, Permission.REVIEW_CANDIDATES)
    item = deps.read.workbench_item(candidate_id)  # NotFound once its report is rejected or removed
    if action is Action.CONFIRM and item["sighting_status"] != "approved":
        raise Conflict("this report has not been approved yet: approve it before confirming its candidates")
    if action is Action.CONFIRM and item.get("ruled_out"):  # probe s28 B1: a bystander's face sent to a family
        raise Conflict("a moderator marked another face in this candidate's photo as the child's: it compares someone else's face, and cannot be confirmed")  # noqa: E501
    if action is Action.CONFIRM and access.found_elsewhere(item):  # probe s35 J2: that child is home
        raise Conflict("this child was found (case {ids} closed as reunited): this report cannot be confirmed for another case; dismiss it instead",  # noqa: E501
                       ids=", ".join(str(i) for i in access.found_elsewhere(item)))
    now = deps.clock.now()
    with deps.uow() as uow:
        if action is Action.CONFIRM:  # the case first, then its candidates: the order its hold locks them in
            status, verified = uow.case_state(int(item["case_id"]), shared=True)
            require_confirmable(int(item["case_id"]), state_of(status, verified))
        held = uow.hold(candidate_id)
        if held_by_other(held.claimed_by, held.claim_expires_at, who.actor, now):
            if not take_over:
                raise Conflict("{reviewer} is looking at this candidate until {until}: take the next one, or take it over",  # noqa: E501
                               reviewer=deps.read.reviewer_name(str(held.claimed_by)), until=held.claim_expires_at)
            uow.audit(who.actor, "candidate.taken_over", "candidate", candidate_id, case_id=held.case_id,
                      was_held_by=held.claimed_by)
        pending = uow.item_candidates(candidate_id, who.actor, now) if whole else []
        if action in (Action.SKIP, Action.LATER):
            for each in dict.fromkeys([candidate_id, *pending]):
                uow.add_pass(each, who.actor, now + (SKIP if action is Action.SKIP else LATER))
            outcome = "skipped" if action is Action.SKIP else "later"
        else:
            if held.status != CandidateStatus.PROPOSED.value:
                return _decided_again(held.status, action)
            chosen = _chosen(deps, candidate_id, action, pending, members)
            # one instant for the whole item: undone together
            outcomes = [_review(deps, uow, who, each, held.case_id, action, reason, now, notify=number == 0,
                                item=candidate_id) for number, each in enumerate(chosen)]
            outcome = outcomes[0]
        for each in dict.fromkeys([candidate_id, *pending]):
            uow.set_claim(each, None, None)
        uow.commit()
    return outcome


def dismiss_in_bulk(deps: Deps, who: Principal, candidate_ids: Sequence[int], reason: str) -> BulkDismissal:
    """Dismiss the candidates of a list (the moderation page's) with one reason, in one transaction, by the
    workbench's rules (``domain.workbench.left_by_bulk``): only those still waiting for a decision and in
    nobody else's hands; a confirmed one keeps its decision, one another reviewer holds stays theirs (no
    take-over from a list), a first confirmation waits for its second reviewer. Each dismissal is recorded
    and audited as the workbench's (``bulk``); what was left, and why, is answered."""
    require(who, Permission.REVIEW_CANDIDATES)
    now = deps.clock.now()
    dismissed: list[int] = []
    left: dict[Left, list[int]] = {}
    with deps.uow() as uow:
        for candidate_id in dict.fromkeys(candidate_ids):
            held = uow.hold(candidate_id)
            if (why := left_by_bulk(held, who.actor, now)) is not None:
                left.setdefault(why, []).append(candidate_id)
                continue
            _review(deps, uow, who, candidate_id, held.case_id, Action.DISMISS, reason, now, bulk=True)
            uow.set_claim(candidate_id, None, None)
            dismissed.append(candidate_id)
        uow.commit()
    return BulkDismissal(tuple(dismissed), {why: tuple(ids) for why, ids in left.items()})


def _decided_again(status: str, action: Action) -> str:
    """A decided candidate decided again: the same decision is a retry (a double tap, a lost answer),
    answered as the first was with nothing written; the other one is refused (409)."""
    if (status, action) in ((CandidateStatus.CONFIRMED.value, Action.CONFIRM),
                            (CandidateStatus.DISMISSED.value, Action.DISMISS)):
        return status
    raise Conflict("this candidate was already decided")


def _chosen(deps: Deps, candidate_id: int, action: Action, pending: list[int],
            members: Sequence[int] | None) -> list[int]:
    """The candidates a confirmation or dismissal covers, the reviewed one first and always (probe s32 F7:
    ``members`` are the others to confirm with it). A ticked candidate that is not on the item's trail at
    all (another case's, another child's) is refused, naming it: nothing is confirmed rather than less
    than the reviewer meant."""
    if action is Action.DISMISS:
        return list(dict.fromkeys([candidate_id, *pending]))
    if members is None:
        return [candidate_id]
    ticked = list(dict.fromkeys(members))
    if unknown := [m for m in ticked if m != candidate_id and m not in pending]:
        trail = {int(r["id"]) for r in deps.read.item_members(candidate_id)}
        if outside := [m for m in unknown if m not in trail]:
            raise InvalidInput("candidate {ids} is not on this item's trail: tick only the sightings this item lists; nothing was confirmed",  # noqa: E501
                               field="member", ids=", ".join(map(str, outside)))
    return [candidate_id, *(m for m in ticked if m != candidate_id and m in pending)]


def _review(deps: Deps, uow: UnitOfWork, who: Principal, candidate_id: int, case_id: int, action: Action,
            reason: str, now: datetime, notify: bool = True, item: int | None = None, bulk: bool = False) -> str:
    on_item = {"item": item} if item is not None and item != candidate_id else {}
    if bulk:
        on_item["bulk"] = True
    if action is Action.DISMISS:
        reason = reason_of(reason, DISMISS_REASONS)
        if not reason:
            raise InvalidInput("say why the candidate is dismissed", field="reason")
        require_why(reason, "reason")
        uow.set_candidate_status(candidate_id, CandidateStatus.DISMISSED, reason, who.actor, now)
        uow.audit(who.actor, "candidate.dismissed", "candidate", candidate_id, case_id=case_id, reason=reason,
                  **on_item)
        return "dismissed"
    first_by = uow.hold(candidate_id).first_confirmed_by
    if deps.limits.four_eyes and first_by is None:
        uow.first_confirm(candidate_id, who.actor, now)
        uow.audit(who.actor, "candidate.first_confirmed", "candidate", candidate_id, case_id=case_id, **on_item)
        return "first_confirmed"
    if deps.limits.four_eyes and first_by == who.actor:
        return "first_confirmed"  # this reviewer's first confirmation sent again: it still waits for a second
    if deps.limits.four_eyes and first_by is not None and uow.person_of(first_by) == uow.person_of(who.actor):
        raise Conflict("this candidate's first confirmation came from you: an API token counts as the account that issued it, and every token issued from the command line counts as one reviewer. A second, different person must confirm it")  # noqa: E501
    why = bounded(reason, REASON_LIMIT, "reason")
    uow.set_candidate_status(candidate_id, CandidateStatus.CONFIRMED, why, who.actor, now)
    uow.audit(who.actor, "candidate.confirmed", "candidate", candidate_id, case_id=case_id,
              **({"first_confirmed_by": first_by} if first_by else {}), **on_item)
    window = deps.limits.undo_window
    if notify:  # one notice for the item, however many of its sightings were confirmed
        uow.enqueue("reach.candidate_confirmed", candidate_id=candidate_id, case_id=case_id,
                    at=now + window if window else None)
    return "confirmed"


def undo(deps: Deps, who: Principal) -> int:
    """Undo this reviewer's latest decision of the last few minutes (every candidate of the item it
    covered): they are proposed again and back in their hands. One of their ids (the page shows the
    whole item); NotFound when there is nothing left to undo."""
    require(who, Permission.REVIEW_CANDIDATES)
    now = deps.clock.now()
    with deps.uow() as uow:
        decided = uow.last_decision(who.actor, now - deps.limits.undo_window)
        if not decided:
            raise NotFound("there is no decision of the last minutes to undo")
        for candidate_id in decided:
            held = uow.hold(candidate_id)
            uow.reopen(candidate_id, now)
            uow.set_claim(candidate_id, who.actor, now + CLAIM)
            uow.audit(who.actor, "candidate.undone", "candidate", candidate_id, case_id=held.case_id, was=held.status)
        uow.commit()
    return decided[0]


def queue_loads(deps: Deps) -> list[QueueLoad]:
    """Each queue's backlog against the reviewers active this week and their usual pace."""
    now = deps.clock.now()
    counts = deps.read.queue_counts()
    oldest = deps.read.queue_oldest_hours(now)
    reviewers = deps.read.active_reviewers(now - timedelta(days=7))
    return [queue_load(name, count, oldest.get(name, 0.0), reviewers, deps.limits.reviews_per_day,
                       deps.limits.queue_max_wait_hours) for name, count in counts.items()]
