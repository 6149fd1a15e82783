"""The ensemble benchmark measures something: an ensemble's scores are its members' mean (a member that
removes the direction everyone's face moves along with age lifts it), every variant answers every
held-out query, and the analytic shrinkage shrinks a covariance that few photos estimate poorly much
more than one that many photos estimate well."""

from __future__ import annotations

import numpy as np

from bench.ensemble import averaged_metric, bootstrap, mean_evaluation, run, shrinkage_estimate, variants
from bench.fitted import Config, fit
from bench.nested import Evaluation, World
from tests.unit.test_nested_bench import AGES, growing_up


def test_an_ensemble_scores_the_mean_of_its_members() -> None:
    photos, vectors = growing_up()
    world = World(photos, vectors, vectors)
    training = [p for p in photos if int(p.subject) < 20]
    held = {p.subject for p in photos if int(p.subject) >= 20}
    everyone = {p.subject for p in photos}
    plain, removed = Config(shrinkage=1.0), Config(shrinkage=1.0, age_dirs=1)
    alone = Evaluation(fit(plain, vectors, training), world, held, everyone)
    one = mean_evaluation([(plain, training)], world, held, everyone)
    assert np.array_equal(one.dense(), alone.dense())
    both = mean_evaluation([(plain, training), (removed, training)], world, held, everyone)
    other = Evaluation(fit(removed, vectors, training), world, held, everyone)
    assert np.allclose(both.total, (alone.total + other.total) / 2)
    assert np.mean(both.dense() <= 1) > np.mean(alone.dense() <= 1) + 0.1
    # one member's metric, averaged alone, is that member's map up to a rotation: the same ranks
    assert np.array_equal(averaged_metric([(removed, training)], world, held, everyone, {}).dense(), other.dense())


def test_every_variant_answers_every_held_out_query() -> None:
    photos, vectors = growing_up()
    small_grid = [{"shrinkage": s, "age_dirs": r, "hub_weight": 0.5, "hub_k": 8} for s in (1.0, 4.0) for r in (0, 1)]
    figures = run(photos, vectors, vectors, outer=3, chosen=variants(3, small_grid), seed=1)
    assert set(figures) == set(variants(1))
    world = World(photos, vectors, vectors)
    everyone = {p.subject for p in photos}
    cosine = np.mean(Evaluation(fit(Config(), vectors, photos), world, everyone, everyone).dense() <= 1)
    for name, row in figures.items():
        assert row["dense"]["n"] == 30 * (len(AGES) - 1) and row["case_to_sightings_mixed"]["n"] == 30, name
        assert row["dense"]["r@1"] > cosine, name  # every variant removes the age direction, at least in part
    assert 0 < figures["lw"]["first_member_shrinkage"][0] < figures["shipped"]["first_member_shrinkage"][0]


def test_a_bootstrap_draws_as_many_people_as_it_resamples() -> None:
    photos, _ = growing_up(subjects=10)
    bags = bootstrap(photos, 4, seed=0)
    for bag in bags:
        people = {p.subject for p in bag}
        assert len(people) == 10 and len({s.split("#")[0] for s in people}) < 10  # some drawn twice
        assert len(bag) == 10 * len(AGES)


def test_analytic_shrinkage_follows_how_well_the_photos_estimate_the_covariance() -> None:
    rng = np.random.default_rng(3)
    scales = np.geomspace(1, 30, 16)
    for method in ("lw", "oas"):
        few_isotropic = shrinkage_estimate(rng.normal(size=(20, 16)), method)
        many_anisotropic = shrinkage_estimate(rng.normal(size=(5000, 16)) * scales, method)
        assert few_isotropic > 0.5 and many_anisotropic < 0.05, method
