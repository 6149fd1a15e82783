"""The cross-age search protocol's figures, computed for any scorer.

A scorer gives the score of a query photo against a case made of one or more photos (higher is a
better match). The project's scorer is its own ranking (``reunite.domain.scoring``); the baseline's
is minus the euclidean distance to the case's single photo."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from bench.corpus import Photo, by_subject, is_later

Scorer = Callable[[Photo, Sequence[Photo]], float]
CURVE_KS = tuple(range(1, 51))
GAP_BINS = (("0-2", 0, 2), ("3-5", 3, 5), ("6-10", 6, 10), ("11+", 11, 999))
MISSING = -1e9


@dataclass(frozen=True)
class Query:
    sighting: Photo
    truth: str  # subject


BIRTHS_FROM, BIRTHS_SPAN = date(1970, 1, 1), 3653  # simulated births: one day each over ten years


def birth_dates(photos: Sequence[Photo]) -> dict[str, date]:
    """Simulated birth dates (corpora give ages, or stages, never dates): a different day for each subject
    within ten years, so that photo dates stay in the past whatever the corpus's size."""
    subjects = sorted({p.subject for p in photos})
    return {s: BIRTHS_FROM + timedelta(days=(97 * i) % BIRTHS_SPAN) for i, s in enumerate(subjects)}


def years_after(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February in a year without one."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def photo_date(birth: date, photo: Photo) -> date:
    years = photo.age if photo.age is not None else (8 if photo.stage == "young" else 30)
    return years_after(birth, years)


def _recall(ranks: Sequence[float], ks: Sequence[int]) -> dict[str, float | None]:
    """Recall@K; None (JSON null, never a bare NaN) for an empty cell."""
    arr = np.asarray(ranks, dtype=float)
    return {f"r@{k}": round(float(np.mean(arr <= k)), 4) if len(arr) else None for k in ks}


def _rank(true_score: float, others: Sequence[float]) -> float:
    if true_score <= MISSING:
        return float("inf")
    return 1 + sum(1 for s in others if s > true_score)


def _breakdown(rows: list[tuple[float, int | None, int | None]], ks: Sequence[int]) -> dict[str, Any]:
    """rows: (rank, age gap, case photo age). ``curve`` holds recall@K for K = 1..50 (for plots)."""
    ranks = [r for r, _, _ in rows]
    out: dict[str, Any] = {"all": _recall(ranks, ks) | {"n": len(rows)},
                           "curve": _recall(ranks, CURVE_KS) | {"n": len(rows)}}
    for name, low, high in GAP_BINS:
        sub = [r for r, gap, _ in rows if gap is not None and low <= gap <= high]
        out[f"gap {name}"] = _recall(sub, ks) | {"n": len(sub)}
    for name, test in (("case age <10", lambda a: a < 10), ("case age 10+", lambda a: a >= 10)):
        sub = [r for r, _, age in rows if age is not None and test(age)]
        out[name] = _recall(sub, ks) | {"n": len(sub)}
    return out


def _gap(sighting: Photo, case: Photo) -> int | None:
    return None if sighting.age is None or case.age is None else sighting.age - case.age


class Protocol:
    def __init__(self, photos: Sequence[Photo], subjects: set[str] | None = None) -> None:
        """``subjects``: evaluate only queries of these subjects (the held-out fold); galleries stay whole."""
        self.groups = by_subject(list(photos))
        self.cases = {s: ps[0] for s, ps in self.groups.items()}
        self.queries = [
            Query(p, s) for s, ps in self.groups.items() for p in ps[1:]
            if is_later(p, ps[0]) and (subjects is None or s in subjects)
        ]
        self.case_queries = [s for s in self.groups if any(q.truth == s for q in self.queries)]

    def younger(self, subject: str, than: Photo) -> list[Photo]:
        older = [p for p in self.groups[subject] if is_later(than, p)]
        return older or [self.groups[subject][0]]

    def sighting_to_case(self, score: Scorer, multi: bool = False) -> dict[str, Any]:
        rows = []
        for q in self.queries:
            def case_of(s: str, q: Query = q) -> list[Photo]:
                return self.younger(s, q.sighting) if multi else [self.cases[s]]
            scores = {s: score(q.sighting, case_of(s)) for s in self.groups}
            true = scores.pop(q.truth)
            rows.append((_rank(true, list(scores.values())), _gap(q.sighting, self.cases[q.truth]),
                         self.cases[q.truth].age))
        return _breakdown(rows, (1, 5, 10, 20)) | {"gallery": len(self.groups)}

    def dense(self, score: Scorer, multi: bool = False) -> dict[str, Any]:
        """The true case against every photo of every other subject, each a separate case."""
        rows, gallery = [], 0
        for q in self.queries:
            true_case = self.younger(q.truth, q.sighting) if multi else [self.cases[q.truth]]
            others = [score(q.sighting, [p]) for s, ps in self.groups.items() if s != q.truth for p in ps]
            gallery = len(others) + 1
            rows.append((_rank(score(q.sighting, true_case), others), _gap(q.sighting, self.cases[q.truth]),
                         self.cases[q.truth].age))
        return _breakdown(rows, (1, 10, 20)) | {"gallery": gallery}

    def case_to_sightings(self, score: Scorer) -> dict[str, Any]:
        """For each case photo, rank all sightings of all subjects; a hit is any true sighting in the top K."""
        every_sighting = [Query(p, s) for s, ps in self.groups.items() for p in ps[1:] if is_later(p, ps[0])]
        rows = []
        for subject in self.case_queries:
            case = self.cases[subject]
            scored = [(score(q.sighting, [case]), q.truth == subject) for q in every_sighting]
            true_best = max((s for s, t in scored if t), default=MISSING)
            others = [s for s, t in scored if not t]
            rows.append((_rank(true_best, others), None, case.age))
        return _breakdown(rows, (1, 5, 10, 20, 50))

    def verification(self, score: Scorer) -> dict[str, Any]:
        genuine, impostor = [], []
        for q in self.queries:
            for s, case in self.cases.items():
                value = score(q.sighting, [case])
                if value <= MISSING:
                    continue
                (genuine if s == q.truth else impostor).append(value)
        out: dict[str, Any] = {"genuine_pairs": len(genuine), "impostor_pairs": len(impostor)}
        for far in (1e-2, 1e-3):
            threshold = float(np.quantile(impostor, 1 - far))
            out[f"TAR@FAR={far:g}"] = round(float(np.mean(np.asarray(genuine) > threshold)), 4)
        return out

    def all_figures(self, score: Scorer) -> dict[str, Any]:
        return {
            "sighting_to_case": self.sighting_to_case(score),
            "sighting_to_case_multi": self.sighting_to_case(score, multi=True),
            "dense": self.dense(score),
            "dense_multi": self.dense(score, multi=True),
            "case_to_sightings": self.case_to_sightings(score),
            "verification": self.verification(score),
        }
