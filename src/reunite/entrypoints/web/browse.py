"""Browsing sightings (by the filters in the address), a sighting's page and searching by a photo."""

from __future__ import annotations

import json
import math
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from reunite.domain import access
from reunite.domain.access import Permission, Principal
from reunite.domain.errors import InvalidInput, ReuniteError
from reunite.entrypoints.api.auth import allow, client_ip
from reunite.entrypoints.web import filters
from reunite.entrypoints.web.forms import checked_form, text, uploads, whole
from reunite.entrypoints.web.pages import DepsDep, LangDep, address, refused, render
from reunite.i18n import Language
from reunite.services import families, queries, search, throttle
from reunite.services.deps import Deps

router = APIRouter(include_in_schema=False)
PAGE_SIZE = filters.PAGE_SIZE
Browser = Annotated[Principal, Depends(allow(Permission.BROWSE_SIGHTINGS))]
Searcher = Annotated[Principal, Depends(allow(Permission.SEARCH_BY_PHOTO))]


@router.get("/sightings", response_class=HTMLResponse)
def browse(request: Request, lang: LangDep, deps: DepsDep, who: Browser) -> HTMLResponse:
    """Sightings by the filters in the address; a filter that cannot be read is named, with why (422)."""
    q = address(request)
    asked = filters.read_browse(q, lang, deps.site.zone.key)
    total, rows, emptied, filtered_out = 0, list[dict[str, Any]](), list[str](), False
    if asked.query is not None:
        total, rows = queries.list_sightings(deps, who, asked.query, lang)
        emptied = families.empty_because(deps, who, asked.query) if not total else []
        filtered_out = not total and not emptied and families.found_without_filters(deps, who, asked.query)
    points = [{"id": r["id"], "lat": r["lat"], "lon": r["lon"]} for r in rows if r["lat"] is not None]
    return render(request, lang, "sightings.html", status=422 if asked.problems else 200, rows=rows, total=total,
                  page=asked.page, pages=max(1, math.ceil(total / PAGE_SIZE)), points=json.dumps(points),
                  q=dict(q.items()),
                  problems=asked.problems, emptied=emptied, filtered_out=filtered_out)


@router.get("/sightings/{sighting_id}", response_class=HTMLResponse)
def sighting_page(request: Request, lang: LangDep, deps: DepsDep, who: Browser, sighting_id: int) -> HTMLResponse:
    return show_sighting(request, lang, deps, who, sighting_id)


def show_sighting(request: Request, lang: Language, deps: Deps, who: Principal, sighting_id: int, status: int = 200,
                  **context: Any) -> HTMLResponse:
    """The sighting page (``context``: a refused form's error and what was typed in it)."""
    reviewer = who.can(Permission.REVIEW_CANDIDATES)
    shown = queries.get_sighting(deps, who, sighting_id, lang)
    my_cases = _search_cases(deps, who)
    # what the family sent the reviewers on this sighting already, for each of its cases
    sent_before = [dict(r, case_name=c["given_name"]) for c in my_cases
                   for r in queries.family_sent(deps, who, c["id"], lang, sighting_id)]
    return render(request, lang, "sighting.html", status, s=shown,
                  candidates=queries.sighting_candidates(deps, who, sighting_id) if reviewer else [],
                  my_cases=my_cases, sent_before=sent_before, sent=request.query_params.get("sent") == "1",
                  done=request.query_params.get("done") == "1", **context)


def _search_cases(deps: Deps, who: Principal) -> list[dict[str, Any]]:
    """The family's open, verified cases: a search for one reads each sighting as its case page does."""
    mine = [deps.read.case(case_id) for case_id in who.verified_cases & who.own_cases]
    return queries.registered_order([c for c in mine if c["status"] == "open"])


@router.get("/search", response_class=HTMLResponse)
def search_form(request: Request, lang: LangDep, deps: DepsDep, who: Searcher) -> HTMLResponse:
    return render(request, lang, "search.html", hits=None, my_cases=_search_cases(deps, who), chosen=None,
                  any_photo=not access.searches_own_child_only(who))


@router.post("/search", response_class=HTMLResponse)
async def search_send(request: Request, lang: LangDep, deps: DepsDep, who: Searcher) -> HTMLResponse:
    form = await checked_form(request)
    my_cases = _search_cases(deps, who)
    any_photo = not access.searches_own_child_only(who)  # staff; a family searches for its own child only
    chosen = ""
    try:
        chosen = text(form, "case_id")
        throttle.action_limit(deps, who, "search", client_ip(request), deps.limits.searches_per_hour)
        files, _ = await uploads(form)
        if not files:
            raise InvalidInput("Add at least one photo.", field="photos")  # a sentence: the page shows it alone
        if chosen and not chosen.isdigit():
            raise InvalidInput("Choose one of your cases.", field="case_id")
        case_id = whole(chosen, "case_id") if chosen else None  # a case this reader may read (the search checks)
        hits = search.search_by_photo(deps, who, files[0].data, limit=48, case_id=case_id, reader=lang)
    except ReuniteError as exc:
        return refused(render(request, lang, "search.html", status=exc.status_code, hits=None,
                              error=lang.error(exc), my_cases=my_cases, chosen=chosen, any_photo=any_photo), exc)
    return render(request, lang, "search.html", hits=hits, my_cases=my_cases, chosen=chosen, any_photo=any_photo)
