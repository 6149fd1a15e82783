"""Nested cross-validation of every fitted step (issue 14): the one-change table.

    python bench/nested.py CORPUS [--outer 5] [--inner 4] [--out FILE] [--no-flip] [--jitter N]
                          [--case-jitter N] [--padding P] [--shipped-steps-only] [--fold-seed S]
                          [--objective targets|smooth] [--inner-repeats N]

Outer folds are subject-disjoint; every hyper-parameter (WCCN shrinkage, age directions removed,
hubness weight, centroids and mode, drift) is chosen by inner subject-disjoint folds of the outer
training subjects only, and the step's matrix, centroids or drift refitted on all of them; figures are
on the held-out subjects. Steps are added one at a time, each choosing among its own values (``0``:
the step off) given the steps before it. Face only (no apparent age, place or sex), case photos embedded
thoroughly (3 jittered copies) as the engine does, unless ``--no-case-jitter``, and every face averaged
with its mirror image, unless ``--no-flip``; ``--jitter``,
``--case-jitter`` and ``--padding`` measure the engine's test-time augmentation (every fitted step is
re-fitted inside the folds on the augmented embeddings). Besides the protocol's
figures: case → sightings in a **mixed gallery** (only the child's sightings under 18 count as found;
every other person's photos, adults' included, are distractors) and the fusion figures (several case
photos taken before the sighting, several photos of one sighting, a group of sightings of one child)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runs as a script from anywhere

from bench.accuracy import folds
from bench.adaptation import SHIPPED_STEPS, embed_unadapted, raw_engine_options
from bench.common import emit, machine, peak_memory_mb
from bench.corpus import Photo, by_subject, is_later, load
from bench.fitted import PREVIOUS, Config, Model, age_features, fit, shipped_config
from bench.protocol import birth_dates
from reunite.adapters.faces.hubness import Hubness

ADULT = 18
GROUP_YEARS = 2
NEG = -1e9


class World:
    """The corpus as arrays: who, what age, which photos are cases and sightings, simulated births."""

    def __init__(self, photos: list[Photo], raw: dict[Path, np.ndarray], case: dict[Path, np.ndarray]) -> None:
        self.photos = photos
        self.n = len(photos)
        dim = len(next(iter(raw.values())))
        self.raw = np.stack([raw.get(p.path, np.full(dim, np.nan)) for p in photos])
        self.case = np.stack([case.get(p.path, np.full(dim, np.nan)) for p in photos])
        self.has_q = ~np.isnan(self.raw[:, 0])
        self.has_c = ~np.isnan(self.case[:, 0])
        self.raw_by_path = raw
        self.subject = np.array([p.subject for p in photos])
        self.age = np.array([p.age if p.age is not None else 0 for p in photos], dtype=float)
        index = {p.path: i for i, p in enumerate(photos)}
        groups = by_subject(photos)
        self.case_of = {s: index[ps[0].path] for s, ps in groups.items()}
        self.later = np.zeros(self.n, bool)
        for ps in groups.values():
            for p in ps[1:]:
                self.later[index[p.path]] = is_later(p, ps[0])
        self.is_case = np.zeros(self.n, bool)
        self.is_case[list(self.case_of.values())] = True
        births = birth_dates(photos)
        self.birth = np.array([births[p.subject].toordinal() / 365.25 for p in photos])

    def mask(self, subjects: set[str]) -> np.ndarray:
        return np.isin(self.subject, sorted(subjects))


def scores(model: Model, world: World, qvec: np.ndarray, qage: np.ndarray, qbirth: np.ndarray,
           cvec: np.ndarray) -> np.ndarray:
    """Face similarity of each query (row) to each case photo (column), the case aged by the drift."""
    s = qvec @ cvec.T
    if model.drift_beta is None or not model.config.drift:
        return s
    lam, beta = model.config.drift, model.drift_beta
    expected = qage[:, None] + qbirth[:, None] - world.birth[None, :]
    change = age_features(np.maximum(expected, world.age[None, :])) - age_features(world.age)[None, :, :]
    g, h, bb = qvec @ beta.T, cvec @ beta.T, beta @ beta.T
    top = s + lam * np.einsum("ijk,ik->ij", change, g)
    norm2 = (1 + 2 * lam * np.einsum("ijk,jk->ij", change, h)
             + lam ** 2 * np.einsum("ijk,kl,ijl->ij", change, bb, change))
    return np.asarray(top / np.sqrt(np.maximum(norm2, 1e-6)))


def recall(ranks: np.ndarray, ks: tuple[int, ...]) -> dict[str, Any]:
    return {f"r@{k}": (round(float(np.mean(ranks <= k)), 4) if len(ranks) else None) for k in ks} | {"n": len(ranks)}


class Evaluation:
    """Every figure for the queries of ``subjects`` against the galleries of ``gallery`` subjects."""

    def __init__(self, model: Model, world: World, subjects: set[str], gallery: set[str]) -> None:
        self.model, self.w = model, world
        self.q = model.adapt(np.nan_to_num(world.raw))
        self.c = model.adapt(np.nan_to_num(world.case))
        self.in_gallery = world.mask(gallery)
        if model.config.hub_mode == "gallery" and model.config.hub_weight:
            reference = Hubness.fit(self.q[self.in_gallery & world.has_q & world.later], model.config.hub_k)
            self.hub = model.config.hub_weight * reference(self.q)
        else:
            self.hub = model.config.hub_weight * model.hubness(self.q)
        self.face = scores(model, world, self.q, world.age, world.birth, self.c)
        self.face[:, ~world.has_c] = NEG
        self.face[~world.has_q, :] = NEG
        self.total = self.face - self.hub[:, None]
        self.queries = np.flatnonzero(world.mask(subjects) & world.later)
        self.subjects = subjects

    def _dense_ranks(self, rows: np.ndarray, qsubj: np.ndarray, true: np.ndarray) -> np.ndarray:
        others = self.in_gallery[None, :] & (self.w.subject[None, :] != qsubj[:, None])
        ranks = 1 + np.sum(others & (rows > true[:, None]), axis=1).astype(float)
        ranks[true <= NEG / 2] = np.inf
        return ranks

    def dense(self) -> np.ndarray:
        qs = self.queries
        true = self.total[qs, [self.w.case_of[s] for s in self.w.subject[qs]]]
        return self._dense_ranks(self.total[qs], self.w.subject[qs], true)

    def dense_multi(self) -> np.ndarray:
        """The true case holds every photo of the child taken before the sighting (fused as score_pair does)."""
        qs, w = self.queries, self.w
        true = np.empty(len(qs))
        for n, i in enumerate(qs):
            own = np.flatnonzero((w.subject == w.subject[i]) & (w.age < w.age[i]) & w.has_c)
            own = own if len(own) else np.array([w.case_of[w.subject[i]]])
            true[n] = fuse(self.face[i, own], w.age[i] - w.age[own]) - self.hub[i]
        return self._dense_ranks(self.total[qs], w.subject[qs], true)

    def fused_queries(self, members: list[np.ndarray]) -> np.ndarray:
        """Dense ranks of queries each made of several sighting photos (mean of adapted faces)."""
        w, qs = self.w, self.queries
        vec = np.stack([self.q[m[w.has_q[m]]].mean(axis=0) if w.has_q[m].any() else self.q[m[0]] for m in members])
        vec /= np.linalg.norm(vec, axis=1, keepdims=True)
        hub = np.array([self.hub[m[w.has_q[m]]].mean() if w.has_q[m].any() else 0.0 for m in members])
        face = scores(self.model, w, vec, w.age[qs], w.birth[qs], self.c)
        face[:, ~w.has_c] = NEG
        rows = face - hub[:, None]
        true = rows[np.arange(len(qs)), [w.case_of[s] for s in w.subject[qs]]]
        true[~np.array([w.has_q[m].any() for m in members])] = NEG
        return self._dense_ranks(rows, w.subject[qs], true)

    def same_age_members(self) -> list[np.ndarray]:
        w = self.w
        return [np.flatnonzero((w.subject == w.subject[i]) & (w.age == w.age[i]) & w.later) for i in self.queries]

    def group_members(self) -> list[np.ndarray]:
        w = self.w
        return [np.flatnonzero((w.subject == w.subject[i]) & (np.abs(w.age - w.age[i]) <= GROUP_YEARS) & w.later)
                for i in self.queries]

    def sighting_to_case(self) -> np.ndarray:
        qs, w = self.queries, self.w
        cases = np.flatnonzero(w.is_case & self.in_gallery)
        rows = self.total[np.ix_(qs, cases)]
        true = self.total[qs, [w.case_of[s] for s in w.subject[qs]]]
        ranks = 1 + np.sum((w.subject[cases][None, :] != w.subject[qs][:, None]) & (rows > true[:, None]), axis=1)
        ranks = ranks.astype(float)
        ranks[true <= NEG / 2] = np.inf
        return ranks

    def case_to_sightings(self, mixed: bool, adults: float = 1.0) -> np.ndarray:
        """For each case, the best of its true sightings among every sighting. ``mixed``: only the
        child's sightings under 18 are true; every photo of other people (adults' too) a distractor,
        each adult's photo counted ``adults`` times (the expected rank in a gallery with that many
        times more adults' faces, as in streets where most faces are adults')."""
        w, out = self.w, []
        for s in sorted(self.subjects):
            mine = (w.subject == s) & w.later & ((w.age < ADULT) if mixed else True)
            if not mine.any():
                continue
            pool = self.in_gallery & (w.subject != s) & (w.later | (w.age >= ADULT) if mixed else w.later)
            column = self.total[:, w.case_of[s]]
            best = column[mine].max()
            above = pool & (column > best)
            rank = 1 + np.sum(above & (w.age < ADULT)) + adults * np.sum(above & (w.age >= ADULT))
            out.append(np.inf if best <= NEG / 2 else rank)
        return np.asarray(out, dtype=float)

    def ranks(self, extended: bool = False) -> dict[str, np.ndarray]:
        out = {"dense": self.dense(), "cases": self.sighting_to_case(),
               "case_to_sightings": self.case_to_sightings(False),
               "case_to_sightings_mixed": self.case_to_sightings(True)}
        if extended:
            same = self.same_age_members()
            several = np.array([len(m) > 1 for m in same])
            out |= {"dense_multi": self.dense_multi(), "dense_group": self.fused_queries(self.group_members()),
                    "dense_several_single": out["dense"][several],
                    "dense_several": self.fused_queries(same)[several]}
        return out


def fuse(similarities: np.ndarray, gaps: np.ndarray, sigma: float = 6.0, temperature: float = 0.02) -> float:
    """``domain.scoring.fuse_faces`` on arrays."""
    weights = -np.abs(gaps) / sigma + similarities / temperature
    exp_w = np.exp(weights - weights.max())
    return float(np.sum(exp_w * similarities) / np.sum(exp_w))


KS = {"dense": (1, 10, 20), "cases": (1, 10, 20), "case_to_sightings": (1, 10, 20),
      "case_to_sightings_mixed": (1, 10, 20)}


def objective(ranks: dict[str, np.ndarray]) -> float:
    """What the inner folds maximise: the issue's targets, dense @10 and @20 and mixed case → sightings @1 and @20."""
    d, m = ranks["dense"], ranks["case_to_sightings_mixed"]
    return float(np.mean(d <= 10) + np.mean(d <= 20) + np.mean(m <= 1) + np.mean(m <= 20)) / 4


