"""Fitted steps with nothing chosen inside the folds (issue 14): ensembles, bagging, analytic shrinkage.

    python bench/ensemble.py CORPUS [--outer 5] [--fold-seeds 2026 1 2 3 4 5 6 7] [--bags 25]
                             [--variants ID ...] [--no-case-jitter] [--out FILE]
    python bench/ensemble.py - --combine RUN.json ...   # the table over several runs' partitions

bench/nested.py chooses each step's value on inner folds of about 26 people and loses, against the
shipped recipe merely re-fitted per fold, what that choice's instability costs. Every variant here is
fitted on the outer training subjects only and chooses nothing there, so its nested figure is its
re-fitted figure:

- ``grid``: the mean score of every configuration of bench/nested.py's inner grid of the shipped steps
  (WCCN shrinkage × age directions × hubness: 4 × 5 × 7), each fitted on the training subjects;
  ``grid-scaled``: each member's score first divided by its spread between strangers among the
  training subjects (so a member whose scores spread wider does not weigh more); ``grid-metric``: the
  members' metrics averaged into one linear map (one 128-d vector a face, as shipped today);
- ``bagged``: the shipped recipe fitted on B bootstrap resamples of the training *subjects* (a subject
  drawn twice counts as two people), scores averaged;
- ``lw``, ``oas``: WCCN shrunk by the Ledoit–Wolf or oracle-approximating estimate computed on the
  training subjects' within-person deviations; age directions and hubness as shipped (values seen on
  every outer fold before: a hair optimistic); ``lw-grid``: Ledoit–Wolf WCCN and the mean score over
  the grid of age directions × hubness (nothing seen); ``lw-bagged``: ``lw`` fitted on the bootstraps.

Figures as bench/nested.py's (dense, case → sightings, in the mixed gallery), pooled over the outer
folds of one partition of the subjects, then mean and min–max over the partitions."""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runs as a script from anywhere

from bench.accuracy import folds
from bench.adaptation import SHIPPED_STEPS, embed_unadapted, within_deviations
from bench.common import emit, machine, peak_memory_mb
from bench.corpus import Photo, by_subject, load
from bench.fitted import Config, Model, fit, shipped_config
from bench.nested import STEPS, Evaluation, World, recall

FIGURES = [("dense", "r@1"), ("dense", "r@10"), ("dense", "r@20"), ("case_to_sightings", "r@1"),
           ("case_to_sightings", "r@20"), ("case_to_sightings_mixed", "r@1"), ("case_to_sightings_mixed", "r@20")]


def shrinkage_estimate(deviations: np.ndarray, method: str = "lw") -> float:
    """δ of the shrunk covariance (1 − δ) S + δ (tr S / p) I: Ledoit–Wolf's (``lw``) or the oracle
    approximating one (``oas``, Chen et al. 2010), both as sklearn.covariance computes them."""
    n, p = deviations.shape
    x = deviations - deviations.mean(axis=0)
    s = x.T @ x / n
    mu = np.trace(s) / p
    if method == "oas":
        alpha = float(np.mean(s ** 2))
        denominator = (n + 1) * (alpha - mu ** 2 / p)
        return 1.0 if denominator <= 0 else float(min((alpha + mu ** 2) / denominator, 1.0))
    squares = x ** 2
    spread = float(np.sum(squares.T @ squares)) / n - float(np.sum(s ** 2))  # Σ‖x xᵀ − S‖² / n
    distance = (float(np.sum(s ** 2)) - 2 * mu * np.trace(s) + p * mu ** 2) / p  # ‖S − μ I‖² / p
    return 0.0 if distance == 0 else min(spread / (p * n), distance) / distance


def analytic(config: Config, raw: dict[Path, np.ndarray], photos: list[Photo], method: str) -> Config:
    """``config`` with the WCCN shrinkage estimated from ``photos``: bench.adaptation.fit_wccn adds
    ``shrinkage`` × (tr S / p) I to S, so δ = 1/2 is shrinkage 1."""
    delta = min(shrinkage_estimate(within_deviations(raw, photos), method), 0.999)
    return replace(config, shrinkage=delta / (1 - delta))


