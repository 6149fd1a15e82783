"""Accounts, sessions, invitations and API tokens; and who a request comes from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reunite.domain import staff
from reunite.domain.abuse import new_token, token_hash
from reunite.domain.access import Permission, Principal, Role, Scope, require
from reunite.domain.errors import Forbidden, InvalidInput, NotFound, NotSignedIn, bounded
from reunite.domain.mailboxes import mailbox, mailbox_key
from reunite.domain.pfif import token_domains
from reunite.domain.text_limits import TEXT_LIMITS
from reunite.services import idempotency, subscriptions, throttle, withdrawals
from reunite.services.deps import Deps

MIN_PASSWORD = 10
INVITED_ROLES = {Role.MODERATOR, Role.POLICE, Role.ADMIN}


def _check(email: str, password: str) -> str:
    email = mailbox(email)  # one mailbox, written plainly (domain.mailboxes)
    check_password(password)
    return email


def check_password(password: str) -> None:
    """The rules every new password follows (sign-up, invitation, reset, change)."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput("the password needs at least {n} characters", field="password", n=MIN_PASSWORD)
    if len(password) > 1000:
        raise InvalidInput("the password is too long", field="password")


def sign_up(deps: Deps, email: str, password: str, name: str, language: str = "en",
            role: Role = Role.REPORTER) -> int:
    """A new account. Anyone may make a reporter's account (which becomes a family's when it
    registers a case); other roles come by invitation or from the command line."""
    email = _check(email, password)
    with deps.uow() as uow:
        account_id = uow.add_account(email, bounded(name, TEXT_LIMITS["account_name"], "name"),
                                     deps.passwords.hash(password), role.value,
                                     language)
        uow.audit(f"account:{account_id}", "account.created", "account", account_id, role=role.value)
        uow.commit()
    return account_id


def sign_in_keys(deps: Deps, email: str, ip: str) -> list[tuple[str, int]]:
    """The backoff counters a sign-in attempt counts against: the email (known or not, so that a
    lock reveals nothing; stored hashed) and the address, each with the failures it allows."""
    keys = [(f"sign-in:email:{token_hash(mailbox_key(email))}", deps.limits.sign_in_failures_per_account)]
    if ip:
        keys.append((f"sign-in:ip:{ip}", deps.limits.sign_in_failures_per_address))
    return keys


def sign_in(deps: Deps, email: str, password: str, ip: str = "") -> str:
    """A new session token (the caller sets it as a cookie); 401 for a wrong email or password, the
    same answer in the same time whether the email has an account or not. After failures in a row
    (per email and per address) further attempts are refused for a while that doubles each time,
    before any password is hashed (429). A disabled account with its right password is told it is
    disabled (403): only its owner learns that."""
    keys = sign_in_keys(deps, email, ip)
    throttle.refuse_while_locked(deps, [key for key, _ in keys])
    with deps.uow() as uow:
        account = uow.account_by_email(email.strip())
        right = deps.passwords.verify(account.password_hash, password) if account \
            else deps.passwords.verify_dummy(password)
        if account is not None and (account.disabled or not right):
            uow.audit(f"account:{account.id}", "account.sign_in_refused" if right else "account.sign_in_failed",
                      "account", account.id)
            uow.commit()
    if account is None or not right:
        throttle.failed(deps, keys)
        raise NotSignedIn("the email or password is not right", field="email")
    if account.disabled:
        raise Forbidden("this account is disabled: an admin of this site can enable it again", field="email")
    throttle.succeeded(deps, [key for key, _ in keys])  # the email's and the address's runs both end
    with deps.uow() as uow:
        token = new_token()
        uow.add_session(token_hash(token), account.id, deps.clock.now() + deps.limits.session_lifetime)
        uow.audit(f"account:{account.id}", "account.signed_in", "account", account.id)
        uow.commit()
    return token


def sign_out(deps: Deps, token: str) -> None:
    with deps.uow() as uow:
        uow.end_session(token_hash(token))
        uow.commit()


