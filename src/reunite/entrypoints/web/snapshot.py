"""The front page and a passer-by's report: the snapshot form, its receipt and the reporter's
private link (add details, withdraw), and the service worker that queues reports without signal."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from reunite.domain.access import Permission, Principal, require
from reunite.domain.errors import (
    Conflict,
    InvalidInput,
    PayloadTooLarge,
    PhotoStoreUnavailable,
    Problems,
    ReuniteError,
    TooManyRequests,
    UnsupportedMedia,
)
from reunite.domain.model import SIGHTING_TEXT_LIMITS as LIMIT
from reunite.domain.model import AgeRange, GeoPoint, NewSighting, Sex, Upload
from reunite.domain.times import clock_hint, clock_words
from reunite.entrypoints.api.auth import PrincipalDep, client_ip, current_principal
from reunite.entrypoints.api.formscan import FormScan
from reunite.entrypoints.api.limits import megabytes
from reunite.entrypoints.web.assets import STATIC
from reunite.entrypoints.web.forms import (
    checked_form,
    form_key,
    form_language,
    hint,
    local_time,
    number,
    occurrences,
    place,
    request_fields,
    sex,
    shown,
    text,
    uploads,
)
from reunite.entrypoints.web.pages import DepsDep, LangDep, refusal, refused, render
from reunite.i18n import Language
from reunite.services import idempotency, intake, posters, reports, throttle, when_seen, where_seen
from reunite.services.deps import Deps
from reunite.services.intake import SightingReceipt

router = APIRouter(include_in_schema=False)
# the report form's fields in order: its problems listed in it (an apparent age's, of its two fields, with them)
REPORT_FIELDS = ("photos", "seen_at", "place_text", "lat", "lon", "age_low", "age_high", "apparent_age", "sex",
                 "doing", "with", "contact")


@router.get("/", response_class=HTMLResponse)
def home(request: Request, lang: LangDep, deps: DepsDep) -> HTMLResponse:
    return render(request, lang, "home.html", **posters.front_page(deps, lang.latin))


@router.get("/report", response_class=HTMLResponse)
def snapshot_form(request: Request, lang: LangDep, deps: DepsDep, who: PrincipalDep) -> HTMLResponse:
    return render(request, lang, "snapshot.html", form={},
                  pow=None if who.signed_in else throttle.challenge(deps, client_ip(request)))


@router.get("/report/challenge", response_class=PlainTextResponse)
def snapshot_challenge(request: Request, deps: DepsDep, who: PrincipalDep) -> PlainTextResponse:
    """A fresh proof-of-work puzzle for a report sent later than its page was served (a page kept for
    use without signal, the phone's queue), or whose puzzle became too easy (more reports came from the
    address since): each puzzle still buys one report. Empty when signed in."""
    puzzle = "" if who.signed_in else throttle.challenge(deps, client_ip(request))
    return PlainTextResponse(puzzle, headers={"Cache-Control": "no-store"})


def photo_exif(form: FormData) -> tuple[datetime | None, GeoPoint | None, str]:
    """The time (ISO 8601 with its offset) and place the phone read from the photo's EXIF before shrinking
    it, and the clock's words when they were no time: hints the reporter never saw nor can change, so never
    a reason to refuse the report (a camera writes zeros, 2019:02:30, 24:00): what is no time or no place is
    left out (``times.clock_hint``), the typed time, else the report's arrival, used instead, and a clock
    that is no time kept to show the reporter and the moderators (the page's script sends such a clock as
    ``photo_clock``, words only: "1970-01-01 00:00")."""
    raw = hint(form, "photo_taken_at")
    when = clock_hint(raw) if raw else None
    try:
        where = place(form, "photo_lat", "photo_lon")
    except InvalidInput:  # half a position, a latitude of 95°: no place
        where = None
    return when, where, "" if when else clock_words(hint(form, "photo_clock") or raw)


def sighting_of(form: FormData, lang: Language, deps: Deps, files: list[Upload]) -> NewSighting:
    """The report as typed, or every problem of the form at once (422): the photos chosen, each field."""
    problems = Problems()
    problems.check(lambda: intake.check_photo_count(deps, files))
    exif = photo_exif(form)
    seen_at = problems.check(lambda: when_seen.check_seen_at(deps, local_time(form, "seen_at", lang)))
    where = problems.check(lambda: place(form))
    words = {name: problems.check(partial(text, form, name, limit)) or ""
             for name, limit in (("place_text", LIMIT["place_text"]), ("doing", LIMIT["description"]),
                                 ("with", LIMIT["with_whom"]), ("contact", LIMIT["reporter_contact"]))}
    age = problems.check(lambda: AgeRange.of(number(form, "age_low", int), number(form, "age_high", int)))
    seen_sex = problems.check(lambda: sex(form, "sex"))
    problems.raise_all()
    return NewSighting(
        seen_at=seen_at, place=where, place_text=words["place_text"], apparent_age=age,
        apparent_sex=seen_sex or Sex.UNKNOWN, description=words["doing"], with_whom=words["with"],
        reporter_contact=words["contact"], photo_taken_at=exif[0], photo_place=exif[1],
        photo_zone_assumed=hint(form, "photo_zone_assumed") == "1", photo_clock_words=exif[2],
        reporter_zone=hint(form, "tz")[:64],
    )


def sender_of(request: Request, who: Principal) -> str:
    """Who sends a report, as a digest: the account, else the browser's pre-session (the form's CSRF
    token is bound to it). A report's private link is given again only to its sender."""
    who_sent = who.actor if who.signed_in else f"pre:{request.state.presession}"
    return hashlib.sha256(who_sent.encode()).hexdigest()


