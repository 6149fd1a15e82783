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

RENDERING = 5  # bump when the way photos are re-encoded, scaled or blurred, or posters laid out, changes:
# older copies are not served (4: a bystander's part of the child's face box blurred, ``access.shared_with_child``;
# 5: a case photo's faces but the child's blurred on published copies, ``case_copy``)


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
    if row["case"]:
        if not access.case_photo_shown(who, row["case_id"], row):  # not published: as missing, and not audited
            raise NotFound("photo {id} does not exist", id=photo_id)
        if not who.owns(row["case_id"]):  # a family's own photos are theirs; police's reads of several faces said
            audit_read(deps, who, "photo.viewed", "case", row["case_id"], photo=photo_id,
                       **({"unblurred": True} if who.can(Permission.SEE_ORIGINALS)
                          and len(row["face_ids"] or ()) > 1 else {}))
        return case_copy(deps, who, row, max_side, known)
    if not access.photo_shown(who, row):
        raise NotFound("photo {id} is not shown: its faces are not known yet, so bystanders cannot be blurred",
                       id=photo_id)
    faces = deps.read.sighting_faces(row["sighting_id"])
    child = access.child_face_of(row["child_face_id"], [f["id"] for f in faces])
    regions = Regions.of(who, [f for f in faces if f["photo_id"] == photo_id], child)
    audit_read(deps, who, "photo.viewed", "sighting", row["sighting_id"], photo=photo_id,
                unblurred=regions.sharp is None)
    return regions.copy(deps, row["storage_key"], max_side, known)


@dataclass(frozen=True)
class Regions:
    """What of a photo is blurred for a reader (``access``'s rules, one for a sighting's bystanders and for the
    other faces of a case photo): the faces blurred, the child's face box kept sharp over them, the parts of
    it that are another's face (blurred all the same), and the outline left sharp (None: all of it)."""

    blur: list[access.Box]
    keep: access.Box | None
    unkept: list[access.Outline]
    sharp: list[access.Outline] | None

    @classmethod
    def of(cls, who: Principal, faces: list[dict[str, Any]], child: int | None) -> Regions:
        blur = [access.box_of(f) for f in access.blur_faces(who, faces, child)]
        keep = next((access.box_of(f) for f in faces if f["id"] == child), None) if blur else None
        return cls(blur, keep, access.shared_with_child(who, faces, child), access.sharp_regions(who, faces, child))

    def copy(self, deps: Deps, key: str, max_side: int | None, known: str | None) -> Rendition:
        """The stored photo at ``key`` so rendered. The rendition's key names every box blurred and kept, the
        parts of the kept one blurred all the same, and the outline left sharp: a copy made for one audience
        (police's, sharp None) is never served to another (a family's, sharp a list)."""
        blur, keep, sharp, unkept = self.blur, self.keep, self.sharp, self.unkept
        return rendition(deps, known,
                         lambda: deps.codec.clean_copy(deps.photos.get(key), max_side, blur, keep, sharp, unkept),
                         "photo", key, max_side, blur, keep, sharp, unkept)


WHOLE = Regions([], None, [], None)  # nothing blurred: an original, or a case photo of one face or none


def case_copy(deps: Deps, who: Principal, photo: dict[str, Any], max_side: int | None,
              known: str | None = None) -> Rendition:
    """A case photo (``photo``: as ``read.photo`` reads it) as ``who`` may see it: as sent for its family,
    police and moderators (``access.case_original``); for anyone else (partners' tokens, the poster, its PDF,
    the feeds' and webhooks' links to it: read as ``access.ANONYMOUS``) only once published, and when it shows
    several faces with every face but the chosen child's blurred and all but the child's head obscured, as a
    sighting's bystanders are. Unpublished (several faces, none chosen; faces not known yet): as missing."""
    if not access.case_photo_shown(who, int(photo["case_id"]), photo):
        raise NotFound("photo {id} does not exist", id=photo["id"])
    regions = WHOLE
    if not access.case_original(who, int(photo["case_id"])) and len(photo["face_ids"] or ()) > 1:
        regions = Regions.of(who, deps.read.photo_faces(int(photo["id"])), access.case_photo_child(photo))
    return regions.copy(deps, photo["storage_key"], max_side, known)


