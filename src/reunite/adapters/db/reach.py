"""SQL for alerts, subscriptions and the outbox (mixed into the unit of work), and the read side of
feeds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, text, update

from reunite.adapters.db.case_faces import poster_photo
from reunite.adapters.db.people_tables import accounts, alerts, case_owners, outbox, subscriptions
from reunite.adapters.db.tables import audit_log
from reunite.domain.access import PLACE_GRID_DEG
from reunite.domain.reach import receiver

# Subscribers whose area meets the alert circle: the index narrows by a box as wide as the alert
# radius plus the largest subscriber radius; the exact distance test follows. Region subscribers
# come chosen (``services.reach``: the gazetteer places the city the public reads of the case,
# ``PlaceNames.city``, in their region; never the family's own words). Subscribers are
# the public and partners, who see where a child was last seen to its grid cell only
# (``domain.access.case_view``): the circle, and the distance the alert tells, are centred on the
# cell's centre (as ``access.coarse_point``).
ALERT_SQL = """
WITH c AS (SELECT id, least(floor(last_seen_lat / :grid) * :grid + :grid / 2, 90) AS lat,
                  least(floor(last_seen_lon / :grid) * :grid + :grid / 2, 180) AS lon
           FROM cases WHERE id = :case_id),
reach AS (SELECT coalesce(max(radius_km), 0) AS widest FROM subscriptions WHERE status = 'active'),
found AS (
  SELECT s.id, earth_distance(ll_to_earth(c.lat, c.lon), ll_to_earth(s.lat, s.lon)) / 1000 AS km
  FROM subscriptions s, c, reach
  WHERE s.status = 'active' AND s.lat IS NOT NULL AND c.lat IS NOT NULL
    AND earth_box(ll_to_earth(c.lat, c.lon), (:radius + reach.widest) * 1000) @> ll_to_earth(s.lat, s.lon)
    AND earth_distance(ll_to_earth(c.lat, c.lon), ll_to_earth(s.lat, s.lon)) <= (:radius + s.radius_km) * 1000
  UNION
  SELECT s.id, NULL FROM subscriptions s
  WHERE s.status = 'active' AND s.id = ANY(CAST(:by_region AS bigint[]))
)
INSERT INTO alerts (case_id, subscription_id, radius_km, distance_km)
SELECT :case_id, found.id, :radius, min(found.km) FROM found GROUP BY found.id
ON CONFLICT (case_id, subscription_id) DO NOTHING
RETURNING id, (SELECT digest FROM subscriptions WHERE subscriptions.id = alerts.subscription_id)
"""
POINT = ("lat", "lon", "radius_km")  # what makes two subscriptions of one address around a point the same


def _same_area(values: dict[str, Any]) -> list[Any]:
    """SQL's part of "the same area": around a point, the same point and radius and no region; for a region, no
    point, and a region (which one, the gazetteer tells: ``services.reach``; its radius is not read)."""
    if values["region"]:
        return [subscriptions.c.lat.is_(None), subscriptions.c.lon.is_(None), subscriptions.c.region != ""]
    return [*(subscriptions.c[name].is_not_distinct_from(values[name]) for name in POINT),
            subscriptions.c.region == ""]


class ReachSql:
    conn: Connection

    def add_subscription(self, values: dict[str, Any]) -> int:
        return int(self.conn.execute(insert(subscriptions).values(**values).returning(subscriptions.c.id))
                   .scalar_one())

    def pending_subscription(self, values: dict[str, Any], same_region: Callable[[str], bool]
                             ) -> tuple[int, timedelta] | None:
        rows = self.conn.execute(
            select(subscriptions.c.id, subscriptions.c.region).where(
                subscriptions.c.status == "pending", subscriptions.c.channel == values["channel"],
                func.lower(subscriptions.c.address) == str(values["address"]).lower(), *_same_area(values))
            .order_by(subscriptions.c.id)).all()
        found = next((int(row.id) for row in rows if same_region(str(row.region))), None)
        if found is None:
            return None
        asked = self.conn.execute(select(func.now() - func.max(audit_log.c.at)).where(  # its link last sent
            audit_log.c.subject == "subscription", audit_log.c.subject_id == found,
            audit_log.c.action.in_(["subscription.created", "subscription.confirmation_resent"]),
            ~audit_log.c.detail.has_key("confirmation_held"))).scalar()
        return int(found), asked if isinstance(asked, timedelta) else timedelta.max

    def same_webhook(self, values: dict[str, Any], same_region: Callable[[str], bool]) -> int | None:
        """The maker's active webhook for this area and language that reaches the same receiver (``receiver``:
        ``HTTP://Host:80/hook/`` is ``http://host/hook``, probe s22 V3), the first made; None if none."""
        wanted = receiver(str(values["address"]))
        made = self.conn.execute(
            select(subscriptions.c.id, subscriptions.c.address, subscriptions.c.region).where(
                subscriptions.c.status == "active", subscriptions.c.channel == "webhook",
                subscriptions.c.created_by == values["created_by"],
                subscriptions.c.language == values["language"], *_same_area(values))
            .order_by(subscriptions.c.created_at, subscriptions.c.id)).all()
        return next((int(row.id) for row in made
                     if receiver(str(row.address)) == wanted and same_region(str(row.region))), None)

    def set_subscription_secret(self, subscription_id: int, secret: str) -> None:
        self.conn.execute(update(subscriptions).where(subscriptions.c.id == subscription_id).values(secret=secret))

    def set_subscription_status(self, subscription_id: int, status: str, at: datetime) -> str | None:
        this = subscriptions.c.id == subscription_id
        was = self.conn.execute(select(subscriptions.c.status).where(this).with_for_update()).scalar()
        if was is None:
            return None
        if was not in (status, "ended"):
            stamp = {"active": {"confirmed_at": at}}.get(status, {"unsubscribed_at": at})
            self.conn.execute(update(subscriptions).where(this).values(status=status, **stamp))
        return str(was)

    def subscription_maker(self, created_by: str) -> dict[str, Any] | None:
        kind, _, number = created_by.partition(":")
        if not number.isdigit():
            return None
        if kind == "account":
            found = self.conn.execute(select(accounts.c.role, accounts.c.disabled_at.is_not(None).label("disabled"))
                                      .where(accounts.c.id == int(number))).mappings().first()
            return dict(found) if found else None
        if kind != "token":
            return None
        found = self.conn.execute(text(  # up the token's line to its first, and the account that issued that
            "WITH RECURSIVE up(id, issued_by, created_by) AS (SELECT id, issued_by, created_by FROM api_tokens "
            "  WHERE id = :id UNION ALL "
            "  SELECT p.id, p.issued_by, p.created_by FROM api_tokens p JOIN up ON p.id = up.issued_by) "
            "SELECT t.revoked_at IS NOT NULL AS revoked, t.scopes, a.id AS issuer_account, a.role AS issuer_role, "
            "a.disabled_at IS NOT NULL AS issuer_disabled FROM api_tokens t JOIN up r ON r.issued_by IS NULL "
            "LEFT JOIN accounts a ON r.created_by = 'account:' || a.id WHERE t.id = :id"),
            {"id": int(number)}).mappings().first()
        return dict(found) if found else None

    def end_subscriptions(self, makers: Sequence[str], at: datetime, webhooks_only: bool = False) -> list[int]:
        if not makers:
            return []
        ending = update(subscriptions).where(subscriptions.c.created_by.in_(list(makers)),
                                             subscriptions.c.status.in_(["active", "pending"]))
        if webhooks_only:
            ending = ending.where(subscriptions.c.channel == "webhook")
        else:  # an email subscription its address's owner confirmed is the owner's (probe s19 S1)
            ending = ending.where(or_(subscriptions.c.channel != "email", subscriptions.c.status != "active"))
        ended = self.conn.execute(ending.values(status="ended", unsubscribed_at=at).returning(subscriptions.c.id))
        return [int(i) for i in ended.scalars()]

    def subscriptions_listed(self, made_by: str | None, subscription_id: int | None = None) -> list[dict[str, Any]]:
        params: dict[str, object] = {}
        if subscription_id is not None:
            which, params = "s.id = :id", {"id": subscription_id}
        else:
            which = "s.channel = 'webhook' OR s.created_by LIKE 'token:%' OR s.created_by LIKE 'account:%'"
        if made_by is not None:
            which, params = f"({which}) AND s.created_by = :by", params | {"by": made_by}
        rows = self.conn.execute(text(
            "SELECT s.id, s.channel, s.address, s.lat, s.lon, s.radius_km, s.region, s.language, s.digest, "
            "s.status, s.created_by, s.created_at, s.confirmed_at, s.unsubscribed_at AS ended_at, "
            "coalesce(t.name, a.email, '') AS made_by_name FROM subscriptions s "
            "LEFT JOIN api_tokens t ON s.created_by = 'token:' || t.id "
            f"LEFT JOIN accounts a ON s.created_by = 'account:' || a.id WHERE {which} "
            "ORDER BY s.created_at DESC, s.id DESC LIMIT 500"), params)
        return [dict(r._mapping) for r in rows]

    def subscription(self, subscription_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(select(subscriptions).where(subscriptions.c.id == subscription_id)).first()
        return dict(row._mapping) if row else None

    def region_subscriptions(self) -> list[tuple[int, str]]:
        rows = self.conn.execute(select(subscriptions.c.id, subscriptions.c.region).where(
            subscriptions.c.status == "active", subscriptions.c.region != ""))
        return [(int(r.id), str(r.region)) for r in rows]

    def alert_subscribers(self, case_id: int, radius_km: float, by_region: list[int]) -> list[tuple[int, bool]]:
        rows = self.conn.execute(text(ALERT_SQL), {"case_id": case_id, "radius": radius_km, "grid": PLACE_GRID_DEG,
                                                   "by_region": by_region})
        return [(int(r[0]), bool(r[1])) for r in rows]

    def alert(self, alert_id: int) -> dict[str, Any]:
        row = self.conn.execute(
            select(alerts.c.id, alerts.c.case_id, alerts.c.distance_km, alerts.c.sent_at, alerts.c.ended_at,
                   # what receivers read: the id through the keyed permutation (0027), never the counter
                   func.reunite_permute("alerts", alerts.c.id).label("public_id"),
                   subscriptions.c.id.label("subscription_id"), subscriptions.c.channel, subscriptions.c.address,
                   subscriptions.c.language, subscriptions.c.secret, subscriptions.c.status,
                   subscriptions.c.created_by)
            .join(subscriptions, subscriptions.c.id == alerts.c.subscription_id).where(alerts.c.id == alert_id)
        ).one()
        return dict(row._mapping)

    def webhook_alerts_tried(self, case_id: int) -> list[int]:
        return [int(i) for i in self.conn.execute(
            select(alerts.c.id).join(subscriptions, subscriptions.c.id == alerts.c.subscription_id)
            .where(alerts.c.case_id == case_id, or_(alerts.c.tried_at.is_not(None), alerts.c.sent_at.is_not(None)),
                   subscriptions.c.channel == "webhook")
        ).scalars()]

    def ended_alerts(self, subscription_id: int, limit: int, offset: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(text(
            "SELECT reunite_permute('alerts', a.id) AS alert_id, a.case_id FROM alerts a "
            "JOIN cases c ON c.id = a.case_id WHERE a.subscription_id = :id "
            "AND (a.tried_at IS NOT NULL OR a.sent_at IS NOT NULL) "
            "AND NOT (c.status = 'open' AND c.verified_at IS NOT NULL) "
            "ORDER BY a.id DESC LIMIT :limit OFFSET :offset"),
            {"id": subscription_id, "limit": limit, "offset": offset})
        return [{"alert_id": int(r.alert_id), "case_id": int(r.case_id)} for r in rows]

    def alerts_told_ended(self, case_id: int) -> list[int]:
        return [int(i) for i in self.conn.execute(
            select(alerts.c.id).where(alerts.c.case_id == case_id, alerts.c.ended_at.is_not(None)).order_by(alerts.c.id)
        ).scalars()]

    def end_email_alerts(self, case_id: int) -> list[int]:
        told = self.conn.execute(
            update(alerts).where(
                alerts.c.case_id == case_id, alerts.c.sent_at.is_not(None), alerts.c.ended_at.is_(None),
                alerts.c.subscription_id.in_(select(subscriptions.c.id).where(
                    subscriptions.c.channel == "email", subscriptions.c.status == "active")))
            .values(ended_at=func.now()).returning(alerts.c.id))
        return sorted(int(i) for i in told.scalars())

    def mark_alert_tried(self, alert_id: int, at: datetime) -> None:
        self.conn.execute(update(alerts).where(alerts.c.id == alert_id, alerts.c.tried_at.is_(None))
                          .values(tried_at=at))

    def mark_alert_sent(self, alert_id: int, at: datetime) -> None:
        self.conn.execute(update(alerts).where(alerts.c.id == alert_id).values(sent_at=at))

    def mark_alert_ended(self, alert_id: int, at: datetime | None) -> None:
        self.conn.execute(update(alerts).where(alerts.c.id == alert_id).values(ended_at=at))

    def digest_due(self, since: datetime) -> list[dict[str, Any]]:
        rows = self.conn.execute(text(
            "SELECT s.id, s.address, s.language, s.created_by, array_agg(a.id ORDER BY a.id) AS alert_ids "
            "FROM alerts a JOIN subscriptions s ON s.id = a.subscription_id "
            "WHERE s.digest AND s.status = 'active' AND s.channel = 'email' AND a.sent_at IS NULL "
            "AND a.created_at >= :since GROUP BY s.id"), {"since": since})
        return [dict(r._mapping) for r in rows]

    def add_outbox(self, channel: str, recipient: str, kind: str) -> int:
        return int(self.conn.execute(insert(outbox).values(channel=channel, recipient=recipient, kind=kind)
                                     .returning(outbox.c.id)).scalar_one())

    def outbox_done(self, outbox_id: int, status: str, subject: str, error: str, at: datetime) -> None:
        self.conn.execute(update(outbox).where(outbox.c.id == outbox_id).values(
            status=status, subject=subject, error=error[:1000], attempts=outbox.c.attempts + 1,
            sent_at=at if status == "sent" else None))

    def owner_emails(self, case_id: int) -> list[tuple[str, str]]:
        rows = self.conn.execute(
            select(accounts.c.email, accounts.c.language).join(case_owners, case_owners.c.account_id == accounts.c.id)
            .where(case_owners.c.case_id == case_id, accounts.c.disabled_at.is_(None)))
        return [(r.email, r.language) for r in rows]

    def reviewer_emails(self) -> list[tuple[str, str]]:
        rows = self.conn.execute(select(accounts.c.email, accounts.c.language).where(
            accounts.c.role.in_(["moderator", "police"]), accounts.c.disabled_at.is_(None)))
        return [(r.email, r.language) for r in rows]


# no description: what the public reads of one is posters.poster's (``access.text_shown``)
PUBLIC_CASE = (
    "SELECT c.id, c.given_name, c.sex, c.birth_date, c.missing_since, c.missing_since_offset, "
    "c.missing_since_precision, c.last_seen_text, c.last_seen_lat, c.last_seen_lon, "
    f"c.verified_at, c.entry_date, c.withdrawn_at, c.created_at, {poster_photo()} AS photo_id FROM cases c "
)


class ReachReads:
    def _all(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        raise NotImplementedError

    def outbox_skipped(self) -> int:
        return int(self._all("SELECT count(*) AS n FROM outbox WHERE status = 'skipped'")[0]["n"])

    def feed_left_at(self) -> datetime | None:
        """When a case last left the feeds (closed, reunited, rejected, expired, removed while verified, or back to
        waiting for verification), if one ever did. Only what was in the feeds dates them: a case never verified
        (or waiting again) that is rejected, withdrawn or closed changes nothing public (probe s44 P2: the feed's
        date told when a hidden case was refused, or a partner's key revoked with its imports)."""
        return self._all(  # type: ignore[no-any-return]
            "SELECT max(greatest(CASE WHEN verified_at IS NOT NULL THEN closed_at END, withdrawn_at)) AS at "
            "FROM cases")[0]["at"]

    def active_cases(self, before: datetime | None, limit: int) -> list[dict[str, Any]]:
        """Verified, open cases newest first (by verification), for feeds: public fields only."""
        return self._all(
            PUBLIC_CASE + "WHERE c.status = 'open' AND c.verified_at IS NOT NULL "
            "AND (CAST(:before AS timestamptz) IS NULL OR c.verified_at < :before) "
            "ORDER BY c.verified_at DESC, c.id DESC LIMIT :limit", before=before, limit=limit)

