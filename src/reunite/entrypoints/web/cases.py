"""A child's case: registering one, its page (candidates, messages, verifications) and a reviewer's
decision on a candidate from it."""

from __future__ import annotations

import math
from datetime import date, timedelta
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from reunite.domain import access
from reunite.domain.access import Permission, Principal
from reunite.domain.ages import age_told
from reunite.domain.dates import birth_date
from reunite.domain.errors import InvalidInput, Problems, ReuniteError
from reunite.domain.lifecycle import case_state, confirmable
from reunite.domain.model import CASE_TEXT_LIMITS as LIMIT
from reunite.domain.model import NICKNAMES_LIMIT, CandidateStatus, NewCase, Upload, age_in_years, age_shown
from reunite.domain.spelling import nickname_list
from reunite.entrypoints.api.auth import PrincipalDep, allow
from reunite.entrypoints.web import filters
from reunite.entrypoints.web.forms import (
    checked_form,
    form_language,
    hint,
    number,
    occurrences,
    place,
    request_fields,
    sex,
    text,
    typed_day_and_time,
    uploads,
)
from reunite.entrypoints.web.pages import DepsDep, LangDep, refusal, refused, render
from reunite.i18n import Language
from reunite.services import (
    case_checks,
    case_faces,
    corrections,
    doubles,
    idempotency,
    intake,
    look_alikes,
    photo_copies,
    place_days,
    posters,
    queries,
    removals,
    review,
    workbench,
)
from reunite.services.deps import Deps

router = APIRouter(include_in_schema=False)
Registrar = Annotated[Principal, Depends(allow(Permission.REGISTER_CASE))]
Reviewer = Annotated[Principal, Depends(allow(Permission.REVIEW_CANDIDATES))]


@router.get("/cases/new", response_class=HTMLResponse)
def case_form(request: Request, lang: LangDep, who: Registrar) -> HTMLResponse:
    return render(request, lang, "case_new.html", form={}, photo_dates=[])


NUMBERED = ("photos", "photo_dates")  # the case form's fields once per photo: a photo's problem said by its own
# the case forms' fields in order (the correction form's without photos): their problems listed in it
CASE_FIELDS = ("given_name", "family_name", "nicknames", "sex", "birth_date", "missing_since", "place_text", "lat",
               "lon", "description", "marks", *NUMBERED, "police_report", "family_contact")


@router.post("/cases/new", response_class=HTMLResponse, response_model=None)
async def case_send(request: Request, lang: LangDep, deps: DepsDep, who: Registrar) -> Response:
    form = await checked_form(request)
    try:
        case, files, taken = await case_typed(deps, form, lang)
        key = idempotency.scoped(who, "case", text(form, "idempotency_key"), request_fields(form), files)
        receipt = intake.register_case(deps, who, case, files, taken, key)
    except ReuniteError as exc:
        # the photos chosen cannot come back with the form (no browser keeps a file field): said beside them
        # (the page's script puts them back: static/forms.js)
        chosen = any(isinstance(f, UploadFile) and f.filename for f in form.getlist("photos"))
        reader = form_language(form, lang)
        return refused(render(request, lang, "case_new.html", status=exc.status_code, form=dict(form),
                              photo_dates=[str(d) for d in form.getlist("photo_dates")],  # each photo's, in order
                              photos_dropped=chosen, asked=occurrences(exc, reader),
                              **refusal(reader, exc, NUMBERED, CASE_FIELDS)), exc)
    if receipt.known:  # registered already by this sender: that case, saying what became of the photos sent
        return RedirectResponse(f"/cases/{receipt.case_id}?known={len(receipt.photo_ids)}", status_code=303)
    return RedirectResponse(f"/cases/{receipt.case_id}?registered=1", status_code=303)


