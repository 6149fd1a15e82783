"""API routes. Each one parses input, calls one service, and shapes the answer."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Header, Query, Request, UploadFile

from reunite.domain.access import Permission, Principal
from reunite.domain.errors import InvalidInput, Problems
from reunite.domain.model import SIGHTING_TEXT_LIMITS as SIGHTING_LIMIT
from reunite.domain.model import (
    AgeRange,
    GeoPoint,
    NewSighting,
    SeenAtBasis,
    Sex,
    SightingFilter,
    Upload,
)
from reunite.domain.times import localize
from reunite.entrypoints.api import candidate_schemas, schemas, sighting_schemas
from reunite.entrypoints.api.auth import PrincipalDep, allow, client_ip, get_deps, presession_of
from reunite.entrypoints.api.guard import BIGINT_MAX
from reunite.entrypoints.api.validation import GivenTime, SexRead
from reunite.i18n import Language
from reunite.language_tags import negotiate
from reunite.services import idempotency, intake, queries, reports, search, throttle, when_seen
from reunite.services.deps import Deps
from reunite.wording import clock_set_aside, explanation, lead_words, seen_since

router = APIRouter(prefix="/api")
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": schemas.Problem} for code in (401, 403, 404, 413, 415, 422, 429)
}


DepsDep = Annotated[Deps, Depends(get_deps)]
Reporter = Annotated[Principal, Depends(allow(Permission.REPORT_SIGHTING))]
Browser = Annotated[Principal, Depends(allow(Permission.BROWSE_SIGHTINGS))]
Searcher = Annotated[Principal, Depends(allow(Permission.SEARCH_BY_PHOTO))]
Reviewer = Annotated[Principal, Depends(allow(Permission.REVIEW_CANDIDATES))]


def senders_key(request: Request, who: PrincipalDep, key: Annotated[str | None, Header(
        alias="Idempotency-Key", max_length=200, description=(
            "A one-time key of your choosing, at random (a UUID): a retry of the same request with the same "
            "key returns the first answer, never a duplicate. Keys are yours alone (your account or token; "
            "without one, your address and, for a report, the puzzle you spent): another sender's same key "
            "is another request. Without a token, a key must be chosen at random (a UUID, or a hex or "
            "base64url token of 16 random bytes: at least 16 characters and about 64 bits of chance, with no "
            "runs, counting or repeated pattern): a plain one (1, 2, 3…, report-0001), which others behind "
            "your address could choose too, is refused with 422"))] = None) -> str | None:
    """The sender's key, made theirs (``idempotency.senders``); an anonymous sender's, known by its address
    alone, only when chosen at random (``idempotency.unguessable``: 422 otherwise, before anything is read)."""
    chosen = key if who.signed_in else idempotency.unguessable(key)
    return idempotency.senders(chosen, throttle.who_key(who, client_ip(request)))


IdempotencyKey = Annotated[str | None, Depends(senders_key)]
PhotosIn = Annotated[list[UploadFile], File(description="JPEG, PNG, WebP or HEIC photos")]


GIVEN_TIME = ("ISO 8601 with its UTC offset, e.g. 2026-12-02T17:30+08:00, 2026-12-02T17:30+08 or 2026-12-02T09:30Z; "
              "a time without one is refused (422), never guessed; in a query string, + is %2B (a + left unencoded, "
              "read as a space, is read as +)")


def aware(value: datetime | None, deps: Deps, field: str) -> datetime | None:
    """Times are instants kept with the offset they are given with: the API takes only times that carry one
    (``GivenTime``: a time without is refused with 422 naming the field, in the reader's language). A
    partner's clock is not the site's, so nothing is guessed. Checked here for the years a time may have."""
    return None if value is None else localize(value, deps.site.zone, field)


def point(lat: float | None, lon: float | None, names: tuple[str, str] = ("lat", "lon")) -> GeoPoint | None:
    """A point from its two inputs (``names``); half of one is refused naming the half that is missing."""
    if (lat is None) != (lon is None):
        raise InvalidInput("give both latitude and longitude, or neither", field=names[1] if lon is None else names[0])
    return GeoPoint(lat, lon) if lat is not None and lon is not None else None


RADIUS_KM = 50.0  # a list's radius around its point when none is given


def radius_needs_point(radius_km: float | None, lat: float | None, lon: float | None) -> None:
    """A radius is around a point: given without one (neither ``lat`` nor ``lon``), it is refused naming it,
    never silently dropped (the list would be every sighting, the reader thinking it is theirs around)."""
    if radius_km is not None and lat is None and lon is None:
        raise InvalidInput("{name} is a distance around a point: give the point too (lat and lon), or leave {name} out",
                           field="radius_km", name="radius_km")


def reader(request: Request) -> Language:
    """The language of words meant for people: ``?lang=``, else Accept-Language."""
    return Language(negotiate(request.query_params.get("lang"), None, request.headers.get("accept-language", "")))


Reader = Annotated[Language, Depends(reader)]


def read_uploads(files: list[UploadFile]) -> list[Upload]:
    return [Upload(data=f.file.read(), filename=f.filename or "") for f in files]


@router.post("/sightings", status_code=202, response_model=sighting_schemas.SightingAccepted, responses=ERRORS)
def report_sighting(
    request: Request,
    deps: DepsDep,
    lang: Reader,
    who: Reporter,
    photos: PhotosIn,
    seen_at: Annotated[GivenTime | None, Form(description=(
        "When the child was seen: " + GIVEN_TIME + "; not in the future, nor more than 25 years before the report "
        "(the site's REUNITE_SIGHTING_YEARS): an earlier time is refused (422) naming the earliest one may give"))
    ] = None,
    lat: Annotated[float | None, Form()] = None,
    lon: Annotated[float | None, Form()] = None,
    place_text: Annotated[str, Form(max_length=SIGHTING_LIMIT["place_text"])] = "",
    apparent_age_low: Annotated[int | None, Form()] = None,
    apparent_age_high: Annotated[int | None, Form()] = None,
    apparent_sex: Annotated[SexRead, Form()] = Sex.UNKNOWN,
    description: Annotated[str, Form(max_length=SIGHTING_LIMIT["description"],
                                     description="What the child was doing, wearing")] = "",
    with_whom: Annotated[str, Form(max_length=SIGHTING_LIMIT["with_whom"], description="Who the child was with")] = "",
    contact: Annotated[str, Form(max_length=SIGHTING_LIMIT["reporter_contact"])] = "",
    pow_challenge: Annotated[str, Form(description="From GET /api/pow (anonymous senders)")] = "",
    pow_nonce: Annotated[str, Form(description="The puzzle's solution")] = "",
    idempotency_key: IdempotencyKey = None,
) -> sighting_schemas.SightingAccepted:
    """Report a child seen in the street. Returns at once; faces are found and matched in the background.
    Anonymous senders solve the proof-of-work puzzle from GET /api/pow (fetched shortly before sending:
    it grows harder with the reports sent from the address in the last hour): each solved puzzle buys one
    report, whatever others at the same address sent, up to a ceiling far above what one address's
    witnesses send (REUNITE_PUZZLE_REPORTS_PER_HOUR); without one, a few reports an hour per address
    (REUNITE_REPORTS_PER_HOUR_WITHOUT_PROOF). Past either, 429 with ``Retry-After`` (seconds until one
    more fits) and a ``detail`` in the reader's language saying that many reports came from the network
    and the wait in minutes. A puzzle used already, or easier than the address needs by the time it is
    sent, is answered 429 with ``field`` ``pow_challenge`` and ``Retry-After: 1``: fetch a new one and
    send again.
    Sent again (the very same request: for anonymous senders the same puzzle too) with the same
    ``Idempotency-Key``, it answers the first receipt and stores nothing (anonymous senders choose the key
    at random: a plain one is refused with 422). Without a key, the identical report (every field, the same
    photos) from the same sender within 10 minutes is stored once too: the same account or token, or for
    anonymous senders the same puzzle (or, without one, the cookie this API gave), never merely the same
    address: someone else's identical report is a second witness, stored with its own receipt. Such a
    key-less copy is answered 202 with ``already_received`` and without ``receipt``, ``report_token`` and
    ``report_link`` (the private link was in the first answer only), unless it carries the puzzle spent on
    the first and the cookie this API gave the client that spent it: a token (or a cookie) may relay many
    people, and the next person's identical report must
    not be handed the first person's link. Send an ``Idempotency-Key`` to get the whole answer on a retry.
    Without ``seen_at``, no time is guessed: the photo's clock is used when plausible (``seen_at_basis``
    ``camera``, or ``camera_zone_assumed`` with the zone it was read in), else the report is dated by its
    arrival and marked so (``arrival``: shown as "time not given", never taken for a time seen; a clock
    before 2000, over 25 years old or in the future is set aside and returned as ``camera_clock``). The
    answer holds the reporter's ``receipt`` and ``report_token``: with them the reporter says later when
    they saw the child (``POST /api/reports/{receipt}/{report_token}/time``) or opens ``report_link``."""
    uploads = read_uploads(photos)
    proof = (pow_challenge, pow_nonce) if pow_challenge else None  # checked and spent before the report is read
    with throttle.report_attempt(deps, who, client_ip(request), proof) as attempt:  # refused ones do not count
        problems = Problems()  # every problem at once
        when = problems.check(lambda: when_seen.check_seen_at(deps, aware(seen_at, deps, "seen_at")))
        where = problems.check(lambda: point(lat, lon))
        age = problems.check(lambda: AgeRange.of(apparent_age_low, apparent_age_high))
        problems.raise_all()
        sighting = NewSighting(
            seen_at=when, place=where, place_text=place_text, apparent_age=age, apparent_sex=apparent_sex,
            description=description, with_whom=with_whom, reporter_contact=contact,
        )
        puzzle = f"pow:{pow_challenge}:{pow_nonce}" if attempt.solved else ""
        key = report_key(request, who, idempotency_key, puzzle, [("sighting", repr(sighting))], uploads)
        sender = report_sender(request, who, idempotency_key, puzzle)
        receipt = intake.earlier_sighting(deps, key, sender)
        if receipt is None:
            attempt.count(key.name if key else None)  # copies of this request sent at once count once
            receipt = intake.report_sighting(deps, who, sighting, uploads, key=key, sender=sender)
    return sighting_schemas.SightingAccepted(
        id=receipt.sighting_id, photo_ids=receipt.photo_ids, seen_at=receipt.seen_at,
        seen_at_basis=receipt.seen_at_basis, time_from_photo=receipt.time_from_photo,
        place_from_photo=receipt.place_from_photo, zone_assumed=receipt.zone_assumed,
        camera_clock=receipt.camera_clock, place_basis=receipt.place_basis, photo_km=receipt.photo_km,
        message=accepted_message(lang, receipt), already_received=receipt.resent,
        **reporters_hold(deps, receipt),
    )


def report_key(request: Request, who: Principal, key: str | None, puzzle: str, asked: list[tuple[str, object]],
               uploads: list[Upload]) -> idempotency.Key | None:
    """What names a report, so that its retry (the very same request: its key, its puzzle, its cookie)
    is answered with the first receipt and stores nothing: the sender's ``Idempotency-Key``, for an
    anonymous sender bound to the puzzle spent too; without a key, the report itself from the same
    ``idempotency.holder`` for 10 minutes: the account or token, else only what this client holds (the
    puzzle it spent; without one, its pre-session cookie), never the address alone. Two people behind
    one address sending the same picture with the same words are two witnesses: two reports, each with
    its own receipt and private link. A key-less retry is given the private link again only with the
    puzzle spent on the first (``sole``: it bought that one report) and the cookie of the client that spent
    it (``report_sender``); a token's or a cookie's is told the
    report was received (``idempotency.same_request``): either may relay many people."""
    if key:
        return idempotency.scoped(who, "sighting", idempotency.senders(key, puzzle) if puzzle else key,
                                  asked, uploads)
    sender = idempotency.holder(who, [puzzle or presession_of(request)])
    sole = bool(puzzle) and not who.signed_in
    return None if sender is None else idempotency.same_request(sender, "sighting", asked, uploads, sole=sole)


def report_sender(request: Request, who: Principal, key: str | None, puzzle: str) -> str:
    """Who, beyond the puzzle, must send a key-less retry for it to get the private link again (probe s19
    S2): the puzzle travels in the request's body, so anyone who saw it (a logging relay, a shared device)
    could send it again with the same photos and words and was handed the first reporter's receipt and
    link. The first answer is bound to the client that sent it: its pre-session cookie, given by this API
    (with the puzzle, ``GET /api/pow``) and sent back by the same client only. A retry carrying the puzzle
    but not that cookie is known (nothing stored twice) and told it was received, without the link. A
    keyed retry is named by its key (a cookie-less script retries with it); a signed-in sender's key-less
    retry never gets the link (``report_key``). "" when nothing more is asked."""
    if key or who.signed_in or not puzzle:
        return ""
    return hashlib.sha256(presession_of(request).encode()).hexdigest()


def reporters_hold(deps: Deps, receipt: intake.SightingReceipt) -> dict[str, str]:
    """The receipt and its private link's secret, for the reporter (``report_routes``): none for a report
    that joined a sighting reported before."""
    if not receipt.receipt:
        return {}
    token = reports.link_token(deps, receipt.receipt)
    return {"receipt": receipt.receipt, "report_token": token,
            "report_link": deps.site.base_url + reports.private_path(deps, receipt.receipt)}


def accepted_message(lang: Language, receipt: intake.SightingReceipt) -> str:
    """The thanks, and for a report without a time (``arrival``) the question the thank-you page asks too;
    for a copy known without its key (``report_key``), that it was received already and how to get the
    whole answer on a retry."""
    if receipt.resent and not receipt.receipt:
        return lang.gettext("This report was received already: nothing new was stored. Its private link was given in the first answer only; to get the whole answer again when you retry, send each report with its own Idempotency-Key.")  # noqa: E501
    thanks = lang.gettext("Thank you. The photos are being checked for faces and compared with missing children.")
    if receipt.seen_at_basis != SeenAtBasis.ARRIVAL:
        return thanks
    if receipt.camera_clock:
        asked = clock_set_aside(lang, receipt.camera_clock, receipt.seen_at)
    else:
        asked = lang.gettext(
            "Your report has no time yet: it is kept with the time it was received until you say when you saw the child.")  # noqa: E501
    return " ".join((thanks, asked, lang.gettext("When did you see the child?")))


@router.get("/sightings", response_model=sighting_schemas.SightingPage, responses=ERRORS)
def list_sightings(
    deps: DepsDep,
    who: Browser,
    lang: Reader,
    lat: Annotated[float | None, Query(description="With lon: the point a radius is around")] = None,
    lon: Annotated[float | None, Query(description="With lat: the point a radius is around")] = None,
    radius_km: Annotated[float | None, Query(description=(
        f"Around lat and lon, which it needs (422 without them); {RADIUS_KM:g} km when only they are given"))] = None,
    seen_from: Annotated[GivenTime | None, Query(description="Seen at or after: " + GIVEN_TIME)] = None,
    seen_to: Annotated[GivenTime | None, Query(description="Seen at or before: " + GIVEN_TIME)] = None,
    age: Annotated[int | None, Query(ge=0, le=60)] = None,
    sex: Annotated[SexRead | None, Query(description=(
        "female, male or unknown (女, 男, 未知, f and m are read too, as in forms and spreadsheets)"))] = None,
    place: Annotated[str, Query(max_length=200, description="Words in the place description")] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=BIGINT_MAX)] = 0,
    include_unknown: Annotated[bool, Query(
        description="keep reports that do not say age or sex (false: only those that say both)")] = True,
) -> sighting_schemas.SightingPage:
    """Sightings, newest first, filtered by region (radius around a point), dates, apparent age and sex.
    Filters that mean something only together are refused when one is missing (422), never dropped: half a
    point (``lat`` without ``lon``), a radius without its point."""
    problems = Problems()
    near = problems.check(lambda: point(lat, lon))
    problems.check(lambda: radius_needs_point(radius_km, lat, lon))
    problems.raise_all()
    query = SightingFilter(near=near, radius_km=RADIUS_KM if radius_km is None else radius_km, place=place,
                           seen_from=aware(seen_from, deps, "seen_from"), seen_to=aware(seen_to, deps, "seen_to"),
                           age=age, sex=sex, limit=limit, offset=offset,
                           include_unknown=include_unknown)
    total, rows = queries.list_sightings(deps, who, query, lang)
    return sighting_schemas.SightingPage(total=total, items=[sighting_schemas.SightingOut(**r) for r in rows])


@router.get("/sightings/{sighting_id}", response_model=sighting_schemas.SightingDetail, responses=ERRORS)
def get_sighting(deps: DepsDep, who: Browser, lang: Reader, sighting_id: int) -> sighting_schemas.SightingDetail:
    return sighting_schemas.SightingDetail(**queries.get_sighting(deps, who, sighting_id, lang))


def candidate_out(lang: Language, row: dict[str, Any]) -> candidate_schemas.CandidateOut:
    reason = row["review_reason"]  # a reason chosen from a list, or the fixed words, in the reader's language
    since = seen_since(row)  # as precisely as both times are known, as the explanation says it
    return candidate_schemas.CandidateOut.model_validate(row | {"lead_words": lead_words(lang, row["lead"], row),
                                                      "explanation": explanation(lang, row),
                                                      "review_reason": reason and lang.gettext(reason),
                                                      "elapsed_precision": since.precision,
                                                      "elapsed_periods": [since.low, since.high] if since.calendar
                                                      else None})


@router.get("/sightings/{sighting_id}/candidates", response_model=list[candidate_schemas.CandidateOut],
            responses=ERRORS)
def sighting_candidates(deps: DepsDep, who: Reviewer, lang: Reader,
                        sighting_id: int) -> list[candidate_schemas.CandidateOut]:
    """The open cases this sighting may show, best first, each with its rank and lead in words."""
    return [candidate_out(lang, r) for r in queries.sighting_candidates(deps, who, sighting_id)]


@router.post("/search", response_model=list[candidate_schemas.SearchHit], responses=ERRORS)
def search_by_photo(
    request: Request, deps: DepsDep, who: Searcher, lang: Reader, photo: Annotated[UploadFile, File()],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    case_id: Annotated[int | None, Query(ge=1, le=BIGINT_MAX, description=(
        "The case whose child the photo shows (one you may read): each sighting is then read as that "
        "case's candidate would be, the case's photos fused with this one. Required of a family (a signed-in "
        "account without reviewers' rights): one of its verified, open cases, and only the photo's faces that "
        "look like that case's photos are searched (none: 422)"))] = None,
) -> list[candidate_schemas.SearchHit]:
    """Upload a child's photo; get the sighting faces alike enough to be proposed (the same operating
    point as candidates), strongest band first and, within a band, most alike first (the calibrated
    "1 in N"), each with its lead in words, read as matching reads the pair (with a case: what the
    reporter saw that contradicts it). The raw similarity only for reviewers. Without a case the
    photo's age is unknown, so the most cautious age band reads it. The photo is not kept."""
    throttle.action_limit(deps, who, "search", client_ip(request), deps.limits.searches_per_hour)
    return [candidate_schemas.SearchHit(**h, lead_words=lead_words(lang, h["lead"], h))
            for h in search.search_by_photo(deps, who, photo.file.read(), limit, case_id, lang)]


@router.get("/pow", response_model=schemas.PowChallenge)
def proof_of_work(request: Request, deps: DepsDep) -> schemas.PowChallenge:
    """A puzzle for an anonymous report: find ``nonce`` so that sha256(challenge + ":" + nonce) starts
    with ``bits`` zero bits, and send both with the report. Each puzzle buys one report. ``bits`` grows
    with the reports sent from your address with a puzzle in the last hour: the site's base difficulty
    (REUNITE_PROOF_OF_WORK_BITS) for the first REUNITE_REPORTS_PER_HOUR, then one bit more (twice the
    work) for each further one, at most REUNITE_PROOF_OF_WORK_MAX_BITS. Fetch it shortly before sending:
    a puzzle easier than the address needs by then is refused (429, ``field`` ``pow_challenge``,
    ``Retry-After: 1``): fetch a new one and send again."""
    challenge = throttle.challenge(deps, client_ip(request))
    return schemas.PowChallenge(challenge=challenge, bits=int(challenge.split(".")[1]))