def smooth_objective(ranks: dict[str, np.ndarray]) -> float:
    """``objective`` with each recall@k read softly: a query at rank r > k counts k/r instead of 0, so
    that the few queries of the small inner galleries say more than whether they crossed k."""
    def soft(r: np.ndarray, k: int) -> float:
        return float(np.mean(np.where(np.isfinite(r), k / np.maximum(r, k), 0.0)))
    d, m = ranks["dense"], ranks["case_to_sightings_mixed"]
    return (soft(d, 10) + soft(d, 20) + soft(m, 1) + soft(m, 20)) / 4


OBJECTIVES = {"targets": objective, "smooth": smooth_objective}


@dataclass(frozen=True)
class Selection:
    """How the inner folds choose: their count, how many random partitions are pooled, and the figure."""
    inner: int = 4
    repeats: int = 1
    objective: str = "targets"


def choose(world: World, training: list[Photo], grid: list[Config], selection: Selection, seed: int = 2026) -> Config:
    parts = [held for r in range(selection.repeats) for held in folds(training, selection.inner, seed + r)]
    best, best_value = grid[0], -1.0
    for config in grid:
        pooled: dict[str, list[np.ndarray]] = {}
        for held in parts:
            model = fit(config, world.raw_by_path, [p for p in training if p.subject not in held])
            # the inner galleries hold only the inner held-out subjects: a step is never credited for
            # ranking down the very distractors it was fitted on
            for k, v in Evaluation(model, world, held, held).ranks().items():
                pooled.setdefault(k, []).append(v)
        value = OBJECTIVES[selection.objective]({k: np.concatenate(v) for k, v in pooled.items()})
        if value > best_value + 1e-9:  # ties keep the earlier (simpler) value
            best, best_value = config, value
    return best


