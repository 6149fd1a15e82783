"""A report's face crop copied with part of the face covered (probe s39 L2): a yellow sticker over the mouth, a black
bar over the eyes. How alike the copy's face reads to the original's (cosine, the whole chip print's correlation, the
two occlusion-robust measures tried here), against every pair of one child's two different photos
whose faces read ``SAME_CHIP_FACES`` alike or more (those the chip tests read).

    python bench/covered_copies.py ../shared/corpus/fgnet-dev [--faces 30] [--photos 160]
"""

from __future__ import annotations

import argparse
import io
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runs as a script from anywhere

from bench.corpus import load
from reunite.adapters.photos.codec import PillowPhotoCodec
from reunite.config import Settings
from reunite.domain.chips import CHIP_OVERLAP, CHIP_SIDE, SAME_CHIP, chip_correlation, mirrored
from reunite.domain.doubles import SAME_CHIP_FACES, SAME_PHOTO

CODEC = PillowPhotoCodec(50_000_000, 60_000_000)
SHARES = (0.5, 0.6, 0.7, 0.8)

# Two measures tried (neither adopted: docs/benchmarks.md, "A covered copy of a report's crop"): the prints compared
# tile by tile (``TILES`` x ``TILES``, the share of tiles correlating ``TILE_SAME``, either print moved up to
# ``TILE_SHIFT`` places), and the share of pixels agreeing within ``AGREE_WITHIN`` grey levels after a robust fit.
TILES = 4
TILE_SAME = 0.9
TILE_SHIFT = 2  # places a print is moved either way to find the other's alignment
AGREE_WITHIN = 6.0


def tile_agreement(a: bytes, b: bytes, tiles: int = TILES, same: float = TILE_SAME,
                   shift: int = TILE_SHIFT) -> float | None:
    """The share of the tiles of two chip prints that correlate at least ``same`` (the better of ``b`` as it is and
    mirrored, each moved up to ``shift`` grey levels' places either way: a covered landmark moves the alignment a
    little), of all ``tiles`` × ``tiles``; ``None`` where they are not prints of one size or share no readable tile."""
    if len(a) != CHIP_SIDE * CHIP_SIDE or len(b) != len(a):
        return None
    found = [r for other in (b, mirrored(b)) for dy in range(-shift, shift + 1) for dx in range(-shift, shift + 1)
             if (r := _tiles(a, moved(other, dx, dy), tiles, same)) is not None]
    return max(found) if found else None


def moved(print_: bytes, dx: int, dy: int) -> bytes:
    """The print moved ``dx`` places right and ``dy`` down (0, unseen, where nothing moved in)."""
    side = CHIP_SIDE
    return bytes(print_[(y - dy) * side + (x - dx)] if 0 <= y - dy < side and 0 <= x - dx < side else 0
                 for y in range(side) for x in range(side))


def _tiles(a: bytes, b: bytes, tiles: int, same: float) -> float | None:
    side = CHIP_SIDE // tiles
    alike = read = 0
    for ty in range(tiles):
        for tx in range(tiles):
            rows = range(ty * side, (ty + 1) * side)
            cells = [row * CHIP_SIDE + x for row in rows for x in range(tx * side, (tx + 1) * side)]
            r = _correlation(bytes(a[i] for i in cells), bytes(b[i] for i in cells), 0.8)
            if r is None:
                continue
            read += 1
            alike += r >= same
    return alike / (tiles * tiles) if read else None


def agreeing_share(a: bytes, b: bytes, within: float = AGREE_WITHIN) -> float | None:
    """The share of the pixels both prints saw whose grey levels agree within ``within`` once ``b``'s are fitted onto
    ``a``'s (gain and offset, fitted on the half that agree best: a sticker or a bar over part of a copy leaves the
    rest the very same pixels), the better of ``b`` as it is and mirrored; ``None`` as ``chip_correlation``."""
    if len(a) != CHIP_SIDE * CHIP_SIDE or len(b) != len(a):
        return None
    found = [r for other in (b, mirrored(b)) if (r := _agreeing(a, other, within)) is not None]
    return max(found) if found else None


