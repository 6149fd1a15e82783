"""Attacks of the outside probe (issue 10), replayed the way an attacker works: recovering a
sighting's exact place through the place filter (findings 1), photos before their faces are known
(3), and unverified cases spreading through partner exports (12)."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, PLACE_GRID_DEG, Role, Scope, coarsen
from reunite.domain.model import GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import intake, moderation, pfif
from reunite.services.accounts import from_session, issue_token
from tests.conftest import plain_photo, run_jobs, session_for

# two sightings in one ~1 km grid cell (31.23–31.24, 121.45–121.46), at opposite corners
CORNER_A, CORNER_B = GeoPoint(31.2301, 121.4501), GeoPoint(31.2399, 121.4599)
CELL_CENTRE = GeoPoint(31.235, 121.455)
Ask = Callable[[GeoPoint, float], set[int]]


def client(container: Container, cookie: str | None = None, bearer: str | None = None) -> TestClient:
    test = TestClient(create_app(container))
    if cookie:
        test.cookies.set("reunite_session", cookie)
    if bearer:
        test.headers["Authorization"] = f"Bearer {bearer}"
    return test


def sighting_at(container: Container, place: GeoPoint, seed: int) -> int:
    """An approved report (a moderator's are approved at once) at an exact place."""
    report = NewSighting(seen_at=datetime(2025, 5, 1, 9, tzinfo=UTC), place=place, place_text="market")
    photos = [Upload(plain_photo(seed=seed), "s.jpg")]
    return intake.report_sighting(container.deps, OPERATOR, report, photos).sighting_id


def verified_family(container: Container, last_seen: GeoPoint | None = None) -> tuple[str, int]:
    """A family's session cookie and its verified case."""
    _, cookie = session_for(container, Role.REPORTER)
    who = from_session(container.deps, cookie)
    assert who is not None
    case = NewCase(given_name="Lin", family_name="Zhang", sex=Sex.FEMALE, birth_date=date(2018, 1, 1),
                   missing_since=datetime(2024, 6, 1, tzinfo=UTC), last_seen_place=last_seen)
    case_id = intake.register_case(container.deps, who, case, [Upload(plain_photo(seed=99), "c.jpg")], [None]).case_id
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report checked")
    return cookie, case_id


def api_asker(test: TestClient) -> Ask:
    def ask(centre: GeoPoint, radius_km: float) -> set[int]:
        answer = test.get("/api/sightings", params={"lat": centre.lat, "lon": centre.lon, "radius_km": radius_km,
                                                    "limit": 200})
        assert answer.status_code == 200, answer.text
        return {item["id"] for item in answer.json()["items"]}
    return ask


def page_asker(test: TestClient) -> Ask:
    def ask(centre: GeoPoint, radius_km: float) -> set[int]:
        answer = test.get("/sightings", params={"lat": centre.lat, "lon": centre.lon, "radius_km": radius_km})
        assert answer.status_code == 200
        return {int(i) for i in re.findall(r'href="/sightings/(\d+)"', answer.text)}
    return ask


def offset(point: GeoPoint, north_km: float, east_km: float) -> GeoPoint:
    return GeoPoint(point.lat + north_km / 111.2, point.lon + east_km / (111.2 * math.cos(math.radians(point.lat))))


def attack(ask: Ask, target: int, seen: list[tuple[set[int], int]]) -> GeoPoint:
    """Bisect the radius at which the target enters the answer from three points around the cell it
    is shown in, then trilaterate (least squares on a 10 m grid). Every answer is kept in ``seen``."""
    anchors = [offset(CELL_CENTRE, 3, 0), offset(CELL_CENTRE, -2, 2.5), offset(CELL_CENTRE, -1, -3)]
    radii = []
    for anchor in anchors:
        low, high = 0.001, 20.0
        for _ in range(13):  # to 2.4 m
            middle = (low + high) / 2
            answer = ask(anchor, middle)
            seen.append((answer, target))
            low, high = (low, middle) if target in answer else (middle, high)
        radii.append(high)
    lats = CELL_CENTRE.lat + np.arange(-150, 151) * 0.0001
    lons = CELL_CENTRE.lon + np.arange(-150, 151) * 0.0001
    grid_lat, grid_lon = np.meshgrid(lats, lons, indexing="ij")
    error = np.zeros_like(grid_lat)
    for anchor, radius in zip(anchors, radii, strict=True):
        north = (grid_lat - anchor.lat) * 111.2
        east = (grid_lon - anchor.lon) * 111.2 * math.cos(math.radians(anchor.lat))
        error += (np.hypot(north, east) - radius) ** 2
    best = np.unravel_index(np.argmin(error), error.shape)
    return GeoPoint(float(grid_lat[best]), float(grid_lon[best]))


def test_the_attack_recovers_an_exact_place_where_exact_places_are_allowed(container: Container) -> None:
    """The attack works: against police, who may see exact places, it lands within metres."""
    target = sighting_at(container, CORNER_A, 1)
    _, police = session_for(container, Role.POLICE)
    guess = attack(api_asker(client(container, police)), target, [])
    assert guess.distance_km(CORNER_A) < 0.03


@pytest.mark.parametrize("channel", ["family API", "family page", "read:sightings token"])
def test_bisection_and_trilateration_get_no_closer_than_the_grid_cell(container: Container, channel: str) -> None:
    a, b = sighting_at(container, CORNER_A, 1), sighting_at(container, CORNER_B, 2)
    elsewhere = sighting_at(container, offset(CELL_CENTRE, 4, 4), 3)
    cookie, _ = verified_family(container)
    token = issue_token(container.deps, OPERATOR, "partner", [Scope.READ_SIGHTINGS])
    ask = {"family API": lambda: api_asker(client(container, cookie)),
           "family page": lambda: page_asker(client(container, cookie)),
           "read:sightings token": lambda: api_asker(client(container, bearer=token))}[channel]()
    seen: list[tuple[set[int], int]] = []
    guess = attack(ask, a, seen)
    # no answer ever tells the two places of one cell apart (though a third place is told apart), so
    # the same attack on B makes the same guess: it is at least half the 1.4 km between them from one
    assert all((a in answer) == (b in answer) for answer, _ in seen)
    assert any((a in answer) != (elsewhere in answer) for answer, _ in seen)
    assert max(guess.distance_km(CORNER_A), guess.distance_km(CORNER_B)) > 0.7


def test_radii_are_coarse_listings_are_limited_and_audited_as_they_ran(container: Container) -> None:
    sighting_at(container, CORNER_A, 1)
    cookie, _ = verified_family(container)
    family = client(container, cookie)
    assert family.get("/api/sightings", params={"lat": 31.2301, "lon": 121.4501, "radius_km": 0}).status_code == 422
    assert family.get("/api/sightings", params={"lat": 31.2301, "lon": 121.4501, "radius_km": 0.01}).json()["total"]
    with container.engine.connect() as conn:
        near, radius, exact = conn.exec_driver_sql(
            "SELECT detail->'near', detail->'radius_km', detail->>'exact_places' FROM audit_log "
            "WHERE action = 'sightings.listed' ORDER BY id DESC LIMIT 1").one()
    assert near == [CELL_CENTRE.lat, CELL_CENTRE.lon] and radius == 5 and exact == "false"

    # the database puts a place in the same cell as the one shown, even where decimals do not divide evenly
    tricky = [31.23, 0.29, 121.46, -0.07, 45.67, 89.99, -179.99]
    with container.engine.connect() as conn:
        in_sql = [conn.exec_driver_sql("SELECT floor(%s / %s) * %s + %s / 2", (v, PLACE_GRID_DEG, PLACE_GRID_DEG,
                                                                                  PLACE_GRID_DEG)).scalar_one()
                  for v in tricky]
    assert [round(v, 3) for v in in_sql] == [coarsen(v) for v in tricky]

    limits = replace(container.deps.limits, listings_per_hour=3)
    container.deps = replace(container.deps, limits=limits)
    answers = [family.get("/api/sightings").status_code for _ in range(4)]
    assert answers[-1] == 429
    # reading sightings one by one, by id, draws on the same limit (existing or not: the same answer)
    assert {family.get(f"/api/sightings/{i}").status_code for i in (1, 2, 999_999)} == {429}
    _, police = session_for(container, Role.POLICE)
    assert all(client(container, police).get("/api/sightings").status_code == 200 for _ in range(4))


def one_pixel() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1, 1), (200, 120, 90)).save(out, format="PNG")
    return out.getvalue()


