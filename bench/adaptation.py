"""Within-class covariance normalisation (WCCN) of face embeddings, and its training script.

    python bench/adaptation.py CORPUS [--from-nested NESTED.json | --config JSON]   # writes adaptation.npz

The matrix whitens the directions in which one person's embeddings vary across ages (shrunk
towards the identity so that 41 subjects cannot overfit it), then removes the few directions along
which faces move most with age (bench/fitted.py). Beside it: k-means centroids of the adapted
embeddings, the reference for hubness (adapters/faces/hubness.py). Each step's value (shrinkage,
directions removed, centroids, hubness weight) is chosen by subject-disjoint folds (bench/nested.py
measures that choice under nested cross-validation). All are aggregate statistics of the development
corpus: no face and no embedding of any person is stored."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runs as a script from anywhere

from bench.corpus import Photo, load
from bench.embed import Embedded, embed_all, engine
from reunite.adapters.faces.dlib_engine import ADAPTATION_FILE, DlibOptions
from reunite.adapters.faces.hubness import TOP

SHRINKAGE = 2.0  # chosen by subject-disjoint 5-fold cross-validation (docs/benchmarks.md)


def raw_engine_options() -> DlibOptions:
    """The default pipeline without any adaptation: what the matrix is trained on."""
    return DlibOptions(adaptation=None)


def embed_unadapted(photos: list[Photo], case_jitter: bool = True, use_cache: bool = True,
                    options: DlibOptions | None = None) -> tuple[Embedded, Embedded]:
    """Every photo embedded without adaptation twice: as a sighting, and as a case photo (averaged over
    jittered copies as the engine does, or like a sighting with ``case_jitter=False``, quicker).
    ``options``: the engine's test-time augmentation to measure (mirrored copy, jittered copies of
    sightings and of case photos, padding of the chip), otherwise the default's; never an adaptation."""
    options = replace(options or raw_engine_options(), adaptation=None)
    raw = embed_all(photos, engine(options), use_cache)
    if not case_jitter or options.case_jitter == options.jitter:
        return raw, raw
    return raw, embed_all(photos, engine(replace(options, jitter=options.case_jitter)), use_cache)


def within_deviations(vectors: dict[Path, np.ndarray], photos: Iterable[Photo]) -> np.ndarray:
    """Each photo's embedding minus its person's mean (people with one photo left out)."""
    by_subject: dict[str, list[np.ndarray]] = {}
    for photo in photos:
        if photo.path in vectors:
            by_subject.setdefault(photo.subject, []).append(vectors[photo.path])
    return np.array([v - np.mean(vs, axis=0) for vs in by_subject.values() if len(vs) > 1 for v in vs])


def fit_wccn(vectors: dict[Path, np.ndarray], photos: Iterable[Photo], shrinkage: float = SHRINKAGE) -> np.ndarray:
    within = np.cov(within_deviations(vectors, photos).T, bias=True)
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


def modal_recipe(nested: Path) -> Any:
    """The value most outer folds of a bench/nested.py run chose for each shipped step (each chosen
    inside its training folds only); the steps not kept stay off."""
    from collections import Counter

    from bench.fitted import Config
    from bench.nested import KEPT

    chosen = json.loads(nested.read_text())["rows"][KEPT]["chosen"]
    mode = {key: Counter(c[key] for c in chosen).most_common(1)[0][0] for key in ("shrinkage", "age_dirs",
                                                                                   "hub_weight")}
    hub_k = Counter(c["hub_k"] for c in chosen if c["hub_weight"]).most_common(1)
    return Config(**mode, hub_k=hub_k[0][0] if hub_k else 32)


def choose_recipe(photos: list[Photo], raw: dict[Path, np.ndarray], k: int = 5) -> Any:
    """The shipped recipe: each step's value chosen, in the order of bench/nested.py, by k
    subject-disjoint folds of the whole corpus (the outer folds of bench/nested.py measure this choice)."""
    from dataclasses import replace

    from bench.fitted import Config
    from bench.nested import STEPS, Selection, World, choose

    world, chosen = World(photos, raw, raw), Config()
    for name, grid in STEPS:
        if name.startswith(SHIPPED_STEPS):
            chosen = choose(world, photos, [replace(chosen, **g) for g in grid], Selection(k))
    return chosen


SHIPPED_STEPS = ("+ WCCN", "+ age directions", "+ hubness, corpus average")  # the others: measured, not kept


def main() -> None:
    from dataclasses import asdict, replace

    from bench.fitted import fit

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--out", type=Path, default=ADAPTATION_FILE)
    parser.add_argument("--no-hubness", action="store_true", help="ship no hubness reference (every face's 0)")
    parser.add_argument("--from-nested", type=Path, help="a bench/nested.py JSON: ship the values most of its "
                        "outer folds chose (else: chosen by folds of the whole corpus)")
    parser.add_argument("--config", help='the recipe itself, as JSON (bench.fitted.Config), e.g. '
                        '\'{"shrinkage": 4, "age_dirs": 2, "hub_weight": 0.5, "hub_k": 16}\'')
    args = parser.parse_args()
    photos = load(args.corpus.resolve())
    face_engine = engine(raw_engine_options())
    vectors = embed_all(photos, face_engine).vectors
    if args.config:
        from bench.fitted import Config

        config = Config(**json.loads(args.config))
    else:
        config = modal_recipe(args.from_nested) if args.from_nested else choose_recipe(photos, vectors)
    if args.no_hubness:
        config = replace(config, hub_weight=0.0)
    model = fit(config, vectors, photos)
    assert model.matrix is not None
    matrix = model.matrix / np.linalg.norm(model.matrix, 2)
    centroids = model.hub_centroids if model.hub_centroids is not None else np.zeros((0, len(matrix)))
    meta = {"method": "wccn, age directions removed, hubness centroids", "config": asdict(config),
            "shrinkage": config.shrinkage, "hub_centroids": len(centroids), "corpus": args.corpus.name,
            "corpus_fingerprint": corpus_fingerprint(photos), "subjects": len({p.subject for p in photos}),
            "trained_on_engine": face_engine.version}
    hub = {} if model.hub_offsets is None else {  # without centroids every face's hubness is 0
        "hub_centroids": centroids.astype(np.float32), "hub_offset": float(model.hub_offsets[0]), "hub_top": TOP,
        "hub_weight": config.hub_weight, "hub_people": model.hub_people}
    np.savez(args.out, matrix=matrix.astype(np.float32), meta=json.dumps(meta), **hub)
    print(json.dumps(meta | {"file": str(args.out)}))


if __name__ == "__main__":
    main()
