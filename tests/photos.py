"""Face photos that ship inside registry packages, so tests that need a face, or two different people,
run on a fresh clone without the shared corpus. Both are public domain:

- ``collins``: scikit-image's ``data.astronaut()``, NASA's portrait of Eileen Collins;
- ``hopper``: matplotlib's sample ``grace_hopper.jpg``, the US Navy's portrait of Grace Hopper.

Each *take* is another photo of the same person as the face engine sees it (reframed, mirrored,
resized, relit); the two people are as far apart as two typical different children
(tests/integration/test_face_engine.py checks both with the shipped engine and calibration). Only
tests about telling children apart across ages need the corpus (REUNITE_CORPUS)."""

from __future__ import annotations

import io
from functools import cache

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter

PEOPLE = ("collins", "hopper")

# (mirror, (top, bottom, left, right) as shares of the portrait, height in px, brightness)
TAKES = (
    (False, (0.0, 1.0, 0.0, 1.0), 360, 1.0),
    (True, (0.0, 1.0, 0.0, 1.0), 420, 1.0),
    (False, (0.05, 0.9, 0.1, 0.95), 300, 1.15),
    (True, (0.0, 0.95, 0.05, 1.0), 480, 0.85),
)


@cache
def face_pixels(person: str = "collins") -> np.ndarray:
    """The portrait cropped to one face (astronaut: the full picture's flag patch reads as a second face)."""
    if person == "collins":
        from skimage import data

        return np.ascontiguousarray(data.astronaut()[40:400, 60:460])
    if person == "hopper":
        from matplotlib import cbook

        with cbook.get_sample_data("grace_hopper.jpg") as file:  # type: ignore[no-untyped-call]
            return np.ascontiguousarray(np.asarray(Image.open(file).convert("RGB"))[40:560, 30:490])
    raise ValueError(f"no public-domain portrait of {person!r}: one of {PEOPLE}")


def face_jpeg(height: int = 360, mirror: bool = False, person: str = "collins") -> bytes:
    pixels = face_pixels(person)[:, ::-1] if mirror else face_pixels(person)
    return _jpeg(_resized(Image.fromarray(np.ascontiguousarray(pixels)), height))


def portrait(person: str = "collins", take: int = 0) -> bytes:
    """Photo ``take`` (0–3) of ``person``: the same face each time, never the same file."""
    mirror, (top, bottom, left, right), height, light = TAKES[take]
    pixels = face_pixels(person)
    h, w = pixels.shape[:2]
    pixels = pixels[round(top * h):round(bottom * h), round(left * w):round(right * w)]
    image = Image.fromarray(np.ascontiguousarray(pixels[:, ::-1] if mirror else pixels))
    return _jpeg(ImageEnhance.Brightness(_resized(image, height)).enhance(light))


def upload(person: str = "collins", take: int = 0, name: str = "") -> tuple[str, bytes, str]:
    """A multipart file field's value: (file name, JPEG, content type)."""
    return (name or f"{person}-{take}.jpg", portrait(person, take), "image/jpeg")


def another_shot(photo: bytes) -> bytes:
    """A portrait as another camera takes it: half its size, soft. The portraits are crops of one picture, so one
    registered as a case photo after a report of another reads as that report's picture (a copy, probe s36 K1: faces
    0.995 alike, or chips that correlate); this shot is no copy of another take, and its face is still found."""
    image = Image.open(io.BytesIO(photo)).convert("RGB")
    return _jpeg(image.resize((image.width // 2, image.height // 2)).filter(ImageFilter.GaussianBlur(2)))


def side_by_side(*photos: bytes, height: int = 400, gap: int = 0) -> bytes:
    """Several people in one photo, left to right, on a grey background."""
    people = [_resized(Image.open(io.BytesIO(p)).convert("RGB"), height) for p in photos]
    group = Image.new("RGB", (sum(p.width for p in people) + gap * (len(people) - 1), height), (128, 128, 128))
    left = 0
    for person in people:
        group.paste(person, (left, 0))
        left += person.width + gap
    return _jpeg(group)


def _resized(image: Image.Image, height: int) -> Image.Image:
    return image.resize((round(image.width * height / image.height), height))


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=92)
    return out.getvalue()
