"""What a score means to a person: how often different children look this similar (calibrated on
impostor pairs by the age in the case photo and, when the reporter estimated it, the sighting's), the
band a parent understands (strong, possible or weak lead), the rank among open cases and the caveat of
long gaps. A number shown to a person means what it says: never "100%", never more certainty than the
calibration sample holds."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from reunite.domain.model import age_shown

AGE_BANDS: tuple[tuple[float, float], ...] = ((0, 5), (5, 10), (10, 18), (18, 200))
GAP_BANDS: tuple[tuple[float, float], ...] = ((0, 3), (3, 6), (6, 11), (11, 200))
# of the child in the sighting (the reporter's apparent age): few photos after a child's first are of
# toddlers, so these bands hold on fgnet-dev at least 1/strong_share (6,869+) pairs with each case photo
# age band, and a cell's floor (1/pairs) never rules out a strong lead; 0-5 would hold 4,947
SIGHTING_AGE_BANDS: tuple[tuple[float, float], ...] = ((0, 6), (6, 12), (12, 18), (18, 200))
MIN_PAIRS = 2000  # a cell with fewer impostor pairs falls back to a wider one


@dataclass(frozen=True)
class Band:
    """The impostor score distribution of one cell (case photo age × age gap, or case photo age ×
    the sighting's age; None: any). The shipped calibration has no gap cells (bench/operating_points.py
    ``calibrate`` says why)."""

    case_age: tuple[float, float] | None
    gap: tuple[float, float] | None
    pairs: int
    curve: tuple[tuple[float, float], ...]  # (score, share of impostor pairs scoring at least this), ascending
    sighting_age: tuple[float, float] | None = None  # the child's age in the sighting; None: any

    def share(self, score: float) -> float:
        """The share of different children's pairs scoring at least ``score``, never below 1/pairs."""
        floor = 1.0 / self.pairs
        if not self.curve or score <= self.curve[0][0]:
            return 1.0 if not self.curve else self.curve[0][1]
        for (s0, p0), (s1, p1) in zip(self.curve, self.curve[1:], strict=False):
            if score <= s1:
                t = (score - s0) / (s1 - s0) if s1 > s0 else 1.0
                return max(floor, math.exp(math.log(p0) + t * (math.log(p1) - math.log(p0))))
        return floor


def _within(value: float, band: tuple[float, float] | None) -> bool:
    return band is None or band[0] <= value < band[1]


@dataclass(frozen=True)
class Calibration:
    """Per-cell impostor curves; the first cell that covers a pair and holds MIN_PAIRS is used: with
    the sighting's age, case photo age × sighting age; then case photo age × gap, case photo age, gap,
    any. A file without sighting age cells reads every pair by its case photo's age."""

    bands: tuple[Band, ...]

    def band_for(self, case_age: float | None, gap: float | None, sighting_age: float | None = None) -> Band:
        if case_age is not None and sighting_age is not None:
            for band in self.bands:
                if band.sighting_age is not None and band.case_age is not None and band.gap is None \
                        and _within(case_age, band.case_age) and _within(sighting_age, band.sighting_age) \
                        and band.pairs >= MIN_PAIRS:
                    return band
        gap = None if gap is None else max(gap, 0.0)
        order = [(case_age, gap), (case_age, None), (None, gap), (None, None)]
        for age, g in order:
            for band in self.bands:
                exact = (band.case_age is None) == (age is None) and (band.gap is None) == (g is None) \
                    and band.sighting_age is None
                if exact and (age is None or _within(age, band.case_age)) and (g is None or _within(g, band.gap)) \
                        and band.pairs >= MIN_PAIRS:
                    return band
        return max(self.bands, key=lambda b: b.pairs)

    def cell(self, score: float, case_age: float | None, gap: float | None,
             sighting_age: float | None = None) -> Band:
        """The cell a pair is read against: its case photo's age band and, when the reporter estimated
        it, the sighting's age band (``sighting_age``: the middle of the reporter's range,
        ``model.AgeRange.middle``; a cell with too few pairs falls back to the case photo's age alone);
        with the case photo's age unknown, the age band that reads this score most cautiously (the
        largest share, its own sample's floor), never the pooled curve, whose sample holds adults'
        pairs and more pairs than any child cell."""
        if case_age is not None:
            return self.band_for(case_age, gap, sighting_age)
        ages = sorted({b.case_age for b in self.bands if b.case_age is not None and b.pairs >= MIN_PAIRS})
        cells = [self.band_for(low, gap, sighting_age) for low, _ in ages]
        if not cells:
            return self.band_for(None, gap)
        return max(cells, key=lambda b: (b.share(score), -b.pairs))

    def smallest_pairs(self, case_age: float | None, gap: float | None) -> int:
        """The sample a stored share of unknown case photo age and sighting age may claim: the smallest
        case photo age cell's."""
        if case_age is not None:
            return self.band_for(case_age, gap).pairs
        cells = [b.pairs for b in self.bands
                 if b.case_age is not None and b.sighting_age is None and b.pairs >= MIN_PAIRS]
        return min(cells) if cells else self.band_for(None, gap).pairs


