"""Photos added to a case from its page (probe s33 G1: a family could not add a newer photo after registering; the
only route, registering the child again, was refused when a fact had been corrected). Whoever may correct the case
(``access.may_correct``: its family, the partner that registered it, moderators and police) adds them while it is
open, with the date each was taken, by the rules of a registration. They go the one way photos join a case
(``case_photos.add_to_registered``): to a case waiting for verification at once (its verifier sees them whole); to a
verified case, from someone who may not verify cases, held with the case's correction waiting (one per case, or a
new one asking for them alone), neither published nor matched until a moderator accepts it (a photo may show another
child, and it goes on the poster, the feeds and to partners); a photo the case holds already is not added again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from reunite.domain import access
from reunite.domain.access import Principal
from reunite.domain.errors import Forbidden, InvalidInput, Problems
from reunite.domain.lifecycle import CaseAction
from reunite.domain.model import Upload
from reunite.services import case_photos, corrections, intake
from reunite.services.case_checks import case_problems
from reunite.services.case_moves import move_case
from reunite.services.deps import Deps


@dataclass(frozen=True)
class Added:
    """What became of the photos sent: the ids added (none: the case held them all), and whether they wait for a
    moderator (``held``)."""

    photo_ids: list[int]
    held: bool


def add_photos(deps: Deps, who: Principal, case_id: int, uploads: Sequence[Upload],
               taken: Sequence[date | None]) -> Added:
    """Add ``uploads`` (each taken on ``taken``: None, the day the child went missing, as at registration) to case
    ``case_id``. 404 for a case ``who`` may not see, 403 for one they may not correct, 409 for one not open, 422
    for a photo or a date a registration refuses (every problem at once), or more photos than a case holds."""
    corrections.require_correctable(deps, who, case_id)
    if len(taken) != len(uploads):
        raise InvalidInput("give one date taken per photo (or leave each blank)", field="photo_dates")
    with deps.uow() as uow:
        row = uow.case_facts_row(case_id)
    problems = Problems()
    case_problems(problems, deps.clock.now(), None, row["birth_date"], None, taken,
                  [upload.number or n for n, upload in enumerate(uploads, start=1)])
    problems.raise_all()
    facts = intake.inspect_all(deps, uploads, case=True)
    keys = intake.store_originals(deps, uploads, facts)
    with deps.uow() as uow:
        try:
            if not access.may_correct(who, case_id, uow.registrant(case_id)):
                raise Forbidden("only the family or the partner who registered case {id} may correct it", id=case_id)
            state = move_case(uow, case_id, CaseAction.CORRECT, who.actor)  # 409 unless open; its row locked
        except Exception:
            case_photos.unstore(deps, uow, keys)
            raise
        missing = uow.case_facts_row(case_id)["missing_since"].date()
        days = [day or missing for day in taken]
        added = case_photos.add_to_registered(deps, uow, who, case_id, facts, keys, days, from_page=True)
        uow.commit()
    return Added(added, bool(added) and state.verified and not who.can(access.Permission.VERIFY_CASE))


def form_facts(deps: Deps, who: Principal, case_id: int) -> dict[str, Any]:
    """What the "Add photos" form says before anything is sent (404, 403 as ``add_photos``): whether photos added now
    wait for a moderator (``held``), how many the case holds (``held_count``) and may hold (``photo_limit``)."""
    corrections.require_correctable(deps, who, case_id)
    with deps.uow() as uow:
        row = uow.case_facts_row(case_id)
        count = len(uow.case_photo_digests(case_id))
    verified = row["status"] == "open" and row["verified_at"] is not None
    return {"held": verified and not who.can(access.Permission.VERIFY_CASE), "held_count": count,
            "photo_limit": deps.limits.max_photos_per_report}
