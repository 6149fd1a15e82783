"""How a (case, sighting face) pair is scored: face similarity fused over the case's photos,
combined with age, time, place and sex plausibility. Every component is kept so the
ranking can be explained to the people who review it. A score is a lead, never a verdict.

Two numbers come out of a pair: its total (face evidence and the plausibility terms), which orders
candidates (ranks, the shortlist's choice among proposable cases), and its face evidence (the face
similarity less the hubness term: what the impostor calibration was fitted on), which alone is read
against the calibration (the share, "1 in N", the band, whether it is proposed). The plausibility
terms are not face evidence: read against the face-only curve, where 0.01 of score is about a
30-fold change in share, a place 2,300 km away turned "1 in 41,000" into "1 in 4" and ruled out
every far sighting (docs/benchmarks.md, "Place and time are not face evidence")."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from reunite.domain import leads
from reunite.domain.grouping import GroupPolicy
from reunite.domain.leads import Calibration, LeadPolicy
from reunite.domain.model import AgeRange, GeoPoint, SeenAtBasis, Sex, age_in_years


@dataclass(frozen=True)
class MatchPolicy:
    """Weights and limits of the ranking. Thresholds belong here, not in the face engine."""

    age_weight: float = 0.06
    time_weight: float = 0.02
    place_weight: float = 0.02
    sex_weight: float = 0.04
    fusion_age_sigma: float = 6.0
    fusion_temperature: float = 0.02
    fusion_quality_weight: float = 0.0  # measured and not adopted (docs/benchmarks.md)
    min_score: float = 0.0
    reach_base_km: float = 50.0
    reach_speed_kmh: float = 100.0
    place_half_km: float = 500.0
    # a sighting face that resembles many people at once is ranked down by its hubness (docs/benchmarks.md)
    hubness_weight: float = 1.0
    hub_words_above: float = 0.05  # from here on the explanation says so
    # an operator's second face model (docs/models.md): its share of the fused face similarity, and how
    # many pairs of case and sighting faces it must have embedded before its scores can be read
    extra_weight: float = 0.5
    extra_min_pairs: int = 100
    # the operating point, caps and bands (domain/leads.py), and the impostor calibration by age and gap
    leads: LeadPolicy = field(default_factory=LeadPolicy)
    groups: GroupPolicy = field(default_factory=GroupPolicy)
    calibration: Calibration | None = None


@dataclass(frozen=True)
class CaseFacts:
    case_id: int
    birth_date: date
    sex: Sex
    # the first instant the child may have gone missing: a time given, or the first instant of a date given alone
    # (``domain.typed_time``: the whole day, in the zone it was given in, counts; a sighting that day is never
    # "seen before the child went missing"), at the offset it was given in
    missing_since: datetime
    last_seen: GeoPoint | None
    missing_since_precision: str = "instant"  # or a date given alone: "day", "month", "year" (``domain.elapsed``)


@dataclass(frozen=True)
class SightingFacts:
    sighting_id: int
    seen_at: datetime
    place: GeoPoint | None
    apparent_age: AgeRange | None
    apparent_sex: Sex
    seen_at_basis: SeenAtBasis = SeenAtBasis.GIVEN  # how seen_at was obtained: a time nobody gave rules nothing out
    child_face_id: int | None = None  # the face marked as the child's (``access.child_face_of``)

    @property
    def latest_seen(self) -> datetime:
        """The latest the child may have been seen: a time read in an assumed zone may be later by its doubt;
        a report dated by its arrival was seen before it."""
        return self.seen_at + (self.seen_at_basis.doubt or timedelta(0))


@dataclass(frozen=True)
class FaceHit:
    """One case face compared with one sighting face."""

    case_face_id: int
    similarity: float
    photo_taken_on: date | None
    quality: float = 1.0  # of the case photo's face, 0..1


@dataclass(frozen=True)
class Score:
    total: float
    face: float
    age: float | None
    time: float | None
    place: float | None
    sex: float | None
    best_case_face_id: int
    expected_age: float
    distance_km: float | None
    elapsed_days: float
    hubness: float = 0.0
    photo_age: float | None = None  # the child's age in the best case photo
    sighting_age: float | None = None  # the middle of the reporter's apparent age, if given
    time_doubt_h: float = 0.0  # hours the time seen may be off either way (``SeenAtBasis.doubt``)

    @property
    def gap_years(self) -> float | None:
        """Years between the best case photo and the sighting."""
        return None if self.photo_age is None else max(self.expected_age - self.photo_age, 0.0)


def fuse_faces(policy: MatchPolicy, hits: Sequence[FaceHit], birth: date, seen_on: date) -> tuple[float, int]:
    """Fuse the similarities of a case's several photos into one.

    Each photo is weighted by how close the child's age in it is to the expected age at the
    sighting (the photo closest in age counts most) and, softly, by its similarity, so one
    strong match is not drowned by weak ones. Returns the fused similarity and the best photo.
    """
    expected = age_in_years(birth, seen_on)
    weights: list[float] = []
    for hit in hits:
        photo_age = age_in_years(birth, hit.photo_taken_on) if hit.photo_taken_on else expected
        gap = abs(expected - photo_age)
        weights.append(-gap / policy.fusion_age_sigma + hit.similarity / policy.fusion_temperature
                       + policy.fusion_quality_weight * math.log(max(hit.quality, 0.01)))
    top = max(weights)
    exp_w = [math.exp(w - top) for w in weights]
    fused = sum(w * h.similarity for w, h in zip(exp_w, hits, strict=True)) / sum(exp_w)
    best = hits[max(range(len(hits)), key=lambda i: weights[i])]
    return fused, best.case_face_id


def age_plausibility(expected: float, apparent: AgeRange | None) -> float | None:
    """1 when the expected age lies in the reporter's range widened by how badly people judge
    children's ages; falls off smoothly outside. None when the reporter gave no age."""
    if apparent is None:
        return None
    tolerance = age_tolerance(expected)
    gap = max(apparent.low - tolerance - expected, expected - apparent.high - tolerance, 0.0)
    return max(0.02, math.exp(-0.5 * (gap / (tolerance / 2)) ** 2))


