"""The operating-point benchmark measures something: on a synthetic corpus where each person's
photos are alike, it proposes true matches and few false ones, and stricter points propose fewer."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.corpus import Photo
from bench.operating_points import OPS, calibrate, run
from reunite.domain.leads import MIN_PAIRS


def synthetic(subjects: int = 24, per: int = 5, noise: float = 0.6,
              dim: int = 12) -> tuple[list[Photo], dict[Path, np.ndarray]]:
    rng = np.random.default_rng(5)
    photos, vectors = [], {}
    for s in range(subjects):
        centre = rng.normal(size=dim)
        for k in range(per):
            photo = Photo(Path(f"/x/{s:03d}a{k * 3:02d}.jpg"), f"{s:03d}", 2 + k * 3 + s % 3, "")
            v = centre + noise * rng.normal(size=dim) * np.sqrt(dim) / np.linalg.norm(centre)
            photos.append(photo)
            vectors[photo.path] = v / np.linalg.norm(v)
    return photos, vectors


def test_operating_points_trade_true_matches_for_false_proposals() -> None:
    photos, vectors = synthetic()
    result = run(photos, vectors, vectors, 3, bundled=False)
    table = result["table"]
    assert result["sightings"] == 24 * 4 and result["gallery"] == 1 + 23 * 5
    assert [row["one_in"] for row in table] == [round(1 / op) for op in OPS]
    loose, strict = table[0], table[-1]
    assert loose["true_proposed"] > 0.5
    assert strict["false_per_1000_sightings"] <= loose["false_per_1000_sightings"]
    assert strict["true_proposed_uncapped"] <= loose["true_proposed_uncapped"]
    assert all(row["true_proposed"] <= row["true_proposed_uncapped"] for row in table)
    for row in table[:4]:  # the calibration, fitted on other people, holds on these: about 1 in N
        assert row["measured_false_match_rate"] <= 3 / row["one_in"]
    assert result["grouping"]["single sighting"]["n"] == 96
    cells = result["false_match_rate_by_cell_at_default"]  # the calibration by age band, checked band by band
    assert len(cells) >= 6  # cells as large as the calibration's own (MIN_PAIRS) hold about 1 in N too
    assert all(c["measured_false_match_rate"] <= 3 * OPS[4] for k, c in cells.items()
               if c["pairs"] >= MIN_PAIRS and "sighting age" not in k)


def test_the_calibration_by_the_sightings_age_is_fitted_and_read() -> None:
    """Cells of case photo age × the sighting's true age, each from its own pairs (a sighting against
    another child's photo), left out when too thin; the dense evaluation reads sightings by them."""
    photos, vectors = synthetic(subjects=60)
    fitted = calibrate(photos, vectors, vectors, dict.fromkeys(vectors, 0.0))
    two_way = [b for b in fitted.bands if b.sighting_age is not None]
    assert two_way and all(b.pairs >= MIN_PAIRS and b.case_age is not None for b in two_way)
    later = {p.path for p in photos if not p.path.name.endswith("a00.jpg")}  # every photo after a subject's first
    for band in two_way:
        assert band.pairs == sum(
            1 for s in photos if s.path in later and band.sighting_age[0] <= s.age < band.sighting_age[1]
            for c in photos if c.subject != s.subject and band.case_age[0] <= c.age < band.case_age[1])
    by_case = run(photos, vectors, vectors, 3, bundled=False)
    by_sighting = run(photos, vectors, vectors, 3, bundled=False, by_sighting_age=True)
    assert by_case["table"] != by_sighting["table"]  # some pairs were read by another cell
    rows = by_sighting["false_match_rate_by_cell_at_default"]
    every_other_childs_photo = 240 * 59 * 5  # sightings × other subjects × their photos
    assert sum(v["pairs"] for k, v in rows.items() if k.startswith("sighting age")) == every_other_childs_photo
    for row in by_sighting["table"][:4]:
        assert row["measured_false_match_rate"] <= 3 / row["one_in"]
