"""API routes for reviewers, caseworkers, admins and removal requests. Same services as the pages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from reunite.domain.access import ANSWER_REMOVALS, Permission, Principal, require_correspondent
from reunite.entrypoints.api import bodies, candidate_schemas, case_schemas, look_alike_schemas, schemas
from reunite.entrypoints.api.auth import allow, client_ip, current_principal, get_deps, presession_of
from reunite.entrypoints.api.routes import ERRORS, IdempotencyKey, Reader
from reunite.services import (
    accounts,
    case_faces,
    corrections,
    grouping,
    idempotency,
    look_alikes,
    moderation,
    moderation_queues,
    pfif,
    photo_copies,
    queries,
    removals,
    retention,
    reunion,
    throttle,
    where_seen,
    withdrawals,
)
from reunite.services.deps import Deps
from reunite.wording import added_alike_words, alike_words, duplicate_words, own_child_words

router = APIRouter(prefix="/api")
DepsDep = Annotated[Deps, Depends(get_deps)]
STATUS_CHANGE = {**ERRORS, 409: {"model": schemas.Problem, "description": "The case's status does not allow it"}}
Moderator = Annotated[Principal, Depends(allow(Permission.MODERATE))]
Verifier = Annotated[Principal, Depends(allow(Permission.VERIFY_CASE))]
Registrant = Annotated[Principal, Depends(allow(Permission.REGISTER_CASE, ANSWER_REMOVALS))]  # probe s23 W10
Caseworker = Annotated[Principal, Depends(allow(Permission.RECORD_REUNION))]
Admin = Annotated[Principal, Depends(allow(Permission.ADMINISTER))]


def correspondent(request: Request, case_id: int) -> Principal:
    """The case's family or a reviewer (checked before the body is read); a refusal says whether the
    messages were to be read or written."""
    who = current_principal(request)
    require_correspondent(who, case_id, reading=request.method in ("GET", "HEAD"))
    return who


Correspondent = Annotated[Principal, Depends(correspondent)]


@router.get("/moderation/queues", responses=ERRORS)
def queues(deps: DepsDep, who: Moderator, lang: Reader,
           limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    """Counts and the oldest waiting items of each queue: reports, cases (to verify), candidates, removal
    requests, and ``sharing``: verified cases whose description (or marks) a partner's record rewrote, what was
    approved of them for sharing withdrawn until a moderator approves the new words (PUT
    /api/cases/{id}/shared-description, /shared-marks: even empty, it takes the case out). Each case to verify
    carries its open duplicate flags (``doubles``) and the other accounts' open cases whose photos look most
    alike, whatever their birth dates (``look_alikes``, as ``GET /api/cases/{id}/look-alikes`` gives them)."""
    overview = moderation_queues.queue_overview(deps, who, limit, reader=lang)
    cases = overview.get("cases")
    for row in cases if isinstance(cases, list) else []:
        row["look_alikes"] = [_alike(lang, row["id"], alike) for alike in row["look_alikes"]]
    held = overview.get("corrections")
    for row in held if isinstance(held, list) else []:  # photos added, read (probe s35 J1), in words too
        for photo in row.get("added_check", {}).get("photos", []):
            photo["own_words"] = own_child_words(lang, photo)
            photo["look_alikes"] = [alike | {"lead_words": alike_words(lang, row["case_id"], alike),
                                             "words": added_alike_words(lang, row["case_id"], alike, n == 0)}
                                    for n, alike in enumerate(photo["look_alikes"])]
    return overview


def _alike(lang: Reader, case_id: int, alike: dict[str, Any]) -> dict[str, Any]:
    return alike | {"lead_words": alike_words(lang, case_id, alike)}


@router.get("/cases/{case_id}/look-alikes", response_model=list[look_alike_schemas.LookAlikeOut], responses=ERRORS)
def case_look_alikes(deps: DepsDep, who: Moderator, lang: Reader, case_id: int) -> list[dict[str, Any]]:
    """For whoever verifies: the few open cases of other accounts (verified or waiting) whose photos look most
    alike this case's, whatever birth date each gives (the automatic duplicate check compares only children
    born within a year), most alike first, each read as that check reads a pair of case photos. Nothing is
    decided by it: flag one with ``POST /api/moderation/duplicates`` to make verifying wait for a moderator."""
    queries.visible_case(deps, who, case_id)
    return [_alike(lang, case_id, alike) for alike in look_alikes.look_alikes(deps, who, [case_id], lang,
                                                                      subject_id=case_id).get(case_id, [])]


@router.post("/moderation/duplicates", response_model=look_alike_schemas.FlagOut, responses=STATUS_CHANGE)
def flag_duplicate(deps: DepsDep, who: Moderator, body: bodies.DuplicateFlagIn) -> look_alike_schemas.FlagOut:
    """Flag two open cases as possibly one child (a look-alike: ``GET /api/cases/{id}/look-alikes``), as the
    automatic check does: while the flag is open, a case whose other case is verified and another account's
    cannot be verified (409), until a moderator links them or dismisses the flag
    (``POST /api/moderation/duplicates/{id}``). Flagged already and open: the same flag again (``raised``
    false); decided already: 409 (reopen that flag instead)."""
    flag_id, raised = look_alikes.flag_by_hand(deps, who, body.case_id, body.other_case_id)
    return look_alike_schemas.FlagOut(id=flag_id, raised=raised)


@router.post("/moderation/sightings", status_code=204, responses={**ERRORS, 409: {
    "model": schemas.Problem, "description": "A report changed since it was read, or was decided otherwise"}})
def moderate(deps: DepsDep, who: Moderator, body: bodies.ModerateIn) -> Response:
    """Approve or reject (with a reason) one or many reports. A report showing several faces, none
    marked as the child's, is approved only with ``child_faces`` saying which is the child's, or that
    the child's face is not among them (422 otherwise, and nothing is approved)."""
    moderation.moderate_sightings(deps, who, body.ids, body.approve, body.reason, body.child_faces, body.versions)
    return Response(status_code=204)


