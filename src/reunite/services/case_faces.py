"""Which face of a case photo is the missing child's (``domain.case_faces``, probe s25 Y3): chosen by the family
on its case page once the photo's faces are found, or by the verifier (police, a moderator) when verifying or
later. A choice publishes the photo, every other face blurred (``renditions.case_copy``), and has the child's
face matched, compared for doubles and look-alikes; the other faces never are."""

from __future__ import annotations

from collections.abc import Mapping

from reunite.domain.access import Permission, Principal, require
from reunite.domain.case_faces import CasePhotoFaces, child_of
from reunite.domain.errors import Conflict, InvalidInput, NotFound
from reunite.domain.ports import UnitOfWork
from reunite.services.case_moves import changed_for_partners
from reunite.services.deps import Deps


def choose_child_face(deps: Deps, who: Principal, case_id: int, photo_id: int, face_id: int | None) -> None:
    """Say which face of a case photo is the child's. Its family may, on a photo none was chosen in, and on any
    while the case waits for verification (the verifier then sees what it chose); police and moderators
    (``VERIFY_CASE``) at any time, and may take a choice back (``face_id`` None: "cannot tell", the photo then
    published nowhere and not matched). The case is matched again with the face chosen."""
    family = may_choose(who, case_id)
    if family and face_id is None:
        raise InvalidInput("choose the child's face", field="face_id")
    with deps.uow() as uow:
        status, verified = uow.case_state(case_id)  # locked until the commit
        if status != "open":
            raise Conflict("case {id} is no longer open: the faces of its photos are not chosen any more", id=case_id)
        photos = {p.photo_id: p for p in uow.case_photo_faces(case_id)}
        photo = photos.get(photo_id)
        if photo is None:
            raise NotFound("photo {id} does not exist", id=photo_id)
        if family and verified and child_of(photo.face_ids, photo.chosen) is not None:
            raise Conflict("the child's face in this photo was chosen when the case was verified: to change it, write to the reviewers",  # noqa: E501
                           field="face_id")
        if mark(uow, who, case_id, photo, face_id) and verified:
            uow.enqueue("faces.process_case", lock=f"case-{case_id}", case_id=case_id)  # matched with that face
            changed_for_partners(uow, case_id, deps.clock.now())  # a photo published, or taken back
        uow.commit()


def may_choose(who: Principal, case_id: int) -> bool:
    """Refused unless ``who`` is the case's family or verifies cases; True: its family (who may not undo a choice)."""
    family = who.owns(case_id) and not who.can(Permission.VERIFY_CASE)
    if not family:
        require(who, Permission.VERIFY_CASE)
    return family


def mark(uow: UnitOfWork, who: Principal, case_id: int, photo: CasePhotoFaces, face_id: int | None) -> bool:
    """Mark ``face_id`` (one of ``photo``'s faces; None: none) as the child's, audited; False when it was so."""
    if face_id is not None and face_id not in photo.face_ids:
        raise InvalidInput("face {face} is not in photo {photo}", field="face_id", face=face_id, photo=photo.photo_id)
    if len(photo.face_ids) < 2:
        raise InvalidInput("photo {photo} shows fewer than two faces: there is nothing to choose", field="face_id",
                           photo=photo.photo_id)
    if photo.chosen == face_id:
        return False
    uow.set_case_child_face(photo.photo_id, face_id)
    uow.audit(who.actor, "case.child_face_marked", "case", case_id, photo=photo.photo_id, face=face_id,
              faces=len(photo.face_ids), before=photo.chosen)
    return True


def mark_all(uow: UnitOfWork, who: Principal, case_id: int, chosen: Mapping[int, int | None]) -> list[CasePhotoFaces]:
    """A verifier's choices (photo: face, or None: cannot tell) marked; the case's photos as they stand after."""
    photos = {p.photo_id: p for p in uow.case_photo_faces(case_id)}
    for photo_id, face_id in chosen.items():
        if photo_id not in photos:
            raise InvalidInput("photo {photo} is not one of case {id}'s", field="child_faces", photo=photo_id,
                               id=case_id)
        if face_id is not None or photos[photo_id].chosen is not None:
            mark(uow, who, case_id, photos[photo_id], face_id)
    return uow.case_photo_faces(case_id) if chosen else list(photos.values())
