"""The reviewers' workbench (one candidate at a time), the reports queue (every photo, one key per
decision) and the families' answers on leads. Forms first; static/workbench.js adds the keys."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from reunite.domain.access import Permission, Principal
from reunite.domain.errors import InvalidInput, ReuniteError, TooManyRequests
from reunite.domain.workbench import DISMISS_REASONS, REJECT_REASONS, Action
from reunite.entrypoints.api.auth import PrincipalDep, allow
from reunite.entrypoints.web import forms
from reunite.entrypoints.web.browse import show_sighting
from reunite.entrypoints.web.cases import case_again
from reunite.entrypoints.web.forms import checked_form, number, several, text
from reunite.entrypoints.web.pages import DepsDep, LangDep, refusal, refused, render
from reunite.entrypoints.web.review import child_faces, versions
from reunite.services import families, moderation, moderation_queues, workbench

router = APIRouter(include_in_schema=False)
Reviewer = Annotated[Principal, Depends(allow(Permission.REVIEW_CANDIDATES))]
Moderator = Annotated[Principal, Depends(allow(Permission.MODERATE))]
Browser = Annotated[Principal, Depends(allow(Permission.BROWSE_SIGHTINGS))]
REPORTS_SHOWN = 20
OUTCOMES = ("confirmed", "first_confirmed", "dismissed", "skipped", "later", "undone")


@router.get("/workbench", response_model=None)
def next_item(request: Request, lang: LangDep, deps: DepsDep, who: Reviewer) -> Response:
    """Claim the next candidate and show it; or say nothing is left."""
    done = request.query_params.get("done")
    done = done if done in OUTCOMES else None
    found = workbench.next_candidate(deps, who)
    if found is None:
        return render(request, lang, "workbench.html", c=None, done=done, reasons=DISMISS_REASONS)
    return RedirectResponse(f"/workbench/{found}" + (f"?done={done}" if done else ""), status_code=303)


def _show(request: Request, lang: LangDep, deps: DepsDep, who: Principal, candidate_id: int,
          refused_with: ReuniteError | None = None, form: FormData | None = None) -> HTMLResponse:
    """The item; after a refused decision, with the error by what it is about (``pages.refusal``) and the
    trail's sightings ticked as they were sent."""
    done = request.query_params.get("done")
    told = refusal(lang, refused_with) if refused_with else {}
    page = render(request, lang, "workbench.html", status=refused_with.status_code if refused_with else 200,
                  **workbench.item(deps, who, candidate_id, lang), done=done if done in OUTCOMES else None,
                  reasons=DISMISS_REASONS, typed=form, **told)
    return refused(page, refused_with) if refused_with else page


@router.get("/workbench/{candidate_id}", response_class=HTMLResponse)
def show(request: Request, lang: LangDep, deps: DepsDep, who: Reviewer, candidate_id: int) -> HTMLResponse:
    """Opened by its address, the candidate is claimed as the queue claims one, unless another reviewer holds it."""
    workbench.open_by_address(deps, who, candidate_id)
    return _show(request, lang, deps, who, candidate_id)


@router.post("/workbench/undo", response_model=None)
async def undo(request: Request, lang: LangDep, deps: DepsDep, who: Reviewer) -> Response:
    await checked_form(request)
    try:
        candidate_id = workbench.undo(deps, who)
    except ReuniteError as exc:
        return refused(render(request, lang, "workbench.html", status=exc.status_code, c=None, done=None,
                              reasons=DISMISS_REASONS, **refusal(lang, exc)), exc)
    return RedirectResponse(f"/workbench/{candidate_id}?done=undone", status_code=303)


@router.post("/workbench/{candidate_id}", response_model=None)
async def decide(request: Request, lang: LangDep, deps: DepsDep, who: Reviewer, candidate_id: int) -> Response:
    form = await checked_form(request)
    try:
        try:
            action = Action(text(form, "action"))
        except ValueError:
            raise InvalidInput("choose confirm, dismiss, skip or later", field="action") from None
        outcome = workbench.decide(deps, who, candidate_id, action, text(form, "reason"), _ticked(form),
                                   take_over=text(form, "take_over") == "1")
    except ReuniteError as exc:
        return _show(request, lang, deps, who, candidate_id, exc, form)
    return RedirectResponse(f"/workbench?done={outcome}", status_code=303)


