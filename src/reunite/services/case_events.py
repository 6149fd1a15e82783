"""What the webhooks a case's alert was sent to are told after the alert (docs/exchange.md, "Webhook payload"):
that the case ended (``case.ended``: take down what you show of the child), and, should it be verified and open
again (a removal undone, a case reopened and verified again), that it is back (``case.restored``: show it
again); and, while it is active, that what they show of it changed (``case.updated``: a name or birth date
corrected, a photo, the words shared). Each is a delivery of its own, signed as alerts are, retried alone; never
why. The email subscribers alerted to a case are told once that it ended (``case_moves``: queued with the change),
by the same rule, and that it is back should it come back."""

from __future__ import annotations

from typing import Any

from reunite.domain.reach import alert_distance
from reunite.services.deps import Deps
from reunite.services.reach import (
    alert_payload,
    email_alert,
    public_case,
    send_webhook,
    still_wanted,
    subscription_links,
)


def case_ended(deps: Deps, case_id: int) -> int:
    """A case ended, or went back to waiting for verification (``case_moves.ends_for_partners``: held as a
    possible second registration): each webhook its alert was sent to is told, by a delivery of its own (retried
    alone, for about three days: ``worker.tasks.ENDED_RETRY``). Nothing when the case is active again meanwhile
    (reopened and verified). How many."""
    return _tell_alerted(deps, case_id, False, "reach.deliver_ended")


def _tell_alerted(deps: Deps, case_id: int, active: bool, delivery: str) -> int:
    """Each webhook the case's alert was tried to, told by a ``delivery`` job of its own, while the case is (not)
    ``active``; how many. Alerts sent and alerts still being sent alike (probe s29 C4: an alert on its way as the
    case ended was never followed by case.ended): ``reach._going`` marks each before it goes, under a share lock on
    the case that this change waited for; each delivery waits for its alert's (their jobs share a lock)."""
    with deps.uow() as uow:
        if uow.case_is_active(case_id) is not active:
            return 0
        told = uow.webhook_alerts_tried(case_id)
        for alert_id in told:
            uow.enqueue(delivery, alert_id=alert_id)
        uow.commit()
    return len(told)


def deliver_ended(deps: Deps, alert_id: int) -> None:
    """``case.ended`` to one webhook that had the case's alert: saying only that the case ended (not how:
    reunited, closed, withdrawn, removed or held back for a second look read alike), and that the receiver should
    take down what it shows of it. Not once the case is active again; to a subscription ended since the alert (its
    key revoked or rotated, its maker without the right) too: the take-down outlives it (probe s41 D2).
    An email alert (probe s28 B7): a short email in the subscriber's language, by the same rule
    (that the appeal ended, never why nor the child's name, and to take printed posters down)."""
    with deps.uow() as uow:
        channel = uow.alert(alert_id)["channel"]
    if channel == "email":
        _email_ended(deps, alert_id)
        return
    if (alert := _to_tell(deps, alert_id, ended=True)) is None:
        return
    send_webhook(deps, alert, {"event": "case.ended", "alert_id": alert["public_id"],
                               "sent_at": deps.clock.now().isoformat(), "case": {"id": alert["case_id"]},
                               "subscription": subscription_links(deps, alert["subscription_id"])}, "case_ended")


def deliver_restored(deps: Deps, alert_id: int) -> None:
    """``case.restored`` to one webhook that was told the case ended (``case_moves``: the case verified and open
    again, in the same transaction): it may show the case again. Its body is the alert's (``case.alert``'s
    fields, read anew), its ``event`` ``case.restored``. Not if the case ended again meanwhile, nor to a webhook
    never told it ended. An email subscriber told the appeal ended is emailed that it is open again, with the
    poster's address, by the same rule."""
    if (alert := _to_tell(deps, alert_id, ended=False)) is None:
        return
    if alert["channel"] == "email":
        email_alert(deps, alert, "case_restored",
                    {"alerted_on": alert["sent_at"], "poster_url": f"{deps.site.base_url}/p/{alert['case_id']}"})
    else:
        case = public_case(deps, alert["case_id"], alert["language"])  # as the alert gave it, read anew
        payload = alert_payload(deps, alert, case, alert_distance(alert["distance_km"]))
        send_webhook(deps, alert, payload | {"event": "case.restored"}, "case_restored")
    with deps.uow() as uow:  # told: a later ending tells it again, and a later restore too
        uow.mark_alert_ended(alert_id, None)
        uow.commit()


