"""Which face of a case photo is the missing child's (probe s25 Y3). A family's photo often shows another
child or a parent (a birthday, a class photo, siblings): a person says which face is the missing child's, the
family on its case page or the verifier when verifying. Until then such a photo is published nowhere (the
poster takes another photo of the case, or none) and none of its faces is matched, compared for doubles or
look-alikes: a brother's face never becomes a search target. Once chosen, every face but the child's is
blurred, and everything but the child's head obscured, on every copy anyone but its family, police and
moderators reads (``photos_shown``, as for a sighting's bystanders).

The SQL side of the same rule is ``adapters/db/case_faces``: a face stands for the child when it is its photo's
only face or the one chosen."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from reunite.domain.errors import InvalidInput


@dataclass(frozen=True)
class CasePhotoFaces:
    """A case photo's faces as the choice reads them: their ids in the order found, and the one chosen."""

    photo_id: int
    face_ids: tuple[int, ...]
    chosen: int | None
    processed: bool = True
    failed: bool = False
    held: bool = False  # added to a verified case, waiting for a moderator (docs/decisions/0007)


def child_of(face_ids: Sequence[int], chosen: int | None) -> int | None:
    """The face that stands for the child: the photo's only face, else the one a person chose (if it is one of
    the photo's: faces found again have new ids, and the choice is asked again)."""
    if len(face_ids) == 1:
        return int(face_ids[0])
    return int(chosen) if chosen is not None and int(chosen) in face_ids else None


def published(photo: CasePhotoFaces) -> bool:
    """Whether a case photo may reach anyone but its family, police and moderators: once its faces are known
    (so that every other face can be blurred), with at most one face or the child's chosen; never while it waits
    for a moderator (``held``)."""
    return photo.processed and not photo.failed and not photo.held and (len(photo.face_ids) <= 1
                                                      or child_of(photo.face_ids, photo.chosen) is not None)


def needs_choice(photo: CasePhotoFaces) -> bool:
    """A photo of several faces, none chosen as the child's."""
    return photo.processed and not photo.failed and len(photo.face_ids) > 1 \
        and child_of(photo.face_ids, photo.chosen) is None


def require_choices(case_id: int, photos: Sequence[CasePhotoFaces], decided: Mapping[int, int | None]) -> None:
    """Verifying a case asks the verifier about every photo of several faces none chosen: the child's face,
    or None (not sure: the photo stays unpublished and unmatched until someone chooses)."""
    for photo in photos:
        if needs_choice(photo) and photo.photo_id not in decided:
            raise InvalidInput("photo {photo} of case {id} shows {n} faces: say which is the child's, or that you cannot tell, before verifying",  # noqa: E501
                               field="child_faces", photo=photo.photo_id, id=case_id, n=len(photo.face_ids))


class CaseFaceStore(Protocol):
    def case_photo_faces(self, case_id: int) -> list[CasePhotoFaces]:
        """The case's photos and their faces, in the order they came, locked until the commit."""
        ...

    def set_case_child_face(self, photo_id: int, face_id: int | None) -> None:
        """Mark (None: unmark) the child's face of a case photo; the caller checked it is one of the photo's."""
        ...