def grid(steps: tuple[str, ...] = SHIPPED_STEPS) -> list[dict[str, Any]]:
    """Every combination of the values bench/nested.py's inner folds choose among for ``steps``."""
    grids = [values for name, values in STEPS if name.startswith(steps)]
    return [{k: v for part in combination for k, v in part.items()} for combination in itertools.product(*grids)]


def bootstrap(training: list[Photo], bags: int, seed: int) -> list[list[Photo]]:
    """``bags`` resamples of the subjects with replacement; a subject drawn twice is two people."""
    groups = by_subject(training)
    subjects = sorted(groups)
    rng = np.random.default_rng(seed)
    return [[replace(p, subject=f"{subjects[i]}#{n}") for n, i in enumerate(rng.choice(len(subjects), len(subjects)))
             for p in groups[subjects[i]]] for _ in range(bags)]


def spread(evaluation: Evaluation, world: World, training: set[str]) -> float:
    """The standard deviation of the scores of training subjects' sightings against other training
    subjects' case photos (what a member's score is divided by in a scaled ensemble)."""
    rows = np.flatnonzero(world.mask(training) & world.has_q & world.later)
    cols = np.flatnonzero(world.mask(training) & world.is_case & world.has_c)
    strangers = world.subject[rows][:, None] != world.subject[cols][None, :]
    return float(np.std(evaluation.total[np.ix_(rows, cols)][strangers]))


Fits = dict[tuple[Config, tuple[tuple[Path, str], ...]], Model]


def fitted(config: Config, photos: list[Photo], world: World, cache: Fits) -> Model:
    """``fit``, shared by configurations that differ only in the hubness weight (which enters only the
    ranking, not the fit) and by variants with the same members."""
    key = (replace(config, hub_weight=float(bool(config.hub_weight))), tuple((p.path, p.subject) for p in photos))
    if key not in cache:
        cache[key] = fit(key[0], world.raw_by_path, photos)
    return replace(cache[key], config=config)


def mean_evaluation(members: list[tuple[Config, list[Photo]]], world: World, subjects: set[str],
                    gallery: set[str], scale_on: set[str] | None = None, cache: Fits | None = None) -> Evaluation:
    """One Evaluation whose face scores and hubness are the mean of its members' (each a configuration
    fitted on its photos), or with ``scale_on`` the mean of each divided by its spread between strangers
    of those subjects. Only its non-extended ranks are meaningful (fusion uses one member's vectors)."""
    out: Evaluation | None = None
    face, hub, total_weight = np.zeros((world.n, world.n)), np.zeros(world.n), 0.0
    cache = {} if cache is None else cache
    for config, photos in members:
        evaluation = Evaluation(fitted(config, photos, world, cache), world, subjects, gallery)
        weight = 1.0 / spread(evaluation, world, scale_on) if scale_on else 1.0
        face, hub, total_weight = face + weight * evaluation.face, hub + weight * evaluation.hub, total_weight + weight
        out = out or evaluation
    assert out is not None, "an ensemble of no member"
    out = copy.copy(out)
    out.face, out.hub = face / total_weight, hub / total_weight
    out.total = out.face - out.hub[:, None]
    return out


