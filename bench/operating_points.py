"""Operating points of the shortlist, and what grouping sightings of one child does to recall.

    python bench/operating_points.py ../shared/corpus/fgnet-dev [--write-calibration] [--out FILE]

Dense protocol (shared/corpus/README.md): each later photo is a sighting, ranked against its
subject's youngest photo and every photo of every other subject (each a separate case). A pair is
proposed when its calibrated impostor share (``domain.leads``: the share of pairs of a sighting and
another child's case photo of this age band scoring as high) is at most the operating point, and it is among
the sighting's ``per_sighting`` best. WCCN, hubness and the calibration are fitted per fold on the
other subjects (5-fold subject-disjoint cross-validation); the calibration's hubness values are themselves
cross-fitted (a face's hubness against centroids fitted without it). ``bundled``: the shipped files, fitted on
this very corpus (in-sample: what the volume test in tests/e2e checks).

Grouping: a sighting's group is fused (scored as the mean of its members' scores, as the worker
does) before it is ranked. "close
in time" groups take the subject's other sightings within 2 years of age (a street group spans
days, not decades); "found" groups are those the face rule (``domain.grouping``) joins among every
sighting within 2 years of age, other children included. ``--write-calibration`` writes the bundled
calibration (adapters/faces/calibration.json) fitted on the whole corpus. ``cross_validated_by_sighting_age``:
as ``cross_validated``, each sighting read with its true age as the reporter's apparent age (the
calibration's case photo age × sighting age cells). ``volume_test``: the
volume test's world replayed through the pipeline's steps (bench/volume.py), and in 10 other
draws of its cases and sightings."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runs as a script from anywhere

from bench.accuracy import fitted_on, folds, load_bundled
from bench.adaptation import adapt, embed_unadapted
from bench.common import machine, peak_memory_mb
from bench.corpus import Photo, by_subject, is_later, load
from bench.fitted import shipped_config
from bench.volume import Files, replay
from reunite.adapters.faces.calibration import CALIBRATION_FILE, load_calibration, save_calibration
from reunite.adapters.faces.dlib_engine import ADAPTATION_FILE, load_hubness
from reunite.adapters.faces.hubness import Hubness
from reunite.domain.grouping import GROUP_AGE_YEARS, same_child_by_face
from reunite.domain.leads import AGE_BANDS, GAP_BANDS, MIN_PAIRS, SIGHTING_AGE_BANDS, Calibration, LeadPolicy, fit_band

OPS = (0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 0.0005, 0.0002)
KS = (1, 10, 20)


def calibrate(photos: list[Photo], query: dict[Path, np.ndarray], case: dict[Path, np.ndarray],
              hub: dict[Path, float]) -> Calibration:
    """Impostor pairs as the pipeline meets them: a sighting (a photo taken after its subject's first)
    of one child against any photo of another, by the case photo's age band, and by case photo age ×
    the sighting photo's true age (what a reporter's apparent age estimates; a cell with fewer than
    MIN_PAIRS pairs is left out, and such a sighting read by its case photo's age). Not by the age gap: the
    pipeline's gap is the missing child's expected age at the sighting, which says nothing of how old
    another child in the sighting is (fitting cells on the impostor's own age gap, as before, had a
    2-year-old's sighting judged by the curve of 6-to-11-year gaps: 2.6 times the false proposals the
    curve promised in the volume test)."""
    kept = [p for p in photos if p.path in query and p.age is not None]
    later = {p.path for ps in by_subject(kept).values() for p in ps[1:] if is_later(p, ps[0])}
    q = np.stack([query[p.path] for p in kept])
    c = np.stack([case[p.path] for p in kept])
    scores = q @ c.T - np.array([hub[p.path] for p in kept])[:, None]
    ages = np.array([p.age for p in kept], dtype=float)
    subjects = np.array([p.subject for p in kept])
    sighting = np.array([p.path in later for p in kept])
    valid = (subjects[:, None] != subjects[None, :]) & sighting[:, None]
    bands = [fit_band(None, None, scores[valid].tolist())]
    for a in AGE_BANDS:
        by_case = valid & (ages[None, :] >= a[0]) & (ages[None, :] < a[1])
        bands.append(fit_band(a, None, scores[by_case].tolist()))
        for s in SIGHTING_AGE_BANDS:
            cell = by_case & (ages[:, None] >= s[0]) & (ages[:, None] < s[1])
            if cell.sum() >= MIN_PAIRS:
                bands.append(fit_band(a, None, scores[cell].tolist(), s))
    return Calibration(tuple(bands))


def crossfit_hubness(photos: list[Photo], vectors: dict[Path, np.ndarray], k: int = 5) -> dict[Path, float]:
    """Each photo's hubness against centroids fitted without its subject: a face's similarity to
    centroids it helped fit is too high, and would make the calibration's impostors look too low."""
    out: dict[Path, float] = {}
    for part in folds(photos, k):
        rest = [p for p in photos if p.subject not in part and p.path in vectors]
        mine = [p.path for p in photos if p.subject in part and p.path in vectors]
        if mine:
            recipe = shipped_config()
            reference = Hubness.fit(np.stack([vectors[p.path] for p in rest]), recipe.hub_k,
                                    people=np.array([p.subject for p in rest]))
            reference.weight = recipe.hub_weight
            values = reference(np.stack([vectors[m] for m in mine]))
            out.update(zip(mine, values.tolist(), strict=True))
    return out


class Fold:
    """Vectors, hubness and calibration of one fold, and the dense evaluation of its sightings (read by
    the sighting's true age as a reporter's apparent age when ``by_sighting_age``, else by the case
    photo's age only)."""

    def __init__(self, photos: list[Photo], query: dict[Path, np.ndarray], case: dict[Path, np.ndarray],
                 reference: Hubness | None, calibration: Calibration, by_sighting_age: bool = False) -> None:
        self.photos = [p for p in photos if p.path in query]
        self.query, self.case, self.reference, self.calibration = query, case, reference, calibration
        self.by_sighting_age = by_sighting_age
        self.groups = by_subject(self.photos)

    def hub(self, vector: np.ndarray) -> float:
        return float(self.reference(vector[None, :])[0]) if self.reference is not None else 0.0

    def rank(self, vector: np.ndarray, sighting: Photo, hub: float | None = None) -> dict[str, Any]:
        """The true case and every photo of other subjects: scores, shares, the truth's rank (``hub``:
        the face's hubness if not its vector's own, as for a fused group)."""
        truth = self.groups[sighting.subject][0]
        gallery = [truth] + [p for s, ps in self.groups.items() if s != sighting.subject for p in ps]
        scores = np.stack([self.case[p.path] for p in gallery]) @ vector - (self.hub(vector) if hub is None else hub)
        age = sighting.age or 0
        apparent = sighting.age if self.by_sighting_age else None
        shares = np.array([self.calibration.band_for(p.age, age - (p.age or 0), apparent).share(float(s))
                           for p, s in zip(gallery, scores, strict=True)])
        return {"scores": scores, "shares": shares, "rank": int(1 + np.sum(scores[1:] > scores[0])),
                "cells": [(p.age or 0, age - (p.age or 0)) for p in gallery], "sighting_age": age}


def proposals(ranked: dict[str, Any], op: float, cap: int | None) -> tuple[bool, int]:
    """(true case proposed, false proposals) at an operating point with a per-sighting cap."""
    passing = np.flatnonzero(ranked["shares"] <= op)
    passing = passing[np.argsort(-ranked["scores"][passing])][:cap]
    return bool(np.any(passing == 0)), int(np.sum(passing != 0))


def by_band(bands: dict[str, list[int]], ranked: dict[str, Any], op: float) -> None:
    """False matches passing ``op`` (uncapped) and pairs, by the calibration's cells: the case photo's
    age band, the age gap's band, the sighting's age band and case photo age × sighting age (the true
    case, first in the gallery, left out; the rows by the sighting's age count every case photo, younger
    than the sighting or not, as the pipeline meets them; the others only the younger ones)."""
    sighting = next(f"{lo:g}-{hi:g}" for lo, hi in SIGHTING_AGE_BANDS if lo <= ranked["sighting_age"] < hi)
    for (age, gap), share in zip(ranked["cells"][1:], ranked["shares"][1:], strict=True):
        passed = bool(share <= op)
        a = next(f"{lo:g}-{hi:g}" for lo, hi in AGE_BANDS if lo <= age < hi)
        keys = [f"sighting age {sighting}", f"case age {a} × sighting age {sighting}"]
        if gap >= 0:
            keys += [f"case age {a}", f"gap {next(f'{lo:g}-{hi:g}' for lo, hi in GAP_BANDS if lo <= gap < hi)}"]
        for key in keys:
            cell = bands.setdefault(key, [0, 0])
            cell[0] += passed
            cell[1] += 1


def evaluate(fold: Fold, queries: list[Photo], cap: int) -> dict[str, Any]:
    out: dict[str, Any] = {"sightings": 0, "gallery": 0, "ranks": [], "ops": {}}
    for sighting in queries:
        ranked = fold.rank(fold.query[sighting.path], sighting)
        out["sightings"] += 1
        out["gallery"] = len(ranked["scores"])
        by_band(out.setdefault("bands", {}), ranked, LeadPolicy().propose_share)
        out["ranks"].append(ranked["rank"])
        for op in OPS:
            cell = out["ops"].setdefault(op, {"true": 0, "false": 0, "true_uncapped": 0, "false_uncapped": 0})
            hit, false = proposals(ranked, op, cap)
            cell["true"] += hit
            cell["false"] += false
            hit, false = proposals(ranked, op, None)
            cell["true_uncapped"] += hit
            cell["false_uncapped"] += false
    return out


def grouped(fold: Fold, queries: list[Photo], found: bool, op: float) -> dict[str, Any]:
    """Dense ranks and proposals when each sighting is fused with its group as the worker fuses it
    (``domain.grouping.fuse_group``: the mean of the members' scores)."""
    nearby = [p for p in fold.photos if any(is_later(p, ps[0]) for ps in [fold.groups[p.subject]])]
    ranks, proposed, false, sizes, wrong = [], 0, 0, [], 0
    for sighting in queries:
        close = [p for p in nearby if p != sighting and abs((p.age or 0) - (sighting.age or 0)) <= GROUP_AGE_YEARS]
        if found:
            v = fold.query[sighting.path]
            members = [p for p in close if same_child_by_face(
                fold.calibration, float(v @ fold.query[p.path]) - max(fold.hub(v), fold.hub(fold.query[p.path])),
                abs((p.age or 0) - (sighting.age or 0)), op)]
        else:
            members = [p for p in close if p.subject == sighting.subject]
        wrong += sum(p.subject != sighting.subject for p in members)
        sizes.append(1 + len(members))
        group = [fold.query[p.path] for p in [sighting, *members]]
        ranked = fold.rank(np.mean(group, axis=0), sighting, float(np.mean([fold.hub(v) for v in group])))
        ranks.append(ranked["rank"])
        hit, wrongly = proposals(ranked, op, LeadPolicy().per_sighting)
        proposed, false = proposed + hit, false + wrongly
    return {"ranks": ranks, "proposed": proposed, "false": false, "sizes": sizes, "wrong_members": wrong}


def recall(ranks: list[int]) -> dict[str, float]:
    arr = np.asarray(ranks)
    return {f"r@{k}": round(float(np.mean(arr <= k)), 3) for k in KS}


def summarise(parts: list[dict[str, Any]], group_parts: dict[str, list[dict[str, Any]]], cases: int) -> dict[str, Any]:
    sightings = sum(p["sightings"] for p in parts)
    gallery = parts[0]["gallery"]
    table = []
    for op in OPS:
        cells = [p["ops"][op] for p in parts]
        true, false = sum(c["true"] for c in cells), sum(c["false"] for c in cells)
        false_u = sum(c["false_uncapped"] for c in cells)
        table.append({
            "one_in": round(1 / op), "true_proposed": round(true / sightings, 3),
            "true_proposed_uncapped": round(sum(c["true_uncapped"] for c in cells) / sightings, 3),
            "false_per_1000_sightings": round(1000 * false / sightings, 1),
            "false_per_case": round(false / gallery, 2),
            "false_per_case_per_1000_sightings": round(1000 * false_u / sightings / gallery, 2),
            "measured_false_match_rate": round(false_u / (sightings * (gallery - 1)), 5),
        })
    single = [r for p in parts for r in p["ranks"]]
    default = next(row for row in table if row["one_in"] == round(1 / LeadPolicy().propose_share))
    grouping = {"single sighting": recall(single) | {
        "n": len(single), "true_proposed_at_default": default["true_proposed"],
        "false_per_1000_sightings_at_default": round(default["false_per_1000_sightings"])}}
    for name, gparts in group_parts.items():
        ranks = [r for g in gparts for r in g["ranks"]]
        sizes = [s for g in gparts for s in g["sizes"]]
        grouping[name] = recall(ranks) | {
            "true_proposed_at_default": round(sum(g["proposed"] for g in gparts) / len(ranks), 3),
            "false_per_1000_sightings_at_default": round(1000 * sum(g["false"] for g in gparts) / len(ranks)),
            "mean_group_size": round(float(np.mean(sizes)), 2),
            "wrong_members": sum(g["wrong_members"] for g in gparts)}
    bands: dict[str, list[int]] = {}
    for p in parts:
        for key, (false, pairs) in p.get("bands", {}).items():
            cell = bands.setdefault(key, [0, 0])
            cell[0] += false
            cell[1] += pairs
    at_default = {k: {"pairs": n, "measured_false_match_rate": round(f / n, 5) if n else None}
                  for k, (f, n) in sorted(bands.items())}
    return {"sightings": sightings, "gallery": gallery, "cases_with_sightings": cases, "table": table,
            "false_match_rate_by_cell_at_default": at_default,
            "grouping": grouping}


def run(photos: list[Photo], raw: dict[Path, np.ndarray], thorough: dict[Path, np.ndarray], k: int,
        bundled: bool, by_sighting_age: bool = False) -> dict[str, Any]:
    cap, default = LeadPolicy().per_sighting, LeadPolicy().propose_share
    parts, group_parts = [], {"group close in time (true)": [], "group found by the face rule": []}
    queries_all = [p for s, ps in by_subject(photos).items() for p in ps[1:] if is_later(p, ps[0])]
    splits = [set()] if bundled else folds(photos, k)
    for held_out in splits:
        if bundled:
            matrix, _ = load_bundled()
            assert matrix is not None, "no bundled adaptation"
            query, reference = adapt(raw, matrix), load_hubness(ADAPTATION_FILE)
        else:
            matrix, query, reference = fitted_on(raw, [p for p in photos if p.subject not in held_out])
        case = adapt(thorough, matrix)
        training = [p for p in photos if p.subject not in held_out]
        hub = crossfit_hubness(training, query) if reference is not None else dict.fromkeys(query, 0.0)
        fold = Fold(photos, query, case, reference, calibrate(training, query, case, hub), by_sighting_age)
        queries = [p for p in queries_all if (bundled or p.subject in held_out) and p.path in query]
        parts.append(evaluate(fold, queries, cap))
        group_parts["group close in time (true)"].append(grouped(fold, queries, False, default))
        group_parts["group found by the face rule"].append(grouped(fold, queries, True, default))
    cases = len({p.subject for p in queries_all})
    return summarise(parts, group_parts, cases)


VARIATIONS = 10  # other draws of the volume test's cases and sightings


def volume(photos: list[Photo], raw: dict[Path, np.ndarray], thorough: dict[Path, np.ndarray]) -> dict[str, Any]:
    """The volume test's prediction: its 20 cases and 300 sightings through the pipeline's steps
    (``bench.volume.replay``: grouping and fused matching included) with the shipped files."""
    matrix, _ = load_bundled()
    calibration = load_calibration(CALIBRATION_FILE)
    assert matrix is not None and calibration is not None, "no shipped files"
    files = Files(matrix, load_hubness(ADAPTATION_FILE), calibration)
    keys = ("impostor_pairs", "false_proposals", "true_proposed", "most_per_case")
    variations = []
    for seed in range(VARIATIONS):
        result = replay(photos, raw, thorough, files, seed=seed)
        variations.append({"seed": seed} | {k: result[k] for k in keys})
    return replay(photos, raw, thorough, files) | {"variations": variations}


def markdown(result: dict[str, Any]) -> str:
    """The tables of docs/benchmarks.md from the JSON this script writes."""
    lines = []
    for name in ("cross_validated", "cross_validated_by_sighting_age", "bundled"):
        if name not in result:
            continue
        r = result[name]
        lines += [f"{name} ({r['sightings']} sightings, {r['gallery']} cases):", "",
                  "| proposed when at most | true matches proposed (≤ 3 per sighting) | uncapped | false proposals "
                  "per 1,000 sightings | per case | per case per 1,000 sightings | measured false-match rate |",
                  "|---|---|---|---|---|---|---|"]
        for row in r["table"]:
            lines.append(f"| 1 in {row['one_in']:,} | {row['true_proposed']:.3f} | {row['true_proposed_uncapped']:.3f} "
                         f"| {row['false_per_1000_sightings']:,.0f} | {row['false_per_case']:.2f} "
                         f"| {row['false_per_case_per_1000_sightings']:.2f} | {row['measured_false_match_rate']:.5f} |")
        cells = r.get("false_match_rate_by_cell_at_default", {})
        if cells:
            lines += ["", "| calibration cell | impostor pairs | measured false-match rate at the default |",
                      "|---|---|---|"]
            lines += [f"| {k} | {v['pairs']:,} | {v['measured_false_match_rate']} |" for k, v in cells.items()]
        lines += ["", "| sightings matched as | dense @1 | @10 | @20 | true proposed at the default | false "
                  "proposals per 1,000 sightings | mean group | members of another child |",
                  "|---|---|---|---|---|---|---|---|"]
        for g, v in r["grouping"].items():
            lines.append(f"| {g} | {v['r@1']:.3f} | {v['r@10']:.3f} | {v['r@20']:.3f} "
                         f"| {v.get('true_proposed_at_default', '')} "
                         f"| {v.get('false_per_1000_sightings_at_default', '')} "
                         f"| {v.get('mean_group_size', 1)} | {v.get('wrong_members', '')} |")
        lines.append("")
    volume_test = result.get("volume_test")
    if volume_test:
        share = LeadPolicy().propose_share
        lines += ["| volume test's world | impostor pairs | allowed by the calibration (mean + 2 SE) | false proposals "
                  "| true proposed | most for one case |", "|---|---|---|---|---|---|"]
        for v in [volume_test | {"seed": "the test's"}, *volume_test.get("variations", [])]:
            mean = v["impostor_pairs"] * share
            lines.append(f"| {v['seed']} | {v['impostor_pairs']:,} | {mean:.1f} ({mean + 2 * mean ** 0.5:.1f}) "
                         f"| {v['false_proposals']} | {v['true_proposed']:.3f} | {v['most_per_case']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--write-calibration", action="store_true")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--markdown", type=Path, help="print the tables of an earlier run's JSON and stop")
    parser.add_argument("--no-case-jitter", action="store_true",
                        help="case photos embedded like sightings (quicker; the default jitters them)")
    args = parser.parse_args()
    if args.markdown:
        print(markdown(json.loads(args.markdown.read_text())))
        return
    start = time.perf_counter()
    photos = load(args.corpus.resolve())
    raw_embedded, case_embedded = embed_unadapted(photos, case_jitter=not args.no_case_jitter)
    raw, thorough = raw_embedded.vectors, case_embedded.vectors
    photos = [p for p in photos if p.age is not None]
    if args.write_calibration:
        matrix, _ = load_bundled()
        assert matrix is not None
        query, case = adapt(raw, matrix), adapt(thorough, matrix)
        hub = crossfit_hubness(photos, query)
        save_calibration(CALIBRATION_FILE, calibrate(photos, query, case, hub), args.corpus.name)
    result = {
        "corpus": str(args.corpus), "machine": machine(), "policy": vars(LeadPolicy()),
        "case_jitter": not args.no_case_jitter,
        "cross_validated": run(photos, raw, thorough, args.folds, bundled=False),
        "cross_validated_by_sighting_age": run(photos, raw, thorough, args.folds, bundled=False, by_sighting_age=True),
        "bundled": run(photos, raw, thorough, args.folds, bundled=True),
        "volume_test": volume(photos, raw, thorough),
        "wall_seconds": round(time.perf_counter() - start, 1), "peak_memory_mb": peak_memory_mb(),
        "load_average": [round(x, 2) for x in __import__("os").getloadavg()],
    }
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
