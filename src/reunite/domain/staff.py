"""Staff accounts' state: who may disable an account or change its role, the admin a site must keep,
and what an account's current state still vouches for (the invitations and API tokens it issued).

Rights follow the current state on every request: a session reads its account's role and state each
time (a disabled account's sessions are also ended), and what an admin issued holds only while that
admin's account still ``vouches``."""

from __future__ import annotations

from reunite.domain.access import Permission, Principal, Role, require
from reunite.domain.errors import Conflict, Forbidden, InvalidInput

# an account becomes a family's by registering a case, so "family" is not a role one sets
SETTABLE_ROLES = (Role.ADMIN, Role.POLICE, Role.MODERATOR, Role.REPORTER)
STAFF_ROLES = frozenset({Role.ADMIN.value, Role.POLICE.value, Role.MODERATOR.value})


def vouches(role: str, disabled: bool) -> bool:
    """Whether an account still stands behind the invitations and API tokens it issued: only while it
    is an admin's and not disabled. (Disabling or demoting it through the site also revokes them for
    good, ``services.staff``; this holds for any other way its state changes.)"""
    return role == Role.ADMIN.value and not disabled


def settable_role(value: str) -> Role:
    if value not in {r.value for r in SETTABLE_ROLES}:
        raise InvalidInput("choose a role: admin, police, moderator or reporter (an account becomes a family's by registering a case)", field="role")  # noqa: E501
    return Role(value)


def check_change(who: Principal, role: str, new_role: Role | None = None) -> None:
    """An admin (an account, an admin-scoped token or the command line) may disable, enable or change
    the role of an account; a token may neither touch a staff account (admin, police, moderator) nor
    give staff rights (as it may not issue admin tokens): people who see exact places are managed by people."""
    require(who, Permission.ADMINISTER)
    if who.token_id is not None and ({role, new_role and new_role.value} & STAFF_ROLES):
        raise Forbidden("a token cannot change a staff account or give staff rights: an admin's account can",
                        field="role")


def check_withdrawal(who: Principal, role: str) -> None:
    """An admin may withdraw a pending invitation; a token may not withdraw one to a staff role (admin,
    police, moderator), as it may neither invite nor change a staff account: who joins the people that
    see exact places is decided by people, and a leaked token must not quietly keep them out."""
    require(who, Permission.ADMINISTER)
    if who.token_id is not None and role in STAFF_ROLES:
        raise Forbidden("a token cannot withdraw an invitation to a staff role: an admin's account can",
                        field="invitation_id")


def check_an_admin_stays(email: str, role: str, disabled: bool, stays_admin: bool, other_admins: int) -> None:
    """Refuse to disable or demote the last enabled admin (the site would have nobody to manage it)."""
    if role == Role.ADMIN.value and not disabled and not stays_admin and other_admins == 0:
        raise Conflict("{email} is the only admin left: make another account an admin first, so that the site keeps one",  # noqa: E501
                       email=email)
