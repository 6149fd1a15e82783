"""Case photos that are copies of a street report's picture, or of a rejected case's photo (``domain.photo_copies``,
probe s36 K1): found with the duplicate check (``grouping.flag_duplicates``: at registration, and when photos are
added to a case), verification refused while a case holds a report's picture, and the flags shown to moderators and
reviewers (the queue's case entry, the case page, the workbench), never to a family."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from reunite.domain import access
from reunite.domain.access import Permission, Principal, require
from reunite.domain.chips import SAME_CHIP
from reunite.domain.doubles import SAME_CHIP_FACES, SAME_PHOTO, SAME_PHOTO_BITS
from reunite.domain.errors import Conflict, InvalidInput, NotFound, bounded
from reunite.domain.photo_copies import NEAR_REPORT, NEAR_REPORTS_SHOWN, REJECTED, SIGHTING, PhotoCopy
from reunite.domain.ports import ReaderScript, UnitOfWork
from reunite.domain.reasons import require_why
from reunite.domain.text_limits import REASON_LIMIT
from reunite.services import place_days, queries
from reunite.services.case_moves import hold_case
from reunite.services.deps import Deps

NEAR = 10  # the nearest report faces of each face of a case searched for one picture (one is the nearest)
SYSTEM = "system"


def flag_copies(uow: UnitOfWork, case_id: int) -> int:
    """Flag each photo of the case (held ones too) that is a report's picture (one picture, as the duplicate check
    reads a copy of another case's poster: ``domain.doubles``), and each that is the photo of a case rejected before
    or a copy of the same report as a rejected case's photo. Audited; returns the flags new."""
    found = uow.sighting_copies(case_id, SAME_PHOTO, SAME_PHOTO_BITS, NEAR, SAME_CHIP_FACES, SAME_CHIP)
    rejected = [PhotoCopy(case_id, same.photo_id, REJECTED, other_case_id=same.other_case_id,
                          other_photo_id=same.other_photo_id)
                for same in uow.same_photos(case_id, SAME_PHOTO, SAME_PHOTO_BITS, NEAR, SAME_CHIP_FACES, SAME_CHIP,
                                            statuses=("rejected",))]
    flagged = 0
    for copy in found + rejected + uow.rejected_copies(case_id, found):
        if uow.flag_photo_copy(copy):
            uow.audit(SYSTEM, "case.photo_copy_flagged", "case", case_id, photo=copy.photo_id, kind=copy.kind,
                      **({"sighting": copy.sighting_id} if copy.sighting_id else {}),
                      **({"other_case_id": copy.other_case_id} if copy.other_case_id else {}))
            flagged += 1
    return flagged


def hold(uow: UnitOfWork, case_id: int, at: datetime) -> bool:
    """A case verified before its copy of a report's picture was found (a moderator quicker than the faces job)
    waits for verification again from ``at``, as a double found late holds one (``doubles.hold``, which the caller
    ran first): no browsing, no leads, its untouched proposals withdrawn. Whether it was held."""
    copied = uow.sighting_copies_of(case_id)
    status, verified = uow.case_state(case_id)
    if not copied or status != "open" or not verified:
        return False
    hold_case(uow, case_id, SYSTEM, at, photo_copy_of=copied)
    return True


def refuse_verifying(uow: UnitOfWork, case_id: int) -> None:
    """Conflict (409, naming the reports) while a photo of the case is a report's picture: a family cannot hold one
    unless it came from Reunite. The moderator rejects the case (or the family registers with its own photos)."""
    copied = uow.sighting_copies_of(case_id)
    if copied:
        raise Conflict("case {id}'s photo is a copy of the photo of street report {other}: a family cannot hold it unless it came from Reunite. It cannot be verified with that photo: reject the case, or ask the family for its own photos of the child",  # noqa: E501
                       field="status", id=case_id, other=", ".join(map(str, copied)))


