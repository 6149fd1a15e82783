"""The rights a request was granted when it began, checked again in the transaction that writes (probe s34 H3: a token
revoked while its 900-person import ran still registered everything, after "withdraw its imports" had answered 0).

A request is authorised once, when it arrives (``accounts.from_api_token``, ``accounts.from_session``); a long one
(an import) writes seconds later. Its write transaction reads its token's row (or its account's) again, locked
``FOR SHARE`` until the commit, as the first thing it does: a revocation (which locks the row ``FOR UPDATE``), a
disabled account or a changed role then either waits for the write to commit (and what the token wrote is there to
withdraw) or is committed first, and the write is refused (401 or 403) with nothing written."""

from __future__ import annotations

from dataclasses import replace

from reunite.domain.access import Permission, Principal, Role, require
from reunite.domain.errors import NotSignedIn
from reunite.domain.ports import UnitOfWork


def still_held(uow: UnitOfWork, who: Principal, permission: Permission) -> None:
    """Refuse (nothing written: the caller's transaction rolls back) a write by a token revoked, or an account disabled
    or no longer granted ``permission``, since the request began; else the token's or account's row stays locked
    (shared) until the commit. The command line's operator and anonymous senders hold nothing to revoke, nor does a
    principal no row names (rows are never deleted: one made up by a caller in-process)."""
    if who.token_id is not None and not uow.token_holds(who.token_id):
        raise NotSignedIn("this API token was revoked while the request ran: nothing was written")
    if who.account_id is None or (held := uow.account_holds(who.account_id)) is None:
        return
    role, enabled = held
    if not enabled:
        raise NotSignedIn("your account was disabled while the request ran: nothing was written")
    if not (role == Role.REPORTER.value and who.role is Role.FAMILY):  # a reporter with cases is their family
        require(replace(who, role=Role(role)), permission)
