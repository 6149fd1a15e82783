"""Managing accounts: disable and enable one, change its role, withdraw a pending invitation (the rules
are in ``domain.staff``). Each takes effect on the account's very next request: a session reads its
account's role and state every time, and disabling also ends every session at once."""

from __future__ import annotations

from reunite.domain import staff
from reunite.domain.access import Permission, Principal, Role, require
from reunite.domain.errors import Conflict, NotFound
from reunite.domain.ports import UnitOfWork
from reunite.domain.stores import AccountRow
from reunite.services import idempotency, subscriptions
from reunite.services.deps import Deps


def account_id(deps: Deps, email: str) -> int:
    """The account with this sign-in email (for the command line), or NotFound."""
    with deps.uow() as uow:
        found = uow.account_by_email(email.strip())
    if found is None:
        raise NotFound("no account has the email {email}", email=email.strip())
    return found.id


def _account(uow: UnitOfWork, target: int) -> AccountRow:
    # one change to an account's role or state at a time: two admins demoting each other at once, the
    # second counts the admins the first left (and the rows are never locked in crossing orders)
    uow.one_at_a_time("staff")
    found = uow.account_by_id(target)  # locked until the change is committed
    if found is None:
        raise NotFound("account {id} does not exist", id=target)
    return found


def set_disabled(deps: Deps, who: Principal, target: int, disabled: bool) -> bool:
    """Disable an account (it is signed out everywhere at once, cannot sign in, and the API tokens it
    issued are revoked and its pending invitations ended, and the alert subscriptions it and those tokens
    made ended, for good: enabling it again brings none back) or enable it again. Whether anything changed
    (doing it twice records nothing the second time)."""
    with deps.uow() as uow:
        account = _account(uow, target)
        staff.check_change(who, account.role)
        if account.disabled == disabled:
            return False
        if disabled:
            staff.check_an_admin_stays(account.email, account.role, account.disabled, False,
                                       uow.other_enabled_admins(target))
        uow.set_disabled(target, deps.clock.now() if disabled else None)
        ended = uow.end_sessions(target) if disabled else 0
        tokens, invitations = uow.end_issued(target, deps.clock.now()) if disabled else ([], 0)
        made = 0
        if disabled:  # what it and its tokens subscribed to ends with them, in this transaction
            made = subscriptions.end_made_by(deps, uow, who, [f"account:{target}"], "account disabled")
            made += subscriptions.end_made_by(deps, uow, who, [f"token:{t}" for t in tokens], "token revoked")
        uow.audit(who.actor, "account.disabled" if disabled else "account.enabled", "account", target,
                  role=account.role, sessions_ended=ended, tokens_revoked=len(tokens), invitations_ended=invitations,
                  subscriptions_ended=made)
        uow.commit()
    return True


def set_role(deps: Deps, who: Principal, target: int, role: Role) -> bool:
    """Change an account's role (admin, police, moderator, reporter); its open sessions carry the new
    role from their next request. Whether anything changed."""
    role = staff.settable_role(role.value)
    with deps.uow() as uow:
        account = _account(uow, target)
        staff.check_change(who, account.role, role)
        if account.role == role.value:
            return False
        staff.check_an_admin_stays(account.email, account.role, account.disabled, role is Role.ADMIN,
                                   uow.other_enabled_admins(target))
        uow.set_role(target, role.value)
        ended: dict[str, int] = {}
        if account.role == Role.ADMIN.value:  # an admin no more: what it issued ends for good, and its webhooks
            tokens, ended["invitations_ended"] = uow.end_issued(target, deps.clock.now())
            ended["tokens_revoked"] = len(tokens)
            ended["subscriptions_ended"] = subscriptions.end_made_by(
                deps, uow, who, [f"token:{t}" for t in tokens], "token revoked") + subscriptions.end_made_by(
                deps, uow, who, [f"account:{target}"], "account no longer an admin's", webhooks_only=True)
        uow.audit(who.actor, "account.role_changed", "account", target, before=account.role, after=role.value,
                  **ended)
        uow.commit()
    return True


def withdraw_invitation(deps: Deps, who: Principal, invitation_id: int, key: idempotency.Key | None = None) -> None:
    """End a pending invitation now: its link no longer makes an account. Asked again (the same ``key``,
    or an invitation that has ended already: withdrawn, or expired) it is answered as the first was, with
    nothing written again; an accepted invitation is refused (409): its account is disabled instead."""
    require(who, Permission.ADMINISTER)
    if idempotency.done(deps, key):
        return
    now = deps.clock.now()
    with deps.uow() as uow:
        found = uow.invitation_for_change(invitation_id)  # locked: not accepted meanwhile
        if found is None:
            raise NotFound("invitation {id} does not exist", id=invitation_id)
        role, accepted, ends = found
        staff.check_withdrawal(who, role)
        if accepted:
            raise Conflict("invitation {id} was accepted: its account exists now; disable the account instead",
                           id=invitation_id)
        if not idempotency.first(uow, key) or ends <= now:
            return  # a twin under this key was first, or its link already makes no account
        uow.withdraw_invitation(invitation_id, now)
        uow.audit(who.actor, "invitation.withdrawn", "invitation", invitation_id)
        uow.commit()
