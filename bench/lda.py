"""LDA instead of WCCN, under the same subject-disjoint cross-validation (docs/benchmarks.md).

    python bench/lda.py ../shared/corpus/fgnet-dev [--dims 40] [--shrinkage 1] [--after-wccn]"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runs as a script from anywhere

from bench.accuracy import figures, folds, pool
from bench.adaptation import adapt, fit_wccn, raw_engine_options
from bench.corpus import Photo, load
from bench.embed import embed_all, engine
from reunite.adapters.faces.hubness import Hubness


def fit_lda(vectors: dict[Path, np.ndarray], training: list[Photo], dims: int, shrinkage: float) -> np.ndarray:
    """The ``dims`` most discriminant directions (between-subject over within-subject scatter)."""
    by_subject: dict[str, list[np.ndarray]] = {}
    for photo in training:
        if photo.path in vectors:
            by_subject.setdefault(photo.subject, []).append(vectors[photo.path])
    mean = np.mean([v for vs in by_subject.values() for v in vs], axis=0)
    within = sum(np.cov(np.array(vs).T, bias=True) * len(vs) for vs in by_subject.values() if len(vs) > 1)
    between = sum(len(vs) * np.outer(np.mean(vs, 0) - mean, np.mean(vs, 0) - mean) for vs in by_subject.values())
    within = within / np.trace(within) * len(within) + shrinkage * np.eye(len(within))
    values, directions = np.linalg.eig(np.linalg.solve(within, between))
    return np.asarray(directions[:, np.argsort(-values.real)[:dims]].real.T)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--dims", type=int, default=40)
    parser.add_argument("--shrinkage", type=float, default=1.0)
    parser.add_argument("--after-wccn", action="store_true")
    args = parser.parse_args()
    photos = load(args.corpus.resolve())
    raw = embed_all(photos, engine(raw_engine_options())).vectors
    parts = []
    for held_out in folds(photos, 5):
        training = [p for p in photos if p.subject not in held_out]
        base = adapt(raw, fit_wccn(raw, training)) if args.after_wccn else raw
        projected = adapt(base, fit_lda(base, training, args.dims, args.shrinkage))
        reference = Hubness.fit(np.stack([projected[p.path] for p in training if p.path in projected]))
        parts.append(figures(photos, projected, None, held_out, reference))
    result = pool(parts)
    print(json.dumps({k: {m: v for m, v in result[k]["all"].items() if m.startswith("r@")}
                      for k in ("dense", "sighting_to_case", "case_to_sightings")}))


if __name__ == "__main__":
    main()