STEPS: list[tuple[str, list[dict[str, Any]]]] = [
    ("+ WCCN (shrinkage chosen inside)", [{"shrinkage": s} for s in (0.5, 1.0, 2.0, 4.0)]),
    ("+ age directions removed (0, 2, 4, 8 or 16, chosen inside)", [{"age_dirs": r} for r in (0, 2, 4, 8, 16)]),
    ("+ hubness, corpus average (weight 0, 0.5, 1; 16/32/64 centroids)",
     [{"hub_weight": 0.0}] + [{"hub_weight": w, "hub_k": k, "hub_mode": "global"}
                              for w in (0.5, 1.0) for k in (16, 32, 64)]),
    ("+ hubness, own region's average instead (weight 0–2; 16/32/64 centroids)",
     [{"hub_weight": 0.0}] + [{"hub_weight": w, "hub_k": k, "hub_mode": "local"}
                              for w in (0.5, 1.0, 2.0) for k in (16, 32, 64)]),
    ("+ hubness, ranking down only faces above the average instead (weight 0–2; 16/32/64 centroids)",
     [{"hub_weight": 0.0}] + [{"hub_weight": w, "hub_k": k, "hub_mode": "clipped"}
                              for w in (0.5, 1.0, 2.0) for k in (16, 32, 64)]),
    ("+ age drift of the case photo toward the expected age (0, 0.5, 1, 1.5)",
     [{"drift": d} for d in (0.0, 0.5, 1.0, 1.5)]),
]
FIXED = {"previous recipe (WCCN shrinkage 2, hubness weight 1, 32 centroids, now of ≥ 5 people), fitted per fold":
         PREVIOUS}