@router.get("/moderation/duplicates", response_model=list[candidate_schemas.DuplicateOut], responses=ERRORS)
def duplicates(deps: DepsDep, who: Moderator, lang: Reader) -> list[candidate_schemas.DuplicateOut]:
    """Cases that look like the same child registered twice (a family and the police), likeliest first."""
    return [candidate_schemas.DuplicateOut(**r, lead_words=duplicate_words(lang, r))
            for r in grouping.duplicates(deps, who)]


@router.post("/moderation/duplicates/{flag_id}", status_code=204, responses=ERRORS)
def decide_duplicate(deps: DepsDep, who: Moderator, flag_id: int, body: bodies.DuplicateIn) -> Response:
    """Link the two cases as one child (as PFIF's linked_person_record_id), dismiss the flag (different
    children, with the ``reason``), or reopen it. A case waiting on the flag (``verification_waits``)
    may be verified once it is linked or dismissed."""
    grouping.decide_duplicate(deps, who, flag_id, body.decision, body.reason)
    return Response(status_code=204)


@router.post("/moderation/photo-copies/{copy_id}/clear", status_code=204, responses=ERRORS)
def clear_photo_copy(deps: DepsDep, who: Moderator, copy_id: int, body: bodies.PhotoCopyClearIn) -> Response:
    """Clear a flag "this case photo is a copy of street report N's picture" (``photo_copies[].id`` in the
    queues) where the photo is the family's own, reposted as a report first, saying why: the case may then be
    verified, and the photo is published and matched. Audited."""
    photo_copies.clear_copy(deps, who, copy_id, body.reason)
    return Response(status_code=204)


@router.post("/moderation/corrections/{correction_id}", status_code=204, responses=ERRORS)
def decide_correction(deps: DepsDep, who: Moderator, correction_id: int, body: bodies.CorrectionDecisionIn) -> Response:
    """Accept a correction of a verified case's identity facts waiting (``corrections`` in the queues: the values
    it replaces and gives): written over the case's, matched again; or refuse it, saying why. The same decision
    again changes nothing; one decided otherwise, or of a case no longer open, is 409."""
    corrections.decide_correction(deps, who, correction_id, body.decision == "accept", body.reason, body.checked)
    return Response(status_code=204)


@router.post("/sightings/{sighting_id}/child-face", status_code=204, responses=ERRORS)
def child_face(deps: DepsDep, who: Moderator, sighting_id: int, body: bodies.ChildFaceIn) -> Response:
    """Mark which face is the child's; every other face is blurred for families."""
    moderation.mark_child_face(deps, who, sighting_id, body.face_id, body.version)
    return Response(status_code=204)


@router.post("/sightings/{sighting_id}/place-from-photo", status_code=204, responses=ERRORS)
def place_from_photo(deps: DepsDep, who: Moderator, sighting_id: int) -> Response:
    """Place the report by its photo's EXIF position, which was set aside because it lay far (``photo_km``) from the
    city the reporter's words name (the words misread, or naming a street placed elsewhere): it is matched again
    there, its words kept. 409 for a report with no position set aside, or placed by a position already."""
    where_seen.use_photo_place(deps, who, sighting_id)
    return Response(status_code=204)


