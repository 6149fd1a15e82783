"""Places without exact-place rights, on their own: every value derived from a sighting's place is a
function of its grid cell only, so no answer tells two places of one cell apart."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from reunite.adapters.sources.parse import Gazetteer
from reunite.domain.access import (
    PLACE_GRID_DEG,
    Principal,
    Role,
    Scope,
    candidate_view,
    candidate_visible,
    case_view,
    coarse_radius,
    photo_shown,
    sighting_filter,
    sighting_view,
)
from reunite.domain.errors import InvalidInput
from reunite.domain.matching_store import CandidateRow
from reunite.domain.model import AgeRange, GeoPoint, Sex, SightingFilter
from reunite.domain.scoring import CaseFacts, FaceHit, MatchPolicy, Score, SightingFacts, score_pair
from reunite.i18n import Language
from reunite.services.matching import shortlist
from reunite.wording import explanation

FAMILY = Principal(role=Role.FAMILY, account_id=1, own_cases=frozenset({5}), verified_cases=frozenset({5}))
PARTNER = Principal(role=Role.PARTNER, token_id=2, scopes=frozenset({Scope.READ_SIGHTINGS}))
POLICE = Principal(role=Role.POLICE, account_id=3)
POLICY = MatchPolicy()
LAST_SEEN = GeoPoint(31.2, 121.4)  # the point the family typed
# two sightings in one ~1 km cell, at opposite corners
CORNER_A, CORNER_B = GeoPoint(31.2301, 121.4501), GeoPoint(31.2399, 121.4599)


def scored(place: GeoPoint | None, last_seen: GeoPoint | None = LAST_SEEN, case_id: int = 5,
           missing_since: datetime = datetime(2002, 6, 1, tzinfo=UTC)) -> Score:
    """A case and a sighting face, alike as in ``candidate``, scored from the exact places."""
    seen = SightingFacts(7, datetime(2005, 6, 1, tzinfo=UTC), place, AgeRange(4, 6), Sex.FEMALE)
    case = CaseFacts(case_id, datetime(2000, 1, 1).date(), Sex.FEMALE, missing_since, last_seen)
    return score_pair(POLICY, case, seen, [FaceHit(11, 0.62, None)])


def candidate(place: GeoPoint) -> dict[str, object]:
    """A candidate row as the read model gives it, scored from the exact places."""
    score = scored(place)
    return {"id": 1, "case_id": 5, "sighting_id": 7, "sighting_face_id": 3, "case_face_id": 11,
            "score": score.total, "face_score": score.face, "age_score": score.age, "time_score": score.time,
            "place_score": score.place, "sex_score": score.sex, "expected_age": score.expected_age,
            "distance_km": score.distance_km, "elapsed_days": score.elapsed_days, "hubness": 0.0,
            "status": "confirmed", "apparent_age_low": 4, "apparent_age_high": 6,
            "case_lat": LAST_SEEN.lat, "case_lon": LAST_SEEN.lon,
            "lat": place.lat, "lon": place.lon}


@pytest.mark.parametrize("who", [FAMILY, PARTNER])
def test_a_candidate_reads_the_same_wherever_in_its_cell_the_child_was_seen(who: Principal) -> None:
    a, b = candidate(CORNER_A), candidate(CORNER_B)
    assert a["distance_km"] != b["distance_km"]  # the exact distances differ (by about 1.5 km)
    shown_a, shown_b = (sighting_view(who, candidate_view(who, row, POLICY)) for row in (a, b))  # as queries do
    assert shown_a == shown_b
    assert shown_a["distance_km"] == round(float(shown_a["distance_km"]))  # whole kilometres
    assert not {"case_lat", "case_lon"} & shown_a.keys()
    assert f"seen {shown_a['distance_km']:,.0f} km" in explanation(Language("en"), shown_a)


def test_reviewers_keep_the_exact_distance() -> None:
    row = candidate(CORNER_A)
    assert candidate_view(POLICE, row, POLICY)["distance_km"] == row["distance_km"]


# two cases alike in all but where last seen: as far west of the cell above as east of it
WEST, EAST = GeoPoint(31.235, 121.4012), GeoPoint(31.235, 121.5088)


class Matching:
    policy = POLICY


def ranks(place: GeoPoint | None, last_seen: dict[int, GeoPoint | None],
          missing_since: datetime = datetime(2002, 6, 1, tzinfo=UTC),
          given: dict[int, Score] | None = None) -> dict[int, tuple[int | None, int | None]]:
    """Each case's (exact rank, rank families read) for one sighting face seen at ``place``; the cases of
    ``given`` with that score."""
    rows = [CandidateRow(case_id, 7, 3, (given or {}).get(case_id) or scored(place, where, case_id, missing_since))
            for case_id, where in last_seen.items()]
    kept = shortlist(Matching(), rows, 40, place, last_seen)  # type: ignore[arg-type]
    return {row.case_id: (row.rank, row.coarse_rank) for row in kept}


@pytest.mark.parametrize("missing_since", [datetime(2002, 6, 1, tzinfo=UTC), datetime(2005, 6, 1, 1, tzinfo=UTC)])
def test_the_rank_families_read_is_the_same_wherever_in_its_cell_the_child_was_seen(missing_since: datetime) -> None:
    """The exact rank says which half of the cell the child was seen in (nearer the west case, or the
    east one), through the place term or, seen an hour after going missing, the time term too; the rank
    families read is the same for both corners, and for the cell's centre."""
    both = {1: WEST, 2: EAST}
    at_a, at_b, centre = (ranks(p, both, missing_since) for p in (CORNER_A, CORNER_B, GeoPoint(31.235, 121.455)))
    assert at_a[1][0] == 1 and at_b[1][0] == 2  # police and moderators: the nearer case first
    assert read(at_a) == read(at_b) == read(centre) == {1: 1, 2: 2}  # equal cells' distances: by case id
    # a case without a place still ranks among cases with one: scored between the west case's totals at
    # the two corners, its exact rank says which corner; the rank families read does not
    between = (scored(CORNER_A, WEST, 2, missing_since).total + scored(CORNER_B, WEST, 2, missing_since).total) / 2
    mixed, placeless = {1: None, 2: WEST}, {1: replace(scored(None, None, 1, missing_since), total=between)}
    assert ranks(CORNER_A, mixed, missing_since, placeless)[1][0] == 2
    assert ranks(CORNER_B, mixed, missing_since, placeless)[1][0] == 1
    assert read(ranks(CORNER_A, mixed, missing_since, placeless)) == read(ranks(CORNER_B, mixed, missing_since,
                                                                                placeless))


