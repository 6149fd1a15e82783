"""Making an account through a link sent by email, so that the answer to a sign-up never says
whether an address already has an account.

Anyone asking gets the same page ("a link is on its way"), at the same cost (no password is hashed
yet). Behind it, a job emails either a link to finish the account (a new address) or a note that the
address already has one, with the sign-in link (an existing account: its owner learns someone tried).
The link carries the address and an expiry, signed with the site's key; nothing is stored until the
person opens it, chooses a password and their name."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta

from reunite.domain.abuse import sign, signature_valid, token_hash
from reunite.domain.errors import InvalidInput
from reunite.domain.mailboxes import mailbox, mailbox_key
from reunite.services import accounts, idempotency, reach, throttle
from reunite.services.deps import Deps

LINK_LIFETIME = timedelta(days=1)
REQUESTS_PER_ADDRESS = 3  # an hour, per email address: nobody is flooded with links
ASKED_AGAIN_WITHIN = timedelta(minutes=1)  # the same link asked for this soon is a double click or a retry


def start(deps: Deps, email: str, language: str, ip: str, key: idempotency.Key | None = None) -> None:
    """Ask for an account: the same answer (nothing) whether the email has an account or not."""
    ask_for_link(deps, "sign-up", "accounts.sign_up_link", email, language, ip, key)


def ask_for_link(deps: Deps, purpose: str, job: str, email: str, language: str, ip: str,
                 key: idempotency.Key | None = None) -> None:
    """A link by email, asked for on a page: the address checked, both the asker's address and the email
    rate-limited, and the look-up left to ``job`` so that the answer (nothing) never says whether an
    account exists. The same request again (under the form's ``key``, or for the same address within
    a minute: a double click, a retry) sends nothing more and is not counted against the limits."""
    email = mailbox(email)  # one mailbox, written plainly: its limit counts it, whatever the spelling
    asked = token_hash(f"asked\n{purpose}\n{mailbox_key(email)}")
    with deps.uow() as uow:
        again = uow.remembered_result(asked, within=ASKED_AGAIN_WITHIN) is not None
    if again or idempotency.earlier(deps, key) is not None:
        return
    throttle.hit(deps, f"{purpose}:ip:{ip}", deps.limits.sign_ups_per_hour)
    throttle.hit(deps, f"{purpose}:email:{token_hash(mailbox_key(email))}", REQUESTS_PER_ADDRESS)
    with deps.uow() as uow:  # a copy sent at the same moment finds the other's mark, after waiting for it
        if uow.remember_result(asked, {}, replacing_older_than=ASKED_AGAIN_WITHIN) and \
                idempotency.remember(uow, key, {}) is None:
            uow.enqueue(job, email=email, language=language)
            uow.commit()


def send_link(deps: Deps, email: str, language: str) -> None:
    """The job behind ``start``: the link to finish, or the note that an account exists."""
    with deps.uow() as uow:
        exists = uow.account_by_email(email) is not None
    base = deps.site.base_url
    if exists:
        reach.send_email(deps, email, "account_exists", language, {"login_url": f"{base}/login"})
    else:
        reach.send_email(deps, email, "confirm_sign_up", language, {"link": f"{base}/signup/{link_token(deps, email)}"})


def link_token(deps: Deps, email: str) -> str:
    expires = int((deps.clock.now() + LINK_LIFETIME).timestamp())
    payload = base64.urlsafe_b64encode(f"{expires}:{email}".encode()).decode().rstrip("=")
    return f"{payload}.{sign(deps.secret, 'sign-up', payload)}"


def email_of(deps: Deps, token: str) -> str:
    """The address a link was sent to; 422 for a link that was altered, cut short or has expired."""
    payload, _, signature = token.partition(".")
    try:
        if not signature_valid(deps.secret, "sign-up", payload, signature):
            raise ValueError
        expires, _, email = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode().partition(":")
        if datetime.fromtimestamp(int(expires), tz=UTC) < deps.clock.now():
            raise ValueError
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("this link is not valid: it has expired or was copied incompletely", field="token") \
            from None
    return email


def finish(deps: Deps, token: str, password: str, name: str, language: str, ip: str) -> str:
    """Make the account the link was sent for and sign in; the new session's token."""
    email = email_of(deps, token)
    throttle.hit(deps, f"sign-up-finish:ip:{ip}", deps.limits.sign_ups_per_hour)  # each try hashes a password
    accounts.sign_up(deps, email, password, name, language)
    return accounts.sign_in(deps, email, password, ip)
