"""What the webhooks a case's alert was sent to are told after the alert (docs/exchange.md, "Webhook payload"):
that the case ended (``case.ended``: take down what you show of the child), and, should it be verified and open
again (a removal undone, a case reopened and verified again), that it is back (``case.restored``: show it
again). Each is a delivery of its own, signed as alerts are, retried alone; never why."""

from __future__ import annotations

from typing import Any

from reunite.domain.reach import alert_distance
from reunite.services.deps import Deps
from reunite.services.reach import alert_payload, public_case, send_webhook, still_wanted, subscription_links


def case_ended(deps: Deps, case_id: int) -> int:
    """A case ended, or went back to waiting for verification (``case_moves.ends_for_partners``: held as a
    possible second registration): each webhook its alert was sent to is told, by a delivery of its own (retried
    alone, for about three days: ``worker.tasks.ENDED_RETRY``). Nothing when the case is active again meanwhile
    (reopened and verified). How many."""
    with deps.uow() as uow:
        if uow.case_is_active(case_id):
            return 0
        # alerts sent and alerts still being sent alike (probe s29 C4: an alert on its way as the case ended was
        # never followed by case.ended): ``reach._going`` marks each before it goes, under a share lock on the case
        # that this ending waited for; each ending's delivery waits for its alert's (their jobs share a lock)
        told = uow.webhook_alerts_tried(case_id)
        for alert_id in told:
            uow.enqueue("reach.deliver_ended", alert_id=alert_id)
        uow.commit()
    return len(told)


def deliver_ended(deps: Deps, alert_id: int) -> None:
    """``case.ended`` to one webhook that had the case's alert: saying only that the case ended (not how:
    reunited, closed, withdrawn, removed or held back for a second look read alike), and that the receiver should
    take down what it shows of it. Not once the case is active again, nor to a subscription ended or whose maker
    lost the right."""
    if (alert := _to_tell(deps, alert_id, ended=True)) is None:
        return
    send_webhook(deps, alert, {"event": "case.ended", "alert_id": alert["public_id"],
                               "sent_at": deps.clock.now().isoformat(), "case": {"id": alert["case_id"]},
                               "subscription": subscription_links(deps, alert["subscription_id"])}, "case_ended")


def deliver_restored(deps: Deps, alert_id: int) -> None:
    """``case.restored`` to one webhook that was told the case ended (``case_moves``: the case verified and open
    again, in the same transaction): it may show the case again. Its body is the alert's (``case.alert``'s
    fields, read anew), its ``event`` ``case.restored``. Not if the case ended again meanwhile, nor to a webhook
    never told it ended."""
    if (alert := _to_tell(deps, alert_id, ended=False)) is None:
        return
    case = public_case(deps, alert["case_id"], alert["language"])  # as the alert gave it, read anew
    payload = alert_payload(deps, alert, case, alert_distance(alert["distance_km"]))
    send_webhook(deps, alert, payload | {"event": "case.restored"}, "case_restored")
    with deps.uow() as uow:  # told: a later ending tells it again, and a later restore too
        uow.mark_alert_ended(alert_id, None)
        uow.commit()


def _to_tell(deps: Deps, alert_id: int, ended: bool) -> dict[str, Any] | None:
    """The webhook alert to tell that its case ended (``ended``) or is back, None when there is nothing to tell:
    the case is where it was said to be, the alert is no active webhook's, or (back) it was never told it ended,
    or its maker lost the right. Told it ended, it is marked so before the delivery goes: a restore committed while
    it is on its way finds it, and tells it the case is back."""
    with deps.uow() as uow:
        alert = uow.alert(alert_id)
        active = uow.case_is_active(alert["case_id"])
        if active is ended or alert["channel"] != "webhook" or alert["status"] != "active":
            return None
        if not ended and alert["ended_at"] is None:  # never told it ended, or told it is back already
            return None
        if ended:
            uow.mark_alert_ended(alert_id, deps.clock.now())
            uow.commit()
    return alert if still_wanted(deps, alert, alert["subscription_id"]) else None
