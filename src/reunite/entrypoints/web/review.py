"""Pages for reviewers: moderation queues, case verification, the child's face, messages with the family,
verification and reunion, takedown decisions (the admin's pages: ``web.admin``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from reunite.domain.access import SHARED_TEXTS, Permission, Principal
from reunite.domain.errors import InvalidInput, ReuniteError
from reunite.domain.workbench import BulkDismissal, Left
from reunite.entrypoints.api.auth import PrincipalDep, allow, client_ip
from reunite.entrypoints.web import forms
from reunite.entrypoints.web.browse import show_sighting
from reunite.entrypoints.web.cases import case_again
from reunite.entrypoints.web.forms import checked_form, form_key, number, shown, text, whole
from reunite.entrypoints.web.pages import DepsDep, LangDep, refusal, refused, render
from reunite.i18n import Language
from reunite.services import (
    corrections,
    grouping,
    look_alikes,
    moderation,
    moderation_queues,
    pfif,
    photo_copies,
    removals,
    retention,
    reunion,
    review,
    throttle,
    where_seen,
)
from reunite.services.deps import Deps

router = APIRouter(include_in_schema=False)
Moderator = Annotated[Principal, Depends(allow(Permission.MODERATE))]
Verifier = Annotated[Principal, Depends(allow(Permission.VERIFY_CASE))]
Caseworker = Annotated[Principal, Depends(allow(Permission.RECORD_REUNION))]
Action = Callable[[FormData], object]


def ids(form: FormData) -> list[int]:
    return forms.ids(form, "ids")


def child_faces(form: FormData, chosen: list[int]) -> dict[int, int | None]:
    """The child's face the moderator chose for each chosen report (``child_face_<id>``: a face's id,
    or "none": the child's face is not among the report's faces); reports without a choice are left out."""
    found: dict[int, int | None] = {}
    for sighting_id in chosen:
        value = text(form, f"child_face_{sighting_id}")
        if value == "none" or value.isdigit():
            found[sighting_id] = None if value == "none" else whole(value, f"child_face_{sighting_id}")
    return found


def photo_faces(form: FormData) -> dict[int, int | None]:
    """A verifier's choice of the child's face in each case photo of several (``child_face_<photo id>``: a face's
    id, or "none": cannot tell); photos without a choice are left out."""
    found: dict[int, int | None] = {}
    for name in form:
        if (photo := name.removeprefix("child_face_")).isdigit() and len(photo) <= 19:
            value = text(form, name)
            if value == "none" or value.isdigit():
                found[int(photo)] = None if value == "none" else whole(value, name)
    return found


def versions(form: FormData, chosen: list[int]) -> dict[int, str]:
    """The version of each chosen report as the page showed it (``version_<id>``)."""
    return {i: text(form, f"version_{i}") for i in chosen if text(form, f"version_{i}")}


@router.get("/moderation", response_class=HTMLResponse)
def queues(request: Request, lang: LangDep, deps: DepsDep, who: Moderator) -> HTMLResponse:
    return render(request, lang, "moderation.html", q=moderation_queues.queue_overview(deps, who, reader=lang),
                  duplicates=grouping.duplicates(deps, who), done=request.query_params.get("done"), typed=None,
                  bulk=_bulk_said(request))


async def _moderate(request: Request, lang: LangDep, deps: DepsDep, who: Principal, action: Action) -> Response:
    """Run one reviewer action from a form; back to the queue (or the page named in ``back``). Refused, the
    page the form was on comes back (``_again``)."""
    form = await checked_form(request)
    back = shown(form, "back") if shown(form, "back").startswith("/") else "/moderation"
    try:
        action(form)
    except ReuniteError as exc:
        return _again(request, lang, deps, who, back, exc, form)
    return RedirectResponse(f"{back}{'&' if '?' in back else '?'}done=1", status_code=303)


CASE_PAGE, SIGHTING_PAGE = re.compile(r"/cases/(\d{1,19})"), re.compile(r"/sightings/(\d{1,19})")


def _again(request: Request, lang: Language, deps: Deps, who: Principal, back: str, exc: ReuniteError,
           form: FormData) -> HTMLResponse:
    """A reviewer's refused form, back on the page it was sent from (``back``: a case's page, a sighting's,
    else the moderation queues) as typed, with the error by its field (``pages.refusal``, ``pages.sent_form``)."""
    if found := CASE_PAGE.fullmatch(back):
        return case_again(request, lang, deps, who, int(found.group(1)), exc, form)
    if found := SIGHTING_PAGE.fullmatch(back):
        return refused(show_sighting(request, lang, deps, who, int(found.group(1)), exc.status_code,
                                     typed=form, **refusal(lang, exc)), exc)
    return refused(render(request, lang, "moderation.html", status=exc.status_code,
                          q=moderation_queues.queue_overview(deps, who, reader=lang),
                          duplicates=grouping.duplicates(deps, who), done=None, bulk={"dismissed": None, "left": {}},
                          typed=form, **refusal(lang, exc)), exc)


@router.post("/moderation/sightings", response_model=None)
async def moderate_sightings(request: Request, lang: LangDep, deps: DepsDep, who: Moderator) -> Response:
    return await _moderate(request, lang, deps, who, lambda f: moderation.moderate_sightings(
        deps, who, ids(f), text(f, "action") == "approve", text(f, "reason"), child_faces(f, ids(f)),
        versions(f, ids(f))))


@router.post("/moderation/candidates", response_model=None)
async def dismiss_candidates(request: Request, lang: LangDep, deps: DepsDep, who: Moderator) -> Response:
    """Back to the queues, saying how many were dismissed and which were left as they were, and why
    (``review.dismiss_candidates``: only candidates still waiting for a decision are dismissed)."""
    done: list[BulkDismissal] = []
    answer = await _moderate(request, lang, deps, who, lambda f: done.append(review.dismiss_candidates(
        deps, who, ids(f), text(f, "reason"))))
    if not done:
        return answer  # refused: the page as sent, with the error
    said = [("dismissed", str(len(done[0].dismissed)))]
    said += [(f"left_{why.value}", ",".join(map(str, left))) for why, left in done[0].left.items()]
    return RedirectResponse(f"/moderation?{urlencode(said)}#candidates", status_code=303)


def _bulk_said(request: Request) -> dict[str, object]:
    """What the last dismissal in bulk did, from the address it sent the moderator to: how many were
    dismissed, and the candidates left as they were by why (``domain.workbench.Left``)."""
    query = request.query_params
    count = query.get("dismissed", "")
    left = {why.value: [int(i) for i in query.get(f"left_{why.value}", "").split(",") if i.isdigit() and len(i) < 20]
            for why in Left}
    return {"dismissed": int(count) if count.isdigit() and len(count) < 7 else None,
            "left": {why: ids for why, ids in left.items() if ids}}


@router.post("/moderation/duplicates/{flag_id}", response_model=None)
async def decide_duplicate(request: Request, lang: LangDep, deps: DepsDep, who: Moderator, flag_id: int) -> Response:
    return await _moderate(request, lang, deps, who, lambda f: grouping.decide_duplicate(
        deps, who, flag_id, text(f, "decision"), text(f, "reason")))


@router.post("/moderation/photo-copies/{copy_id}/clear", response_model=None)
async def clear_photo_copy(request: Request, lang: LangDep, deps: DepsDep, who: Moderator, copy_id: int) -> Response:
    """A moderator clears a report-copy flag: the family's own photo, reposted as a report first (probe s39 L4)."""
    return await _moderate(request, lang, deps, who, lambda f: photo_copies.clear_copy(
        deps, who, copy_id, text(f, "reason")))


