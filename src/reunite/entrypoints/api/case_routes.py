"""API routes for missing children's cases: registering one, reading it and its shortlist, and a reviewer's
decision on a candidate. Each one parses input, calls one service, and shapes the answer."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Response
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from reunite.domain.access import Permission, Principal
from reunite.domain.births import birth_given
from reunite.domain.errors import InvalidInput
from reunite.domain.model import CASE_TEXT_LIMITS as LIMIT
from reunite.domain.model import NICKNAMES_LIMIT, CandidateStatus, NewCase, Sex
from reunite.domain.spelling import nickname_list
from reunite.domain.typed_time import typed_time
from reunite.entrypoints.api import bodies, candidate_schemas, case_schemas, schemas
from reunite.entrypoints.api.auth import PrincipalDep, allow
from reunite.entrypoints.api.routes import (
    ERRORS,
    DepsDep,
    IdempotencyKey,
    PhotosIn,
    Reader,
    Reviewer,
    candidate_out,
    point,
    read_uploads,
)
from reunite.entrypoints.api.validation import SexRead
from reunite.services import corrections, idempotency, intake, queries, review

router = APIRouter(prefix="/api")
Registrar = Annotated[Principal, Depends(allow(Permission.REGISTER_CASE))]


SexIn = Annotated[SexRead, Form(
    description="female, male or unknown (女, 男, 未知, f and m are read too, as in spreadsheets)")]
def _as_birth_date(value: object) -> object:
    """A birth date as every way in reads it (``births.birth_given``: ``2018年5月1日``, a month or a year alone);
    refused here, beside the form's other problems, saying why (no such day, no such month, no date)."""
    if isinstance(value, str):
        try:
            birth_given(value)
        except InvalidInput as exc:
            kind = "no_such_day" if "no such day" in exc.template else \
                "no_such_month" if "month is not valid" in exc.template else "birth_date"
            raise PydanticCustomError(kind, "not a birth date") from None
    return value


BirthDateIn = Annotated[str, BeforeValidator(_as_birth_date), Form(max_length=40, description=(
    "2016-07-08 (2016/07/08 and 2016年7月8日 are read too), or a month or a year alone when no more is known "
    "(2015-03, 2015年3月, 2015): kept as that month or year (``birth_date_precision``), as in spreadsheets and "
    "PFIF (``domain.births``)"))]


@router.post("/cases", status_code=201, response_model=case_schemas.CaseAccepted,
             responses=ERRORS | {200: {"model": case_schemas.CaseAccepted, "description": (
                 "This sender had registered the child already (the same given and family names, birth date and "
                 "day missing, of an open case): that case, with ``already_registered``; no case is made, and the "
                 "photos sent that it did not hold are added to it (``photo_ids``: those added, none when it held "
                 "them all)")}})
