"""Test-time augmentation of the face engine, compared pair-wise on the same queries (issue 14).

    python bench/tta.py CORPUS '{"flip": {"flip": true}, "sightings jittered": {"jitter": 3}}' [--seeds 2026 1 2 3]

Each variant is a set of ``DlibOptions`` (or a list of them: their embeddings averaged, e.g. several
paddings) embedded by the engine (bench/adaptation.py ``embed_unadapted``, cached); the default
engine is the base. For each of several random partitions of the subjects into 5 folds, the shipped
recipe (bench/fitted.py ``shipped_config``) is re-fitted on the training folds of each variant's own
embeddings and the held-out subjects searched as bench/nested.py does (whole galleries). The figures
are averaged over the partitions; each variant's difference to the base is paired query by query and
its 95 % interval comes from resampling subjects (queries of one child are not independent). The
inner choice of bench/nested.py is left out on purpose: its fold-to-fold changes of the chosen
values are larger than the augmentation's effect (docs/benchmarks.md), so run bench/nested.py with
the same options to confirm a variant under nested cross-validation."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runs as a script from anywhere

from bench.accuracy import folds
from bench.adaptation import embed_unadapted, raw_engine_options
from bench.common import emit
from bench.corpus import Photo, load
from bench.fitted import Config, fit, shipped_config
from bench.nested import Evaluation, World

Vectors = dict[Path, np.ndarray]
FIGURES = (("dense", 1), ("dense", 10), ("dense", 20), ("case_to_sightings", 1), ("case_to_sightings", 20),
           ("case_to_sightings_mixed", 1), ("case_to_sightings_mixed", 20))


def searched(photos: list[Photo], raw: Vectors, case: Vectors, config: Config,
             seeds: list[int]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per figure: every held-out query's rank over all partitions, and whose query it was."""
    world, everyone = World(photos, raw, case), {p.subject for p in photos}
    out: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for seed in seeds:
        for held in folds(photos, 5, seed):
            evaluation = Evaluation(fit(config, raw, [p for p in photos if p.subject not in held]), world, held,
                                    everyone)
            ranks = evaluation.ranks()
            by_case = np.array(sorted(held))
            whose = {"dense": world.subject[evaluation.queries],
                     "case_to_sightings": by_case[[((world.subject == s) & world.later).any() for s in by_case]],
                     "case_to_sightings_mixed": by_case[[((world.subject == s) & world.later & (world.age < 18)).any()
                                                         for s in by_case]]}
            for name, subjects in whose.items():
                out.setdefault(name, []).append((ranks[name], subjects))
    return {k: (np.concatenate([r for r, _ in v]), np.concatenate([s for _, s in v])) for k, v in out.items()}


def paired(variant: tuple[np.ndarray, np.ndarray], base: tuple[np.ndarray, np.ndarray], k: int,
           draws: int = 2000) -> dict[str, float]:
    """The variant's recall@k minus the base's, and its 95 % interval resampling subjects."""
    (ranks, subjects), (base_ranks, base_subjects) = variant, base
    assert np.array_equal(subjects, base_subjects), "the same queries in the same order"
    people = np.unique(subjects)
    gained = np.array([np.sum(ranks[subjects == s] <= k) - np.sum(base_ranks[subjects == s] <= k) for s in people])
    queries = np.array([np.sum(subjects == s) for s in people])
    rng = np.random.default_rng(0)
    draws_ = rng.integers(0, len(people), (draws, len(people)))
    spread = gained[draws_].sum(axis=1) / queries[draws_].sum(axis=1)
    low, high = np.percentile(spread, [2.5, 97.5])
    return {"difference": round(float(gained.sum() / queries.sum()), 4), "low": round(float(low), 4),
            "high": round(float(high), 4)}


def compare(photos: list[Photo], embedded: dict[str, tuple[Vectors, Vectors]], config: Config,
            seeds: list[int]) -> dict[str, Any]:
    """Figures of each variant (the first is the base) and their paired differences to the base."""
    ranks = {name: searched(photos, raw, case, config, seeds) for name, (raw, case) in embedded.items()}
    base = next(iter(ranks.values()))
    out = {}
    for name, figures in ranks.items():
        out[name] = {f"{figure} r@{k}": {"recall": round(float(np.mean(figures[figure][0] <= k)), 4),
                                         "n": len(figures[figure][0]) // len(seeds)}
                     | ({} if figures is base else paired(figures[figure], base[figure], k)) for figure, k in FIGURES}
    return out


def mean_embedding(parts: list[Vectors]) -> Vectors:
    """The normalised mean of several variants' unit embeddings (photos where every variant found a face)."""
    common = set.intersection(*(set(p) for p in parts))
    out = {}
    for path in common:
        total = sum(p[path] / np.linalg.norm(p[path]) for p in parts)
        out[path] = total / np.linalg.norm(total)
    return out


def embedded_variant(photos: list[Photo], options: dict[str, Any] | list[dict[str, Any]]) -> tuple[Vectors, Vectors]:
    parts = [embed_unadapted(photos, options=replace(raw_engine_options(), **o))
             for o in (options if isinstance(options, list) else [options])]
    return mean_embedding([r.vectors for r, _ in parts]), mean_embedding([c.vectors for _, c in parts])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("variants", help='JSON: {"name": {DlibOptions field: value} or a list of them}')
    parser.add_argument("--seeds", type=int, nargs="+", default=[2026, 1, 2, 3])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    photos = load(args.corpus.resolve())
    variants = {"default engine": {}} | json.loads(args.variants)
    embedded = {name: embedded_variant(photos, options) for name, options in variants.items()}
    result = {"corpus": str(args.corpus), "seeds": args.seeds, "variants": variants,
              "figures": compare(photos, embedded, shipped_config(), args.seeds)}
    emit(result, args.out)


if __name__ == "__main__":
    main()
