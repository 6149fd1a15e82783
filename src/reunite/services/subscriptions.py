"""Alert subscriptions as the rights behind them stand now (probe s18 R4). A subscription a partner's
token or an account made holds only while that token or account may still make it: a webhook needs
the webhooks scope or an admin's account, anything a revoked token or a disabled account made ends.
Both ways: revoking a token, disabling an account or making it anything but an admin's ends what it
made in that same transaction (``end_made_by``), and every delivery checks again (``stands``), so
that nothing made before, nor by a change made another way, is delivered. Admins list and end every
webhook and every subscription a token or account made; a token or account lists and ends its own.
A subscription the public made by email stands for as long as its address's owner keeps it (the
confirmation link, and the one-click unsubscribe link in every email), and so does one a token or an
account asked for once the address's owner has confirmed it (probe s19 S1: double opt-in makes it the
owner's, ``owned``): its maker losing rights ends only what the maker still controls, its webhooks and
the email subscriptions nobody has confirmed yet."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reunite.domain import staff
from reunite.domain.abuse import new_token
from reunite.domain.access import Permission, Principal, Role, Scope
from reunite.domain.errors import Conflict, Forbidden, NotFound, NotSignedIn
from reunite.domain.ports import UnitOfWork
from reunite.services import idempotency
from reunite.services.deps import Deps
from reunite.services.queries import audit_read

LIVE = ("active", "pending")  # what ending a subscription ends; "unsubscribed", "ended" are over
SCOPES = frozenset(s.value for s in Scope)


def owned(channel: str, status: str) -> bool:
    """Whether a subscription belongs to its address's owner rather than to whoever asked for it: an email
    subscription the owner confirmed (only the confirmation link sent to that address makes one active)."""
    return channel == "email" and status == "active"


def stands(uow: UnitOfWork, created_by: str, channel: str, status: str = "") -> bool:
    """Whether a subscription still stands: one its address's owner confirmed (``owned``) always does;
    otherwise whoever made it may still make it: a token not revoked whose line an admin still vouches for
    (``staff.vouches``), or an enabled account; for a webhook, one that may subscribe webhooks (the webhooks
    scope, an admin's). The public and the command line lose no right."""
    if owned(channel, status):
        return True
    kind, _, number = created_by.partition(":")
    if kind not in ("token", "account") or not number.isdigit():
        return True
    found = uow.subscription_maker(created_by)
    if found is None:
        return False
    if kind == "token":
        if found["revoked"] or (found["issuer_account"] is not None
                                and not staff.vouches(found["issuer_role"], found["issuer_disabled"])):
            return False
        maker = Principal(role=Role.PARTNER, token_id=int(number),
                          scopes=frozenset(Scope(s) for s in found["scopes"] if s in SCOPES))
    else:
        if found["disabled"] or found["role"] not in {r.value for r in Role}:
            return False
        maker = Principal(role=Role(found["role"]), account_id=int(number))
    return channel != "webhook" or maker.can(Permission.SUBSCRIBE_WEBHOOKS)


def end_made_by(deps: Deps, uow: UnitOfWork, who: Principal, makers: Sequence[str], why: str,
                webhooks_only: bool = False) -> int:
    """End, in the caller's transaction, what these makers made and still control (a token revoked, an
    account disabled; only webhooks for an admin no more): never an email subscription its address's owner
    confirmed (``owned``). Each ending audited under its subscription; how many."""
    ended = uow.end_subscriptions(makers, deps.clock.now(), webhooks_only)
    for subscription_id in ended:
        uow.audit(who.actor, "subscription.ended", "subscription", subscription_id, why=why)
    return len(ended)


def void(deps: Deps, uow: UnitOfWork, subscription_id: int) -> None:
    """A delivery found its subscription's maker without the right any more: it ends here, audited."""
    if uow.set_subscription_status(subscription_id, "ended", deps.clock.now()) in LIVE:
        uow.audit("system", "subscription.ended", "subscription", subscription_id,
                  why="whoever made it may no longer make it")


def _asker(who: Principal) -> str | None:
    """Whose subscriptions ``who`` reads and ends: None for an admin (all those listed to admins), else
    its own (a token's, an account's); anyone else is asked to sign in."""
    if who.can(Permission.ADMINISTER):
        return None
    if not who.signed_in:
        raise NotSignedIn("send the API token that made the subscriptions, or sign in")
    return who.actor


def _shown(uow: UnitOfWork, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    makers: dict[tuple[str, str, str], bool] = {}
    for row in rows:
        key = (str(row["created_by"]), str(row["channel"]), str(row["status"]))
        if key not in makers:
            makers[key] = stands(uow, *key)
        live = row["status"] in LIVE
        row["working"] = row["status"] == "active" and makers[key]
        row["void"] = live and not makers[key]  # ends at its next delivery
    return rows


def listed(deps: Deps, who: Principal) -> list[dict[str, Any]]:
    """The subscriptions ``who`` may read (``_asker``), newest first, each saying whether it works now;
    never a webhook's secret. Audited, with the ids shown."""
    made_by = _asker(who)
    with deps.uow() as uow:
        rows = _shown(uow, uow.subscriptions_listed(made_by))
    audit_read(deps, who, "subscriptions.listed", "subscription", 0, ids=[r["id"] for r in rows],
               own=made_by is not None)
    return rows


def one(deps: Deps, who: Principal, subscription_id: int) -> dict[str, Any]:
    """One subscription as in ``listed``; 404 for one that does not exist or is another's."""
    made_by = _asker(who)
    with deps.uow() as uow:
        rows = _shown(uow, uow.subscriptions_listed(made_by, subscription_id))
    if not rows:
        raise NotFound("subscription {id} does not exist", id=subscription_id)
    audit_read(deps, who, "subscription.viewed", "subscription", subscription_id)
    return rows[0]


def end(deps: Deps, who: Principal, subscription_id: int) -> bool:
    """End a subscription now (an admin's, or its maker's own): no alert is sent to it any more, and it
    cannot be confirmed again. Ending one that has ended already (ended, unsubscribed: a retry, a double
    click) changes and records nothing; 404 for one that does not exist or is another's. Whether anything
    changed."""
    made_by = _asker(who)
    with deps.uow() as uow:
        if not uow.subscriptions_listed(made_by, subscription_id):
            raise NotFound("subscription {id} does not exist", id=subscription_id)
        was = uow.set_subscription_status(subscription_id, "ended", deps.clock.now())  # locked: one ending
        if was not in LIVE:
            return False
        uow.audit(who.actor, "subscription.ended", "subscription", subscription_id,
                  why="ended by its maker" if made_by else "ended by an admin")
        uow.commit()
    return True


def new_secret(deps: Deps, who: Principal, subscription_id: int, key: idempotency.Key | None = None) -> tuple[int, str]:
    """A new signing secret for a webhook this token or account made (an admin: any), shown in this answer only
    (a retry under the same ``key`` answers it again, sealed by that key meanwhile): the old one signs nothing
    more, deliveries retried included (each is signed as it goes). The way to a secret once its first answer
    is lost, or leaked: a webhook asked for again is answered without it (probe s29 C10). Audited
    (``subscription.secret_replaced``); 404 for another's, 409 for an email subscription or one that ended."""
    if (first := idempotency.earlier_secret(deps, key)) is not None:
        return first
    made_by = _asker(who)
    if not who.can(Permission.SUBSCRIBE_WEBHOOKS):
        raise Forbidden("webhooks are for partner organisations with a token of the webhooks scope")
    with deps.uow() as uow:
        uow.one_at_a_time(f"subscription-secret:{subscription_id}")
        rows = uow.subscriptions_listed(made_by, subscription_id)
        if not rows:
            raise NotFound("subscription {id} does not exist", id=subscription_id)
        if rows[0]["channel"] != "webhook":
            raise Conflict("only a webhook has a secret: email alerts are confirmed through their link")
        if rows[0]["status"] != "active":
            raise Conflict("this webhook has ended: subscribe again for a new one")
        secret = new_token()
        uow.set_subscription_secret(subscription_id, secret)
        uow.audit(who.actor, "subscription.secret_replaced", "subscription", subscription_id)
        if (won := idempotency.remember_secret(deps, uow, key, subscription_id, secret)) is not None:
            return won
        uow.commit()
    return subscription_id, secret


def ended_alerts(deps: Deps, who: Principal, subscription_id: int, limit: int, offset: int) -> list[dict[str, Any]]:
    """What a receiver that was down catches up with (probe s29 C4): the alerts this subscription was sent (or
    was being sent) whose case is no longer active, for ``case.ended`` it may have missed, newest first; each
    as ``case.ended`` names it (``alert_id``, the case's id), never how or when it ended. For the token or
    account that made the subscription (an admin: any); 404 for another's. Audited, with the cases listed."""
    made_by = _asker(who)
    with deps.uow() as uow:
        if not uow.subscriptions_listed(made_by, subscription_id):
            raise NotFound("subscription {id} does not exist", id=subscription_id)
        rows = uow.ended_alerts(subscription_id, limit, offset)
    audit_read(deps, who, "subscription.ended_listed", "subscription", subscription_id,
               cases=[r["case_id"] for r in rows])
    return [{"alert_id": r["alert_id"], "case": {"id": r["case_id"]}} for r in rows]
