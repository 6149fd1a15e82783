"""Free words staff write that families or partners read (a sighting's words for families, a reviewer's
message to the family, a verification's notes) may not repeat what pins a report's spot or its
reporter's contact, nor give a resident identity card's number (no contact, but a child's own): each is
read by ``domain.summary.pinning`` against every report it may speak of, and refused with what it repeats
named, in the reader's language. A case's description approved for
sharing is read the same way against where the family said the child was last seen and its contact."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from reunite.domain import access
from reunite.domain.errors import InvalidInput
from reunite.domain.model import GeoPoint
from reunite.domain.summary import CONTACT, ID_NUMBER, MAP_CODE, POSITION, Repeated, fold, pinning
from reunite.services.deps import Deps


def city_names(deps: Deps, place: str, pin: GeoPoint | None = None) -> set[str]:
    """The names (folded) under which ``place`` (with its ``pin``, as the public sees it) names its public
    city, which every reader sees: the city as the gazetteer writes it and the city's and its province's
    own names in every script (上海市, 上海, Shanghai; 臺北 for 台北), never a longer piece of the place
    words that holds them."""
    city = deps.places.city(place, near=pin)
    if not city:
        return set()
    return {fold(name, deps.places.simplified) for name in {city, *deps.places.city_names(place, pin)}}


def repeated(deps: Deps, words: str, reports: Iterable[dict[str, Any]]) -> Repeated | None:
    """What ``words`` repeat of any of ``reports`` (rows with their place words, other words, point and
    contact), or of any spot or contact at all (coordinates, map codes, emails, phone numbers); None if nothing."""
    for row in [*reports, {}]:  # and with no report: what pins any spot
        point = (row["lat"], row["lon"]) if row.get("lat") is not None and row.get("lon") is not None else None
        said = [row.get("place_text") or "", row.get("description") or "", row.get("with_whom") or ""] if row else []
        pin = access.public_pin(row.get("lat"), row.get("lon"))
        named = partial(city_names, deps, pin=pin)
        if (found := pinning(words, said, point, named, deps.places.simplified, row.get("reporter_contact") or "",
                             readings=deps.places.readings, spellings=deps.places.spellings)) is not None:
            return found
    return None


def refuse_repeated(deps: Deps, words: str, reports: Iterable[dict[str, Any]], field: str) -> None:
    """Refuse ``words`` (for the form's ``field``) that repeat what pins a report's spot or a contact."""
    found = repeated(deps, words, reports)
    if found is None:
        return
    _refuse(found, field)


def refuse_for_sharing(deps: Deps, words: str, case: dict[str, Any], field: str) -> None:
    """Refuse a case's description approved for sharing (``field``) that repeats where the family said the
    child was last seen beyond its city, gives a position, a map code or a contact (the family's or anyone's)."""
    place = {"place_text": case.get("last_seen_text") or "", "lat": case.get("last_seen_lat"),
             "lon": case.get("last_seen_lon"), "reporter_contact": case.get("family_contact") or ""}
    found = repeated(deps, words, [place])
    if found is None:
        return
    if found.kind == ID_NUMBER:
        raise InvalidInput("these words give an identity card's number (“{words}”): partners and the public never read one, the child's or anyone's", field=field, words=found.words)  # noqa: E501
    if found.kind == CONTACT:
        raise InvalidInput("these words give a contact (“{words}”): partners and the public never read a phone number, an email or a messenger ID (WeChat, QQ…), the family's or anyone's", field=field, words=found.words)  # noqa: E501
    if found.kind in (MAP_CODE, POSITION):
        raise InvalidInput("these words give a position or a map code (“{words}”): partners and the public may read the city only", field=field, words=found.words)  # noqa: E501
    raise InvalidInput("these words repeat where the family said the child was last seen (“{words}”): partners and the public may read its city only", field=field, words=found.words)  # noqa: E501


def _refuse(found: Repeated, field: str) -> None:
    if found.kind == ID_NUMBER:
        raise InvalidInput("these words give an identity card's number (“{words}”): families and partners never read one, the child's or anyone's", field=field, words=found.words)  # noqa: E501
    if found.kind == CONTACT:
        raise InvalidInput("these words give a contact (“{words}”): families and partners never read a phone number, an email or a messenger ID (WeChat, QQ…), the reporter's or anyone's", field=field, words=found.words)  # noqa: E501
    if found.kind == MAP_CODE:
        raise InvalidInput("these words give a map code (“{words}”) that pins a spot: families may read a report's city only", field=field, words=found.words)  # noqa: E501
    if found.kind == POSITION:
        raise InvalidInput("these words give a position on the map (“{words}”): families may read a report's city only", field=field, words=found.words)  # noqa: E501
    if found.source == 1:
        raise InvalidInput("these words repeat the reporter's description of what they saw (“{words}”), which can pin the spot: families never read the reporter's own words", field=field, words=found.words)  # noqa: E501
    if found.source == 2:
        raise InvalidInput("these words repeat who the reporter said was with the child (“{words}”), which can pin the spot: families never read the reporter's own words", field=field, words=found.words)  # noqa: E501
    raise InvalidInput("these words repeat the place the reporter gave (“{words}”): families may read its city only",
                       field=field, words=found.words)
