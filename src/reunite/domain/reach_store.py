"""The part of the unit of work that reaches people outside: subscriptions, alerts and their deliveries, the
outbox (``ports.UnitOfWork`` combines it with the rest)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol


class ReachStore(Protocol):
    """Subscriptions, alerts, the outbox, and PFIF records, inside a unit of work."""

    def add_subscription(self, values: dict[str, Any]) -> int: ...

    def pending_subscription(self, values: dict[str, Any], same_region: Callable[[str], bool]
                             ) -> tuple[int, timedelta] | None:
        """An unconfirmed subscription of the same channel, address (without case) and area (the same point and
        radius; or a region ``same_region`` says is the one asked for: the same place however written): its id
        and how long ago its confirmation link was last asked for (its creation, or the last resend)."""
        ...

    def same_webhook(self, values: dict[str, Any], same_region: Callable[[str], bool]) -> int | None:
        """An active webhook the same maker made to the same receiver (``domain.reach.receiver``: an address
        written another way that reaches it), area (as ``pending_subscription`` compares it) and language: its
        id."""
        ...

    def set_subscription_secret(self, subscription_id: int, secret: str) -> None:
        """A webhook's new signing secret (the old one signs nothing more)."""
        ...

    def set_subscription_status(self, subscription_id: int, status: str, at: datetime) -> str | None:
        """Move a subscription to ``status`` (an ended one stays ended: nothing revives it); the status it
        had, or None if it does not exist."""
        ...

    def subscription(self, subscription_id: int) -> dict[str, Any] | None: ...

    def subscription_maker(self, created_by: str) -> dict[str, Any] | None:
        """The token (``token:N``: ``revoked``, ``scopes``, and the account that issued its line:
        ``issuer_account``, ``issuer_role``, ``issuer_disabled``) or account (``account:N``: ``role``,
        ``disabled``) that made a subscription, as it stands now; None if there is no such one."""
        ...

    def end_subscriptions(self, makers: Sequence[str], at: datetime, webhooks_only: bool = False) -> list[int]:
        """End the active and waiting subscriptions these makers (``token:N``, ``account:N``) made and still
        control (only their webhooks with ``webhooks_only``): never an active email subscription, which its
        address's owner confirmed and owns; their ids."""
        ...

    def subscriptions_listed(self, made_by: str | None, subscription_id: int | None = None) -> list[dict[str, Any]]:
        """Subscriptions, newest first, without their secrets, each with ``made_by_name`` (the token's name
        or the account's email): those ``made_by`` made, or with None every webhook and every subscription
        a token or account made; only ``subscription_id`` when given."""
        ...

    def region_subscriptions(self) -> list[tuple[int, str]]:
        """Every active subscription by region: (id, region)."""
        ...

    def alert_subscribers(self, case_id: int, radius_km: float, by_region: list[int]) -> list[tuple[int, bool]]:
        """Record an alert for every active subscriber whose area meets the circle of ``radius_km``
        around the case's last known place, and for the subscriptions ``by_region`` (whose region
        includes the city the public reads of the case, never the family's own words), once per case
        and subscriber; the new alerts' ids, each with whether its subscriber wants a daily digest."""
        ...

    def alert(self, alert_id: int) -> dict[str, Any]: ...

    def webhook_alerts_tried(self, case_id: int) -> list[int]:
        """The case's alerts to webhooks that were sent or are being sent (those told when it ends)."""
        ...

    def ended_alerts(self, subscription_id: int, limit: int, offset: int) -> list[dict[str, Any]]:
        """The subscription's alerts sent (or being sent) whose case is no longer active (ended, or held back),
        newest alert first: each ``alert_id`` as receivers read it (opaque) and ``case_id``."""
        ...

    def alerts_told_ended(self, case_id: int) -> list[int]:
        """The case's alerts whose webhook or email subscriber was told it ended (``case.ended``, the email that the
        appeal ended) and not yet that it is back."""
        ...

    def end_email_alerts(self, case_id: int) -> list[int]:
        """The case's alerts emailed to a subscription still active and never told the case ended, marked told
        now (``ended_at``, the database's clock) in the caller's transaction: each is told once, however often
        the case ends (a case ended, reopened and ended again tells nobody twice)."""

    def mark_alert_tried(self, alert_id: int, at: datetime) -> None:
        """The alert's first delivery begins now (kept when it was tried before)."""
        ...

    def mark_alert_sent(self, alert_id: int, at: datetime) -> None: ...

    def mark_alert_ended(self, alert_id: int, at: datetime | None) -> None:
        """When the alert's webhook was told its case ended; None once told it is active again."""
        ...

    def digest_due(self, since: datetime) -> list[dict[str, Any]]:
        """Digest subscribers with unsent alerts since ``since``: subscription fields + ``alert_ids``."""
        ...

    def add_outbox(self, channel: str, recipient: str, kind: str) -> int: ...

    def outbox_done(self, outbox_id: int, status: str, subject: str, error: str, at: datetime) -> None: ...

    def owner_emails(self, case_id: int) -> list[tuple[str, str]]:
        """(email, language) of the accounts that own a case."""
        ...

    def reviewer_emails(self) -> list[tuple[str, str]]: ...
