"""Case → sightings in mixed galleries where most faces are adults' (issue 14, item 3).

    python bench/adult_heavy.py CORPUS [--fold-seeds 2026 1 2 3 4 5 6 7] [--multipliers 1 5 10 20]
                                [--ensemble] [--out FILE]

The issue's check on unseen faces found the hubness term, fitted on children, ranking a missing
child's true sightings below adults' faces once adults are most of the gallery (as in street photos,
where a child stands beside adults). fgnet-dev's mixed gallery holds 182 adults' photos among 495;
this benchmark asks what a gallery with m times as many adults' faces would do, without faces nobody
has: each held-out case's rank is 1 + the children's distractor photos above its best true sighting +
m × the adults' photos above it (the expected rank if every adult's photo stood for m alike). The
shipped recipe, re-fitted on the outer training subjects, against the same with hubness off, with
its own region's average ("local"), fitted on children only, at half and twice the weight, and the
recipe the issue measured (WCCN shrinkage 2, hubness weight 1 with 32 centroids, now of ≥ 5 people);
``--ensemble`` adds bench/ensemble.py's grid ensemble as one averaged map (minutes a partition)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runs as a script from anywhere

from bench.accuracy import folds
from bench.adaptation import embed_unadapted
from bench.common import emit, machine, peak_memory_mb
from bench.corpus import Photo, load
from bench.ensemble import Fits, averaged_metric, grid
from bench.fitted import PREVIOUS, Config, fit, shipped_config
from bench.nested import Evaluation, World

ENSEMBLE = "grid ensemble as one averaged map (bench/ensemble.py)"


def variants(shipped: Config) -> dict[str, Config]:
    return {"shipped recipe": shipped, "hubness off": replace(shipped, hub_weight=0.0),
            "hubness, own region's average": replace(shipped, hub_mode="local"),
            "hubness fitted on under-18s only": replace(shipped, hub_mode="children"),
            "hubness at half the weight": replace(shipped, hub_weight=shipped.hub_weight / 2),
            "hubness at twice the weight": replace(shipped, hub_weight=shipped.hub_weight * 2),
            "previous recipe (the issue's: weight 1, 32 centroids)": PREVIOUS}


def ranks(photos: list[Photo], world: World, configs: dict[str, Config], seeds: list[int],
          multipliers: list[float], outer: int = 5, ensemble: bool = False) -> dict[str, dict[float, np.ndarray]]:
    """Each configuration's mixed case → sightings ranks, pooled over every outer fold of every partition."""
    everyone = {p.subject for p in photos}
    names = [*configs, *([ENSEMBLE] if ensemble else [])]
    out: dict[str, dict[float, list[np.ndarray]]] = {name: {m: [] for m in multipliers} for name in names}
    for seed in seeds:
        for held in folds(photos, outer, seed):
            training = [p for p in photos if p.subject not in held]
            evaluations = {name: Evaluation(fit(config, world.raw_by_path, training), world, held, everyone)
                           for name, config in configs.items()}
            if ensemble:
                members = [(Config(**g), training) for g in grid()]
                evaluations[ENSEMBLE] = averaged_metric(members, world, held, everyone, Fits())
            for name, evaluation in evaluations.items():
                for m in multipliers:
                    out[name][m].append(evaluation.case_to_sightings(mixed=True, adults=m))
    return {name: {m: np.concatenate(parts) for m, parts in by_m.items()} for name, by_m in out.items()}


def table(result: dict[str, dict[float, np.ndarray]]) -> dict[str, dict[str, float]]:
    return {name: {f"×{m:g} @{k}": round(float(np.mean(r <= k)), 3) for m, r in by_m.items() for k in (1, 20)}
            for name, by_m in result.items()}


def markdown(rows: dict[str, dict[str, float]]) -> str:
    heads = list(next(iter(rows.values())))
    lines = ["| hubness (mixed case → sightings) | " + " | ".join(f"adults {h}" for h in heads) + " |",
             "|" + "---|" * (len(heads) + 1)]
    lines += [f"| {name} | " + " | ".join(f"{v:.3f}" for v in row.values()) + " |" for name, row in rows.items()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--fold-seeds", type=int, nargs="+", default=[2026, 1, 2, 3, 4, 5, 6, 7])
    parser.add_argument("--multipliers", type=float, nargs="+", default=[1, 5, 10, 20])
    parser.add_argument("--ensemble", action="store_true", help="add the grid ensemble (minutes a partition)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    start = time.perf_counter()
    photos = load(args.corpus.resolve())
    raw, thorough = embed_unadapted(photos)
    world = World(photos, raw.vectors, thorough.vectors)
    result = ranks(photos, world, variants(shipped_config()), args.fold_seeds, args.multipliers,
                   ensemble=args.ensemble)
    rows = table(result)
    emit({"corpus": str(args.corpus), "machine": machine(), "fold_seeds": args.fold_seeds,
          "cases": len(next(iter(next(iter(result.values())).values()))), "figures": rows,
          "load_average": [round(x, 2) for x in os.getloadavg()],
          "wall_seconds": round(time.perf_counter() - start, 1), "peak_memory_mb": peak_memory_mb()}, args.out)
    print(markdown(rows), file=sys.stderr)


if __name__ == "__main__":
    main()