KEPT = "kept steps, chosen inside (the default candidate)"
SHIPPED = "shipped recipe (the values most outer folds chose), fitted per fold"


def run(photos: list[Photo], raw: dict[Path, np.ndarray], case: dict[Path, np.ndarray], outer: int,
        selection: Selection, steps: list[tuple[str, list[dict[str, Any]]]] = STEPS,
        alternatives: tuple[int, ...] = (3, 4), seed: int = 2026) -> dict[str, Any]:
    """Rows of the one-change table. Step indexes in ``alternatives`` replace the step before them
    instead of adding to it (two variants of one step); the next step builds on the better one.
    ``seed``: which random partition of the subjects makes the folds (another one gauges fold noise)."""
    world = World(photos, raw, case)
    rows: dict[str, dict[str, list[np.ndarray]]] = {}
    chosen_log: dict[str, list[dict[str, Any]]] = {}
    for held in folds(photos, outer, seed):
        training = [p for p in photos if p.subject not in held]
        everyone = {p.subject for p in photos}
        configs: list[tuple[str, Config]] = [("small-face fallbacks, cosine (nothing fitted)", Config())]
        configs += [*FIXED.items(), (SHIPPED, shipped_config())]
        chosen = Config()
        before = chosen
        for n, (name, grid) in enumerate(steps):
            base = before if n in alternatives else chosen
            candidate = choose(world, training, [replace(base, **g) for g in grid], selection, seed)
            configs.append((name, candidate))
            if n in alternatives:  # keep the better of the variants, judged inside
                chosen = choose(world, training, [chosen, candidate], selection, seed)
            else:
                before, chosen = chosen, candidate
        configs.append((KEPT, chosen))
        if chosen.hub_weight:  # the chosen hubness, off or fitted elsewhere (not chosen inside: diagnostics)
            configs += [("kept steps, hubness off", replace(chosen, hub_weight=0.0)),
                        ("kept steps, hubness fitted on under-18s only", replace(chosen, hub_mode="children")),
                        ("kept steps, hubness fitted on the searched sightings (unlabelled)",
                         replace(chosen, hub_mode="gallery"))]
        for name, config in configs:
            model = fit(config, world.raw_by_path, training)
            figures = Evaluation(model, world, held, everyone).ranks(extended=True)
            unseen = Evaluation(model, world, held, held).ranks()
            figures |= {f"{k} unseen": v for k, v in unseen.items()}
            for k, v in figures.items():
                rows.setdefault(name, {}).setdefault(k, []).append(v)
            chosen_log.setdefault(name, []).append(asdict(config))
    out = {}
    for name, parts in rows.items():
        out[name] = {k: recall(np.concatenate(v), (1, 5, 10, 20)) for k, v in parts.items()}
        out[name]["per_fold"] = {f"{k} {m}": [recall(v, (1, 10, 20))[m] for v in parts[k]] for k, m in COLUMNS}
        out[name]["chosen"] = chosen_log[name]
        out[name]["parameters"] = max(Config(**c).parameters() for c in chosen_log[name])
    return out