def register_case(
    response: Response,
    deps: DepsDep,
    lang: Reader,
    who: Registrar,
    photos: PhotosIn,
    given_name: Annotated[str, Form(min_length=1, max_length=LIMIT["given_name"])],
    sex: SexIn,
    birth_date: BirthDateIn,
    missing_since: Annotated[str, Form(max_length=100, description=(
        "When the child went missing, read as the form and sheets read it (``domain.typed_time``): a date and "
        "time with its UTC offset (2026-12-02T17:30+08:00; one without is refused (422), never guessed); or, when "
        "the time of day is not known, a date, month or year alone (2026-12-02, 2026/12/02, 2026-12, 2026): that "
        "whole day, month or year, in the site's zone (no sighting in it is taken as seen before the child went "
        "missing; ``missing_since_precision`` day, month or year). A date that does not exist (2026-02-30) is "
        "refused (422) as the form refuses it: \"the date is not valid\", in the reader's language"))],
    family_name: Annotated[str, Form(max_length=LIMIT["family_name"])] = "",
    nicknames: Annotated[str, Form(max_length=NICKNAMES_LIMIT, description="Comma-separated")] = "",
    last_seen_lat: Annotated[float | None, Form()] = None,
    last_seen_lon: Annotated[float | None, Form()] = None,
    last_seen_text: Annotated[str, Form(max_length=LIMIT["last_seen_text"])] = "",
    description: Annotated[str, Form(max_length=LIMIT["description"])] = "",
    marks: Annotated[str, Form(max_length=LIMIT["marks"])] = "",
    police_report: Annotated[str, Form(max_length=LIMIT["police_report"])] = "",
    family_contact: Annotated[str, Form(max_length=LIMIT["family_contact"], description=(
        "How reviewers reach the family: read by the family and reviewers only, never shown to anyone else"))] = "",
    photo_dates: Annotated[list[str] | None, Form(description="Date each photo was taken, YYYY-MM-DD or blank")] = None,
    idempotency_key: IdempotencyKey = None,
) -> case_schemas.CaseAccepted:
    """Register a missing child with photos at known dates. Sent again with the same
    ``Idempotency-Key``, it answers the first receipt and stores nothing; a child the sender registered
    already (the same names, birth date and day missing) is answered 200 with that case, the photos sent that
    it did not hold added to it (``photo_ids``). More ``photo_dates`` than photos are refused. Names are kept
    in one spelling (NFKC, without bidi or zero-width characters), as every other way in keeps them."""
    born, precision = birth_given(birth_date)
    missing = typed_time(missing_since, deps.site.zone, "missing_since", offset_needed=True)
    case = NewCase(
        given_name=given_name, family_name=family_name, sex=sex, birth_date=born,
        missing_since=missing.at, missing_since_precision=missing.precision,
        last_seen_place=point(last_seen_lat, last_seen_lon, ("last_seen_lat", "last_seen_lon")),
        last_seen_text=last_seen_text, description=description, marks=marks, police_report=police_report,
        family_contact=family_contact, nicknames=nickname_list(nicknames),
    )
    taken = parse_dates(photo_dates or [], len(photos))
    uploads = read_uploads(photos)
    key = idempotency.scoped(who, "case", idempotency_key, [("case", repr(case)), ("taken", repr(taken)),
                                                            ("born", precision)], uploads)
    receipt = intake.register_case(deps, who, case, uploads, taken, key, birth_precision=precision)
    message = "The case is registered. Its photos are being compared with every sighting." if receipt.verified \
        else "The case is registered and waits for a moderator to verify it; its photos are compared with " \
             "sightings once it is verified."
    said = lang.gettext(message)
    if receipt.known:  # that case, with the photos it lacked added (``photo_ids``): said either way
        response.status_code = 200
        said = lang.gettext("already registered: case {case}", case=receipt.case_id) + lang.gettext(". ") + (
            lang.gettext("The photos you sent that it did not have are added to it: {count}.",
                         count=len(receipt.photo_ids)) if receipt.photo_ids
            else lang.gettext("The photos you sent are in it already: none was added."))
    return case_schemas.CaseAccepted(id=receipt.case_id, photo_ids=receipt.photo_ids, already_registered=receipt.known,
                                message=said)


def parse_dates(values: list[str], count: int) -> list[date | None]:
    values = values + [""] * (count - len(values))
    try:
        return [date.fromisoformat(v) if v.strip() else None for v in values]
    except ValueError as exc:
        raise InvalidInput("photo dates must be YYYY-MM-DD", field="photo_dates") from exc


@router.get("/cases/{case_id}", response_model=case_schemas.CaseOut, responses=ERRORS)
def get_case(deps: DepsDep, who: PrincipalDep, lang: Reader, case_id: int) -> case_schemas.CaseOut:
    """A case, for its family and reviewers (the family's contact only for them)."""
    return case_schemas.CaseOut(**queries.get_case(deps, who, case_id, lang))


@router.get("/cases/{case_id}/candidates", response_model=list[candidate_schemas.CandidateOut], responses=ERRORS)
def case_candidates(
    deps: DepsDep, who: PrincipalDep, lang: Reader, case_id: int, status: CandidateStatus | None = None
) -> list[candidate_schemas.CandidateOut]:
    """The case's shortlist, best first, with its rank among the cases proposed for each sighting and
    the lead in words (band, what the reporter saw that contradicts the case, "about 1 in N different
    children look this similar", long-gap caveat). Reviewers see every candidate and its raw score
    components; the family only those a reviewer confirmed, and no raw score (never a percentage)."""
    return [candidate_out(lang, r) for r in queries.case_candidates(deps, who, case_id, status, lang)]


