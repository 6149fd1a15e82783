"""API routes for admins: staff accounts (disable, enable, change the role), pending invitations and the
API tokens with who issued them. Same services as /admin; changes need an admin-scoped token (a token
never changes an admin's account nor makes an admin: ``domain.staff``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel, Field

from reunite.domain import staff as rules
from reunite.domain.access import Permission, Principal
from reunite.entrypoints.api import bodies
from reunite.entrypoints.api.auth import allow, get_deps
from reunite.entrypoints.api.routes import ERRORS, IdempotencyKey
from reunite.entrypoints.api.schemas import Problem
from reunite.services import idempotency, queries, staff
from reunite.services.deps import Deps

router = APIRouter(prefix="/api")
DepsDep = Annotated[Deps, Depends(get_deps)]
Admin = Annotated[Principal, Depends(allow(Permission.ADMINISTER))]
WITHDRAW = {**ERRORS, 409: {"model": Problem, "description": "The invitation was accepted: disable its account"}}
CHANGE = {**ERRORS, 409: {"model": Problem, "description": "It would leave the site without an enabled admin"}}


class AccountOut(BaseModel):
    id: int
    email: str
    display_name: str
    role: str
    disabled_at: datetime | None = Field(description="Set while the account is disabled")


class RoleIn(bodies.BodyIn):
    role: str = Field(description="admin, police, moderator or reporter")


class TokenOut(BaseModel):
    id: int
    name: str
    scopes: list[str]
    issued_by_token: int | None = Field(description="The token that issued this one, if a token did")
    issuer_email: str | None = Field(description="The account that issued it (or its line); none: the command line")
    working: bool = Field(description="False once revoked, or while its issuer is disabled or no longer an admin")
    revoked_at: datetime | None
    allowed_domains: list[str] = Field(description="The PFIF record domains it may write (import), if any")
    created_at: datetime = Field(description="When it was issued")
    last_used_at: datetime | None = Field(description=(
        "When it was last used: its latest entry in the audit log (every change, and every read of personal "
        "data); none: never"))
    pending_imports: int = Field(default=0, description=(
        "Cases it imported (PFIF, sheets) that wait for verification still: POST /api/tokens/{id}/withdraw-imports "
        "(or DELETE with withdraw_reason) rejects them"))


@router.get("/accounts", response_model=list[AccountOut], responses=ERRORS)
def staff_accounts(deps: DepsDep, who: Admin) -> list[dict[str, Any]]:
    """Admins, police, moderators and disabled accounts, with their role and state."""
    return queries.admin_lists(deps, who)["accounts"]


@router.post("/accounts/{account_id}/disable", status_code=204, responses=CHANGE)
def disable(deps: DepsDep, who: Admin, account_id: int) -> Response:
    """Disable an account: every session of it ends at once, it cannot sign in, and the invitations and
    tokens it issued stop working. Disabling one already disabled changes nothing."""
    staff.set_disabled(deps, who, account_id, True)
    return Response(status_code=204)


@router.post("/accounts/{account_id}/enable", status_code=204, responses=ERRORS)
def enable(deps: DepsDep, who: Admin, account_id: int) -> Response:
    staff.set_disabled(deps, who, account_id, False)
    return Response(status_code=204)


@router.put("/accounts/{account_id}/role", status_code=204, responses=CHANGE)
def set_role(deps: DepsDep, who: Admin, account_id: int, body: RoleIn) -> Response:
    """Change an account's role; its open sessions carry the new role from their next request."""
    staff.set_role(deps, who, account_id, rules.settable_role(body.role))
    return Response(status_code=204)


@router.delete("/invitations/{invitation_id}", status_code=204, responses=WITHDRAW)
def withdraw_invitation(deps: DepsDep, who: Admin, invitation_id: int,
                        idempotency_key: IdempotencyKey = None) -> Response:
    """Withdraw a pending invitation: its link no longer makes an account. Withdrawing one that has ended
    already (withdrawn, or expired) answers 204 again and records nothing. A token cannot withdraw an
    invitation to a staff role (admin, police, moderator): an admin's account can, on /admin."""
    staff.withdraw_invitation(deps, who, invitation_id,
                              idempotency.scoped(who, f"withdraw:{invitation_id}", idempotency_key))
    return Response(status_code=204)


@router.get("/tokens", response_model=list[TokenOut], responses=ERRORS)
def tokens(deps: DepsDep, who: Admin) -> list[dict[str, Any]]:
    """Every API token (never its secret), who issued it, and whether it works now."""
    return [t | {"issued_by_token": t["issued_by"], "working": t["revoked_at"] is None and t["vouched"]}
            for t in queries.admin_lists(deps, who)["tokens"]]
