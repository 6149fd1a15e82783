"""bench/overlapping_faces.py measures something: a bystander's face shown as photographed reads 100 %
sharp and one blurred away from the child 0 %; where the bystander's face overlaps the child's face box
the family's copy leaves its middle sharp before ``shared_with_child`` and not after; and a composite in
which the engine does not find both faces is counted as skipped, never as a face left sharp or not, a run
that reads none ending in an error. No face engine: a scripted one finds the faces where they were put."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bench import overlapping_faces as bench
from bench.overlapping_faces import family_copy, middle, one_place, row, unchanged
from reunite.adapters.photos.codec import PillowPhotoCodec
from reunite.domain.access import box_of
from reunite.domain.model import BoundingBox, DetectedFace

CODEC = PillowPhotoCodec(20_000_000, 50_000_000)
SIDE = 200  # each corpus photo alone is SIDE × SIDE; a composite is larger


def face(left: int, top: int, right: int, bottom: int, embedding: float = 0.0) -> DetectedFace:
    return DetectedFace(BoundingBox(left, top, right, bottom), (), 0.99, 1.0, (embedding, 1.0), "toy", "1", "toy")


def noise(seed: int, size: tuple[int, int] = (SIDE, SIDE)) -> np.ndarray:
    """Texture everywhere: blurring changes every pixel (a flat patch would read sharp whatever is done)."""
    return np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)


CHILD_ALONE = face(60, 60, 140, 140)
OTHER_ALONE = face(50, 50, 130, 130)
# where bench.composite puts the two faces at 0.25 across, 0 down (the other's cut-out: its box ± 0.3 of it)
IN_COMPOSITE = [face(60, 60, 140, 140, 0.1), face(120, 60, 200, 140, 0.9)]


class Scripted:
    """Finds one face in a photo alone; in a composite (and the family's copies of it) the faces given."""

    def __init__(self, composite: list[DetectedFace]) -> None:
        self.composite = composite

    def detect(self, data: bytes, thorough: bool = False) -> list[DetectedFace]:
        if Image.open(io.BytesIO(data)).size == (SIDE, SIDE):
            return [CHILD_ALONE]
        return list(self.composite)


PHOTOS = {"child.jpg": (Image.fromarray(noise(1)), CHILD_ALONE), "other.jpg": (Image.fromarray(noise(2)), OTHER_ALONE)}


def test_a_face_as_photographed_reads_sharp_and_one_blurred_away_from_the_child_reads_blurred() -> None:
    pixels = noise(3, (400, 240))
    child = row(face(60, 60, 140, 140), 1)
    far = row(face(260, 60, 340, 140), 2)  # no overlap with the child's head
    assert unchanged(pixels, pixels, box_of(far)) == 1.0  # police and moderators: the original
    shown = family_copy(pixels, child, far, after=False)
    assert unchanged(pixels, shown, middle(box_of(far))) == 0.0
    assert unchanged(pixels, shown, box_of(far)) < 0.01
    assert unchanged(pixels, shown, (80, 80, 120, 120)) == 1.0  # the child's face is kept as photographed
    with pytest.raises(ValueError, match="outside the photo"):
        unchanged(pixels, shown, (500, 10, 560, 60))  # not a face left 0 % sharp


def test_an_overlapping_faces_middle_is_sharp_before_and_blurred_after() -> None:
    pixels = noise(4, (300, 240))
    child = row(face(60, 60, 140, 140), 1)
    inside = row(face(100, 70, 140, 110), 2)  # a smaller face within the child's face box, to its right
    before = unchanged(pixels, family_copy(pixels, child, inside, after=False), middle(box_of(inside)))
    after = unchanged(pixels, family_copy(pixels, child, inside, after=True), middle(box_of(inside)))
    assert before == 1.0
    assert after < 0.5 * before


def test_a_composite_read_before_and_after() -> None:
    results, skipped = one_place(Scripted(IN_COMPOSITE), CODEC, [("child.jpg", "other.jpg")], PHOTOS.__getitem__,
                                 0.25, 0.0)
    assert not skipped
    (before,), (after,) = results["before"], results["after"]
    assert before["child_found"] and after["child_found"] and before["child_distance"] == 0.0
    assert 0.0 < before["box_sharp"] < 0.3  # the part of its box within the child's face box and head
    assert before["middle_sharp"] > 0.0
    assert after["middle_sharp"] == 0.0 and after["box_sharp"] < before["box_sharp"]


@pytest.mark.parametrize("found", [[], IN_COMPOSITE[:1], [*IN_COMPOSITE, face(250, 10, 300, 60)]])
def test_a_composite_without_both_faces_found_is_skipped_not_read_as_blurred(found: list[DetectedFace]) -> None:
    results, skipped = one_place(Scripted(found), CODEC, [("child.jpg", "other.jpg")], PHOTOS.__getitem__, 0.25, 0.0)
    assert results == {"before": [], "after": []}
    assert skipped == {"not two faces found in the composite": 1}


def test_a_photo_alone_without_one_face_is_skipped() -> None:
    photos = PHOTOS | {"none.jpg": (Image.fromarray(noise(5)), None)}
    results, skipped = one_place(Scripted(IN_COMPOSITE), CODEC, [("none.jpg", "other.jpg"), ("child.jpg", "other.jpg")],
                                 photos.__getitem__, 0.25, 0.0)
    assert len(results["before"]) == len(results["after"]) == 1
    assert skipped == {"not one face found in a photo alone": 1}


def test_a_run_that_reads_no_composite_ends_in_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A toy corpus whose composites the engine finds no face in: every place reports its skipped
    composites, and the run ends in an error instead of a report of nothing."""
    for name, seed in (("c.jpg", 1), ("d.jpg", 2)):
        Image.fromarray(noise(seed)).save(tmp_path / name)
    (tmp_path / "manifest.csv").write_text("file,subject,age\nc.jpg,c,5\nd.jpg,d,6\n")
    engine = Scripted([])
    monkeypatch.setattr(bench, "build_face_engine", lambda settings, codec: engine)
    monkeypatch.setattr(sys, "argv", ["overlapping_faces.py", str(tmp_path), "--out", str(tmp_path / "out.json")])
    with pytest.raises(SystemExit, match="nothing measured"):
        bench.main()
    report = (tmp_path / "out.json").read_text()
    assert '"not two faces found in the composite": 1' in report and "middle_sharp" not in report
