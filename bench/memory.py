"""Resident memory of the face engine for each pipeline step, each in a fresh process: the models
loaded, then the 40 photos of the youngest children processed (the ones the small-face fallbacks,
and so the lazily loaded CNN detector, are for).

    python bench/memory.py ../shared/corpus/fgnet-dev"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runs as a script from anywhere

from bench.corpus import load
from bench.embed import engine
from reunite.adapters.faces.dlib_engine import DlibOptions

STEPS = {
    "plain settings (HOG only, 5 landmarks)": DlibOptions(upsample=0, cnn_fallback=False, adaptation=None),
    "+ small-face fallbacks (HOG upsampled, CNN)": DlibOptions(adaptation=None),
    "+ 68-point alignment": DlibOptions(adaptation=None, landmarks=68),
    "+ WCCN adaptation and hubness (the default, sightings)": DlibOptions(),
    "+ 3 jittered copies (the default, case photos)": replace(DlibOptions(), jitter=3),
}


def measure(corpus: Path, name: str) -> float:
    face_engine = engine(STEPS[name])
    for photo in sorted(load(corpus), key=lambda p: (p.age is None, p.age))[:40]:
        face_engine.detect(photo.path.read_bytes())
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    corpus = Path(sys.argv[1]).resolve()
    if len(sys.argv) > 2:
        print(measure(corpus, sys.argv[2]))
        return
    rows = {}
    for name in STEPS:
        out = subprocess.run([sys.executable, __file__, str(corpus), name], capture_output=True, text=True,
                             check=True)
        rows[name] = round(float(out.stdout.strip().splitlines()[-1]))
        print(f"| {name} | {rows[name]} MB |", flush=True)
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
