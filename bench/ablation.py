"""One change at a time: what each step of the pipeline adds, under subject-disjoint cross-validation.

    python bench/ablation.py CORPUS [--out FILE]

Prints a Markdown table (and JSON with --out): recall of the three search directions and the cost in
photos per second of each step, from plain dlib to the default pipeline."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.accuracy import baseline_scorer, figures, fitted_on, folds, pool
from bench.baseline import embed_baseline
from bench.corpus import Photo, load
from bench.embed import embed_all, engine
from bench.fitted import shipped_config
from bench.protocol import Protocol
from reunite.adapters.faces.dlib_engine import DlibOptions
from reunite.domain.scoring import MatchPolicy

PLAIN = DlibOptions(upsample=0, cnn_fallback=False, landmarks=5, flip=False, adaptation=None)
FALLBACKS = replace(PLAIN, upsample=1, cnn_fallback=True)
STEPS = [
    ("project pipeline, plain settings (HOG, 5 landmarks, cosine)", PLAIN),
    ("+ small-face fallbacks (HOG upsampled, then CNN, when none found): kept", FALLBACKS),
    ("+ 68-point alignment: rejected (worse at dense @10/@20 and case → sightings @20)",
     replace(FALLBACKS, landmarks=68)),
    ("+ 68 points and mirrored-face averaging: rejected (1.4× slower for +0.01)",
     replace(FALLBACKS, landmarks=68, flip=True)),
]
HUB_WEIGHTS = (0.5, 1.0, 2.0)
DEFAULT_STEP = 1  # the default pipeline: 5-point alignment with the small-face fallbacks
COLUMNS = [("dense", "r@1"), ("dense", "r@10"), ("dense", "r@20"), ("sighting_to_case", "r@1"),
           ("sighting_to_case", "r@10"), ("case_to_sightings", "r@1"), ("case_to_sightings", "r@10"),
           ("case_to_sightings", "r@20")]


def cross_validated(
    photos: list[Photo], vectors: dict[Path, Any], age_noise: int | None, k: int, hub_weight: float | None = None
) -> dict[str, Any]:
    """WCCN (and, with ``hub_weight``, the hubness reference) fitted on the other subjects of each fold."""
    parts = []
    policy = MatchPolicy(hubness_weight=hub_weight or 0.0)
    for held_out in folds(photos, k):
        recipe = replace(shipped_config(), hub_weight=1.0)  # the policy's weight below is the one measured
        _, adapted, reference = fitted_on(vectors, [p for p in photos if p.subject not in held_out], recipe)
        parts.append(figures(photos, adapted, age_noise, held_out, reference, policy))
    return pool(parts)


def row(name: str, figs: dict[str, Any], speed: float | None) -> dict[str, Any]:
    values = {f"{d} {m}": figs[d]["all"][m] for d, m in COLUMNS}
    return {"step": name, **values, "photos_per_second": speed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    photos = load(args.corpus.resolve())
    base = embed_baseline(photos)
    rows = [row("plain dlib baseline (face_recognition usage)", Protocol(photos).all_figures(
        baseline_scorer(base.vectors)), round(len(photos) / base.seconds, 2))]
    embedded = []
    for name, options in STEPS:
        step = embed_all(photos, engine(options))
        embedded.append(step)
        rows.append(row(name, figures(photos, step.vectors, None), round(len(photos) / step.seconds, 2)))
    default = embedded[DEFAULT_STEP]
    speed = round(len(photos) / default.seconds, 2)
    adapted = cross_validated(photos, default.vectors, None, args.folds)
    rows.append(row("small-face fallbacks + WCCN adaptation (cross-validated)", adapted, speed))
    for weight in HUB_WEIGHTS:
        hub = cross_validated(photos, default.vectors, None, args.folds, weight)
        label = "the default" if weight == MatchPolicy().hubness_weight else "rejected"
        rows.append(row(f"+ sighting-face hubness, weight {weight}: {label}", hub, speed))
    with_age = cross_validated(photos, default.vectors, 3, args.folds, MatchPolicy().hubness_weight)
    rows.append(row("+ reporter's age estimate (true age ± 3 years)", with_age | with_age["with_age_pm3"], speed))
    header = "| step | " + " | ".join(f"{d.replace('_', ' ')} {m}" for d, m in COLUMNS) + " | photos/s |"
    print(header)
    print("|" + "---|" * (len(COLUMNS) + 2))
    for r in rows:
        cells = [f"{r[f'{d} {m}']:.3f}" for d, m in COLUMNS]
        print(f"| {r['step']} | " + " | ".join(cells) + f" | {r['photos_per_second']} |")
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
