"""Fusing an operator's second face model with dlib (domain/fusion.py): what a reviewer's ranking and
the calibrated "1 in N" rely on, checked without any I/O."""

from __future__ import annotations

import numpy as np

from reunite.domain.fusion import Spread, fused_similarity
from reunite.domain.scoring import MatchPolicy

POLICY = MatchPolicy(extra_weight=0.5, extra_min_pairs=100)
SPREAD = Spread(base_mean=0.1, base_sd=0.1, extra_mean=0.0, extra_sd=0.05, pairs=1600)


def test_the_second_model_counts_on_dlibs_scale() -> None:
    # two spreads above the model's mean between strangers is worth two of dlib's spreads above dlib's mean
    assert fused_similarity(POLICY, SPREAD, 0.5, 0.1) == 0.5 * 0.5 + 0.5 * (0.1 + 0.1 * 2)
    # a face dlib finds alike and the model does not falls; one both find alike keeps its place
    assert fused_similarity(POLICY, SPREAD, 0.5, 0.0) < 0.5 < fused_similarity(POLICY, SPREAD, 0.5, 0.3)


def test_without_its_embedding_or_enough_pairs_dlib_decides_alone() -> None:
    assert fused_similarity(POLICY, SPREAD, 0.42, None) == 0.42
    assert fused_similarity(POLICY, None, 0.42, 0.3) == 0.42
    few = Spread(0.1, 0.1, 0.0, 0.05, pairs=99)
    assert fused_similarity(POLICY, few, 0.42, 0.3) == 0.42
    off = MatchPolicy(extra_weight=0.0)
    assert fused_similarity(off, SPREAD, 0.42, 0.3) == 0.42


def test_strangers_keep_dlibs_mean_and_no_wider_spread() -> None:
    """The calibration was measured on dlib's similarity between different children: fused, those pairs
    keep its mean and their spread does not grow, so a calibrated "1 in N" errs only on the careful side."""
    rng = np.random.default_rng(0)
    base = 0.1 + 0.1 * rng.standard_normal(5000)
    extra = 0.05 * (0.4 * (base - 0.1) / 0.1 + np.sqrt(1 - 0.16) * rng.standard_normal(5000))
    fused = np.array([fused_similarity(POLICY, SPREAD, b, x) for b, x in zip(base, extra, strict=True)])
    assert abs(fused.mean() - 0.1) < 0.005 and fused.std() < base.std()
    # a constant model (no spread) cannot blow up the scale
    flat = Spread(0.1, 0.1, 0.3, 0.0, pairs=1600)
    assert -1.0 <= fused_similarity(POLICY, flat, 0.5, 0.9) <= 1.0
