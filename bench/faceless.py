"""What a photo without a face costs the face worker, against a photo with one; and which faces are found.

    python bench/faceless.py ../shared/corpus/fgnet-dev [--every 1] [--variants-every 5] [--out FILE]

The engine as shipped (``build_face_engine``) finds and embeds the faces of each photo, one at a time
(``detect``, as the worker calls it for a sighting); the CPU time of each call (this process: dlib and
onnxruntime run on its one thread) and its wall time are recorded, and which photos had a face found.

Photos with a face: every ``--every``-th corpus photo as it is, and every ``--variants-every``-th one
made harder: small (its longer side 80 px in a 480×360 frame: a face of about 45 px), turned 40°, and
put 600 px tall into a 12-megapixel street-like scene (a child some way off in a phone photo).
Photos without a face: the same photos blurred until no face is left (a Gaussian of a 12th of their
side) and upside down (no detector here finds a face standing on its head), 12-megapixel street-like
scenes with nobody in them, and the real photos without a person that ship inside scikit-image
(a cup of coffee, a cat, a rocket, a motorbike, brick, grass, gravel), as they are and at 4032 px
("scenes 12 MP").

The figures to read: photos with a face found, per set (it must not drop when the engine changes), and
the median CPU a photo of each set; ``faceless_over_face`` divides the median of the photos without a
face by that of the corpus photos (and of the 12-MP ones by the 12-MP photos with a face). Run twice
at once, one process on the engine before a change and one after, both see the same machine load."""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runs as a script from anywhere

from bench.common import emit, machine, peak_memory_mb
from bench.corpus import load
from reunite.domain.ports import FaceEngine

Items = Iterator[tuple[str, str, Callable[[], bytes]]]  # (set, name, the photo's bytes when called)

GREY = (120, 130, 140)
FACE_SETS = ("corpus", "small", "turned", "phone 12 MP")
FACELESS_SETS = ("blurred", "upside down", "street 12 MP", "scenes", "scenes 12 MP")
SCENES = ("coffee.png", "chelsea.png", "rocket.jpg", "motorcycle_left.png", "brick.png", "grass.png", "gravel.png")


def jpeg(image: Image.Image, quality: int = 92) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()


def street(seed: int, person: Image.Image | None = None, height: int = 600) -> Image.Image:
    """A 4032×3024 street-like scene (bench/ingest_pipelines.py's), with ``person`` in it when given."""
    rng = np.random.default_rng(seed)
    scene = Image.fromarray(rng.integers(40, 220, size=(24, 32, 3), dtype=np.uint8)).resize(
        (4032, 3024), Image.Resampling.BICUBIC)
    if person is not None:
        person = person.resize((round(person.width * height / person.height), height))
        scene.paste(person, (int(rng.integers(0, 4032 - person.width)), int(rng.integers(0, 3024 - height))))
    return scene