def _sees_case(who: Principal, case: dict[str, Any]) -> bool:
    """Whether this reader may see the case a photo or face belongs to (``queries.checked_case``'s rule), from
    its head read with the photo: a photo's answer never tells which case it is of."""
    return (who.may_view_case(case["id"]) and access.case_checked_for(who, case)
            and access.case_in_full(who, case))


def _sees_photo(who: Principal, row: dict[str, Any]) -> bool:
    """A case's photos for those who see the case; a sighting's for those who see the sighting."""
    return _sees_case(who, row["case"]) if row["case"] else access.sighting_visible(
        who, row["sighting_status"], bool(row["sighting_found"]))


def _signed_in(who: Principal) -> None:
    """Nobody signed out sees a stored photo or face (posters have their own copy): asked before the
    record is read, so that the answer is the same whether the id exists or not."""
    if not who.signed_in:
        raise NotSignedIn("sign in to see this photo")


def _sees_face(deps: Deps, who: Principal, row: dict[str, Any]) -> bool:
    """A case's faces for its family, police and moderators; for others who see the case (partners' tokens), the
    face that stands for the child only (``access.case_photo_child``: never a sibling's beside it). Of a
    sighting, the child's face (or one a reviewer confirmed as the family's child); a bystander's only for
    police and moderators."""
    if row["case"]:
        return _sees_case(who, row["case"]) and (access.case_original(who, row["case_id"]) or row["id"] == (
            access.case_photo_child({"id": row["photo_id"], "face_ids": row["photo_face_ids"],
                                     "case_child_face_id": row["case_child_face_id"]})))
    settled = deps.clock.now() - deps.limits.undo_window  # the candidates list's rule, not a sooner one
    child = access.child_face_of(row["child_face_id"], row["sighting_face_ids"])
    return (who.can(Permission.SEE_ORIGINALS)
            or any(access.candidate_visible(who, c, settled, c["case_id"]) for c in row["confirmations"])
            or (access.sighting_visible(who, row["sighting_status"], bool(row["sighting_found"]))
                and row["id"] == child))


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
        if not access.case_original(who, row["case_id"]) and len(row["photo_face_ids"]) > 1:
            return _cut(deps, known, who, row, deps.read.photo_faces(row["photo_id"]))  # the others blurred first
    else:
        child = access.child_face_of(row["child_face_id"], row["sighting_face_ids"])
        audit_read(deps, who, "face.viewed", "sighting", row["sighting_id"], face=face_id,
                    bystander=face_id != child)
        if not who.can(Permission.SEE_ORIGINALS):
            faces = [f for f in deps.read.sighting_faces(row["sighting_id"]) if f["photo_id"] == row["photo_id"]]
            return _cut(deps, known, who, row, faces)
    crop = row["crop_key"]
    return rendition(deps, known, lambda: deps.photos.get(crop), "crop", crop)


def _cut(deps: Deps, known: str | None, who: Principal, row: dict[str, Any], faces: list[dict[str, Any]]) -> Rendition:
    """A face (``row``) cut from its photo with every other face of it (``faces``) blurred first, and all but
    this face's head obscured, as on the whole photo (``access.sharp_regions``)."""
    face_id = row["id"]
    others = [access.box_of(f) for f in faces if f["id"] != face_id]
    sharp = access.sharp_regions(who, faces, face_id)
    unkept = access.shared_with_child(who, faces, face_id)  # a bystander's part of this face's box
    key, box = row["photo_key"], access.box_of(row)
    return rendition(deps, known, lambda: deps.codec.face_copy(deps.photos.get(key), box, others,
                                                               sharp=sharp, unkept=unkept),
                     "face", key, box, others, sharp, unkept)
