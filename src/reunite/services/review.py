"""People decide: a reviewer confirms or dismisses a machine candidate. Nothing else changes its status."""

from __future__ import annotations

from reunite.domain.errors import InvalidInput
from reunite.domain.model import CandidateStatus
from reunite.services.deps import Deps


def review_candidate(deps: Deps, candidate_id: int, decision: CandidateStatus, reason: str, reviewer: str) -> None:
    """Confirm (this is the child: next, verification by DNA or documents) or dismiss with a reason."""
    if decision is CandidateStatus.PROPOSED:
        raise InvalidInput("a review either confirms or dismisses", field="decision")
    reason = reason.strip()
    if decision is CandidateStatus.DISMISSED and not reason:
        raise InvalidInput("say why the candidate is dismissed", field="reason")
    with deps.uow() as uow:
        case_id = uow.set_candidate_status(candidate_id, decision, reason, reviewer, deps.clock.now())
        uow.audit(reviewer, f"candidate.{decision.value}", "candidate", candidate_id, case_id=case_id)
        uow.commit()

