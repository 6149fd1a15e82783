"""A face photo that ships inside a registry package, so tests that need a face run on a fresh clone
without the shared corpus: scikit-image's ``data.astronaut()`` (NASA's portrait of Eileen Collins, public
domain). Only tests about telling people apart across ages need the corpus (REUNITE_CORPUS)."""

from __future__ import annotations

import io
from functools import cache

import numpy as np
from PIL import Image


@cache
def face_pixels() -> np.ndarray:
    """The portrait cropped to one face (the full picture's flag patch reads as a second face)."""
    from skimage import data

    return np.ascontiguousarray(data.astronaut()[40:400, 60:460])


def face_jpeg(height: int = 360, mirror: bool = False) -> bytes:
    pixels = face_pixels()[:, ::-1] if mirror else face_pixels()
    image = Image.fromarray(np.ascontiguousarray(pixels))
    image = image.resize((round(image.width * height / image.height), height))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=92)
    return out.getvalue()
