"""Gallery-structure re-ranking after the recipe's scores, under nested cross-validation (issue 14).

    python bench/rerank.py CORPUS [--fold-seeds 2026 1 2 3 4 5 6 7] [--caps 3 2]
                           [--multipliers 1 5 10 20] [--base nested|shipped] [--out FILE]
    python bench/rerank.py - --combine RUN.json ...   # the table over several runs' partitions

The recipe (WCCN, age directions, hubness) scores each query against a gallery; the re-ranking then
reads the gallery's own structure (nothing labelled) and re-scores it:

- ``qe`` (alpha query expansion): the query's vector plus its top-k gallery items' vectors, each
  weighted by max(cosine, 0)^alpha (alpha 0: average expansion), scores the gallery again (its
  cosines scaled to spread over the gallery as the query's own did, so hubness keeps its weight);
- ``density``: an item's score plus beta × its mean similarity to the query's other top-k items, less
  its mean similarity to the whole gallery (so that a face resembling everyone gains nothing);
  ``density-plain``: the same bonus without that correction;
- ``krecip``: k-reciprocal re-ranking (Zhong et al. 2017) simplified: each item's k-reciprocal
  neighbours among the gallery and the query (no expansion, no local query expansion), weighted by
  exp(-(1 - similarity)); the score less mu × the Jaccard distance of the query's and the item's sets.

Case → sightings (a case photo against every sighting, and in the mixed gallery with adults' faces
counted ×1/×5/×10/×20 as bench/adult_heavy.py does) re-ranks with the sightings' gallery; sighting →
case with the gallery of cases only (dense: every photo of every other subject a case, as the
protocol has it; ``cases``: one photo a subject). ``--caps m``: the sightings' gallery keeps at most
m of each person's later photos under 18 and m of their photos at 18 or over, chosen at random, as a
street gallery rarely holds a child's many sightings across decades.

Nested: the base recipe is chosen inside the outer training subjects exactly as bench/nested.py
does (``--base nested``; ``shipped``: the shipped recipe re-fitted per fold, values seen), and each
re-ranking's values (or none: off is always a candidate) are chosen per figure on the inner folds of
the outer training subjects, whose galleries hold only the inner held-out subjects; the figures are
on the outer held-out subjects against everyone. Every grid value's outer figure is kept too (seen:
a diagnostic of what the best fixed value would give, not an honest figure)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runs as a script from anywhere

from bench.accuracy import folds
from bench.adaptation import SHIPPED_STEPS, embed_unadapted
from bench.common import emit, machine, peak_memory_mb
from bench.corpus import Photo, load
from bench.fitted import Config, fit, shipped_config
from bench.nested import ADULT, STEPS, Evaluation, Selection, World, choose

Params = dict[str, float] | None  # None: the re-ranking off
GRIDS: dict[str, list[Params]] = {
    "qe": [None] + [{"k": k, "alpha": a} for k in (1, 2, 3, 5, 10) for a in (0.0, 3.0)],
    "density": [None] + [{"k": k, "beta": b} for k in (2, 3, 5, 10) for b in (0.1, 0.25, 0.5, 1.0)],
    "density-plain": [None] + [{"k": k, "beta": b} for k in (2, 3, 5, 10) for b in (0.1, 0.25, 0.5, 1.0)],
    "krecip": [None] + [{"k": k, "mu": m} for k in (5, 10, 20) for m in (0.1, 0.25, 0.5, 1.0)],
}


@dataclass
class Gallery:
    """Queries (rows) against gallery items (columns): the recipe's pairwise scores (cosine of adapted
    faces less each sighting's hubness), which items each query sees (``present``: its gallery,
    the neighbours a re-ranking may read), which are its truths and which count as distractors."""
    qvec: np.ndarray
    qhub: np.ndarray
    gvec: np.ndarray
    ghub: np.ndarray
    present: np.ndarray
    true: np.ndarray
    distractor: np.ndarray
    adult: np.ndarray  # gallery items at 18 or over (counted m times in adult-heavy galleries)
    valid: np.ndarray  # queries with a face
    memo: dict[tuple[str, int], np.ndarray] = field(default_factory=dict)  # a re-ranking's term, by k

    def scores(self) -> np.ndarray:
        return np.asarray(self.qvec @ self.gvec.T - self.qhub[:, None] - self.ghub[None, :])

    def among(self) -> np.ndarray:
        """Gallery items against each other, scored as queries are (self-similarity on the diagonal)."""
        return np.asarray(self.gvec @ self.gvec.T - self.ghub[:, None] - self.ghub[None, :])


def top(row: np.ndarray, idx: np.ndarray, k: int) -> np.ndarray:
    return idx[np.argsort(-row[idx], kind="stable")[:k]]


def query_expansion(g: Gallery, s: np.ndarray, k: int, alpha: float) -> np.ndarray:
    out = s.copy()
    for i in np.flatnonzero(g.valid):
        idx = np.flatnonzero(g.present[i])
        near = top(s[i], idx, k)
        weights = np.maximum(s[i, near] + g.qhub[i] + g.ghub[near], 0.0) ** alpha
        v = g.qvec[i] + weights @ g.gvec[near]
        before, after = g.gvec[idx] @ g.qvec[i], g.gvec[idx] @ v
        # the expanded cosines spread as the query's own did, so that hubness keeps its weight
        out[i] = g.gvec @ v * (np.std(before) / np.std(after)) - g.ghub - g.qhub[i]
    return out


def density(g: Gallery, s: np.ndarray, k: int, beta: float, centred: bool = True) -> np.ndarray:
    key = ("density" if centred else "density-plain", k)
    if key not in g.memo:
        g.memo[key] = neighbourhood(g, s, k, centred)
    return s + beta * g.memo[key]


def neighbourhood(g: Gallery, s: np.ndarray, k: int, centred: bool) -> np.ndarray:
    """Each item's mean similarity to the query's top k items other than itself, less (``centred``)
    its mean similarity to the query's whole gallery."""
    among = g.among()
    np.fill_diagonal(among, 0.0)
    out = np.zeros_like(s)
    for i in np.flatnonzero(g.valid):
        idx = np.flatnonzero(g.present[i])
        if len(idx) <= k:
            continue
        near = top(s[i], idx, k + 1)
        block = among[np.ix_(idx, near)]
        sums = block[:, :k].sum(axis=1)
        inside = np.isin(idx, near[:k])  # an item among the top k: its k others are the top k + 1 less itself
        sums[inside] += block[inside, k]
        overall = among[np.ix_(idx, idx)].sum(axis=1) / (len(idx) - 1)
        out[i, idx] = sums / k - (overall if centred else 0.0)
    return out


