"""dlib's embedding network read from its model file and run by onnxruntime gives dlib's own numbers:
the stored embeddings keep meaning what they meant (same model, same version, same matches)."""

from __future__ import annotations

import os
from pathlib import Path

import dlib
import numpy as np
import pytest

from reunite.adapters.faces.dlib_engine import _model_path, jittered
from reunite.adapters.faces.dlib_resnet import DlibResnet, ModelFormatError, read_resnet
from tests.photos import PEOPLE, TAKES, face_pixels

NET = Path(_model_path("dlib_face_recognition_resnet_model_v1.dat"))


def chips() -> list[np.ndarray]:
    """Aligned 150×150 chips as the engine cuts them: both public-domain people, every take, and up to
    40 corpus photos (children of every age) when the corpus is here."""
    detector = dlib.get_frontal_face_detector()
    shape = dlib.shape_predictor(_model_path("shape_predictor_5_face_landmarks.dat"))
    images = [face_pixels(person)[:, ::-1] if mirror else face_pixels(person)
              for person in PEOPLE for mirror, *_ in TAKES]
    corpus = Path(os.environ.get("REUNITE_CORPUS", "../shared/corpus")) / "fgnet-dev" / "images"
    if corpus.is_dir():
        from PIL import Image

        images += [np.asarray(Image.open(p).convert("RGB")) for p in sorted(corpus.glob("*.*"))[::12][:40]]
    out = []
    for pixels in map(np.ascontiguousarray, images):
        for rect in detector(pixels, 1)[:1]:
            out.append(dlib.get_face_chip(pixels, shape(pixels, rect), size=150, padding=0.25))
    return out


def test_onnx_descriptors_are_dlibs_own() -> None:
    reference = dlib.face_recognition_model_v1(str(NET))
    faces = chips()
    assert len(faces) >= 8
    expected = np.array([reference.compute_face_descriptor(chip) for chip in faces])
    got = DlibResnet(NET)(faces)
    assert got.shape == expected.shape == (len(faces), 128)
    assert np.abs(got - expected).max() < 1e-5
    # jittered copies in one batch: each row as dlib gives it one by one
    copies = jittered(faces[0], 3)
    assert np.abs(DlibResnet(NET)(copies)
                  - np.array([reference.compute_face_descriptor(c) for c in copies])).max() < 1e-5


def test_another_file_is_refused_with_a_reason(tmp_path: Path) -> None:
    other = tmp_path / "shape_predictor.dat"
    other.write_bytes(Path(_model_path("shape_predictor_5_face_landmarks.dat")).read_bytes())
    with pytest.raises(ModelFormatError, match="input layer"):
        read_resnet(other)
