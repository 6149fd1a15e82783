"""What every page shares: the reader's language and zone, who reads it, and rendering a template with
what every page shows (the language switch, the signed-in header, the form's keys). The pages themselves
are by concern (``cases``, ``browse``, ``snapshot``, ``reach``, ``review``, …); each handler parses a form
(``forms``) or query, calls one service and renders a template."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.datastructures import FormData

from reunite.domain.access import Principal
from reunite.domain.errors import InvalidInput, InvalidInputs, PhotoStoreUnavailable, ReuniteError, TooManyRequests
from reunite.domain.model import CASE_TEXT_LIMITS, NICKNAMES_LIMIT, SIGHTING_TEXT_LIMITS
from reunite.domain.pfif import full_name
from reunite.domain.spelling import xml_text
from reunite.domain.text_limits import TEXT_LIMITS
from reunite.domain.times import zone
from reunite.entrypoints.api.auth import csrf_token, current_principal, get_deps
from reunite.entrypoints.api.guard import ADDRESS_REFUSED, ADDRESS_SHOWN, ADDRESS_TOLD, ADDRESS_TYPED
from reunite.entrypoints.web import assets
from reunite.entrypoints.web.forms import ReadQuery
from reunite.entrypoints.web.links import contact_links, place_links, position
from reunite.i18n import Language
from reunite.language_tags import LANGUAGES, negotiate, offered
from reunite.services import accounts
from reunite.services.deps import Deps
from reunite.wording import (
    added_alike_words,
    alike_words,
    clock_set_aside,
    duplicate_words,
    lead_words,
    own_child_words,
    partner_link_words,
    seen_when,
    why,
)

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def shown_text(value: Any) -> Any:
    """Every value a page writes (``{{ … }}``), without the invisible control characters a row stored before input
    was cleaned may hold (ESC, BEL… in a name, a title: ``spelling.xml_text``), which no page can show (and a lone
    surrogate no UTF-8 page can even carry); HTML a macro made stays HTML."""
    if isinstance(value, Markup):
        return Markup(xml_text(str(value)))  # noqa: S704 (escaped HTML less some characters: no new markup)
    return xml_text(value) if isinstance(value, str) else value


templates.env.finalize = shown_text  # before any template is compiled: it applies to every output
templates.env.globals |= {"lead_words": lead_words, "alike_words": alike_words,
                          "own_child_words": own_child_words, "added_alike_words": added_alike_words,
                          "duplicate_words": duplicate_words, "partner_link_words": partner_link_words,
                          "why": why, "seen_when": seen_when,
                          "clock_set_aside": clock_set_aside}  # (lang, …), in macros too
templates.env.globals |= {"full_name": full_name, "contact_links": contact_links, "place_links": place_links,
                          "position": position, "inline": assets.inline}
templates.env.globals |= {"case_limits": CASE_TEXT_LIMITS, "nicknames_limit": NICKNAMES_LIMIT,  # maxlength
                          "sighting_limits": SIGHTING_TEXT_LIMITS, "text_limits": TEXT_LIMITS}


def language(request: Request) -> Language:
    """The reader's language, and time zone: their browser's (a cookie ``static/tz.js`` sets), else the site's."""
    code = negotiate(request.query_params.get("lang"), request.cookies.get("lang"),
                     request.headers.get("accept-language", ""))
    cookie = unquote(request.cookies.get("tz") or "")
    return Language(code, cookie if cookie and zone(cookie) else request.app.state.container.settings.timezone)


LangDep = Annotated[Language, Depends(language)]
DepsDep = Annotated[Deps, Depends(get_deps)]


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
    status = _address_said(request, lang, status, context)
    context["form_sent"] = sent_form(request, context.get("field_errors") or {}, context.get("typed"))
    context |= {"lang": lang, "_": lang.gettext, "ngettext": lang.ngettext, "languages": offered(lang.code),
                "map_tiles": settings.map_tiles_url, "map_attribution": settings.map_attribution,
                "path": path, "csrf": csrf_token(request), "who": who,
                "once": secrets.token_urlsafe(18),  # a form's one-time idempotency key
                "inline_assets": name in assets.PAGES,
                "mail_on": request.app.state.container.deps.mailer.configured,
                # the number for the place the page is about (a case's, a poster's), else the site's
                "police_phone": context.get("police_phone", request.app.state.container.deps.site.police_phone)}
    return templates.TemplateResponse(request, name, context, status_code=status)


def address(request: Request) -> ReadQuery:
    """The page's query as its readers read it (``forms.single``, ``text``…): as typed, without what cannot be read
    (a NUL, bytes that are not UTF-8 text: ``guard.read_query``; ``request.query_params`` has none of a parameter
    that held some, which is never acted on unread); such a parameter is refused when it is read,
    naming it, so that a page whose form is its address (the filters of ``/sightings``, ``/audit``) shows that form
    as typed with the error by that field. Whatever the page does not read, ``render`` says."""
    typed = request.scope.get(ADDRESS_TYPED)
    return ReadQuery(request.query_params.multi_items() if typed is None else typed,
                     request.scope.get(ADDRESS_REFUSED) or {}, request.scope.get(ADDRESS_TOLD, set()))