def _email_ended(deps: Deps, alert_id: int) -> None:
    """The email that an appeal the subscriber was alerted to has ended: its alert's date and, where the poster's
    address still answers (a case closed: it says the appeal ended), that address; never why nor the child's name
    (the case may have been taken down at someone's request). Not once the case is active again (reopened and
    verified meanwhile), nor to a subscription ended, unsubscribed or whose maker lost the right."""
    with deps.uow() as uow:
        alert = uow.alert(alert_id)
        if active := uow.case_is_active(alert["case_id"]):  # back before it was told: nothing to take back either
            uow.mark_alert_ended(alert_id, None)
            uow.commit()
    if active or alert["status"] != "active" or not still_wanted(deps, alert, alert["subscription_id"]):
        return
    email_alert(deps, alert, "case_ended",
                {"alerted_on": alert["sent_at"], "poster_url": f"{deps.site.base_url}/p/{alert['case_id']}"
                 if deps.read.poster_outcome(alert["case_id"]) else None})


def _to_tell(deps: Deps, alert_id: int, ended: bool) -> dict[str, Any] | None:
    """The webhook alert to tell that its case ended (``ended``: whatever became of its subscription since), or the
    alert (webhook or email) to tell it is back; None when there is nothing to tell: the case is where it was said to
    be, or (back) it was never told it ended, its subscription ended, or its maker lost the right.
    Told it ended, it is marked so before the delivery goes: a restore committed while
    it is on its way finds it, and tells it the case is back."""
    with deps.uow() as uow:
        alert = uow.alert(alert_id)
        active = uow.case_is_active(alert["case_id"])
        if active is ended or (ended and alert["channel"] != "webhook"):
            return None
        if not ended and (alert["status"] != "active" or alert["ended_at"] is None):  # never told it ended, or
            return None  # told it is back already; or a subscription ended since: nothing more to show
        if ended:
            uow.mark_alert_ended(alert_id, deps.clock.now())
            uow.commit()
            # a take-down outlives the subscription (probe s41 D2): a partner whose key was revoked or rotated,
            # or whose issuer lost the right, still shows the child it was alerted to. It is told only that the case
            # ended (its id, which it holds; the public poster and feed say as much), at the address it gave
            return alert
    return alert if still_wanted(deps, alert, alert["subscription_id"]) else None


def case_updated(deps: Deps, case_id: int) -> int:
    """What partners hold of an active case changed (``case_moves.changed_for_partners``: a correction applied or
    accepted, a photo published, the words shared approved or withdrawn, a partner's newer record): each webhook its
    alert was sent to, and not told since that it ended, is told by a delivery of its own (``deliver_updated``,
    retried alone). Nothing while the case is not active (its ``case.restored`` will carry the new values). How many."""
    return _tell_alerted(deps, case_id, True, "reach.deliver_updated")


def deliver_updated(deps: Deps, alert_id: int) -> None:
    """``case.updated`` to one webhook that had the case's alert (probe s29 C5): the alert's body, the case's fields
    read anew, with ``"event": "case.updated"``: show these instead. Not once the case is no longer active, nor to a
    webhook told it ended (and not told since that it is back), nor to a subscription ended or whose maker lost the
    right."""
    with deps.uow() as uow:
        alert = uow.alert(alert_id)
        active = uow.case_is_active(alert["case_id"])
    if not active or alert["channel"] != "webhook" or alert["status"] != "active" or alert["ended_at"] is not None:
        return
    if not still_wanted(deps, alert, alert["subscription_id"]):
        return
    case = public_case(deps, alert["case_id"], alert["language"])
    payload = alert_payload(deps, alert, case, alert_distance(alert["distance_km"]))
    send_webhook(deps, alert, payload | {"event": "case.updated"}, "case_updated")
