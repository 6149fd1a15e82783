"""Reach: alerts to subscribers near a new case, with a radius that widens with time (the notices families and
reviewers get are ``notices``'; what webhooks are told after an alert, ``case_events``').

Every email and webhook goes through the outbox (what was sent to whom, and whether it worked).
Messages carry public case fields only; a family hears of a candidate only once a reviewer confirmed it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from reunite.domain.abuse import new_token, sign, signature_valid, token_hash
from reunite.domain.access import Permission, Principal
from reunite.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, bounded
from reunite.domain.mailboxes import mailbox, mailbox_key, read_mailbox
from reunite.domain.model import GeoPoint
from reunite.domain.outbound import port_refused
from reunite.domain.ports import UnitOfWork
from reunite.domain.reach import alert_distance, alert_radius, next_widening, receiver, webhook_address, webhook_port
from reunite.domain.text_limits import TEXT_LIMITS
from reunite.services import idempotency, posters, subscriptions
from reunite.services.deps import Deps
from reunite.services.place_days import in_day_zone
from reunite.services.throttle import count, recent

LANGUAGES = ("en", "zh_CN", "zh_TW", "zh_HK")  # as the pages speak them (language_tags.LANGUAGES)
RESEND_AFTER = timedelta(hours=1)  # the confirmation link, asked for again, is resent at most this often
CONFIRMATIONS_PER_DAY = 3  # confirmation emails to one address, whatever the area and whoever asks
CONFIRMATIONS_WINDOW = timedelta(hours=24)
CLOCKS_APART = timedelta(seconds=30)  # the job queue's clock (the database's) and this one may differ a little


MIN_RADIUS_KM = 1  # around a point; a region's subscription has none (its radius is not read)
MAX_RADIUS_KM = 1000
UNKNOWN_REGION = "“{region}” is not a place we know: name a city, province or country, or choose a place on the map"


def _check_subscription(deps: Deps, who: Principal, channel: str, address: str, near: GeoPoint | None,
                        radius_km: float, region: str) -> None:
    if channel == "email" and not deps.mailer.configured:
        raise InvalidInput("this site cannot send email, so email alerts are off: follow the feed instead",
                           field="address")
    if channel == "email":
        mailbox(address, "address")  # one mailbox, written plainly (probe s46 P12)
    if channel == "webhook":
        if not who.can(Permission.SUBSCRIBE_WEBHOOKS):
            raise Forbidden("webhooks are for partner organisations with a token of the webhooks scope")
        if (canonical := webhook_address(address)) is None:
            raise InvalidInput("the webhook address must be an http(s) URL", field="address")
        if webhook_port(canonical) == 0:  # nothing listens there: every alert would fail (probe s23 W8)
            raise InvalidInput("nothing can be reached on port 0: name the receiver's port, or leave it out",
                               field="address")
        if port_refused(port := webhook_port(canonical)):  # 22, 25, 110…: never sent to (domain.outbound)
            raise InvalidInput("webhooks are sent to port 80, 443 or 1024 to 65535, not {port}: name the receiver's web port, or leave it out", field="address", port=str(port))  # noqa: E501
        deps.webhooks.check(canonical)  # public only, as it is kept and sent to (checked again at each delivery)
    elif channel != "email":
        raise InvalidInput("the channel is email or webhook", field="channel")
    _check_area(deps, near, radius_km, region)


def _check_area(deps: Deps, near: GeoPoint | None, radius_km: float, region: str) -> None:
    if near is None and not region:
        raise InvalidInput("choose a place on the map or name a region", field="region")
    if near is not None and region:  # which area would count? Alerts follow one (probe s46 P4)
        raise InvalidInput("name a region or choose a place on the map, not both: alerts follow one area", field="region")  # noqa: E501
    if region and not deps.places.known(region):  # a name no case's place will ever carry: no alert, ever
        raise InvalidInput(UNKNOWN_REGION, field="region", region=region[:80])
    if near is not None and not MIN_RADIUS_KM <= radius_km <= MAX_RADIUS_KM:  # not an area of nothing (s21 U7)
        raise InvalidInput("the radius around the point must be between {minimum} and {maximum} km",
                           field="radius_km", minimum=MIN_RADIUS_KM, maximum=f"{MAX_RADIUS_KM:,}")
    if not 0 <= radius_km <= MAX_RADIUS_KM:  # a region's (not read)
        raise InvalidInput("the radius must be between 0 and 1,000 km", field="radius_km")


def subscribe(
    deps: Deps, who: Principal, channel: str, address: str, near: GeoPoint | None, radius_km: float,
    region: str = "", language: str = "en", digest: bool = False, key: idempotency.Key | None = None,
) -> tuple[int, str]:
    """A subscription to alerts for an area (a point and radius, or a region's name). Email
    subscriptions wait for the link sent to the address; webhooks (tokens of the ``webhooks`` scope,
    admins) start at once, to public addresses only. Returns the id and, for webhooks, the signing
    secret (shown once; a retry under the same ``key`` answers it again).

    Asked again for an address and area still waiting for confirmation, no second subscription is made:
    the waiting one's link is sent again, at most once an hour (an address gets no flood of emails)."""
    if (first := idempotency.earlier(deps, key)) is not None:
        return int(first["id"]), str(first.get("secret") or "")
    address, region = address.strip(), bounded(region, TEXT_LIMITS["region"], "region")
    language = language.strip().replace("-", "_")
    if language not in LANGUAGES:  # never silently another: the alerts would come in a language not asked for
        raise InvalidInput("{value} is not a language alerts are written in: en, zh_CN, zh_TW or zh_HK",
                           field="language", value=language[:20])
    _check_subscription(deps, who, channel, address, near, radius_km, region)
    # one receiver, one address: "HTTP://Host:80" is "http://host/" (probe s22 V3); an email's, the mailbox its mail
    # goes to: "Victim@Example.ORG" is "Victim@example.org" (probe s46 P12)
    address = (webhook_address(address) or address) if channel == "webhook" else mailbox(address, "address")
    secret = new_token() if channel == "webhook" else ""
    values = {
        "channel": channel, "address": address, "lat": near.lat if near else None,
        "lon": near.lon if near else None, "radius_km": radius_km, "region": region,
        "language": language, "digest": digest, "secret": secret,
        "status": "active" if channel == "webhook" else "pending", "created_by": who.actor,
    }
    area = deps.places.area(region)

    def same_region(other: str) -> bool:  # the place the gazetteer reads: 武汉, Wuhan and 武汉市 are one (s46 P4)
        return deps.places.area(other) == area

    with deps.uow() as uow:
        uow.one_at_a_time(f"subscription:{receiver(address) if channel == 'webhook' else mailbox_key(address)}")
        if channel == "email" and (waiting := uow.pending_subscription(values, same_region)) is not None:
            _resend_confirmation(deps, uow, who, address, *waiting)
            return waiting[0], ""
        if channel == "webhook" and (made := uow.same_webhook(values, same_region)) is not None:
            # the same webhook again (a retry without its key): one webhook, each alert sent once, and its
            # secret never shown again (probe s29 C10: a leaked token would read it; it is replaced instead)
            uow.audit(who.actor, "subscription.asked_again", "subscription", made)
            uow.commit()
            return made, ""
        subscription_id = uow.add_subscription(values)
        held = channel == "email" and not _confirmation_goes(deps, uow, address)
        uow.audit(who.actor, "subscription.created", "subscription", subscription_id, channel=channel,
                  **({"confirmation_held": True} if held else {}))
        if channel == "email" and not held:
            uow.enqueue("reach.confirm_subscription", subscription_id=subscription_id)
        if (won := idempotency.remember(uow, key, {"id": subscription_id, "secret": secret})) is not None:
            return int(won["id"]), str(won.get("secret") or "")
        uow.commit()
    return subscription_id, secret


def _confirmation_goes(deps: Deps, uow: UnitOfWork, address: str) -> bool:
    """Whether one more confirmation email may go to ``address`` today (counted if so): at most
    ``CONFIRMATIONS_PER_DAY`` in any 24 hours, whatever the area and whoever asks (probe s29 C6: anyone could
    send an address an email per area, 20 an hour from each client address, 5,000 from a token). Past that the
    subscription is kept, waiting, and answered alike: nothing tells the asker that the address was capped,
    nor whether it has subscriptions. Counted under a hash of the mailbox (``mailboxes.mailbox_key``: the counters
    keep no address; probe s46 P12: its spellings are one mailbox)."""
    key, now = f"confirmations:{token_hash(mailbox_key(address))}", deps.clock.now()
    if recent(uow, key, now, CONFIRMATIONS_WINDOW) >= CONFIRMATIONS_PER_DAY:
        return False
    count(uow, key, now, CONFIRMATIONS_WINDOW)
    return True


def _resend_confirmation(deps: Deps, uow: UnitOfWork, who: Principal, address: str, subscription_id: int,
                         asked_ago: timedelta) -> None:
    """The waiting subscription's confirmation link again, unless it was sent within the hour, or the
    address had its confirmations for the day."""
    if asked_ago < RESEND_AFTER or not _confirmation_goes(deps, uow, address):
        return
    uow.audit(who.actor, "subscription.confirmation_resent", "subscription", subscription_id)
    uow.enqueue("reach.confirm_subscription", subscription_id=subscription_id)
    uow.commit()


def link(deps: Deps, subscription_id: int, purpose: str) -> str:
    """A signed one-click link: ``confirm`` or ``unsubscribe``."""
    token = sign(deps.secret, purpose, str(subscription_id))
    return f"{deps.site.base_url}/subscriptions/{subscription_id}/{purpose}?t={token}"


def set_status(deps: Deps, subscription_id: int, purpose: str, token: str) -> None:
    """Confirm or unsubscribe through a signed link."""
    if purpose not in ("confirm", "unsubscribe") or not signature_valid(deps.secret, purpose, str(subscription_id),
                                                                         token):
        raise InvalidInput("this link is not valid: copy the whole link from the email", field="t")
    with deps.uow() as uow:
        was = uow.set_subscription_status(subscription_id, "active" if purpose == "confirm" else "unsubscribed",
                                          deps.clock.now())
        if was is None:
            raise NotFound("subscription {id} does not exist", id=subscription_id)
        if was == "ended" and purpose == "confirm":  # ended by an admin, or with the token that made it
            raise Conflict("this subscription was ended and cannot be confirmed again: subscribe again if you want alerts")  # noqa: E501
        uow.audit("subscriber", f"subscription.{purpose}", "subscription", subscription_id)
        uow.commit()


NO_SERVER = "no SMTP server is configured (REUNITE_SMTP_HOST)"


def _through_outbox(deps: Deps, channel: str, recipient: str, kind: str, send: Callable[[], str] | None,
                    skipped: str = NO_SERVER) -> None:
    """Record a delivery in the outbox and make it: ``send`` returns the subject (None: not sent, recorded as
    skipped for the reason ``skipped``). A failure is recorded, then raised so that the job is retried."""
    with deps.uow() as uow:
        outbox_id = uow.add_outbox(channel, recipient, kind)
        uow.commit()
    status, subject, error = "skipped", "", skipped
    try:
        if send is not None:
            subject, status, error = send(), "sent", ""
    except Exception as exc:
        status, error = "failed", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        with deps.uow() as uow:
            uow.outbox_done(outbox_id, status, subject, error, deps.clock.now())
            uow.commit()


def _email(deps: Deps, to: str, kind: str, language: str, context: dict[str, Any],
           headers: dict[str, str] | None = None) -> None:
    def send() -> str:
        return deps.mailer.send(to, kind, language, context, headers)

    if read_mailbox(to) is None:  # kept before every address was read as one mailbox (probe s46 P12): never sent
        _through_outbox(deps, "email", to, kind, None, "not an email address written plainly: nothing is sent to it")
        return
    _through_outbox(deps, "email", to, kind, send if deps.mailer.configured else None)


def send_confirmation(deps: Deps, subscription_id: int) -> None:
    with deps.uow() as uow:
        sub = uow.subscription(subscription_id)
    if sub is None or sub["status"] != "pending":
        return
    # the place as the gazetteer names it, or the point's numbers: never the words typed (probe s29 C6: a region
    # "Wuhan. Your bank account is locked, call …" went word for word into the email, from this site's address)
    area = (deps.places.city(sub["region"], latin=not sub["language"].startswith("zh")) if sub["region"]
            else f"{sub['lat']:.2f}, {sub['lon']:.2f} (+{sub['radius_km']:.0f} km)")
    _email(deps, sub["address"], "confirm_subscription", sub["language"],
           {"area": area, "confirm_url": link(deps, subscription_id, "confirm")})


def public_case(deps: Deps, case_id: int, language: str) -> dict[str, Any]:
    """The poster's facts for an alert or digest, the city named in the subscriber's ``language``."""
    case = posters.poster(deps, case_id, latin=not language.startswith("zh"))
    case["poster_url"] = f"{deps.site.base_url}/p/{case_id}"
    case["photo_url"] = f"{deps.site.base_url}/p/{case_id}/photo.jpg" if case["photo_id"] else None
    return case


def alert_round(deps: Deps, case_id: int) -> int:
    """Alert every subscriber inside the case's current radius who was not alerted yet; plan the next
    round for when the radius widens, unless one is planned already. Stops when the case is no longer active.
    New alerts: how many.

    One chain of rounds per case: a case removed and restored (``removals``) before its next round was due is
    alerted again at once (``reach.case_activated``), and the round still waiting stays the next one, for the
    same widening, instead of a second chain beside it for each restore. Two rounds of one case take turns, so
    that the second sees the round the first planned."""
    with deps.uow() as uow:
        uow.one_at_a_time(f"alert-rounds:{case_id}")
        if not uow.case_is_active(case_id):
            return 0
        facts = uow.case_facts(case_id)
        elapsed = max(deps.clock.now() - facts.missing_since, timedelta(0))
        radius = alert_radius(deps.site.alert_schedule, elapsed)
        city = posters.poster(deps, case_id)["last_seen_text"]  # what the public reads: the city, never the words
        by_region = [sub_id for sub_id, region in uow.region_subscriptions() if deps.places.covers(region, city)]
        new = uow.alert_subscribers(case_id, radius, by_region)
        for alert_id, digest in new:
            if not digest:
                uow.enqueue("reach.deliver_alert", alert_id=alert_id)
        wait = next_widening(deps.site.alert_schedule, elapsed)
        if wait is not None:
            uow.enqueue("reach.alert_round", at=deps.clock.now() + wait, unless_waiting=True, case_id=case_id)
        uow.audit("system", "case.alerted", "case", case_id, radius_km=radius, new_alerts=len(new))
        uow.commit()
    return len(new)


def still_wanted(deps: Deps, sub: dict[str, Any], subscription_id: int) -> bool:
    """Whether a delivery may go: rights follow the current state (``subscriptions.stands``; an email
    subscription its owner confirmed is the owner's and always stands), so a
    subscription whose token was revoked, or whose account was disabled or is no longer allowed to make it,
    ends here instead (however it lost the right), and nothing is sent."""
    with deps.uow() as uow:
        if subscriptions.stands(uow, str(sub["created_by"]), str(sub.get("channel", "email")),
                                str(sub.get("status", ""))):
            return True
        subscriptions.void(deps, uow, subscription_id)
        uow.commit()
    return False


def deliver_alert(deps: Deps, alert_id: int) -> None:
    """One alert to one subscriber, by email or signed webhook; not at all once the case is closed, nor
    once the subscription's maker has lost the right to it."""
    with deps.uow() as uow:
        alert = uow.alert(alert_id)
    if alert["sent_at"] or alert["status"] != "active" or not still_wanted(deps, alert, alert["subscription_id"]):
        return
    if not _going(deps, alert_id, alert["case_id"]):
        return
    case = public_case(deps, alert["case_id"], alert["language"])
    distance = alert_distance(alert["distance_km"])
    if alert["channel"] == "email":
        email_alert(deps, alert, "case_alert", {"case": case, "distance_km": distance, "poster_url": case["poster_url"],
                                                "report_url": f"{deps.site.base_url}/", "phone": case["phone"]})
    else:
        send_webhook(deps, alert, alert_payload(deps, alert, case, distance))
    with deps.uow() as uow:
        uow.mark_alert_sent(alert_id, deps.clock.now())
        uow.commit()


def _going(deps: Deps, alert_id: int, case_id: int) -> bool:
    """Whether the case is still active; if so the alert is marked tried before it goes (probe s29 C4). Read
    under a share lock, which any change of the case's state waits for (``case_moves``: its row locked for
    update), in the transaction that marks it: a case ending commits either before (this alert is not sent) or
    after it (then ``case_events.case_ended``, deferred by that ending, finds the alert tried and tells its
    webhook, after the alert: their jobs share a lock)."""
    with deps.uow() as uow:
        try:
            status, verified = uow.case_state(case_id, shared=True)
        except NotFound:
            return False
        if status != "open" or not verified:
            return False
        uow.mark_alert_tried(alert_id, deps.clock.now())
        uow.commit()
    return True


CASE_FIELDS = ("id", "given_name", "sex", "age_then", "age_now", "missing_since_precision", "last_seen_text",
               "description", "poster_url", "photo_url")


def alert_payload(deps: Deps, alert: dict[str, Any], case: dict[str, Any], distance: int | None) -> dict[str, Any]:
    """A webhook's body (docs/exchange.md, "Webhook payload"): every time ISO 8601 with its UTC offset, the
    distance in whole km, and how to stop these alerts."""
    return {
        "event": "case.alert", "alert_id": alert["public_id"], "sent_at": deps.clock.now().isoformat(),
        "distance_km": distance,
        "case": {k: case[k] for k in CASE_FIELDS} | {"missing_since": in_day_zone(  # as its poster dates it
            case["missing_since"], case["day_zone"], case["missing_since_precision"]).isoformat()},
        "subscription": subscription_links(deps, alert["subscription_id"]),
    }


def subscription_links(deps: Deps, subscription_id: int) -> dict[str, Any]:
    """A webhook body's ``subscription``: its id, its address in the API, and the link that ends it."""
    return {"id": subscription_id, "url": f"{deps.site.base_url}/api/subscriptions/{subscription_id}",
            "unsubscribe_url": link(deps, subscription_id, "unsubscribe")}


def send_webhook(deps: Deps, alert: dict[str, Any], payload: dict[str, Any], kind: str = "case_alert") -> None:
    def send() -> str:
        deps.webhooks.post(alert["address"], alert["secret"], str(int(deps.clock.now().timestamp())), payload)
        return ""

    _through_outbox(deps, "webhook", alert["address"], kind, send)


def send_digests(deps: Deps) -> int:
    """One email a day to digest subscribers, listing the cases they were alerted to: new appeals, said so
    (never "today": a child may have been missing for years), with the single alert's safety advice."""
    since = deps.clock.now() - timedelta(days=2)
    with deps.uow() as uow:
        due = uow.digest_due(since)
        cases = {sub["id"]: [uow.alert(a) for a in sub["alert_ids"]] for sub in due}
    for sub in due:
        listed = [public_case(deps, a["case_id"], sub["language"]) for a in cases[sub["id"]]
                  if case_active(deps, a["case_id"])]
        if listed and not still_wanted(deps, sub, sub["id"]):
            listed = []  # ended: its alerts are marked done, unsent
        if listed:
            _email(deps, sub["address"], "digest", sub["language"],
                   {"cases": listed, "phone": deps.site.contact_phone, "report_url": f"{deps.site.base_url}/",
                    "unsubscribe_url": link(deps, sub["id"], "unsubscribe")})
        with deps.uow() as uow:
            for alert in cases[sub["id"]]:
                uow.mark_alert_sent(alert["id"], deps.clock.now())
            uow.commit()
    return len(due)


def case_active(deps: Deps, case_id: int) -> bool:
    with deps.uow() as uow:
        return uow.case_is_active(case_id)


def email_alert(deps: Deps, alert: dict[str, Any], kind: str, context: dict[str, Any]) -> None:
    """An email about an ``alert`` to its subscriber, in their language, with the one-click way to stop them."""
    unsubscribe = link(deps, alert["subscription_id"], "unsubscribe")
    _email(deps, alert["address"], kind, alert["language"], context | {"unsubscribe_url": unsubscribe},
           {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})


def send_email(deps: Deps, to: str, kind: str, language: str, context: dict[str, Any],
               headers: dict[str, str] | None = None) -> None:
    """One email through the outbox, for other services' notices (sign-up links, a family's case verified)."""
    _email(deps, to, kind, language, context, headers)
