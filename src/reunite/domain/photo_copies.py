"""A case photo that is a street report's picture (probe s36 K1): a report's face crop (any verified family and any
``read:sightings`` partner may download one, by design), its family copy, or its photo, registered as "my child's
photo" by someone posing as a parent. A family cannot hold such a picture unless it came from Reunite: the case's
photo is flagged to moderators (its queue entry, its page, the workbench), verifying the case is refused while it
holds one, the photo is never published (poster, feed, PFIF, CSV: the witness was promised their report never is)
and never matched (the pair "copied photo ↔ the report it was copied from" is no evidence that the registrant's
child is that child). A case photo that is the photo of a case rejected before (or a copy of the same report as a
rejected case's) is said to moderators with the rejection's date and reason (``services.photo_copies``).

One picture is read as the duplicate check reads a case photo copied from another case's poster
(``domain.doubles``): faces ``SAME_PHOTO`` alike, or ``SAME_CHIP_FACES`` alike with chips ``chips.SAME_CHIP``
correlated (a crop, a mirror, a frame), or perceptual hashes ``SAME_PHOTO_BITS`` apart; two different photos of one
child do not read so (docs/benchmarks.md, "The same photo registered again")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

SIGHTING = "sighting"  # a report's picture: blocks verification, never published nor matched
REJECTED = "rejected"  # a rejected case's picture: said to moderators
NEAR = "near"  # a report whose face reads nearly as a case photo's: said beside the Verify form, blocks nothing
# a report's picture with the face partly covered (a sticker over the mouth, a bar over the eyes) is no copy by the
# tests above (probe s39 L2: faces 0.981 and 0.970 alike in the median, chips no longer aligned), nor is it told from
# two photos of one child by any test measured (docs/benchmarks.md, "A covered copy of a report's crop"): so a report
# stored before a case photo whose face reads at least this alike is shown to whoever verifies the case, to compare
# the two pictures by eye (the same background and clothes are a copy; the family's own photo of a child reported
# already is a lead). Two different children's photos of fgnet-dev read at most 0.978 alike
NEAR_REPORT = 0.965
NEAR_REPORTS_SHOWN = 3  # per case, most alike first


@dataclass(frozen=True)
class PhotoCopy:
    """A photo of case ``case_id`` that is a picture of report ``sighting_id`` (``SIGHTING``) or of a rejected
    case ``other_case_id`` (``REJECTED``), found by the copy check."""

    case_id: int
    photo_id: int
    kind: str
    sighting_id: int | None = None
    other_case_id: int | None = None
    other_photo_id: int | None = None


class PhotoCopyStore(Protocol):
    def sighting_copies(self, case_id: int, similarity: float, bits: int, near: int,
                        faces: float = 1.0, chip: float = 1.0) -> list[PhotoCopy]:
        """Each photo of this case (held ones too) that is a picture of a report (any status but removed; a withdrawn
        or removed one's by its kept prints: ``keep_report_prints``) stored before
        it (a report made later of the case's photo is the report's copy, never the case's): its
        child's face (its only face, or the one chosen: a bystander's is no claim of the case) and a report's face
        as alike as ``similarity`` (among the ``near`` nearest report faces of each face), or at least ``faces``
        alike with chips correlating at least ``chip``, or perceptual hashes at most ``bits`` apart. One per photo
        and report."""
        ...

    def keep_report_prints(self, sighting_id: int) -> int:
        """Before a withdrawn or removed report's photos are deleted: keep what the copy check reads of them (each
        photo's perceptual hash, each face's embedding and chip print; no image), read by ``sighting_copies``
        only, so that a copy saved before still reads as that report's (probe s39 L3). How many were kept."""
        ...

    def rejected_copies(self, case_id: int, found: Sequence[PhotoCopy]) -> list[PhotoCopy]:
        """Each rejected case (another) with a photo copied from the same report as one of ``found`` (this case's
        report copies)."""
        ...

    def case_pictures_among(self, face_ids: Sequence[int]) -> set[int]:
        """Those of these report faces whose picture is one of any case's own (``doubles.one_picture``, against
        their nearest case faces and every case photo's perceptual hash): a repost of a poster, no sighting."""
        ...

    def flag_photo_copy(self, copy: PhotoCopy) -> bool:
        """Record the copy (once): True when it is new."""
        ...

    def sighting_copies_of(self, case_id: int) -> list[int]:
        """The reports this case's photos are copies of, as flagged and not cleared (verification waits on none)."""
        ...

    def clear_photo_copy(self, copy_id: int, actor: str, reason: str, at: datetime) -> tuple[int, int | None] | None:
        """Clear a report-copy flag not cleared yet (the family's own photo, reposted as a report first): its case
        and report, or None where there is no such flag open."""
        ...