def averaged_metric(members: list[tuple[Config, list[Photo]]], world: World, subjects: set[str],
                    gallery: set[str], cache: Fits) -> Evaluation:
    """The members' mean face score approximated by one linear map of the embedding's own size: the
    square root of the mean of their metrics MᵀM, each M scaled so that its members' training faces
    come out of unit length on average (the cosine's normalisations become one); hubness the members'
    mean, one number a face as now. What shipping the ensemble in the index's 128 dimensions gives."""
    dim = world.raw.shape[1]
    metric, hub = np.zeros((dim, dim)), np.zeros(world.n)
    for config, photos in members:
        model = fitted(config, photos, world, cache)
        matrix = np.eye(dim) if model.matrix is None else model.matrix
        x = np.stack([world.raw_by_path[p.path] for p in photos if p.path in world.raw_by_path])
        length = np.mean(np.linalg.norm(x / np.linalg.norm(x, axis=1, keepdims=True) @ matrix.T, axis=1))
        metric += matrix.T @ matrix / length ** 2
        hub += config.hub_weight * model.hubness(model.adapt(np.nan_to_num(world.raw)))
    values, vectors = np.linalg.eigh(metric / len(members))
    root = vectors @ np.diag(np.sqrt(np.maximum(values, 0.0))) @ vectors.T
    out = Evaluation(Model(Config(), root), world, subjects, gallery)
    out.hub = hub / len(members)
    out.total = out.face - out.hub[:, None]
    return out


@dataclass(frozen=True)
class Variant:
    title: str
    members: Callable[[list[Photo], dict[Path, np.ndarray], int], list[tuple[Config, list[Photo]]]]
    scaled: bool = False  # each member's score divided by its spread between strangers
    metric: bool = False  # the members' metrics averaged into one map (averaged_metric)


def variants(bags: int, configurations: list[dict[str, Any]] | None = None) -> dict[str, Variant]:
    """Every variant; ``configurations``: the ensembles' members (by default ``grid()``)."""
    shipped, every = shipped_config(), configurations or grid()
    ages_hubness = [dict(g) for g in dict.fromkeys(tuple((k, v) for k, v in g.items() if k != "shrinkage")
                                                   for g in every)]

    def lw_bag(photos: list[Photo], raw: dict[Path, np.ndarray]) -> tuple[Config, list[Photo]]:
        return analytic(shipped, raw, photos, "lw"), photos

    return {
        "shipped": Variant("shipped recipe, re-fitted per fold", lambda t, raw, seed: [(shipped, t)]),
        "grid": Variant(f"grid ensemble ({len(every)} configurations), mean score",
                        lambda t, raw, seed: [(Config(**g), t) for g in every]),
        "grid-scaled": Variant(f"grid ensemble ({len(every)}), each score over its spread between strangers",
                               lambda t, raw, seed: [(Config(**g), t) for g in every], scaled=True),
        "grid-metric": Variant(f"grid ensemble ({len(every)}), one averaged 128-d map",
                               lambda t, raw, seed: [(Config(**g), t) for g in every], metric=True),
        "bagged": Variant(f"shipped recipe bagged ({bags} bootstraps of the subjects)",
                          lambda t, raw, seed: [(shipped, b) for b in bootstrap(t, bags, seed)]),
        "lw": Variant("Ledoit–Wolf WCCN, 2 age directions, hubness 0.5 / 16 (as shipped)",
                      lambda t, raw, seed: [lw_bag(t, raw)]),
        "oas": Variant("OAS WCCN, 2 age directions, hubness 0.5 / 16 (as shipped)",
                       lambda t, raw, seed: [(analytic(shipped, raw, t, "oas"), t)]),
        "lw-grid": Variant(f"Ledoit–Wolf WCCN, mean over age directions × hubness ({len(ages_hubness)})",
                           lambda t, raw, seed: [(replace(analytic(Config(), raw, t, "lw"), **g), t)
                                                 for g in ages_hubness]),
        "lw-bagged": Variant(f"Ledoit–Wolf WCCN as shipped otherwise, bagged ({bags} bootstraps)",
                             lambda t, raw, seed: [lw_bag(b, raw) for b in bootstrap(t, bags, seed)]),
    }


