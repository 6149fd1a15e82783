"""GET /api/audit: the audit log for admins and police (an admin-scoped token, or their session), newest
first, a page at a time; reading it is itself audited (``services.audit``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from reunite.domain.access import Permission, Principal
from reunite.domain.audit import LARGEST_ID, MAX_PAGE, PAGE, AuditQuery, parse_subject
from reunite.domain.errors import InvalidInput
from reunite.domain.text_limits import TEXT_LIMITS
from reunite.entrypoints.api.auth import allow, get_deps
from reunite.entrypoints.api.routes import ERRORS, GIVEN_TIME, aware
from reunite.entrypoints.api.validation import GivenTime
from reunite.services import audit
from reunite.services.deps import Deps

router = APIRouter(prefix="/api")
DepsDep = Annotated[Deps, Depends(get_deps)]
Auditor = Annotated[Principal, Depends(allow(Permission.READ_AUDIT))]


class AuditEntryOut(BaseModel):
    id: int
    at: datetime = Field(description="When, in UTC (ISO 8601 with its offset)")
    actor: str = Field(description="account:ID, token:ID, operator (the command line) or anonymous")
    actor_named: str = Field(description="The account's email (and name), or the token's organisation")
    actor_role: str | None = Field(description=(
        "The account's role now; for a token, admin token (it has the admin scope) or partner"))
    action: str = Field(description="What happened, e.g. sighting.viewed, case.verified, audit.viewed")
    subject: str = Field(description="The kind of record: sighting, case, account, system …")
    subject_id: int
    detail: dict[str, Any] = Field(description="What exactly was read or changed (e.g. exact_place, contact, ids)")


class AuditPageOut(BaseModel):
    items: list[AuditEntryOut]
    next_before: int | None = Field(description="Pass as before= for the next, older page; null: no more")


@router.get("/audit", response_model=AuditPageOut, responses=ERRORS)
def read_audit(
    deps: DepsDep,
    who: Auditor,
    actor: Annotated[str, Query(max_length=TEXT_LIMITS["actor"], description=(
        "account:ID, token:ID, operator, anonymous, or an account's email"))] = "",
    subject: Annotated[str, Query(max_length=TEXT_LIMITS["subject"], description=(
        "A record (sighting:12, case:3), as the page and `reunite audit` take it, or a kind of record (sighting); "
        "for a sighting, every read that showed it too"))] = "",
    subject_id: Annotated[int | None, Query(ge=0, le=LARGEST_ID, description=(
        "With a kind of record as subject: that record only (the same as subject=sighting:12)"))] = None,
    action: Annotated[str, Query(max_length=TEXT_LIMITS["action"], description=(
        "The start of the action's name, e.g. sighting.viewed"))] = "",
    since: Annotated[GivenTime | None, Query(description="At or after: " + GIVEN_TIME)] = None,
    until: Annotated[GivenTime | None, Query(description="At or before: " + GIVEN_TIME)] = None,
    before: Annotated[int | None, Query(ge=1, le=LARGEST_ID, description="The next_before of the page before")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = PAGE,
) -> AuditPageOut:
    """Who opened a sighting, an exact place or a contact, and who changed what: newest first. Admins and
    police only; every reading is written to the log too (audit.viewed, with the question)."""
    kind, number = parse_subject(subject)
    if number is not None and subject_id is not None and number != subject_id:
        raise InvalidInput("the subject names record {named}, subject_id another: ask for one", field="subject_id",
                           named=number)
    query = AuditQuery(actor=actor.strip(), subject=kind, subject_id=subject_id if number is None else number,
                       action=action.strip(),
                       since=aware(since, deps, "since"), until=aware(until, deps, "until"), before=before,
                       limit=limit)
    page = audit.read_log(deps, who, query)
    return AuditPageOut(items=[AuditEntryOut(**e) for e in page.entries], next_before=page.next_before)
