"""A second face the detector finds overlapping the child's face box: how much of it a family's copy
leaves sharp, the child's face box put back whole (before) or less the bystander's side of the two
boxes' overlap (``access.shared_with_child``, after); and whether the child is still found.

    python bench/overlapping_faces.py ../shared/corpus/fgnet-dev [--pairs 60] [--out FILE]

Composites of two corpus children (12 and under): the child as photographed, and the other child's face
with 0.3 of its size around it cut out, scaled to the child's face size and pasted in a soft oval so that
its face box overlaps the child's by ``across`` of a face-width, ``down`` of a face-height lower (beside:
0.1 and 0.25; below and beside: 0.3/0.5; cheek at the chin: 0.4/0.7). Only composites where the engine as
shipped finds both faces count; the others are counted by why under ``skipped`` (never as a face left
sharp or not), and a run that reads none at any place ends in an error. Each is rendered as
``renditions.photo_bytes`` renders it for a family (``codec.blur_regions``, then ``codec.obscure_outside``
outside the child's head), at full size.

The figures: of the other face's middle (its box less a fifth each side, 15 % above, 10 % below: eyes,
nose, mouth) and of its whole box, the share of pixels left exactly as photographed; the engine run on
the family's copy (JPEG): the child's face found where it was (box within 20 px) and its embedding's
distance to the one in the composite; the other face found."""

from __future__ import annotations

import argparse
import csv
import io
import json
import statistics
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runs as a script from anywhere

from reunite.adapters.photos.codec import PillowPhotoCodec, blur_regions, encode_jpeg, obscure_outside
from reunite.bootstrap import build_face_engine
from reunite.config import Settings
from reunite.domain.access import Principal, Role, box_of, head_outline, shared_with_child
from reunite.domain.model import DetectedFace

PLACES = ((0.1, 0.0), (0.25, 0.0), (0.3, 0.5), (0.4, 0.7))  # across, down, as shares of the child's face
FAMILY = Principal(role=Role.FAMILY, account_id=1)


def jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    return out.getvalue()


def row(face: DetectedFace, id_: int) -> dict[str, Any]:
    b = face.box
    return {"id": id_, "box_left": b.left, "box_top": b.top, "box_right": b.right, "box_bottom": b.bottom,
            "landmarks": [list(p) for p in face.landmarks]}


def composite(child: Image.Image, a: DetectedFace, other: Image.Image, b: DetectedFace,
              across: float, down: float) -> Image.Image:
    scale, grow = a.box.width / b.box.width, 0.3
    cut = other.crop((round(b.box.left - grow * b.box.width), round(b.box.top - grow * b.box.height),
                      round(b.box.right + grow * b.box.width), round(b.box.bottom + grow * b.box.height)))
    cut = cut.resize((round(cut.width * scale), round(cut.height * scale)))
    oval = Image.new("L", cut.size, 0)
    ImageDraw.Draw(oval).ellipse((0, 0, cut.width - 1, cut.height - 1), fill=255)
    scene = Image.new("RGB", (child.width + cut.width + 40, max(child.height, cut.height) + 40), (150, 150, 150))
    scene.paste(child, (0, 0))
    x = a.box.right - across * a.box.width - grow * b.box.width * scale  # the other box's left edge
    y = (a.box.top + a.box.bottom) / 2 + down * a.box.height - cut.height / 2
    scene.paste(cut, (round(x), round(y)), oval.filter(ImageFilter.GaussianBlur(4)))
    return scene


def clipped(box: tuple[int, int, int, int], shape: tuple[int, ...]) -> tuple[int, int, int, int] | None:
    """The part of ``box`` inside a photo of this shape; None when none is."""
    h, w = shape[:2]
    left, top, right, bottom = max(box[0], 0), max(box[1], 0), min(box[2], w), min(box[3], h)
    return (left, top, right, bottom) if right > left and bottom > top else None


