"""The outside probe s44's P1: the place filter of readers without exact places narrowed the rows by the area's box
tested on the exact pin, before the gazetteer read the public pin (the cell's centre): of two reports with no place
words in one ~1 km cell at Hainan's south edge, "海南" found the northern one only, telling two places of one cell
apart. The box is tested on the cell's centre, as the radius filter reads it: two reports of one cell get the same
answers, whatever the filter and whoever asks."""

from __future__ import annotations

import pytest

from reunite.adapters.place_pins import area_box
from reunite.adapters.regions import place_filter, resolve
from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.domain.model import GeoPoint
from reunite.domain.places_shown import public_pin
from reunite.services.accounts import issue_token
from tests.conftest import session_for
from tests.e2e.test_probe_places import client, sighting_at, verified_family

SOUTH, NORTH = GeoPoint(10.5712, 116.7231), GeoPoint(10.5747, 116.7236)  # one cell; the box's edge between them
FILTERS = [{"place": words} for words in ("海南", "Hainan", "三沙", "Sansha", "海南省三沙市", "Guangdong", "三亚")] + [
    {"lat": 10.575, "lon": 116.725, "radius_km": 5}, {"lat": 10.56, "lon": 116.72, "radius_km": 1},
    {"place": "海南", "lat": 10.575, "lon": 116.725, "radius_km": 50}]


def test_the_two_pins_share_a_cell_that_straddles_the_areas_box() -> None:
    assert public_pin(SOUTH.lat, SOUTH.lon) == public_pin(NORTH.lat, NORTH.lon)
    box = area_box(resolve("海南"))
    assert box is not None and SOUTH.lat < box[0] < NORTH.lat  # the exact pins lie either side of its south edge
    for words in ("海南", "Sansha"):
        for exact in (False, True):
            place = place_filter(words, exact)
            narrowing = place.narrowing()
            assert narrowing is not None
            kept = {narrowing.keeps("", pin.lat, pin.lon) for pin in (SOUTH, NORTH)}
            admitted = {place.admits("", pin.lat, pin.lon) for pin in (SOUTH, NORTH)}
            assert admitted == {True} and kept == {True}, (words, exact)


@pytest.mark.parametrize("reader", ["family", "partner"])
def test_two_reports_in_one_cell_get_the_same_answers_whatever_the_filter(container: Container, reader: str) -> None:
    south, north = sighting_at(container, SOUTH, 1), sighting_at(container, NORTH, 2)
    if reader == "family":
        cookie, _ = verified_family(container)
        asker = client(container, cookie=cookie)
    else:
        asker = client(container, bearer=issue_token(container.deps, OPERATOR, "ngo", [Scope.READ_SIGHTINGS]))
    found_any = False
    for params in FILTERS:
        answer = asker.get("/api/sightings", params=params | {"limit": 200})
        assert answer.status_code == 200, (params, answer.text)
        found = {item["id"] for item in answer.json()["items"]}
        assert (south in found) == (north in found), params  # both or neither
        found_any |= south in found
    assert found_any
    hainan = asker.get("/api/sightings", params={"place": "海南"}).json()["items"]
    assert {item["id"] for item in hainan} == {south, north}
    assert {(item["lat"], item["lon"]) for item in hainan} == {(10.575, 116.725)}


def test_police_read_the_exact_pins_and_find_both_too(container: Container) -> None:
    south, north = sighting_at(container, SOUTH, 1), sighting_at(container, NORTH, 2)
    _, police = session_for(container, Role.POLICE)
    found = {item["id"] for item in client(container, cookie=police).get(
        "/api/sightings", params={"place": "海南"}).json()["items"]}
    assert {south, north} <= found