def k_reciprocal(g: Gallery, s: np.ndarray, k: int, mu: float) -> np.ndarray:
    if ("krecip", k) not in g.memo:
        g.memo["krecip", k] = jaccard(g, s, k)
    return s - mu * g.memo["krecip", k]


def jaccard(g: Gallery, s: np.ndarray, k: int) -> np.ndarray:
    """The Jaccard distance between the query's and each item's k-reciprocal neighbours (among the
    query's gallery and the query), each neighbour weighted by exp(-(1 - similarity))."""
    among = g.among()
    out = np.zeros_like(s)
    for i in np.flatnonzero(g.valid):
        idx = np.flatnonzero(g.present[i])
        n = len(idx)
        full = np.empty((n + 1, n + 1))
        full[:n, :n] = among[np.ix_(idx, idx)]
        full[n, :n] = full[:n, n] = s[i, idx]
        np.fill_diagonal(full, np.inf)
        kk = min(k + 1, n + 1)  # each item is its own first neighbour
        near = np.argpartition(-full, kk - 1, axis=1)[:, :kk]
        member = np.zeros_like(full, dtype=bool)
        member[np.arange(n + 1)[:, None], near] = True
        weights = np.where(member & member.T, np.exp(-np.maximum(1.0 - full, 0.0)), 0.0)
        weights /= weights.sum(axis=1, keepdims=True)
        out[i, idx] = 1 - (np.minimum(weights[n], weights[:n]).sum(axis=1)
                           / np.maximum(weights[n], weights[:n]).sum(axis=1))
    return out