def fit_band(case_age: tuple[float, float] | None, gap: tuple[float, float] | None,
             impostor_scores: Sequence[float], sighting_age: tuple[float, float] | None = None) -> Band:
    """The curve of one cell from its impostor pairs' scores (tail shares down to 1/pairs)."""
    ordered = sorted(impostor_scores, reverse=True)
    n = len(ordered)
    points: list[tuple[float, float]] = []
    levels = [round(m * 10.0 ** -e, 12) for e in range(0, 9) for m in (0.5, 0.2, 0.1)]  # 0.5, 0.2, 0.1, 0.05, …
    for share in (level for level in dict.fromkeys(levels) if level * n >= 1):
        points.append((ordered[max(int(share * n) - 1, 0)], share))
    if n:
        points.append((ordered[0], 1.0 / n))
    points.sort()
    curve = tuple((s, p) for i, (s, p) in enumerate(points) if i == 0 or s > points[i - 1][0])
    return Band(case_age, gap, n, curve, sighting_age)


class Strength(StrEnum):
    STRONG = "strong"
    POSSIBLE = "possible"
    WEAK = "weak"
    NONE = "none"  # below the operating point: the face is no lead (a family's word, a lead read again lower)


STEPS = [Strength.STRONG, Strength.POSSIBLE, Strength.WEAK]  # the bands of a lead, strongest first


@dataclass(frozen=True)
class LeadPolicy:
    """The operating point (docs/benchmarks.md chose it) and the bands' limits."""

    propose_share: float = 0.002  # proposed when at most 1 in 500 different children score as high
    strong_share: float = 0.0002  # 1 in 5,000
    possible_share: float = 0.0005  # 1 in 2,000; proposed but above it: a weak lead
    long_gap_years: float = 6.0  # from here on the words warn, and the band drops one step
    per_sighting: int = 3  # cases proposed per sighting face
    per_case: int = 25  # proposals waiting per case; a better one replaces the weakest


# how alike a face must read to a case's own photos to count as its child (probe s32 F3, s35 J1): a family's search
# by photo (``services.search``) and a photo added to a verified case (``services.added_check``); at most as many
# different children as alike as the weakest lead a family is shown at the shipped settings
OWN_CHILD_SHARE = LeadPolicy().propose_share


@dataclass(frozen=True)
class Lead:
    strength: Strength
    one_in: int | None  # "about 1 in N different children look this similar"; None without calibration or bounded
    bounded: bool  # as alike as the closest pairs tested, or more: no N (a sample's size is not the pair's)
    gap_years: float | None
    long_gap: bool
    rank: int | None
    rank_of: int | None


