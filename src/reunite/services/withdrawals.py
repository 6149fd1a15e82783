"""Cases a partner's token imported and nobody verified, withdrawn in bulk (probe s21 U4: one `write` token
registered 20,000 invented children): each is rejected as a moderator would, audited with the reason, when an
admin revokes the token or asks for it alone. Verified cases stay: a person checked them."""

from __future__ import annotations

from reunite.domain.access import Permission, Principal, require
from reunite.domain.errors import InvalidInput, NotFound, bounded
from reunite.domain.lifecycle import CaseAction
from reunite.domain.ports import UnitOfWork
from reunite.domain.reasons import require_why
from reunite.domain.text_limits import REASON_LIMIT
from reunite.services.case_moves import change_case
from reunite.services.deps import Deps


def checked_reason(reason: str) -> str:
    if not reason.strip():
        raise InvalidInput("say why the cases this token imported are withdrawn", field="reason")
    require_why(reason, "reason")
    return bounded(reason, REASON_LIMIT, "reason")


def withdraw_in(deps: Deps, uow: UnitOfWork, who: Principal, token_ids: list[int], reason: str) -> int:
    """Reject, inside ``uow``, the cases these tokens imported that wait for verification; how many."""
    withdrawn = 0
    for case_id in uow.pending_imported_by([f"token:{i}" for i in token_ids]):
        if (state := change_case(uow, case_id, CaseAction.REJECT, who.actor)) is None:
            continue
        uow.set_case_status(case_id, state.status, deps.clock.now())
        uow.audit(who.actor, "case.rejected", "case", case_id, reason=reason, withdrawn_with_tokens=token_ids)
        withdrawn += 1
    return withdrawn


def pending_imports(deps: Deps, who: Principal, token_id: int) -> int:
    """How many cases this token imported wait for verification still (what revoking it may withdraw)."""
    require(who, Permission.ADMINISTER)
    with deps.uow() as uow:
        return len(uow.pending_imported_by([f"token:{token_id}"]))


def withdraw_imports(deps: Deps, who: Principal, token_id: int, reason: str) -> int:
    """Withdraw (reject) the cases this token imported that nobody verified yet, revoked or not; how many.
    Audited case by case and on the token (``token.imports_withdrawn``). An import the token is writing meanwhile
    is waited for (its row locked: ``rights.still_held``), and what it wrote is withdrawn too (probe s34 H3)."""
    require(who, Permission.ADMINISTER)
    why = checked_reason(reason)
    with deps.uow() as uow:
        if not uow.token_exists(token_id):
            raise NotFound("token {id} does not exist", id=token_id)
        withdrawn = withdraw_in(deps, uow, who, [token_id], why)
        uow.audit(who.actor, "token.imports_withdrawn", "api_token", token_id, cases=withdrawn, reason=why)
        uow.commit()
    return withdrawn