COLUMNS = [("dense", "r@1"), ("dense", "r@10"), ("dense", "r@20"), ("cases", "r@1"), ("cases", "r@10"),
           ("case_to_sightings", "r@1"), ("case_to_sightings", "r@10"), ("case_to_sightings", "r@20"),
           ("case_to_sightings_mixed", "r@1"), ("case_to_sightings_mixed", "r@20")]
FUSION = [("dense", "one case photo, one sighting photo"), ("dense_multi", "case photos taken before the sighting"),
          ("dense_group", "sighting fused with the child's sightings within 2 years"),
          ("dense_several_single", "sightings with several photos: one photo"),
          ("dense_several", "the same sightings: their photos fused")]


def chosen_words(chosen: list[dict[str, Any]]) -> str:
    """The values the inner folds chose, fold by fold, where they vary from the plain settings."""
    keys = ("shrinkage", "age_dirs", "hub_weight", "hub_k", "hub_mode", "drift")
    words = []
    for key in keys:
        values = [c[key] for c in chosen]
        if key in ("hub_k", "hub_mode") and not any(c["hub_weight"] for c in chosen):
            continue
        if any(v not in (None, 0, 0.0, "global", 32) for v in values) or (key == "hub_k" and len(set(values)) > 1):
            words.append(f"{key} {'/'.join(str(v) for v in values)}")
    return ", ".join(words) or "nothing fitted"


