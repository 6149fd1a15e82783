"""Photos sent with a registration of a child the sender had registered already (``intake.registered``: the
same names, birth date and day missing, an open case), or with the case page's "Add photos" (``added_photos``):
added to that case, never dropped unsaid. The same
sender's own case (the family's, or the police's who registered it), so its photos are theirs to add; a
photo the case holds already is not added twice (a form sent again). A photo is the most identifying fact of all:
added to a verified case by someone who may not verify cases (its family, a partner token: whoever holds their
session), it waits for a moderator as an identity correction does (docs/decisions/0007, probe s27 A2), neither
published nor matched until one accepts it; police and moderators vouch for theirs, and the photos of a case
waiting for verification are seen whole by its verifier."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from reunite.domain.access import Permission, Principal
from reunite.domain.errors import InvalidInput
from reunite.domain.model import PhotoFacts, PhotoOwner
from reunite.domain.ports import UnitOfWork
from reunite.services.case_moves import changed_for_partners
from reunite.services.deps import Deps


def add_to_registered(deps: Deps, uow: UnitOfWork, who: Principal, case_id: int, facts: Sequence[PhotoFacts],
                      keys: Sequence[str], taken: Sequence[date], from_page: bool = False) -> list[int]:
    """The photos of ``facts`` (stored at ``keys``, taken on ``taken``) that the case does not hold yet, added to
    it, found faces in and matched; the ids added (none: it held them all). More than a case may hold: refused,
    nothing added. The caller commits. ``from_page``: sent with the case page's "Add photos" (``added_photos``),
    not with a registration of the child again (the case's timeline says which)."""
    try:
        have = uow.case_photo_digests(case_id)
        fresh: dict[str, tuple[PhotoFacts, str, date]] = {}
        for fact, key, day in zip(facts, keys, taken, strict=True):
            if fact.sha256 not in have:
                fresh.setdefault(fact.sha256, (fact, key, day))
        if len(have) + len(fresh) > deps.limits.max_photos_per_report:
            raise InvalidInput("case {case} holds {held} photos already: with yours it would pass the {limit} a case may hold",  # noqa: E501
                               field="photos", case=case_id, held=len(have), limit=deps.limits.max_photos_per_report)
        added = [uow.add_photo(PhotoOwner.CASE, case_id, fact, key, day) for fact, key, day in fresh.values()]
    finally:
        unstore(deps, uow, keys)  # those it held already (every one when refused)
    if added:
        held, verified = None, uow.case_facts_row(case_id)["verified_at"] is not None
        if verified and not who.can(Permission.VERIFY_CASE):
            held = hold(uow, who.actor, case_id, added, deps.clock.now())
        elif verified:  # published at once: partners and readers are told (probe s29 C5)
            changed_for_partners(uow, case_id, deps.clock.now())
        uow.audit(who.actor, "case.photos_added", "case", case_id, photos=len(added),
                  **({"correction": held} if held is not None else {}), **({"from_page": True} if from_page else {}))
        uow.enqueue("faces.process_case", lock=f"case-{case_id}", case_id=case_id)  # faces found; held: not matched
    return added


def hold(uow: UnitOfWork, actor: str, case_id: int, photo_ids: Sequence[int], at: datetime) -> int:
    """Photos added to a verified case wait for a moderator with the case's correction waiting (one per case), or
    in a new one that asks for them alone; the correction's id (audited with the photos added)."""
    uow.hold_photos(photo_ids, at)
    waiting = uow.waiting_correction(case_id)
    if waiting is not None:
        uow.add_correction_photos(int(waiting["id"]), photo_ids)
        correction_id = int(waiting["id"])
    else:
        correction_id = uow.add_correction(case_id, actor, {}, {}, {}, photo_ids)
    return correction_id


def unstore(deps: Deps, uow: UnitOfWork, keys: Sequence[str]) -> None:
    """Photos stored for a write that does not happen, unless a record holds them."""
    for key in uow.storage_keys_unused(keys):
        deps.photos.delete(key)