def age_tolerance(expected: float) -> float:
    """How far outside a reporter's age range a child of ``expected`` years still fits fully."""
    return 1.5 + 0.15 * expected


def contradictions(case_sex: Sex | str | None, apparent_sex: Sex | str | None, expected_age: float,
                   apparent: AgeRange | None, time: float | None = None) -> list[str]:
    """What the reporter saw that the case contradicts, as the ranking reads it: ``sex`` when both
    are known and differ, ``age`` when the expected age lies outside the reporter's range by more than
    ``age_tolerance``, ``time`` when the pair's time term (``time``) rules it out: seen before the child went
    missing. Each takes the lead's band a step down (``leads.told``), and the words say it plainly."""
    found = []
    if {case_sex, apparent_sex} <= {Sex.MALE, Sex.FEMALE} and case_sex != apparent_sex:
        found.append("sex")
    if apparent is not None and max(apparent.low - expected_age, expected_age - apparent.high) \
            > age_tolerance(expected_age):
        found.append("age")
    if time == 0.0:  # ``time_plausibility``: seen before the child went missing, by a time someone gave
        found.append("time")
    return found


def sex_plausibility(case_sex: Sex, apparent: Sex, expected_age: float) -> float | None:
    """A mismatch counts less for small children, whose sex strangers often misjudge."""
    if Sex.UNKNOWN in (case_sex, apparent):
        return None
    if case_sex == apparent:
        return 1.0
    return 0.6 if expected_age < 6 else 0.3


def place_plausibility(policy: MatchPolicy, distance_km: float | None) -> float | None:
    """Nearer is likelier, but a child can be anywhere: 1 / (1 + d / ``place_half_km``), a half at
    ``place_half_km``, a third at twice that. It orders candidates; it is never read as face evidence."""
    if distance_km is None:
        return None
    return 1.0 / (1.0 + distance_km / policy.place_half_km)