def markdown(result: dict[str, Any]) -> str:
    lines = ["| step | " + " | ".join(f"{d.replace('_', ' ')} {m}" for d, m in COLUMNS)
             + " | numbers fitted | chosen per outer fold |", "|" + "---|" * (len(COLUMNS) + 3)]
    for name, row in result["rows"].items():
        cells = [f"{row[d][m]:.3f}" for d, m in COLUMNS]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {row['parameters']:,} | {chosen_words(row['chosen'])} |")
    unseen = [(f"{d} unseen", m) for d, m in COLUMNS]
    lines += ["", "Galleries of held-out subjects only (no distractor the step was fitted on):", "",
              "| step | " + " | ".join(f"{d.replace('_', ' ')} {m}" for d, m in unseen) + " |",
              "|" + "---|" * (len(unseen) + 1)]
    for name, row in result["rows"].items():
        lines.append(f"| {name} | " + " | ".join(f"{row[d][m]:.3f}" for d, m in unseen) + " |")
    lines += ["", "| step | " + " | ".join(f"{label} (n) @1 / @10 / @20" for _, label in FUSION) + " |",
              "|" + "---|" * (len(FUSION) + 1)]
    for name, row in result["rows"].items():
        cells = [f"({row[k]['n']}) {row[k]['r@1']:.3f} / {row[k]['r@10']:.3f} / {row[k]['r@20']:.3f}"
                 for k, _ in FUSION]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--outer", type=int, default=5)
    parser.add_argument("--inner", type=int, default=4)
    parser.add_argument("--inner-repeats", type=int, default=1,
                        help="random partitions into inner folds, pooled, for each choice (steadier choices)")
    parser.add_argument("--objective", choices=sorted(OBJECTIVES), default="targets",
                        help="what the inner folds maximise: the target recalls, or the same read softly")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--no-case-jitter", action="store_true",
                        help="case photos embedded like sightings (quicker; the engine jitters them)")
    parser.add_argument("--flip", action=argparse.BooleanOptionalAction, default=raw_engine_options().flip,
                        help="every face also embedded mirrored (DlibOptions.flip; the default engine's: on)")
    parser.add_argument("--jitter", type=int, default=0, help="jittered copies averaged for every photo as a sighting")
    parser.add_argument("--case-jitter", type=int, default=raw_engine_options().case_jitter,
                        help="jittered copies averaged for case photos")
    parser.add_argument("--padding", type=float, default=raw_engine_options().padding,
                        help="the aligned chip's padding around the face")
    parser.add_argument("--shipped-steps-only", action="store_true",
                        help="only the steps the shipped recipe has (WCCN, age directions, hubness): quicker")
    parser.add_argument("--fold-seed", type=int, default=2026,
                        help="the random partition of subjects into folds (others gauge the fold noise)")
    parser.add_argument("--markdown", type=Path, help="print the tables of an earlier run's JSON and stop")
    args = parser.parse_args()
    if args.markdown:
        print(markdown(json.loads(args.markdown.read_text())))
        return
    start = time.perf_counter()
    photos = load(args.corpus.resolve())
    options = replace(raw_engine_options(), flip=args.flip, jitter=args.jitter, case_jitter=args.case_jitter,
                      padding=args.padding)
    raw, thorough = embed_unadapted(photos, case_jitter=not args.no_case_jitter, options=options)
    steps = [s for s in STEPS if s[0].startswith(SHIPPED_STEPS)] if args.shipped_steps_only else STEPS
    result = {"corpus": str(args.corpus), "machine": machine(), "outer": args.outer, "inner": args.inner,
              "inner_repeats": args.inner_repeats, "objective": args.objective,
              "case_jitter": not args.no_case_jitter, "fold_seed": args.fold_seed,
              "load_average": [round(x, 2) for x in os.getloadavg()],
              "engine": {f.name: getattr(options, f.name) for f in fields(options) if f.name != "adaptation"},
              "sightings_photos_per_second": round(len(photos) / raw.seconds, 2),
              "case_photos_per_second": round(len(photos) / thorough.seconds, 2),
              "rows": run(photos, raw.vectors, thorough.vectors, args.outer,
                          Selection(args.inner, args.inner_repeats, args.objective), steps,
                          () if args.shipped_steps_only else (3, 4), args.fold_seed)}
    result |= {"wall_seconds": round(time.perf_counter() - start, 1), "peak_memory_mb": peak_memory_mb()}
    emit(result, args.out)


if __name__ == "__main__":
    main()