def _send(deps: Deps, who: Principal, form: FormData, sighting: NewSighting, files: list[Upload], sender: str,
          attempt: throttle.ReportAttempt) -> tuple[SightingReceipt, list[str]]:
    """The receipt, and the copies of the photos the thank-you page shows (none when the page's script
    re-encoded every photo on the phone: it shows its own copies)."""
    # the phone's key (the offline queue sets it); without a script, the key the form was served with:
    # a report sent twice either way is stored once. With the fingerprint of the report, so that a key
    # sent again with another report is refused rather than answered with this report's receipt. Bound
    # to its sender (the account, else the browser's pre-session: the queue resends with the same cookie
    # and CSRF token), so that another browser's same key is another report, never an answer with this one
    # The same report from the same sender within 10 minutes is one report too, whatever key its page
    # carried (``intake.same_report``): Back and sending the form again serves a fresh key
    raw = text(form, "client_key")[:64] or text(form, "idempotency_key")[:64]
    key = idempotency.scoped(who, "report", idempotency.senders(raw, sender), request_fields(form), files)
    same = intake.same_report(deps, sender, request_fields(form), files)
    resent = intake.resent_report(deps, key, sender) or intake.earlier_sighting(deps, same, sender)
    if resent is not None:
        return resent, []
    attempt.count(key.name if key else None)  # copies of this request sent at once count once between them
    # the copies shown on the thank-you page are made first: a photo that cannot be shown is refused
    # before anything is stored (a failure after storing would invite a duplicating retry)
    on_phone = text(form, "copies") == "phone"
    copies = [] if on_phone else [base64.b64encode(deps.codec.clean_copy(f.data, 320)).decode() for f in files]
    try:
        return intake.report_sighting(deps, who, sighting, files, key=key, client_key=key.name if key else None,
                                      sender=sender, same=same), copies
    except Conflict:  # the same report arrived twice at once: the other one was stored
        again = intake.resent_report(deps, key, sender) or intake.earlier_sighting(deps, same, sender)
        if again is None:
            raise
        return again, copies


@router.post("/report", response_class=HTMLResponse)
async def snapshot_send(request: Request, lang: LangDep, deps: DepsDep, who: PrincipalDep) -> HTMLResponse:
    form = await checked_form(request)
    try:
        require(who, Permission.REPORT_SIGHTING)  # who may report, before what they sent is read
        # a report refused for its input does not count against the hourly limit (``report_attempt``)
        proof = (text(form, "pow_challenge"), text(form, "pow_nonce")) if text(form, "pow_nonce") else None
        with throttle.report_attempt(deps, who, client_ip(request), proof) as attempt:
            files, _ = await uploads(form)
            sighting = sighting_of(form, lang, deps, files)
            receipt, copies = _send(deps, who, form, sighting, files, sender_of(request, who), attempt)
    except ReuniteError as exc:
        return refused(render(request, lang, "snapshot.html", status=exc.status_code, form=dict(form),
                              **refusal(form_language(form, lang), exc, order=REPORT_FIELDS),  # in its zone
                              asked=occurrences(exc, form_language(form, lang)),  # a time that happened twice
                              pow=None if who.signed_in else throttle.challenge(deps, client_ip(request)),
                              busy=isinstance(exc, TooManyRequests | PhotoStoreUnavailable),  # send it later
                              phone=deps.site.own_phone), exc)
    pictures = [] if receipt.resent else copies
    link = reports.private_path(deps, receipt.receipt) if receipt.receipt else ""  # none: joined another's
    token = reports.link_token(deps, receipt.receipt) if link else ""
    said = form_language(form, lang)
    # the private link is the receipt's address: a language switched (or the page opened again) there
    # keeps the receipt and link; the page, holding the link, sends no referrer and is not stored
    response = render(request, said, "thanks.html", receipt=receipt, photos=pictures, link=link,
                      base=deps.site.base_url, photos_on_phone=shown(form, "copies") == "phone", path=link or None,
                      verdict=reports.face_check(deps, receipt.receipt, token) if link else "closed",
                      placed=where_seen.placed(deps, reports.open_report(deps, receipt.receipt, token), said)
                      if link else None)
    if link:
        response.headers["X-Reunite-Receipt"] = link
    return _private(response)


