"""API routes for a reporter's hold on their own report: the receipt and private link's secret that
``POST /api/sightings`` answers, used as the web's private link is (``services.reports``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from reunite.domain.model import SeenAtBasis
from reunite.entrypoints.api import bodies, sighting_schemas
from reunite.entrypoints.api.auth import PrincipalDep, get_deps
from reunite.entrypoints.api.routes import ERRORS, IdempotencyKey, Reader, aware, point
from reunite.services import idempotency, reports, when_seen, where_seen
from reunite.services.deps import Deps

router = APIRouter(prefix="/api")
DepsDep = Annotated[Deps, Depends(get_deps)]


def _held(lang: Reader) -> str:
    return lang.gettext("Your report was approved before, so what you gave was added to its details for the moderators, who check it before it is used. Thank you.")  # noqa: E501


@router.post("/reports/{receipt}/{token}/time", response_model=sighting_schemas.TimeGiven, responses=ERRORS)
def give_report_time(deps: DepsDep, who: PrincipalDep, lang: Reader, receipt: str, token: str, body: bodies.TimeIn,
                     idempotency_key: IdempotencyKey = None) -> sighting_schemas.TimeGiven:
    """When the reporter saw the child, for a report sent without a usable time (`seen_at_basis` `arrival`)
    or dated by the photo's clock (`camera`, `camera_zone_assumed`): ``receipt`` and ``token`` are the
    `receipt` and `report_token` that ``POST /api/sightings`` answered. The time becomes the time seen
    (`given`), once: a report whose time the reporter gave is refused (422; a correction goes in the
    details, through `report_link`), except that the very same time sent again is answered as given. A time
    after the report was sent, or too long before it, is refused (422); a wrong receipt or token is 404.
    A report approved once keeps its time: the one given is added to its details and the report goes back to
    the moderators (`seen_at_basis` `held`), the same for every approved report; otherwise it is matched again."""
    when = when_seen.check_seen_at(deps, aware(body.seen_at, deps, "seen_at"), floor=False)  # as give_time reads it
    key = idempotency.scoped(who, f"report-time:{receipt.upper()}", idempotency_key, [("seen_at", when)])
    given = reports.give_time(deps, receipt, token, when, key)
    if given.held:  # a report approved once: its time stays until the moderators read the one given
        return sighting_schemas.TimeGiven(id=given.id, seen_at=body.seen_at, seen_at_basis="held",
                                          message=_held(lang))
    return sighting_schemas.TimeGiven(id=given.id, seen_at=body.seen_at, seen_at_basis=SeenAtBasis.GIVEN.value,
                             message=lang.gettext("The time was added to your report. Thank you."))


@router.post("/reports/{receipt}/{token}/place", response_model=sighting_schemas.PlaceGiven, responses=ERRORS)
def give_report_place(deps: DepsDep, who: PrincipalDep, lang: Reader, receipt: str, token: str, body: bodies.PlaceIn,
                      idempotency_key: IdempotencyKey = None) -> sighting_schemas.PlaceGiven:
    """Where the reporter saw the child, for a report with no place families can be shown (`place_basis`
    `none`, or `words` naming no town or city): words naming the town or city, or a position (`lat`, `lon`),
    once, as the report form takes them (the private page asks the same). A report that has a place is refused
    (422; a correction goes in the details), except that the very same place sent again is answered as given;
    words naming no town or city without a position are refused (422) saying so; a wrong receipt or token is
    404. A report approved once keeps its place: the one given is added to its details and the report goes back
    to the moderators (`place_basis` `held`); otherwise it is matched again with its place."""
    where = point(body.lat, body.lon)
    key = idempotency.scoped(who, f"report-place:{receipt.upper()}", idempotency_key,
                             [("place_text", body.place_text), ("lat", body.lat), ("lon", body.lon)])
    given = where_seen.give_place(deps, receipt, token, body.place_text, where, key)
    if given.held:  # a report approved once: its place stays until the moderators read the one given
        return sighting_schemas.PlaceGiven(id=given.id, place_basis="held", message=_held(lang))
    return sighting_schemas.PlaceGiven(id=given.id, place_basis="given" if where else "words",
                                       message=lang.gettext("The place was added to your report. Thank you."))