async def case_typed(deps: Deps, form: FormData, lang: Language) -> tuple[NewCase, list[Upload], list[date | None]]:
    """The case as typed with its photos and their dates, or every problem of the form at once (422): each field
    as read, each photo's, and those of the facts a registration checks (``case_checks.case_problems``)."""
    problems = Problems()
    try:
        files, taken = await uploads(form, "photo_dates", problems)
    except InvalidInput as exc:  # the dates unreadable as a whole (a NUL in one)
        problems.add(exc)
        files, taken = [], []
    problems.check(lambda: intake.check_photo_count(deps, files, case=True))
    words = {name: problems.check(partial(text, form, name, limit)) for name, limit in (
        *((name, LIMIT[name]) for name in ("given_name", "family_name", "description", "marks", "police_report",
                                           "family_contact")),
        ("place_text", LIMIT["last_seen_text"]), ("nicknames", NICKNAMES_LIMIT))}
    birth = problems.check(lambda: birth_date(text(form, "birth_date")) if text(form, "birth_date") else None)
    missing = problems.check(partial(typed_day_and_time, form, "missing_since", "missing_since_time", lang))
    if not hint(form, "birth_date"):
        problems.add(InvalidInput("give the child's birth date", field="birth_date"))
    if not hint(form, "missing_since"):
        problems.add(InvalidInput("give the day the child was last seen", field="missing_since"))
    chosen_sex = problems.check(lambda: sex(form, "sex", required=True))
    where = problems.check(lambda: place(form))
    case_checks.case_problems(problems, deps.clock.now(), words["given_name"], birth,
                         (missing.at, missing.precision) if missing else None, taken, [f.number for f in files])
    problems.raise_all()
    assert birth is not None and missing is not None and chosen_sex is not None  # else refused above
    typed = {name: value or "" for name, value in words.items()}
    return NewCase(
        given_name=typed["given_name"], family_name=typed["family_name"], sex=chosen_sex, birth_date=birth,
        missing_since=missing.at, missing_since_precision=missing.precision, last_seen_place=where,
        last_seen_text=typed["place_text"], description=typed["description"], marks=typed["marks"],
        police_report=typed["police_report"], family_contact=typed["family_contact"],
        nicknames=nickname_list(typed["nicknames"]),
    ), files, taken


CANDIDATES_SHOWN = 10  # a case page stays short: the rest on further pages (and in the workbench)


def case_context(deps: Deps, who: Principal, case_id: int, page: int = 1,
                 reader: Language | None = None) -> dict[str, Any]:
    case = queries.get_case(deps, who, case_id, reader)
    for photo in case["photos"]:
        photo["age"] = age_shown(age_in_years(case["birth_date"], photo["taken_on"])) if photo["taken_on"] else None
        photo["age_told"] = age_told(case["birth_date"], photo["taken_on"]) if photo["taken_on"] else None
    candidates = queries.case_candidates(deps, who, case_id, reader=reader)
    workbench.holders(deps, who, candidates)  # reviewers read which another reviewer holds, and until when
    pages = max(1, math.ceil(len(candidates) / CANDIDATES_SHOWN))
    page = min(max(1, page), pages)
    waiting = case["status"] == "open" and not case.get("verified_at")
    # where the case stands (a status shown as "withdrawn" to a reader who may not know why: no state)
    state = case_state(case)
    hours = deps.read.verification_hours(deps.clock.now() - timedelta(days=90)) if waiting else None
    return {"case": case, "candidates": candidates, "cpage": page, "cpages": pages,
            # an ended case, to a reader of active cases only, is its placeholder: no name to head it (probe s38 M1)
            "placeholder": not access.case_in_full(who, case),
            # its leads' Confirm button, shown only while a confirmation may be made
            "case_state": state.value if state else "", "confirmable": state is not None and confirmable(state),
            "shown": candidates[(page - 1) * CANDIDATES_SHOWN: page * CANDIDATES_SHOWN],
            "verify_hours": hours and max(1, round(hours)),
            "to_review": deps.read.items_to_review(case_id) if who.can(Permission.REVIEW_CANDIDATES) else 0,
            "doubles": doubles.flags_shown(deps, who, [case_id]).get(case_id, []),  # reviewers only
            "photo_copies": photo_copies.copies_shown(deps, who, [case_id], reader).get(case_id, []),  # probe s36 K1
            # beside the Verify form: the other accounts' cases that look alike (those who verify only)
            "look_alikes": look_alikes.look_alikes(deps, who, [case_id], reader, subject_id=case_id).get(case_id, [])
            if waiting and who.can(Permission.VERIFY_CASE) else [],
            "near_reports": photo_copies.near_reports(deps, who, [case_id], reader, subject_id=case_id).get(case_id, [])
            if waiting else [],
            "timeline": queries.case_timeline(deps, who, case_id), **reunion_context(deps, who, case_id),
            # its history and leads: the family's and reviewers' side of the page, never a partner's (probe s36 K2)
            "history": access.case_history_shown(who, case_id),
            "sent": queries.family_sent(deps, who, case_id, reader),  # the family's own words: to it only
            "removal_requests": removals.asked_of(deps, who, case_id),  # to its registrant only
            # its registrant corrects it (docs/decisions/0007); a correction waiting for a moderator, shown to them
            "can_correct": case["status"] == "open" and corrections.may_correct(deps, who, case_id),
            "correction": corrections.waiting_for(deps, who, case_id) if case["status"] == "open" else None,
            # the police number where the child went missing (the page's), and where each lead was seen
            "police_phone": posters.police_at(deps, place_days.day_zone(
                deps, case.get("last_seen_lat"), case.get("last_seen_lon"), case.get("last_seen_text") or "")),
            "lead_police": {c["id"]: posters.police_at(deps, c.get("day_zone") or "") for c in candidates}}


