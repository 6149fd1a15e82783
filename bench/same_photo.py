"""A case photo that is another case's photo: how far apart (perceptual hash bits, face cosine, chip print
correlation) a poster's photo and its copies are, against two different photos.

    python bench/same_photo.py ../shared/corpus/fgnet-dev [--faces 40] [--out FILE]

Every corpus photo is stored as a case photo is (``PillowPhotoCodec.inspect``: its pHash) and copied as an
impostor would copy it: the public poster's photo (``clean_copy(…, 800)``, what ``/p/{id}/photo.jpg`` serves),
that copy re-encoded at JPEG quality 60, resized to half, cropped by 5, 10, 12, 15 and 20% on every side, mirrored,
turned by 3°, and a screenshot of it (a white border of 8% around the picture and the whole enlarged 1.5 times).
Each copy's Hamming distance to the original's pHash is counted; against it, the distances of every pair of two
different photos (one child's two photos, and two children's). For ``--faces`` photos the face engine's thorough
embedding of the original and of each copy: their cosine, against ``domain.doubles.SAME_PHOTO``, and their chip
prints' correlation (``domain.chips``) where the faces are ``SAME_CHIP_FACES`` alike; against them, every pair of
two different photos' faces; and how many copies ``grouping._flag_same_photos`` flags (any of the three tests)."""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runs as a script from anywhere

from bench.corpus import load
from reunite.adapters.photos.codec import PillowPhotoCodec, encode_jpeg
from reunite.config import Settings
from reunite.domain.chips import SAME_CHIP, chip_correlation
from reunite.domain.doubles import SAME_CHIP_FACES, SAME_PHOTO, SAME_PHOTO_BITS

CODEC = PillowPhotoCodec(50_000_000, 60_000_000)
GATES = (0.93, 0.95, 0.96, 0.97)  # face similarities at which the chip test might read a pair


def _jpeg(image: Image.Image, quality: int = 85) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()


def _poster(data: bytes) -> bytes:
    return CODEC.clean_copy(data, 800)


def _crop(share: float) -> Callable[[bytes], bytes]:
    def crop(data: bytes) -> bytes:
        image = CODEC.open(_poster(data))
        dx, dy = round(image.width * share), round(image.height * share)
        return _jpeg(image.crop((dx, dy, image.width - dx, image.height - dy)))
    return crop


def _turned(data: bytes) -> bytes:
    image = CODEC.open(_poster(data))
    return _jpeg(image.rotate(3, resample=Image.Resampling.BICUBIC, expand=True, fillcolor="white"))


def _screenshot(data: bytes) -> bytes:
    image = CODEC.open(_poster(data))
    framed = ImageOps.expand(image, border=round(0.08 * max(image.size)), fill="white")
    return encode_jpeg(np.asarray(framed.resize((round(framed.width * 1.5), round(framed.height * 1.5)))))


COPIES: dict[str, Callable[[bytes], bytes]] = {
    "poster": _poster,
    "re-encoded q60": lambda d: _jpeg(CODEC.open(_poster(d)), 60),
    "half size": lambda d: _jpeg(CODEC.open(_poster(d)).reduce(2)),
    "cropped 5%": _crop(0.05),
    "cropped 10%": _crop(0.10),
    "cropped 12%": _crop(0.12),
    "cropped 15%": _crop(0.15),
    "cropped 20%": _crop(0.20),
    "turned 3°": _turned,
    "mirrored": lambda d: _jpeg(ImageOps.mirror(CODEC.open(_poster(d)))),
    "screenshot, border": _screenshot,
}


def phash(data: bytes) -> int:
    value = CODEC.inspect(data).phash
    assert value is not None
    return value & ((1 << 64) - 1)


def bits(a: np.ndarray, b: int) -> np.ndarray:
    x = np.bitwise_xor(a, np.uint64(b))
    return np.array([int(v).bit_count() for v in x])


def _chips(a: bytes, b: bytes) -> float:
    found = chip_correlation(a, b)
    return -1.0 if found is None else found