def _address_said(request: Request, lang: Language, status: int, context: dict[str, Any]) -> int:
    """A page whose address held what cannot be read (``guard.read_query``) says so, whatever the page: each
    parameter's problem by its field (``field_errors``: ``_macros.field_error``) and at the top (``error``, after
    the page's own), answered 422 (or the page's own 4xx or 5xx); the problems the page's readers said
    already (``address``) are not said again."""
    refused: dict[str, InvalidInput] = request.scope.get(ADDRESS_REFUSED) or {}
    if not refused:
        return status
    request.scope[ADDRESS_SHOWN] = True
    told: set[str] = request.scope[ADDRESS_TOLD]
    left = {name: problem for name, problem in refused.items() if name not in told}
    if not left:
        return status
    told.update(left)
    said = refusal(lang, InvalidInputs(list(left.values())))
    context["field_errors"] = said["field_errors"] | (context.get("field_errors") or {})
    earlier = context.get("form_problems") or (
        [(context.get("error_field"), context["error"])] if context.get("error") else [])
    context["form_problems"] = [*earlier, *said["form_problems"]]  # for a form's summary of its problems
    context["error"] = lang.gettext("; ").join(filter(None, (context.get("error"), said["error"])))
    return status if status >= 400 else 422


def refusal(lang: Language, exc: ReuniteError, numbered: tuple[str, ...] = (),
            order: tuple[str, ...] = ()) -> dict[str, Any]:
    """What a form shown again says of its refusal: the whole error (``error``), each problem with the field it is
    about (``form_problems``: (field, words), the field None when it is about none, for the summary at the top:
    ``_macros.error_summary``; in the order of the form's fields, ``order``, when given), the field of the first
    (``error_field``) and each field's own problems (``field_errors``: by the field, ``_macros.field_error``), all
    in the reader's language. ``numbered``: the names of a form's fields that come once per item (a photo's file
    and its date), a problem of the nth (``photo {number}: …``) by the nth field ("photo_dates-2")."""
    found = exc.problems if isinstance(exc, InvalidInputs) else [exc]
    if order:  # the fields of one item (a photo, its date) together, item by item
        def place(field: str | None) -> int:
            field = numbered[0] if field in numbered else field
            return order.index(field) if field in order else len(order)
        found = sorted(found, key=lambda p: (place(p.field), _number(p) or 0))
    by_field: dict[str, str] = {}
    listed: list[tuple[str | None, str]] = []
    for problem in found:
        number = _number(problem) if problem.field in numbered else None
        key, said = f"{problem.field}-{number}" if number else problem.field, lang.error(problem)
        listed.append((key, said))
        if key:  # two problems of one field, both beside it
            by_field[key] = lang.gettext("; ").join((by_field[key], said)) if key in by_field else said
    return {"error": lang.error(exc), "error_field": exc.field, "field_errors": by_field, "form_problems": listed}


def _number(problem: ReuniteError) -> int | None:
    """Which of several items a problem is about ("photo {number}: …"), if it says."""
    number = (problem.context[1] if problem.context else problem.params).get("number")
    return number if isinstance(number, int) else None


@dataclass(frozen=True)
class Sent:
    """One form of a page as it was sent, when it was the one refused (``form_sent`` in a template): the problem
    of each of its fields (``errors``, for ``_macros.invalid`` and ``field_error``) and what was typed in it (``get``,
    ``getlist``); empty for every other form of the page. A page of many forms (a queue: one per case, per
    request, per flag) marks and fills only the form that was sent, each by its action."""

    errors: dict[str, str] = field(default_factory=dict)
    typed: FormData | dict[str, Any] | None = None

    def get(self, name: str, default: str = "") -> str:
        value = self.typed.get(name) if self.typed is not None else None
        return value.strip() if isinstance(value, str) else default

    def getlist(self, name: str) -> list[str]:
        if isinstance(self.typed, FormData):
            return [v for v in self.typed.getlist(name) if isinstance(v, str)]
        value = self.typed.get(name) if self.typed is not None else None
        return [value] if isinstance(value, str) else []


NOTHING_SENT = Sent()


def sent_form(request: Request, errors: dict[str, str],
              typed: FormData | dict[str, Any] | None) -> Callable[[str], Sent]:
    """``form_sent(action)`` in a page's template: the form posting to ``action``, if it is the one this request sent
    (after a refusal: its errors by field, what was typed), else nothing (``NOTHING_SENT``)."""
    posted = request.url.path if request.method == "POST" else None
    mine = Sent(errors, typed)
    return lambda action: mine if action == posted else NOTHING_SENT


def refused(page: HTMLResponse, exc: ReuniteError) -> HTMLResponse:
    """A form shown again with its error; a throttle's 429 and a photo store down's 503 say when to try again
    (Retry-After)."""
    if isinstance(exc, TooManyRequests | PhotoStoreUnavailable):
        page.status_code = exc.status_code
        page.headers["Retry-After"] = str(exc.retry_after)
    return page


def page_path(request: Request) -> str:
    """The page a reader is on: after a form is sent, the page the form was on (for links back)."""
    if request.method == "GET":
        return request.url.path
    referer = urlsplit(request.headers.get("referer", ""))
    return referer.path if referer.netloc == request.url.netloc and referer.path else "/"


@router.get("/lang/{code}")
def switch_language(request: Request, deps: DepsDep, code: str, next: str = "/") -> RedirectResponse:
    """The pages' language (a cookie); a signed-in person's emails follow it too (probe s33 G7: "My account" says
    so), unless the link was followed from another site (a browser's ``Sec-Fetch-Site``)."""
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    if code in LANGUAGES:
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
        who = current_principal(request)
        if who.account_id is not None and who.token_id is None and \
                request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none"):
            accounts.set_language(deps, who, code)
    return response
