"""bench/tta.py tells a better embedding from a worse one on the same queries: on a synthetic corpus, the
embedding with less noise finds more children and its paired interval lies above 0; the same
embedding compared with itself differs by exactly 0."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.fitted import Config
from bench.tta import compare, mean_embedding
from tests.unit.test_nested_bench import growing_up


def noisier(vectors: dict[Path, np.ndarray], amount: float, seed: int) -> dict[Path, np.ndarray]:
    rng = np.random.default_rng(seed)
    out = {}
    for path, v in vectors.items():
        moved = v + amount * rng.normal(size=len(v)) / np.sqrt(len(v))
        out[path] = moved / np.linalg.norm(moved)
    return out


def test_the_less_noisy_embedding_wins_and_an_identical_one_ties() -> None:
    photos, clean = growing_up(subjects=30, drift=0.0)
    base = noisier(clean, 1.2, 1)
    # like test-time augmentation: the mean of two noisy looks at each face has less noise
    averaged = mean_embedding([base, noisier(clean, 1.2, 2)])
    result = compare(photos, {"base": (base, base), "averaged": (averaged, averaged), "same": (base, base)},
                     Config(), seeds=[1, 2])
    better, same = result["averaged"]["dense r@1"], result["same"]["dense r@1"]
    assert better["recall"] > result["base"]["dense r@1"]["recall"]
    assert better["low"] > 0 and better["difference"] > 0
    assert same["difference"] == same["low"] == same["high"] == 0
    assert result["base"]["dense r@1"]["n"] == 30 * 5 and result["base"]["case_to_sightings r@1"]["n"] == 30
