"""People decide: a reviewer confirms or dismisses a machine candidate. Nothing else changes its status."""

from __future__ import annotations

from collections.abc import Sequence

from reunite.domain.access import Permission, Principal, require
from reunite.domain.errors import InvalidInput
from reunite.domain.model import CandidateStatus
from reunite.domain.reasons import require_why
from reunite.domain.workbench import Action, BulkDismissal
from reunite.services import workbench
from reunite.services.deps import Deps


def review_candidate(deps: Deps, who: Principal, candidate_id: int, decision: CandidateStatus, reason: str,
                     members: Sequence[int] | None = None, take_over: bool = False) -> None:
    """Confirm (this is the child: next, verification by DNA or documents) or dismiss with a reason.
    Only a confirmed candidate is shown, and announced, to the family. The workbench's rules hold
    here too: a candidate another reviewer holds is refused (unless ``take_over``), and four eyes when
    asked for. This decides
    the one candidate named, with the ``members`` of its trail named to confirm with it, as the
    workbench's ticks (``workbench.decide``)."""
    if decision is CandidateStatus.PROPOSED:
        require(who, Permission.REVIEW_CANDIDATES)
        raise InvalidInput("a review either confirms or dismisses", field="decision")
    action = Action.CONFIRM if decision is CandidateStatus.CONFIRMED else Action.DISMISS
    if members is not None and action is not Action.CONFIRM:
        raise InvalidInput("name the trail's other sightings only to confirm them", field="members")
    workbench.decide(deps, who, candidate_id, action, reason, members, whole=members is not None, take_over=take_over)


def dismiss_candidates(deps: Deps, who: Principal, candidate_ids: Sequence[int], reason: str) -> BulkDismissal:
    """Dismiss many candidates at once with one reason (confirming is always one by one, after a
    side-by-side look): only those still waiting for a decision, by the workbench's rules
    (``workbench.dismiss_in_bulk``); what was dismissed and what was left as it was, and why."""
    require(who, Permission.REVIEW_CANDIDATES)
    if not candidate_ids:
        raise InvalidInput("choose at least one candidate", field="ids")
    if not reason.strip():
        raise InvalidInput("say why the candidate is dismissed", field="reason")
    return workbench.dismiss_in_bulk(deps, who, candidate_ids, require_why(reason, "reason"))
