"""CPU time a photo of each face-engine variant, as a sighting and as a case photo (issue 14).

    python bench/engine_cost.py CORPUS '{"no flip": {"flip": false}}' [--photos 160] [--rounds 2]

Each variant is a set of ``DlibOptions`` fields over the default engine's (the first row). Every
variant finds and embeds the same photos (the corpus's first ``--photos``, sorted by file name) in
turn, ``--rounds`` times; the figure is the best round's process CPU time a photo (detection, landmarks,
the network, adaptation), which the machine's other load disturbs less than wall time."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runs as a script from anywhere

from bench.common import emit, machine
from bench.corpus import load
from bench.embed import engine
from reunite.adapters.faces.dlib_engine import DlibOptions


def cost(variants: dict[str, DlibOptions], photos: list[bytes], rounds: int) -> dict[str, Any]:
    engines = {name: engine(options) for name, options in variants.items()}
    for built in engines.values():  # models loaded and first calls made before any clock runs
        built.detect(photos[0])
        built.detect(photos[0], thorough=True)
    times: dict[tuple[str, bool], list[float]] = {}
    faces: dict[str, int] = {}
    for _ in range(rounds):
        for name, built in engines.items():
            for thorough in (False, True):
                start = time.process_time()
                found = sum(len(built.detect(data, thorough=thorough)) for data in photos)
                times.setdefault((name, thorough), []).append((time.process_time() - start) * 1000 / len(photos))
                faces[name] = found
    return {name: {"sighting_cpu_ms_a_photo": round(min(times[name, False]), 1),
                   "case_photo_cpu_ms_a_photo": round(min(times[name, True]), 1), "faces": faces[name]}
            for name in engines}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("variants", help='JSON: {"name": {DlibOptions field: value}}')
    parser.add_argument("--photos", type=int, default=160)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    photos = [p.path.read_bytes() for p in sorted(load(args.corpus.resolve()), key=lambda p: p.path.name)]
    variants = {"default engine": DlibOptions()} | {
        name: replace(DlibOptions(), **fields) for name, fields in json.loads(args.variants).items()}
    result = {"corpus": str(args.corpus), "machine": machine(), "photos": min(args.photos, len(photos)),
              "load_average": [round(x, 2) for x in os.getloadavg()],
              "variants": cost(variants, photos[:args.photos], args.rounds)}
    emit(result, args.out)


if __name__ == "__main__":
    main()
