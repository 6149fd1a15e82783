"""Pages for sources (moderators and admins add, pause and watch them), the reviewers' dashboard and
the public statistics page (server-drawn SVG charts: no script needed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from reunite.domain.access import Permission, Principal
from reunite.domain.errors import ReuniteError
from reunite.entrypoints.api.auth import allow
from reunite.entrypoints.web.forms import checked_form, form_key, number, text
from reunite.entrypoints.web.pages import DepsDep, LangDep, refusal, refused, render
from reunite.services import sources, stats

router = APIRouter(include_in_schema=False)
Moderator = Annotated[Principal, Depends(allow(Permission.MODERATE))]


def _sources_page(request: Request, lang: LangDep, deps: DepsDep, who: Principal,
                  refused_with: ReuniteError | None = None, form: FormData | None = None) -> HTMLResponse:
    """The sources; after a refused form, that form as typed with the error by its field (``pages.refusal``)."""
    told = refusal(lang, refused_with) if refused_with else {}
    page = render(request, lang, "sources.html", status=refused_with.status_code if refused_with else 200,
                  sources=sources.list_sources(deps, who), typed=form, done=request.query_params.get("done"), **told)
    return refused(page, refused_with) if refused_with else page


@router.get("/moderation/sources", response_class=HTMLResponse)
def sources_page(request: Request, lang: LangDep, deps: DepsDep, who: Moderator) -> HTMLResponse:
    return _sources_page(request, lang, deps, who)


@router.post("/moderation/sources", response_model=None)
async def add_source(request: Request, lang: LangDep, deps: DepsDep, who: Moderator) -> Response:
    form = await checked_form(request)
    try:
        interval = number(form, "interval", int)  # a typed 0 is refused as any number out of range, never 15
        sources.add_source(deps, who, text(form, "kind"), text(form, "url"), text(form, "name"),
                           15 if interval is None else interval, form_key(who, "source", form))
    except ReuniteError as exc:
        return _sources_page(request, lang, deps, who, exc, form)
    return RedirectResponse("/moderation/sources?done=1", status_code=303)


@router.post("/moderation/sources/{source_id}/{state}", response_model=None)
async def pause_or_resume(request: Request, lang: LangDep, deps: DepsDep, who: Moderator, source_id: int,
                          state: str) -> Response:
    form = await checked_form(request)
    try:
        sources.set_active(deps, who, source_id, state == "resume")
    except ReuniteError as exc:
        return _sources_page(request, lang, deps, who, exc, form)
    return RedirectResponse("/moderation/sources?done=1", status_code=303)


@router.get("/moderation/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, lang: LangDep, deps: DepsDep, who: Moderator) -> HTMLResponse:
    return render(request, lang, "dashboard.html", d=stats.review_dashboard(deps, who, lang.tzinfo))


@router.get("/stats", response_class=HTMLResponse)
def statistics(request: Request, lang: LangDep, deps: DepsDep) -> HTMLResponse:
    """Numbers in public: counts only, small ones hidden."""
    return render(request, lang, "stats.html", s=stats.public_statistics(deps))
