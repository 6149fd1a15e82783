"""What the webhooks a case's alert was sent to are told after the alert (docs/exchange.md, "Webhook payload"):
that the case ended (``case.ended``: take down what you show of the child), and, should it be verified and open
again (a removal undone, a case reopened and verified again), that it is back (``case.restored``: show it
again). Each is a delivery of its own, signed as alerts are, retried alone; never why."""

from __future__ import annotations

from reunite.domain.reach import alert_distance
from reunite.services.deps import Deps
from reunite.services.reach import alert_payload, link, public_case, send_webhook, still_wanted


def case_ended(deps: Deps, case_id: int) -> int:
    """A case ended (``case_moves.ENDINGS``): each webhook its alert was sent to is told, by a delivery of its own
    (retried alone). Nothing when the case is active again meanwhile (reopened and verified). How many."""
    with deps.uow() as uow:
        if uow.case_is_active(case_id):
            return 0
        told = uow.webhook_alerts_sent(case_id)
        for alert_id in told:
            uow.enqueue("reach.deliver_ended", alert_id=alert_id)
        uow.commit()
    return len(told)


def deliver_ended(deps: Deps, alert_id: int) -> None:
    """``case.ended`` to one webhook that had the case's alert: saying only that the case ended (not how:
    reunited, closed, withdrawn or removed read alike), and that the receiver should take down what it shows
    of it. Not once the case is active again, nor to a subscription ended or whose maker lost the right."""
    _tell(deps, alert_id, "case.ended")


def deliver_restored(deps: Deps, alert_id: int) -> None:
    """``case.restored`` to one webhook that was told the case ended (``case_moves``: the case verified and open
    again, in the same transaction): it may show the case again. Its body is the alert's (``case.alert``'s
    fields, read anew), its ``event`` ``case.restored``. Not if the case ended again meanwhile, nor to a webhook
    never told it ended."""
    _tell(deps, alert_id, "case.restored")


def _tell(deps: Deps, alert_id: int, event: str) -> None:
    ended = event == "case.ended"
    with deps.uow() as uow:
        alert = uow.alert(alert_id)
        active = uow.case_is_active(alert["case_id"])
        if active is ended or alert["channel"] != "webhook" or alert["status"] != "active":
            return
        if not ended and alert["ended_at"] is None:  # never told it ended, or told it is back already
            return
        if ended:  # marked before it goes: a restore committed while it is on its way finds it, and tells it is back
            uow.mark_alert_ended(alert_id, deps.clock.now())
            uow.commit()
    if not still_wanted(deps, alert, alert["subscription_id"]):
        return
    if ended:
        subscription_id = alert["subscription_id"]
        send_webhook(deps, alert, {
            "event": event, "alert_id": alert["public_id"], "sent_at": deps.clock.now().isoformat(),
            "case": {"id": alert["case_id"]},
            "subscription": {"id": subscription_id,
                             "url": f"{deps.site.base_url}/api/subscriptions/{subscription_id}",
                             "unsubscribe_url": link(deps, subscription_id, "unsubscribe")},
        }, "case_ended")
        return
    case = public_case(deps, alert["case_id"], alert["language"])  # as the alert gave it, read anew
    payload = alert_payload(deps, alert, case, alert_distance(alert["distance_km"]))
    send_webhook(deps, alert, payload | {"event": event}, "case_restored")
    with deps.uow() as uow:  # told: a later ending tells it again, and a later restore too
        uow.mark_alert_ended(alert_id, None)
        uow.commit()