@router.post("/moderation/duplicates", response_model=None)
async def flag_duplicate(request: Request, lang: LangDep, deps: DepsDep, who: Moderator) -> Response:
    """A moderator flags two cases as possibly one child (a look-alike beside a Verify form)."""
    return await _moderate(request, lang, deps, who, lambda f: look_alikes.flag_by_hand(
        deps, who, whole(text(f, "case_id"), "case_id"), whole(text(f, "other_case_id"), "other_case_id")))


@router.post("/sightings/{sighting_id}/child-face", response_model=None)
async def child_face(request: Request, lang: LangDep, deps: DepsDep, who: Moderator, sighting_id: int) -> Response:
    return await _moderate(request, lang, deps, who, lambda f: moderation.mark_child_face(
        deps, who, sighting_id, number(f, "face_id", int), text(f, "version") or None))


@router.post("/sightings/{sighting_id}/photo-place", response_model=None)
async def photo_place(request: Request, lang: LangDep, deps: DepsDep, who: Moderator, sighting_id: int) -> Response:
    """Place the report by its photo's location, set aside as far from the place typed."""
    return await _moderate(request, lang, deps, who, lambda f: where_seen.use_photo_place(deps, who, sighting_id))


@router.post("/sightings/{sighting_id}/family-summary", response_model=None)
async def family_summary(request: Request, lang: LangDep, deps: DepsDep, who: Moderator, sighting_id: int) -> Response:
    """Refused words come back on the sighting page with the error, as typed."""
    form = await checked_form(request)
    try:
        moderation.write_family_summary(deps, who, sighting_id, text(form, "family_summary"))
    except ReuniteError as exc:
        return _again(request, lang, deps, who, f"/sightings/{sighting_id}", exc, form)
    return RedirectResponse(f"/sightings/{sighting_id}?done=1#family-summary", status_code=303)


