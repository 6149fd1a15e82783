"""One change to the default pipeline, measured the default's way: embeddings through the engine with
the given options, then WCCN and hubness re-fitted per fold on the other subjects (5-fold
subject-disjoint cross-validation), the project's ranking, and photos/s (docs/benchmarks.md).

    python bench/variant.py ../shared/corpus/fgnet-dev [--jitter N] [--no-flip] [--quality-weight W]"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runs as a script from anywhere

from bench.accuracy import figures, fitted_on, folds, pool
from bench.adaptation import raw_engine_options
from bench.common import peak_memory_mb
from bench.corpus import load
from bench.embed import embed_all, engine
from reunite.domain.scoring import MatchPolicy

COLUMNS = ("dense", "dense_multi", "sighting_to_case", "sighting_to_case_multi", "case_to_sightings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--jitter", type=int, default=0, help="dlib's num_jitters per embedding")
    parser.add_argument("--flip", action=argparse.BooleanOptionalAction, default=raw_engine_options().flip,
                        help="average with the mirrored face's embedding (the default engine's: on)")
    parser.add_argument("--quality-weight", type=float, default=0.0, help="face quality's weight in the fusion")
    args = parser.parse_args()
    photos = load(args.corpus.resolve())
    embedded = embed_all(photos, engine(replace(raw_engine_options(), jitter=args.jitter, flip=args.flip)))
    policy = MatchPolicy(fusion_quality_weight=args.quality_weight)
    parts = []
    for held_out in folds(photos, 5):
        _, adapted, reference = fitted_on(embedded.vectors, [p for p in photos if p.subject not in held_out])
        parts.append(figures(photos, adapted, None, held_out, reference, policy, embedded.quality))
    result = pool(parts)
    print(json.dumps({"options": vars(args) | {"corpus": str(args.corpus)},
                      "photos_per_second": round(len(photos) / embedded.seconds, 2),
                      "peak_memory_mb": peak_memory_mb()}
                     | {k: {m: v for m, v in result[k]["all"].items() if m.startswith("r@")} for k in COLUMNS}))


if __name__ == "__main__":
    main()