def rerank(g: Gallery, method: str, params: Params) -> np.ndarray:
    s = g.scores()
    if params is None:
        return s
    if method == "qe":
        return query_expansion(g, s, int(params["k"]), params["alpha"])
    if method.startswith("density"):
        return density(g, s, int(params["k"]), params["beta"], centred=method == "density")
    return k_reciprocal(g, s, int(params["k"]), params["mu"])


def ranks(g: Gallery, s: np.ndarray, adults: float = 1.0) -> np.ndarray:
    """1 + the distractors scored above the query's best truth (each adult's photo counted ``adults`` times)."""
    seen = np.where(g.present, s, -np.inf)
    best = np.where(g.true & g.present, seen, -np.inf).max(axis=1)
    above = g.distractor & g.present & (seen > best[:, None])
    out = 1 + (above * np.where(g.adult, adults, 1.0)[None, :]).sum(axis=1)
    out[~np.isfinite(best) | ~g.valid] = np.inf
    return np.asarray(out, dtype=float)


def cap_mask(world: World, cap: int | None, seed: int = 2026) -> np.ndarray:
    """Each person's later photos under 18, and photos at 18 or over, at most ``cap`` of each, at random."""
    if cap is None:
        return np.ones(world.n, bool)
    rng, kept = np.random.default_rng(seed), np.zeros(world.n, bool)
    for s in np.unique(world.subject):
        mine = world.subject == s
        for kind in (mine & world.later & (world.age < ADULT), mine & (world.age >= ADULT)):
            idx = np.flatnonzero(kind)
            kept[rng.permutation(idx)[:cap]] = True
    return kept


def case_to_sightings(ev: Evaluation, mixed: bool, kept: np.ndarray) -> Gallery:
    """Each held-out case photo against the sightings (``mixed``: adults' photos too, only a child's
    sightings under 18 true), as Evaluation.case_to_sightings ranks them."""
    w = ev.w
    cases = [w.case_of[s] for s in sorted(ev.subjects)
             if ((w.subject == s) & w.later & ((w.age < ADULT) if mixed else True)).any()]
    items = np.flatnonzero(ev.in_gallery & w.has_q & kept & ((w.later | (w.age >= ADULT)) if mixed else w.later))
    subj = w.subject[items][None, :] == w.subject[cases][:, None]
    true = subj & w.later[items][None, :] & ((w.age[items] < ADULT)[None, :] if mixed else True)
    return Gallery(ev.c[cases], np.zeros(len(cases)), ev.q[items], ev.hub[items], np.ones_like(subj), true, ~subj,
                   w.age[items] >= ADULT, w.has_c[cases])


def sighting_to_case(ev: Evaluation, dense: bool) -> Gallery:
    """Each held-out sighting against the case photos: every photo of every other subject (``dense``)
    or one photo a subject; the sighting's own subject only by its case photo."""
    w, qs = ev.w, ev.queries
    pool = ev.in_gallery & w.has_c & (True if dense else w.is_case)
    items = np.flatnonzero(pool)
    truth = np.array([w.case_of[s] for s in w.subject[qs]])
    true = items[None, :] == truth[:, None]
    other = w.subject[items][None, :] != w.subject[qs][:, None]
    return Gallery(ev.q[qs], ev.hub[qs], ev.c[items], np.zeros(len(items)), other | true, true, other,
                   np.zeros(len(items), bool), w.has_q[qs])


def galleries(ev: Evaluation, caps: list[int | None], masks: dict[int | None, np.ndarray]) -> dict[str, Gallery]:
    out = {"dense": sighting_to_case(ev, True), "cases": sighting_to_case(ev, False)}
    for cap in caps:
        tag = "" if cap is None else f" cap{cap}"
        out["c2s" + tag] = case_to_sightings(ev, False, masks[cap])
        out["mixed" + tag] = case_to_sightings(ev, True, masks[cap])
    return out


