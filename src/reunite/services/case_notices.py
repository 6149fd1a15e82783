"""A family told by email when its case is verified, held back, or rejected (probe s30 D6): the same short notice as
for a confirmed lead (``reach._case_note``), in each account's language, saying only what happened and where to sign
in; once verified, the poster's link, which the public reads anyway. Each is enqueued in the transaction that
changes the case's state (``case_moves.NOTICES``), so only when the change is written, once per change."""

from __future__ import annotations

import hashlib

from reunite.domain.lifecycle import case_state
from reunite.services.case_moves import NOTICES
from reunite.services.deps import Deps
from reunite.services.reach import send_email


def tell_family(deps: Deps, case_id: int, notice: str, change: str) -> int:
    """Email each of the family's accounts (enabled, with its language) that its case was verified (with the
    poster's link and what happens next), held back (waiting for verification again, as the case page words it:
    never naming the other case, another family's), or rejected (the case page gives the family no reason, nor does
    this). Nothing when the case has moved on since. Each address once per change (``change``): a retry after a
    failed delivery skips those told already. How many were sent."""
    expected = dict(NOTICES.values()).get(notice)
    with deps.uow() as uow:
        row = uow.case_facts_row(case_id)
        owners = uow.owner_emails(case_id)
    if expected is None or case_state(row) is not expected:
        return 0
    base = deps.site.base_url
    context = {"case": {"given_name": row["given_name"]}, "case_url": f"{base}/cases/{case_id}",
               "poster_url": f"{base}/p/{case_id}"}
    sent = 0
    for address, language in owners:
        told = f"notice:{change}:{hashlib.sha256(address.lower().encode()).hexdigest()}"
        with deps.uow() as uow:
            if uow.remembered_result(told) is not None:
                continue  # told already, on an earlier try of this job
        send_email(deps, address, notice, language, context)
        with deps.uow() as uow:
            uow.remember_result(told, {"notice": notice, "case_id": case_id})
            uow.commit()
        sent += 1
    return sent
