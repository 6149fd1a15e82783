"""Web processes find faces (search by photo) in a helper process, never in their own: the faces
found there are the ones the engine finds in-process, with the same model version."""

from __future__ import annotations

from functools import partial

import pytest

from reunite.adapters.faces.dlib_engine import DlibFaceEngine
from reunite.adapters.faces.lazy import HelperProcessFaceEngine
from reunite.adapters.photos.codec import PillowPhotoCodec
from reunite.bootstrap import build_face_engine
from reunite.config import Settings
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