def run(photos: list[Photo], raw: dict[Path, np.ndarray], case: dict[Path, np.ndarray], outer: int,
        chosen: dict[str, Variant], seed: int) -> dict[str, dict[str, Any]]:
    """Each variant's figures over the outer folds of the partition ``seed`` (pooled, as bench/nested.py's)."""
    world = World(photos, raw, case)
    everyone = {p.subject for p in photos}
    pooled: dict[str, dict[str, list[np.ndarray]]] = {}
    shrinkages: dict[str, list[float]] = {}
    for fold, held in enumerate(folds(photos, outer, seed)):
        training = [p for p in photos if p.subject not in held]
        names, cache = {p.subject for p in training}, Fits()
        for key, variant in chosen.items():
            members = variant.members(training, raw, seed * 100 + fold)
            shrinkages[key] = [*shrinkages.get(key, []), *(c.shrinkage or 0.0 for c, _ in members[:1])]
            evaluation = (averaged_metric(members, world, held, everyone, cache) if variant.metric else
                          mean_evaluation(members, world, held, everyone, names if variant.scaled else None, cache))
            for k, v in evaluation.ranks().items():
                pooled.setdefault(key, {}).setdefault(k, []).append(v)
    return {key: {k: recall(np.concatenate(v), (1, 10, 20)) for k, v in parts.items()}
            | {"first_member_shrinkage": [round(s, 3) for s in shrinkages[key]]} for key, parts in pooled.items()}


def summary(partitions: list[dict[str, dict[str, Any]]]) -> dict[str, dict[str, list[float]]]:
    """Mean, min and max over the partitions of each figure of each variant measured on all of them."""
    out: dict[str, dict[str, list[float]]] = {}
    for key in [k for k in partitions[0] if all(k in p for p in partitions)]:
        for d, m in FIGURES:
            values = [p[key][d][m] for p in partitions]
            out.setdefault(key, {})[f"{d} {m}"] = [round(float(np.mean(values)), 3), min(values), max(values)]
    return out


def markdown(result: dict[str, Any]) -> str:
    lines = ["| variant | " + " | ".join(f"{d.replace('_', ' ')} {m}" for d, m in FIGURES) + " |",
             "|" + "---|" * (len(FIGURES) + 1)]
    for key, row in result["summary"].items():
        cells = [f"{mean:.3f} ({low:.3f}–{high:.3f})" for mean, low, high in row.values()]
        lines.append(f"| {result['titles'][key]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--outer", type=int, default=5)
    parser.add_argument("--fold-seeds", type=int, nargs="+", default=[2026, 1, 2, 3, 4, 5, 6, 7])
    parser.add_argument("--bags", type=int, default=25)
    parser.add_argument("--variants", nargs="+", help="ids among " + ", ".join(variants(1)))
    parser.add_argument("--no-case-jitter", action="store_true", help="case photos embedded like sightings")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--combine", type=Path, nargs="+", help="earlier runs' JSON (one partition each, say): "
                        "print the table over all their partitions and stop")
    args = parser.parse_args()
    if args.combine:
        runs = [json.loads(f.read_text()) for f in args.combine]
        partitions = [p for r in runs for p in r["partitions"]]
        titles = {k: v for r in runs for k, v in r["titles"].items()}
        print(markdown({"titles": titles, "summary": summary(partitions)}))
        return
    start = time.perf_counter()
    photos = load(args.corpus.resolve())
    raw, thorough = embed_unadapted(photos, case_jitter=not args.no_case_jitter)
    every = variants(args.bags)
    chosen = {k: every[k] for k in args.variants} if args.variants else every
    partitions = [run(photos, raw.vectors, thorough.vectors, args.outer, chosen, s) for s in args.fold_seeds]
    result = {"corpus": str(args.corpus), "machine": machine(), "outer": args.outer, "fold_seeds": args.fold_seeds,
              "bags": args.bags, "case_jitter": not args.no_case_jitter,
              "titles": {k: v.title for k, v in chosen.items()}, "summary": summary(partitions),
              "partitions": partitions, "load_average": [round(x, 2) for x in os.getloadavg()],
              "wall_seconds": round(time.perf_counter() - start, 1), "peak_memory_mb": peak_memory_mb()}
    emit(result, args.out)
    print(markdown(result), file=sys.stderr)


if __name__ == "__main__":
    main()
