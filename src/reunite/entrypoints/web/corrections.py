"""A case corrected from its page by whoever registered it (docs/decisions/0007), photos added to it (probe s33 G1),
and a moderator's decision on a correction of a verified case's identity that waits: each form reads its fields,
calls one service, and comes back as typed with the error by its field when refused."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from reunite.domain.access import Principal
from reunite.domain.dates import birth_date
from reunite.domain.errors import InvalidInput, Problems, ReuniteError
from reunite.domain.model import CASE_TEXT_LIMITS as LIMIT
from reunite.domain.model import NICKNAMES_LIMIT
from reunite.domain.spelling import nickname_list
from reunite.domain.times import with_offset
from reunite.entrypoints.api.auth import PrincipalDep
from reunite.entrypoints.web.cases import CASE_FIELDS, NUMBERED
from reunite.entrypoints.web.forms import (
    checked_form,
    hint,
    occurrences,
    place,
    sex,
    text,
    typed_day_and_time,
    uploads,
)
from reunite.entrypoints.web.pages import DepsDep, LangDep, refusal, refused, render
from reunite.i18n import Language
from reunite.services import added_photos, case_checks, corrections, queries
from reunite.services.deps import Deps

router = APIRouter(include_in_schema=False)


def _typed(deps: Deps, who: Principal, case_id: int, lang: Language) -> dict[str, Any]:
    """The form as the case stands now: every field as its registrant reads it."""
    corrections.require_correctable(deps, who, case_id)
    case = queries.get_case(deps, who, case_id, lang)
    at, precision = case["missing_since"], case["missing_since_precision"]
    day, hour = (at.astimezone(lang.tzinfo).date().isoformat(), at.astimezone(lang.tzinfo).strftime("%H:%M")) \
        if precision == "instant" else (with_offset(at, case.get("missing_since_offset")).date().isoformat(), "")
    return {"given_name": case["given_name"], "family_name": case.get("family_name") or "",
            "nicknames": ", ".join(case.get("nicknames") or []), "sex": case["sex"],
            "birth_date": case["birth_date"].isoformat(), "missing_since": day, "missing_since_time": hour,
            "missing_since_was": day, "missing_since_time_was": hour,
            "place_text": case.get("last_seen_text") or "", "lat": _number(case.get("last_seen_lat")),
            "lon": _number(case.get("last_seen_lon")), "description": case.get("description") or "",
            "marks": case.get("marks") or "", "police_report": case.get("police_report") or "",
            "family_contact": case.get("family_contact") or ""}


def _number(value: object) -> str:
    return "" if value is None else str(value)


@router.get("/cases/{case_id}/correct", response_class=HTMLResponse)
def correction_form(request: Request, lang: LangDep, deps: DepsDep, who: PrincipalDep, case_id: int) -> HTMLResponse:
    return render(request, lang, "case_correct.html", case_id=case_id, form=_typed(deps, who, case_id, lang),
                  waiting=corrections.waiting_for(deps, who, case_id), asked={})


def _values(form: FormData, lang: Language, now: datetime) -> dict[str, Any]:
    """The fields of the form, read and checked as the registration form reads and checks them, every problem at
    once; the time last seen only when it was changed (the same day and time read in another zone are no
    correction)."""
    problems = Problems()
    born = problems.check(lambda: birth_date(text(form, "birth_date")) if text(form, "birth_date") else None)
    if not hint(form, "birth_date"):
        problems.add(InvalidInput("give the child's birth date", field="birth_date"))
    texts = {name: problems.check(partial(text, form, field, limit)) for name, field, limit in (
        *((name, name, LIMIT[name]) for name in ("given_name", "family_name", "description", "marks", "police_report",
                                                 "family_contact")),
        ("last_seen_text", "place_text", LIMIT["last_seen_text"]), ("nicknames", "nicknames", NICKNAMES_LIMIT))}
    values: dict[str, Any] = {name: value or "" for name, value in texts.items()} | {
        "sex": problems.check(lambda: sex(form, "sex", required=True)), "birth_date": born,
        "last_seen_place": problems.check(lambda: place(form)),
        "nicknames": nickname_list(texts["nicknames"] or "")}
    same = problems.check(lambda: (text(form, "missing_since"), text(form, "missing_since_time")) == (
        text(form, "missing_since_was"), text(form, "missing_since_time_was")))
    if same is False:
        missing = problems.check(partial(typed_day_and_time, form, "missing_since", "missing_since_time", lang))
        if not hint(form, "missing_since"):
            problems.add(InvalidInput("give the day the child was last seen", field="missing_since"))
        elif missing is not None:
            values |= {"missing_since": missing.at, "missing_since_precision": missing.precision}
    changed = (values["missing_since"], values["missing_since_precision"]) if "missing_since" in values else None
    case_checks.case_problems(problems, now, texts["given_name"], born, changed, [])
    problems.raise_all()
    return values


@router.post("/cases/{case_id}/correct", response_class=HTMLResponse, response_model=None)
async def correction_send(request: Request, lang: LangDep, deps: DepsDep, who: PrincipalDep,
                          case_id: int) -> Response:
    form = await checked_form(request)
    corrections.require_correctable(deps, who, case_id)
    try:
        done = corrections.correct_case(deps, who, case_id, _values(form, lang, deps.clock.now()))
    except ReuniteError as exc:
        if exc.status_code in (403, 404):
            raise
        return refused(render(request, lang, "case_correct.html", status=exc.status_code, case_id=case_id,
                              form=dict(form), waiting=corrections.waiting_for(deps, who, case_id),
                              asked=occurrences(exc, lang), **refusal(lang, exc, order=CASE_FIELDS)), exc)
    said = "replaced" if done.replaced else "waiting" if done.waiting else "1" if done.applied else "0"
    return RedirectResponse(f"/cases/{case_id}?corrected={said}", status_code=303)



@router.get("/cases/{case_id}/photos", response_class=HTMLResponse)
def photos_form(request: Request, lang: LangDep, deps: DepsDep, who: PrincipalDep, case_id: int) -> HTMLResponse:
    """The case page's "Add photos": the registration form's photo fields, each with its date taken."""
    return render(request, lang, "case_photos.html", case_id=case_id, photo_dates=[],
                  **added_photos.form_facts(deps, who, case_id))


@router.post("/cases/{case_id}/photos", response_class=HTMLResponse, response_model=None)
async def photos_send(request: Request, lang: LangDep, deps: DepsDep, who: PrincipalDep, case_id: int) -> Response:
    form = await checked_form(request)
    facts = added_photos.form_facts(deps, who, case_id)  # 404, 403 before anything sent is read
    try:
        problems = Problems()
        files, taken = await uploads(form, "photo_dates", problems)
        problems.raise_all()
        done = added_photos.add_photos(deps, who, case_id, files, taken)
    except ReuniteError as exc:
        if exc.status_code in (403, 404):
            raise
        chosen = any(isinstance(f, UploadFile) and f.filename for f in form.getlist("photos"))
        return refused(render(request, lang, "case_photos.html", status=exc.status_code, case_id=case_id,
                              photo_dates=[str(d) for d in form.getlist("photo_dates")], photos_dropped=chosen,
                              **facts, **refusal(lang, exc, NUMBERED, ("photos", "photo_dates"))), exc)
    said = f"{len(done.photo_ids)}" + ("&held=1" if done.held else "")
    return RedirectResponse(f"/cases/{case_id}?photos={said}#photos", status_code=303)
