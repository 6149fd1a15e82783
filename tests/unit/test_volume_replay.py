"""The volume test's replay (bench/volume.py) measures something: on a synthetic corpus whose people
share a common face direction, it groups sightings, proposes true matches, and its false proposals
stay near what the calibration allows (and rise when groups are fused as a normalised mean)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.corpus import Photo
from bench.operating_points import calibrate
from bench.volume import Files, replay


def corpus(subjects: int = 41, per: int = 9, dim: int = 16) -> tuple[list[Photo], dict[Path, np.ndarray]]:
    rng = np.random.default_rng(8)
    common = 1.5 * rng.normal(size=dim)
    photos, vectors = [], {}
    for s in range(subjects):
        centre = common + rng.normal(size=dim)
        for k in range(per):
            photo = Photo(Path(f"/x/{s:03d}a{k:02d}.jpg"), f"s{s:03d}", 2 * k + s % 2, "")
            photos.append(photo)
            vectors[photo.path] = centre + 0.45 * rng.normal(size=dim)
    return photos, {p: v / np.linalg.norm(v) for p, v in vectors.items()}


def test_the_replay_groups_proposes_and_keeps_false_proposals_near_the_calibration() -> None:
    photos, vectors = corpus()
    calibration = calibrate(photos, vectors, vectors, dict.fromkeys(vectors, 0.0))
    files = Files(np.eye(16), None, calibration)
    result = replay(photos, vectors, vectors, files)
    assert result["cases"] == 20 and result["sightings"] == 300 and result["true_sightings"] > 100
    assert result["grouped_matched"] > 20
    assert result["true_proposed"] > 0.3
    assert result["false_proposals"] <= 0.002 * 20 * 300 * 2 + 5
    normalised = replay(photos, vectors, vectors, files, fuse="normalized")
    assert normalised["false_proposals"] > result["false_proposals"]
    assert replay(photos, vectors, vectors, files, fuse=None)["grouped_matched"] == 0
