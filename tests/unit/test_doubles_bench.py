"""bench/doubles.py measures something: on a toy set of case photos (one child photographed at 2, 4 and 9,
two other children whose faces are nothing alike), every reading flags the one child's pairs and none of
the others', each pair counted once per reading in the band of its photos' gap; the check as it was reads
a pair once from each case (each counted half); and it refuses, rather than report no flags, when no
photo is a child's, nothing is embedded, or either kind of pair is missing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.corpus import Photo
from bench.doubles import count, merge
from reunite.adapters.faces.hubness import Hubness
from reunite.domain.leads import Calibration, fit_band

CALIBRATION = Calibration((fit_band(None, None, np.random.default_rng(3).normal(0.3, 0.1, 20_000).tolist()),))
READINGS = {"before", "by ages", "no dates", "with the older photo's age", "by ages, at 1 in 2,000",
            "by ages, at 1 in 500"}


def unit(*v: float) -> np.ndarray:
    x = np.asarray(v, dtype=float)
    return x / np.linalg.norm(x)


def photo(subject: str, age: int) -> Photo:
    return Photo(Path(f"/toy/{subject}{age:02d}.jpg"), subject, age, "")


A2, A4, A9, B8, C3, A30 = photo("a", 2), photo("a", 4), photo("a", 9), photo("b", 8), photo("c", 3), photo("a", 30)
PHOTOS = [A2, A4, A9, B8, C3, A30]
VECTORS = {A2.path: unit(1, 0, 0, 0), A4.path: unit(1, 0, 0, 0.02), A9.path: unit(1, 0, 0, -0.02),
           B8.path: unit(0, 1, 0, 0), C3.path: unit(0, 0, 1, 0), A30.path: unit(1, 0, 0, 0.01)}


class Fixed(Hubness):
    """Each face's hubness given outright (the photos' order as ``count`` keeps them)."""

    def __init__(self, values: list[float]) -> None:
        super().__init__(np.zeros((1, 4)), 0.0)
        self.values = np.asarray(values)

    def __call__(self, vectors: np.ndarray) -> np.ndarray:
        assert len(vectors) == len(self.values)
        return self.values


def test_one_childs_pairs_are_flagged_two_childrens_are_not_each_pair_once_in_its_gap_band() -> None:
    figures = merge([count(PHOTOS, VECTORS, None, CALIBRATION)])
    # the adult photo (30) is no case photo: 5 photos, 10 pairs; 3 of one subject, 7 of two
    expected = {"true": 3, "true, photos 0-2 years apart": 1, "true, photos 3-5 years apart": 1,
                "true, photos 6-17 years apart": 1,
                "false": 7, "false, photos 0-2 years apart": 3, "false, photos 3-5 years apart": 2,
                "false, photos 6-17 years apart": 2}
    assert set(figures) == set(expected)
    for key, pairs in expected.items():
        assert set(figures[key]) == READINGS
        for name, cell in figures[key].items():
            assert cell["pairs"] == pairs, (key, name)
            flagged = pairs if key.startswith("true") else 0
            assert cell["flagged"] == flagged and cell["rate"] == flagged / pairs, (key, name)


def test_the_check_as_it_was_reads_a_pair_from_each_case_each_counted_half() -> None:
    """The 2-year-old photo's face resembles everyone (hubness 0.9): read from its case the pair is no
    double, from the other case it is; the shipped reading subtracts the older photo's hubness, without
    dates the larger."""
    hubs = Fixed([0.9, 0.0, 0.0, 0.0, 0.0])  # A2, A4, A9, B8, C3
    figures = merge([count(PHOTOS, VECTORS, hubs, CALIBRATION)])["true"]
    assert {name: cell["pairs"] for name, cell in figures.items()} == dict.fromkeys(READINGS, 3)
    assert figures["before"]["flagged"] == 2.0  # A2-A4 and A2-A9 half each, A4-A9 whole
    assert figures["by ages"]["flagged"] == 3
    assert figures["no dates"]["flagged"] == 1  # A4-A9 only


def test_folds_add_up() -> None:
    one = count(PHOTOS, VECTORS, None, CALIBRATION)
    twice = merge([one, count(PHOTOS, VECTORS, None, CALIBRATION)])
    assert twice["true"]["by ages"] == {"flagged": 6, "pairs": 6, "rate": 1.0}
    assert twice["false, photos 0-2 years apart"]["before"] == {"flagged": 0, "pairs": 6, "rate": 0.0}


@pytest.mark.parametrize(("photos", "vectors"), [
    ([photo("a", 30), photo("b", 40)], None),  # no photo is a child's
    (PHOTOS, {}),  # nothing embedded
    ([A2, A30], None),  # one case photo: no pair
])
def test_no_pair_to_read_is_refused_not_reported_as_no_flags(photos: list[Photo],
                                                             vectors: dict[Path, np.ndarray] | None) -> None:
    given = vectors if vectors is not None else {p.path: unit(1, 0, 0, 0) for p in photos}
    with pytest.raises(ValueError, match="no pair of case photos"):
        count(photos, given, None, CALIBRATION)


def test_a_corpus_without_true_doubles_or_without_false_flags_is_refused() -> None:
    one_each = [A2, B8, C3]  # every child photographed once: no true double to measure
    with pytest.raises(ValueError, match="no true pairs"):
        merge([count(one_each, VECTORS, None, CALIBRATION)])
    one_child = [A2, A4, A9]
    with pytest.raises(ValueError, match="no false pairs"):
        merge([count(one_child, VECTORS, None, CALIBRATION)])
    with pytest.raises(ValueError, match="no true pairs"):
        merge([])
