"""A forgotten password reset through a link sent by email, and a password changed by its owner.

Asking for a link gives everyone the same answer at the same cost (a job does the look-up and the
mailing), so that it never says whether an address has an account. The link carries the account, an
expiry and a fingerprint of the current password's hash, signed with the site's key: it works once
(the new password changes the fingerprint) and for an hour. A new password (Argon2id) signs the
account out everywhere else."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta

from reunite.domain.abuse import new_token, sign, signature_valid, token_hash
from reunite.domain.access import Principal
from reunite.domain.errors import InvalidInput, NotSignedIn
from reunite.domain.ports import UnitOfWork
from reunite.domain.stores import AccountRow
from reunite.services import accounts, idempotency, reach, signup, throttle
from reunite.services.deps import Deps

LINK_LIFETIME = timedelta(hours=1)
CHANGES_PER_HOUR = 10  # tries of the current password on /account, per account
PURPOSE = "password-reset"


def start(deps: Deps, email: str, language: str, ip: str, key: idempotency.Key | None = None) -> None:
    """Ask for a link: the same answer (nothing) whether the email has an account or not."""
    signup.ask_for_link(deps, "reset", "accounts.reset_link", email, language, ip, key)


def send_link(deps: Deps, email: str, language: str) -> None:
    """The job behind ``start``: a link for an account that exists and is not disabled; else nothing."""
    with deps.uow() as uow:
        account = uow.account_by_email(email)
    if account is None or account.disabled:
        return
    link = f"{deps.site.base_url}/reset/{link_token(deps, account)}"
    reach.send_email(deps, account.email, "reset_password", account.language or language, {"link": link})


def _fingerprint(deps: Deps, account: AccountRow) -> str:
    return sign(deps.secret, f"{PURPOSE}:state", account.password_hash)[:16]


def link_token(deps: Deps, account: AccountRow) -> str:
    expires = int((deps.clock.now() + LINK_LIFETIME).timestamp())
    raw = f"{expires}:{account.id}:{_fingerprint(deps, account)}"
    payload = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    return f"{payload}.{sign(deps.secret, PURPOSE, payload)}"


def _account_of(deps: Deps, uow: UnitOfWork, token: str) -> AccountRow:
    """The account a link is for (its row locked); 422 for a link used, expired, altered or cut short."""
    payload, _, signature = token.partition(".")
    try:
        if not signature_valid(deps.secret, PURPOSE, payload, signature):
            raise ValueError
        expires, account_id, fingerprint = base64.urlsafe_b64decode(
            payload + "=" * (-len(payload) % 4)).decode().split(":")
        if datetime.fromtimestamp(int(expires), tz=UTC) < deps.clock.now():
            raise ValueError
        account = uow.account_by_id(int(account_id))
        if account is None or account.disabled or fingerprint != _fingerprint(deps, account):
            raise ValueError
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("this link is not valid: it was used already, has expired or was copied incompletely",
                           field="token") from None
    return account


def email_of(deps: Deps, token: str) -> str:
    """The address of the account a link is for (to show on the form); 422 for a link not valid."""
    with deps.uow() as uow:
        return _account_of(deps, uow, token).email


def finish(deps: Deps, token: str, password: str, ip: str, key: idempotency.Key | None = None) -> str:
    """Set the new password, sign out every session of the account and sign in here; the new session.
    The form sent again under its key (a double tap) signs in with the session the first made."""
    if (again := idempotency.earlier_secret(deps, key)) is not None:
        return again[1]
    throttle.hit(deps, f"reset-finish:ip:{ip}", deps.limits.sign_ups_per_hour)  # each try hashes a password
    session = new_token()
    with deps.uow() as uow:
        if (won := idempotency.remember_secret(deps, uow, key, 0, session)) is not None:
            return won[1]  # a twin sent at once made the change
        account = _account_of(deps, uow, token)
        accounts.check_password(password)
        uow.set_password(account.id, deps.passwords.hash(password))
        ended = uow.end_sessions(account.id)
        uow.add_session(token_hash(session), account.id, deps.clock.now() + deps.limits.session_lifetime)
        uow.audit(f"account:{account.id}", "account.password_reset", "account", account.id, sessions_ended=ended)
        uow.commit()
    return session


def change_password(deps: Deps, who: Principal, session: str, current: str, new: str,
                    key: idempotency.Key | None = None) -> int:
    """The signed-in owner changes the password (the current one is asked); every other session of the
    account is signed out. How many were. The form sent again under its key is the change made once."""
    if who.account_id is None:
        raise NotSignedIn("sign in to change your password")
    if idempotency.done(deps, key):
        return 0
    throttle.hit(deps, f"password-change:{who.account_id}", CHANGES_PER_HOUR)
    accounts.check_password(new)
    with deps.uow() as uow:
        if not idempotency.first(uow, key):
            return 0
        account = uow.account_by_id(who.account_id)
        if account is None or not deps.passwords.verify(account.password_hash, current):
            raise InvalidInput("the current password is not right", field="current")
        uow.set_password(account.id, deps.passwords.hash(new))
        ended = uow.end_sessions(account.id, keep=token_hash(session))
        uow.audit(who.actor, "account.password_changed", "account", account.id, sessions_ended=ended)
        uow.commit()
    return ended
