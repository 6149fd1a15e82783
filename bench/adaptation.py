"""Within-class covariance normalisation (WCCN) of face embeddings, and its training script.

    python bench/adaptation.py CORPUS   # writes src/reunite/adapters/faces/adaptation.npz

The matrix whitens the directions in which one person's embeddings vary across ages (shrunk
towards the identity so that 41 subjects cannot overfit it). Beside it: 32 k-means centroids of the
adapted embeddings, the reference for hubness (adapters/faces/hubness.py). Both are aggregate
statistics of the development corpus: no face and no embedding of any person is stored."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runs as a script from anywhere

from bench.corpus import Photo, load
from bench.embed import embed_all, engine
from reunite.adapters.faces.dlib_engine import ADAPTATION_FILE, DlibOptions
from reunite.adapters.faces.hubness import Hubness

SHRINKAGE = 2.0  # chosen by subject-disjoint 5-fold cross-validation (docs/benchmarks.md)


def raw_engine_options() -> DlibOptions:
    """The default pipeline without any adaptation: what the matrix is trained on."""
    return DlibOptions(adaptation=None)


def fit_wccn(vectors: dict[Path, np.ndarray], photos: Iterable[Photo], shrinkage: float = SHRINKAGE) -> np.ndarray:
    by_subject: dict[str, list[np.ndarray]] = {}
    for photo in photos:
        if photo.path in vectors:
            by_subject.setdefault(photo.subject, []).append(vectors[photo.path])
    deviations = [v - np.mean(vs, axis=0) for vs in by_subject.values() if len(vs) > 1 for v in vs]
    within = np.cov(np.array(deviations).T, bias=True)
    within += shrinkage * np.trace(within) / len(within) * np.eye(len(within))
    values, vectors_ = np.linalg.eigh(within)
    matrix = vectors_ @ np.diag(values ** -0.5) @ vectors_.T
    return matrix / np.linalg.norm(matrix, 2)


def adapt(vectors: dict[Path, np.ndarray], matrix: np.ndarray) -> dict[Path, np.ndarray]:
    out = {}
    for path, vector in vectors.items():
        moved = matrix @ vector
        out[path] = moved / np.linalg.norm(moved)
    return out


def corpus_fingerprint(photos: list[Photo]) -> str:
    return hashlib.sha256("".join(sorted(f"{p.path.name}:{p.subject}" for p in photos)).encode()).hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--out", type=Path, default=ADAPTATION_FILE)
    args = parser.parse_args()
    photos = load(args.corpus.resolve())
    face_engine = engine(raw_engine_options())
    vectors = embed_all(photos, face_engine).vectors
    matrix = fit_wccn(vectors, photos)
    adapted = adapt(vectors, matrix)
    hub = Hubness.fit(np.stack(list(adapted.values())))
    meta = {"method": "wccn + hubness centroids", "shrinkage": SHRINKAGE, "hub_centroids": len(hub.centroids),
            "corpus": args.corpus.name,
            "corpus_fingerprint": corpus_fingerprint(photos), "subjects": len({p.subject for p in photos}),
            "trained_on_engine": face_engine.version}
    np.savez(args.out, matrix=matrix.astype(np.float32), meta=json.dumps(meta),
             hub_centroids=hub.centroids.astype(np.float32),
             hub_offset=hub.offset, hub_top=hub.top)
    print(json.dumps(meta | {"file": str(args.out)}))


if __name__ == "__main__":
    main()
