"""The volume test's world (tests/e2e/test_volume.py) and what the pipeline does in it, replayed in
numpy: the same 20 cases and 300 sightings, each sighting grouped with the most alike earlier one
(``services.grouping``: transitive groups, the calibration's grouping rule), matched with its group's
faces fused as the worker fuses them, shortlisted at the operating point (≤ ``per_sighting`` cases a
sighting, ≤ ``per_case`` waiting proposals a case). What it predicts is what the test measures; a
gap between the two is a step of the pipeline this replay leaves out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from bench.corpus import Photo, by_subject, is_later
from reunite.adapters.faces.hubness import Hubness
from reunite.domain.grouping import GROUP_AGE_YEARS, GroupPolicy, same_child_by_face
from reunite.domain.leads import Calibration, LeadPolicy

NEIGHBOURS = 20  # services.grouping.NEIGHBOURS
EPOCH = date(1940, 1, 1)


def volume_selection(photos: list[Photo], cases: int = 20, sightings: int = 300,
                     seed: int | None = None) -> tuple[list[Photo], list[Photo]]:
    """The youngest photo of the first ``cases`` subjects photographed again later (as children), and
    ``sightings`` later photos of anyone; with ``seed``, ``cases`` such subjects drawn at random
    instead, and another draw of sightings (variations of the test's world)."""
    groups = by_subject(photos)
    chosen = [ps[0] for ps in groups.values() if (ps[0].age or 0) < 18 and any(is_later(p, ps[0]) for p in ps)]
    later = [p for ps in groups.values() for p in ps[1:] if is_later(p, ps[0])]
    rng = np.random.default_rng(2026 if seed is None else seed)
    if seed is not None:
        chosen = [chosen[i] for i in sorted(rng.choice(len(chosen), cases, replace=False))]
    picked = rng.choice(len(later), sightings, replace=False)
    return chosen[:cases], [later[i] for i in sorted(picked)]


def impostor_pairs(cases: list[Photo], sightings: list[Photo], births: dict[str, date]) -> int:
    """Pairs of a sighting and an open case of another child (a case is searched from its child's
    birth): each may be falsely proposed with probability at most the operating point."""
    return sum(1 for s in sightings for c in cases
               if c.subject != s.subject and births[c.subject] <= at_age(births[s.subject], s.age or 0))


def volume_births(photos: list[Photo]) -> dict[str, date]:
    """The simulated births (the corpus gives ages only), 97 days apart by subject."""
    return {s: EPOCH + timedelta(days=97 * i) for i, s in enumerate(sorted({p.subject for p in photos}))}


def at_age(birth: date, years: int) -> date:
    """The day a child born on ``birth`` turns ``years`` (the test's sightings are seen then, at noon)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # born on 29 February
        return birth.replace(year=birth.year + years, day=28)


@dataclass(frozen=True)
class Files:
    """The shipped files as the pipeline reads them."""

    matrix: np.ndarray
    reference: Hubness | None
    calibration: Calibration


def _adapt(vector: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    moved = matrix @ vector
    return np.asarray(moved / np.linalg.norm(moved))


def replay(photos: list[Photo], raw: dict[Path, np.ndarray], thorough: dict[Path, np.ndarray], files: Files,
           fuse: str | None = "mean", policy: LeadPolicy | None = None, seed: int | None = None) -> dict[str, Any]:
    """The volume test through the pipeline's steps; ``fuse``: grouped sightings matched fused
    ("mean": as the worker does; "normalized": as it did before; None: not at all); ``seed``: a
    variation of the test's world (``volume_selection``)."""
    policy = policy or LeadPolicy()
    group_share = GroupPolicy().share
    cases, sightings = volume_selection(photos, seed=seed)
    births = volume_births(photos)
    sightings = [s for s in sightings if s.path in raw]
    cases = [c for c in cases if c.path in thorough]

    def years(subject: str, age: int) -> float:  # a day, in years of 365.25 days since EPOCH
        return (at_age(births[subject], age) - EPOCH).days / 365.25

    case_vectors = np.stack([_adapt(thorough[c.path], files.matrix) for c in cases])
    case_birth = np.array([years(c.subject, 0) for c in cases])
    case_age = np.array([c.age or 0 for c in cases], dtype=float)
    vectors = np.stack([_adapt(raw[s.path], files.matrix) for s in sightings])
    hub = files.reference(vectors) if files.reference is not None else np.zeros(len(sightings))
    seen = np.array([years(s.subject, s.age or 0) for s in sightings])
    group: dict[int, int] = {}
    proposals: list[tuple[float, int, int]] = []  # (score, case, sighting), as the candidates table holds them
    sizes, mixed = [], 0
    for j in range(len(sightings)):
        _join(j, vectors, hub, seen, group, files.calibration, group_share)
        members = [i for i in range(j + 1) if j in group and group.get(i) == group[j]] if fuse else []
        vector, h = _face(vectors, hub, members or [j], fuse)
        if len(members) >= 2:
            sizes.append(len(members))
            mixed += len({sightings[i].subject for i in members}) > 1
        open_cases = np.flatnonzero(case_birth <= seen[j])
        scores = case_vectors[open_cases] @ vector - h
        gaps = np.maximum(seen[j] - case_birth[open_cases] - case_age[open_cases], 0.0)
        shares = np.array([files.calibration.band_for(a, g).share(float(x))
                           for a, g, x in zip(case_age[open_cases], gaps, scores, strict=True)])
        kept = _shortlist(scores, shares, policy)
        proposals = _trim(proposals + [(float(scores[i]), int(open_cases[i]), j) for i in kept], policy.per_case)
    truth = {j: next((c for c, case in enumerate(cases) if case.subject == s.subject), None)
             for j, s in enumerate(sightings)}
    true_sightings = sum(t is not None for t in truth.values())
    found = len({j for _, c, j in proposals if truth[j] == c})
    per_case = [sum(c == k for _, c, _ in proposals) for k in range(len(cases))]
    return {"cases": len(cases), "sightings": len(sightings), "true_sightings": true_sightings,
            "impostor_pairs": impostor_pairs(cases, sightings, births),
            "true_proposed": round(found / true_sightings, 3),
            "false_proposals": sum(truth[j] != c for _, c, j in proposals), "most_per_case": max(per_case),
            "grouped_matched": len(sizes), "mean_fused_group": round(float(np.mean(sizes)), 2) if sizes else 1.0,
            "fused_groups_of_several_children": mixed}


def _face(vectors: np.ndarray, hub: np.ndarray, members: list[int], fuse: str | None) -> tuple[np.ndarray, float]:
    """The face a sighting is matched with, and its hubness: its own, or its group's fused
    (``domain.grouping.fuse_group``: the unnormalised mean, so its scores are the members' mean)."""
    if len(members) < 2:
        return vectors[members[0]], float(hub[members[0]])
    fused = vectors[members].mean(axis=0)
    return (fused if fuse == "mean" else fused / np.linalg.norm(fused)), float(hub[members].mean())


def _shortlist(scores: np.ndarray, shares: np.ndarray, policy: LeadPolicy) -> list[int]:
    """``services.matching.shortlist``: the best-scoring cases proposable at the operating point."""
    order = np.argsort(-scores)
    return [int(i) for i in order if shares[i] <= policy.propose_share and scores[i] >= 0][: policy.per_sighting]


def _join(j: int, vectors: np.ndarray, hub: np.ndarray, seen: np.ndarray, group: dict[int, int],
          calibration: Calibration, share: float) -> None:
    """``services.grouping.group_sighting``: the most alike earlier sighting among the nearest that the
    same child could have been (within GROUP_AGE_YEARS), and its group (created if need be)."""
    earlier = np.flatnonzero(seen[: j + 1] >= seen[j] - GROUP_AGE_YEARS)
    near = earlier[np.argsort(-(vectors[earlier] @ vectors[j]), kind="stable")][:NEIGHBOURS]
    best: tuple[float, int] | None = None
    for i in near:
        gap = abs(seen[i] - seen[j])
        if i == j or gap > GROUP_AGE_YEARS:
            continue
        score = float(vectors[i] @ vectors[j]) - max(float(hub[i]), float(hub[j]))
        if same_child_by_face(calibration, score, gap, share) and (best is None or score > best[0]):
            best = (score, int(i))
    if best is not None:
        group.setdefault(best[1], max(group.values(), default=-1) + 1)
        group[j] = group[best[1]]


def _trim(proposals: list[tuple[float, int, int]], keep: int) -> list[tuple[float, int, int]]:
    """Each case keeps its ``keep`` best-scoring waiting proposals."""
    out: list[tuple[float, int, int]] = []
    for case in {c for _, c, _ in proposals}:
        out += sorted((p for p in proposals if p[1] == case), key=lambda p: -p[0])[:keep]
    return out
