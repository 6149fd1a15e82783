"""A case photo that is another case's photo: how far apart (perceptual hash bits, face cosine) a poster's photo
and its copies are, against two different photos.

    python bench/same_photo.py ../shared/corpus/fgnet-dev [--faces 40] [--out FILE]

Every corpus photo is stored as a case photo is (``PillowPhotoCodec.inspect``: its pHash) and copied as an
impostor would copy it: the public poster's photo (``clean_copy(…, 800)``, what ``/p/{id}/photo.jpg`` serves),
that copy re-encoded at JPEG quality 60, resized to half, cropped by 5% and by 10% on every side, mirrored, and a
screenshot of it (a white border of 8% around the picture and the whole enlarged 1.5 times). Each copy's Hamming
distance to the original's pHash is counted; against it, the distances of every pair of two different photos (one
child's two photos, and two children's). For ``--faces`` photos the face engine's thorough embedding of the
original and of each copy: their cosine, against ``services.search.SAME_PHOTO``."""

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

CODEC = PillowPhotoCodec(50_000_000, 60_000_000)


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
        pairs = {"one child's two photos": cos[upper][alike], "two children": cos[upper][~alike]}
        cosines: dict[str, list[float]] = {name: [] for name in COPIES}
        for i in one[::max(1, len(one) // args.faces)][:args.faces]:
            for name, make in COPIES.items():
                again = engine.detect(make(raw[i]), thorough=True)
                if again:
                    cosines[name].append(max(float(embedded[one.index(i)] @ np.array(f.embedding)) for f in again))
        report["face cosine"] = {
            **{name: {"faces": len(v), "min": round(min(v), 5), "median": round(float(np.median(v)), 5),
                      ">=0.995": sum(c >= 0.995 for c in v)} for name, v in cosines.items() if v},
            **{name: {"pairs": len(v), "max": round(float(v.max()), 5), ">=0.99": int((v >= 0.99).sum()),
                      ">=0.995": int((v >= 0.995).sum())} for name, v in pairs.items()}}
    text = json.dumps(report, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
