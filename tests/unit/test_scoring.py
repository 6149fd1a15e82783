"""The ranking rules that reviewers rely on, checked without any I/O."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import UTC, date, datetime

import numpy as np
import pytest

from reunite.domain.errors import InvalidInput
from reunite.domain.model import AgeRange, GeoPoint, Sex
from reunite.domain.scoring import (
    CaseFacts,
    FaceHit,
    MatchPolicy,
    SightingFacts,
    age_plausibility,
    contradictions,
    fuse_faces,
    score_pair,
    sex_plausibility,
    time_plausibility,
)
from reunite.i18n import Language
from reunite.wording import explanation

POLICY = MatchPolicy()
SHANGHAI, WUHAN = GeoPoint(31.23, 121.47), GeoPoint(30.59, 114.31)


def case(**kw: object) -> CaseFacts:
    base: dict[str, object] = {
        "case_id": 1, "birth_date": date(2010, 1, 1), "sex": Sex.FEMALE,
        "missing_since": datetime(2014, 1, 1, tzinfo=UTC), "last_seen": SHANGHAI,
    }
    base.update(kw)
    return CaseFacts(**base)  # type: ignore[arg-type]


def sighting(**kw: object) -> SightingFacts:
    base: dict[str, object] = {
        "sighting_id": 7, "seen_at": datetime(2019, 1, 1, tzinfo=UTC), "place": WUHAN,
        "apparent_age": AgeRange(8, 10), "apparent_sex": Sex.FEMALE,
    }
    base.update(kw)
    return SightingFacts(**base)  # type: ignore[arg-type]


def test_age_inside_the_reporters_range_is_fully_plausible() -> None:
    assert age_plausibility(9.0, AgeRange(8, 10)) == 1.0


def test_age_far_outside_the_range_is_implausible_and_worse_the_further() -> None:
    near, far = age_plausibility(9.0, AgeRange(14, 16)), age_plausibility(9.0, AgeRange(20, 25))
    assert near is not None and far is not None
    assert far < near < 0.5


def test_no_apparent_age_gives_no_age_term() -> None:
    assert age_plausibility(9.0, None) is None


@pytest.mark.parametrize(("case_sex", "seen_sex", "expected", "seen", "said"), [
    (Sex.FEMALE, Sex.MALE, 11.0, AgeRange(2, 3), ["sex", "age"]),  # the probe's boy of 2-3 for a girl of 11
    (Sex.FEMALE, Sex.FEMALE, 11.0, AgeRange(9, 10), []),  # 11 is within 10 + the tolerance (3.15)
    (Sex.FEMALE, Sex.FEMALE, 11.0, AgeRange(6, 7), ["age"]),  # 4 years off, beyond the tolerance
    (Sex.MALE, Sex.UNKNOWN, 4.0, None, []),  # nothing said, nothing contradicted
    (Sex.UNKNOWN, Sex.FEMALE, 4.0, AgeRange(4, 5), []),
    (Sex.MALE, Sex.FEMALE, 3.0, AgeRange(2, 4), ["sex"]),  # said for small children too
])
def test_what_the_reporter_saw_that_contradicts_the_case(case_sex: Sex, seen_sex: Sex, expected: float,
                                                         seen: AgeRange | None, said: list[str]) -> None:
    assert contradictions(case_sex, seen_sex, expected, seen) == said
    assert contradictions(case_sex.value, seen_sex.value, expected, seen) == said  # as a stored row reads
    # the age is contradicted exactly when the ranking finds it less than fully plausible
    assert ("age" in said) == (seen is not None and (age_plausibility(expected, seen) or 1.0) < 1.0)


def test_sex_mismatch_counts_less_for_small_children() -> None:
    toddler = sex_plausibility(Sex.FEMALE, Sex.MALE, 3.0)
    older = sex_plausibility(Sex.FEMALE, Sex.MALE, 12.0)
    assert toddler is not None and older is not None and older < toddler < 1.0
    assert sex_plausibility(Sex.FEMALE, Sex.UNKNOWN, 12.0) is None


def test_far_away_hours_after_disappearance_is_implausible_years_later_it_is_not() -> None:
    far = 2000.0
    assert time_plausibility(POLICY, far, elapsed_hours=2) < 0.1
    assert time_plausibility(POLICY, far, elapsed_hours=24 * 365) == 1.0
    assert time_plausibility(POLICY, None, elapsed_hours=-1) == 0.0


def test_fusion_favours_the_photo_closest_in_age() -> None:
    birth = date(2010, 1, 1)
    hits = [FaceHit(1, 0.80, date(2011, 1, 1)), FaceHit(2, 0.80, date(2018, 1, 1))]
    fused, best = fuse_faces(POLICY, hits, birth, date(2019, 1, 1))
    assert best == 2
    assert fused == pytest.approx(0.80)


def test_fusion_is_not_drowned_by_weak_photos() -> None:
    birth = date(2010, 1, 1)
    hits = [FaceHit(1, 0.95, date(2014, 1, 1))] + [FaceHit(i, 0.6, date(2014, 1, 1)) for i in range(2, 6)]
    fused, best = fuse_faces(POLICY, hits, birth, date(2019, 1, 1))
    assert best == 1 and fused > 0.9


def test_plausibility_reorders_two_equal_faces() -> None:
    hits = [FaceHit(1, 0.9, date(2014, 1, 1))]
    fitting = score_pair(POLICY, case(), sighting(), hits)
    wrong_age = score_pair(POLICY, case(), sighting(apparent_age=AgeRange(16, 18)), hits)
    assert fitting.total > wrong_age.total
    assert fitting.face == wrong_age.face


def test_score_keeps_every_component_for_explanation() -> None:
    score = score_pair(POLICY, case(), sighting(), [FaceHit(1, 0.9, date(2014, 1, 1))])
    assert score.age == 1.0 and score.sex == 1.0 and score.time == 1.0
    assert score.distance_km == pytest.approx(687, abs=5)
    assert score.expected_age == pytest.approx(9.0, abs=0.01)
    words = explanation(Language("en"), asdict(score) | {"apparent_age_low": 8, "apparent_age_high": 10})
    assert "687 km from where last seen" in words
    assert "5 years after the child went missing" in words
    assert "apparent age 8–10, expected 9" in words
    chinese = explanation(Language("zh_CN"), asdict(score) | {"apparent_age_low": 8, "apparent_age_high": 10})
    assert "687" in chinese and "years" not in chinese and "；" in chinese


def test_a_sighting_in_the_same_square_as_where_last_seen_reads_within_about_1_km() -> None:
    """A family's distances are between 1 km squares: the same square is "0 km" to a machine, but
    "seen 0 km from where last seen" tells a parent a precision nobody has (probe s12, F15)."""
    for lang, said in ((Language("en"), "seen within about 1 km of where last seen"),
                       (Language("zh_CN"), "在距最后出现地点约 1 公里以内被看到")):
        words = explanation(lang, {"distance_km": 0.0, "elapsed_days": 3, "expected_age": 9.0})
        assert said in words and "0 km" not in words and "0 公里" not in words


@pytest.mark.parametrize(("lat", "lon"), [(91, 0), (-91, 0), (0, 181), (0, -180.5)])
def test_impossible_coordinates_are_refused(lat: float, lon: float) -> None:
    with pytest.raises(InvalidInput, match="out of range"):
        GeoPoint(lat, lon)


@pytest.mark.parametrize(("lat", "lon", "said"), [(float("nan"), 0, "the latitude is not a number"),
                                                  (0, float("nan"), "the longitude is not a number"),
                                                  (float("inf"), 0, "the latitude is not a number")])
def test_a_coordinate_that_is_no_number_is_refused_as_none(lat: float, lon: float, said: str) -> None:
    """Probe s16 P8: NaN is no number, not one out of range ("latitude nan is out of range")."""
    with pytest.raises(InvalidInput, match=said):
        GeoPoint(lat, lon)


def test_age_range_must_be_ordered() -> None:
    with pytest.raises(InvalidInput):
        AgeRange(10, 8)


@pytest.mark.parametrize(("low", "high"), [(-1, None), (None, -1), (None, 61)])
def test_an_age_given_alone_is_refused_as_that_age_never_as_a_range_nobody_gave(low: int | None,
                                                                                 high: int | None) -> None:
    """Probe s16 P8: apparent_age_low=-1 alone was refused as "age range from -1 to -1"."""
    with pytest.raises(InvalidInput, match="is not a valid age") as refused:
        AgeRange.of(low, high)
    alone = low if low is not None else high
    assert str(refused.value) == f"apparent age {alone} is not a valid age (0 to 60 years)"
    assert AgeRange.of(7, None) == AgeRange(7, 7)


def test_a_face_that_resembles_many_people_is_ranked_down_and_the_reviewer_told() -> None:
    hits = [FaceHit(1, 0.9, date(2014, 1, 1))]
    plain = score_pair(POLICY, case(), sighting(), hits)
    hub = score_pair(POLICY, case(), sighting(), hits, hubness=0.08)
    assert hub.total == pytest.approx(plain.total - 0.08) and hub.face == plain.face
    said = [explanation(Language("en"), asdict(s) | {"resembles_many": s.hubness > POLICY.hub_words_above})
            for s in (hub, plain)]
    assert "resembles many people" in said[0] and "resembles" not in said[1]


def test_hubness_is_high_for_faces_near_everyone_and_zero_on_average() -> None:
    from reunite.adapters.faces.hubness import Hubness

    rng = np.random.default_rng(3)
    people = rng.normal(size=(400, 16)) + 0.8  # a crowd with a common direction
    people /= np.linalg.norm(people, axis=1, keepdims=True)
    reference = Hubness.fit(people, k=8, top=2)
    centre = people.mean(axis=0) / np.linalg.norm(people.mean(axis=0))
    loner = -centre
    assert reference(people).mean() == pytest.approx(0.0, abs=1e-9)
    assert reference(centre)[0] > reference(people).max() - 1e-9 and reference(loner)[0] < reference(people).min()


def test_no_hubness_centroid_stands_for_fewer_than_five_people() -> None:
    """A centroid that is one person's mean face would be that person's embedding, shipped; and it
    would rank that very person's photos down (docs/benchmarks.md, issue 14)."""
    from reunite.adapters.faces.hubness import Hubness

    rng = np.random.default_rng(4)
    crowd = rng.normal(size=(300, 16)) + 0.8
    loner = -0.8 + 0.05 * rng.normal(size=(40, 16))  # one person's 40 photos, far from the crowd
    faces = np.vstack([crowd, loner])
    faces /= np.linalg.norm(faces, axis=1, keepdims=True)
    people = np.array([f"p{i % 60}" for i in range(300)] + ["loner"] * 40)
    free = Hubness.fit(faces, k=8, top=2)
    guarded = Hubness.fit(faces, k=8, top=2, people=people)
    nearest = np.argmax(faces @ free.centroids.T, axis=1)
    assert any(set(people[nearest == c]) == {"loner"} for c in range(len(free.centroids)))  # the risk is real
    nearest = np.argmax(faces @ guarded.centroids.T, axis=1)
    assert 0 < len(guarded.centroids) < len(free.centroids)
    assert all(len(set(people[nearest == c])) >= 5 for c in range(len(guarded.centroids)))


