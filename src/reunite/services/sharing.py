"""What of a case's free texts (its description, its distinguishing marks: ``access.SHARED_TEXTS``) everyone who
may not read the family's words reads: the text police or a moderator approved for sharing, each checked that it
pins no place and gives no contact, written and audited one way for every form, the API and the command line."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from reunite.domain.access import SHARED_TEXTS
from reunite.domain.errors import bounded
from reunite.domain.model import CASE_TEXT_LIMITS
from reunite.domain.ports import UnitOfWork
from reunite.domain.summary import cleaned
from reunite.services import words
from reunite.services.case_moves import changed_for_partners
from reunite.services.deps import Deps

# as long as the family's text may be (``model.CASE_TEXT_LIMITS``): approved whole, it fits
LIMITS = {name: CASE_TEXT_LIMITS[name] for name in SHARED_TEXTS}


def field(name: str) -> str:
    """The field a text approved for sharing is sent in, and refused by (``shared_description``,
    ``shared_marks``)."""
    return SHARED_TEXTS[name]


def checked(deps: Deps, case_id: int, texts: Mapping[str, str]) -> dict[str, str]:
    """``texts`` (by name: ``description``, ``marks``) as they would be shared, each refused (422, by its field)
    if it pins where the family said the child was last seen beyond its city, gives a position, a map code or a
    contact (``words.refuse_for_sharing``); empty: nothing is shared."""
    shared = {name: bounded(cleaned(text), LIMITS[name], field(name)) for name, text in texts.items()}
    case = deps.read.case(case_id) if any(shared.values()) else {}
    for name, text in shared.items():
        if text:
            words.refuse_for_sharing(deps, text, case, field(name))
    return shared


def write(uow: UnitOfWork, actor: str, case_id: int, texts: Mapping[str, str], at: datetime | None = None) -> None:
    """Store the texts ``checked`` gave; each that changed audited with its words (``case.description_shared``,
    ``case.marks_shared``), the same words again nothing. A moderator's look at them (or at the case: a
    verification) takes the case out of the "sharing" queue (``source_changed``), audited ``case.sharing_reviewed``.
    Changed ``at`` (none: with a verification, which dates the case itself), partners and readers are told
    (``case_moves.changed_for_partners``)."""
    changed = uow.set_shared_texts(case_id, texts)
    for name in changed:
        uow.audit(actor, f"case.{name}_shared", "case", case_id, words=texts[name])
    if changed and at is not None:
        changed_for_partners(uow, case_id, at)
    if uow.sharing_reviewed(case_id):
        uow.audit(actor, "case.sharing_reviewed", "case", case_id)


def source_changed(uow: UnitOfWork, actor: str, case: dict[str, Any], texts: Mapping[str, str], at: datetime,
                   **detail: object) -> None:
    """The source of a case here (a partner's PFIF record sent again) rewrote some of its free texts (``texts``
    by name, as now stored; ``case`` as it was): what a moderator approved of the old words no longer says what
    they say, and may repeat what the new ones dropped, so it is withdrawn at once (partners read none of it) and
    the case waits in the moderators' "sharing" queue until one approves the new words (``write``: approving,
    even nothing, or verifying, takes it out); audited ``case.held_for_sharing`` with what changed and what was
    withdrawn. New words that are empty ask nobody: there is nothing to share. The same words change nothing."""
    changed = [name for name, text in texts.items() if text != (case.get(name) or "")]
    if not changed:
        return
    ask = any(texts[name] for name in changed)
    withdrawn = uow.hold_for_sharing(int(case["id"]), changed, ask, at)
    uow.audit(actor, "case.held_for_sharing", "case", int(case["id"]), changed=changed, withdrawn=withdrawn,
              asked=ask, **detail)
    if withdrawn:  # partners and readers read none of it from now on
        changed_for_partners(uow, int(case["id"]), at)
