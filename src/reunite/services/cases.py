"""Changes to a case after registration."""

from __future__ import annotations

from reunite.domain.errors import InvalidInput
from reunite.services.deps import Deps


def verify_case(deps: Deps, case_id: int, verifier: str, evidence: str) -> None:
    """A person confirms the case is real (police report number checked, documents seen). Only a
    verified case gets a public poster."""
    if not evidence.strip():
        raise InvalidInput("say what was checked (police report, documents)", field="evidence")
    with deps.uow() as uow:
        uow.mark_verified(case_id, verifier, deps.clock.now())
        uow.audit(verifier, "case.verified", "case", case_id, evidence=evidence.strip())
        uow.commit()
