"""Photos and face crops as served: re-encoded for the reader, once per audience, and kept
(``deps.renditions``). A stored photo or face this reader may not see answers as one that does not exist,
after the same one statement; every read of one by anyone but its subject is audited
(``queries.audit_read``)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reunite.domain import access
from reunite.domain.access import Permission, Principal
from reunite.domain.errors import NotFound, NotSignedIn
from reunite.services.deps import Deps
from reunite.services.queries import audit_read

RENDERING = 4  # bump when the way photos are re-encoded, scaled or blurred, or posters laid out, changes:
# older copies are not served (4: a bystander's part of the child's face box blurred, ``access.shared_with_child``)


@dataclass(frozen=True)
class Rendition:
    """A photo as served, and its entity tag; ``data`` is None when the reader already has these bytes."""

    data: bytes | None
    etag: str


def rendition(deps: Deps, known: str | None, render: Callable[[], bytes], *key: object) -> Rendition:
    """Made once and kept (``deps.renditions``), keyed by everything the bytes depend on: the stored
    original, the size, the boxes blurred and kept. Called after the rights were checked and the read
    audited; ``known`` is the reader's If-None-Match, answered without the bytes when it still holds."""
    etag = hashlib.sha256(repr((RENDERING, *key)).encode()).hexdigest()[:32]
    if known == etag:
        return Rendition(None, etag)
    data = deps.renditions.get(etag)
    if data is None:
        data = render()
        deps.renditions.put(etag, data)
    return Rendition(data, etag)


def photo_bytes(
    deps: Deps, who: Principal, photo_id: int, max_side: int | None = None, known: str | None = None
) -> Rendition:
    """A clean copy of a stored photo: re-encoded, metadata stripped, and for everyone but police and
    moderators, of a sighting, every face but the child's blurred and everything outside the child's
    head obscured (``access.sharp_regions``: a face the detector missed is shown sharp only where it lies
    on the child's head). A photo this reader may not see answers as one that does not exist, after the
    same one statement: its faces are read only once access is granted."""
    _signed_in(who)
    row = deps.read.photo(photo_id)
    if row is None or not _sees_photo(who, row):
        raise NotFound("photo {id} does not exist", id=photo_id)
    blur: list[access.Box] = []
    keep = None
    sharp: list[access.Outline] | None = None
    unkept: list[access.Outline] = []
    if row["case"]:
        if not who.owns(row["case_id"]):
            audit_read(deps, who, "photo.viewed", "case", row["case_id"], photo=photo_id)
    else:
        if not access.photo_shown(who, row):
            raise NotFound("photo {id} is not shown: its faces are not known yet, so bystanders cannot be blurred",
                           id=photo_id)
        faces = deps.read.sighting_faces(row["sighting_id"])
        child = access.child_face_of(row["child_face_id"], [f["id"] for f in faces])
        faces = [f for f in faces if f["photo_id"] == photo_id]
        blur = [access.box_of(f) for f in access.blur_faces(who, faces, child)]
        keep = next((access.box_of(f) for f in faces if f["id"] == child), None) if blur else None
        unkept = access.shared_with_child(who, faces, child)
        sharp = access.sharp_regions(who, faces, child)
        audit_read(deps, who, "photo.viewed", "sighting", row["sighting_id"], photo=photo_id,
                    unblurred=sharp is None)
    key = row["storage_key"]
    # the key names every box blurred and kept, the parts of the kept one blurred all the same, and the
    # outline left sharp: a copy made for one audience (police's, sharp None) is never served to another
    # (a family's, sharp a list)
    return rendition(deps, known,
                     lambda: deps.codec.clean_copy(deps.photos.get(key), max_side, blur, keep, sharp, unkept),
                     "photo", key, max_side, blur, keep, sharp, unkept)


def _sees_case(who: Principal, case: dict[str, Any]) -> bool:
    """Whether this reader may see the case a photo or face belongs to (``queries.checked_case``'s rule), from
    its head read with the photo: a photo's answer never tells which case it is of."""
    return (who.may_view_case(case["id"]) and access.case_checked_for(who, case)
            and access.case_in_full(who, case))


def _sees_photo(who: Principal, row: dict[str, Any]) -> bool:
    """A case's photos for those who see the case; a sighting's for those who see the sighting."""
    return _sees_case(who, row["case"]) if row["case"] else access.sighting_visible(who, row["sighting_status"])


def _signed_in(who: Principal) -> None:
    """Nobody signed out sees a stored photo or face (posters have their own copy): asked before the
    record is read, so that the answer is the same whether the id exists or not."""
    if not who.signed_in:
        raise NotSignedIn("sign in to see this photo")


def _sees_face(deps: Deps, who: Principal, row: dict[str, Any]) -> bool:
    """A case's faces for its family and reviewers; of a sighting, the child's face (or one a reviewer
    confirmed as the family's child); a bystander's only for police and moderators."""
    if row["case"]:
        return _sees_case(who, row["case"])
    settled = deps.clock.now() - deps.limits.undo_window  # the candidates list's rule, not a sooner one
    child = access.child_face_of(row["child_face_id"], row["sighting_face_ids"])
    return (who.can(Permission.SEE_ORIGINALS)
            or any(access.candidate_visible(who, c, settled, c["case_id"]) for c in row["confirmations"])
            or (access.sighting_visible(who, row["sighting_status"]) and row["id"] == child))


def face_crop(deps: Deps, who: Principal, face_id: int, known: str | None = None) -> Rendition:
    """A face crop, for those ``_sees_face`` names. A face this reader may not see answers as one that
    does not exist, after the same one statement: the photo it was cut from is read only once access
    is granted."""
    _signed_in(who)
    # a confirmation shows a face only to the family of its case (``access.candidate_visible``); the
    # reviewers who read every confirmation see every face (SEE_ORIGINALS) whatever they say
    row = deps.read.face(face_id, sorted(who.verified_cases))
    if row is None or not _sees_face(deps, who, row):
        raise NotFound("face {id} does not exist", id=face_id)
    if row["case"]:
        if not who.owns(row["case_id"]):
            audit_read(deps, who, "face.viewed", "case", row["case_id"], face=face_id)
    else:
        child = access.child_face_of(row["child_face_id"], row["sighting_face_ids"])
        audit_read(deps, who, "face.viewed", "sighting", row["sighting_id"], face=face_id,
                    bystander=face_id != child)
        if not who.can(Permission.SEE_ORIGINALS):  # cut from the photo with every other face blurred first,
            # and all but this face's head obscured, as on the whole photo (``access.sharp_regions``)
            faces = [f for f in deps.read.sighting_faces(row["sighting_id"]) if f["photo_id"] == row["photo_id"]]
            others = [access.box_of(f) for f in faces if f["id"] != face_id]
            sharp = access.sharp_regions(who, faces, face_id)
            unkept = access.shared_with_child(who, faces, face_id)  # a bystander's part of this face's box
            key, box = row["photo_key"], access.box_of(row)
            return rendition(deps, known, lambda: deps.codec.face_copy(deps.photos.get(key), box, others,
                                                                       sharp=sharp, unkept=unkept),
                             "face", key, box, others, sharp, unkept)
    crop = row["crop_key"]
    return rendition(deps, known, lambda: deps.photos.get(crop), "crop", crop)