def clear_copy(deps: Deps, who: Principal, copy_id: int, reason: str) -> bool:
    """A moderator clears a report-copy flag (probe s39 L4): the picture is the family's own, reposted as a "report"
    first (its public appeal, a report rejected as "not a sighting"), ``reason`` saying what was checked (required,
    words). The flag then blocks nothing (verification, the poster, matching: the case's faces are searched again)
    and is shown cleared, with who cleared it and why. Audited under the case. The flag cleared already answers
    False and changes nothing (404 where there is no such report-copy flag)."""
    require(who, Permission.MODERATE)
    why = bounded(reason, REASON_LIMIT, "reason").strip()
    if not why:
        raise InvalidInput("say why this photo is the family's own (what you checked)", field="reason")
    require_why(why, "reason")
    with deps.uow() as uow:
        cleared = uow.clear_photo_copy(copy_id, who.actor, why, deps.clock.now())
        if cleared is None:
            if not any(row.get("id") == copy_id and row["kind"] == SIGHTING for row in deps.read.photo_copy(copy_id)):
                raise NotFound("no such photo copy flag")
            return False
        case_id, sighting_id = cleared
        uow.audit(who.actor, "case.photo_copy_cleared", "case", case_id, flag=copy_id, sighting=sighting_id,
                  reason=why)
        uow.enqueue("faces.process_case", lock=f"case-{case_id}", case_id=case_id)  # matched with that photo now
        uow.commit()
    return True


def copies_shown(deps: Deps, who: Principal, case_ids: Sequence[int],
                 reader: ReaderScript | None = None) -> dict[int, list[dict[str, Any]]]:
    """For moderators and reviewers: each case's photos flagged as copies (``photo_id``, ``kind``; a report's:
    ``sighting_id``, ``seen_at``, ``city``, ``blocks``, the report's status and reason, a clearing's;
    a rejected case's: ``other_case_id``, ``rejected_at``,
    ``reason``); nothing for anyone else (a family never learns of a report or another case this way)."""
    if not case_ids or not (who.can(Permission.MODERATE) or who.can(Permission.REVIEW_CANDIDATES)):
        return {}
    shown: dict[int, list[dict[str, Any]]] = {}
    for row in deps.read.photo_copies(case_ids):
        lat, lon, words = row.pop("lat"), row.pop("lon"), row.pop("place_text")
        if row["kind"] == SIGHTING:
            row["city"] = place_days.public_city(deps, words or "", reader, lat, lon)
            row["blocks"] = row.get("cleared_at") is None
        else:
            row["blocks"] = False
        shown.setdefault(int(row["case_id"]), []).append(row)
    for rows in shown.values():  # blocking first; rejected cases oldest rejection first, the latest last (s39 L6)
        rows.sort(key=lambda r: (not r["blocks"], r["kind"] == REJECTED, str(r.get("rejected_at") or "")))
    return shown


def near_reports(deps: Deps, who: Principal, case_ids: Sequence[int], reader: ReaderScript | None = None,
                 subject_id: int = 0) -> dict[int, list[dict[str, Any]]]:
    """Beside a Verify form, for those who verify (``access.look_alikes_shown``; nothing for anyone else): for each
    case, the few street reports sent before one of its photos whose face reads nearly as that photo's child's
    (``domain.photo_copies.NEAR_REPORT``) and that no flag names a copy of it (probe s39 L2: a report's picture with
    the face partly covered reads so), most alike first, one line per report: ``sighting_id``, ``report_face_id``,
    ``face_id`` (the case photo's), ``seen_at`` (as given: the day where it was seen), ``city`` (for ``reader``),
    ``sighting_status``. Nothing blocks: a person compares the pictures. Audited as ``photo_copies.near_viewed``
    (under ``subject_id``) with the reports shown."""
    if not case_ids or not access.look_alikes_shown(who):
        return {}
    shown: dict[int, list[dict[str, Any]]] = {}
    for row in deps.read.near_reports(case_ids, NEAR_REPORT, NEAR):
        rows = shown.setdefault(int(row["case_id"]), [])
        if len(rows) < NEAR_REPORTS_SHOWN and all(r["sighting_id"] != row["sighting_id"] for r in rows):
            lat, lon, words = row.pop("lat"), row.pop("lon"), row.pop("place_text")
            rows.append(row | {"city": place_days.public_city(deps, words or "", reader, lat, lon)})
    if shown:
        queries.audit_read(deps, who, "photo_copies.near_viewed", "case", subject_id,
                           shown={str(case_id): [r["sighting_id"] for r in rows] for case_id, rows in shown.items()})
    return shown