@router.put("/sightings/{sighting_id}/family-summary", status_code=204, responses=ERRORS)
def family_summary(deps: DepsDep, who: Moderator, sighting_id: int, body: bodies.FamilySummaryIn) -> Response:
    """Write what families and partners may read about the child (they never read the reporter's own
    words, which can name the exact place); the same words again change nothing."""
    moderation.write_family_summary(deps, who, sighting_id, body.family_summary)
    return Response(status_code=204)


@router.post("/cases/{case_id}/verify", status_code=204, responses=STATUS_CHANGE)
def verify(deps: DepsDep, who: Verifier, case_id: int, body: bodies.EvidenceIn,
           idempotency_key: IdempotencyKey = None) -> Response:
    """Verify a case waiting for verification; asked again (a case verified already, or the same
    ``Idempotency-Key``) it answers 204 again and nothing is done twice; the ``shared_description`` and
    ``shared_marks`` sent to a case verified already are taken all the same, as PUT .../shared-description takes
    them (refused alike: 422), never dropped. Send the case's ``version`` as you read it
    (GET /api/cases/{id}): a case changed since is refused (409) rather than verified with facts you never saw."""
    key = idempotency.scoped(who, f"verify:{case_id}", idempotency_key, [("body", body.model_dump_json())])
    moderation.verify_case(deps, who, case_id, body.evidence, key, shared=body.shared(), child_faces=body.child_faces,
                           version=body.version)
    return Response(status_code=204)


@router.put("/cases/{case_id}/photos/{photo_id}/child-face", status_code=204, responses=STATUS_CHANGE)
def case_child_face(deps: DepsDep, who: Verifier, case_id: int, photo_id: int,
                    body: bodies.CaseChildFaceIn) -> Response:
    """Say which face of a case photo showing several is the missing child's (its family does, on its case page).
    Until one is chosen the
    photo is on no poster, feed, webhook or export and none of its faces is matched; then every other face is
    blurred on every copy partners and the public read."""
    case_faces.choose_child_face(deps, who, case_id, photo_id, body.face_id)
    return Response(status_code=204)


@router.put("/cases/{case_id}/shared-description", status_code=204, responses=STATUS_CHANGE)
def shared_description(deps: DepsDep, who: Verifier, case_id: int, body: bodies.SharedDescriptionIn) -> Response:
    """Approve what of the family's description everyone who may not read it reads (partners' tokens,
    webhooks, PFIF and CSV exports, alerts, feeds, the poster): its ``description``; the same words again change
    nothing. The family, police and moderators read the family's own words."""
    moderation.share_texts(deps, who, case_id, {"description": body.shared_description})
    return Response(status_code=204)


@router.put("/cases/{case_id}/shared-marks", status_code=204, responses=STATUS_CHANGE)
def shared_marks(deps: DepsDep, who: Verifier, case_id: int, body: bodies.SharedMarksIn) -> Response:
    """Approve what of the family's distinguishing marks everyone who may not read them reads (partners'
    tokens, CSV and PFIF exports): its ``marks``; the same words again change nothing. Refused as the shared
    description is. The family, police and moderators read the family's own words."""
    moderation.share_texts(deps, who, case_id, {"marks": body.shared_marks})
    return Response(status_code=204)


@router.post("/cases/{case_id}/reject", status_code=204, responses=STATUS_CHANGE)
def reject(deps: DepsDep, who: Verifier, case_id: int, body: bodies.CaseDecisionIn,
           idempotency_key: IdempotencyKey = None) -> Response:
    """Reject a case still open; asked again (a case rejected already, or the same ``Idempotency-Key``)
    it answers 204 again and nothing is done twice. Send the case's ``version`` as you read it (GET /api/cases/{id}):
    a case verified meanwhile by another moderator, or changed since, is refused (409)."""
    key = idempotency.scoped(who, f"reject:{case_id}", idempotency_key, [("body", body.model_dump_json())])
    moderation.reject_case(deps, who, case_id, body.reason, key, version=body.version)
    return Response(status_code=204)


@router.post("/cases/{case_id}/reopen", status_code=204, responses=STATUS_CHANGE)
def reopen(deps: DepsDep, who: Moderator, case_id: int, body: bodies.CaseDecisionIn,
           idempotency_key: IdempotencyKey = None) -> Response:
    """Reopen a reunited, closed or rejected case (closed in error): it waits for verification again.
    A retry under the same ``Idempotency-Key`` answers 204 again; without one, a waiting case is 409."""
    key = idempotency.scoped(who, f"reopen:{case_id}", idempotency_key, [("body", body.model_dump_json())])
    moderation.reopen_case(deps, who, case_id, body.reason, key, version=body.version)
    return Response(status_code=204)


