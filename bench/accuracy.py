"""Cross-age search accuracy of Reunite's own pipeline and ranking against plain dlib.

    python bench/accuracy.py CORPUS [--age-noise 3] [--folds 5] [--out FILE]

Implements the protocol of shared/corpus/README.md for any corpus in that layout and prints one
JSON object with every figure, the baseline's beside the project's."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runs as a script from anywhere

from bench.adaptation import adapt, corpus_fingerprint, embed_unadapted
from bench.baseline import embed_baseline
from bench.common import emit, machine, peak_memory_mb
from bench.corpus import Photo, load
from bench.embed import Embedded
from bench.fitted import Config, fit, shipped_config
from bench.protocol import MISSING, Protocol, Scorer, birth_dates, photo_date
from reunite.adapters.faces.dlib_engine import ADAPTATION_FILE, load_hubness
from reunite.adapters.faces.hubness import Hubness
from reunite.domain.model import AgeRange, Sex
from reunite.domain.scoring import CaseFacts, FaceHit, MatchPolicy, SightingFacts, score_pair

LONG_AGO = datetime(1900, 1, 1, tzinfo=UTC)


def at_noon(day: date) -> datetime:
    return datetime.combine(day, clock_time(12), tzinfo=UTC)


ESTIMATED_AGES: dict[str, int] = {}  # photo file → age estimated from the face (--estimated-ages)


def apparent_age(photo: Photo, noise: int | None) -> AgeRange | None:
    """The reporter's estimate, simulated as the true age ± ``noise`` years (children only); or,
    with ``--estimated-ages``, the age estimated from the face ± ``noise``."""
    age = ESTIMATED_AGES.get(photo.path.name, photo.age) if ESTIMATED_AGES else photo.age
    if noise is None or age is None or age > 25:
        return None
    return AgeRange(max(0, age - noise), min(25, age + noise))


def project_scorer(
    vectors: dict[Path, np.ndarray], births: dict[str, date], policy: MatchPolicy, age_noise: int | None,
    hubness: dict[Path, float] | None = None, quality: dict[Path, float] | None = None,
    case_vectors: dict[Path, np.ndarray] | None = None,
) -> Scorer:
    """Reunite's ranking (``score_pair``: fusion over the case's photos, the sighting face's
    hubness and plausibility terms). ``case_vectors``: case photos' own (thorough) embeddings."""
    cases = case_vectors if case_vectors is not None else vectors

    def score(sighting: Photo, case_photos: Sequence[Photo]) -> float:
        query = vectors.get(sighting.path)
        if query is None:
            return MISSING
        birth = births[case_photos[0].subject]
        hits = [FaceHit(i, float(query @ cases[p.path]), photo_date(birth, p), (quality or {}).get(p.path, 1.0))
                for i, p in enumerate(case_photos) if p.path in cases]
        if not hits:
            return MISSING
        case = CaseFacts(0, birth, Sex.UNKNOWN, LONG_AGO, None)
        seen = at_noon(photo_date(births[sighting.subject], sighting))
        # a case whose corpus gives no ages has no birth date to judge an apparent age by: no age term
        ageless = all(p.age is None for p in case_photos)
        facts = SightingFacts(0, seen, None, None if ageless else apparent_age(sighting, age_noise), Sex.UNKNOWN)
        return score_pair(policy, case, facts, hits, (hubness or {}).get(sighting.path, 0.0)).total

    return score


def hubness_of(vectors: dict[Path, np.ndarray], reference: Hubness | None) -> dict[Path, float] | None:
    if reference is None:
        return None
    paths = list(vectors)
    return dict(zip(paths, reference(np.stack([vectors[p] for p in paths])).tolist(), strict=True))


def baseline_scorer(vectors: dict[Path, np.ndarray]) -> Scorer:
    """Minus the euclidean distance to the case's single (youngest) photo, as face_recognition does."""

    def score(sighting: Photo, case_photos: Sequence[Photo]) -> float:
        query, case = vectors.get(sighting.path), vectors.get(case_photos[0].path)
        if query is None or case is None:
            return MISSING
        return -float(np.linalg.norm(query - case))

    return score


def speed(embedded: Embedded, photos: int) -> dict[str, Any]:
    return {
        "photos_without_face": len(embedded.no_face),
        "faces_found": embedded.faces,
        "embed_seconds": round(embedded.seconds, 1),
        "photos_per_second": round(photos / embedded.seconds, 3) if embedded.seconds else None,
    }


def pool(parts: list[Any]) -> Any:
    """Combine per-fold figures: recalls weighted by their query counts, other numbers averaged."""
    first = parts[0]
    if isinstance(first, dict):
        if "n" in first:
            counted = [p for p in parts if p["n"]]  # a fold with no such query has no figure (nan)
            n = sum(p["n"] for p in counted)
            return {k: (n if k == "n" else round(sum(p[k] * p["n"] for p in counted) / n, 4) if n else first[k])
                    for k in first}
        return {k: pool([p[k] for p in parts]) for k in first}
    if isinstance(first, int | float):
        return round(float(np.mean(parts)), 4)
    return first


