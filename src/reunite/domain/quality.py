"""Is a sighting's face good enough to be matched? What the reporter is told right after sending, so that
they may take a closer photo while the child is still in sight. The report is kept whatever the answer.

Thresholds (measured with the shipped dlib engine; docs/benchmarks.md, "Quality gate"):
- small: the face's box narrower than 60 px. dlib embeds a 150 px chip; below about 60 px most of the
  detail that tells children apart is gone (the development corpus's faces are all 179 px or more).
- blurred: the variance of the Laplacian of the face inside dlib's aligned chip (its padding left out)
  under 6. The development corpus's faces, scanned prints that do match, are soft: 1st percentile 9, 5th
  14, median 68. Blurred by a Gaussian of 5 px on the chip they all fall under 4.1; by 2.5 px, about half
  fall under 6.
- turned: the base of the nose off the eyes' midpoint by more than 0.3 of the distance between the
  eyes (about 35° or more to the side; the development corpus's largest is 0.31, its 99th percentile 0.23)."""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass

from reunite.domain.model import DetectedFace


class FaceProblem(enum.StrEnum):
    SMALL = "small"
    BLURRED = "blurred"
    TURNED = "turned"
    NONE = "none"  # no face found at all


@dataclass(frozen=True)
class ReportPhoto:
    """One photo of a report, as its reporter's page sees it."""

    processed: bool
    problem: str | None
    sha256: str = ""


@dataclass(frozen=True)
class QualityPolicy:
    min_face_px: int = 60
    min_sharpness: float = 6.0
    max_turn: float = 0.3


def turn(landmarks: Sequence[tuple[int, int]]) -> float | None:
    """How far the base of the nose lies beside the eyes' midpoint, in inter-eye distances (0: frontal)."""
    if len(landmarks) == 5:
        eyes = [_mean(landmarks[0:2]), _mean(landmarks[2:4])]
        nose = landmarks[4]
    elif len(landmarks) == 68:
        eyes, nose = [_mean(landmarks[36:42]), _mean(landmarks[42:48])], landmarks[33]
    else:
        return None
    (ax, ay), (bx, by) = eyes
    dx, dy = bx - ax, by - ay
    distance = math.hypot(dx, dy)
    if distance == 0:
        return None
    along = (nose[0] - (ax + bx) / 2) * dx + (nose[1] - (ay + by) / 2) * dy
    return abs(along) / distance ** 2


def _mean(points: Sequence[tuple[int, int]]) -> tuple[float, float]:
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def face_problem(face: DetectedFace, policy: QualityPolicy | None = None) -> FaceProblem | None:
    """What keeps this face from being matched well, the most telling first; None when it is fine."""
    policy = policy or QualityPolicy()
    if min(face.box.width, face.box.height) < policy.min_face_px:
        return FaceProblem.SMALL
    if face.sharpness is not None and face.sharpness < policy.min_sharpness:
        return FaceProblem.BLURRED
    turned = turn(face.landmarks)
    if turned is not None and turned > policy.max_turn:
        return FaceProblem.TURNED
    return None


def photo_problem(faces: Sequence[DetectedFace], policy: QualityPolicy | None = None) -> FaceProblem | None:
    """A photo is fine when any of its faces is (the child may stand beside adults); otherwise the problem
    of its largest face, or NONE when it shows no face."""
    if not faces:
        return FaceProblem.NONE
    problems = [face_problem(face, policy) for face in faces]
    if any(problem is None for problem in problems):
        return None
    largest = max(range(len(faces)), key=lambda i: faces[i].box.width * faces[i].box.height)
    return problems[largest]


def report_verdict(photos: Sequence[ReportPhoto]) -> str:
    """One word for the reporter about a report's photos: 'good' as soon as one photo shows a face fit to
    match; 'checking' while any is waiting; else the first photo's problem that a closer photo can fix
    (small, blurred, turned), or 'none'."""
    if any(p.processed and p.problem is None for p in photos):
        return "good"
    if not photos or not all(p.processed for p in photos):
        return "checking"
    fixable = [p.problem for p in photos if p.problem and p.problem != FaceProblem.NONE]
    return fixable[0] if fixable else FaceProblem.NONE.value
