"""Many sightings, one child: two sightings are grouped when their faces are as alike as the
calibration says few different children are, and one could have travelled from one place to the
other in the time between them. Reviewers and families then see one child with a trail."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from reunite.domain.leads import Calibration
from reunite.domain.model import GeoPoint, years_between

GROUP_AGE_YEARS = 2.0  # sightings further apart in time are not grouped (a face changes)


@dataclass(frozen=True)
class GroupPolicy:
    share: float = 0.002  # at most this share of different children's pairs look as alike
    fuse: bool = True  # a grouped sighting is matched with its group's faces averaged (docs/benchmarks.md)
    base_km: float = 50.0
    speed_kmh: float = 100.0


@dataclass(frozen=True)
class Seen:
    sighting_id: int
    seen_at: datetime
    place: GeoPoint | None  # its grid cell's centre: families see the groups (services/grouping.py)
    doubt: timedelta | None = timedelta(0)  # how far the child may have been seen from ``seen_at`` (``SeenAtBasis``):
    # None when the time is unknown (a report dated by its arrival)


def gap_years(a: Seen, b: Seen) -> float | None:
    """Years between two sightings, for the calibration's band; None when either time is unknown."""
    if a.doubt is None or b.doubt is None:
        return None
    return years_between(a.seen_at.date(), b.seen_at.date())


def same_child_by_face(calibration: Calibration | None, score: float, years: float | None, share: float) -> bool:
    """Without a calibration nothing is grouped: a raw similarity alone means too little. ``years`` apart
    (``gap_years``; None: unknown) choose the calibration's band."""
    if calibration is None or not calibration.bands:
        return False
    return calibration.band_for(None, years).share(score) <= share


def reachable(policy: GroupPolicy, a: Seen, b: Seen) -> bool:
    """Could one child be at both? Unknown places and unknown times never rule it out; time apart is bounded.
    Where a time may be off (``Seen.doubt``), each rule reads the time apart it may have been that fits best:
    the least for the bound, the most for the journey."""
    if a.doubt is None or b.doubt is None:
        return True
    apart, doubt = abs(a.seen_at - b.seen_at), a.doubt + b.doubt
    if apart - doubt > timedelta(days=GROUP_AGE_YEARS * 365.25):
        return False
    if a.place is None or b.place is None:
        return True
    hours = (apart + doubt).total_seconds() / 3600.0
    return a.place.distance_km(b.place) <= policy.base_km + policy.speed_kmh * hours


@dataclass(frozen=True)
class FusedFace:
    """A group's faces as one: the direction of their mean, and what its similarities are scaled by."""

    embedding: list[float]  # unit length, for the vector index
    scale: float  # the mean's length: scale × cosine = the mean of the members' similarities
    hubness: float  # the members' mean


def fuse_group(embeddings: Sequence[Sequence[float]], hubness: Sequence[float]) -> FusedFace:
    """Several sightings of one child matched as one face whose score against a case face is the mean
    of its members' scores. The calibration describes one face's scores; the cosine of the normalised
    mean is not one (averaging removes each photo's noise, so it rises against every face, other
    children's included: twice the false proposals in the volume test, docs/benchmarks.md). The mean
    of scores ranks the cases exactly as the normalised mean does, and is never above the members' best."""
    dims = len(embeddings[0])
    mean = [sum(e[i] for e in embeddings) / len(embeddings) for i in range(dims)]
    norm = math.sqrt(sum(v * v for v in mean)) or 1.0
    return FusedFace([v / norm for v in mean], norm, sum(hubness) / len(hubness))


def one_per_picture(pictures: Sequence[int | None], bits: int) -> list[int]:
    """The positions of the first of each picture among these photos' perceptual hashes (64 bits, signed; None:
    unknown, a picture of its own): hashes within ``bits`` of a kept one's are that picture again (the same photo
    sent again, re-encoded or resized), which adds no evidence of its own (probe s28 B5)."""
    kept: list[int] = []
    for i, picture in enumerate(pictures):
        if picture is None or not any(same_picture(picture, pictures[k], bits) for k in kept):
            kept.append(i)
    return kept


def same_picture(a: int | None, b: int | None, bits: int) -> bool:
    """Two perceptual hashes that are one picture: each known, at most ``bits`` of 64 apart."""
    return a is not None and b is not None and ((a ^ b) & 0xFFFF_FFFF_FFFF_FFFF).bit_count() <= bits


def pair_score(similarity: float, hubness_a: float, hubness_b: float) -> float:
    """The calibrated score of two sighting faces: the more common-looking face's hubness counts."""
    return similarity - max(hubness_a, hubness_b)
