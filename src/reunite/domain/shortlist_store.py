"""The part of the unit of work behind the shortlist and grouping: the proposals a sighting keeps, the
groups of sightings one child could have made, and duplicate cases. ``ports.UnitOfWork`` combines it
with the rest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from reunite.domain.doubles import Double, SamePhoto
from reunite.domain.matching_store import SightingHitRow


class ShortlistStore(Protocol):
    """What keeps the shortlist short and honest: ranks and caps, groups of sightings of one child,
    cases registered twice."""

    def open_cases_count(self, seen_at: datetime) -> int:
        """Open, verified cases whose child went missing before ``seen_at`` (the "of N" of a rank)."""
        ...

    def withdraw_proposals(self, sighting_id: int, keep: Sequence[tuple[int, int]]) -> int:
        """Delete the sighting's unreviewed candidates but ``keep`` ((case id, face id) pairs)."""
        ...

    def follow_child_face(self, sighting_id: int, face_id: int) -> int:
        """Face ``face_id`` just marked the sighting's child's: the machine's proposals of its other faces nobody
        touched are withdrawn (no longer matched), and every candidate nobody decided (proposed) of the other faces
        of its photo (ruled out: someone else's) leaves them. The machine's are withdrawn, in a reviewer's hands or
        half confirmed all the same; one the family proposed or wrote on follows the child's face (its words were
        on the report): its case's candidate there, or its words join the one its case has there. Confirmed and
        dismissed ones stay, their decision that face's history. Returns how many left."""
        ...

    def confirmed_faces(self, sighting_id: int) -> list[tuple[int, int, int]]:
        """(candidate id, case id, sighting face id) of each confirmed candidate of the sighting."""
        ...

    def trim_proposals(self, case_ids: Sequence[int], keep: int) -> int:
        """Delete each case's unreviewed candidates beyond its ``keep`` best (the per-case cap), in one go."""
        ...

    def group_of(self, sighting_id: int) -> int | None: ...

    def groupable_face(self, sighting_id: int) -> int | None:
        """The face of an approved sighting that may be its child (marked, or its only face); None for a
        report not approved, or one whose several faces no moderator has told apart: it is grouped with none."""
        ...

    def near_child_faces(self, embedding: Sequence[float], seen_after: datetime, limit: int) -> list[SightingHitRow]:
        """The ``limit`` nearest faces of approved sightings seen since ``seen_after`` that may be their
        child (``groupable_face``): never a bystander's, never a report's not approved."""
        ...

    def leave_group(self, sighting_id: int) -> None: ...

    def grouped_sightings(self) -> dict[int, int]:
        """Every grouped sighting's group, by sighting id (locked: a regrouping holds them)."""
        ...

    def approved_in_time_order(self) -> list[int]:
        """Every approved sighting's id, by the time it was seen (then id)."""
        ...

    def ungroup_all(self) -> None:
        """Every sighting out of its group (the groups' rows stay, to be relabelled or dropped)."""
        ...

    def relabel_group(self, group_id: int, as_group_id: int) -> None:
        """The sightings of one group moved into another (an earlier id of the same trail)."""
        ...

    def drop_empty_groups(self) -> int:
        """Delete groups no sighting is in; how many."""
        ...

    def same_pictures_as(self, sighting_id: int) -> int | None:
        """The earliest seen other approved sighting that is a copy of this one: the same pictures (perceptual
        hashes within a few bits), none other on either side, neither with a face known to be its child's
        (``CHILD_FACE``); None unless this one is approved."""
        ...

    def join_group(self, sighting_id: int, other_sighting_id: int) -> int:
        """Put the sighting in the other's group (created when it has none); returns the group id."""
        ...

    def group_members(self, group_id: int) -> list[int]:
        """The group's approved sightings, by id."""
        ...

    def candidate_pairs(self, sighting_id: int) -> list[tuple[int, int]]:
        """(case id, sighting face id) of every stored candidate of the sighting, reviewed or not."""
        ...

    def held_pairs(self, sighting_id: int) -> list[tuple[int, int]]:
        """The pairs of ``candidate_pairs`` a person touched (reviewed, half-confirmed, answered by the
        family, a family's own, in a reviewer's hands): never withdrawn nor replaced by another face."""
        ...

    def group_child_faces(self, group_id: int) -> list[tuple[int, int, Sequence[float], float, int | None]]:
        """(sighting id, face id, embedding, hubness, its photo's perceptual hash) of each member's child face
        (marked, or its only face)."""
        ...

    def flag_duplicate(self, case_id: int, other_case_id: int, impostor_share: float,
                       same: SamePhoto | None = None) -> bool:
        """Record that two cases look like one child; False when already flagged or decided. With ``same`` (their
        photos are one picture): a flag raised otherwise is marked so (True then), and reopened if dismissed. A flag
        only a partner's link raised (``partner_only``) becomes one like any other (True then)."""
        ...

    def flag_linked(self, case_id: int, other_case_id: int, impostor_share: float, by: str, note: str) -> bool:
        """A partner registry's PFIF link (note ``note``, imported by ``by``) between two cases: a flag that holds no
        case back (``partner_only``), or, on an open flag raised already, who linked it; False when the pair was
        flagged with a link already, or decided by a moderator (their decision stands)."""
        ...

    def same_photos(self, case_id: int, similarity: float, bits: int, near: int,
                    faces: float = 1.0, chip: float = 1.0,
                    statuses: Sequence[str] = ("open", "reunited", "closed")) -> list[SamePhoto]:
        """Each other case in ``statuses`` (open, or ended with its photos kept: reunited, closed) with a photo that
        is one of this case's: a face of each as alike as ``similarity`` (among the ``near`` nearest case faces of each
        face), or at least ``faces`` alike with chip prints correlating at least ``chip`` (``domain.chips``), or
        perceptual hashes at most ``bits`` apart. One per other case: by face first, then by chip, then the nearest."""
        ...

    def born_near(self, case_id: int, days: int) -> list[tuple[int, str, str]]:
        """(id, family name, given name) of this case, then of the other open cases born within ``days`` of it:
        verified ones first, then the nearest births, then the oldest."""
        ...

    def duplicate_flag(self, case_id: int, other_case_id: int) -> tuple[int, str] | None:
        """The flag of these two cases (either order) and its status (open, linked, dismissed); None if none."""
        ...

    def decide_duplicate(self, flag_id: int, status: str, was: Sequence[str], actor: str,
                         at: datetime) -> tuple[int, int] | None:
        """Link or dismiss (or reopen) a flag whose status is one of ``was`` (else ``Conflict``, saying what it
        is; ``NotFound`` if there is none); sets or clears the cases' links. Returns the two case ids, or None
        when the flag was linked or dismissed so already (nothing changed)."""
        ...

    def doubles(self, case_ids: Sequence[int]) -> list[Double]:
        """The open flags of these open cases whose other case is open too, seen from each of them."""
        ...

    def withdraw_case_proposals(self, case_id: int) -> int:
        """Delete the case's machine proposals nobody touched (a case held for a second look)."""
        ...
