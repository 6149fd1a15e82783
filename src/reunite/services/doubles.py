"""A child registered twice by different accounts (``domain.doubles``): verification refused until a
moderator resolves the duplicate flag, a family's later registration held when the flag is found only
after both were verified, and what reviewers are shown of the flags."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from reunite.domain.access import Permission, Principal
from reunite.domain.doubles import Double
from reunite.domain.errors import Conflict
from reunite.domain.ports import UnitOfWork
from reunite.services.case_moves import hold_case
from reunite.services.deps import Deps

# verifying a case and flagging (or reopening) a duplicate take turns: one always sees the other's work
# (a flag committed while a verification read none would otherwise let both through)
LOCK = "case-doubles"


def take_turns(uow: UnitOfWork) -> None:
    """Before anything else is locked (a case's row, a flag's): verifying, flagging and deciding flags
    one at a time, always locking in the same order."""
    uow.one_at_a_time(LOCK)


def refuse_verifying(uow: UnitOfWork, case_id: int) -> None:
    """Conflict (409, naming the other cases) when an open flag ties the case to a verified, open case
    registered by another account (or, for one picture in both, a verified case since reunited or closed with
    its photos kept): a moderator resolves the flag first (``grouping.decide_duplicate``). The words say when
    the flag is for one picture in both, and when that picture is the other case's public poster's photo.
    The caller took its turn (``take_turns``)."""
    blocking = [d for d in uow.doubles([case_id]) if d.blocks]
    posters = sorted({d.other_case_id for d in blocking if d.same_photo and d.other_on_poster})
    if posters:
        raise Conflict("case {id} is possibly the same child as case {other}: its photo is the one on the public poster of case {other}, which another account registered and had verified. Resolve that first (link them as one child, or say they are different children and why), then verify",  # noqa: E501
                       field="status", id=case_id, other=", ".join(map(str, posters)))
    photos = sorted({d.other_case_id for d in blocking if d.same_photo})
    if photos:
        raise Conflict("case {id} is possibly the same child as case {other}: its photo is the same photo as case {other}'s, which another account registered and had verified. Resolve that first (link them as one child, or say they are different children and why), then verify",  # noqa: E501
                       field="status", id=case_id, other=", ".join(map(str, photos)))
    others = sorted({d.other_case_id for d in blocking})
    if others:
        raise Conflict("case {id} is possibly the same child as case {other}, registered by another account and verified: resolve that first (link them as one child, or say they are different children and why), then verify",  # noqa: E501
                       field="status", id=case_id, other=", ".join(map(str, others)))


def hold(uow: UnitOfWork, actor: str, case_ids: Sequence[int], at: datetime) -> list[int]:
    """Each of these cases (and the cases their open flags join them to) that is verified, a family's,
    and possibly the same child as a case another account registered before it and had verified: back
    to waiting for verification (no browsing, no poster, no matching; its machine proposals nobody
    touched withdrawn, its confirmed leads unseen by its family), until a moderator resolves the flag
    and verifies it again; partners that may hold a copy are told it ended (``case_moves``) and the exports keep
    a placeholder for it, from ``at``. The cases held. The caller took its turn (``take_turns``)."""
    seen = uow.doubles(case_ids)
    rows = seen + uow.doubles(sorted({d.other_case_id for d in seen} - set(case_ids)))
    held: dict[int, Double] = {}
    for double in rows:
        if double.held and double.case_id not in held:
            held[double.case_id] = double
    for case_id, double in sorted(held.items()):
        hold_case(uow, case_id, actor, at, other_case_id=double.other_case_id, flag=double.flag_id)
    return sorted(held)


def check_arrival(uow: UnitOfWork, case_id: int) -> None:
    """A case imported (a partner's PFIF record, a sheet's row), with no photos to find faces in, is checked for
    doubles all the same (its name and birth date: ``grouping.flag_duplicates``) by the job that finds a case's
    faces and matches it, in the import's transaction: the moderators' list shows the pair before anyone tries to
    verify either."""
    uow.enqueue("faces.process_case", lock=f"case-{case_id}", case_id=case_id)


def flags_shown(deps: Deps, who: Principal, case_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """For reviewers: each case's open duplicate flags (the other case, whether verifying this one waits
    for the flag); nothing for anyone else (a family never learns of another family's case)."""
    if not case_ids or not (who.can(Permission.MODERATE) or who.can(Permission.REVIEW_CANDIDATES)):
        return {}
    shown: dict[int, list[dict[str, Any]]] = {}
    for double in deps.read.doubles(case_ids):
        shown.setdefault(double.case_id, []).append({
            "flag_id": double.flag_id, "other_case_id": double.other_case_id, "blocks": double.blocks,
            "other_verified": double.other_verified, "same_photo": double.same_photo,
            "other_on_poster": double.other_on_poster})
    return shown
