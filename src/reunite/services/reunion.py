"""After a reviewer confirms a candidate: messages between reviewers and the family through the
platform, verification (DNA, documents, interview), and closing the case as reunited."""

from __future__ import annotations

from datetime import timedelta

from reunite.domain.access import Permission, Principal, require, require_correspondent
from reunite.domain.errors import Conflict, InvalidInput, bounded
from reunite.domain.lifecycle import CaseAction
from reunite.domain.model import PhotoOwner
from reunite.domain.spelling import without_controls
from reunite.domain.text_limits import TEXT_LIMITS
from reunite.services import idempotency, words
from reunite.services.case_moves import as_read, change_case, kept_case
from reunite.services.deps import Deps

METHODS = ("dna", "document", "interview")
RESULTS = ("match", "no_match", "pending")
SAID_AGAIN = timedelta(hours=1)  # the same message sent again within this, nobody writing between: a retry


def send_message(deps: Deps, who: Principal, case_id: int, body: str, key: idempotency.Key | None = None) -> int:
    """The family and reviewers write to each other on the case; nobody sees the other's contact. A
    reviewer's words are refused where they repeat what pins a report's spot or a contact
    (``words.refuse_repeated``): the family reads reports' cities only.
    A retry (the same ``key``; or, without one, the same message again while it is still the last one
    on the case, within an hour) answers the first message's id and sends nothing twice."""
    require_correspondent(who, case_id)
    if (first := idempotency.earlier_id(deps, key)) is not None:
        return first
    body = without_controls(body)
    if not body:
        raise InvalidInput("write a message", field="body")
    if len(body) > TEXT_LIMITS["message"]:
        raise InvalidInput("the message is too long (at most 4,000 characters)", field="body")
    if not who.owns(case_id):  # a reviewer's words the family reads
        words.refuse_repeated(deps, body, deps.read.case_reports(case_id), "body")
    with deps.uow() as uow:
        kept_case(uow, case_id)
        uow.one_at_a_time(f"message:{case_id}")
        if (same := uow.repeated_message(case_id, who.actor, body, SAID_AGAIN)) is not None:
            return same
        message_id = uow.add_message(case_id, who.actor, who.owns(case_id), body)
        uow.audit(who.actor, "case.message", "case", case_id, message=message_id)
        uow.enqueue("reach.message_sent", message_id=message_id, case_id=case_id)
        if (won := idempotency.remember_id(uow, key, message_id)) is not None:
            return won
        uow.commit()
    return message_id


def record_verification(
    deps: Deps, who: Principal, case_id: int, candidate_id: int | None, method: str, result: str, notes: str,
    key: idempotency.Key | None = None,
) -> int:
    """A DNA result, an identity document seen, or a caseworker's interview, with notes (recorded once
    per ``key``: a retry answers the first record's id)."""
    require(who, Permission.RECORD_REUNION)
    if (first := idempotency.earlier_id(deps, key)) is not None:
        return first
    if method not in METHODS:
        raise InvalidInput("choose how it was checked: DNA, a document or an interview", field="method")
    if result not in RESULTS:
        raise InvalidInput("choose the result: match, no match or pending", field="result")
    if candidate_id is not None and candidate_id not in {c["id"] for c in deps.read.candidates(case_id, None)}:
        raise InvalidInput("candidate {candidate} is not a candidate of case {case}", field="candidate_id",
                           candidate=candidate_id, case=case_id)
    notes = bounded(notes, TEXT_LIMITS["notes"], "notes")
    words.refuse_repeated(deps, notes, deps.read.case_reports(case_id), "notes")  # the family reads them
    with deps.uow() as uow:
        kept_case(uow, case_id)
        verification = uow.add_verification(case_id, candidate_id, method, result, notes, who.actor)
        uow.audit(who.actor, "case.verification_recorded", "case", case_id, method=method, result=result,
                  candidate=candidate_id)
        if (won := idempotency.remember_id(uow, key, verification)) is not None:
            return won
        uow.commit()
    return verification


def close_case(deps: Deps, who: Principal, case_id: int, reunited: bool, keep_data: bool,
               key: idempotency.Key | None = None, version: str | None = None) -> None:
    """Close a case: as reunited (needs a verification that matched) or for another reason. Alerts stop and the
    poster is withdrawn at once (both only serve open cases); photos and faces are deleted unless the family chose
    to keep them (never the photos held for a moderator with a correction that was waiting, which the close drops:
    ``case_moves``); the family is emailed (``case_moves.NOTICES``). Asked again (the same ``key``, or a case
    already ended so, its photos kept or deleted as asked) it is closed once; ended otherwise, refused (409).
    ``version``: the case as the caseworker read it (``corrections.version``, the case page's form sends it); a case
    decided meanwhile (verified, held back, reopened) or changed since is refused (409), rather than closed on what
    was not read (probe s34 H2)."""
    require(who, Permission.RECORD_REUNION)
    if idempotency.done(deps, key):
        return
    if reunited and not any(v["result"] == "match" and v.get("superseded_at") is None  # not before a reopening
                            for v in deps.read.verifications(case_id)):
        raise InvalidInput("record a verification that matched (DNA, document or interview) first",
                           field="reunited")
    with deps.uow() as uow:
        if not idempotency.first(uow, key):
            return
        state = change_case(uow, case_id, CaseAction.REUNITE if reunited else CaseAction.CLOSE, who.actor)
        if state is None:  # ended so already: the same answer, unless this asks otherwise for the photos
            if keep_data and not uow.case_keeps_data(case_id):
                raise Conflict("case {id} is already closed and the family's photos were deleted: they cannot be kept now", field="keep_data", id=case_id)  # noqa: E501
            if not keep_data and uow.case_keeps_data(case_id):
                raise Conflict("case {id} is already closed with the family's photos kept: nothing was deleted", field="keep_data", id=case_id)  # noqa: E501
            return
        as_read(uow, case_id, version, "case {id} changed since you opened it (corrected, or a photo added): read it again before closing it")  # noqa: E501
        status = state.status
        uow.set_case_status(case_id, status, deps.clock.now(), keep_data)
        # the child's reports, recorded as found now: they leave families' and partners' view for good (probe s32 F2)
        found = {"reports_found": uow.mark_found(case_id, deps.clock.now())} if reunited else {}
        if reunited:  # a found child is no other family's lead: the proposals nobody decided go (probe s35 J2)
            found["proposals_withdrawn"] = uow.withdraw_found_proposals(case_id=case_id)
        # the photos held with a correction it dropped (``case_moves``) are not the case's: never kept
        keys = uow.drop_held_photos(case_id, uow.held_photos(case_id)) if keep_data else \
            uow.remove_photos(PhotoOwner.CASE, case_id)
        unused = uow.storage_keys_unused(keys) if keys else []
        uow.audit(who.actor, f"case.{status}", "case", case_id, kept_data=keep_data, **found)
        uow.commit()
    for stored in unused:
        deps.photos.delete(stored)