def small(image: Image.Image, side: int = 80) -> Image.Image:
    factor = side / max(image.size)
    shrunk = image.resize((max(1, round(image.width * factor)), max(1, round(image.height * factor))),
                          Image.Resampling.LANCZOS)
    frame = Image.new("RGB", (480, 360), GREY)
    frame.paste(shrunk, ((480 - shrunk.width) // 2, (360 - shrunk.height) // 2))
    return frame


def variants(image: Image.Image, seed: int) -> dict[str, Callable[[], bytes]]:
    """Each harder version of a corpus photo, made when measured (a 12-MP one is 3 MB)."""
    return {
        "small": lambda: jpeg(small(image)),
        "turned": lambda: jpeg(image.rotate(40, expand=True, fillcolor=GREY)),
        "phone 12 MP": lambda: jpeg(street(seed, image), quality=90),
        "blurred": lambda: jpeg(image.filter(ImageFilter.GaussianBlur(max(image.size) / 12))),
        "upside down": lambda: jpeg(image.transpose(Image.Transpose.FLIP_TOP_BOTTOM)),
    }


def scenes() -> Items:
    """Real photos without a person, from scikit-image's data folder (shipped with the package), as they
    are (300–740 px) and enlarged to a phone's 4032 px."""
    import skimage

    folder = Path(skimage.__file__).parent / "data"
    for name in SCENES:
        if (folder / name).is_file():
            image = Image.open(folder / name).convert("RGB")
            yield "scenes", name, lambda image=image: jpeg(image)
            big = image.resize((4032, round(image.height * 4032 / image.width)), Image.Resampling.BICUBIC)
            yield "scenes 12 MP", name, lambda big=big: jpeg(big, quality=90)


def photos(corpus: Path, every: int, variants_every: int, streets: int) -> Items:
    """Every photo measured."""
    listed = load(corpus)
    for photo in listed[::every]:
        yield "corpus", photo.path.name, photo.path.read_bytes
    for seed, photo in enumerate(listed[::variants_every]):
        image = Image.open(photo.path).convert("RGB")
        for kind, make in variants(image, seed).items():
            yield kind, photo.path.name, make
    for seed in range(streets):
        yield "street 12 MP", f"scene {seed}", lambda seed=seed: jpeg(street(1000 + seed), quality=90)
    yield from scenes()


def measure(items: Items, faces: FaceEngine) -> dict[str, Any]:
    """Per set: photos, photos with a face found (and which), the detectors that found them, and the
    CPU and wall seconds a photo (median, 90th percentile, largest)."""
    sets: dict[str, dict[str, Any]] = {}
    for kind, name, make in items:
        data = make()
        cpu, wall = time.process_time(), time.perf_counter()
        found = faces.detect(data)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        row = sets.setdefault(kind, {"cpu": [], "wall": [], "found": [], "detectors": Counter(), "by_photo": {}})
        row["by_photo"][name] = round(cpu, 4)
        row["cpu"].append(cpu)
        row["wall"].append(wall)
        if found:
            row["found"].append(name)
            row["detectors"][found[0].detector] += 1
    result: dict[str, Any] = {"sets": {}}
    for kind, row in sets.items():
        result["sets"][kind] = {
            "photos": len(row["cpu"]), "with_a_face_found": len(row["found"]),
            "detectors": dict(row["detectors"].most_common()),
            "cpu_s": _spread(row["cpu"]), "wall_s": _spread(row["wall"]), "found": sorted(row["found"]),
            "cpu_s_by_photo": row["by_photo"],
        }
    result["faceless_over_face"] = ratios(result["sets"])
    return result


def _spread(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"median": round(statistics.median(ordered), 4),
            "p90": round(ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))], 4),
            "max": round(ordered[-1], 4), "total": round(sum(ordered), 2)}


def ratios(sets: dict[str, dict[str, Any]]) -> dict[str, float]:
    """Median CPU a photo of each set without a face over that of the photos with one of its size."""
    out = {}
    for kind in FACELESS_SETS:
        base = "phone 12 MP" if kind.endswith("12 MP") else "corpus"
        if kind in sets and base in sets and sets[base]["cpu_s"]["median"] > 0:
            out[f"{kind} / {base}"] = round(sets[kind]["cpu_s"]["median"] / sets[base]["cpu_s"]["median"], 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--every", type=int, default=1, help="measure every n-th corpus photo as it is")
    parser.add_argument("--variants-every", type=int, default=5, help="make harder versions of every n-th photo")
    parser.add_argument("--streets", type=int, default=10, help="12-MP street-like scenes with nobody in them")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    from reunite.adapters.photos.codec import PillowPhotoCodec
    from reunite.bootstrap import build_face_engine
    from reunite.config import Settings

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    engine = build_face_engine(settings, PillowPhotoCodec(settings.max_photo_bytes, settings.max_photo_pixels))
    engine.preload()
    load_before = os.getloadavg()
    started = time.perf_counter()
    result = measure(photos(args.corpus, args.every, args.variants_every, args.streets), engine)
    emit(result | {"corpus": str(args.corpus), "every": args.every, "variants_every": args.variants_every,
                   "machine": machine(), "load_average_before_after": [list(load_before), list(os.getloadavg())],
                   "seconds": round(time.perf_counter() - started, 1), "peak_memory_mb": peak_memory_mb()},
         args.out)


if __name__ == "__main__":
    main()
