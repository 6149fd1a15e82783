"""The pages people use. Each handler parses a form or query, calls one service, renders a template."""

from __future__ import annotations

import json
import math
import secrets
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData, UploadFile

from reunite.domain.access import Permission, Principal
from reunite.domain.dates import birth_date
from reunite.domain.errors import InvalidInput, NotFound, ReuniteError, TooManyRequests, bounded
from reunite.domain.model import (
    CandidateStatus,
    GeoPoint,
    NewCase,
    Sex,
    Upload,
    age_in_years,
)
from reunite.domain.pfif import full_name
from reunite.domain.times import MAX_OFFSET_MINUTES, from_browser, iso_time, zone
from reunite.entrypoints.api.auth import (
    PrincipalDep,
    allow,
    check_csrf,
    client_ip,
    csrf_token,
    current_principal,
    get_deps,
)
from reunite.entrypoints.api.routes import if_none_match, image
from reunite.entrypoints.web import assets, filters
from reunite.entrypoints.web.links import contact_links, place_links, position
from reunite.i18n import LANGUAGES, Language, negotiate, offered
from reunite.services import families, idempotency, intake, queries, review, search, throttle
from reunite.services.deps import Deps
from reunite.wording import clock_said, lead_words, seen_when, why

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.globals |= {"lead_words": lead_words, "why": why, "seen_when": seen_when,
                          "clock_said": clock_said}  # (lang, …), in macros too
templates.env.globals |= {"full_name": full_name, "contact_links": contact_links, "place_links": place_links,
                          "position": position, "inline": assets.inline}
PAGE_SIZE = filters.PAGE_SIZE


def language(request: Request) -> Language:
    """The reader's language, and time zone: their browser's (a cookie ``static/tz.js`` sets), else the site's."""
    code = negotiate(request.query_params.get("lang"), request.cookies.get("lang"),
                     request.headers.get("accept-language", ""))
    cookie = unquote(request.cookies.get("tz") or "")
    return Language(code, cookie if cookie and zone(cookie) else request.app.state.container.settings.timezone)


LangDep = Annotated[Language, Depends(language)]
DepsDep = Annotated[Deps, Depends(get_deps)]
Registrar = Annotated[Principal, Depends(allow(Permission.REGISTER_CASE))]
Browser = Annotated[Principal, Depends(allow(Permission.BROWSE_SIGHTINGS))]
Searcher = Annotated[Principal, Depends(allow(Permission.SEARCH_BY_PHOTO))]
Reviewer = Annotated[Principal, Depends(allow(Permission.REVIEW_CANDIDATES))]


def reader(request: Request) -> Principal:
    """Who reads the page, also when it is an error page answered before any route ran (its header
    shows them signed in as they are); anonymous when their token or cookie cannot be read."""
    try:
        return current_principal(request)
    except ReuniteError:
        return Principal()