def reunion_context(deps: Deps, who: Principal, case_id: int) -> dict[str, Any]:
    """Messages (family and reviewers), verification records and the actions this reader may take."""
    talk = access.case_history_shown(who, case_id)
    follow = who.owns(case_id) or who.can(Permission.RECORD_REUNION)
    return {"messages": queries.case_messages(deps, who, case_id) if talk else [], "can_talk": talk,
            "verifications": checks_shown(who, deps.read.verifications(case_id)) if follow else [],
            "can_verify": who.can(Permission.VERIFY_CASE), "can_close": who.can(Permission.RECORD_REUNION),
            "can_reopen": who.can(Permission.MODERATE),
            "can_review": who.can(Permission.REVIEW_CANDIDATES)}


def checks_shown(who: Principal, checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A case's checks as this reader reads them: staff all, those recorded before the case was reopened marked
    superseded; its family only the current ones, recorded since (probe s38 M3: a reunion reopened in error)."""
    return checks if who.can(Permission.RECORD_REUNION) else [c for c in checks if c.get("superseded_at") is None]


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, lang: LangDep, deps: DepsDep, who: PrincipalDep, case_id: int) -> HTMLResponse:
    raw = (request.query_params.get("cp") or "1").strip()
    page = int(raw) if raw.isdigit() and 1 <= int(raw) <= filters.MAX_PAGE else None
    error = None if page else lang.gettext("“{field}” must be between {low} and {high}", field=lang.gettext("Page"),
                                           low=1, high=lang.number(filters.MAX_PAGE))
    return render(request, lang, "case.html", status=422 if error else 200,
                  **case_context(deps, who, case_id, page or 1, lang), error=error,
                  registered=request.query_params.get("registered") == "1", known=_known(request),
                  photos_added=_known(request, "photos"), photos_held=request.query_params.get("held") == "1",
                  answered=request.query_params.get("answered") == "1",
                  corrected=request.query_params.get("corrected") or "",
                  chosen=request.query_params.get("chosen") == "1")


def _known(request: Request, name: str = "known") -> int | None:
    """After a registration of a child the sender had registered already: how many of the photos sent were
    added to that case (``?known=2``); after "Add photos", how many it added (``?photos=2``); None otherwise."""
    raw = request.query_params.get(name) or ""
    return int(raw) if raw.isdigit() and len(raw) <= 2 else None


@router.post("/cases/{case_id}/photos/{photo_id}/child-face", response_model=None)
async def child_face(request: Request, lang: LangDep, deps: DepsDep, who: PrincipalDep, case_id: int,
                     photo_id: int) -> Response:
    """The family's (or a verifier's) choice of the child's face in a photo of several (``child_face_<photo>``:
    a face's id; "none", a verifier's "cannot tell"); refused, the case page comes back with the error."""
    form = await checked_form(request)
    name = f"child_face_{photo_id}"
    try:
        case_faces.may_choose(who, case_id)  # who may, before what was sent is read
        value = text(form, name)
        if value != "none" and not value.isdigit():
            raise InvalidInput("choose the child's face", field="face_id")
        case_faces.choose_child_face(deps, who, case_id, photo_id, None if value == "none" else int(value))
    except ReuniteError as exc:
        return case_again(request, lang, deps, who, case_id, exc, form)
    return RedirectResponse(f"/cases/{case_id}?chosen=1#photo-{photo_id}", status_code=303)


@router.post("/candidates/{candidate_id}/review", response_model=None)
async def review_send(request: Request, lang: LangDep, deps: DepsDep, who: Reviewer, candidate_id: int) -> Response:
    form = await checked_form(request)
    case_id = number(form, "case_id", int)
    try:
        decision = {"confirm": CandidateStatus.CONFIRMED, "dismiss": CandidateStatus.DISMISSED}.get(
            text(form, "decision"))
        if decision is None:
            raise InvalidInput("decision must be 'confirm' or 'dismiss'", field="decision")
        review.review_candidate(deps, who, candidate_id, decision, text(form, "reason"))
    except ReuniteError as exc:
        if not case_id:
            raise
        return case_again(request, lang, deps, who, case_id, exc, form)
    return RedirectResponse(f"/cases/{case_id}#candidate-{candidate_id}", status_code=303)


def case_again(request: Request, lang: Language, deps: Deps, who: Principal, case_id: int, exc: ReuniteError,
               form: FormData, error: str | None = None) -> HTMLResponse:
    """The case page after one of its forms was refused (a decision on a lead, a message, a verification,
    closing, reopening, verifying): that form as typed, the error by its field (``pages.refusal``, the form
    found by its action: ``pages.sent_form``) and at the top of the page (``error``: other words for it)."""
    told = refusal(lang, exc) | ({"error": error} if error else {})
    return refused(render(request, lang, "case.html", status=exc.status_code,
                          **case_context(deps, who, case_id, reader=lang), registered=False, typed=form, **told), exc)
