"""dlib's CNN face detector read from its model file and run by onnxruntime finds what dlib's own finds:
the same faces, in the same boxes, with the same confidences, so the CNN fallback keeps its findings
at a fifteenth of the CPU (docs/benchmarks.md, "Photos without a face")."""

from __future__ import annotations

import io
import itertools
import os
import re
from pathlib import Path

import dlib
import numpy as np
import pytest
from PIL import Image

from reunite.adapters.faces.dlib_engine import _model_path
from reunite.adapters.faces.dlib_mmod import _LAYER, DlibMmod, read_mmod, tiled_pyramid
from reunite.adapters.faces.dlib_resnet import ModelFormatError
from reunite.domain.errors import FaceEngineUnavailable
from tests.conftest import plain_photo
from tests.photos import PEOPLE, face_pixels

MODEL = Path(_model_path("mmod_human_face_detector.dat"))


def scaled(pixels: np.ndarray, side: int) -> np.ndarray:
    image = Image.fromarray(pixels)
    factor = side / max(image.size)
    return np.asarray(image.resize((round(image.width * factor), round(image.height * factor))))


CORPUS = Path(os.environ.get("REUNITE_CORPUS", "../shared/corpus")) / "fgnet-dev" / "images"


def photos() -> list[np.ndarray]:
    """Faces large and small, turned, several in one photo, and none: the public-domain people, a street
    scene with one of them far away, and a few corpus photos (children of every age) when it is here."""
    faces = [scaled(face_pixels(person), 360) for person in PEOPLE]
    street = np.asarray(Image.open(io.BytesIO(plain_photo(480, 360, seed=3))).convert("RGB")).copy()
    street[200:290, 300:380] = scaled(faces[1], 90)[:, :80]
    turned = scaled(np.asarray(Image.fromarray(faces[0]).rotate(35, expand=True, fillcolor=(90, 100, 90))), 360)
    group = np.concatenate([scaled(faces[0], 200)[:170, :170], scaled(faces[1], 200)[:170, :170]], axis=1)
    images = [*faces, scaled(faces[0], 200), street, turned, group, np.full((300, 400, 3), 128, np.uint8)]
    if CORPUS.is_dir():
        images += [scaled(np.asarray(Image.open(p).convert("RGB")), 320) for p in sorted(CORPUS.glob("*.jpg"))[::83]]
    return [np.ascontiguousarray(image) for image in images]


def test_the_onnx_detector_finds_what_dlibs_own_finds() -> None:
    reference = dlib.cnn_face_detection_model_v1(str(MODEL))
    ours = DlibMmod(MODEL)
    found = 0
    for pixels in photos():
        expected = sorted(((d.rect.left(), d.rect.top(), d.rect.right(), d.rect.bottom()), d.confidence)
                          for d in reference(pixels, 0))
        got = sorted(((r.left(), r.top(), r.right(), r.bottom()), score) for r, score in ours(pixels))
        assert [box for box, _ in got] == [box for box, _ in expected], pixels.shape
        assert np.allclose([s for _, s in got], [s for _, s in expected], atol=1e-4)
        found += len(got)
    # faces were there to find (the public-domain people's, and the corpus children's when it is here): a detector
    # finding nothing would pass the loop above
    assert found >= (6 if CORPUS.is_dir() else 4)


def test_the_pyramid_is_laid_out_as_dlib_lays_it_out() -> None:
    levels, rows, columns = tiled_pyramid(600, 800, 10, 11)
    assert levels[0] == (11, 11, 810, 610) and columns == 822
    assert [b[3] - b[1] + 1 for b in levels[:4]] == [600, 500, 416, 346]  # each 5/6 of the one before
    for a, b in itertools.combinations(levels, 2):  # no two levels overlap
        assert a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1]
    assert all(min(b) >= 0 and b[2] < columns and b[3] < rows for b in levels)


def test_a_photo_too_thin_for_the_network_is_the_photos_fault_not_the_engines() -> None:
    with pytest.raises(ValueError, match="too small for the face detector"):
        DlibMmod(MODEL)(np.full((4, 800, 3), 100, np.uint8))
    assert DlibMmod(MODEL)(np.full((10, 10, 3), 100, np.uint8)) == []  # small, but dlib reads it: no face


@pytest.mark.parametrize("layers_left_out", [1, 6])
def test_a_truncated_or_foreign_file_is_named_and_the_engine_unavailable(tmp_path: Path, layers_left_out: int) -> None:
    data = MODEL.read_bytes()
    cut = tmp_path / "mmod_human_face_detector.dat"
    cut.write_bytes(data[:[m.start() for m in _LAYER.finditer(data)][-layers_left_out]])
    with pytest.raises(FaceEngineUnavailable, match=f"{re.escape(str(cut))} is truncated or is not dlib's CNN face "
                                                    "detector.*reinstall face-recognition"):
        DlibMmod(cut)
    other = tmp_path / "other.dat"
    other.write_bytes(Path(_model_path("shape_predictor_5_face_landmarks.dat")).read_bytes())
    with pytest.raises(ModelFormatError, match="not an MMOD detector"):
        read_mmod(other)