def time_plausibility(policy: MatchPolicy, distance_km: float | None, elapsed_hours: float,
                      doubt_hours: float = 0.0) -> float | None:
    """Could the child have travelled that far in the time since last seen? A time seen that may be off by
    ``doubt_hours`` (``SeenAtBasis.doubt``: a camera's clock read in an assumed zone) is read at its latest:
    before the child went missing, or too soon to travel that far, only when it is so at every time it may be."""
    elapsed_hours += doubt_hours
    if elapsed_hours < 0:
        return 0.0
    if distance_km is None:
        return None
    reach = policy.reach_base_km + policy.reach_speed_kmh * elapsed_hours
    if distance_km <= reach:
        return 1.0
    return max(0.01, math.exp(-(distance_km - reach) / reach))


def doubt_hours(basis: SeenAtBasis) -> float:
    """``SeenAtBasis.doubt`` in hours, as a score keeps it (0 when the time is unknown: no time term then)."""
    return (basis.doubt or timedelta(0)).total_seconds() / 3600.0


def _log_term(weight: float, value: float | None) -> float:
    return 0.0 if value is None else weight * math.log(max(value, 1e-6))


def score_pair(
    policy: MatchPolicy, case: CaseFacts, sighting: SightingFacts, hits: Sequence[FaceHit], hubness: float = 0.0
) -> Score:
    """Score one case against one sighting face, given that face's hits among the case's faces and
    the sighting face's hubness (how much it resembles many people at once)."""
    seen_on = sighting.seen_at.date()
    face, best = fuse_faces(policy, hits, case.birth_date, seen_on)
    taken_on = next(h.photo_taken_on for h in hits if h.case_face_id == best)
    photo_age = age_in_years(case.birth_date, taken_on) if taken_on else None
    expected = age_in_years(case.birth_date, seen_on)
    elapsed_h = (sighting.seen_at - case.missing_since).total_seconds() / 3600.0
    distance = case.last_seen.distance_km(sighting.place) if case.last_seen and sighting.place else None
    age = age_plausibility(expected, sighting.apparent_age)
    # a report that gave no time is dated by its arrival, which says only that the child was seen before it:
    # no time term, so it can make no pair impossible nor unlikely (the travel a time would rule out is unknown)
    doubt_h = doubt_hours(sighting.seen_at_basis)
    time = None if sighting.seen_at_basis.doubt is None else time_plausibility(policy, distance, elapsed_h, doubt_h)
    place = place_plausibility(policy, distance)
    sex = sex_plausibility(case.sex, sighting.apparent_sex, expected)
    total = (
        face
        - policy.hubness_weight * hubness
        + _log_term(policy.age_weight, age)
        + _log_term(policy.time_weight, time)
        + _log_term(policy.place_weight, place)
        + _log_term(policy.sex_weight, sex)
    )
    return Score(total, face, age, time, place, sex, best, expected, distance, elapsed_h / 24.0, hubness, photo_age,
                 sighting.apparent_age.middle if sighting.apparent_age else None, doubt_h)


def face_evidence(policy: MatchPolicy, face: float, hubness: float) -> float:
    """What the impostor calibration was fitted on (``bench/operating_points.py`` ``calibrate``: the
    face similarity less the sighting face's hubness), and so the only score read against it. Age,
    time, place and sex plausibility order candidates but are not face evidence: a place far away
    or a missing place must read the same face the same."""
    return face - policy.hubness_weight * hubness


def read_pair(policy: MatchPolicy, score: Score, rank: int | None = None,
              rank_of: int | None = None) -> leads.Reading:
    """The reading of a pair scored just now (search, the shortlist): exactly ``read_stored`` of the
    values a candidate stores, so a pair reads the same fresh as stored."""
    return read_stored(policy, face_evidence(policy, score.face, score.hubness), score.expected_age, score.gap_years,
                       rank, rank_of, score.sighting_age)


def impostor_share(policy: MatchPolicy, score: Score) -> float | None:
    return read_pair(policy, score).share