@router.post("/candidates/{candidate_id}/review", status_code=204, responses={
    **ERRORS, 409: {"model": schemas.Problem, "description": (
        "Another reviewer holds it (without `take_over`), it was decided otherwise, or, to confirm, its report "
        "is not approved, the face it compares was ruled out (a moderator marked another face of its photo as "
        "the child's: `ruled_out`), or its case is not verified and open (waiting for verification, held back as "
        "a possible second registration, or ended)")}})
def review_candidate(deps: DepsDep, who: Reviewer, candidate_id: int, body: bodies.ReviewIn) -> Response:
    """A person confirms or dismisses (with a reason in words) a machine candidate; a confirmation may name
    the trail's other candidates (``members``) to confirm with it. A lead is confirmed only while its case is
    verified and open (409 naming where the case stands); dismissing stays open in every state."""
    decisions = {"confirm": CandidateStatus.CONFIRMED, "dismiss": CandidateStatus.DISMISSED}
    if body.decision not in decisions:
        raise InvalidInput("decision must be 'confirm' or 'dismiss'", field="decision")
    review.review_candidate(deps, who, candidate_id, decisions[body.decision], body.reason, body.members,
                            body.take_over)
    return Response(status_code=204)




@router.patch("/cases/{case_id}", response_model=case_schemas.CaseCorrected, responses={
    **ERRORS, 409: {"model": schemas.Problem, "description": "The case is not open (closed, reunited, rejected, "
                    "removed or expired): it can no longer be corrected"}})
def correct_case(deps: DepsDep, lang: Reader, who: Registrar, case_id: int,
                 body: bodies.CaseCorrectionIn) -> case_schemas.CaseCorrected:
    """Correct a case this token (or account) registered; moderators and police correct any open case. Only the
    fields given change, each checked as at registration. Of a verified case, a correction of its identity facts
    (names, sex, birth date, time and place last seen, police report) by someone who may not verify cases waits
    for a moderator (``waiting``, ``correction_id``); the family's words change at once (an approved text for
    sharing whose words changed is withdrawn until a moderator approves the new ones). Sent again, it changes
    nothing. A case this token may not read answers 404; one it did not register, 403."""
    values = correction_values(deps, body)
    shared = {name: text for name, text in (("description", body.shared_description),
                                            ("marks", body.shared_marks)) if text is not None}
    done = corrections.correct_case(deps, who, case_id, values, shared)
    said = lang.gettext("The correction waits for a moderator, in place of the one that was waiting: that one's values are dropped. The case keeps its values until a moderator accepts it.") \
        if done.replaced else lang.gettext(  # noqa: E501
            "The correction waits for a moderator: the case keeps its values until one accepts it.") \
        if done.waiting else lang.gettext("The case is corrected.") if done.applied \
        else lang.gettext("Nothing to correct: the case already says so.")
    return case_schemas.CaseCorrected(id=case_id, applied=done.applied, waiting=done.waiting,
                                      correction_id=done.correction_id, replaced=done.replaced, message=said)


def correction_values(deps: DepsDep, body: bodies.CaseCorrectionIn) -> dict[str, object]:
    """The fields a correction gives, read as a registration reads them."""
    given = body.model_fields_set
    values: dict[str, object] = {name: getattr(body, name) for name in (
        "given_name", "family_name", "last_seen_text", "description", "marks", "police_report", "family_contact")
        if name in given and getattr(body, name) is not None}
    if "nicknames" in given and body.nicknames is not None:
        values["nicknames"] = nickname_list(*body.nicknames)
    if body.sex is not None:
        sex = Sex.read(body.sex)
        if sex is None:
            raise InvalidInput("sex must be female, male or unknown", field="sex")
        values["sex"] = sex
    if body.birth_date is not None:
        # month 13 said as such (probe s38 M4); a month or a year alone kept so (probe s46 P10)
        values["birth_date"], values["birth_date_precision"] = birth_given(body.birth_date)
    if body.missing_since is not None:
        missing = typed_time(body.missing_since, deps.site.zone, "missing_since", offset_needed=True)
        values |= {"missing_since": missing.at, "missing_since_precision": missing.precision}
    if {"last_seen_lat", "last_seen_lon"} & given:
        values["last_seen_place"] = point(body.last_seen_lat, body.last_seen_lon, ("last_seen_lat", "last_seen_lon"))
    return values
