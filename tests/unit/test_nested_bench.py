"""The nested cross-validation benchmark measures something: on a synthetic corpus where everyone's
face moves the same way as they grow up, removing that direction finds more children, the inner
folds choose to remove it, and the mixed gallery counts only a child's sightings under 18."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.corpus import Photo
from bench.fitted import Config, fit
from bench.nested import Evaluation, Selection, World, run

AGES = (2, 5, 9, 14, 20, 30)


def growing_up(subjects: int = 30, dim: int = 16, drift: float = 4.0) -> tuple[list[Photo], dict[Path, np.ndarray]]:
    """Each person a random centre; every face moved along one shared direction by log(1 + age)."""
    rng = np.random.default_rng(11)
    along = rng.normal(size=dim)
    along /= np.linalg.norm(along)
    photos, vectors = [], {}
    for s in range(subjects):
        centre = rng.normal(size=dim)
        centre /= np.linalg.norm(centre)
        for age in AGES:
            photo = Photo(Path(f"/x/{s:03d}a{age:02d}.jpg"), f"{s:03d}", age, "")
            v = centre + drift * np.log1p(age) / 3 * along + 0.25 * rng.normal(size=dim) / np.sqrt(dim)
            photos.append(photo)
            vectors[photo.path] = v / np.linalg.norm(v)
    return photos, vectors


def test_removing_the_age_direction_finds_more_children() -> None:
    photos, vectors = growing_up()
    world = World(photos, vectors, vectors)
    training = [p for p in photos if int(p.subject) < 20]
    held = {p.subject for p in photos if int(p.subject) >= 20}
    everyone = {p.subject for p in photos}
    plain = Evaluation(fit(Config(shrinkage=1.0), vectors, training), world, held, everyone).dense()
    removed = Evaluation(fit(Config(shrinkage=1.0, age_dirs=1), vectors, training), world, held, everyone).dense()
    assert len(plain) == 10 * (len(AGES) - 1)
    assert np.mean(removed <= 1) > np.mean(plain <= 1) + 0.2


def test_nested_folds_choose_the_step_and_report_every_figure() -> None:
    photos, vectors = growing_up()
    steps = [("+ WCCN", [{"shrinkage": 1.0}]), ("+ age directions", [{"age_dirs": r} for r in (0, 1)])]
    rows = run(photos, vectors, vectors, outer=3, selection=Selection(3), steps=steps, alternatives=())
    assert [c["age_dirs"] for c in rows["+ age directions"]["chosen"]] == [1, 1, 1]
    kept = rows["kept steps, chosen inside (the default candidate)"]
    assert kept["dense"]["n"] == 30 * (len(AGES) - 1) and kept["case_to_sightings"]["n"] == 30
    assert kept["dense"]["r@10"] > rows["+ WCCN"]["dense"]["r@10"]
    # the mixed gallery: every case has sightings under 18 (ages 5, 9, 14); its truths are only those
    assert kept["case_to_sightings_mixed"]["n"] == 30
    assert kept["dense_multi"]["r@1"] >= kept["dense"]["r@1"]


def test_the_mixed_gallery_leaves_out_cases_seen_only_as_adults() -> None:
    photos, vectors = growing_up(subjects=6)
    adults_only = [p for p in photos if p.subject != "000" or p.age in (2, 20, 30)]
    world = World(adults_only, vectors, vectors)
    everyone = {p.subject for p in adults_only}
    evaluation = Evaluation(fit(Config(), vectors, adults_only), world, everyone, everyone)
    assert len(evaluation.case_to_sightings(mixed=False)) == 6
    assert len(evaluation.case_to_sightings(mixed=True)) == 5



def test_more_adults_in_the_gallery_rank_a_child_down_only_where_adults_are_above() -> None:
    """bench/adult_heavy.py: each adult's photo above a child's best true sighting counts m times;
    a case with no adult above keeps its rank."""
    photos, vectors = growing_up(subjects=8)
    world = World(photos, vectors, vectors)
    everyone = {p.subject for p in photos}
    evaluation = Evaluation(fit(Config(), vectors, photos), world, everyone, everyone)
    adults = world.age >= 18
    crowded = [s for s in sorted(everyone) if s < "004"]  # these cases get 3 other people's adult photos above
    for s in crowded:
        column = evaluation.total[:, world.case_of[s]]
        mine = (world.subject == s) & world.later & ~adults
        column[adults & (world.subject != s) & (world.subject < "004")] = column[mine].max() + 1.0
    once, tenfold = (evaluation.case_to_sightings(mixed=True, adults=m) for m in (1, 10))
    is_crowded = np.array([s in crowded for s in sorted(everyone)])
    assert np.all(tenfold[is_crowded] - once[is_crowded] >= 9 * 6)  # two adults' photos of each of 3 people
    assert np.array_equal(tenfold[~is_crowded], once[~is_crowded])