def every_rank(ev: Evaluation, caps: list[int | None], masks: dict[int | None, np.ndarray],
               multipliers: list[float]) -> dict[str, dict[str, list[np.ndarray]]]:
    """figure → method → the ranks at each value of the method's grid."""
    out: dict[str, dict[str, list[np.ndarray]]] = {}
    for name, g in galleries(ev, caps, masks).items():
        for method, grid in GRIDS.items():
            for params in grid:
                s = rerank(g, method, params)
                for m in (multipliers if name.startswith("mixed") else [1.0]):
                    key = name if m == 1 else f"{name} ×{m:g}"
                    out.setdefault(key, {}).setdefault(method, []).append(ranks(g, s, m))
    return out


def objective(figure: str, r: np.ndarray) -> float:
    """What the inner folds maximise: the issue's target recalls of that figure."""
    ks = (10, 20) if figure in ("dense", "cases") else (1, 20)
    return float(np.mean([np.mean(r <= k) for k in ks]))


def nested_base(world: World, training: list[Photo], seed: int) -> Config:
    """The shipped steps' values chosen inside the training subjects, step after step (bench/nested.py)."""
    chosen = Config()
    for _, grid in [s for s in STEPS if s[0].startswith(SHIPPED_STEPS)]:
        chosen = choose(world, training, [replace(chosen, **g) for g in grid], Selection(), seed)
    return chosen


def partition(photos: list[Photo], world: World, seed: int, base: str, caps: list[int | None],
              multipliers: list[float], outer: int = 5, inner: int = 4) -> dict[str, Any]:
    """One partition of the subjects: each figure's ranks, chosen inside, and at every grid value."""
    everyone = {p.subject for p in photos}
    masks = {cap: cap_mask(world, cap) for cap in caps}
    chosen_ranks: dict[str, dict[str, list[np.ndarray]]] = {}
    fixed: dict[str, dict[str, list[list[np.ndarray]]]] = {}
    log: dict[str, Any] = {"base": [], "chosen": {}}
    for held in folds(photos, outer, seed):
        training = [p for p in photos if p.subject not in held]
        config = nested_base(world, training, seed) if base == "nested" else shipped_config()
        assert not config.drift, "the re-ranking reads the scores as cosines (no drift)"
        log["base"].append(config.__dict__)
        pooled: dict[str, dict[str, list[list[np.ndarray]]]] = {}
        for inner_held in folds(training, inner, seed):
            model = fit(config, world.raw_by_path, [p for p in training if p.subject not in inner_held])
            evaluation = Evaluation(model, world, inner_held, inner_held)
            for fig, by_method in every_rank(evaluation, caps, masks, [1.0]).items():
                for method, per_value in by_method.items():
                    pooled.setdefault(fig, {}).setdefault(method, []).append(per_value)
        outer_ranks = every_rank(Evaluation(fit(config, world.raw_by_path, training), world, held, everyone),
                                 caps, masks, multipliers)
        for fig, by_method in outer_ranks.items():
            basis = fig.split(" ×")[0]  # an adult-heavy figure takes its gallery's choice
            for method, per_value in by_method.items():
                inner_values = [np.concatenate(v) for v in zip(*pooled[basis][method], strict=True)]
                values = [objective(basis, r) for r in inner_values]
                pick = int(np.argmax(np.asarray(values) > max(values) - 1e-9))  # ties keep the earlier (off first)
                chosen_ranks.setdefault(fig, {}).setdefault(method, []).append(per_value[pick])
                fixed.setdefault(fig, {}).setdefault(method, []).append(per_value)
                log["chosen"].setdefault(f"{fig} {method}", []).append(GRIDS[method][pick])
    out: dict[str, Any] = {"figures": {}, "log": log}
    for fig, by_method in chosen_ranks.items():
        for method, parts in by_method.items():
            per_value = [np.concatenate(v) for v in zip(*fixed[fig][method], strict=True)]
            out["figures"].setdefault(fig, {})[method] = {
                "chosen": recalls(np.concatenate(parts)),
                "fixed": [recalls(r) for r in per_value]}
    return out


def recalls(r: np.ndarray) -> dict[str, float | int]:
    return {f"r@{k}": round(float(np.mean(r <= k)), 4) for k in (1, 10, 20)} | {"n": len(r)}