@router.post("/cases/{case_id}/notes/{note_id}/attach", status_code=204, responses=ERRORS)
def attach_note(deps: DepsDep, who: Moderator, case_id: int, note_id: int) -> Response:
    """Attach a note another registry sent on this case, kept aside (``notes_aside``): a moderator decides."""
    pfif.attach_note(deps, who, case_id, note_id)
    return Response(status_code=204)


@router.get("/cases/{case_id}/messages", response_model=list[case_schemas.MessageOut], responses=ERRORS)
def messages(deps: DepsDep, who: Correspondent, case_id: int) -> list[case_schemas.MessageOut]:
    return [case_schemas.MessageOut(**m) for m in queries.case_messages(deps, who, case_id)]


@router.post("/cases/{case_id}/messages", status_code=201, responses=ERRORS)
def message(
    request: Request, deps: DepsDep, who: Correspondent, case_id: int, body: bodies.MessageIn,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, int]:
    """Write to the family (as a reviewer) or to the reviewers (as the family). A retry (the same
    ``Idempotency-Key``; without one, the same text again while it is the case's last message, within
    an hour) answers the first message's id."""
    key = idempotency.scoped(who, f"message:{case_id}", idempotency_key, [("body", body.body)])
    if (first := throttle.retry_or_count(deps, key, who, "message", client_ip(request),
                                         deps.limits.messages_per_hour)) is not None:
        return {"id": int(first["id"])}
    return {"id": reunion.send_message(deps, who, case_id, body.body, key)}


@router.post("/cases/{case_id}/verifications", status_code=201, responses=ERRORS)
def verification(deps: DepsDep, who: Caseworker, case_id: int, body: bodies.VerificationIn,
                 idempotency_key: IdempotencyKey = None) -> dict[str, int]:
    """Record a DNA result, an identity document or an interview (once per ``Idempotency-Key``)."""
    key = idempotency.scoped(who, f"verification:{case_id}", idempotency_key, [("body", body.model_dump_json())])
    return {"id": reunion.record_verification(deps, who, case_id, body.candidate_id, body.method, body.result,
                                              body.notes, key)}


@router.post("/cases/{case_id}/close", status_code=204, responses=STATUS_CHANGE)
def close(deps: DepsDep, who: Caseworker, case_id: int, body: bodies.CloseIn,
          idempotency_key: IdempotencyKey = None) -> Response:
    """Close as reunited (after a matching verification) or for another reason. Asked again (a case
    already ended so, or the same ``Idempotency-Key``) it answers 204 again and nothing is done twice;
    a case ended otherwise is 409."""
    key = idempotency.scoped(who, f"close:{case_id}", idempotency_key, [("body", body.model_dump_json())])
    reunion.close_case(deps, who, case_id, body.reunited, body.keep_data, key, version=body.version)
    return Response(status_code=204)


