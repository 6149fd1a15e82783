"""dlib's embedding network read from its model file and run by onnxruntime gives dlib's own numbers:
the stored embeddings keep meaning what they meant (same model, same version, same matches)."""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import dlib
import numpy as np
import pytest

from reunite.adapters.faces import dlib_engine
from reunite.adapters.faces.dlib_engine import DlibFaceEngine, _model_path, jittered
from reunite.adapters.faces.dlib_resnet import _LAYER, DlibResnet, ModelFormatError, read_resnet
from reunite.domain.errors import FaceEngineUnavailable
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


@pytest.mark.parametrize("share", [0.3, 0.999])
def test_a_truncated_copy_is_named_as_truncated_and_the_engine_unavailable(tmp_path: Path, share: float) -> None:
    cut = tmp_path / "dlib_face_recognition_resnet_model_v1.dat"
    data = NET.read_bytes()
    cut.write_bytes(data[:round(len(data) * share)])
    size = cut.stat().st_size
    with pytest.raises(ModelFormatError, match=f"{re.escape(str(cut))} is truncated.*ends at byte {size}"):
        read_resnet(cut)
    with pytest.raises(FaceEngineUnavailable, match=f"{re.escape(str(cut))} is truncated.*reinstall face-recognition"):
        DlibResnet(cut)


@pytest.mark.parametrize("layers_left_out", [1, 5])
def test_a_file_cut_between_two_layers_is_named(tmp_path: Path, layers_left_out: int) -> None:
    data = NET.read_bytes()
    cut = tmp_path / "net.dat"
    cut.write_bytes(data[:[m.start() for m in _LAYER.finditer(data)][-layers_left_out]])
    with pytest.raises(FaceEngineUnavailable, match=f"{re.escape(str(cut))} is truncated.*found the end"):
        DlibResnet(cut)


def test_a_missing_model_file_or_package_says_what_to_reinstall(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, face_engine: DlibFaceEngine
) -> None:
    with pytest.raises(FaceEngineUnavailable, match=r"model file .*models/gone\.dat is missing: reinstall face-recog"):
        _model_path("gone.dat")
    cut = tmp_path / "shape_predictor_5_face_landmarks.dat"
    whole = Path(_model_path(cut.name)).read_bytes()
    cut.write_bytes(whole[:len(whole) // 2])
    monkeypatch.setattr(dlib_engine, "_model_path", lambda name: str(cut))
    with pytest.raises(FaceEngineUnavailable, match=f"dlib cannot load {re.escape(str(cut))}, truncated or damaged"):
        DlibFaceEngine(face_engine.codec)
    monkeypatch.undo()  # the real _model_path, with no package to find
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(FaceEngineUnavailable, match="face-recognition-models package is not installed: install it"):
        _model_path("dlib_face_recognition_resnet_model_v1.dat")
