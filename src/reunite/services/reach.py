"""Reach: alerts to subscribers near a new case, with a radius that widens with time, and the notices
people get (families when a reviewer confirms a candidate or writes; reviewers when work waits).

Every email and webhook goes through the outbox (what was sent to whom, and whether it worked).
Messages carry public case fields only; a family hears of a candidate only once a reviewer confirmed it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from reunite.domain.abuse import new_token, sign, signature_valid
from reunite.domain.access import Permission, Principal
from reunite.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyRequests
from reunite.domain.model import GeoPoint
from reunite.domain.outbound import port_refused
from reunite.domain.ports import UnitOfWork
from reunite.domain.reach import alert_distance, alert_radius, next_widening, receiver, webhook_address, webhook_port
from reunite.services import idempotency, posters, removals, subscriptions, workbench
from reunite.services.accounts import EMAIL
from reunite.services.deps import Deps
from reunite.services.throttle import HOUR, hit, recent

LANGUAGES = ("en", "zh_CN", "zh_TW", "zh_HK")  # as the pages speak them (i18n.LANGUAGES)
RESEND_AFTER = timedelta(hours=1)  # the confirmation link, asked for again, is resent at most this often
CLOCKS_APART = timedelta(seconds=30)  # the job queue's clock (the database's) and this one may differ a little


MIN_RADIUS_KM = 1  # around a point; a region's subscription has none (its radius is not read)
MAX_RADIUS_KM = 1000
UNKNOWN_REGION = "“{region}” is not a place we know: name a city, province or country, or choose a place on the map"


def _check_subscription(deps: Deps, who: Principal, channel: str, address: str, near: GeoPoint | None,
                        radius_km: float, region: str) -> None:
    if channel == "email" and not deps.mailer.configured:
        raise InvalidInput("this site cannot send email, so email alerts are off: follow the feed instead",
                           field="address")
    if channel == "email" and not EMAIL.match(address):
        raise InvalidInput("enter a valid email address", field="address")
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
    if near is None and not region:
        raise InvalidInput("choose a place on the map or name a region", field="region")
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
    address, region = address.strip(), region.strip()[:200]
    language = language.strip().replace("-", "_")
    if language not in LANGUAGES:  # never silently another: the alerts would come in a language not asked for
        raise InvalidInput("{value} is not a language alerts are written in: en, zh_CN, zh_TW or zh_HK",
                           field="language", value=language[:20])
    _check_subscription(deps, who, channel, address, near, radius_km, region)
    if channel == "webhook":  # one receiver, one address: "HTTP://Host:80" is "http://host/" (probe s22 V3)
        address = webhook_address(address) or address
    secret = new_token() if channel == "webhook" else ""
    values = {
        "channel": channel, "address": address, "lat": near.lat if near else None,
        "lon": near.lon if near else None, "radius_km": radius_km, "region": region,
        "language": language, "digest": digest, "secret": secret,
        "status": "active" if channel == "webhook" else "pending", "created_by": who.actor,
    }
    with deps.uow() as uow:
        uow.one_at_a_time(f"subscription:{receiver(address) if channel == 'webhook' else address.lower()}")
        if channel == "email" and (waiting := uow.pending_subscription(values)) is not None:
            _resend_confirmation(uow, who, *waiting)
            return waiting[0], ""
        if channel == "webhook" and (made := uow.same_webhook(values)) is not None:
            return made  # the same webhook again (a retry without a key): one webhook, each alert sent once
        subscription_id = uow.add_subscription(values)
        uow.audit(who.actor, "subscription.created", "subscription", subscription_id, channel=channel)
        if channel == "email":
            uow.enqueue("reach.confirm_subscription", subscription_id=subscription_id)
        if (won := idempotency.remember(uow, key, {"id": subscription_id, "secret": secret})) is not None:
            return int(won["id"]), str(won.get("secret") or "")
        uow.commit()
    return subscription_id, secret


def _resend_confirmation(uow: UnitOfWork, who: Principal, subscription_id: int, asked_ago: timedelta) -> None:
    """The waiting subscription's confirmation link again, unless it was asked for within the hour."""
    if asked_ago < RESEND_AFTER:
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


def _through_outbox(deps: Deps, channel: str, recipient: str, kind: str, send: Callable[[], str] | None) -> None:
    """Record a delivery in the outbox and make it: ``send`` returns the subject (None: no server is
    configured, recorded as skipped). A failure is recorded, then raised so that the job is retried."""
    with deps.uow() as uow:
        outbox_id = uow.add_outbox(channel, recipient, kind)
        uow.commit()
    status, subject, error = "skipped", "", "no SMTP server is configured (REUNITE_SMTP_HOST)"
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

    _through_outbox(deps, "email", to, kind, send if deps.mailer.configured else None)