def read_stored(policy: MatchPolicy, evidence: float, expected_age: float, gap_years: float | None,
                rank: int | None = None, rank_of: int | None = None,
                sighting_age: float | None = None) -> leads.Reading:
    """The one reading of a pair (case pages, the workbench, the API, alerts, search, the shortlist):
    the share of pairs of different children (of this case photo's age, and of the sighting's apparent
    age when the reporter gave one; the most cautious age cell when the photo's age is unknown) whose
    face evidence is at least ``evidence`` (``face_evidence``: never the total), and the lead in a
    parent's words; None share without a calibration. From what a candidate stores and its sighting's
    apparent age (``sighting_age``: ``AgeRange.middle``): the case photo's age is the expected age less
    the gap (a photo taken after the sighting reads as of the sighting's age, its gap 0)."""
    photo_age = None if gap_years is None else expected_age - gap_years
    return leads.reading(policy.calibration, policy.leads, evidence, photo_age, gap_years, rank, rank_of,
                         sighting_age)


@dataclass(frozen=True)
class CasePhoto:
    """One face in one case's photo, as the duplicate check reads it against another case's: the child's age
    in the photo by its own case's birth date (None when the photo's date is unknown, or before that birth)
    and the face's hubness."""

    age: float | None
    hubness: float

    @classmethod
    def of(cls, birth: date, taken_on: date | None, hubness: float) -> CasePhoto:
        age = None if taken_on is None else age_in_years(birth, taken_on)
        return cls(age if age is not None and age >= 0 else None, hubness)


def read_case_photos(policy: MatchPolicy, similarity: float, one: CasePhoto, other: CasePhoto) -> leads.Reading:
    """Two cases' photos read as a lead reads a case photo against a sighting (``read_stored``), as the
    calibration's pairs were drawn (a photo taken later in the child's life against another child's
    photo): the photo in which the child is older plays the sighting (its face's hubness is subtracted,
    ``face_evidence``; the child's expected age is its age there), the younger the case photo (its age
    band chooses the calibration cell), the gap between their ages. With either age unknown, which is the
    later is unknown: the most cautious age cell and the larger hubness (the lower evidence) read it. The
    older photo's age is never read as a reporter's apparent age: it is a claim of the account that
    registered it (an impostor chooses it), and the case photo's age cell holds four times the pairs."""
    if one.age is None or other.age is None:
        return read_stored(policy, face_evidence(policy, similarity, max(one.hubness, other.hubness)), 0.0, None)
    (younger, _), (older, seen) = sorted(((one.age, one), (other.age, other)), key=lambda pair: pair[0])
    return read_stored(policy, face_evidence(policy, similarity, seen.hubness), older, older - younger)


def lead_for(policy: MatchPolicy, share: float | None, expected_age: float, gap_years: float | None,
             rank: int | None = None, rank_of: int | None = None) -> leads.Lead:
    """The lead of a share stored without its score (duplicate cases): "1 in N" bounded by the
    smallest sample the share could have come from."""
    pairs = None
    if policy.calibration is not None and policy.calibration.bands:
        photo_age = None if gap_years is None else expected_age - gap_years
        pairs = policy.calibration.smallest_pairs(photo_age, gap_years)
    return leads.lead(policy.leads, share, pairs, gap_years, rank, rank_of)


def with_distance(policy: MatchPolicy, score: Score, distance_km: float | None) -> Score:
    """The same score had the sighting been ``distance_km`` from where last seen: the place and
    time terms (and so the total, to 4 decimals) recomputed from that distance alone."""
    # a time term left out though the place is known: the report gave no time (``score_pair``), whatever the distance
    dropped = score.time is None and score.distance_km is not None
    time = None if dropped else time_plausibility(policy, distance_km, score.elapsed_days * 24.0, score.time_doubt_h)
    place = place_plausibility(policy, distance_km)
    total = (score.total - _log_term(policy.time_weight, score.time) - _log_term(policy.place_weight, score.place)
             + _log_term(policy.time_weight, time) + _log_term(policy.place_weight, place))
    return replace(score, total=round(total, 4), time=time, place=place, distance_km=distance_km)