@router.post("/cases/{case_id}/verify", response_model=None)
async def verify(request: Request, lang: LangDep, deps: DepsDep, who: Verifier, case_id: int) -> Response:
    return await _moderate(request, lang, deps, who, lambda f: moderation.verify_case(
        deps, who, case_id, text(f, "evidence"), form_key(who, f"verify:{case_id}", f), shared=shared_sent(f),
        child_faces=photo_faces(f), version=text(f, "version") if "version" in f else None))  # the forms send it


def shared_sent(form: FormData) -> dict[str, str]:
    """The free texts a form approves for sharing (``shared_description``, ``shared_marks``: the boxes it had)."""
    return {name: text(form, field) for name, field in SHARED_TEXTS.items() if field in form}


@router.post("/cases/{case_id}/shared-description", response_model=None)
async def shared_description(request: Request, lang: LangDep, deps: DepsDep, who: Verifier, case_id: int) -> Response:
    """What of the family's description and marks everyone else reads (the boxes the case page had); refused
    words come back on the case page."""
    return await _on_case(request, lang, deps, who, case_id, lambda f: moderation.share_texts(
        deps, who, case_id, shared_sent(f)), "shared-description")


@router.post("/cases/{case_id}/reject", response_model=None)
async def reject(request: Request, lang: LangDep, deps: DepsDep, who: Verifier, case_id: int) -> Response:
    return await _moderate(request, lang, deps, who, lambda f: moderation.reject_case(
        deps, who, case_id, text(f, "reason"), form_key(who, f"reject:{case_id}", f),
        version=text(f, "version") if "version" in f else None))  # the forms send it


@router.post("/cases/{case_id}/reopen", response_model=None)
async def reopen(request: Request, lang: LangDep, deps: DepsDep, who: Moderator, case_id: int) -> Response:
    return await _on_case(request, lang, deps, who, case_id, lambda f: moderation.reopen_case(
        deps, who, case_id, text(f, "reason"), form_key(who, f"reopen:{case_id}", f),
        version=text(f, "version") if "version" in f else None))  # the form sends it


@router.post("/cases/{case_id}/notes/{note_id}/attach", response_model=None)
async def attach_note(request: Request, lang: LangDep, deps: DepsDep, who: Moderator, case_id: int,
                      note_id: int) -> Response:
    """Attach a note another registry sent, kept aside on the case page."""
    return await _on_case(request, lang, deps, who, case_id, lambda f: pfif.attach_note(deps, who, case_id, note_id),
                          "notes")


@router.post("/moderation/corrections/{correction_id}", response_model=None)
async def correction(request: Request, lang: LangDep, deps: DepsDep, who: Moderator, correction_id: int) -> Response:
    """Accept or refuse (saying why) a correction of a verified case's identity (docs/decisions/0007)."""
    return await _moderate(request, lang, deps, who, lambda f: corrections.decide_correction(
        deps, who, correction_id, text(f, "decision") == "accept", text(f, "reason"), text(f, "checked") == "yes"))