COLUMNS = [("dense", 1), ("dense", 10), ("dense", 20), ("cases", 1), ("cases", 10), ("c2s", 1), ("c2s", 20),
           ("mixed", 1), ("mixed", 20), ("mixed ×5", 20), ("mixed ×10", 20), ("mixed ×20", 20),
           ("c2s cap3", 1), ("c2s cap3", 20), ("mixed cap3", 1), ("mixed cap3", 20),
           ("c2s cap2", 1), ("c2s cap2", 20), ("mixed cap2", 1), ("mixed cap2", 20)]


def combine(runs: list[dict[str, Any]]) -> dict[str, dict[str, list[float]]]:
    """Row → column → the figure of each partition: off, each method chosen inside, each method's
    best single value on the outer folds (seen)."""
    rows: dict[str, dict[str, list[float]]] = {}
    for run in runs:
        for part in run["partitions"]:
            figures = part["figures"]
            for fig, k in COLUMNS:
                if fig not in figures:
                    continue
                col = f"{fig} @{k}"
                rows.setdefault("recipe alone", {}).setdefault(col, []).append(figures[fig]["qe"]["fixed"][0][f"r@{k}"])
                for method, cell in figures[fig].items():
                    rows.setdefault(f"{method}, chosen inside", {}).setdefault(col, []).append(cell["chosen"][f"r@{k}"])
                    rows.setdefault(f"{method}, best fixed value (seen)", {}).setdefault(col, []).append(
                        max(v[f"r@{k}"] for v in cell["fixed"][1:]))
    return rows


TABLES = [[c for c in COLUMNS if "cap" not in c[0] and " ×" not in c[0]],
          [c for c in COLUMNS if "cap" in c[0] or " ×" in c[0]]]


def markdown(rows: dict[str, dict[str, list[float]]]) -> str:
    """Two tables (the protocol's galleries; adult-heavy and capped galleries): the mean over the
    partitions, and the lowest and highest partition for the rows chosen inside."""
    lines = []
    for columns in TABLES:
        heads = [f"{fig} @{k}" for fig, k in columns if f"{fig} @{k}" in next(iter(rows.values()))]
        lines += ["| re-ranking | " + " | ".join(heads) + " |", "|" + "---|" * (len(heads) + 1)]
        for name, row in rows.items():
            spread = "chosen" in name and len(row[heads[0]]) > 1
            cells = [f"{np.mean(row[h]):.3f}" + (f" ({min(row[h]):.3f}–{max(row[h]):.3f})" if spread else "")
                     for h in heads]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--fold-seeds", type=int, nargs="+", default=[2026, 1, 2, 3, 4, 5, 6, 7])
    parser.add_argument("--caps", type=int, nargs="*", default=[3, 2])
    parser.add_argument("--multipliers", type=float, nargs="+", default=[1, 5, 10, 20])
    parser.add_argument("--base", choices=("nested", "shipped"), default="nested")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--combine", type=Path, nargs="+", help="print the table of earlier runs and stop")
    args = parser.parse_args()
    if args.combine:
        rows = combine([json.loads(p.read_text()) for p in args.combine])
        emit({"rows": {k: {c: [round(float(np.mean(v)), 3), min(v), max(v)] for c, v in r.items()}
                       for k, r in rows.items()}}, None)
        print(markdown(rows), file=sys.stderr)
        return
    start = time.perf_counter()
    photos = load(args.corpus.resolve())
    raw, thorough = embed_unadapted(photos)
    world = World(photos, raw.vectors, thorough.vectors)
    caps: list[int | None] = [None, *args.caps]
    parts = [partition(photos, world, seed, args.base, caps, args.multipliers) for seed in args.fold_seeds]
    result = {"corpus": str(args.corpus), "machine": machine(), "base": args.base, "fold_seeds": args.fold_seeds,
              "grids": GRIDS, "partitions": parts, "load_average": [round(x, 2) for x in os.getloadavg()],
              "wall_seconds": round(time.perf_counter() - start, 1), "peak_memory_mb": peak_memory_mb()}
    emit(result, args.out)
    print(markdown(combine([result])), file=sys.stderr)


if __name__ == "__main__":
    main()
