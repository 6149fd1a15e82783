"""What a sequence of a family's allowed questions tells about where a child was seen: every answer
derived from a sighting's place (a lead's rank, score, words and order, whether two sightings are one
child's trail, the browse page's hints) must be the same for two exact places of one ~1 km grid cell.

The leads: two open cases alike in everything but where their children were last seen, as far west of
one cell as east of it, and the same child seen twice in that cell, at its opposite corners. By the exact
places each sighting ranks the case it is nearer first, so a rank would say which half of the cell the
child was in; families read the same of both leads, police still read the exact figures."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Principal, Role
from reunite.domain.model import CandidateStatus, GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.services import intake, moderation, review
from reunite.services.accounts import from_session
from tests.conftest import as_read, run_jobs, session_for
from tests.e2e.test_probe_places import CORNER_A, CORNER_B, attack, client, verified_family
from tests.photos import another_shot, portrait

WEST, EAST = GeoPoint(31.235, 121.4012), GeoPoint(31.235, 121.5088)
# what names a lead rather than describes it, and the reviewers' bookkeeping
# which record it is: its ids, its times, and which report it repeats (the same photo sent again, said by id)
RECORD = {"id", "sighting_id", "sighting_face_id", "reviewed_at", "updated_at", "created_at", "copy_of"}


def case_at(container: Container, who: Principal, last_seen: GeoPoint) -> int:
    case = NewCase(given_name="Lin", family_name="Zhang", sex=Sex.FEMALE, birth_date=date(2000, 1, 1),
                   missing_since=datetime(2002, 6, 1, 8, tzinfo=UTC), last_seen_place=last_seen)
    return intake.register_case(container.deps, who, case, [Upload(another_shot(portrait("collins", 0)), "c.jpg")],
                                [date(2002, 1, 1)]).case_id


def seen_at(container: Container, place: GeoPoint) -> int:
    report = NewSighting(seen_at=datetime(2005, 3, 1, 10, tzinfo=UTC), place=place, place_text="market")
    return intake.report_sighting(container.deps, OPERATOR, report,
                                  [Upload(portrait("collins", 1), "s.jpg")]).sighting_id


def world(container: Container) -> tuple[int, int, int, str, str]:
    """The west case (the family's), the sightings at corners B and A, and the family's and police's
    session cookies; every candidate confirmed by a reviewer."""
    _, family = session_for(container, Role.REPORTER)
    owner = from_session(container.deps, family)
    assert owner is not None
    west = case_at(container, owner, WEST)
    moderation.verify_case(container.deps, OPERATOR, west, "police report checked")
    case_at(container, OPERATOR, EAST)  # verified at once
    at_b, at_a = seen_at(container, CORNER_B), seen_at(container, CORNER_A)
    run_jobs(container)
    for row in container.deps.read.candidates(None, None):
        review.review_candidate(container.deps, OPERATOR, row["id"], CandidateStatus.CONFIRMED, "")
    _, police = session_for(container, Role.POLICE)
    return west, at_a, at_b, family, police


def by_sighting(test: TestClient, case_id: int) -> dict[int, dict[str, Any]]:
    answer = test.get(f"/api/cases/{case_id}/candidates")
    assert answer.status_code == 200, answer.text
    return {row["sighting_id"]: row for row in answer.json()}


def test_two_sightings_in_one_cell_read_the_same_to_the_family(container: Container) -> None:
    west, at_a, at_b, family_cookie, police_cookie = world(container)
    family, police = client(container, family_cookie), client(container, police_cookie)

    exact = by_sighting(police, west)
    assert exact.keys() == {at_a, at_b}, "both sightings should be leads for the west case"
    # by the exact places, A (nearer the west case's place) ranks it first, B second, and scores it higher
    assert (exact[at_a]["rank"], exact[at_b]["rank"]) == (1, 2) and exact[at_a]["rank_of"] == 2
    assert exact[at_a]["score"] > exact[at_b]["score"]
    assert list(exact) == [at_a, at_b]  # police read them best first

    shown = by_sighting(family, west)
    a, b = ({k: v for k, v in shown[s].items() if k not in RECORD} for s in (at_a, at_b))
    assert a.pop("face_score") == pytest.approx(b.pop("face_score"), abs=1e-6)  # one photo, embedded twice
    assert a == b  # rank, score, components, distance, words, band: nothing tells the corners apart
    # the rank among the cases proposed would tell the family another case was proposed: reviewers only
    assert a["rank"] is None and a["rank_of"] is None and a["lead"]["rank"] is None and a["group_size"] == 2
    # the family's list is in the order of the coarse scores, equal here: then in the order leads were made
    assert list(shown) == sorted(shown, key=lambda s: shown[s]["id"])

    family_page = family.get(f"/cases/{west}?lang=en").text
    police_page = police.get(f"/cases/{west}?lang=en").text
    ranks = (r"\d+\w\w of the cases proposed for this sighting, by face, age, time, place and sex "
             r"\(open cases searched: 2\)")
    assert re.findall(ranks, family_page) == [] and "of the cases proposed" not in family_page
    assert sorted(r.split()[0] for r in re.findall(ranks, police_page)) == ["1st", "2nd"]


@pytest.mark.parametrize(("west", "east", "one_child"), [
    (121.4599, 121.9801, False),  # 49.5 km apart, in cells 50.4 km apart
    (121.4501, 121.9899, False),  # 51.3 km apart, in the same cells
    (121.4599, 121.9701, True),  # 48.5 km apart, in cells 49.4 km apart
    (121.4501, 121.9799, True),  # 50.4 km apart, in the same cells
])
def test_one_childs_trail_follows_the_cells_not_the_exact_places(container: Container, west: float, east: float,
                                                                 one_child: bool) -> None:
    """Seen at one moment (so at most 50 km apart to be one child): the trail families see joins the two
    sightings when their cells are near enough, wherever in the cells the child was."""
    first, second = seen_at(container, GeoPoint(31.235, west)), seen_at(container, GeoPoint(31.235, east))
    run_jobs(container)
    groups = [container.deps.read.sighting(s)["group_id"] for s in (first, second)]
    assert (groups[0] is not None and groups[0] == groups[1]) is one_child


def test_the_browse_pages_hints_tell_no_more_than_the_cell(container: Container) -> None:
    """When nothing matches, the browse page names the filters that, each left out, would find sightings.
    Asked with dates that find nothing, its "dates" hint says whether the map area alone finds one: the
    radius bisected around three points. The same questions get the same answers whichever corner of the
    cell the child was seen at, so the guess is no closer than the cell."""
    cookie, _ = verified_family(container)
    page = client(container, cookie)
    answers: list[list[tuple[set[int], int]]] = []
    guesses = []
    for corner in (CORNER_A, CORNER_B):
        target = seen_at(container, corner)
        run_jobs(container)

        def ask(centre: GeoPoint, radius_km: float, target: int = target) -> set[int]:
            shown = page.get("/sightings", params={"lat": centre.lat, "lon": centre.lon, "radius_km": radius_km,
                                                   "to": "2000-01-01", "lang": "en"})
            assert shown.status_code == 200
            return {target} if "<strong>dates</strong>" in shown.text else set()

        answers.append([])
        guesses.append(attack(ask, target, answers[-1]))
        moderation.moderate_sightings(container.deps, OPERATOR, [target], approve=False, reason="test: next corner",
                                      versions=as_read(container, target))
    assert [bool(found) for found, _ in answers[0]] == [bool(found) for found, _ in answers[1]]
    assert any(found for found, _ in answers[0])  # the hint is given (here, at every radius: 5 km at least)
    assert guesses[0] == guesses[1] and max(guesses[0].distance_km(CORNER_A), guesses[0].distance_km(CORNER_B)) > 0.7
