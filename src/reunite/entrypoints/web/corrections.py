"""A case corrected from its page by whoever registered it (docs/decisions/0007), and a moderator's decision on a
correction of a verified case's identity that waits: each form reads its fields, calls one service, and comes back
as typed with the error by its field when refused."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from reunite.domain.access import Principal
from reunite.domain.dates import birth_date
from reunite.domain.errors import InvalidInput, ReuniteError
from reunite.domain.model import CASE_TEXT_LIMITS as LIMIT
from reunite.domain.model import NICKNAMES_LIMIT
from reunite.domain.times import with_offset
from reunite.entrypoints.api.auth import PrincipalDep
from reunite.entrypoints.web.forms import checked_form, occurrences, place, sex, text, typed_day_and_time
from reunite.entrypoints.web.pages import DepsDep, LangDep, refusal, refused, render
from reunite.i18n import Language
from reunite.services import corrections, queries
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


def _values(form: FormData, lang: Language) -> dict[str, Any]:
    """The fields of the form, read as the registration form reads them; the time last seen only when it was
    changed (the same day and time read in another zone are no correction)."""
    born = birth_date(text(form, "birth_date")) if text(form, "birth_date") else None
    if born is None:
        raise InvalidInput("the birth date and the time last seen are required", field="birth_date")
    values: dict[str, Any] = {
        "given_name": text(form, "given_name", LIMIT["given_name"]),
        "family_name": text(form, "family_name", LIMIT["family_name"]), "sex": sex(form, "sex", required=True),
        "birth_date": born, "nicknames": tuple(n.strip() for n in text(form, "nicknames", NICKNAMES_LIMIT).split(",")
                                               if n.strip()),
        "last_seen_place": place(form), "last_seen_text": text(form, "place_text", LIMIT["last_seen_text"]),
        "description": text(form, "description", LIMIT["description"]), "marks": text(form, "marks", LIMIT["marks"]),
        "police_report": text(form, "police_report", LIMIT["police_report"]),
        "family_contact": text(form, "family_contact", LIMIT["family_contact"])}
    same = (text(form, "missing_since"), text(form, "missing_since_time")) == (
        text(form, "missing_since_was"), text(form, "missing_since_time_was"))
    if not same:
        missing = typed_day_and_time(form, "missing_since", "missing_since_time", lang)
        if missing is None:
            raise InvalidInput("the birth date and the time last seen are required", field="missing_since")
        values |= {"missing_since": missing.at, "missing_since_precision": missing.precision}
    return values


@router.post("/cases/{case_id}/correct", response_class=HTMLResponse, response_model=None)
async def correction_send(request: Request, lang: LangDep, deps: DepsDep, who: PrincipalDep,
                          case_id: int) -> Response:
    form = await checked_form(request)
    corrections.require_correctable(deps, who, case_id)
    try:
        done = corrections.correct_case(deps, who, case_id, _values(form, lang))
    except ReuniteError as exc:
        if exc.status_code in (403, 404):
            raise
        return refused(render(request, lang, "case_correct.html", status=exc.status_code, case_id=case_id,
                              form=dict(form), waiting=corrections.waiting_for(deps, who, case_id),
                              asked=occurrences(exc, lang), **refusal(lang, exc)), exc)
    said = "replaced" if done.replaced else "waiting" if done.waiting else "1" if done.applied else "0"
    return RedirectResponse(f"/cases/{case_id}?corrected={said}", status_code=303)

