"""How often the intake quality gate (``domain/quality.py``) speaks: on photos that match, and on the same
photos made worse.

    python bench/quality_gate.py ../shared/corpus/fgnet-dev [--every 2] [--out bench/out/quality_gate.json]

Each corpus photo is judged four ways: as it is (these faces are the ones the accuracy figures are
measured on, so any verdict there is a false alarm), shrunk so that its face is 45 px wide (the gate
should say 'small'), and blurred with a Gaussian of a 60th and of a 30th of the face's width, about 2.5
and 5 px on dlib's 150 px chip (the second should say 'blurred'; the first shows where the line lies).
A shrunk photo smaller than a phone's frame is placed in a grey 640×480 one, as a far-away child would be.
The gate's thresholds are those the engine ships with."""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runs as a script from anywhere

from bench.common import machine, peak_memory_mb
from bench.corpus import load
from reunite.domain.ports import FaceEngine
from reunite.domain.quality import photo_problem, turn

VARIANTS = ("as is", "face 45 px", "blurred 2.5 px", "blurred 5 px")


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=92)
    return out.getvalue()


def worse(data: bytes, face_px: int) -> dict[str, bytes]:
    """The photo shrunk so its face is 45 px wide, and blurred by a 60th and a 30th of the face's width
    (about 2.5 and 5 px on dlib's 150 px chip)."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    scale = 45 / face_px
    small = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                         Image.Resampling.LANCZOS)
    if small.width < 640 and small.height < 480:
        canvas = Image.new("RGB", (640, 480), (120, 130, 140))
        canvas.paste(small, ((640 - small.width) // 2, (480 - small.height) // 2))
        small = canvas
    return {"face 45 px": _jpeg(small),
            "blurred 2.5 px": _jpeg(image.filter(ImageFilter.GaussianBlur(face_px / 60))),
            "blurred 5 px": _jpeg(image.filter(ImageFilter.GaussianBlur(face_px / 30)))}


def measure(photos: list[bytes], faces: FaceEngine) -> dict[str, Any]:
    """Per variant: how many photos got each verdict ('fine' when the gate says nothing)."""
    verdicts: dict[str, Counter[str]] = {v: Counter() for v in VARIANTS}
    sharpness: list[float] = []
    turns: list[float] = []
    started = time.perf_counter()
    for data in photos:
        found = faces.detect(data)
        verdicts["as is"][str(photo_problem(found) or "fine")] += 1
        if not found:
            continue
        largest = max(found, key=lambda f: f.box.width)
        sharpness.append(largest.sharpness or 0.0)
        turns.append(turn(largest.landmarks) or 0.0)
        for name, variant in worse(data, largest.box.width).items():
            verdicts[name][str(photo_problem(faces.detect(variant)) or "fine")] += 1
    return {
        "photos": len(photos), "seconds": round(time.perf_counter() - started, 1),
        "verdicts": {name: dict(counts.most_common()) for name, counts in verdicts.items()},
        "sharpness_percentiles_1_5_50": np.percentile(sharpness, [1, 5, 50]).round(1).tolist() if sharpness else [],
        "turn_percentiles_50_99_max": ([*np.percentile(turns, [50, 99]).round(3).tolist(), round(max(turns), 3)]
                                       if turns else []),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--every", type=int, default=1, help="use every n-th photo of the manifest")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    from reunite.adapters.photos.codec import PillowPhotoCodec
    from reunite.bootstrap import build_face_engine
    from reunite.config import Settings

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    engine = build_face_engine(settings, PillowPhotoCodec(settings.max_photo_bytes, settings.max_photo_pixels))
    photos = [p.path.read_bytes() for p in load(args.corpus)[:: args.every]]
    result = measure(photos, engine) | {"corpus": str(args.corpus), "machine": machine(),
                                        "peak_memory_mb": peak_memory_mb()}
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
