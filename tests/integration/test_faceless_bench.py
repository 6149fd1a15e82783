"""bench/faceless.py measures what it says: every set it builds is measured, a photo with a face is
counted as found and one without is not, and each photo is charged the CPU its detection took, so the
"a photo without a face costs N photos with one" figure can never come from a run that timed nothing."""

from __future__ import annotations

from pathlib import Path

from bench.faceless import FACE_SETS, FACELESS_SETS, measure, photos
from reunite.adapters.faces.dlib_engine import DlibFaceEngine
from tests.conftest import plain_photo
from tests.photos import face_jpeg


def test_every_set_is_built_from_a_corpus(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "001a02.jpg").write_bytes(face_jpeg())
    (tmp_path / "manifest.csv").write_text("file,subject,age\nimages/001a02.jpg,001,2\n")
    built = {kind for kind, _, make in photos(tmp_path, 1, 1, streets=1) if make()}
    assert built == set(FACE_SETS) | set(FACELESS_SETS)


def test_faces_are_counted_and_every_photo_charged_its_cpu(face_engine: DlibFaceEngine) -> None:
    items = [("corpus", "face.jpg", face_jpeg), ("corpus", "face again.jpg", lambda: face_jpeg(mirror=True)),
             ("blurred", "nothing.jpg", lambda: plain_photo(480, 360))]
    result = measure(iter(items), face_engine)
    sets = result["sets"]
    assert sets["corpus"]["photos"] == 2 and sets["corpus"]["with_a_face_found"] == 2
    assert sets["corpus"]["detectors"] == {"hog": 2}
    assert sets["blurred"]["photos"] == 1 and sets["blurred"]["with_a_face_found"] == 0
    assert sets["corpus"]["cpu_s"]["median"] > 0 and sets["blurred"]["cpu_s"]["median"] > 0
    assert result["faceless_over_face"]["blurred / corpus"] > 0
