"""The dlib engine on real photos: public-domain portraits shipped by registry packages (tests/photos.py),
and the shared corpus only where telling two children apart across ages is the point."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from reunite.adapters.faces.calibration import CALIBRATION_FILE, load_calibration
from reunite.adapters.faces.dlib_engine import MODEL, DlibFaceEngine
from reunite.domain.leads import LeadPolicy
from tests.conftest import jpeg, plain_photo
from tests.photos import PEOPLE, TAKES, face_jpeg, face_pixels, portrait


def load(folder: Path, name: str) -> np.ndarray:
    return np.asarray(Image.open(folder / "images" / name).convert("RGB"))


def side_by_side(*images: np.ndarray, height: int = 400) -> bytes:
    scaled = [np.asarray(Image.fromarray(im).resize((round(im.shape[1] * height / im.shape[0]), height)))
              for im in images]
    return jpeg(np.concatenate(scaled, axis=1))


def test_one_face_with_embedding_crop_and_model_version(face_engine: DlibFaceEngine) -> None:
    faces = face_engine.detect(face_jpeg())
    assert len(faces) == 1
    face = faces[0]
    vector = np.array(face.embedding)
    assert vector.shape == (128,) and np.linalg.norm(vector) == pytest.approx(1.0)
    assert face.model == MODEL and face.model_version
    assert 0.0 < face.quality <= 1.0
    assert len(face.landmarks) == 5
    crop = Image.open(io.BytesIO(face.crop_jpeg))
    assert crop.format == "JPEG" and 40 < crop.width <= 400


def test_every_face_in_a_group_photo_is_kept(face_engine: DlibFaceEngine) -> None:
    # three people in a row: three faces, three entries
    face = face_pixels()
    photo = side_by_side(face, np.ascontiguousarray(face[:, ::-1]), face)
    faces = face_engine.detect(photo)
    assert len(faces) == 3
    lefts = sorted(f.box.left for f in faces)
    assert lefts[0] < lefts[1] < lefts[2]


def test_no_face_gives_an_empty_list(face_engine: DlibFaceEngine) -> None:
    assert face_engine.detect(plain_photo(400, 300)) == []


def test_same_child_is_closer_than_another_child(face_engine: DlibFaceEngine, fgnet: Path) -> None:
    def embed(name: str) -> np.ndarray:
        return np.array(face_engine.detect((fgnet / "images" / name).read_bytes())[0].embedding)

    a1, a2, other = embed("001a14.jpg"), embed("001a16.jpg"), embed("009a13.jpg")
    assert a1 @ a2 > a1 @ other


def test_the_public_domain_people_are_each_one_person_and_two_different_people(face_engine: DlibFaceEngine) -> None:
    """What lets flow tests run without the corpus: every take of a person is proposed as that person
    at the shipped operating point (1 in 500), and the two people score like typical different children."""
    calibration = load_calibration(CALIBRATION_FILE)
    assert calibration is not None
    impostors = calibration.band_for(None, None)
    embedded = {}
    for person in PEOPLE:
        for take in range(len(TAKES)):
            faces = face_engine.detect(portrait(person, take))
            assert len(faces) == 1, (person, take)
            embedded[person, take] = np.array(faces[0].embedding)
    same = [impostors.share(float(a @ b)) for (p, t), a in embedded.items()
            for (q, u), b in embedded.items() if p == q and t < u]
    different = [impostors.share(float(a @ b)) for (p, _), a in embedded.items()
                 for (q, _), b in embedded.items() if p < q]
    assert max(same) <= LeadPolicy().propose_share
    assert min(different) >= 0.1  # at least 1 in 10 pairs of different children look more alike


def test_rotated_phone_photo_is_turned_upright_before_detection(face_engine: DlibFaceEngine) -> None:
    upright = face_pixels()
    exif = Image.Exif()
    exif[0x0112] = 6  # stored on its side, shown upright by viewers
    sideways = jpeg(np.ascontiguousarray(np.rot90(upright, k=1)), exif)
    assert len(face_engine.detect(sideways)) == 1


def test_thorough_embedding_of_case_photos_is_jittered_and_recorded(face_engine: DlibFaceEngine) -> None:
    data = face_jpeg()
    quick, thorough = face_engine.detect(data)[0], face_engine.detect(data, thorough=True)[0]
    assert "jit0" in quick.model_version and "jit3" in thorough.model_version
    similarity = float(np.dot(quick.embedding, thorough.embedding))
    assert 0.9 < similarity < 0.9999  # the same face, embedded differently
    assert thorough.box == quick.box
    again = face_engine.detect(data, thorough=True)[0]
    assert again.embedding == thorough.embedding  # the same photo, the same numbers: the jitter is seeded
