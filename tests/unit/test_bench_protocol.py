"""The accuracy benchmark accepts every corpus layout of shared/corpus/README.md: ages or stages only,
any number of subjects (a simulated 29 February included), and writes strict JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np

from bench.accuracy import project_scorer
from bench.corpus import Photo, load
from bench.protocol import Protocol, birth_dates, photo_date, years_after
from reunite.domain.scoring import MatchPolicy


def stage_corpus(folder: Path, subjects: int) -> list[Photo]:
    """A corpus in the ``stage`` layout (no ages), as large sets of children and adults give it."""
    rows = ["file,subject,stage"] + [f"s{i}_{stage}.jpg,s{i},{stage}" for i in range(subjects)
                                      for stage in ("young", "adult")]
    (folder / "manifest.csv").write_text("\n".join(rows) + "\n")
    return load(folder)


def test_simulated_births_stay_in_the_past_and_29_february_ages(tmp_path: Path) -> None:
    photos = stage_corpus(tmp_path, 1100)
    births = birth_dates(photos)
    assert len(set(births.values())) == 1100  # no two subjects share a birth day
    assert max(photo_date(births[p.subject], p) for p in photos) < date.today()
    leap = Photo(tmp_path / "x.jpg", "x", None, "adult")
    assert photo_date(date(1972, 2, 29), leap) == date(2002, 2, 28)  # the day that crashed the benchmark
    assert years_after(date(1972, 2, 29), 4) == date(1976, 2, 29)


def test_a_stage_corpus_gives_strict_json_and_no_age_term(tmp_path: Path) -> None:
    photos = stage_corpus(tmp_path, 6)
    rng = np.random.default_rng(0)
    vectors = {}
    for p in photos:  # each subject's two photos alike, different subjects apart
        base = rng.standard_normal(128) if p.stage == "young" else vectors[p.path.with_name(
            p.path.name.replace("adult", "young"))]
        vectors[p.path] = base / np.linalg.norm(base)
    births = birth_dates(photos)
    with_age = project_scorer(vectors, births, MatchPolicy(), age_noise=3)
    without = project_scorer(vectors, births, MatchPolicy(), age_noise=None)
    queries: Sequence[Photo] = [p for p in photos if p.stage == "adult"]
    cases = {p.subject: p for p in photos if p.stage == "young"}
    # no ages in the corpus: the simulated reporter's age estimate changes nothing
    assert [with_age(q, [c]) for q in queries for c in cases.values()] == \
        [without(q, [c]) for q in queries for c in cases.values()]
    figures = Protocol(photos).all_figures(with_age)
    text = json.dumps(figures, allow_nan=False)  # empty cells (no ages: no gap bins) are null, not NaN
    assert figures["sighting_to_case"]["all"]["r@1"] == 1.0 and figures["sighting_to_case"]["gap 0-2"]["r@1"] is None
    assert "NaN" not in text