def read(ranked: dict[int, tuple[int | None, int | None]]) -> dict[int, int | None]:
    return {case_id: coarse for case_id, (_, coarse) in ranked.items()}


def test_a_candidates_rank_among_the_cases_proposed_is_for_reviewers_only() -> None:
    """A family reading "2nd of 2" learns that another family's case was proposed for the sighting."""
    row = candidate(CORNER_A) | {"rank": 1, "rank_of": 40, "coarse_rank": 2}
    for shown in (candidate_view(FAMILY, row, POLICY), candidate_view(PARTNER, row, POLICY),
                  candidate_view(FAMILY, row | {"distance_km": None, "lat": None, "lon": None}, POLICY)):
        assert (shown["rank"], shown["rank_of"]) == (None, None) and "coarse_rank" not in shown
    assert candidate_view(POLICE, row, POLICY)["rank"] == 1 and "coarse_rank" not in candidate_view(POLICE, row, POLICY)


def test_when_a_candidate_was_dismissed_before_is_for_reviewers_only() -> None:
    """A lead the family's words brought back after a dismissal, then confirmed: the reviewers read when it was
    dismissed before (the workbench's "Already dismissed on …"); the family, who never reads a dismissal, nothing."""
    dismissed = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    row = candidate(CORNER_A) | {"dismissed_before_at": dismissed}
    assert candidate_view(POLICE, row, POLICY)["dismissed_before_at"] == dismissed
    for who in (FAMILY, PARTNER):
        assert candidate_view(who, row, POLICY)["dismissed_before_at"] is None


def test_a_filter_without_exact_places_runs_on_cells_and_coarse_radii() -> None:
    asked = SightingFilter(near=GeoPoint(31.23456, 121.45678), radius_km=0.002)
    coarse = sighting_filter(FAMILY, asked)
    assert coarse.grid_deg == PLACE_GRID_DEG and coarse.radius_km == 5
    assert (coarse.near.lat, coarse.near.lon) == (31.235, 121.455)  # type: ignore[union-attr]
    assert sighting_filter(FAMILY, SightingFilter(near=GeoPoint(31.2301, 121.4501), radius_km=7)) == \
        sighting_filter(FAMILY, SightingFilter(near=GeoPoint(31.2399, 121.4599), radius_km=10))
    exact = sighting_filter(POLICE, asked)
    assert exact.grid_deg is None and exact.radius_km == 0.002 and exact.near == asked.near
    assert [coarse_radius(r) for r in (1, 5, 5.01, 49, 51, 19_999)] == [5, 5, 10, 50, 100, 20_000]
    with pytest.raises(InvalidInput):
        SightingFilter(near=asked.near, radius_km=0)


def test_a_case_place_is_coarse_for_partners_and_exact_for_its_family() -> None:
    case = {"id": 5, "status": "open", "last_seen_lat": 31.2345678, "last_seen_lon": 121.4567891,
            "last_seen_text": "Behind the bakery on Jiefang Road, Wuhan", "last_seen_city": "Wuhan"}
    partner = Principal(role=Role.PARTNER, token_id=4, scopes=frozenset({Scope.READ_CASES}))
    assert case_view(partner, case)["last_seen_lat"] == 31.235
    assert case_view(FAMILY, case)["last_seen_lat"] == 31.234568  # exact: to 6 decimals, about 0.1 m
    # the words: the city they name for partners (nothing when the caller found none), as typed for the family
    assert case_view(partner, case)["last_seen_text"] == "Wuhan"
    assert case_view(partner, {**case, "last_seen_city": ""})["last_seen_text"] == ""
    assert case_view(FAMILY, case)["last_seen_text"] == case["last_seen_text"]