def from_session(deps: Deps, token: str) -> Principal | None:
    row = deps.read.session_principal(token_hash(token), deps.clock.now())
    if row is None:
        return None
    role = Role(row["role"])
    if role is Role.REPORTER and row["own_cases"]:
        role = Role.FAMILY
    return Principal(role=role, account_id=int(row["id"]), name=str(row["display_name"]),
                     own_cases=frozenset(row["own_cases"]), verified_cases=frozenset(row["verified_cases"]),
                     ended_cases=frozenset(row["ended_cases"]))


def from_api_token(deps: Deps, token: str) -> Principal | None:
    """The token's partner, or None for a token unknown or revoked. A token holds only while the account
    that issued its line still vouches for it (``staff.vouches``), read on every request: NotSignedIn
    once that account is disabled or no longer an admin's."""
    row = deps.read.token_principal(token_hash(token))
    if row is None:
        return None
    if row["issuer_account"] is not None and not staff.vouches(row["issuer_role"], row["issuer_disabled"]):
        raise NotSignedIn("this API token no longer works: the account that issued it is disabled or no longer an admin's; ask an admin for a new token")  # noqa: E501
    return Principal(role=Role.PARTNER, token_id=int(row["id"]), name=str(row["name"]),
                     scopes=frozenset(Scope(s) for s in row["scopes"]), domains=frozenset(row["allowed_domains"]))


def invite(deps: Deps, who: Principal, email: str, role: Role, key: idempotency.Key | None = None) -> str:
    """An invitation for a moderator, police officer or admin; the token goes in the link sent (a retry
    under the same ``key`` answers the same link: one invitation, not two)."""
    require(who, Permission.ADMINISTER)
    if (first := idempotency.earlier_secret(deps, key)) is not None:
        return first[1]
    if who.account_id is None:
        raise Forbidden("invitations are sent by an admin's account")
    if role not in INVITED_ROLES:
        raise InvalidInput("invitations are for moderators, police and admins", field="role")
    email = mailbox(email)
    token = new_token()
    with deps.uow() as uow:
        invitation = uow.add_invitation(token_hash(token), email, role.value, who.account_id,
                                        deps.clock.now() + deps.limits.invitation_lifetime)
        uow.audit(who.actor, "invitation.created", "invitation", invitation, role=role.value)
        if (won := idempotency.remember_secret(deps, uow, key, invitation, token)) is not None:
            return won[1]
        uow.commit()
    return token


def invitation(deps: Deps, token: str) -> dict[str, Any]:
    """Who an open invitation is for (email) and as what (role), before it is accepted."""
    found = deps.read.invitation(token_hash(token), deps.clock.now())
    if found is None:
        raise InvalidInput("this invitation is not valid: it was used, has expired, or the link is wrong",
                           field="token")
    _still_vouched(found["inviter_role"], found["inviter_disabled"])
    return found


def _still_vouched(inviter_role: str, inviter_disabled: bool) -> None:
    """An invitation holds only while the admin who sent it is enabled and still an admin."""
    if not staff.vouches(inviter_role, inviter_disabled):
        raise InvalidInput("this invitation no longer holds: the admin who sent it is disabled or no longer an admin; ask an admin for a new one", field="token")  # noqa: E501


def accept_invitation(deps: Deps, token: str, password: str, name: str, language: str = "en") -> int:
    with deps.uow() as uow:
        taken = uow.take_invitation(token_hash(token), deps.clock.now())
        if taken is None:
            raise InvalidInput("this invitation is not valid: it was used, has expired, or the link is wrong",
                               field="token")
        email, role, inviter = taken
        _still_vouched(inviter.role, inviter.disabled)
        email = _check(email, password)
        account_id = uow.add_account(email, bounded(name, TEXT_LIMITS["account_name"], "name"),
                                     deps.passwords.hash(password), role, language)
        uow.audit(f"account:{account_id}", "account.created", "account", account_id, role=role, invited=True)
        uow.commit()
    return account_id


def issue_token(deps: Deps, who: Principal, name: str, scopes: Sequence[Scope], domains: Sequence[str] = ()) -> str:
    """The secret of a new API token (``issue``), for the command line."""
    return issue(deps, who, name, scopes, domains)[1]