@dataclass(frozen=True)
class Reading:
    """A pair's calibrated reading: its impostor share (None without calibration) and its lead."""

    share: float | None
    lead: Lead


def impostor_share(calibration: Calibration | None, score: float, case_age: float | None,
                   gap: float | None, sighting_age: float | None = None) -> float | None:
    if calibration is None or not calibration.bands:
        return None
    return calibration.cell(score, case_age, gap, sighting_age).share(score)


def reading(calibration: Calibration | None, policy: LeadPolicy, score: float, case_age: float | None,
            gap: float | None, rank: int | None = None, rank_of: int | None = None,
            sighting_age: float | None = None) -> Reading:
    """The one reading of a pair's score: the share and "1 in N" from one cell (``Calibration.cell``),
    so a bounded "fewer than 1 in N" never names more pairs than the cell that gave the share holds."""
    if calibration is None or not calibration.bands:
        return Reading(None, lead(policy, None, None, gap, rank, rank_of))
    band = calibration.cell(score, case_age, gap, sighting_age)
    share = band.share(score)
    return Reading(share, lead(policy, share, band.pairs, gap, rank, rank_of))


def proposable(policy: LeadPolicy, share: float | None) -> bool:
    """Without a calibration every candidate within the caps is proposed (the operator chose so)."""
    return share is None or share <= policy.propose_share


def _readable(n: float) -> int:
    """Two significant digits: 1 in 1,300 rather than 1 in 1,287 (the calibration is not that exact)."""
    if n < 10:
        return max(1, round(n))
    digits = 10 ** (int(math.log10(n)) - 1)
    return int(round(n / digits) * digits)


def lead(policy: LeadPolicy, share: float | None, pairs: int | None, gap_years: float | None,
         rank: int | None = None, rank_of: int | None = None) -> Lead:
    """The words' facts for one candidate, from its calibrated impostor share. A share above the
    operating point is no lead by the face (``Strength.NONE``), never "weak": only a family's word (or a
    reviewed lead whose pair reads lower now) keeps such a candidate, and its band says so."""
    long_gap = gap_years is not None and gap_years >= policy.long_gap_years
    if share is None:
        return Lead(Strength.WEAK, None, False, gap_years, long_gap, rank, rank_of)
    bounded = pairs is not None and share * pairs <= 1.0 + 1e-9
    # at the test limit the only N would be the size of the sample that bounds it, which tells which sample
    # read the pair (the child's age), not how alike it is: no number, as the words say none (wording.lead_words)
    one_in = None if bounded else _readable(1.0 / share)
    if not proposable(policy, share):
        return Lead(Strength.NONE, one_in, bounded, gap_years, long_gap, rank, rank_of)
    level = 0 if share <= policy.strong_share else 1 if share <= policy.possible_share else 2
    if long_gap:
        level = min(level + 1, 2)
    return Lead(STEPS[level], one_in, bounded, gap_years, long_gap, rank, rank_of)


def told(lead: Lead, contradicts: Sequence[str]) -> dict[str, Any]:
    """The lead as a person reads it, with what the reporter saw that the case contradicts
    (``scoring.contradictions``): each contradiction takes the band one step down, as a long gap does, so
    that "Strong lead" never stands beside "the reporter saw a boy; this child is a girl". The "1 in N"
    still reads the face alone, and ``face_strength`` keeps the band the face evidence gave. No lead by
    the face stays none: a contradiction never makes it a lead."""
    if lead.strength is Strength.NONE:
        strength = Strength.NONE
    else:
        strength = STEPS[min(STEPS.index(lead.strength) + len(contradicts), len(STEPS) - 1)]
    gap = None if lead.gap_years is None else age_shown(lead.gap_years)  # to the decimal shown, rounded
    return asdict(lead) | {"strength": strength.value, "face_strength": lead.strength.value, "gap_years": gap,
                           "contradicts": list(contradicts)}
