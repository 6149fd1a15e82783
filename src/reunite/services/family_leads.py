"""A confirmed lead as its family reads it, once a reviewer dismissed another report of its trail for the case
(probe s35 J5). The family's trail leaves such a report out (probe s33 G6); so do the lead's words: the trail's
size ("one child seen N times") counts the reports the family is shown, and the face figure ("these N sightings'
faces together", "1 in N") is read again from the faces of those reports alone, fused as matching fuses a trail
(``grouping.fused_faces``), never from a face a reviewer rejected for this child."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reunite.domain.access import Permission, Principal
from reunite.domain.model import PhotoOwner
from reunite.domain.scoring import score_pair
from reunite.services import (
    grouping,  # a module: grouping imports look_alikes, which imports queries, which imports this
)
from reunite.services.deps import Deps


def as_family_reads(deps: Deps, who: Principal, row: dict[str, Any], settled: datetime) -> dict[str, Any]:
    """``row`` (a candidate as the read model gives it) with its trail's size and face figure as ``who`` reads
    them: reviewers read the stored ones; a family, those of the reports it is shown, a dismissal for this case
    counting once its undo window is over (``settled``: as ``queries.own_decisions`` reads it)."""
    if who.can(Permission.REVIEW_CANDIDATES):
        return row
    out = [m for m in row.get("dismissed_members") or [] if m["at"] <= settled]
    if not out:
        return row
    copies = sum(1 for m in out if m["copy"])
    shown = row | {"group_size": max((row.get("group_size") or 1) - len(out), 1),
                   "group_copies": max((row.get("group_copies") or 0) - copies, 0)}
    if (row.get("face_together") or 1) > 1:
        shown |= _read_without(deps, row, {int(m["id"]) for m in out})
    return shown


def _read_without(deps: Deps, row: dict[str, Any], left_out: set[int]) -> dict[str, Any]:
    """The lead's face evidence read from its trail's faces without ``left_out``'s, as matching reads a pair;
    its reading when decided is not said (it read the faces left out). When the case's photos are gone (closed
    without keeping them) nothing can be read again, and no figure is shown at all (``queries.photos_removed``)."""
    from reunite.services.matching import hits_by_case  # matching's notices read the workbench, which reads queries

    sighting_id, case_id = int(row["sighting_id"]), int(row["case_id"])
    with deps.uow() as uow:
        faces = grouping.fused_faces(deps, uow, sighting_id, uow.faces_of(PhotoOwner.SIGHTING, sighting_id), left_out)
        face = next((f for f in faces if f.face_id == row["sighting_face_id"]), None)
        hits = hits_by_case(uow, face, [case_id], (deps.policy, uow.extra_spread())).get(case_id, []) \
            if face is not None else []
        if face is None or not hits:
            return {"decided_face_score": None}
        score = score_pair(deps.policy, uow.case_facts(case_id), uow.sighting_facts(sighting_id), hits, face.hubness)
    return {"face_score": score.face, "hubness": score.hubness, "gap_years": score.gap_years,
            "face_together": face.together, "decided_face_score": None}