@pytest.mark.parametrize("status", ["closed", "reunited", "expired"])
def test_a_case_no_longer_open_is_a_placeholder_for_partners_and_whole_for_its_family(status: str) -> None:
    case = {"id": 5, "status": status, "given_name": "Lin", "verified_at": None, "created_at": None}
    partner = Principal(role=Role.PARTNER, token_id=4, scopes=frozenset({Scope.READ_CASES}))
    assert "given_name" not in case_view(partner, case)
    assert ("given_name" in case_view(FAMILY, case)) is (status != "expired")


@pytest.mark.parametrize(("words", "city"), [
    ("Behind SECRETNOTELOC market stall 4", ""), ("near Chengdu railway station", "Chengdu"),
    ("bus stop by the school, London", "London"), ("四川省成都市武侯区某街道", "四川省成都市"),
    ("", ""),
])
def test_last_seen_words_reduce_to_their_city_or_to_nothing(words: str, city: str) -> None:
    assert Gazetteer().city(words) == city


def test_confirmed_candidates_only_while_the_family_case_is_active() -> None:
    closed = Principal(role=Role.FAMILY, account_id=1, own_cases=frozenset({5}))
    now = datetime(2026, 12, 2, tzinfo=UTC)
    lead = {"status": "confirmed", "sighting_status": "approved", "reviewed_at": now}
    assert candidate_visible(FAMILY, lead, now, 5)
    assert not candidate_visible(FAMILY, lead | {"status": "proposed"}, now, 5)
    assert not candidate_visible(closed, lead, now, 5)
    assert not candidate_visible(PARTNER, lead, now, 5)
    assert candidate_visible(POLICE, lead | {"status": "proposed"}, now, 5)


def test_photos_reach_families_only_once_their_faces_are_known() -> None:
    done = datetime(2026, 1, 1, tzinfo=UTC)
    assert not photo_shown(FAMILY, {"processed_at": None, "failed_reason": None})
    assert not photo_shown(FAMILY, {"processed_at": done, "failed_reason": "unreadable"})
    assert photo_shown(FAMILY, {"processed_at": done, "failed_reason": None})
    assert photo_shown(POLICE, {"processed_at": None, "failed_reason": None})


@pytest.mark.parametrize(("words", "city"), [  # probe s15 N9: a district alone never names a city elsewhere
    ("台北市大安区", "Taipei"), ("台湾台北市大安区", "Taipei"), ("台中市西区", "Taichung"),
    ("朝阳区", ""), ("西区", ""),  # two cities' district; a direction, not a name
    ("黄浦区南京东路", "Shanghai"),  # one district of that name: its city
])
def test_a_district_names_its_city_only_when_no_other_city_is_named_and_none_shares_its_name(
        words: str, city: str) -> None:
    from reunite.adapters import places

    assert places.english_city(words) == city


@pytest.mark.parametrize(("words", "english", "chinese"), [  # probe s16 P7: one city, named in each reader's script
    ("Chengdu Tianfu Square", "Chengdu, Sichuan", "四川省成都市"),
    ("四川省成都市天府广场", "Chengdu, Sichuan", "四川省成都市"),
    ("Hankou station", "Wuhan, Hubei", "湖北省武汉市"),
    ("Shanghai", "Shanghai", "上海市"),
    ("New York Penn Station", "New York City", "纽约"),
    ("纽约时代广场", "New York City", "纽约"),
    ("behind the old water tower", "", ""),
])
def test_a_city_is_named_in_the_readers_script_whatever_script_its_words_are_in(
        words: str, english: str, chinese: str) -> None:
    from reunite.adapters.sources.parse import Gazetteer

    gazetteer = Gazetteer()
    assert gazetteer.city(words, latin=True) == english
    assert gazetteer.city(words, latin=False) == chinese


@pytest.mark.parametrize(("words", "place"), [
    ("在北京朝阳区三里屯看到", "北京市"), ("上海市黄浦区南京东路", "上海市"),  # never cpca's 北京市市辖区
    ("今天下午3點在臺北西門町看到這個孩子", "台北"), ("seen in Taibei", "Taipei"),
    ("I saw this boy at 3pm today in Guangzhou", "Guangzhou, Guangdong"), ("Saw her in Canton", "Guangzhou, Guangdong"),
    ("今天下午3点在成都春熙路看到", "四川省成都市"), ("near the bus stop", ""),
])
def test_the_place_of_an_emails_or_posts_words_is_the_city_the_form_reads_in_them(words: str, place: str) -> None:
    """Probe s45 P3: an email's or a post's place is read by the one reading of the form and the API, in any script
    or spelling; stored, it reads again as the same city for every reader."""
    places = Gazetteer()
    assert places.words(words) == place
    for latin in (True, False):
        assert places.city(places.words(words), latin) == places.city(words, latin)