def too_large(request: Request, max_bytes: int, scan: FormScan | None) -> HTMLResponse:
    """The report form again (413) when its photos together pass the upload limit: with what was typed
    (``scan``: the form read through, its photos measured and dropped; None when it was too large to
    read), and what to send instead: how many of the photos chosen fit, or smaller ones."""
    limit, sizes = megabytes(max_bytes), sorted(scan.file_sizes if scan else [])
    fit = next((n for n in range(len(sizes), 0, -1) if sum(sizes[:n]) <= max_bytes * 0.98), 0)
    if len(sizes) > 1 and fit:
        error = PayloadTooLarge("your {count} photos come to {size} MB together, more than the {limit} MB a report can carry: send up to {fit} of them (or smaller copies); once the report is sent, add the others from its private link",  # noqa: E501
                                field="photos", count=len(sizes), size=megabytes(sum(sizes)), limit=limit, fit=fit)
    elif sizes:
        error = PayloadTooLarge("this photo is {size} MB, more than the {limit} MB a report can carry: send a smaller copy (a screenshot of it will do)",  # noqa: E501
                                field="photos", size=megabytes(sizes[-1]), limit=limit)
    else:
        error = PayloadTooLarge("the photos are more than the {limit} MB a report can carry together: send fewer or smaller photos; once the report is sent, you can add more from its private link",  # noqa: E501
                                field="photos", limit=limit)
    return form_again(request, error, scan.pairs if scan else [])


def form_again(request: Request, error: ReuniteError, typed: list[tuple[str, str]]) -> HTMLResponse:
    """The report form shown again when it was refused before its route read it (its photos too large
    together): with what was typed, and the error by its field, in the form's language."""
    from reunite.entrypoints.web.pages import language

    deps = request.app.state.container.deps
    form = FormData(list[tuple[str, str | UploadFile]](typed))
    try:
        signed_in = current_principal(request).signed_in
    except ReuniteError:
        signed_in = False
    lang = form_language(form, language(request))
    return render(request, lang, "snapshot.html", status=error.status_code, form=dict(form),
                  **refusal(lang, error),
                  pow=None if signed_in else throttle.challenge(deps, client_ip(request)),
                  phone=deps.site.own_phone)


def _receipt_page(request: Request, lang: Language, deps: Deps, receipt: str, token: str, status: int = 200,
                  **context: object) -> HTMLResponse:
    report = reports.open_report(deps, receipt, token)
    context.setdefault("typed", {})
    return render(request, lang, "report.html", status=status, report=report, base=deps.site.base_url,
                  link=reports.private_path(deps, report["receipt"]), placed=where_seen.placed(deps, report, lang),
                  verdict=reports.face_check(deps, receipt, token), **context)


def _private(response: HTMLResponse) -> HTMLResponse:
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/reports/{receipt}/{token}", response_class=HTMLResponse)
def report_page(request: Request, lang: LangDep, deps: DepsDep, receipt: str, token: str) -> HTMLResponse:
    return _private(_receipt_page(request, lang, deps, receipt, token))


@router.get("/reports/{receipt}/{token}/check", response_class=HTMLResponse)
def report_face_check(request: Request, lang: LangDep, deps: DepsDep, receipt: str, token: str) -> HTMLResponse:
    """Whether the report's photos show a face fit to match (the thank-you page asks until it knows)."""
    verdict = reports.face_check(deps, receipt, token)
    return _private(render(request, lang, "_face_check.html", verdict=verdict, on_report=False,
                           link=reports.private_path(deps, receipt.upper())))