def folds(photos: list[Photo], k: int, seed: int = 2026) -> list[set[str]]:
    subjects = sorted({p.subject for p in photos})
    order = np.random.default_rng(seed).permutation(len(subjects))
    return [{subjects[i] for i in order[f::k]} for f in range(k)]


def figures(photos: list[Photo], vectors: dict[Path, np.ndarray], age_noise: int | None,
            subjects: set[str] | None = None, reference: Hubness | None = None,
            policy: MatchPolicy | None = None, quality: dict[Path, float] | None = None,
            case_vectors: dict[Path, np.ndarray] | None = None) -> dict[str, Any]:
    protocol = Protocol(photos, subjects)
    births = birth_dates(photos)
    hubs, policy = hubness_of(vectors, reference), policy or MatchPolicy()
    out = protocol.all_figures(project_scorer(vectors, births, policy, None, hubs, quality, case_vectors))
    if age_noise is not None:
        with_age = project_scorer(vectors, births, policy, age_noise, hubs, quality, case_vectors)
        out[f"with_age_pm{age_noise}"] = {"sighting_to_case": protocol.sighting_to_case(with_age),
                                          "dense": protocol.dense(with_age)}
    return out


def reunite_figures(photos: list[Photo], raw: dict[Path, np.ndarray], age_noise: int | None, k: int,
                    case_raw: dict[Path, np.ndarray] | None = None) -> dict[str, Any]:
    """The default pipeline (``case_raw``: the thorough embeddings the engine makes of case photos).
    Its adaptation matrix and hubness centroids, if trained on this very corpus, are re-fitted per
    fold on the other subjects only (subject-disjoint cross-validation); else the bundled ones are used."""
    case_raw = case_raw if case_raw is not None else raw
    bundled, meta = load_bundled()
    if bundled is None:
        return {"adaptation": "none"} | figures(photos, raw, age_noise, case_vectors=case_raw)
    if meta.get("corpus_fingerprint") != corpus_fingerprint(photos):
        return {"adaptation": "bundled"} | figures(photos, adapt(raw, bundled), age_noise, None,
                                                  load_hubness(ADAPTATION_FILE),
                                                  case_vectors=adapt(case_raw, bundled))
    parts = []
    for held_out in folds(photos, k):
        matrix, adapted, reference = fitted_on(raw, [p for p in photos if p.subject not in held_out])
        parts.append(figures(photos, adapted, age_noise, held_out, reference,
                             case_vectors=adapt(case_raw, matrix)))
    return {"adaptation": f"{k}-fold subject-disjoint cross-validation"} | pool(parts)


def fitted_on(
    raw: dict[Path, np.ndarray], training: list[Photo], config: Config | None = None
) -> tuple[np.ndarray, dict[Path, np.ndarray], Hubness | None]:
    """The adaptation matrix, the adapted embeddings and the hubness reference, fitted on ``training``
    only with the shipped recipe (bench/fitted.py; WCCN, age directions removed, hubness centroids)."""
    model = fit(config or shipped_config(), raw, training)
    matrix = model.matrix if model.matrix is not None else np.eye(len(next(iter(raw.values()))))
    return matrix, adapt(raw, matrix), model.reference()


def load_bundled() -> tuple[np.ndarray | None, dict[str, Any]]:
    if not ADAPTATION_FILE.exists():
        return None, {}
    with np.load(ADAPTATION_FILE) as data:
        return np.asarray(data["matrix"], dtype=np.float64), json.loads(str(data["meta"]))


def evaluate(corpus: Path, age_noise: int | None, use_cache: bool, k: int) -> dict[str, Any]:
    start = time.perf_counter()
    photos = load(corpus)
    raw, thorough = embed_unadapted(photos, use_cache=use_cache)
    base = embed_baseline(photos)
    result: dict[str, Any] = {
        "corpus": str(corpus), "photos": len(photos), "subjects": len({p.subject for p in photos}),
        "sightings": len(Protocol(photos).queries), "machine": machine(),
        "reunite": speed(raw, len(photos)) | {"case_photos_per_second": speed(thorough, len(photos))[
            "photos_per_second"]} | reunite_figures(photos, raw.vectors, age_noise, k, thorough.vectors),
        "reunite_without_adaptation": figures(photos, raw.vectors, None),
        "baseline": speed(base, len(photos)) | Protocol(photos).all_figures(baseline_scorer(base.vectors)),
    }
    result["wall_seconds"] = round(time.perf_counter() - start, 1)
    result["peak_memory_mb"] = peak_memory_mb()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--age-noise", type=int, default=3, help="simulate reporters' age estimates (±years)")
    parser.add_argument("--no-cache", action="store_true", help="recompute embeddings")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds for trained steps")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--estimated-ages", type=Path, help="ages estimated from faces (bench/estimate_age.py) "
                                                              "in place of the simulated reporter")
    args = parser.parse_args()
    if args.estimated_ages:
        estimates = json.loads(args.estimated_ages.read_text())["estimates"]
        ESTIMATED_AGES.update({name: int(e["age"]) for name, e in estimates.items()})
    result = evaluate(args.corpus.resolve(), args.age_noise, not args.no_cache, args.folds)
    emit(result, args.out)


if __name__ == "__main__":
    main()
