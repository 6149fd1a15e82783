"""A child registered twice: how often the duplicate check flags two cases' photos.

    python bench/doubles.py ../shared/corpus/fgnet-dev [--folds 5] [--out FILE]

Every photo of a child (under 18) is a case photo, embedded as a case photo is (the engine's thorough
embedding, its hubness by the engine's reference). Every pair of two such photos is read as
``services.grouping.flag_duplicates`` reads a pair of faces of two cases born within a year
(``scoring.read_case_photos``: the younger photo's age cell, the older photo's hubness, the gap; the
corpus's whole-year ages stand for the ages the cases' birth and photo dates give). A pair of one
subject's two different photos is a true double (the same child registered by two accounts with their
own snapshots); a pair of two subjects' photos is a false flag (two children, siblings for instance,
whose births lie within a year). Flagged: the share at most the strong lead's (``LeadPolicy.strong_share``).

Readings compared: ``before`` (the check as it was: no ages, the most cautious age cell, the hubness of
the face whose case is checked; either case's check, each counted half: either may be registered
second), ``by ages`` (the shipped reading), ``no dates`` (the
shipped reading when neither case gave its photo's date: the most cautious cell, the larger hubness) and
``with the older photo's age`` (the shipped reading also by the calibration's sighting-age cells: not
shipped, see ``read_case_photos``); and the shipped reading at the possible lead's and the operating
point's shares, for comparison (not shipped: a double is flagged as alike as a strong lead).

``cross_validated``: the adaptation, hubness reference and calibration fitted on the other subjects (5
subject-disjoint folds, as bench/operating_points.py), pairs within each held-out fold. ``bundled``: the
shipped files on the whole corpus (in-sample: what the application itself reads of these photos)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runs as a script from anywhere

from bench.accuracy import fitted_on, folds, load_bundled
from bench.adaptation import adapt, embed_unadapted
from bench.common import machine, peak_memory_mb
from bench.corpus import Photo, load
from bench.operating_points import calibrate, crossfit_hubness
from reunite.adapters.faces.calibration import CALIBRATION_FILE, load_calibration
from reunite.adapters.faces.dlib_engine import ADAPTATION_FILE, load_hubness
from reunite.adapters.faces.hubness import Hubness
from reunite.domain.leads import Calibration, impostor_share
from reunite.domain.scoring import CasePhoto, MatchPolicy, face_evidence, read_case_photos, read_stored

CHILD = 18  # a case photo is of a child
GAPS = ((0, 3), (3, 6), (6, 18))  # years between the two photos

Reading = Callable[[float, Photo, float, Photo, float], list[float | None]]


def readings(policy: MatchPolicy) -> dict[str, tuple[Reading, float]]:
    """Each way of reading a pair of two photos' faces (similarity, each photo and its face's hubness): its
    shares, one for each check that may read it (the check as it was read the pair differently from each case)."""
    calibration = policy.calibration
    assert calibration is not None

    def before(sim: float, a: Photo, ha: float, b: Photo, hb: float) -> list[float | None]:
        return [impostor_share(calibration, sim - h, None, None) for h in (ha, hb)]  # either case's check

    def by_ages(sim: float, a: Photo, ha: float, b: Photo, hb: float) -> list[float | None]:
        return [read_case_photos(policy, sim, CasePhoto(float(a.age or 0), ha), CasePhoto(float(b.age or 0), hb)).share]

    def no_dates(sim: float, a: Photo, ha: float, b: Photo, hb: float) -> list[float | None]:
        return [read_case_photos(policy, sim, CasePhoto(None, ha), CasePhoto(None, hb)).share]

    def with_older_age(sim: float, a: Photo, ha: float, b: Photo, hb: float) -> list[float | None]:
        (young, _), (old, h) = sorted(((float(a.age or 0), ha), (float(b.age or 0), hb)))
        return [read_stored(policy, face_evidence(policy, sim, h), old, old - young, sighting_age=old).share]

    strong = policy.leads.strong_share
    return {"before": (before, strong), "by ages": (by_ages, strong), "no dates": (no_dates, strong),
            "with the older photo's age": (with_older_age, strong),
            "by ages, at 1 in 2,000": (by_ages, policy.leads.possible_share),
            "by ages, at 1 in 500": (by_ages, policy.leads.propose_share)}


def count(photos: list[Photo], vectors: dict[Path, np.ndarray], reference: Hubness | None,
          calibration: Calibration) -> dict[str, Any]:
    """Flags among every pair of these photos, true (one subject) and false (two), by reading and gap;
    refused (ValueError) where fewer than two photos are a child's with a face embedded."""
    policy = MatchPolicy(calibration=calibration)
    kept = [p for p in photos if p.path in vectors and p.age is not None and p.age < CHILD]
    if len(kept) < 2:  # no pair to read: refuse rather than report no flags
        children = sum(p.age is not None and p.age < CHILD for p in photos)
        raise ValueError(f"no pair of case photos to read: of {len(photos)} photos {children} are a child's "
                         f"(under {CHILD}), {sum(p.path in vectors for p in photos)} have a face embedded, "
                         f"{len(kept)} both")
    v = np.stack([vectors[p.path] for p in kept])
    hubs = reference(v) if reference is not None else np.zeros(len(kept))
    sims = v @ v.T
    ways = readings(policy)
    out: dict[str, Any] = {}
    for i, a in enumerate(kept):
        for j in range(i + 1, len(kept)):
            b = kept[j]
            kind = "true" if a.subject == b.subject else "false"
            gap = abs((a.age or 0) - (b.age or 0))
            band = next(f"{lo}-{hi - 1}" for lo, hi in GAPS if lo <= gap < hi)
            for name, (read, limit) in ways.items():
                shares = read(float(sims[i, j]), a, float(hubs[i]), b, float(hubs[j]))
                flagged = sum(s is not None and s <= limit for s in shares) / len(shares)
                for key in (kind, f"{kind}, photos {band} years apart"):
                    cell = out.setdefault(key, {}).setdefault(name, [0.0, 0])
                    cell[0] += flagged
                    cell[1] += 1
    return out


def merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The parts' counts summed, each cell's flagged pairs, pairs and rate; refused when either kind of
    pair (true doubles, false flags) has none."""
    total: dict[str, Any] = {}
    for part in parts:
        for key, ways in part.items():
            for name, (flagged, pairs) in ways.items():
                cell = total.setdefault(key, {}).setdefault(name, [0, 0])
                cell[0] += flagged
                cell[1] += pairs
    for kind in ("true", "false"):  # a figure of no pairs is no figure: refuse rather than leave it out
        if kind not in total:
            raise ValueError(f"no {kind} pairs of case photos ({'one' if kind == 'true' else 'two'} subjects'): "
                             "the corpus gives nothing to measure them on")
    return {key: {name: {"flagged": round(f, 1), "pairs": n, "rate": round(f / n, 5) if n else None}
                  for name, (f, n) in ways.items()} for key, ways in sorted(total.items())}


def cross_validated(photos: list[Photo], raw: dict[Path, np.ndarray], thorough: dict[Path, np.ndarray],
                    k: int) -> dict[str, Any]:
    parts = []
    for held_out in folds(photos, k):
        training = [p for p in photos if p.subject not in held_out]
        matrix, query, reference = fitted_on(raw, training)
        case = adapt(thorough, matrix)
        hub = crossfit_hubness(training, query) if reference is not None else dict.fromkeys(query, 0.0)
        calibration = calibrate(training, query, case, hub)
        parts.append(count([p for p in photos if p.subject in held_out], case, reference, calibration))
    return merge(parts)


def bundled(photos: list[Photo], thorough: dict[Path, np.ndarray]) -> dict[str, Any]:
    matrix, _ = load_bundled()
    calibration = load_calibration(CALIBRATION_FILE)
    assert matrix is not None and calibration is not None, "no shipped files"
    return merge([count(photos, adapt(thorough, matrix), load_hubness(ADAPTATION_FILE), calibration)])


def markdown(result: dict[str, Any]) -> str:
    lines = []
    for name in ("cross_validated", "bundled"):
        r = result[name]
        ways = list(next(iter(r.values())))
        lines += [f"{name}:", "", "| pairs of case photos | pairs | " + " | ".join(ways) + " |",
                  "|---|---|" + "---|" * len(ways)]
        for key, cells in r.items():
            first = next(iter(cells.values()))
            lines.append(f"| {key} | {first['pairs']:,} | " + " | ".join(
                f"{c['flagged']:g} ({100 * c['rate']:.2f}%)" for c in cells.values()) + " |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    start = time.perf_counter()
    photos = load(args.corpus.resolve())
    raw_embedded, case_embedded = embed_unadapted(photos)
    photos = [p for p in photos if p.age is not None]
    result = {"corpus": str(args.corpus), "machine": machine(),
              "cross_validated": cross_validated(photos, raw_embedded.vectors, case_embedded.vectors, args.folds),
              "bundled": bundled(photos, case_embedded.vectors),
              "wall_seconds": round(time.perf_counter() - start, 1), "peak_memory_mb": peak_memory_mb()}
    text = json.dumps(result, indent=1)
    if args.out:
        args.out.write_text(text)
    print(markdown(result))


if __name__ == "__main__":
    main()