def send_confirmation(deps: Deps, subscription_id: int) -> None:
    with deps.uow() as uow:
        sub = uow.subscription(subscription_id)
    if sub is None or sub["status"] != "pending":
        return
    area = sub["region"] or f"{sub['lat']:.2f}, {sub['lon']:.2f} (+{sub['radius_km']:.0f} km)"
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
        active = uow.case_is_active(alert["case_id"])
    if alert["sent_at"] or alert["status"] != "active" or not active:
        return
    if not still_wanted(deps, alert, alert["subscription_id"]):
        return
    case = public_case(deps, alert["case_id"], alert["language"])
    distance = alert_distance(alert["distance_km"])
    if alert["channel"] == "email":
        unsubscribe = link(deps, alert["subscription_id"], "unsubscribe")
        _email(deps, alert["address"], "case_alert", alert["language"],
               {"case": case, "distance_km": distance, "poster_url": case["poster_url"],
                "report_url": f"{deps.site.base_url}/", "phone": case["phone"],
                "unsubscribe_url": unsubscribe},
               {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
    else:
        send_webhook(deps, alert, alert_payload(deps, alert, case, distance))
    with deps.uow() as uow:
        uow.mark_alert_sent(alert_id, deps.clock.now())
        uow.commit()


CASE_FIELDS = ("id", "given_name", "sex", "age_then", "age_now", "missing_since_precision", "last_seen_text",
               "description", "poster_url", "photo_url")


def alert_payload(deps: Deps, alert: dict[str, Any], case: dict[str, Any], distance: int | None) -> dict[str, Any]:
    """A webhook's body (docs/exchange.md, "Webhook payload"): every time ISO 8601 with its UTC offset, the
    distance in whole km, and how to stop these alerts."""
    return {
        "event": "case.alert", "alert_id": alert["public_id"], "sent_at": deps.clock.now().isoformat(),
        "distance_km": distance,
        "case": {k: case[k] for k in CASE_FIELDS} | {"missing_since": case["missing_since"].isoformat()},
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
                  if _active(deps, a["case_id"])]
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


def _active(deps: Deps, case_id: int) -> bool:
    with deps.uow() as uow:
        return uow.case_is_active(case_id)


def _case_note(deps: Deps, case_id: int, kind: str) -> None:
    """Tell the family (by their accounts' emails) that something happened on their case. The email
    says only that: details are behind sign-in."""
    case = posters.poster(deps, case_id) if _active(deps, case_id) else None
    if case is None:
        return
    with deps.uow() as uow:
        owners = uow.owner_emails(case_id)
    for address, language in owners:
        _email(deps, address, kind, language, {"case": case, "case_url": f"{deps.site.base_url}/cases/{case_id}"})


def candidate_confirmed(deps: Deps, case_id: int, candidate_id: int | None = None) -> None:
    """Tell the family, unless the confirmation was undone (or its report removed, or the face it compared
    ruled out as not the child's) meanwhile, or this notice was for an earlier confirmation that was undone (a
    later one has its own notice)."""
    if candidate_id is not None:
        try:
            item = deps.read.workbench_item(candidate_id)
        except NotFound:
            return
        settled = deps.clock.now() - deps.limits.undo_window + CLOCKS_APART
        if (item["status"] != "confirmed" or item["reviewed_at"] is None or item["reviewed_at"] > settled
                or item.get("ruled_out")):  # another face of its photo marked the child's since
            return
    _case_note(deps, case_id, "candidate_confirmed")


def message_sent(deps: Deps, message_id: int, case_id: int) -> None:
    """Families are told of reviewers' messages; reviewers of families' (their queue "families", in the hourly
    notice of work waiting: ``tell_reviewers``)."""
    message = next((m for m in deps.read.messages(case_id) if m["id"] == message_id), None)
    if message is not None and not message["from_family"]:
        _case_note(deps, case_id, "new_message")
    elif message is not None:
        tell_reviewers(deps)


def removal_asked(deps: Deps, takedown_id: int, stage: str) -> None:
    """Tell a case's registrant, in their language, that someone asked for its removal (``stage``
    "asked") or that a moderator approved it ("approved"): it waits for their objection or confirmation on
    the case's page. Nothing once the request was decided otherwise meanwhile (``removals``)."""
    with deps.uow() as uow:
        row = uow.takedown(takedown_id)
    if row is None:
        return
    case_id = int(row["subject_id"])
    context = {"case_id": case_id, "case_url": f"{deps.site.base_url}/cases/{case_id}#removals",
               "approved": stage == "approved", "days": deps.limits.case_removal_wait.days}
    if (recipients := removals.tell_registrant(deps, takedown_id, stage)) is None:
        return
    try:
        for address, language in recipients:
            _email(deps, address, "removal_asked", language, context)
    except Exception:
        removals.told(deps, takedown_id, "failed")  # retried: a later try that goes says so
        raise
    # an email recorded but never sent warned nobody: the moderators read so (probe s23 W6)
    removals.told(deps, takedown_id, "no_email" if not deps.mailer.configured else "sent" if recipients
                  else "no_address")


REVIEWERS_NOTICE = "notice:reviewers"  # the counter of reviewers' notices: at most one in 60 minutes


def reviewers_told(deps: Deps, uow: UnitOfWork) -> bool:
    """Reviewers had their notice in the last hour: a ``tell_reviewers`` job now would send nothing (a worker
    matching many sightings then defers none, instead of one per sighting that only reads and stops)."""
    return recent(uow, REVIEWERS_NOTICE, deps.clock.now(), HOUR) > 0


def tell_reviewers(deps: Deps) -> bool:
    """Email reviewers when candidates, reports or families wait, at most once an hour; True if sent."""
    counts = deps.read.queue_counts()
    overloaded = any(load.alarm for load in workbench.queue_loads(deps) if load.name == "sightings")
    if not (counts["candidates"] or counts["families"] or overloaded):
        return False
    try:
        hit(deps, REVIEWERS_NOTICE, 1, HOUR)
    except TooManyRequests:  # already told this hour
        return False
    with deps.uow() as uow:
        reviewers = uow.reviewer_emails()
    for address, language in reviewers:
        _email(deps, address, "reviewer_queue", language,
               {"counts": counts, "moderation_url": f"{deps.site.base_url}/moderation"})
    return True


def send_email(deps: Deps, to: str, kind: str, language: str, context: dict[str, Any],
               headers: dict[str, str] | None = None) -> None:
    """One email through the outbox, for other services' notices (sign-up links, an appeal ended)."""
    _email(deps, to, kind, language, context, headers)
