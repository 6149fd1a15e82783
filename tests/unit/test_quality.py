"""What a reporter is told about their photo (domain/quality.py), checked without any I/O."""

from __future__ import annotations

from dataclasses import replace

from reunite.domain.model import BoundingBox, DetectedFace
from reunite.domain.quality import FaceProblem, ReportPhoto, face_problem, photo_problem, report_verdict, turn

# dlib's 5 points: one eye's corners, the other's, the base of the nose
FRONTAL = ((160, 100), (140, 100), (100, 100), (120, 100), (130, 130))
FACE = DetectedFace(box=BoundingBox(80, 60, 180, 160), landmarks=FRONTAL, detection_score=1.0, quality=0.7,
                    embedding=(), model="m", model_version="v", detector="hog", sharpness=200.0)


def test_a_clear_frontal_face_of_fair_size_is_fine() -> None:
    assert face_problem(FACE) is None and turn(FRONTAL) == 0.0


def test_small_blurred_and_turned_faces_are_named_the_most_telling_first() -> None:
    small = replace(FACE, box=BoundingBox(80, 60, 120, 100))
    assert face_problem(small) is FaceProblem.SMALL
    assert face_problem(replace(small, sharpness=2.0)) is FaceProblem.SMALL  # a closer photo fixes both
    assert face_problem(replace(FACE, sharpness=5.0)) is FaceProblem.BLURRED
    turned = (*FRONTAL[:4], (148, 130))  # the nose 18 px beside the eyes' midpoint, eyes 40 px apart
    assert face_problem(replace(FACE, landmarks=turned)) is FaceProblem.TURNED
    assert face_problem(replace(FACE, sharpness=None)) is None  # an engine that does not measure it


def test_a_photo_is_fine_when_any_face_is_and_otherwise_its_largest_face_decides() -> None:
    small = replace(FACE, box=BoundingBox(0, 0, 30, 30))
    blurred = replace(FACE, sharpness=1.0)
    assert photo_problem([small, FACE]) is None  # the child beside an adult far away
    assert photo_problem([small, blurred]) is FaceProblem.BLURRED
    assert photo_problem([]) is FaceProblem.NONE


def test_the_reporter_hears_good_news_at_once_and_a_problem_only_once_every_photo_was_looked_at() -> None:
    waiting, good = ReportPhoto(False, None), ReportPhoto(True, None)
    small, none = ReportPhoto(True, "small"), ReportPhoto(True, "none")
    assert report_verdict([waiting]) == "checking"
    assert report_verdict([small, waiting]) == "checking"
    assert report_verdict([small, good]) == "good"
    assert report_verdict([none, small]) == "small"  # the problem a closer photo can fix
    assert report_verdict([none]) == "none"