@router.post("/moderation/takedowns/{takedown_id}", response_model=None)
async def takedown(request: Request, lang: LangDep, deps: DepsDep, who: Moderator, takedown_id: int) -> Response:
    return await _moderate(request, lang, deps, who, lambda f: retention.decide_takedown(
        deps, who, takedown_id, text(f, "decision") == "approve", text(f, "evidence"),
        form_key(who, f"takedown:{takedown_id}", f)))


@router.post("/moderation/removals/{takedown_id}/undo", response_model=None)
async def undo_removal(request: Request, lang: LangDep, deps: DepsDep, who: Moderator, takedown_id: int) -> Response:
    """Undo an approved removal of an open case within its days (docs/decisions/0006)."""
    return await _moderate(request, lang, deps, who, lambda f: removals.undo(deps, who, takedown_id,
                                                                              text(f, "evidence")))


@router.post("/cases/{case_id}/removals/{takedown_id}", response_model=None)
async def answer_removal(request: Request, lang: LangDep, deps: DepsDep, who: PrincipalDep, case_id: int,
                         takedown_id: int) -> Response:
    """The case's registrant objects to a removal request about it, or confirms it."""
    if who.account_id is None:
        return RedirectResponse(f"/login?next=/cases/{case_id}", status_code=303)
    return await _on_case(request, lang, deps, who, case_id, lambda f: removals.answer(
        deps, who, takedown_id, text(f, "answer") != "confirm"), section="removals")


async def _on_case(request: Request, lang: LangDep, deps: DepsDep, who: Principal, case_id: int,
                   action: Action, section: str = "reunion") -> Response:
    """Do ``action`` with the posted form and go back to the case page's ``section``; a refusal is
    shown on the case page with what was typed kept."""
    form = await checked_form(request)
    try:
        action(form)
    except ReuniteError as exc:
        resent = "This form was sent before, with other words. What you typed is kept below: send it again to send it as new."  # noqa: E501
        # the form's one-time key is nothing the reader typed: say what happened in their words
        error = lang.gettext(resent) if exc.field == "idempotency_key" else None
        return case_again(request, lang, deps, who, case_id, exc, form, error)
    return RedirectResponse(f"/cases/{case_id}#{section}", status_code=303)


@router.post("/cases/{case_id}/messages", response_model=None)
async def message(request: Request, lang: LangDep, deps: DepsDep, who: PrincipalDep, case_id: int) -> Response:
    def send(form: FormData) -> None:
        key = form_key(who, f"message:{case_id}", form)
        if throttle.retry_or_count(deps, key, who, "message", client_ip(request),
                                   deps.limits.messages_per_hour) is None:  # else the form sent twice: sent once
            reunion.send_message(deps, who, case_id, text(form, "body"), key)

    return await _on_case(request, lang, deps, who, case_id, send, section="messages")


@router.post("/cases/{case_id}/verifications", response_model=None)
async def verification(request: Request, lang: LangDep, deps: DepsDep, who: Caseworker, case_id: int) -> Response:
    return await _on_case(request, lang, deps, who, case_id, lambda f: reunion.record_verification(
        deps, who, case_id, number(f, "candidate_id", int), text(f, "method"), text(f, "result"), text(f, "notes"),
        form_key(who, f"verification:{case_id}", f)))


@router.post("/cases/{case_id}/close", response_model=None)
async def close(request: Request, lang: LangDep, deps: DepsDep, who: Caseworker, case_id: int) -> Response:
    def close_it(form: FormData) -> None:
        if text(form, "outcome") not in {"reunited", "closed"}:  # the form starts with none chosen
            raise InvalidInput("choose how the case ended: reunited, or closed for another reason", field="outcome")
        if text(form, "keep_data") not in {"yes", "no"}:
            raise InvalidInput("choose whether to keep or delete the family's photos", field="keep_data")
        if text(form, "confirm") != "yes":
            raise InvalidInput("tick the box to confirm that the case should be closed", field="confirm")
        reunion.close_case(deps, who, case_id, text(form, "outcome") == "reunited", text(form, "keep_data") == "yes",
                           form_key(who, f"close:{case_id}", form),
                           version=text(form, "version") if "version" in form else None)  # the form sends it

    return await _on_case(request, lang, deps, who, case_id, close_it)