def unchanged(original: np.ndarray, shown: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """The share of the box's pixels (within the photo) shown exactly as photographed; a box outside the
    photo is refused (ValueError), never read as nothing left sharp."""
    inside = clipped(box, original.shape)
    if inside is None:
        raise ValueError(f"box {box} lies outside the photo {original.shape[1]}x{original.shape[0]}")
    left, top, right, bottom = inside
    diff = np.abs(original[top:bottom, left:right].astype(int) - shown[top:bottom, left:right].astype(int))
    return float((diff.max(axis=2) == 0).mean())


def middle(box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    return round(left + 0.2 * w), round(top + 0.15 * h), round(right - 0.2 * w), round(bottom - 0.1 * h)


def family_copy(pixels: np.ndarray, child: dict[str, Any], other: dict[str, Any], after: bool) -> np.ndarray:
    """The photo as ``renditions.photo_bytes`` renders it for a family: the other face blurred, the child's face
    box put back whole (before) or less the other's side of the boxes' overlap (after), and everything but the
    child's head obscured."""
    unkept = shared_with_child(FAMILY, [child, other], child["id"]) if after else []
    shown = blur_regions(pixels, [box_of(other)], keep=box_of(child), unkept=unkept)
    copy: np.ndarray = obscure_outside(shown, [head_outline(child)])
    return copy


class Detector(Protocol):
    def detect(self, data: bytes) -> list[DetectedFace]: ...


Alone = Callable[[str], tuple[Image.Image, DetectedFace | None]]  # a corpus photo and its one face, if one


def one_place(engine: Detector, codec: PillowPhotoCodec, pairs: list[tuple[str, str]], one: Alone,
              across: float, down: float) -> tuple[dict[str, list[dict[str, Any]]], Counter[str]]:
    """Each pair's composite at this place, read before and after; and the composites not read, by why
    (never counted as a face left sharp or not)."""
    results: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    skipped: Counter[str] = Counter()
    for a, b in pairs:
        (child_image, child_alone), (other_image, other_alone) = one(a), one(b)
        if child_alone is None or other_alone is None:
            skipped["not one face found in a photo alone"] += 1
            continue
        data = jpeg(composite(child_image, child_alone, other_image, other_alone, across, down))
        pixels, _ = codec.rgb(data)
        found = engine.detect(data)
        if len(found) != 2:
            skipped["not two faces found in the composite"] += 1
            continue
        centre = (child_alone.box.left + child_alone.box.right) / 2
        found.sort(key=lambda f: abs((f.box.left + f.box.right) / 2 - centre))
        child, other = row(found[0], 1), row(found[1], 2)
        if clipped(middle(box_of(other)), pixels.shape) is None:
            skipped["the other face's middle outside the composite"] += 1
            continue
        for when, after in (("before", False), ("after", True)):
            shown = family_copy(pixels, child, other, after)
            again = engine.detect(encode_jpeg(shown))

            def near(face: dict[str, Any], found: list[DetectedFace] = again) -> list[DetectedFace]:
                return [f for f in found if abs(f.box.left - face["box_left"]) < 20
                        and abs(f.box.top - face["box_top"]) < 20]

            mine = near(child)
            results[when].append({
                "pair": [a, b], "middle_sharp": unchanged(pixels, shown, middle(box_of(other))),
                "box_sharp": unchanged(pixels, shown, box_of(other)), "child_found": bool(mine),
                "child_distance": float(np.linalg.norm(np.subtract(mine[0].embedding, found[0].embedding)))
                if mine else None, "other_found": bool(near(other))})
    return results, skipped


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    distances = [r["child_distance"] for r in rows if r["child_found"]]
    return {
        "composites": len(rows),
        "middle_sharp_mean": round(statistics.mean(r["middle_sharp"] for r in rows), 3),
        "middle_sharp_max": round(max(r["middle_sharp"] for r in rows), 3),
        "box_sharp_mean": round(statistics.mean(r["box_sharp"] for r in rows), 3),
        "child_found": sum(r["child_found"] for r in rows),
        "child_distance_median": round(statistics.median(distances), 3) if distances else None,
        "child_distance_max": round(max(distances), 3) if distances else None,
        "other_found": sum(r["other_found"] for r in rows)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--pairs", type=int, default=60)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    codec = PillowPhotoCodec(settings.max_photo_bytes, settings.max_photo_pixels)
    engine = build_face_engine(settings, codec)
    with (args.corpus / "manifest.csv").open() as f:
        kids = [r["file"] for r in csv.DictReader(f) if int(r["age"]) <= 12]
    step = max(1, len(kids) // 2 // args.pairs)
    pairs = [(kids[i], kids[-1 - i]) for i in range(0, len(kids) // 2, step)][:args.pairs]
    alone: dict[str, tuple[Image.Image, DetectedFace | None]] = {}

    def one(name: str) -> tuple[Image.Image, DetectedFace | None]:
        if name not in alone:
            image = Image.open(args.corpus / name).convert("RGB")
            found = engine.detect(jpeg(image))
            alone[name] = (image, found[0] if len(found) == 1 else None)
        return alone[name]

    report: dict[str, Any] = {}
    for across, down in PLACES:
        results, skipped = one_place(engine, codec, pairs, one, across, down)
        place = f"{across} across, {down} down"
        report[place] = {"skipped": dict(skipped)}
        for when, rows in results.items():
            if rows:
                report[place][when] = summary(rows)
        print(place, report[place], flush=True)
    if args.out:
        args.out.write_text(json.dumps(report, indent=1))
    if not any("before" in r for r in report.values()):
        sys.exit("no composite read at any place: nothing measured (see the skipped counts)")


if __name__ == "__main__":
    main()