def render(request: Request, lang: Language, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    settings = request.app.state.container.settings
    who = reader(request)
    path = context.pop("path", None) or page_path(request)  # a page may name its own address (for links back)
    context |= {"lang": lang, "_": lang.gettext, "languages": offered(lang.code), "map_tiles": settings.map_tiles_url,
                "map_attribution": settings.map_attribution,
                "path": path, "csrf": csrf_token(request), "who": who,
                "once": secrets.token_urlsafe(18),  # a form's one-time idempotency key
                "inline_assets": name in assets.PAGES,
                "mail_on": request.app.state.container.deps.mailer.configured}
    return templates.TemplateResponse(request, name, context, status_code=status)


def refused(page: HTMLResponse, exc: ReuniteError) -> HTMLResponse:
    """A form shown again with its error; a throttle's 429 says when to try again (Retry-After)."""
    if isinstance(exc, TooManyRequests):
        page.status_code = 429
        page.headers["Retry-After"] = str(exc.retry_after)
    return page


def page_path(request: Request) -> str:
    """The page a reader is on: after a form is sent, the page the form was on (for links back)."""
    if request.method == "GET":
        return request.url.path
    referer = urlsplit(request.headers.get("referer", ""))
    return referer.path if referer.netloc == request.url.netloc and referer.path else "/"


# -- form parsing -------------------------------------------------------------------------
async def checked_form(request: Request) -> FormData:
    """The form a page sent, once its CSRF token is checked."""
    form = await request.form()
    check_csrf(request, form)
    return form



def text(form: FormData, name: str, limit: int | None = None) -> str:
    """A field's text, trimmed; longer than ``limit``: refused naming the field, never cut short."""
    value = form.get(name)
    found = value.strip() if isinstance(value, str) else ""
    return found if limit is None else bounded(found, limit, name)


NOT_THE_REQUEST = {"csrf", "client_key", "idempotency_key", "pow_challenge", "pow_nonce"}


def request_fields(form: FormData) -> list[tuple[str, str]]:
    """What a form asks for (its text fields, not its keys and tokens): a key sent again with other
    fields names another request (``services.idempotency``)."""
    return [(name, value) for name, value in form.multi_items()
            if isinstance(value, str) and name not in NOT_THE_REQUEST]


def form_key(who: Principal, operation: str, form: FormData) -> idempotency.Key | None:
    """The form's one-time key (a hidden field), bound to who sends it and what it asks: the same form
    sent twice (a double click, a resend after a lost answer) is done once."""
    return idempotency.scoped(who, operation, text(form, "idempotency_key")[:64], request_fields(form))


def number(form: FormData, name: str, kind: type[int] | type[float] = float) -> Any:
    raw = text(form, name)
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        raise InvalidInput("{name} must be a number", field=name, name=name) from None


def local_time(form: FormData, name: str, lang: Language) -> datetime | None:
    """A datetime-local field, read in the browser's zone (``tz``, or its ``tz_offset``), else in the
    reader's zone as the page showed it (the site's without JavaScript)."""
    raw = text(form, name)
    if not raw:
        return None
    wall = iso_time(raw)  # a datetime-local value; typed in a text box (an old browser), its offset is kept
    if wall is None:
        raise InvalidInput("the date and time are not valid", field=name)
    named, offset = text(form, "tz"), number(form, "tz_offset", int)
    if named and zone(named) is None and offset is None:  # never silently read in another zone (with the
        # browser's offset it is read at that offset: a zone newer than this server's list)
        raise InvalidInput("{zone} is not a time zone this site knows: give a name such as Asia/Shanghai",
                           field="tz", zone=named[:64])
    if offset is not None and abs(offset) > MAX_OFFSET_MINUTES:
        raise InvalidInput("{name} must be between {low} and {high}", field="tz_offset", name="tz_offset",
                           low=-MAX_OFFSET_MINUTES, high=MAX_OFFSET_MINUTES)
    return from_browser(wall, named, offset, lang.tzinfo, name)


def form_language(form: FormData, lang: Language) -> Language:
    """The reader's language, in the zone their form was sent from (their next page shows times in it)."""
    return replace(lang, zone=text(form, "tz")) if zone(text(form, "tz")) else lang


def a_date(raw: str, field: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("the date is not valid", field=field) from None


def place(form: FormData, lat: str = "lat", lon: str = "lon") -> GeoPoint | None:
    la, lo = number(form, lat), number(form, lon)
    return GeoPoint(la, lo) if la is not None and lo is not None else None


async def uploads(form: FormData, dates: str | None = None) -> tuple[list[Upload], list[date | None]]:
    """Files actually chosen (browsers send empty parts for empty inputs), with their dates if asked."""
    files = form.getlist("photos")
    days = form.getlist(dates) if dates else []
    chosen, taken = [], []
    for index, item in enumerate(files):
        if not isinstance(item, UploadFile) or not item.filename:
            continue
        data = await item.read()
        if not data:
            continue
        chosen.append(Upload(data, item.filename))
        raw = days[index] if index < len(days) else ""
        taken.append(a_date(raw.strip() if isinstance(raw, str) else "", "photo_dates"))
    return chosen, taken


def sex(form: FormData, name: str, required: bool = False) -> Sex:
    """A sex from a list; a required one has no default (a child's case must say, "unknown" included)."""
    if required and not text(form, name):
        raise InvalidInput("choose the child's sex (or “Not known”)", field=name)
    found = Sex.read(text(form, name) or "unknown")  # as the API and the spreadsheets read it
    if found is None:
        raise InvalidInput("choose a sex from the list", field=name)
    return found


# -- cases --------------------------------------------------------------------------------
@router.get("/cases/new", response_class=HTMLResponse)
def case_form(request: Request, lang: LangDep, who: Registrar) -> HTMLResponse:
    return render(request, lang, "case_new.html", form={}, photo_dates=[])


@router.post("/cases/new", response_class=HTMLResponse, response_model=None)
async def case_send(request: Request, lang: LangDep, deps: DepsDep, who: Registrar) -> Response:
    form = await checked_form(request)
    try:
        files, taken = await uploads(form, dates="photo_dates")
        key = idempotency.scoped(who, "case", text(form, "idempotency_key"), request_fields(form), files)
        birth = birth_date(text(form, "birth_date")) if text(form, "birth_date") else None
        missing = local_time(form, "missing_since", lang)
        if birth is None or missing is None:
            raise InvalidInput("the birth date and the time last seen are required", field="birth_date")
        case = NewCase(
            given_name=text(form, "given_name", 200), family_name=text(form, "family_name", 200),
            sex=sex(form, "sex", required=True), birth_date=birth, missing_since=missing,
            last_seen_place=place(form), last_seen_text=text(form, "place_text", 500),
            description=text(form, "description", 4000), marks=text(form, "marks", 2000),
            police_report=text(form, "police_report", 200), family_contact=text(form, "family_contact", 500),
            nicknames=tuple(n.strip() for n in text(form, "nicknames").split(",") if n.strip()),
        )
        receipt = intake.register_case(deps, who, case, files, taken, key)
    except ReuniteError as exc:
        return refused(render(request, lang, "case_new.html", status=exc.status_code, form=dict(form),
                              photo_dates=[str(d) for d in form.getlist("photo_dates")],  # each photo's, in order
                              error=form_language(form, lang).error(exc), error_field=exc.field), exc)
    return RedirectResponse(f"/cases/{receipt.case_id}?registered=1", status_code=303)


CANDIDATES_SHOWN = 10  # a case page stays short: the rest on further pages (and in the workbench)


def case_context(deps: Deps, who: Principal, case_id: int, page: int = 1) -> dict[str, Any]:
    case = queries.get_case(deps, who, case_id)
    for photo in case["photos"]:
        photo["age"] = age_in_years(case["birth_date"], photo["taken_on"]) if photo["taken_on"] else None
    candidates = queries.case_candidates(deps, who, case_id)
    pages = max(1, math.ceil(len(candidates) / CANDIDATES_SHOWN))
    page = min(max(1, page), pages)
    waiting = case["status"] == "open" and not case["verified_at"]
    hours = deps.read.verification_hours(deps.clock.now() - timedelta(days=90)) if waiting else None
    return {"case": case, "candidates": candidates, "cpage": page, "cpages": pages,
            "shown": candidates[(page - 1) * CANDIDATES_SHOWN: page * CANDIDATES_SHOWN],
            "verify_hours": hours and max(1, round(hours)),
            "to_review": deps.read.items_to_review(case_id) if who.can(Permission.REVIEW_CANDIDATES) else 0,
            "timeline": queries.case_timeline(deps, who, case_id), **reunion_context(deps, who, case_id)}


def reunion_context(deps: Deps, who: Principal, case_id: int) -> dict[str, Any]:
    """Messages (family and reviewers), verification records and the actions this reader may take."""
    talk = who.owns(case_id) or who.can(Permission.REVIEW_CANDIDATES)
    follow = who.owns(case_id) or who.can(Permission.RECORD_REUNION)
    return {"messages": queries.case_messages(deps, who, case_id) if talk else [], "can_talk": talk,
            "verifications": deps.read.verifications(case_id) if follow else [],
            "can_verify": who.can(Permission.VERIFY_CASE), "can_close": who.can(Permission.RECORD_REUNION),
            "can_reopen": who.can(Permission.MODERATE),
            "can_review": who.can(Permission.REVIEW_CANDIDATES)}


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, lang: LangDep, deps: DepsDep, who: PrincipalDep, case_id: int) -> HTMLResponse:
    raw = (request.query_params.get("cp") or "1").strip()
    page = int(raw) if raw.isdigit() and 1 <= int(raw) <= filters.MAX_PAGE else None
    error = None if page else lang.gettext("“{field}” must be between {low} and {high}", field=lang.gettext("Page"),
                                           low=1, high=lang.number(filters.MAX_PAGE))
    return render(request, lang, "case.html", status=422 if error else 200,
                  **case_context(deps, who, case_id, page or 1), error=error,
                  registered=request.query_params.get("registered") == "1",
                  answered=request.query_params.get("answered") == "1")


@router.post("/candidates/{candidate_id}/review", response_model=None)
async def review_send(request: Request, lang: LangDep, deps: DepsDep, who: Reviewer, candidate_id: int) -> Response:
    form = await checked_form(request)
    decision = {"confirm": CandidateStatus.CONFIRMED, "dismiss": CandidateStatus.DISMISSED}.get(text(form, "decision"))
    case_id = number(form, "case_id", int)
    try:
        if decision is None:
            raise InvalidInput("decision must be 'confirm' or 'dismiss'", field="decision")
        review.review_candidate(deps, who, candidate_id, decision, text(form, "reason"))
    except ReuniteError as exc:
        if not case_id:
            raise
        return render(request, lang, "case.html", status=exc.status_code, **case_context(deps, who, case_id),
                      registered=False, error=lang.error(exc))
    return RedirectResponse(f"/cases/{case_id}#candidate-{candidate_id}", status_code=303)


# -- browse and search --------------------------------------------------------------------
@router.get("/sightings", response_class=HTMLResponse)
def browse(request: Request, lang: LangDep, deps: DepsDep, who: Browser) -> HTMLResponse:
    """Sightings by the filters in the address; a filter that cannot be read is named, with why (422)."""
    q = request.query_params
    asked = filters.read_browse(q, lang)
    total, rows, emptied, filtered_out = 0, list[dict[str, Any]](), list[str](), False
    if asked.query is not None:
        total, rows = queries.list_sightings(deps, who, asked.query)
        emptied = families.empty_because(deps, who, asked.query) if not total else []
        filtered_out = not total and not emptied and families.found_without_filters(deps, who, asked.query)
    points = [{"id": r["id"], "lat": r["lat"], "lon": r["lon"]} for r in rows if r["lat"] is not None]
    return render(request, lang, "sightings.html", status=422 if asked.problems else 200, rows=rows, total=total,
                  page=asked.page, pages=max(1, math.ceil(total / PAGE_SIZE)), q=dict(q), points=json.dumps(points),
                  problems=asked.problems, emptied=emptied, filtered_out=filtered_out)


@router.get("/sightings/{sighting_id}", response_class=HTMLResponse)
def sighting_page(request: Request, lang: LangDep, deps: DepsDep, who: Browser, sighting_id: int) -> HTMLResponse:
    return show_sighting(request, lang, deps, who, sighting_id)


def show_sighting(request: Request, lang: Language, deps: Deps, who: Principal, sighting_id: int, status: int = 200,
                  **context: Any) -> HTMLResponse:
    """The sighting page (``context``: a refused form's error and what was typed in it)."""
    reviewer = who.can(Permission.REVIEW_CANDIDATES)
    mine = [deps.read.case(case_id) for case_id in sorted(who.verified_cases & who.own_cases)]
    return render(request, lang, "sighting.html", status, s=queries.get_sighting(deps, who, sighting_id),
                  candidates=queries.sighting_candidates(deps, who, sighting_id) if reviewer else [],
                  my_cases=[c for c in mine if c["status"] == "open"], sent=request.query_params.get("sent") == "1",
                  done=request.query_params.get("done") == "1", **context)


def _search_cases(deps: Deps, who: Principal) -> list[dict[str, Any]]:
    """The family's open, verified cases: a search for one reads each sighting as its case page does."""
    mine = [deps.read.case(case_id) for case_id in sorted(who.verified_cases & who.own_cases)]
    return [c for c in mine if c["status"] == "open"]


@router.get("/search", response_class=HTMLResponse)
def search_form(request: Request, lang: LangDep, deps: DepsDep, who: Searcher) -> HTMLResponse:
    return render(request, lang, "search.html", hits=None, my_cases=_search_cases(deps, who), chosen=None)


@router.post("/search", response_class=HTMLResponse)
async def search_send(request: Request, lang: LangDep, deps: DepsDep, who: Searcher) -> HTMLResponse:
    form = await checked_form(request)
    my_cases = _search_cases(deps, who)
    chosen = str(form.get("case_id") or "").strip()
    try:
        throttle.action_limit(deps, who, "search", client_ip(request), deps.limits.searches_per_hour)
        files, _ = await uploads(form)
        if not files:
            raise InvalidInput("add at least one photo", field="photos")
        if chosen and not chosen.isdigit():
            raise InvalidInput("choose one of your cases", field="case_id")
        case_id = int(chosen) if chosen else None  # a case this reader may read (checked by the search)
        hits = search.search_by_photo(deps, who, files[0].data, limit=48, case_id=case_id)
    except ReuniteError as exc:
        return refused(render(request, lang, "search.html", status=exc.status_code, hits=None,
                              error=lang.error(exc), my_cases=my_cases, chosen=chosen), exc)
    return render(request, lang, "search.html", hits=hits, my_cases=my_cases, chosen=chosen)


@router.get("/p/{case_id}", response_class=HTMLResponse)
def poster(request: Request, lang: LangDep, deps: DepsDep, case_id: int) -> HTMLResponse:
    """The public poster of a verified case: safe to share (no family name, no family contact)."""
    base = deps.site.base_url  # never the request's Host header (a shared cache would keep a forged one)
    try:
        c = queries.poster(deps, case_id)
    except NotFound:
        outcome = deps.read.poster_outcome(case_id)  # a poster still on a wall, of a case now closed
        if outcome is None:
            raise
        return render(request, lang, "poster_closed.html", outcome=outcome)
    settings = request.app.state.container.settings
    return render(request, lang, "poster.html", c=c, base=base, phone=settings.contact_phone,
                  email=settings.contact_email)


@router.get("/p/{case_id}/photo.jpg")
def poster_photo(request: Request, deps: DepsDep, case_id: int) -> Response:
    """Public, but revalidated at every use (no-cache, with its entity tag: a 304 costs no bytes), so
    that a poster taken down leaves browsers and shared caches at once, not an hour later."""
    return image(queries.poster_rendition(deps, case_id, if_none_match(request)), "public, no-cache")


@router.get("/lang/{code}")
def switch_language(code: str, next: str = "/") -> RedirectResponse:
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    if code in LANGUAGES:
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response