def test_no_photo_reaches_a_family_before_its_faces_are_known(container: Container) -> None:
    cookie, _ = verified_family(container)
    family = client(container, cookie)
    _, moderator_cookie = session_for(container, Role.MODERATOR)
    moderator = client(container, moderator_cookie)
    report = NewSighting(seen_at=datetime(2025, 5, 1, tzinfo=UTC), place=CORNER_A)
    # a moderator's own report is approved at once, before its faces are searched for
    early = intake.report_sighting(container.deps, OPERATOR, report, [Upload(plain_photo(seed=5), "a.jpg")])
    tiny = intake.report_sighting(container.deps, OPERATOR, report, [Upload(one_pixel(), "tiny.png")])
    waiting = intake.report_sighting(container.deps, OPERATOR, replace(report, place_text="pending"),
                                     [Upload(plain_photo(seed=6), "b.jpg")])
    with container.engine.begin() as conn:  # an ordinary reporter's report, waiting for a moderator
        conn.exec_driver_sql("UPDATE sightings SET status = 'pending' WHERE id = %s", (waiting.sighting_id,))
    photo = f"/api/photos/{early.photo_ids[0]}"
    assert family.get(photo).status_code == 404 and "faces are not known yet" in family.get(photo).json()["detail"]
    assert family.get(f"/api/sightings/{early.sighting_id}").json()["photos"] == []
    assert moderator.get(photo).status_code == 200
    with pytest.raises(Exception, match="still being searched for faces"):
        moderation.moderate_sightings(container.deps, OPERATOR, [waiting.sighting_id], approve=True)

    run_jobs(container)
    assert family.get(photo).status_code == 200
    moderation.moderate_sightings(container.deps, OPERATOR, [waiting.sighting_id], approve=True)
    failed = f"/api/photos/{tiny.photo_ids[0]}"
    assert family.get(failed).status_code == 404  # faces could not be searched for: hidden for good
    assert moderator.get(failed).status_code == 200
    page = moderator.get(f"/sightings/{tiny.sighting_id}").text
    assert "faces could not be searched for in this photo" in page and "too small" in page
    assert family.get(f"/api/sightings/{tiny.sighting_id}").json()["state"] == "faces could not be searched for"


