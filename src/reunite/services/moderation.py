"""Moderators' decisions: reports approved or rejected, the child's face marked, cases verified or
rejected. Nothing a reporter sends is shown to families before a moderator approves it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reunite.domain import access
from reunite.domain.access import Permission, Principal, require
from reunite.domain.case_faces import require_choices
from reunite.domain.corrections import VERSION, as_registered, vouched
from reunite.domain.errors import Conflict, InvalidInput, NotFound, bounded
from reunite.domain.lifecycle import CaseAction
from reunite.domain.model import PhotoOwner, SightingStatus
from reunite.domain.ports import UnitOfWork
from reunite.domain.reasons import require_why
from reunite.domain.summary import SUMMARY_LIMIT, cleaned
from reunite.domain.text_limits import REASON_LIMIT
from reunite.domain.workbench import (
    CHOOSE_CHILD_FACE,
    REJECT_REASONS,
    needs_child_face,
    reason_of,
    require_child_face,
)
from reunite.services import (
    case_faces,
    doubles,
    idempotency,
    photo_copies,
    sharing,
    words,
)
from reunite.services.case_moves import as_read, change_case, kept_case, move_case
from reunite.services.deps import Deps
from reunite.services.grouping import SYSTEM, leave_group, regroup

MODERATED = (SightingStatus.PENDING.value, SightingStatus.APPROVED.value, SightingStatus.REJECTED.value)


def moderate_sightings(
    deps: Deps, who: Principal, sighting_ids: Sequence[int], approve: bool, reason: str = "",
    child_faces: Mapping[int, int | None] | None = None, versions: Mapping[int, str] | None = None,
) -> int:
    """Approve or reject (with a reason) one or many reports in one transaction; how many changed.
    A reason is kept with a rejection only (a reason chosen from the list is kept as its English words,
    which pages show in the reader's language). A report showing several faces, none marked as the
    child's, is approved only with the moderator's choice in ``child_faces``: the child's face (marked
    so), or None: the child's face is not among them (``workbench.require_child_face``). ``versions``
    name each report as the moderator saw it (``as_seen``): a report changed since is refused, and
    nothing is decided."""
    require(who, Permission.MODERATE)
    if not sighting_ids:
        raise InvalidInput("choose at least one report", field="ids")
    reason = "" if approve else reason_of(reason, REJECT_REASONS)
    if not approve and not reason:
        raise InvalidInput("say why the report is rejected", field="reason")
    if not approve:
        require_why(reason, "reason")
    status = SightingStatus.APPROVED if approve else SightingStatus.REJECTED
    chosen = child_faces or {}
    now = deps.clock.now()
    with deps.uow() as uow:
        for sighting_id in sighting_ids:
            as_seen(uow, sighting_id, status, (versions or {}).get(sighting_id))
            if approve and uow.unprocessed_photos(sighting_id):
                raise Conflict("report {id} is still being searched for faces: approve it once that is done",
                               field="ids", id=sighting_id)
            said, marked = _child_face_chosen(uow, who, sighting_id, chosen) if approve else ({"reason": reason}, False)
            if uow.moderate_sighting(sighting_id, status.value, reason, who.actor, now):
                uow.audit(who.actor, f"sighting.{status.value}", "sighting", sighting_id, **said)
            elif not marked:
                continue  # so already (the form sent twice, another moderator first): nothing written again
            regroup(deps, uow, sighting_id)  # only approved reports are grouped: a rejected one leaves its group
        uow.commit()
    return len(sighting_ids)


def as_seen(uow: UnitOfWork, sighting_id: int, decision: SightingStatus, version: str | None) -> None:
    """Refuse (409, nothing written) a decision taken on a page that showed the report otherwise than it is
    now (``version``, the stamp the page showed): decided meanwhile by another moderator (unless it is this
    same decision: a double tap, two moderators agreeing), put back in the queue, or changed (a photo or a
    face, the child's face marked, the reporter's words or time). The report is locked until the commit.
    Sent without a version (an API client), only what cannot undo or skip anyone's look is done: deciding
    a report still waiting whose photos all came with it, or the same decision again; changing a decision
    and approving photos its reporter added later need the version of what was read."""
    state = uow.report_state(sighting_id)
    now, was = str(state["version"]), str(state["status"])
    if was not in MODERATED:
        raise NotFound("sighting {id} does not exist", id=sighting_id)  # withdrawn, removed: as for anyone
    if was == decision.value:
        return  # decided so already: nothing is changed by deciding it again
    if version is None and was != SightingStatus.PENDING.value:  # nothing happened meanwhile: none was read
        raise Conflict("report {id} was decided already: changing a decision needs the version of the report you read (send it in “versions”); nothing was changed",  # noqa: E501
                       field="versions", id=sighting_id)
    if version is not None and was != version.split(".", 1)[0]:
        _decided_meanwhile(sighting_id, was, state["moderation_reason"])
    if version is not None and version != now:
        raise Conflict("report {id} changed since this page was opened (its reporter added to it, or its faces changed): look at it again before deciding",  # noqa: E501
                       field="ids", id=sighting_id)
    if version is None and decision is SightingStatus.APPROVED and state["added_later"]:
        raise Conflict("report {id} has photos its reporter added after sending it: read the report again and approve it with its version",  # noqa: E501
                       field="ids", id=sighting_id)


def _decided_meanwhile(sighting_id: int, status: str, reason: str) -> None:
    if status == SightingStatus.APPROVED.value:
        raise Conflict("report {id} was approved meanwhile by another moderator: look at it again, nothing was changed",
                       field="ids", id=sighting_id)
    if status == SightingStatus.REJECTED.value:
        raise Conflict("report {id} was rejected meanwhile by another moderator (“{reason}”): look at it again, nothing was changed",  # noqa: E501
                       field="ids", id=sighting_id, reason=reason)
    raise Conflict("report {id} is back in the queue since this page was opened (its reporter added to it): look at it again, nothing was changed",  # noqa: E501
                   field="ids", id=sighting_id)


def _child_face_chosen(uow: UnitOfWork, who: Principal, sighting_id: int,
                       chosen: Mapping[int, int | None]) -> tuple[dict[str, object], bool]:
    """Before approving: the child's face the moderator chose, marked; or the report refused when it
    shows several faces, none marked, and no choice was made. What the approval's record says of the
    choice, and whether a face was marked now."""
    state, face_count, marked = uow.child_face_state(sighting_id)  # the report locked until the commit
    face = chosen.get(sighting_id)
    if sighting_id in chosen and face is None and face_count == 1 and marked is not None:
        _child_face_set(uow, who, sighting_id, None, (face_count, marked))  # its only face is an adult's
        return {"child_face": "not among the faces"}, True
    if sighting_id in chosen and marked is not None and face != marked:
        # the choice was made on a page showing no mark: someone marked the child's face since (changing a
        # mark is ``mark_child_face``'s, which says so in the audit), so this approval would undo it unseen
        raise Conflict("report {id}: another moderator marked the child's face since this page was opened: look at the report again, then approve it",  # noqa: E501
                       field="child_faces", id=sighting_id)
    if face is not None and face != marked:
        _child_face_set(uow, who, sighting_id, face, (face_count, marked))  # refused: a face not this report's
        return {}, True
    if state != SightingStatus.APPROVED.value:
        require_child_face(sighting_id, face_count, marked, sighting_id in chosen)
    unmarked = sighting_id in chosen and needs_child_face(face_count, marked)
    return ({"child_face": "not among the faces"} if unmarked else {}), False


def settle_child_face(deps: Deps, uow: UnitOfWork, sighting_id: int, new_photos: Sequence[int]) -> None:
    """Its faces just found (of ``new_photos``): a report whose photos show one face has it marked as the
    child's (what a reporter photographs), which a moderator may unmark when it is an adult's, the child
    turned away (``mark_child_face``, or "not the child's face" when approving); a face that was the only
    one is no longer taken as the child's once photos added later show more (the moderator chooses). A
    report approved before its faces were known (sent by staff or an admin's or police token, approved on
    arrival) whose photos show several faces, none marked, goes back to the moderators' queue with the
    reason they read, until one chooses the child's face or says it is not among them
    (``workbench.require_child_face``)."""
    state, face_count, marked = uow.child_face_state(sighting_id)
    found = uow.faces_of(PhotoOwner.SIGHTING, sighting_id)
    if face_count == 1 and marked is None:
        uow.set_child_face(sighting_id, found[0].face_id)
        uow.audit(SYSTEM, "sighting.child_face_marked", "sighting", sighting_id, face=found[0].face_id,
                  only_face=True)
        return
    if face_count > 1 and marked is not None and [f.face_id for f in found if f.photo_id not in new_photos] == [marked]:
        marked = None  # the only face before: photos added since show more
        uow.set_child_face(sighting_id, None)
        uow.audit(SYSTEM, "sighting.child_face_marked", "sighting", sighting_id, face=None, faces=face_count)
    if state != SightingStatus.APPROVED.value or not needs_child_face(face_count, marked):
        return
    uow.moderate_sighting(sighting_id, SightingStatus.PENDING.value, CHOOSE_CHILD_FACE, SYSTEM, deps.clock.now())
    uow.audit(SYSTEM, "sighting.held_for_moderation", "sighting", sighting_id, reason=CHOOSE_CHILD_FACE,
              faces=face_count)
    leave_group(deps, uow, sighting_id)  # pending: in no group until a moderator approves it


def mark_child_face(deps: Deps, who: Principal, sighting_id: int, face_id: int | None,
                    version: str | None = None) -> None:
    """Say which face is the child's: every other face is blurred on copies shown to families. With the
    ``version`` of the report the page showed, refused (409) when the report changed since (a photo added,
    the mark changed by another moderator); without it (an API client), the face named is marked."""
    require(who, Permission.MODERATE)
    with deps.uow() as uow:
        if version is not None and version != uow.report_state(sighting_id)["version"]:
            raise Conflict("report {id} changed since this page was opened (a photo added, or the child's face marked by another moderator): look at it again",  # noqa: E501
                           field="face_id", id=sighting_id)
        _child_face_set(uow, who, sighting_id, face_id)
        regroup(deps, uow, sighting_id)  # the face it is grouped by, and its group fuses for it
        uow.commit()


def _child_face_set(uow: UnitOfWork, who: Principal, sighting_id: int, face_id: int | None,
                    read: tuple[int, int | None] | None = None) -> None:
    """Mark the child's face (None: no face is), audited, and have the report matched again, by the face
    that stands for it now (``matching.matched_faces``). ``read``: the report's face count and the face marked
    before, as the approval read them, the report locked.

    A face marked, only it stands for the report (probe s28 B1: the others' leads stayed, and one went to
    another family with the bystander's face clear): in this transaction the other faces' proposals nobody
    touched leave the lists, and so does every candidate nobody decided of the other faces of its photo, ruled
    out as someone else's (``follow_child_face``: the machine's withdrawn, a family's word following the
    child's face); each confirmed for a face ruled out now stays as that face's history, seen by no family
    (``access.candidate_visible``), its case told in its history (``case.lead_ruled_out``: reviewers and the
    family read that the lead no longer counts). A report's only face said not the child's (an adult's) makes
    no lead, and its proposals nobody touched leave the lists at once; marked again, it is matched again."""
    face_count, was = uow.child_face_state(sighting_id)[1:] if read is None else read
    uow.set_child_face(sighting_id, face_id)
    withdrawn, ruled_out = 0, []
    if face_id is not None:
        withdrawn = uow.follow_child_face(sighting_id, face_id)
        faces = [(face.face_id, face.photo_id) for face in uow.faces_of(PhotoOwner.SIGHTING, sighting_id)]
        now, before = access.ruled_out_faces(face_id, faces), access.ruled_out_faces(was, faces)
        ruled_out = [(candidate, case) for candidate, case, face in uow.confirmed_faces(sighting_id)
                     if face in now and face not in before]
    elif face_count == 1:
        withdrawn = uow.withdraw_proposals(sighting_id, [])
    uow.audit(who.actor, "sighting.child_face_marked", "sighting", sighting_id, face=face_id,
              **({"withdrawn": withdrawn} if withdrawn else {}),
              **({"ruled_out": [candidate for candidate, _ in ruled_out]} if ruled_out else {}))
    for candidate, case in ruled_out:
        uow.audit(who.actor, "case.lead_ruled_out", "case", case, sighting=sighting_id, candidate=candidate)
    uow.enqueue("matching.rescore_sighting", lock=f"sighting-{sighting_id}", sighting_id=sighting_id)


def verify_case(deps: Deps, who: Principal, case_id: int, evidence: str, key: idempotency.Key | None = None,
                checked_by: str = "", shared: Mapping[str, str] | None = None,
                child_faces: Mapping[int, int | None] | None = None, version: str | None = None) -> None:
    """A person confirms the case is real (police report number checked, documents seen). Only then is
    it matched against sightings, its family may browse them, and it gets a public poster. Asked again
    (the same ``key``, or a case verified already) it is done once: one audit, one search, one alert; of a case
    verified already, the ``shared`` texts sent are taken all the same (as ``share_texts``), never dropped.
    Refused (409) while a duplicate flag ties it to a verified case another account registered
    (``doubles.refuse_verifying``), until a moderator resolves the flag. What was checked is words
    (``reasons.require_why``); ``checked_by`` (the command line's operator names who) is kept with it.
    ``shared``: the family's free texts (description, marks) as the verifier approves them for sharing
    (``share_texts``), those given. ``child_faces``: of each photo showing several faces none chosen as the
    child's, the face the verifier chose, or None (cannot tell: that photo stays unpublished and unmatched);
    refused until every such photo is answered (``case_faces.require_choices``). ``version``: the case as read
    (``case_moves.as_read``): a verification vouches only for what was read (probe s27 A3). The identity facts
    vouched for are kept (``cases.verified_facts``) for corrections to be compared with."""
    require(who, Permission.VERIFY_CASE)
    if idempotency.done(deps, key):
        return
    if not evidence.strip():
        raise InvalidInput("say what was checked (police report, documents)", field="evidence")
    evidence = require_why(evidence, "evidence")
    if version is not None and not VERSION.fullmatch(version):  # mistyped: not "changed since", never a version
        raise InvalidInput("this is not a version of case {id}: copy the version its page or GET /api/cases/{id} gives (such as waiting.3f9a0c1d2b4e6f70)",  # noqa: E501
                           field="version", id=case_id)
    if checked_by.strip():
        evidence = f"{evidence} (checked by {checked_by.strip()})"
    approved = sharing.checked(deps, case_id, shared or {})
    with deps.uow() as uow:
        if not idempotency.first(uow, key):
            return
        doubles.take_turns(uow)
        if change_case(uow, case_id, CaseAction.VERIFY, who.actor) is None:  # verified already: nothing twice,
            if approved:  # but the texts sent are taken, as ``share_texts`` takes them (probe s41 D8)
                sharing.write(uow, who.actor, case_id, approved, deps.clock.now())
                uow.commit()
            return
        doubles.refuse_verifying(uow, case_id)  # possibly a child another account registered: resolved first
        photo_copies.refuse_verifying(uow, case_id)  # a report's picture as the case's photo (probe s36 K1)
        as_read(uow, case_id, version, "case {id} changed since you opened it (corrected, or a photo added): read it again before verifying")  # noqa: E501
        uow.vouch_facts(case_id, vouched(as_registered(uow.case_facts_row(case_id))))
        # which face is the child's in a photo of several: asked before it is published or matched
        require_choices(case_id, case_faces.mark_all(uow, who, case_id, child_faces or {}), child_faces or {})
        uow.mark_verified(case_id, who.actor, deps.clock.now())
        uow.audit(who.actor, "case.verified", "case", case_id, evidence=evidence.strip(),
                  **({"child_faces": {str(k): v for k, v in child_faces.items()}} if child_faces else {}))
        sharing.write(uow, who.actor, case_id, approved)
        uow.enqueue("faces.process_case", lock=f"case-{case_id}", case_id=case_id)
        uow.enqueue("reach.case_activated", case_id=case_id)
        uow.commit()


def reject_case(deps: Deps, who: Principal, case_id: int, reason: str, key: idempotency.Key | None = None,
                version: str | None = None) -> None:
    """A registration that could not be verified (or is a false report) is closed, never matched (once: asked again,
    nothing is written twice). ``version``: the case as read (``case_moves.as_read``; verified meanwhile: 409)."""
    require(who, Permission.VERIFY_CASE)
    if idempotency.done(deps, key):
        return
    if not reason.strip():
        raise InvalidInput("say why the case is rejected", field="reason")
    require_why(reason, "reason")
    with deps.uow() as uow:
        if not idempotency.first(uow, key):
            return
        if (state := change_case(uow, case_id, CaseAction.REJECT, who.actor)) is None:
            return  # rejected already (a double tap, two moderators agreeing)
        as_read(uow, case_id, version, "case {id} changed since you opened it (corrected, or a photo added): read it again before rejecting it")  # noqa: E501
        uow.set_case_status(case_id, state.status, deps.clock.now())
        # the photos held with the correction it dropped (``case_moves``) never became the case's (probe s35 J7)
        held = uow.held_photos(case_id)
        unused = uow.storage_keys_unused(uow.drop_held_photos(case_id, held)) if held else []
        uow.audit(who.actor, "case.rejected", "case", case_id, reason=bounded(reason, REASON_LIMIT, "reason"))
        uow.commit()
    for stored in unused:
        deps.photos.delete(stored)


def reopen_case(deps: Deps, who: Principal, case_id: int, reason: str, key: idempotency.Key | None = None,
                version: str | None = None) -> None:
    """Undo a rejection or a closing made in error: the case waits for verification again (verifying it
    then restarts matching, alerts and the poster). An expired case is blanked and cannot come back. Reopened
    from a reunion, the reports it found are no longer the found child's: each is matched again by a job enqueued
    in this transaction, so their proposals the reunion withdrew from other cases come back without a ``reunite
    rematch`` (reviews kept). Sent again under the same ``key`` it is done once; without one, a waiting case is
    refused (409). ``version``: the case as read (``case_moves.as_read``): one reopened and ended again since is
    refused (409)."""
    require(who, Permission.MODERATE)
    if idempotency.done(deps, key):
        return
    if not reason.strip():
        raise InvalidInput("say why the case is reopened", field="reason")
    require_why(reason, "reason")
    with deps.uow() as uow:
        if not idempotency.first(uow, key):
            return
        move_case(uow, case_id, CaseAction.REOPEN, who.actor)
        as_read(uow, case_id, version, "case {id} changed since you opened it (corrected, or a photo added): read it again before reopening it")  # noqa: E501
        uow.reopen_case(case_id, deps.clock.now())
        # a reunion recorded in error: the child is looked for again, and its reports are matched again in this
        # transaction's jobs: the proposals the reunion withdrew from other cases come back (reviews kept)
        # its checks so far are history: the family no longer reads them as current, and closing it as reunited
        # again needs a check recorded after this (probe s38 M3)
        superseded = uow.supersede_verifications(case_id, deps.clock.now())
        unfound = uow.unmark_found(case_id)
        for sighting_id in unfound:
            uow.enqueue("matching.rescore_sighting", lock=f"sighting-{sighting_id}", unless_waiting=True,
                        sighting_id=sighting_id)
        uow.audit(who.actor, "case.reopened", "case", case_id, reason=bounded(reason, REASON_LIMIT, "reason"),
                  **({"reports_matched_again": unfound} if unfound else {}),
                  **({"checks_superseded": superseded} if superseded else {}))
        uow.commit()


def write_family_summary(deps: Deps, who: Principal, sighting_id: int, summary: str) -> None:
    """A moderator's words about the child for families and partners (what the child wore and was doing,
    who was with the child), who may not read the reporter's own words; written again the same, nothing
    changes. Words that repeat the reporter's place beyond its city, a position, a map code or a contact are
    refused (``words.refuse_repeated``)."""
    require(who, Permission.MODERATE)
    summary = bounded(cleaned(summary), SUMMARY_LIMIT, "family_summary")
    row = deps.read.sighting(sighting_id)
    if row["status"] not in (SightingStatus.PENDING, SightingStatus.APPROVED):
        raise Conflict("report {id} is not shown to families: there is nothing to write for them", id=sighting_id)
    words.refuse_repeated(deps, summary, [row], "family_summary")
    with deps.uow() as uow:
        if uow.set_family_summary(sighting_id, summary):
            uow.audit(who.actor, "sighting.family_summary_written", "sighting", sighting_id, words=summary)
        uow.commit()


def share_texts(deps: Deps, who: Principal, case_id: int, texts: Mapping[str, str]) -> None:
    """Police or a moderator approve what of a case's free texts (``texts`` by name: its ``description``, its
    ``marks``) partners' tokens, webhooks, exports, alerts, feeds and the poster read (``access.text_shown``):
    the family's words, often shortened (a home address, a school, a phone taken out); empty: nothing. Written
    again the same, nothing changes. Words that repeat where the family said the child was last seen beyond
    its city, a position, a map code or a contact are refused (``sharing.checked``); a case expired or taken
    down takes none (409)."""
    require(who, Permission.VERIFY_CASE)
    shared = sharing.checked(deps, case_id, texts)
    with deps.uow() as uow:
        kept_case(uow, case_id)
        sharing.write(uow, who.actor, case_id, shared, deps.clock.now())
        uow.commit()
