"""The calibration by case photo age × the sighting's apparent age: children of nearly the same age
look more alike than the case photo's age band as a whole says, so when the reporter estimated the
child's age a score is read against children of that age (a weaker lead), and without an estimate
against the case photo's age band; a file written before these cells still loads."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from reunite.adapters.faces.calibration import CALIBRATION_FILE, load_calibration, save_calibration
from reunite.domain.leads import MIN_PAIRS, Calibration, LeadPolicy, fit_band, reading
from reunite.domain.model import AgeRange, Sex
from reunite.domain.scoring import CaseFacts, FaceHit, MatchPolicy, SightingFacts, read_pair, read_stored, score_pair

RNG = np.random.default_rng(21)
OLDER_SIGHTINGS = RNG.normal(0.5, 0.1, 20_000).tolist()  # a baby's photo against older children
SAME_AGE = RNG.normal(0.7, 0.1, 5_000).tolist()  # against children of about its age: more alike
BY_SIGHTING = Calibration((
    fit_band(None, None, OLDER_SIGHTINGS + SAME_AGE),
    fit_band((0, 5), None, OLDER_SIGHTINGS + SAME_AGE),
    fit_band((0, 5), None, SAME_AGE, (0, 5)),
    fit_band((0, 5), None, OLDER_SIGHTINGS, (5, 200)),
    fit_band((5, 200), None, OLDER_SIGHTINGS),
    fit_band((5, 200), None, SAME_AGE[:MIN_PAIRS - 1], (0, 5)),  # too few pairs to be read
))


def test_a_sighting_of_a_known_age_is_read_against_children_of_that_age() -> None:
    by_case = BY_SIGHTING.cell(0.8, 2.0, 2.0)
    same_age = BY_SIGHTING.cell(0.8, 2.0, 2.0, sighting_age=4.0)
    older = BY_SIGHTING.cell(0.8, 2.0, 2.0, sighting_age=9.0)
    assert by_case.sighting_age is None and by_case.case_age == (0, 5)
    assert same_age.sighting_age == (0, 5) and older.sighting_age == (5, 200)
    assert same_age.share(0.8) > 2 * by_case.share(0.8) > 2 * older.share(0.8)
    policy = LeadPolicy(propose_share=0.05, possible_share=0.01, strong_share=0.001)
    assert reading(BY_SIGHTING, policy, 0.9, 2.0, 2.0).lead.strength.value == "possible"
    assert reading(BY_SIGHTING, policy, 0.9, 2.0, 2.0, sighting_age=4.0).lead.strength.value == "weak"


def test_a_cell_too_thin_to_read_falls_back_to_the_case_photos_age() -> None:
    assert BY_SIGHTING.cell(0.8, 7.0, 1.0, sighting_age=3.0) is BY_SIGHTING.cell(0.8, 7.0, 1.0)
    assert BY_SIGHTING.cell(0.8, 7.0, 1.0).case_age == (5, 200)


def test_an_unknown_case_photo_age_reads_the_most_cautious_cell_of_the_sightings_age() -> None:
    cell = BY_SIGHTING.cell(0.8, None, None, sighting_age=3.0)
    assert cell.sighting_age == (0, 5) and cell.share(0.8) == max(
        BY_SIGHTING.cell(0.8, age, None, sighting_age=3.0).share(0.8) for age in (1.0, 7.0))
    assert BY_SIGHTING.smallest_pairs(None, None) == len(OLDER_SIGHTINGS)  # stored shares: case photo cells


def test_the_reporters_range_is_read_by_its_middle_fresh_and_stored() -> None:
    policy = MatchPolicy(calibration=BY_SIGHTING)
    case = CaseFacts(1, date(2020, 1, 1), Sex.FEMALE, datetime(2022, 2, 1, tzinfo=UTC), None)
    hits = [FaceHit(7, 0.8, date(2022, 1, 1))]
    for apparent, cell in ((AgeRange(3, 5), (0, 5)), (AgeRange(4, 8), (5, 200)), (None, None)):
        seen = SightingFacts(2, datetime(2024, 1, 2, tzinfo=UTC), None, apparent, Sex.UNKNOWN)
        pair = score_pair(policy, case, seen, hits)
        assert pair.sighting_age == (apparent.middle if apparent else None)
        expected = BY_SIGHTING.cell(pair.total, pair.photo_age, pair.gap_years, pair.sighting_age)
        assert expected.sighting_age == cell
        fresh = read_pair(policy, pair)
        assert fresh.share == expected.share(pair.total)
        assert read_stored(policy, pair.total, pair.expected_age, pair.gap_years, None, None,
                           pair.sighting_age) == fresh


def test_a_file_without_sighting_age_cells_loads_and_reads_by_case_photo_age(tmp_path: Path) -> None:
    written = tmp_path / "new.json"
    save_calibration(written, BY_SIGHTING, "synthetic")
    loaded = load_calibration(written)
    assert loaded is not None
    assert [(b.case_age, b.gap, b.sighting_age, b.pairs) for b in loaded.bands] == [
        (b.case_age, b.gap, b.sighting_age, b.pairs) for b in BY_SIGHTING.bands]
    old = json.loads(written.read_text())
    old["bands"] = [b for b in old["bands"] if "sighting_age" not in b]
    assert all(set(b) == {"case_age", "gap", "pairs", "curve"} for b in old["bands"])
    (tmp_path / "old.json").write_text(json.dumps(old))
    loaded = load_calibration(tmp_path / "old.json")
    assert loaded is not None and len(loaded.bands) == 3
    assert loaded.cell(0.8, 2.0, 2.0, sighting_age=4.0) is loaded.cell(0.8, 2.0, 2.0)
    assert loaded.cell(0.8, 2.0, 2.0).case_age == (0, 5) and loaded.cell(0.8, 2.0, 2.0).sighting_age is None


def test_the_shipped_calibration_reads_children_of_about_the_same_age_more_cautiously() -> None:
    """As measured on fgnet-dev (docs/benchmarks.md): a sighting of a child about as old as the case
    photo's child passes the operating point more often than the case photo's age band says; a pair
    read by the sighting's age is proposed only where such pairs rarely score as high."""
    shipped = load_calibration(CALIBRATION_FILE)
    assert shipped is not None
    for age in (2.0, 7.0, 13.0):
        by_case = shipped.cell(0.0, age, None)
        same_age = shipped.cell(0.0, age, None, sighting_age=age)
        assert same_age.sighting_age is not None and same_age.case_age == by_case.case_age
        at_default = next(s for s, p in by_case.curve if p <= LeadPolicy().propose_share)
        assert same_age.share(at_default) > by_case.share(at_default)


def test_every_shipped_cell_of_the_sightings_age_can_read_a_strong_lead() -> None:
    """A cell never claims more than its sample ("fewer than 1 in N"): each one of the sighting's age
    holds enough pairs that its floor leaves a strong lead reachable, and a bounded reading names no N."""
    shipped = load_calibration(CALIBRATION_FILE)
    assert shipped is not None
    cells = [b for b in shipped.bands if b.sighting_age is not None]
    assert len(cells) == 16 and all(1 / b.pairs <= LeadPolicy().strong_share for b in cells)
    for band in cells:
        case_age, sighting_age = band.case_age[0] + 1, band.sighting_age[0] + 1  # type: ignore[index]
        beyond = reading(shipped, LeadPolicy(), 1.5, case_age, None, sighting_age=sighting_age).lead
        assert beyond.strength.value == "strong" and beyond.bounded and beyond.one_in is None