def test_partner_exports_carry_only_verified_cases(container: Container) -> None:
    _, cookie = session_for(container, Role.REPORTER)
    who = from_session(container.deps, cookie)
    assert who is not None
    fake = NewCase(given_name="Fakename", family_name="Fakefamily", sex=Sex.FEMALE, birth_date=date(2018, 1, 1),
                   missing_since=datetime(2024, 6, 1, tzinfo=UTC), last_seen_place=None, last_seen_text="Wuhan")
    intake.register_case(container.deps, who, fake, [Upload(plain_photo(seed=7), "f.jpg")], [None])
    rejected = intake.register_case(container.deps, who, replace(fake, given_name="Rejectedname"),
                                    [Upload(plain_photo(seed=8), "r.jpg")], [None]).case_id
    moderation.reject_case(container.deps, OPERATOR, rejected, "false report")
    spread = intake.register_case(container.deps, who, replace(fake, given_name="Verifiedthenfalse"),
                                  [Upload(plain_photo(seed=9), "v.jpg")], [None]).case_id
    moderation.verify_case(container.deps, OPERATOR, spread, "checked")
    moderation.reject_case(container.deps, OPERATOR, spread, "found to be false later")
    _, real = verified_family(container)

    token = issue_token(container.deps, OPERATOR, "registry", [Scope.EXPORT])
    partner = client(container, bearer=token)
    xml, csv = partner.get("/api/pfif").text, partner.get("/api/cases.csv").text
    feed = client(container).get("/feeds/cases.atom").text
    for document in (xml, csv, feed):
        assert "Fakename" not in document and "Rejectedname" not in document
        assert "Verifiedthenfalse" not in document and "Fakefamily" not in document
    assert f"case.{real}" in xml and f"case.{spread}" in xml  # a placeholder tells partners to drop it
    # withdrawn, so that partners drop their copy; never why (probe s12 F16: "rejected" was the private status)
    assert f"\n{spread}," in csv and ",withdrawn," in csv and "rejected" not in csv
    with container.engine.connect() as conn:
        exported = conn.exec_driver_sql("SELECT count(*) FROM audit_log WHERE action = 'cases.exported' "
                                        "AND starts_with(actor, 'token:')").scalar_one()
    assert exported == 2
    document = pfif.export_pfif(container.deps, OPERATOR)
    assert document is not None and document.count(b"<pfif:person>") == 2
