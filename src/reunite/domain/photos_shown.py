"""What of a sighting's photos and faces each reader sees: part of the one visibility policy, which
``domain.access`` re-exports (callers ask ``access``). Police and moderators see originals; everyone
else only processed photos, with every face but the child's blurred and only the child's head sharp.
A case photo of several faces is shown the same way once its child's face is chosen (``case_faces``),
to all but its own family (who sent it), police and moderators; before, to them alone."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from reunite.domain.case_faces import CasePhotoFaces, child_of, published
from reunite.domain.principals import P, Principal


def photo_shown(who: Principal, photo: dict[str, Any]) -> bool:
    """A sighting's photo reaches anyone but police and moderators only once its faces are known
    (so that every bystander can be blurred); never when they could not be searched for."""
    return who.can(P.SEE_ORIGINALS) or (photo.get("processed_at") is not None and not photo.get("failed_reason"))


def case_original(who: Principal, case_id: int) -> bool:
    """Whether ``who`` reads a case's photos as sent: its family (who sent them), police and moderators
    (every read audited, as a sighting's originals are); everyone else reads published copies only."""
    return who.can(P.SEE_ORIGINALS) or who.owns(case_id)


def case_photo_faces(photo: dict[str, Any]) -> CasePhotoFaces:
    """A case photo's row (``face_ids``, its chosen face as ``case_child_face_id`` or ``child_face_id``) as
    ``domain.case_faces`` reads it."""
    chosen = photo["case_child_face_id"] if "case_child_face_id" in photo else photo.get("child_face_id")
    return CasePhotoFaces(int(photo["id"]), tuple(int(f) for f in photo.get("face_ids") or ()), chosen,
                          photo.get("processed_at") is not None, bool(photo.get("failed_reason")),
                          photo.get("held_since") is not None)


def case_photo_shown(who: Principal, case_id: int, photo: dict[str, Any]) -> bool:
    """A case photo reaches this reader: as sent (``case_original``), or published (``case_faces.published``)."""
    return case_original(who, case_id) or published(case_photo_faces(photo))


def case_photo_child(photo: dict[str, Any]) -> int | None:
    """The face of a case photo that stands for the child (``case_faces.child_of``)."""
    facts = case_photo_faces(photo)
    return child_of(facts.face_ids, facts.chosen)


def case_photos_listed(who: Principal, case_id: int, photos: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A case's photos as this reader may list them: all of them, with their faces and the choice, for its family,
    police and moderators; for anyone else the published ones only, each counting the child's face alone
    (never how many others were blurred), nothing of its faces or why one could not be read."""
    if case_original(who, case_id):
        return photos
    private = ("face_ids", "child_face_id", "failed_reason")
    return [{k: v for k, v in p.items() if k not in private}
            | {"face_count": min(int(p["face_count"]), 1) if p.get("face_count") is not None else None}
            for p in photos if published(case_photo_faces(p))]


def child_face(row: dict[str, Any]) -> int | None:
    """The face marked as the child's (``child_face_of``)."""
    return child_face_of(row.get("child_face_id"), [f["id"] for f in row.get("faces") or []])


def child_face_of(marked: int | None, sighting_face_ids: Sequence[int]) -> int | None:
    """The face marked as the child's, if it is one of the sighting's: by a moderator, or the only face
    of a report when its faces were found (``moderation.settle_child_face``), which a moderator may
    unmark when it is an adult's (the child turned away). None: no face there is known to be the child's,
    so every face is blurred for families, and the report is not searched by photo nor grouped."""
    return int(marked) if marked is not None and int(marked) in sighting_face_ids else None


def ruled_out_faces(marked: int | None, faces: Iterable[tuple[int, int]]) -> set[int]:
    """Of a report's ``faces`` ((face id, photo id) pairs), those its child's face ``marked`` rules out: the
    other faces of the photo that shows it, someone else's (one person is seen once in a photo: a sibling, a
    passer-by, an adult). A lead made from one is nobody's lead (probe s28 B1). A face in another photo of
    the report may be the child again (a reporter's second, closer photo): it is no longer matched, but what
    was decided on it stands."""
    faces = list(faces)
    photo = next((photo for face, photo in faces if face == marked), None)
    return {face for face, in_photo in faces if photo is not None and in_photo == photo and face != marked}


def faces_counted(row: dict[str, Any], photos: list[dict[str, Any]] | None) -> dict[str, Any]:
    """The report's and its ``photos``' ``face_count`` as a reader who sees only the child's face reads
    them: the child's face (one, in the photo that holds it) or none; the bystanders' faces, withheld, are
    not counted either (probe s16 P8)."""
    child = child_face(row) if "faces" in row else row.get("child_face_id")
    counted: dict[str, Any] = {}
    if "face_count" in row:
        counted["face_count"] = 0 if child is None else 1
    if photos is not None:
        holder = next((f["photo_id"] for f in row.get("faces") or [] if f["id"] == child), None)
        counted["photos"] = [p | {"face_count": None if p.get("face_count") is None else int(p["id"] == holder)}
                             for p in photos]
    return counted


Box = tuple[int, int, int, int]  # left, top, right, bottom, in the upright photo's pixels
Outline = tuple[tuple[int, int], ...]  # a closed polygon's corners, in the upright photo's pixels
# What of a sighting photo stays sharp for anyone but police and moderators: the child's head only, an
# ellipse around the face box, turned with the eyes' line: its half-width HEAD[0] of the box's width (ear to
# ear), its half-height HEAD[1] of the box's height, its centre HEAD[2] of the height above the box's (towards
# the crown): from the hair above the brow to a little below the chin. Nothing of the shoulders, nor of the
# square around the head where a sibling's cheek or a carrying adult's face would lie (probe s16, P1).
HEAD = (0.65, 0.85, 0.2)
HEAD_CORNERS = 32  # the ellipse drawn as a polygon of this many corners


def box_of(face: dict[str, Any]) -> Box:
    return int(face["box_left"]), int(face["box_top"]), int(face["box_right"]), int(face["box_bottom"])


def head_outline(face: dict[str, Any]) -> Outline:
    """The child's head around this face (``HEAD``): an ellipse sized from the face box and turned as
    the line through the eyes is (a head tilted on a shoulder), upright when the landmarks do not tell."""
    left, top, right, bottom = box_of(face)
    width, height = right - left, bottom - top
    cos, sin = _eyes_line(face.get("landmarks") or ())
    across, along, raised = HEAD
    centre_x = (left + right) / 2 + sin * raised * height  # "up" is (sin, -cos): across the eyes' line
    centre_y = (top + bottom) / 2 - cos * raised * height
    corners = []
    for k in range(HEAD_CORNERS):
        turn = 2 * math.pi * k / HEAD_CORNERS
        x, y = across * width * math.cos(turn), along * height * math.sin(turn)
        corners.append((round(centre_x + x * cos - y * sin), round(centre_y + x * sin + y * cos)))
    return tuple(corners)


def _eyes_line(landmarks: Sequence[Sequence[int]]) -> tuple[float, float]:
    """The cosine and sine of the angle of the line from the face's right eye to its left (the photo's
    left eye to its right one when the face is upright); (1, 0) when the landmarks do not tell."""
    if len(landmarks) == 5:  # dlib's five points: the left eye's two corners, the right eye's, the nose
        first, second = landmarks[2:4], landmarks[0:2]
    elif len(landmarks) == 68:
        first, second = landmarks[36:42], landmarks[42:48]
    else:
        return 1.0, 0.0
    dx = sum(p[0] for p in second) / len(second) - sum(p[0] for p in first) / len(first)
    dy = sum(p[1] for p in second) / len(second) - sum(p[1] for p in first) / len(first)
    length = math.hypot(dx, dy)
    return (dx / length, dy / length) if length else (1.0, 0.0)


def sharp_regions(who: Principal, faces: Iterable[dict[str, Any]], child: int | None) -> list[Outline] | None:
    """The parts of a sighting photo shown sharp to this principal: all of it (None) for police and
    moderators; for everyone else only the child's head (``head_outline``), everything else obscured, so
    that a face the detector missed (a passer-by too small or turned away, a head tilted on the child's
    shoulder) is never shown recognisably unless it lies on the child's own head. A photo with no face
    known to be the child's: nothing sharp."""
    if who.can(P.SEE_ORIGINALS):
        return None
    return [head_outline(face) for face in faces if face["id"] == child]


def blur_faces(who: Principal, faces: Iterable[dict[str, Any]], child: int | None) -> list[dict[str, Any]]:
    """The faces to blur on a sighting photo shown to this principal: everyone's but the child's,
    except for police and moderators, who see originals. Each is blurred (its box grown by a margin) even
    inside the child's head; only the child's face box is kept sharp over it, less ``shared_with_child``."""
    if who.can(P.SEE_ORIGINALS):
        return []
    return [f for f in faces if f["id"] != child]


def shared_with_child(who: Principal, faces: Iterable[dict[str, Any]], child: int | None) -> list[Outline]:
    """The parts of the child's face box that are a bystander's face, blurred too: where a detected
    face's box overlaps the child's (a second child held cheek to cheek, an adult's face pressed to the
    child's), the overlap is split by the line across the one joining the two boxes' centres, at the point
    that divides it as the faces' sizes do (the middle for faces of one size): the bystander's side is
    blurred, the child's stays sharp, so neither face's middle is given to the other. A bystander's box
    margin (``BLUR_MARGIN`` in the codec) never takes any of the child's face box. Nothing for police and
    moderators, nor where no face is the child's (nothing is kept sharp)."""
    faces = list(faces)
    mine = next((f for f in faces if f["id"] == child), None)
    if who.can(P.SEE_ORIGINALS) or mine is None:
        return []
    kept = box_of(mine)
    return [part for f in faces if f["id"] != child and (part := _their_side(kept, box_of(f)))]


def _their_side(kept: Box, other: Box) -> Outline:
    """The part of ``kept`` ∩ ``other`` on ``other``'s side of the line that splits the two boxes
    (``shared_with_child``); empty when the boxes do not overlap or share a centre."""
    overlap = (max(kept[0], other[0]), max(kept[1], other[1]), min(kept[2], other[2]), min(kept[3], other[3]))
    if overlap[0] >= overlap[2] or overlap[1] >= overlap[3]:
        return ()
    (kx, ky), (ox, oy) = _centre(kept), _centre(other)
    dx, dy = ox - kx, oy - ky
    if dx == 0 and dy == 0:
        return ()
    share = _size(kept) / (_size(kept) + _size(other))
    split_x, split_y = kx + dx * share, ky + dy * share

    def side(point: tuple[float, float]) -> float:  # > 0: the other face's side
        return (point[0] - split_x) * dx + (point[1] - split_y) * dy

    left, top, right, bottom = overlap
    corners: list[tuple[float, float]] = [(left, top), (right, top), (right, bottom), (left, bottom)]
    clipped: list[tuple[float, float]] = []
    for k, here in enumerate(corners):  # the rectangle clipped by the half-plane (Sutherland–Hodgman)
        after = corners[(k + 1) % 4]
        if side(here) >= 0:
            clipped.append(here)
        if side(here) * side(after) < 0:
            t = side(here) / (side(here) - side(after))
            clipped.append((here[0] + t * (after[0] - here[0]), here[1] + t * (after[1] - here[1])))
    return tuple((round(x), round(y)) for x, y in clipped) if len(clipped) >= 3 else ()


def _centre(box: Box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _size(box: Box) -> float:
    return max(1, (box[2] - box[0] + box[3] - box[1]) / 2)