def _agreeing(a: bytes, b: bytes, within: float) -> float | None:
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x and y]
    if len(pairs) < CHIP_OVERLAP * len(a):
        return None
    fit = pairs
    for _ in range(3):  # fit y = g x + o, keep the half that agree best, fit again
        n = len(fit)
        mx, my = sum(x for x, _ in fit) / n, sum(y for _, y in fit) / n
        xx = sum((x - mx) ** 2 for x, _ in fit)
        if not xx:
            return None
        g = sum((x - mx) * (y - my) for x, y in fit) / xx
        fit = sorted(pairs, key=lambda p: abs(p[1] - my - g * (p[0] - mx)))[:max(3, len(pairs) // 2)]
    return sum(abs(y - my - g * (x - mx)) <= within for x, y in pairs) / len(a)


def _correlation(a: bytes, b: bytes, overlap: float = CHIP_OVERLAP) -> float | None:
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x and y]
    return _pearson(pairs) if len(pairs) >= overlap * len(a) else None


def _pearson(pairs: list[tuple[int, int]]) -> float | None:
    n = len(pairs)
    mx, my = sum(x for x, _ in pairs) / n, sum(y for _, y in pairs) / n
    xy = sum((x - mx) * (y - my) for x, y in pairs)
    xx = sum((x - mx) ** 2 for x, _ in pairs)
    yy = sum((y - my) ** 2 for _, y in pairs)
    return xy / math.sqrt(xx * yy) if xx and yy else None


MEASURES: dict[str, Callable[[bytes, bytes], float | None]] = {
    "tiles 4x4 >= 0.9, moved up to 2": tile_agreement, "pixels agreeing within 6": agreeing_share}


def _big(crop: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(crop)).convert("RGB")
    return image.resize((image.width * 3, image.height * 3), Image.Resampling.LANCZOS)


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def _sticker(crop: bytes) -> bytes:
    image = _big(crop)
    w, h = image.size
    ImageDraw.Draw(image).ellipse((0.30 * w, 0.62 * h, 0.72 * w, 0.85 * h), fill=(250, 220, 40))
    return _jpeg(image)


def _bar(crop: bytes) -> bytes:
    image = _big(crop)
    w, h = image.size
    ImageDraw.Draw(image).rectangle((0.20 * w, 0.33 * h, 0.80 * w, 0.47 * h), fill=(0, 0, 0))
    return _jpeg(image)


COPIES: dict[str, Callable[[bytes], bytes]] = {"mouth sticker": _sticker, "eye bar": _bar}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--faces", type=int, default=30)
    parser.add_argument("--photos", type=int, default=160)
    args = parser.parse_args()
    from reunite.bootstrap import build_face_engine

    engine = build_face_engine(Settings(), CODEC)
    photos = load(args.corpus)[:args.photos]
    found = [engine.detect(p.path.read_bytes(), thorough=True) for p in photos]
    one = [i for i, faces in enumerate(found) if len(faces) == 1]
    report: dict[str, object] = {"photos": len(photos), "one face": len(one)}
    for label, measure in MEASURES.items():
        report[label] = _measured(args, photos, found, one, engine, measure)
    print(json.dumps(report, indent=1, default=str))


def _measured(args: argparse.Namespace, photos: list, found: list, one: list[int], engine: object,
              measure: Callable[[bytes, bytes], float | None]) -> dict[str, object]:
    report: dict[str, object] = {}
    for name, make in COPIES.items():
        rows = []
        for i in one[:args.faces]:
            face = found[i][0]
            again = engine.detect(make(face.crop_jpeg), thorough=True)  # type: ignore[attr-defined]
            if not again:
                rows.append((0.0, -1.0, 0.0))
                continue
            best = max(again, key=lambda f: float(np.dot(face.embedding, f.embedding)))
            rows.append((float(np.dot(face.embedding, best.embedding)),
                         chip_correlation(face.chip, best.chip) or -1.0, measure(face.chip, best.chip) or 0.0))
        cos = np.array([r[0] for r in rows])
        tiles = np.array([r[2] for r in rows])
        whole = np.array([r[1] for r in rows])
        report[name] = {"copies": len(rows), "cosine median": round(float(np.median(cos)), 4),
                        "chip median": round(float(np.median(whole)), 3),
                        "tiles median": round(float(np.median(tiles)), 3), "tiles min": round(float(tiles.min()), 3),
                        "flagged before": int(((cos >= SAME_PHOTO) | ((cos >= SAME_CHIP_FACES) & (whole >= SAME_CHIP)))
                                              .sum()),
                        **{f"flagged, tiles >= {s}": int(((cos >= SAME_PHOTO) | ((cos >= SAME_CHIP_FACES)
                                                         & ((whole >= SAME_CHIP) | (tiles >= s)))).sum())
                           for s in SHARES}}
    pairs = []
    for x, i in enumerate(one):
        for j in one[x + 1:]:
            if photos[i].subject != photos[j].subject:
                continue
            a, b = found[i][0], found[j][0]
            cos_ab = float(np.dot(a.embedding, b.embedding))
            if cos_ab >= SAME_CHIP_FACES - 0.03:
                pairs.append((cos_ab, measure(a.chip, b.chip) or 0.0, photos[i].path.stem, photos[j].path.stem))
    gated = [p for p in pairs if p[0] >= SAME_CHIP_FACES]
    report["one child's two photos"] = {
        f"faces >= {SAME_CHIP_FACES - 0.03:.2f}": len(pairs), f"faces >= {SAME_CHIP_FACES}": len(gated),
        "tiles max (all)": round(max((p[1] for p in pairs), default=0.0), 3),
        "tiles max (gated)": round(max((p[1] for p in gated), default=0.0), 3),
        **{f"tiles >= {s} (gated)": sum(p[1] >= s for p in gated) for s in SHARES},
        "highest": sorted(pairs, key=lambda p: -p[1])[:3]}
    return report


if __name__ == "__main__":
    main()