@router.post("/reports/{receipt}/{token}/photos", response_class=HTMLResponse, response_model=None)
async def report_photos(request: Request, lang: LangDep, deps: DepsDep, receipt: str, token: str) -> Response:
    """A closer photo, added to the report (invited when the first showed no face fit to match)."""
    form = await checked_form(request)
    try:
        files, _ = await uploads(form)
        intake.add_report_photos(deps, receipt, token, files)
    except (InvalidInput, UnsupportedMedia, PayloadTooLarge) as exc:
        return _private(_receipt_page(request, lang, deps, receipt, token, status=exc.status_code,
                                      **refusal(lang, exc)))
    return RedirectResponse(f"/reports/{receipt}/{token}?photo=1", status_code=303)


@router.post("/reports/{receipt}/{token}/details", response_class=HTMLResponse, response_model=None)
async def report_details(request: Request, lang: LangDep, deps: DepsDep, who: PrincipalDep, receipt: str,
                         token: str) -> Response:
    form = await checked_form(request)
    try:
        reports.add_details(deps, receipt, token, text(form, "details"), text(form, "contact"),
                            form_key(who, f"report-details:{receipt.upper()}", form))
    except InvalidInput as exc:  # what was typed is shown again, to shorten or correct
        return _private(_receipt_page(request, lang, deps, receipt, token, status=exc.status_code,
                                      **refusal(lang, exc), typed=dict(form)))
    return RedirectResponse(f"/reports/{receipt}/{token}?added=1", status_code=303)


@router.post("/reports/{receipt}/{token}/time", response_class=HTMLResponse, response_model=None)
async def report_time(request: Request, lang: LangDep, deps: DepsDep, who: PrincipalDep, receipt: str,
                      token: str) -> Response:
    """When the reporter saw the child, for a report that had no time (asked on the thank-you page and here)."""
    form = await checked_form(request)
    try:
        # give_time's: the report's
        when = when_seen.check_seen_at(deps, local_time(form, "seen_at", lang), floor=False)
        given = reports.give_time(deps, receipt, token, when, form_key(who, f"report-time:{receipt.upper()}", form))
    except InvalidInput as exc:  # what was typed is shown again, to correct (or which of two times, to choose)
        return _private(_receipt_page(request, lang, deps, receipt, token, status=exc.status_code,
                                      **refusal(lang, exc), typed=dict(form), asked=occurrences(exc, lang)))
    return RedirectResponse(f"/reports/{receipt}/{token}?{'held' if given.held else 'time'}=1", status_code=303)


@router.post("/reports/{receipt}/{token}/place", response_class=HTMLResponse, response_model=None)
async def report_place(request: Request, lang: LangDep, deps: DepsDep, who: PrincipalDep, receipt: str,
                       token: str) -> Response:
    """Where the reporter saw the child, for a report with no place families can be shown (asked on the thank-you
    page and here): the report form's place input, words or coordinates."""
    form = await checked_form(request)
    try:
        words, where = text(form, "place_text", LIMIT["place_text"]), place(form)
        key = form_key(who, f"report-place:{receipt.upper()}", form)
        given = where_seen.give_place(deps, receipt, token, words, where, key)
    except InvalidInput as exc:  # what was typed is shown again, to correct
        return _private(_receipt_page(request, lang, deps, receipt, token, status=exc.status_code,
                                      **refusal(lang, exc), typed=dict(form)))
    return RedirectResponse(f"/reports/{receipt}/{token}?{'held' if given.held else 'place'}=1", status_code=303)


@router.post("/reports/{receipt}/{token}/withdraw", response_model=None)
async def report_withdraw(request: Request, lang: LangDep, deps: DepsDep, receipt: str, token: str) -> Response:
    form = await checked_form(request)
    try:
        reports.withdraw(deps, receipt, token, text(form, "sure") == "1")
    except InvalidInput as exc:  # the box not ticked: the page again, saying so, nothing deleted
        return _private(_receipt_page(request, lang, deps, receipt, token, status=exc.status_code,
                                      **refusal(lang, exc)))
    return RedirectResponse(f"/reports/{receipt}/{token}", status_code=303)


@router.get("/sw.js")
def service_worker() -> FileResponse:
    """At the site's root so that it may keep the report page and its queue working offline."""
    return FileResponse(STATIC / "sw.js", media_type="text/javascript",
                        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"})