def test_a_strong_face_far_away_or_without_a_place_is_still_proposed_and_nearness_makes_no_weak_face_strong() -> None:
    """Place and time order candidates but are not face evidence: read against the face-only impostor
    curve, a sighting 2,300 km away once read "1 in 4" where the same photo nearby read "fewer than 1 in
    9,444", and was never proposed. The same face reads the same band at 0 km, 2,500 km and with no
    place (a reporter who gives a place is never worse off), a near one still ranks first, and a weak face
    stays unproposed however near."""
    from reunite.adapters.faces.calibration import CALIBRATION_FILE, load_calibration
    from reunite.domain.leads import Strength, proposable
    from reunite.domain.matching_store import CandidateRow
    from reunite.domain.scoring import read_pair
    from reunite.services.matching import proposals

    policy = MatchPolicy(calibration=load_calibration(CALIBRATION_FILE))
    assert policy.calibration is not None
    far = GeoPoint(SHANGHAI.lat - 22.5, SHANGHAI.lon)
    assert SHANGHAI.distance_km(far) == pytest.approx(2500, abs=30)
    taken = date(2014, 1, 1)  # the case photo: the child at 4, the sighting at 9
    cell = policy.calibration.cell(0.0, 4.0, None, AgeRange(8, 10).middle)
    strong = min(s for s, share in cell.curve if share <= policy.leads.strong_share)
    weak = max(s for s, share in cell.curve if share >= policy.leads.propose_share * 2)
    for face, expected in ((strong, Strength.STRONG), (weak, Strength.NONE)):  # beyond the point: no lead
        hits = [FaceHit(1, face, taken)]
        near, away, blank = (score_pair(policy, case(), sighting(place=p), hits) for p in (SHANGHAI, far, None))
        assert near.total > away.total  # nearer still ranks first
        readings = [read_pair(policy, s) for s in (near, away, blank)]
        assert {r.lead.strength for r in readings} == {expected}
        assert {proposable(policy.leads, r.share) for r in readings} == {expected is Strength.STRONG}
        # an operator's floor (REUNITE_CANDIDATE_MIN_SCORE) just under this face: far or blank, it passes
        floored = replace(policy, min_score=face - 0.001)
        pairs = zip((near, away, blank), readings, strict=True)
        rows = [CandidateRow(1, 7, 1, s, impostor_share=r.share) for s, r in pairs]
        assert len(proposals(floored, rows)) == (3 if expected is Strength.STRONG else 0)
    # hours after the disappearance, 2,500 km is a journey no child makes: ranked last, still read by its face
    hours_later = datetime(2014, 1, 1, 3, tzinfo=UTC)
    rushed = score_pair(policy, case(), sighting(place=far, seen_at=hours_later), [FaceHit(1, strong, taken)])
    assert rushed.time is not None and rushed.time < 0.05
    assert proposable(policy.leads, read_pair(policy, rushed).share)