@router.post("/takedowns", status_code=202, responses=ERRORS)
def request_takedown(request: Request, deps: DepsDep, lang: Reader, body: bodies.TakedownIn,
                     idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    """Anyone may ask for a removal; a moderator checks identity before anything is removed. At most
    a few an hour from one address (429 with Retry-After beyond). Answered with a ``receipt`` to quote
    (unguessable: consecutive ids would tell anyone how many requests the site gets); moderators also
    get the request's ``id``. Asked again by its sender (the same ``Idempotency-Key``, or the very same
    request while it waits, from the same token or, for anyone else, with the cookie this API gave),
    it answers the waiting request's; a different request about the same record, or the same words from
    someone else, is stored with its own receipt, and moderators read the requests about a record
    together. ``status`` says what happened: ``pending`` (with the moderators), or ``removed``: the case's
    registrant's own request (signed in, or with the token that registered it) hid its open case at once, to be
    deleted for good at ``deleted_at`` unless answered ``object`` before (``POST /api/takedowns/{id}/answer``,
    the request's ``id`` given then); ``status_text`` in the reader's language."""
    who = current_principal(request)
    key = idempotency.scoped(who, "takedown", idempotency_key, [("body", body.model_dump_json())])
    # counted by address, whoever asks
    if (first := throttle.retry_or_count(deps, key, Principal(), "takedown", client_ip(request),
                                         deps.limits.takedowns_per_hour)) is not None:
        takedown_id = int(first["id"])
    else:
        takedown_id = retention.request_takedown(deps, body.subject, body.subject_id, body.requester,
                                                 body.relation, body.reason, key,
                                                 idempotency.holder(who, [presession_of(request)]), who)
    answer: dict[str, Any] = {"receipt": retention.takedown_receipt(deps, takedown_id), "status": "pending",
                              "status_text": lang.gettext("with the moderators, who check who asked before removing anything")}  # noqa: E501
    if (removed := removals.removed_at_once(deps, who, takedown_id)) is not None:  # probe s23 W5
        answer |= {"id": takedown_id, "status": "removed", "deleted_at": removed[1].isoformat(),
                   "status_text": lang.gettext(
                       "the case is hidden now from everyone and no longer searched for; it will be deleted for good on {when} unless you answer this request with object before then",  # noqa: E501
                       when=lang.datetime(removed[1]))}
    return answer | ({"id": takedown_id} if who.can(Permission.MODERATE) else {})


@router.post("/takedowns/{takedown_id}/decision", status_code=204, responses={
    **ERRORS, 409: {"model": schemas.Problem, "description": "The request was already decided otherwise"}})
def decide(deps: DepsDep, who: Moderator, takedown_id: int, body: bodies.DecisionIn,
           idempotency_key: IdempotencyKey = None) -> Response:
    """Approve (the record is blanked, and every other request waiting about it is closed as done with it)
    or refuse a removal request (that one only); the same decision sent again (or under the same
    ``Idempotency-Key``) answers 204 again; the other decision on a decided request is 409."""
    key = idempotency.scoped(who, f"takedown:{takedown_id}", idempotency_key, [("body", body.model_dump_json())])
    retention.decide_takedown(deps, who, takedown_id, body.approve, body.evidence, key)
    return Response(status_code=204)


@router.post("/takedowns/{takedown_id}/undo", status_code=204, responses={
    **ERRORS, 409: {"model": schemas.Problem, "description": "Nothing to undo: not an approved removal of an open "
                    "case, or its days have passed"}})
def undo_removal(deps: DepsDep, who: Moderator, takedown_id: int, body: bodies.UndoIn) -> Response:
    """Undo an approved removal of an open case within its days (docs/decisions/0006): a request waiting for
    an objection ends; a case removed and still kept is open again as it stood."""
    removals.undo(deps, who, takedown_id, body.evidence)
    return Response(status_code=204)


@router.post("/takedowns/{takedown_id}/answer", status_code=204, responses=ERRORS)
def answer_removal(deps: DepsDep, who: Registrant, takedown_id: int, body: bodies.AnswerIn) -> Response:
    """The case's registrant (the token or account that registered it) answers a removal request about
    it: ``object`` refuses every request waiting about the case (restoring it if removed and still kept);
    ``confirm`` removes the case now, restorable for a while. 404 for anyone else."""
    removals.answer(deps, who, takedown_id, body.answer == "object")
    return Response(status_code=204)


@router.post("/tokens", status_code=201, response_model=schemas.TokenIssued, responses=ERRORS)
def issue_token(deps: DepsDep, who: Admin, body: bodies.TokenIn,
                idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    """A scoped token for a partner organisation: its ``id`` (for ``DELETE /api/tokens/{id}``) and the
    secret ``token``, shown only in this answer (and in a retry's under the same ``Idempotency-Key``: one
    token, never two). It works while the account that issued it is enabled and an admin's."""
    key = idempotency.scoped(who, "token", idempotency_key, [("body", body.model_dump_json())])
    token_id, token = accounts.issue(deps, who, body.name, body.scopes, body.domains, key)
    return {"id": token_id, "token": token}


@router.delete("/tokens/{token_id}", status_code=204, responses=ERRORS)
def revoke_token(deps: DepsDep, who: Admin, token_id: int,
                 withdraw_reason: Annotated[str | None, Query(max_length=4000, description=(
                     "Also withdraw (reject, audited with this reason) the cases it and the tokens it issued "
                     "imported that nobody verified yet"))] = None) -> Response:
    accounts.revoke_token(deps, who, token_id, withdraw_reason)
    return Response(status_code=204)


@router.post("/tokens/{token_id}/withdraw-imports", responses=ERRORS)
def withdraw_imports(deps: DepsDep, who: Admin, token_id: int, body: bodies.ReasonIn) -> dict[str, int]:
    """Withdraw (reject, each audited with the reason) the cases this token imported that nobody verified yet,
    whether it is revoked or not: ``withdrawn``, how many."""
    return {"withdrawn": withdrawals.withdraw_imports(deps, who, token_id, body.reason)}