def _copies(read: list[tuple[float, float, bool]]) -> dict[str, object]:
    """A copy's faces against its original's: cosine, chip correlation, and how many are flagged by each test."""
    faces = np.array([f for f, _, _ in read])
    chips = np.array([c for _, c, _ in read])
    by_hash = np.array([h for _, _, h in read], dtype=bool)
    by_face = faces >= SAME_PHOTO
    by_chip = (faces >= SAME_CHIP_FACES) & (chips >= SAME_CHIP)
    gated = {f"by chip, faces >= {gate}": int(((faces >= gate) & (chips >= SAME_CHIP)).sum()) for gate in GATES}
    return {"copies": len(read), "no face": int((faces == 0).sum()), "cosine median": round(float(np.median(faces)), 5),
            "cosine min": round(float(faces.min()), 5), "chip median": round(float(np.median(chips)), 4),
            "by face": int(by_face.sum()), "by chip": int(by_chip.sum()), "by hash": int(by_hash.sum()),
            "flagged": int((by_face | by_chip | by_hash).sum()), "flagged before": int((by_face | by_hash).sum()),
            **gated}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--faces", type=int, default=40)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    photos = load(args.corpus)
    raw = [p.path.read_bytes() for p in photos]
    hashes = np.array([phash(d) for d in raw], dtype=np.uint64)
    copies = {name: [(phash(make(d)) ^ int(h)).bit_count() for d, h in zip(raw, hashes, strict=True)]
              for name, make in COPIES.items()}
    same_child, two_children = [], []
    for i in range(len(photos)):
        far = bits(hashes[i + 1:], int(hashes[i]))
        subjects = np.array([p.subject == photos[i].subject for p in photos[i + 1:]], dtype=bool)
        same_child += far[subjects].tolist()
        two_children += far[~subjects].tolist()
    report: dict[str, object] = {"photos": len(photos)}
    for name, found in [*copies.items(), ("one child's two photos", same_child), ("two children", two_children)]:
        values = np.array(found)
        report[name] = {"pairs": len(values), "median": float(np.median(values)), "max": int(values.max()),
                        "min": int(values.min()), "p95": float(np.percentile(values, 95)),
                        **{f"<={k}": int((values <= k).sum()) for k in (4, 6, 8, 10, 12, 14, 16)}}
    if args.faces:
        from reunite.bootstrap import build_face_engine

        engine = build_face_engine(Settings(), CODEC)
        found = [engine.detect(data, thorough=True) for data in raw]
        one = [i for i, faces in enumerate(found) if len(faces) == 1]
        embedded = np.array([found[i][0].embedding for i in one])
        cos = embedded @ embedded.T
        upper = np.triu_indices(len(one), 1)
        alike = np.array([photos[one[i]].subject == photos[one[j]].subject for i, j in zip(*upper, strict=True)],
                         dtype=bool)
        prints = [found[i][0].chip for i in one]
        pairs = {"one child's two photos": cos[upper][alike], "two children": cos[upper][~alike]}
        chips: dict[str, list[float]] = {name: [] for name in pairs}
        bands: dict[str, dict[float, float]] = {name: dict.fromkeys(GATES, -1.0) for name in pairs}
        for i, j, a in zip(*upper, alike, strict=True):
            if cos[i, j] >= min(GATES):
                name, chip = "one child's two photos" if a else "two children", _chips(prints[i], prints[j])
                if cos[i, j] >= SAME_CHIP_FACES:  # the pairs the chip test reads
                    chips[name].append(chip)
                for gate in GATES:  # the chip test at other face gates
                    if cos[i, j] >= gate:
                        bands[name][gate] = max(bands[name][gate], round(chip, 4))
        read: dict[str, list[tuple[float, float, bool]]] = {name: [] for name in COPIES}
        for i in one[::max(1, len(one) // args.faces)][:args.faces]:
            k = one.index(i)
            for name, make in COPIES.items():
                copy = make(raw[i])
                again = engine.detect(copy, thorough=True)
                if again:
                    best = max(again, key=lambda f: float(embedded[k] @ np.array(f.embedding)))
                    read[name].append((float(embedded[k] @ np.array(best.embedding)),
                                       _chips(prints[k], best.chip), (phash(copy) ^ int(hashes[i])).bit_count()
                                       <= SAME_PHOTO_BITS))
                else:
                    read[name].append((0.0, -1.0, (phash(copy) ^ int(hashes[i])).bit_count() <= SAME_PHOTO_BITS))
        report["faces"] = {
            **{name: _copies(v) for name, v in read.items()},
            **{name: {"pairs": len(v), "max": round(float(v.max()), 5), ">=0.98": int((v >= 0.98).sum()),
                      f">={SAME_CHIP_FACES}": int((v >= SAME_CHIP_FACES).sum()),
                      f">={SAME_PHOTO}": int((v >= SAME_PHOTO).sum()),
                      "chip max": round(max(chips[name]), 4) if chips[name] else None,
                      f"chip>={SAME_CHIP}": sum(c >= SAME_CHIP for c in chips[name]),
                      "chip max by face gate": bands[name]} for name, v in pairs.items()}}
    text = json.dumps(report, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