def issue(deps: Deps, who: Principal, name: str, scopes: Sequence[Scope], domains: Sequence[str] = (),
          key: idempotency.Key | None = None) -> tuple[int, str]:
    """A new API token for a partner organisation, with explicit scopes: its id and its secret, shown once
    and stored hashed. A retry under the same ``key`` answers the same token (kept sealed by the sender's
    key, which is not stored). The token holds while the account that issued it vouches for it.

    A token may issue tokens (an ``admin``-scoped integration provisioning its partners), but never an
    ``admin`` one: only an admin's account or the command line makes those. What a token issues is
    recorded as its own, and revoking a token revokes everything issued from it, down the line."""
    require(who, Permission.ADMINISTER)
    if (first := idempotency.earlier_secret(deps, key)) is not None:
        return first
    name = bounded(name, TEXT_LIMITS["token_name"], "name")
    if not name:
        raise InvalidInput("name the organisation the token is for", field="name")
    if not scopes:
        raise InvalidInput("choose at least one scope", field="scopes")
    if who.token_id is not None and Scope.ADMIN in scopes:
        raise Forbidden("a token cannot issue admin tokens: an admin's account can", field="scopes")
    domains = token_domains(domains)  # as record ids compare them: never one that could not match (probe s29 C9)
    token = new_token()
    with deps.uow() as uow:
        token_id = uow.add_api_token(name, token_hash(token), [s.value for s in scopes], domains, who.actor,
                                     issued_by=who.token_id)
        uow.audit(who.actor, "token.issued", "api_token", token_id, scopes=[s.value for s in scopes])
        if (won := idempotency.remember_secret(deps, uow, key, token_id, token)) is not None:
            return won
        uow.commit()
    return token_id, token


def revoke_token(deps: Deps, who: Principal, token_id: int, withdraw_reason: str | None = None) -> int:
    """Revoke a token and every token it issued, and end the alert subscriptions (webhooks) they made,
    in one transaction (404 for a token that does not exist; revoking one already revoked changes and
    records nothing). With ``withdraw_reason``, the cases they imported that nobody verified yet are
    withdrawn (rejected, audited with the reason: ``withdrawals``) in the same transaction; how many."""
    require(who, Permission.ADMINISTER)
    why = withdrawals.checked_reason(withdraw_reason) if withdraw_reason is not None else None
    withdrawn = 0
    with deps.uow() as uow:
        revoked = uow.revoke_api_token(token_id, deps.clock.now())
        if revoked is None:
            raise NotFound("token {id} does not exist", id=token_id)
        if revoked:
            made = subscriptions.end_made_by(deps, uow, who, [f"token:{i}" for i in revoked], "token revoked")
            if why is not None:
                withdrawn = withdrawals.withdraw_in(deps, uow, who, sorted(revoked), why)
            uow.audit(who.actor, "token.revoked", "api_token", token_id,
                      with_issued=sorted(set(revoked) - {token_id}), subscriptions_ended=made,
                      **({"cases_withdrawn": withdrawn, "reason": why} if why is not None else {}))
        uow.commit()
    return withdrawn


# the languages an account's emails are written in: the site's (``language_tags.LANGUAGES``, ``reach.LANGUAGES``)
EMAIL_LANGUAGES = ("en", "zh_CN", "zh_TW", "zh_HK")


def set_language(deps: Deps, who: Principal, language: str) -> bool:
    """The language of the signed-in account's emails (probe s33 G7: it was fixed when the account was made), from
    "My account" or the language switch; audited old → new. Whether it changed (the same again changes nothing).
    Refused for a language the site does not write (422) and for a reader with no account of their own: an API
    token, a visitor (401)."""
    if who.account_id is None or who.token_id is not None:
        raise NotSignedIn("sign in to choose the language of your emails")
    if language not in EMAIL_LANGUAGES:
        raise InvalidInput("{value} is not a language emails are written in: en, zh_CN, zh_TW or zh_HK",
                           field="language", value=language)
    with deps.uow() as uow:
        was = uow.set_account_language(who.account_id, language)
        if was is None or was == language:
            return False
        uow.audit(who.actor, "account.language_changed", "account", who.account_id, changed=[was, language])
        uow.commit()
    return True


def language_of(deps: Deps, who: Principal) -> str | None:
    """The language the signed-in account's emails are written in (None: no account of its own)."""
    if who.account_id is None or who.token_id is not None:
        return None
    with deps.uow() as uow:
        row = uow.account_by_id(who.account_id)
    return None if row is None else row.language
