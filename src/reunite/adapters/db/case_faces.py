"""Which faces of a case's photos stand for the missing child, in SQL (``domain.case_faces`` is the same rule
in Python): a case face is matched, compared for doubles and look-alikes only when it is its photo's only
face or the one a person chose (``photos.child_face_id``, 0039); a case photo is published (the poster, its
PDF, feeds, webhooks, PFIF) only once its faces are known, with at most one face or the child's chosen. Neither
while it waits for a moderator (``photos.held_since``, 0044: added to a verified case by its family or a partner)."""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from reunite.adapters.db.photo_copies import not_copied
from reunite.adapters.db.tables import faces, photos
from reunite.domain.case_faces import CasePhotoFaces
from reunite.domain.errors import NotFound


def child_face(face: str = "f", photo: str = "p") -> str:
    """The condition that case face ``face`` (its photo joined as ``photo``) stands for the child."""
    return f"({photo}.held_since IS NULL AND ({photo}.face_count = 1 OR {photo}.child_face_id = {face}.id))"


def matched(face: str = "f", photo: str = "p") -> str:
    """The condition that case face ``face`` is matched against reports: the child's (``child_face``), in a photo
    that is no report's picture (``photo_copies``, probe s36 K1: a copy of the report is no evidence)."""
    return f"({child_face(face, photo)} AND {not_copied(photo)})"


def published(photo: str = "p") -> str:
    """The condition that case photo ``photo`` is published (``domain.case_faces.published``), never a report's
    picture registered as the case's (``photo_copies``, probe s36 K1: the witness's report is never published)."""
    return (f"({photo}.processed_at IS NOT NULL AND {photo}.failed_reason IS NULL AND {photo}.held_since IS NULL "
            f"AND {not_copied(photo)} "
            f"AND ({photo}.face_count <= 1 "
            f"OR EXISTS (SELECT 1 FROM faces cf WHERE cf.id = {photo}.child_face_id AND cf.photo_id = {photo}.id)))")


def poster_photo(case: str = "c") -> str:
    """The photo a case's poster shows: its newest published photo (by the day taken, then arrival)."""
    return (f"(SELECT p.id FROM photos p WHERE p.case_id = {case}.id AND {published('p')} "
            "ORDER BY p.taken_on DESC NULLS LAST, p.created_at DESC, p.id DESC LIMIT 1)")


class CaseFacesSql:
    conn: Connection

    def case_photo_faces(self, case_id: int) -> list[CasePhotoFaces]:
        rows = self.conn.execute(
            select(photos.c.id, photos.c.child_face_id, photos.c.processed_at, photos.c.failed_reason,
                   photos.c.held_since)
            .where(photos.c.case_id == case_id).order_by(photos.c.created_at, photos.c.id).with_for_update()
        ).all()
        found: dict[int, list[int]] = {row.id: [] for row in rows}
        for face in self.conn.execute(select(faces.c.id, faces.c.photo_id).where(  # as face_ids_sql lists them
                faces.c.photo_id.in_(list(found))).order_by(faces.c.box_left, faces.c.box_top, faces.c.id)):
            found[face.photo_id].append(face.id)
        return [CasePhotoFaces(row.id, tuple(found[row.id]), row.child_face_id, row.processed_at is not None,
                               row.failed_reason is not None, row.held_since is not None) for row in rows]

    def set_case_child_face(self, photo_id: int, face_id: int | None) -> None:
        done = self.conn.execute(update(photos).where(photos.c.id == photo_id, photos.c.case_id.is_not(None))
                                 .values(child_face_id=face_id)).rowcount
        if not done:
            raise NotFound("photo {id} does not exist", id=photo_id)


# the order a photo's faces are listed in, numbered and offered to choose from ("Face 1", "Face 2"): left to right
# in the picture, as a person counts them (never the order the detector found them in: probe s30 D8e)
LEFT_TO_RIGHT = "{f}.box_left, {f}.box_top, {f}.id"


def left_to_right(face: str = "f") -> str:
    """``ORDER BY`` terms of faces ``face`` (one photo's) from left to right."""
    return LEFT_TO_RIGHT.format(f=face)


def sighting_faces_in_order(face: str = "f", sighting: str = "s") -> str:
    """``FROM … ORDER BY`` of a sighting's faces (``face``): photo by photo as the report sent them, each photo's
    left to right."""
    return (f"faces {face} JOIN photos {face}p ON {face}p.id = {face}.photo_id WHERE {face}.sighting_id = {sighting} "
            f"ORDER BY {face}p.created_at, {face}p.id, {left_to_right(face)}")


def face_ids_sql(photo: str = "p") -> str:
    """A photo's face ids left to right (``LEFT_TO_RIGHT``), as an array column."""
    return f"ARRAY(SELECT g.id FROM faces g WHERE g.photo_id = {photo}.id ORDER BY {left_to_right('g')})"

