"""What of a sighting's photos and faces each reader sees: part of the one visibility policy, which
``domain.access`` re-exports (callers ask ``access``). Police and moderators see originals; everyone
else only processed photos, with every face but the child's blurred and only the child's head sharp."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from reunite.domain.principals import P, Principal


def photo_shown(who: Principal, photo: dict[str, Any]) -> bool:
    """A sighting's photo reaches anyone but police and moderators only once its faces are known
    (so that every bystander can be blurred); never when they could not be searched for."""
    return who.can(P.SEE_ORIGINALS) or (photo.get("processed_at") is not None and not photo.get("failed_reason"))


def child_face(row: dict[str, Any]) -> int | None:
    """The face marked as the child's (``child_face_of``)."""
    return child_face_of(row.get("child_face_id"), [f["id"] for f in row.get("faces") or []])


def child_face_of(marked: int | None, sighting_face_ids: Sequence[int]) -> int | None:
    """The face marked as the child's, if it is one of the sighting's: by a moderator, or the only face
    of a report when its faces were found (``moderation.settle_child_face``), which a moderator may
    unmark when it is an adult's (the child turned away). None: no face there is known to be the child's,
    so every face is blurred for families, and the report is not searched by photo nor grouped."""
    return int(marked) if marked is not None and int(marked) in sighting_face_ids else None


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
# What of a sighting photo stays sharp around the child's face for anyone but police and moderators:
# the face box grown by these shares of its width (left, right) and height (top, bottom): hair, ears,
# chin and neck. At least face_copy's crop margin (0.4), so that a face crop is all inside it.
HEAD_MARGIN = (0.5, 0.7, 0.5, 0.6)


def box_of(face: dict[str, Any]) -> Box:
    return int(face["box_left"]), int(face["box_top"]), int(face["box_right"]), int(face["box_bottom"])


def sharp_regions(who: Principal, faces: Iterable[dict[str, Any]], child: int | None) -> list[Box] | None:
    """The parts of a sighting photo shown sharp to this principal: all of it (None) for police and
    moderators; for everyone else only the child's head (the child's face box grown by HEAD_MARGIN),
    everything else obscured, so that a face the detector missed (a passer-by too small or turned
    away) is never shown recognisably. A photo with no face known to be the child's: nothing sharp."""
    if who.can(P.SEE_ORIGINALS):
        return None
    regions = []
    for face in faces:
        if face["id"] == child:
            left, top, right, bottom = box_of(face)
            width, height = right - left, bottom - top
            ml, mt, mr, mb = HEAD_MARGIN
            regions.append((max(0, left - round(width * ml)), max(0, top - round(height * mt)),
                            right + round(width * mr), bottom + round(height * mb)))
    return regions


def blur_faces(who: Principal, faces: Iterable[dict[str, Any]], child: int | None) -> list[dict[str, Any]]:
    """The faces to blur on a sighting photo shown to this principal: everyone's but the child's,
    except for police and moderators, who see originals."""
    if who.can(P.SEE_ORIGINALS):
        return []
    return [f for f in faces if f["id"] != child]
