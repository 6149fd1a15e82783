"""Public pages of reach: alert subscriptions (with their signed confirm and unsubscribe links),
Atom feeds of active cases, and posters (the page to share, its photo, and the printable PDF)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from reunite.domain.errors import InvalidInput, NotFound, ReuniteError
from reunite.domain.pfif import last_changed
from reunite.domain.spelling import xml_text
from reunite.entrypoints.api.auth import PrincipalDep, client_ip
from reunite.entrypoints.api.media_routes import if_none_match, image
from reunite.entrypoints.api.validation import GivenTime
from reunite.entrypoints.web.forms import checked_form, form_key, number, place, text
from reunite.entrypoints.web.pages import DepsDep, LangDep, refusal, refused, render, templates
from reunite.services import posters, reach, throttle

router = APIRouter(include_in_schema=False)
FEED_PAGE = 50


@router.get("/subscribe", response_class=HTMLResponse)
def subscribe_form(request: Request, lang: LangDep) -> HTMLResponse:
    return render(request, lang, "subscribe.html", form={}, sent=False)


@router.post("/subscribe", response_class=HTMLResponse)
async def subscribe_send(request: Request, lang: LangDep, deps: DepsDep, who: PrincipalDep) -> HTMLResponse:
    form = await checked_form(request)
    try:
        key = form_key(who, "subscription", form)
        if throttle.retry_or_count(deps, key, who, "subscribe", client_ip(request),
                                   deps.limits.messages_per_hour) is None:  # else the form sent twice: done once
            radius = number(form, "radius_km")  # a typed 0 is 0 (the alert's own circle still reaches it)
            reach.subscribe(deps, who, "email", text(form, "email"), place(form), 10 if radius is None else radius,
                            text(form, "region"), lang.code, text(form, "digest") == "yes", key)
    except ReuniteError as exc:
        return refused(render(request, lang, "subscribe.html", status=exc.status_code, form=dict(form), sent=False,
                              **refusal(lang, exc)), exc)
    return render(request, lang, "subscribe.html", form={}, sent=True)


@router.get("/subscriptions/{subscription_id}/{purpose}", response_class=HTMLResponse)
def subscription_link(request: Request, lang: LangDep, subscription_id: int, purpose: str,
                      t: str = "") -> HTMLResponse:
    """The page behind an email's link: one button, so that mail scanners following links change nothing."""
    if purpose not in ("confirm", "unsubscribe"):
        raise InvalidInput("this link is not valid: copy the whole link from the email")
    return render(request, lang, "subscription.html", purpose=purpose, token=t, done=False,
                  action=f"/subscriptions/{subscription_id}/{purpose}")


@router.post("/subscriptions/{subscription_id}/{purpose}", response_class=HTMLResponse)
async def subscription_change(request: Request, lang: LangDep, deps: DepsDep, subscription_id: int,
                              purpose: str, t: str = "") -> HTMLResponse:
    """Signed by the link's token, so it needs no CSRF token: mail clients' one-click unsubscribe
    (RFC 8058) posts here directly."""
    form = await request.form()
    token = t or text(form, "t")
    reach.set_status(deps, subscription_id, purpose, token)
    return render(request, lang, "subscription.html", purpose=purpose, token="", done=True, action="")


@router.get("/feeds/cases.atom")
def feed(request: Request, deps: DepsDep, lang: LangDep, region: Annotated[str, Query(max_length=100)] = "",
         before: GivenTime | None = None) -> Response:
    """Active (verified, open) cases, most recently verified first, with a link to the next page of older ones.
    Public fields only: the same as the posters. Each entry's ``<updated>`` is when what it shows last changed
    (``pfif.last_changed``: verified, corrected, a photo, the words shared), so that a reader keyed on id and
    updated takes a correction (probe s29 C5). Public and cacheable (``feed_response``)."""
    rows = posters.feed_cases(deps, region, before, FEED_PAGE + 1)
    entries = [posters.poster(deps, row["id"], lang.latin) | {"verified_at": row["verified_at"],
                                                              "updated": last_changed(row)}
               for row in rows[:FEED_PAGE]]
    # the feed changed when an entry did, or when a case left it
    modified = max([e["updated"] for e in entries] + [t for t in (deps.read.feed_left_at(),) if t is not None],
                   default=EPOCH)
    base = deps.site.base_url
    body = templates.get_template("feed.xml").render(
        _=lang.gettext, lang=lang, entries=entries, base=base, region=region.strip(), updated=modified,
        next=rows[FEED_PAGE - 1]["verified_at"].isoformat() if len(rows) > FEED_PAGE else None,
        # at the configured address, as every other link: never the Host header a request names (probe s21 U7)
        self_url=f"{base}{request.url.path}" + (f"?{request.url.query}" if request.url.query else ""))
    # never a character XML 1.0 cannot carry, whatever a stored row holds (probe s34 H1): the markup holds none
    return feed_response(request, xml_text(body).encode(), modified)


EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # the date of a feed nothing was ever in
FEED_CACHE = "public, max-age=60"  # a minute: a case that ends leaves shared caches soon


def feed_response(request: Request, body: bytes, modified: datetime) -> Response:
    """A public feed as caches and feed readers want it: ``Cache-Control: public`` for a minute, its entity tag (the
    body's digest: the language is in it) and ``Last-Modified``; a conditional GET whose copy is current gets 304,
    no body (``If-None-Match`` first, else ``If-Modified-Since``, RFC 9110). The language it is written in follows
    the reader (``Vary``). No cookie: the security middleware sets none on a public answer."""
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": tag, "Last-Modified": format_datetime(modified.astimezone(UTC), usegmt=True),
               "Cache-Control": FEED_CACHE, "Vary": "Accept-Language, Cookie"}
    held = request.headers.get("if-none-match")
    if held is not None:
        current = held.strip() == "*" or tag in {t.strip().removeprefix("W/") for t in held.split(",")}
    else:
        current = _not_modified_since(request.headers.get("if-modified-since"), modified)
    if current:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/atom+xml; charset=utf-8", headers=headers)


def _not_modified_since(since: str | None, modified: datetime) -> bool:
    if not since:
        return False
    try:
        held = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # a date no one can read: the whole feed
    return held.tzinfo is not None and modified.replace(microsecond=0) <= held


@router.get("/p/{case_id}", response_class=HTMLResponse)
def poster(request: Request, lang: LangDep, deps: DepsDep, case_id: int) -> HTMLResponse:
    """The public poster of a verified case: safe to share (no family name, no family contact)."""
    base = deps.site.base_url  # never the request's Host header (a shared cache would keep a forged one)
    try:
        c = posters.poster(deps, case_id, lang.latin)
    except NotFound:
        outcome = deps.read.poster_outcome(case_id)  # a poster still on a wall, of a case now closed
        if outcome is None:
            raise
        return render(request, lang, "poster_closed.html", outcome=outcome)
    settings = request.app.state.container.settings
    return render(request, lang, "poster.html", c=c, base=base, email=settings.contact_email,
                  police_phone=posters.police_at(deps, c["day_zone"]))


@router.get("/p/{case_id}/photo.jpg")
def poster_photo(request: Request, deps: DepsDep, case_id: int) -> Response:
    """Public, but revalidated at every use (no-cache, with its entity tag: a 304 costs no bytes), so
    that a poster taken down leaves browsers and shared caches at once, not an hour later."""
    return image(posters.poster_rendition(deps, case_id, if_none_match(request)), "public, no-cache")


@router.get("/p/{case_id}/poster.pdf")
def poster_pdf(request: Request, deps: DepsDep, reader: LangDep, case_id: int) -> Response:
    """A printable A4 poster: photo, given name, ages, when and where last seen, the platform's
    contact and a QR code to the public page. Never the family's name or contact. In the language the
    pages would speak to this reader (``?lang=`` as zh_CN, zh-CN or zh, the cookie, Accept-Language).
    Made once per content and kept; public but revalidated at every use (its entity tag, like the
    poster's photo), so a poster taken down leaves browsers and shared caches at once."""
    case = posters.poster(deps, case_id, reader.latin)
    facts = [reader.gettext("Age when last seen: {then}; age now: {now}", then=reader.age(case["age_then_told"]),
                            now=reader.age(case["age_now_told"])),
             reader.gettext("Missing since {date}", date=reader.day_at(case["missing_since"], case["day_zone"],
                                                                       case["missing_since_precision"]))]
    if case["last_seen_text"]:
        facts.append(reader.gettext("Last seen: {place}", place=reader.script(case["last_seen_text"])))
    call = (reader.gettext("Seen this child? Do not approach. Call {phone}.", phone=case["phone"]) if case["phone"]
            else reader.gettext("Seen this child? Do not approach. Call the local police."))
    labels = {"title": reader.gettext("Missing child"), "facts": "\n".join(facts),
              "call": call + (f"\n{deps.site.contact_email}" if deps.site.contact_email else "")}
    made = posters.poster_document(deps, case, labels, reader.html_lang, if_none_match(request))
    headers = {"ETag": f'"{made.etag}"', "Cache-Control": "public, no-cache", "Vary": "Accept-Language, Cookie",
               "Content-Disposition": f'inline; filename="missing-{case_id}.pdf"'}
    if made.data is None:
        return Response(status_code=304, headers=headers)
    return Response(made.data, media_type="application/pdf", headers=headers)
