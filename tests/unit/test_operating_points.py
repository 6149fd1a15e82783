"""The operating-point benchmark measures something: on a synthetic corpus where each person's
photos are alike, it proposes true matches and few false ones, and stricter points propose fewer."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.corpus import Photo
from bench.operating_points import OPS, run
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
    assert all(c["measured_false_match_rate"] <= 3 * OPS[4] for c in cells.values() if c["pairs"] >= MIN_PAIRS)
