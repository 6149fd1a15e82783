"""Web processes find faces (search by photo) in a helper process, never in their own: the faces
found there are the ones the engine finds in-process, with the same model version."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

import pytest

from reunite.adapters.faces.dlib_engine import DlibFaceEngine, _model_path
from reunite.adapters.faces.dlib_resnet import DlibResnet
from reunite.adapters.faces.lazy import HelperProcessFaceEngine
from reunite.adapters.photos.codec import PillowPhotoCodec
from reunite.bootstrap import build_face_engine
from reunite.config import Settings
from reunite.domain.errors import FaceEngineUnavailable
from tests.photos import face_jpeg


def test_faces_found_in_the_helper_process_are_those_found_in_process(face_engine: DlibFaceEngine) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    helper = HelperProcessFaceEngine(partial(build_face_engine, settings,
                                             PillowPhotoCodec(settings.max_photo_bytes, settings.max_photo_pixels)))
    try:
        there = helper.detect(face_jpeg())  # not thorough: its jittered copies are random
        here = face_engine.detect(face_jpeg())
        assert [f.box for f in there] == [f.box for f in here] and len(there) == 1
        assert there[0].embedding == pytest.approx(here[0].embedding, abs=1e-6)
        assert helper.version == face_engine.version and helper.model == face_engine.model
    finally:
        helper.close()


def test_an_engine_the_helper_cannot_build_is_unavailable_naming_the_file(tmp_path: Path) -> None:
    cut = tmp_path / "dlib_face_recognition_resnet_model_v1.dat"
    whole = Path(_model_path(cut.name)).read_bytes()
    cut.write_bytes(whole[:len(whole) // 2])
    # rebuild_after=0: built again at each call (the default waits 5 s between builds)
    helper = HelperProcessFaceEngine(partial(DlibResnet, cut), rebuild_after=0)  # type: ignore[arg-type]
    try:
        for _ in range(2):  # built again on the next call, and refused again
            with pytest.raises(FaceEngineUnavailable, match=f"{re.escape(str(cut))} is truncated"):
                helper.detect(face_jpeg())
        cut.write_bytes(whole)  # mended: the helper builds it (a network, not an engine: it has no model)
        with pytest.raises(AttributeError):
            _ = helper.model
    finally:
        helper.close()