def _ticked(form: FormData) -> list[int] | None:
    """The trail's sightings the reviewer ticked to confirm; None when the page listed no trail."""
    if not text(form, "trail"):
        return None
    return forms.ids(form, "member")


# -- reports ------------------------------------------------------------------------------------
@router.get("/moderation/reports", response_class=HTMLResponse)
def reports(request: Request, lang: LangDep, deps: DepsDep, who: Moderator) -> HTMLResponse:
    return _reports(request, lang, deps, who)


def _reports(request: Request, lang: LangDep, deps: DepsDep, who: Principal,
             refused_with: ReuniteError | None = None, typed: FormData | None = None) -> HTMLResponse:
    """The reports to check; after a refusal, with what the moderator chose (``typed``) still chosen and the
    error by what it is about (``pages.refusal``)."""
    q = moderation_queues.queue_overview(deps, who, REPORTS_SHOWN, reader=lang)
    counts = cast(dict[str, int], q["counts"])
    told = refusal(lang, refused_with) if refused_with else {}
    page = render(request, lang, "reports.html", status=refused_with.status_code if refused_with else 200,
                  rows=q["sightings"], left=counts["sightings"], reasons=REJECT_REASONS,
                  done=None if refused_with else request.query_params.get("done"), typed=typed, **told)
    return refused(page, refused_with) if refused_with else page


@router.post("/moderation/reports/{verdict}", response_model=None)
async def decide_reports(request: Request, lang: LangDep, deps: DepsDep, who: Moderator, verdict: str) -> Response:
    """Approve or reject one report (its own buttons), the chosen ones, or all shown."""
    form = await checked_form(request)
    try:
        if verdict not in ("approve", "reject"):
            raise InvalidInput("choose approve or reject", field="action")
        one = text(form, "one")
        field = "one" if one else "all" if text(form, "scope") == "all" else "ids"
        ids = [forms.whole(v, field) for v in ([one] if one else several(form, field)) if v.strip()]
        if not ids:
            raise InvalidInput("choose at least one report", field="ids")
        done = moderation.moderate_sightings(deps, who, ids, verdict == "approve", text(form, "reason"),
                                             child_faces(form, ids), versions(form, ids))
    except ReuniteError as exc:
        return _reports(request, lang, deps, who, exc, typed=form)
    return RedirectResponse(f"/moderation/reports?done={done}", status_code=303)


# -- families -------------------------------------------------------------------------------------
@router.post("/candidates/{candidate_id}/answer", response_model=None)
async def answer(request: Request, lang: LangDep, deps: DepsDep, who: PrincipalDep, candidate_id: int) -> Response:
    """A refused answer (too many in the hour: 429; a note too long) comes back on the case page as typed."""
    form = await checked_form(request)
    try:
        case_id = families.answer_lead(deps, who, candidate_id, text(form, "answer"), text(form, "note"))
    except ReuniteError as exc:
        case_id = number(form, "case_id", int)
        if case_id is None or not who.owns(case_id):
            raise
        return case_again(request, lang, deps, who, case_id, exc, form)
    return RedirectResponse(f"/cases/{case_id}?answered=1#candidate-{candidate_id}", status_code=303)


@router.post("/sightings/{sighting_id}/mine", response_model=None)
async def mine(request: Request, lang: LangDep, deps: DepsDep, who: Browser, sighting_id: int) -> Response:
    """A refused proposal (too many in the hour: 429; a note too long) comes back on the sighting's page with
    the note as typed."""
    form = await checked_form(request)
    try:
        case_id = number(form, "case_id", int)
        if case_id is None:
            raise InvalidInput("choose your case", field="case_id")
        families.propose_sighting(deps, who, sighting_id, case_id, text(form, "note"))
    except (InvalidInput, TooManyRequests) as exc:
        return refused(show_sighting(request, lang, deps, who, sighting_id, exc.status_code, typed=form,
                                     **refusal(lang, exc)), exc)
    return RedirectResponse(f"/sightings/{sighting_id}?sent=1", status_code=303)
