"""Two cases' photos, as the duplicate check reads them (``scoring.read_case_photos``): exactly as a lead
reads the younger photo as the case photo against the older as a sighting (probe s20 T1: the check read
the pair without ages, in the toddlers' cell, and a child registered again with another photo a year
later, "Strong lead" everywhere else, was never flagged)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from reunite.adapters.faces.calibration import CALIBRATION_FILE, load_calibration
from reunite.domain.leads import Strength
from reunite.domain.model import Sex
from reunite.domain.scoring import (
    CaseFacts,
    CasePhoto,
    FaceHit,
    MatchPolicy,
    SightingFacts,
    read_case_photos,
    read_pair,
    read_stored,
    score_pair,
)

POLICY = MatchPolicy(calibration=load_calibration(CALIBRATION_FILE))
BIRTH = date(2019, 6, 1)


def test_a_pair_of_case_photos_reads_as_the_younger_photo_against_the_older_as_a_sighting() -> None:
    younger = CasePhoto.of(BIRTH, date(2025, 12, 1), 0.002)  # 6.5 years old
    older = CasePhoto.of(BIRTH, date(2026, 11, 20), 0.0046)  # 7.5: a sighting's part, its hubness subtracted
    case = CaseFacts(1, BIRTH, Sex.MALE, datetime(2026, 11, 1, tzinfo=UTC), None)
    sighting = SightingFacts(2, datetime(2026, 11, 20, 12, tzinfo=UTC), None, None, Sex.UNKNOWN)
    lead = read_pair(POLICY, score_pair(POLICY, case, sighting, [FaceHit(3, 0.974, date(2025, 12, 1))], 0.0046))
    for one, other in ((younger, older), (older, younger)):  # whichever case is checked
        double = read_case_photos(POLICY, 0.974, one, other)
        assert double.share == lead.share and double.lead == lead.lead
    assert lead.lead.strength is Strength.STRONG


def test_without_a_photo_date_the_most_cautious_cell_and_the_larger_hubness_read_the_pair() -> None:
    dated = CasePhoto.of(BIRTH, date(2025, 12, 1), 0.002)
    undated = CasePhoto.of(BIRTH, None, 0.0046)
    before_birth = CasePhoto.of(BIRTH, date(2018, 1, 1), 0.0046)  # a mistyped date tells no age
    assert undated.age is None and before_birth.age is None
    for pair in ((dated, undated), (undated, dated), (dated, before_birth)):
        reading = read_case_photos(POLICY, 0.974, *pair)
        assert reading == read_stored(POLICY, 0.974 - 0.0046, 0.0, None)
        assert reading.lead.strength is not Strength.STRONG  # the toddlers' cell: as the check read every pair
