"""bench/rerank.py measures something: on a toy gallery where a case's second true sighting is far
from the case photo but close to its first one, each re-ranking lifts it above a stranger that the
plain score puts first; the caps keep at most m photos of each kind a person; and the ranks count a
distractor above the truth as the benchmark says (adults m times)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.corpus import Photo
from bench.nested import World
from bench.rerank import Gallery, cap_mask, ranks, rerank


def unit(*v: float) -> np.ndarray:
    x = np.asarray(v, dtype=float)
    return x / np.linalg.norm(x)


def toy() -> Gallery:
    """One case photo; sightings: the child's near one (0), the child's far one (1) that resembles the
    near one, a stranger (2) nearer the case than the far one, and two photos (3, 4) of people who
    resemble the stranger more than the case does."""
    case = unit(1, 0, 0, 0)
    items = np.stack([unit(1, 0.7, 0, 0), unit(0.3, 1, 0, 0), unit(0.7, 0, 1, 0),
                      unit(0.1, 0, 1, 0.3), unit(0, 0, 1, -0.3)])
    true = np.array([[True, True, False, False, False]])
    return Gallery(case[None, :], np.zeros(1), items, np.zeros(5), np.ones((1, 5), bool), true, ~true,
                   np.zeros(5, bool), np.ones(1, bool))


def rank_of_far(g: Gallery, s: np.ndarray) -> int:
    return int(np.argsort(-s[0]).tolist().index(1)) + 1


def test_each_re_ranking_lifts_the_sighting_its_neighbours_vouch_for() -> None:
    g = toy()
    plain = rerank(g, "qe", None)
    assert rank_of_far(g, plain) == 3  # below the stranger
    for method, params in (("qe", {"k": 1, "alpha": 0.0}), ("density", {"k": 1, "beta": 1.0}),
                           ("density-plain", {"k": 1, "beta": 1.0}),
                           ("krecip", {"k": 2, "mu": 2.0})):
        assert rank_of_far(g, rerank(g, method, params)) == 2, method
    # the best truth's rank is what the figures count: the near sighting stays first
    assert ranks(g, plain)[0] == 1


def test_the_density_bonus_discounts_a_face_that_resembles_everyone() -> None:
    """An item's bonus is its similarity to the query's top neighbour less its mean similarity to the
    rest of the gallery: a face close to everyone (5) gains less than the child's far sighting (1)."""
    g = toy()
    g.gvec = np.stack([*g.gvec, unit(1, 1, 1, 1)])
    g.ghub, g.adult = np.zeros(6), np.zeros(6, bool)
    g.present = np.ones((1, 6), bool)
    g.true = np.pad(g.true, ((0, 0), (0, 1)))
    g.distractor = np.pad(g.distractor, ((0, 0), (0, 1)), constant_values=True)
    bonus = rerank(g, "density", {"k": 1, "beta": 1.0}) - rerank(g, "density", None)
    among = g.gvec @ g.gvec.T
    for item in (1, 5):  # neither is the query's top item (0)
        expected = among[item, 0] - (among[item].sum() - 1) / 5
        assert np.isclose(bonus[0, item], expected)
    assert bonus[0, 1] > 2 * bonus[0, 5]
    plain = rerank(g, "density-plain", {"k": 1, "beta": 1.0}) - rerank(g, "density", None)
    assert np.allclose(plain[0, [1, 5]], among[[1, 5], 0])  # without the correction: the raw similarity


def test_ranks_count_adults_m_times_and_ignore_what_the_query_does_not_see() -> None:
    g = toy()
    s = np.array([[0.5, 0.4, 0.9, 0.8, 0.1]])
    assert ranks(g, s)[0] == 3
    g.adult = np.array([False, False, False, True, False])
    assert ranks(g, s, adults=10)[0] == 12
    g.present = np.array([[True, True, True, False, True]])
    assert ranks(g, s, adults=10)[0] == 2
    g.valid = np.zeros(1, bool)
    assert ranks(g, s)[0] == np.inf


def test_caps_keep_at_most_m_photos_of_each_kind_a_person() -> None:
    photos = [Photo(Path(f"/x/{s}a{a:02d}.jpg"), s, a, "") for s in ("a", "b") for a in (1, 3, 5, 7, 9, 20, 25, 30)]
    vectors = {p.path: unit(1, 0, 0, 0) for p in photos}
    world = World(photos, vectors, vectors)
    kept = cap_mask(world, 2)
    for s in ("a", "b"):
        mine = world.subject == s
        assert np.sum(kept & mine & world.later & (world.age < 18)) == 2
        assert np.sum(kept & mine & (world.age >= 18)) == 2
        assert not np.any(kept & mine & ~world.later)  # the case photo is never a sighting
    assert cap_mask(world, None).all()
