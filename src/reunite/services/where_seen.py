"""Where a reported child was seen (probe s30 D4): a position the reporter gave (a map pin, their phone's location,
coordinates), else the photos' EXIF position (read by the server, or by the phone before it shrank the photo), else
the reporter's words alone. A photo's position far from the city the words name (``FAR_KM``) does not replace them:
the photo was forwarded, or taken earlier elsewhere, or the phone kept a stale fix. The words are kept then, and the
photo's position is set aside for the moderators with its distance (``seen_place``). The reporter is told which
place was used, in words, on the receipt and the private page (``placed``); a report without a place is asked for
one through its private link, once, as a missing time is (``give_place``, ``reports.give_time``). A moderator who
finds the words misread (a street name read as a city elsewhere) places the report by its photo's position set aside
instead (``use_photo_place``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reunite.domain.access import Permission, Principal, require
from reunite.domain.errors import Conflict, InvalidInput
from reunite.domain.model import GeoPoint, NewSighting, PhotoFacts, PlaceBasis, SeenPlace
from reunite.domain.ports import ReaderScript
from reunite.domain.spelling import without_format
from reunite.services import idempotency, reports
from reunite.services.deps import Deps
from reunite.services.place_days import public_city, sighting_day_zone

# A photo's position this far from every seat (a district's, a county's) of the city the words name lies outside
# that city. A city's streets lie within about 25 km of one of its seats (a Chinese prefecture's district and county
# seats; a city abroad of ten million reaches about that far from its centre, ``place_index.BIG_CITY_KM`` × the root
# of its millions), so 50 km leaves room for its suburbs, a phone's rough fix and the edge of a metro area, and is
# half the reach beyond which the place rules no longer read a pin as in the words' city (``place_pins.REACH_KM``).
# A photo forwarded, or taken earlier and sent now, lies hundreds or thousands of km away (probe s30 D4: Tokyo's
# GPS on "Flushing Main St station, Queens", 10,800 km).
FAR_KM = 50.0


def seen_place(deps: Deps, sighting: NewSighting, facts: Sequence[PhotoFacts]) -> SeenPlace:
    """The report's place and how it was obtained: the reporter's position; else the photos' EXIF position (the
    first photo's that has one, else the phone's reading), unless the words name a city it lies more than ``FAR_KM``
    from: then the words alone, the photo's position set aside with its distance (moderators read it, flagged);
    else the words alone; else none."""
    if sighting.place is not None:
        return SeenPlace(sighting.place, PlaceBasis.GIVEN)
    photo = next((f.place for f in facts if f.place), None) or sighting.photo_place
    words = sighting.place_text.strip()
    if photo is None:
        return SeenPlace(None, PlaceBasis.WORDS if words else PlaceBasis.NONE)
    km = deps.places.km_from(words, photo) if words else None
    if km is not None and km > FAR_KM:
        return SeenPlace(None, PlaceBasis.WORDS, photo_aside=photo, photo_km=round(km))
    return SeenPlace(photo, PlaceBasis.PHOTO)


def placed(deps: Deps, row: dict[str, Any], reader: ReaderScript | None) -> dict[str, Any]:
    """What the reporter is told of where their report (``reports.open_report``'s row) is placed: how
    (``basis``: ``PlaceBasis``), the city as families read it (``place_days.public_city``: the same words, pin and
    rule, named for ``reader``), the reporter's own words, how far the photo's position set aside lay
    (``photo_km``), and whether they are asked where (``ask``: an open report with no position whose words name
    no city families could be shown, unless its part is over:
    ``reports.require_changeable``). Never a position: the link may be passed on."""
    city = public_city(deps, row["place_text"] or "", reader, row["lat"], row["lon"])
    return {"basis": row["place_basis"], "city": city, "words": row["place_text"] or "", "photo_km": row["photo_km"],
            "ask": bool(row["open"]) and row.get("stage") not in ("helped", "found") and row["lat"] is None
            and not city}


def _has_place(deps: Deps, row: dict[str, Any]) -> bool:
    return row["lat"] is not None or bool(public_city(deps, row["place_text"] or "", None))


def _place_given(deps: Deps, row: dict[str, Any], words: str, point: GeoPoint | None) -> bool:
    """Whether this place is the report's already (nothing to change); refused when the report has another."""
    if not _has_place(deps, row):
        return False
    had = GeoPoint(row["lat"], row["lon"]) if row["lat"] is not None else None
    if words in ("", row["place_text"]) and point == had:
        return True
    raise InvalidInput("this report has its place already: write a correction in the details", field="place_text")


def give_place(deps: Deps, receipt: str, token: str, words: str, point: GeoPoint | None,
               key: idempotency.Key | None = None) -> reports.Given:
    """The reporter says where they saw the child, for a report that has no place families can be shown (no
    position, and words that name no city: none typed, or a street alone): words naming a town or city, or a
    position (the report form's place input: the same fields and limits), once; the report is held for the
    moderators again if approved, and matched again with its place. A report with a place is refused (a
    correction goes in the details); words naming no town or city, with no position, are refused saying so
    (they would leave families with no place again). The same place sent again (a retry without a key) is
    answered as given. Audited without the words or the position. A report approved once keeps its place: the one
    given goes to the moderators in its details (``reports.kept_for_moderators``, ``held``); one whose part is over
    is refused (``reports.require_changeable``)."""
    row = reports.open_report(deps, receipt, token)
    reports.require_open(row, "place_text")
    reports.require_changeable(row, "place_text")
    if idempotency.earlier(deps, key) is not None:
        return reports.Given(int(row["id"]), reports.moderated_once(row))  # a double tap or a resend: given already
    words = without_format(words)  # as a report's place words at intake (``NewSighting``)
    if not words and point is None:
        raise InvalidInput("say where you saw the child", field="place_text")
    if _place_given(deps, row, words, point):
        return reports.Given(int(row["id"]))  # this very place is the report's: nothing to change
    if point is None and not deps.places.city(words):
        raise InvalidInput("“{words}” names no town or city we know: add the town or city, or give the coordinates",
                           field="place_text", words=words)
    given = SeenPlace(point, PlaceBasis.GIVEN if point is not None else PlaceBasis.WORDS)
    with deps.uow() as uow:
        row = reports.locked_report(uow, row, "place_text")  # checked again, locked: answers sent at once, in turn
        held = reports.moderated_once(row)
        if _place_given(deps, row, words, point) or idempotency.remember(uow, key, {"given": True}) is not None:
            return reports.Given(int(row["id"]), held)  # given meanwhile, or a concurrent resend was given first
        if held:
            at = f" ({point.lat:.5f}, {point.lon:.5f})" if point is not None else ""
            reports.kept_for_moderators(deps, uow, row, f"Place seen, given on the report's link: {words}{at}".strip(),
                                        "place_text")
            uow.audit("reporter", "sighting.place_proposed", "sighting", row["id"], words=bool(words),
                      position=point is not None)
            uow.commit()
            return reports.Given(int(row["id"]), held)
        words = words or row["place_text"] or ""
        now = row | {"lat": point.lat if point else None, "lon": point.lon if point else None, "place_text": words}
        uow.set_place(row["id"], given, words, sighting_day_zone(deps, now))
        uow.audit("reporter", "sighting.place_given", "sighting", row["id"], was_basis=row["place_basis"],
                  words=bool(words), position=point is not None)
        reports.held_again(deps, uow, row)
        uow.enqueue("faces.process_sighting", lock=f"sighting-{row['id']}", sighting_id=row["id"])
        uow.commit()
    return reports.Given(int(row["id"]))


def use_photo_place(deps: Deps, who: Principal, sighting_id: int) -> None:
    """A moderator places a report by its photo's position, which ``seen_place`` set aside as far from the city its
    words name (the words misread, or naming a street the gazetteer placed elsewhere): the report is placed there
    and matched again with it, its words kept. Refused (409) for a report with no position set aside, or placed by
    a position already. Audited with the distance the photo's position lay from the words' city."""
    require(who, Permission.MODERATE)
    row = deps.read.sighting(sighting_id)
    if row["photo_km"] is None or row["photo_lat"] is None or row["lat"] is not None:
        raise Conflict("report {id} has no photo location set aside to use", id=sighting_id)
    point = GeoPoint(row["photo_lat"], row["photo_lon"])
    now = row | {"lat": point.lat, "lon": point.lon}
    with deps.uow() as uow:
        uow.set_place(sighting_id, SeenPlace(point, PlaceBasis.PHOTO), row["place_text"] or "",
                      sighting_day_zone(deps, now))
        uow.audit(who.actor, "sighting.place_from_photo", "sighting", sighting_id, photo_km=row["photo_km"])
        uow.enqueue("faces.process_sighting", lock=f"sighting-{sighting_id}", sighting_id=sighting_id)
        uow.commit()
