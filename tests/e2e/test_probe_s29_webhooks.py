"""The outside probe s29's C3, C4 and C10: webhook deliveries have a queue and a worker of their own, so that a
receiver answering slowly holds back no face or alert job; a case ending while its alert is on its way is
followed by ``case.ended``, never before the alert; ``case.ended`` is retried for days, and a receiver that was
down reads which of its alerts ended; a webhook asked for again is answered without its secret, which its maker
replaces instead."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient
from procrastinate.jobs import Job

from reunite.adapters.notify.webhook import HttpWebhooks
from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Scope
from reunite.entrypoints.api.app import create_app
from reunite.entrypoints.worker.tasks import DELIVERY_RETRY, ENDED_RETRY, make_app, run_worker
from reunite.services import reach, reunion
from reunite.services.accounts import from_api_token, issue_token, revoke_token
from tests.conftest import count_rows, run_jobs_settled
from tests.e2e.test_reach import missing_case

WUHAN_HOOK = {"channel": "webhook", "region": "Wuhan"}


class Held(BaseHTTPRequestHandler):
    """A receiver that keeps each ``case.alert`` waiting until the test lets it go, and answers the rest at once."""

    events: ClassVar[list[str]] = []
    started = threading.Event()
    release = threading.Event()

    def do_POST(self) -> None:
        event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["event"]
        Held.events.append(event)
        if event == "case.alert":
            Held.started.set()
            Held.release.wait(30)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def held(container: Container) -> Iterator[str]:
    """The receiver's address, the site allowed to send to it (loopback)."""
    Held.events, Held.started, Held.release = [], threading.Event(), threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Held)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    container.deps = replace(container.deps, webhooks=HttpWebhooks(allowed_hosts=["127.0.0.1"]))
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    Held.release.set()
    server.shutdown()
    server.server_close()


def active_case(container: Container) -> int:
    """A verified Wuhan case whose own jobs (faces, its first alert round) have run, before anyone subscribed (its
    next round waits for its time)."""
    case_id = missing_case(container, since=datetime.now(UTC) - timedelta(minutes=5))
    run_jobs_settled(container)
    return case_id


def jobs(container: Container) -> list[tuple[str, str, str]]:
    with container.engine.connect() as conn:
        return [tuple(row) for row in conn.exec_driver_sql(
            "SELECT task_name, queue_name, status FROM procrastinate_jobs WHERE task_name LIKE %s ORDER BY id",
            ("reach.%",))]


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited too long"
        time.sleep(0.1)


def test_a_slow_receiver_holds_back_no_other_job(container: Container, held: str) -> None:
    """C3: the probe's dripping receiver held the only worker slot for a minute per delivery, and the next case's
    faces waited behind it. Deliveries now have their own queue, worked beside the other by ``reunite worker``
    (and the worker ``reunite serve`` runs), which processes both by default."""
    case_id = active_case(container)
    reach.subscribe(container.deps, OPERATOR, "webhook", held, None, 0, "Wuhan")
    assert reach.alert_round(container.deps, case_id) == 1
    assert jobs(container)[-1] == ("reach.deliver_alert", "reunite-deliveries", "todo")

    loop = asyncio.new_event_loop()
    worker = loop.create_task(run_worker(make_app(container.database_uri, container.deps, periodic=False), 1,
                                         heartbeat=1, install_signal_handlers=False))
    thread = threading.Thread(target=loop.run_until_complete, args=(asyncio.gather(worker, return_exceptions=True),))
    thread.start()
    try:
        assert Held.started.wait(30)  # the alert is on its way, and the receiver takes its time
        with container.deps.uow() as uow:  # meanwhile another job (the next alert round) comes in
            uow.enqueue("reach.alert_round", case_id=case_id)
            uow.commit()
        wait_for(lambda: ("reach.alert_round", "reunite", "succeeded") in jobs(container))
        assert ("reach.deliver_alert", "reunite-deliveries", "doing") in jobs(container)  # still held
        Held.release.set()
        wait_for(lambda: ("reach.deliver_alert", "reunite-deliveries", "succeeded") in jobs(container))
    finally:
        Held.release.set()
        loop.call_soon_threadsafe(worker.cancel)
        thread.join(30)
    assert Held.events == ["case.alert"]


def test_a_case_ending_while_its_alert_is_on_its_way_is_followed_by_case_ended(
    container: Container, held: str
) -> None:
    """C4: with two workers, ``case_ended`` ran while an alert was being posted, found it not sent yet, and the
    receiver got the alert and never ``case.ended``. The alert is marked tried before it goes (under a share
    lock on the case), and ``case.ended`` waits for the alert's delivery (their jobs share a lock)."""
    case_id = active_case(container)
    reach.subscribe(container.deps, OPERATOR, "webhook", held, None, 0, "Wuhan")
    reach.alert_round(container.deps, case_id)

    def worker() -> None:  # what another worker process does: until nothing more may run now
        app = make_app(container.database_uri, container.deps, periodic=False)
        asyncio.run(run_worker(app, 1, wait=False, install_signal_handlers=False))

    first = threading.Thread(target=worker)
    first.start()  # takes the alert, and waits on the receiver
    try:
        assert Held.started.wait(30)
        reunion.close_case(container.deps, OPERATOR, case_id, reunited=False, keep_data=True)
        worker()  # a second worker runs case_ended now, while the alert is still on its way
        assert jobs(container)[-2:] == [("reach.case_ended", "reunite", "succeeded"),
                                        ("reach.deliver_ended", "reunite-deliveries", "todo")]  # after the alert
        assert Held.events == ["case.alert"]
    finally:
        Held.release.set()
        first.join(60)
    assert Held.events == ["case.alert", "case.ended"]  # the first worker told it, once the alert had gone
    assert {status for task, _, status in jobs(container) if task != "reach.alert_round"} == {"succeeded"}


def test_an_alert_for_a_case_that_ended_before_it_went_is_not_sent(container: Container, held: str) -> None:
    case_id = active_case(container)
    reach.subscribe(container.deps, OPERATOR, "webhook", held, None, 0, "Wuhan")
    reach.alert_round(container.deps, case_id)
    reunion.close_case(container.deps, OPERATOR, case_id, reunited=False, keep_data=True)
    run_jobs_settled(container)
    assert Held.events == []  # neither the alert nor an ending of an alert never shown


def job(attempts: int) -> Job:
    return Job(id=1, queue="reunite-deliveries", lock=None, queueing_lock=None, task_name="reach.deliver_ended",
               attempts=attempts)


def test_case_ended_is_retried_for_days_where_an_alert_gives_up_in_half_an_hour(container: Container) -> None:
    """C4: ``case.ended`` gave up after ten tries, about half an hour: a receiver down for an afternoon kept the
    child's photo for good. It is tried 2, 4, 8 … seconds apart, then hourly, for about three days."""
    app = make_app(container.database_uri, container.deps, periodic=False)
    assert app.tasks["reach.deliver_ended"].retry_strategy is ENDED_RETRY
    assert app.tasks["reach.deliver_alert"].retry_strategy is DELIVERY_RETRY
    waits, attempts = [], 0
    while (decision := ENDED_RETRY.get_retry_decision(exception=OSError("down"), job=job(attempts))) is not None:
        assert decision.retry_at is not None
        waits.append((decision.retry_at - datetime.now(UTC)).total_seconds())
        attempts += 1
    assert waits[0] < 3 and max(waits) <= 3601
    assert timedelta(days=2.5) < timedelta(seconds=sum(waits)) < timedelta(days=4)
    gave_up = 0
    while DELIVERY_RETRY.get_retry_decision(exception=OSError("down"), job=job(gave_up)) is not None:
        gave_up += 1
    assert gave_up < attempts


class Recorder:
    """A receiver that keeps what it was sent, and the secret each delivery was signed with."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def check(self, address: str) -> None:
        return None

    def post(self, address: str, secret: str, timestamp: str, payload: dict[str, Any]) -> None:
        self.sent.append((secret, payload))


def partner(container: Container, scope: Scope = Scope.WEBHOOKS) -> TestClient:
    token = issue_token(container.deps, OPERATOR, "partner", [scope])
    return TestClient(create_app(container), headers={"Authorization": f"Bearer {token}"})


def audited(container: Container, action: str) -> list[dict[str, Any]]:
    with container.engine.connect() as conn:
        return list(conn.exec_driver_sql("SELECT detail FROM audit_log WHERE action = %s", (action,)).scalars())


def test_a_receiver_that_was_down_reads_which_of_its_alerts_ended(container: Container) -> None:
    """C4: a webhooks token could not learn what ended while its receiver was down (404 on the case, no list)."""
    receiver = Recorder()
    container.deps = replace(container.deps, webhooks=receiver)
    client = partner(container)
    made = client.post("/api/subscriptions", json=WUHAN_HOOK | {"address": "https://partner.example/hook"}).json()
    ended, going = active_case(container), active_case(container)
    for case_id in (ended, going):
        reach.alert_round(container.deps, case_id)
    run_jobs_settled(container)
    alert_ids = {payload["case"]["id"]: payload["alert_id"] for _, payload in receiver.sent}
    assert set(alert_ids) == {ended, going}
    url = f"/api/subscriptions/{made['id']}/ended"
    assert client.get(url).json() == []
    reunion.close_case(container.deps, OPERATOR, ended, reunited=False, keep_data=True)

    listed = client.get(url)
    assert listed.status_code == 200
    assert listed.json() == [{"alert_id": alert_ids[ended], "case": {"id": ended}}]  # as case.ended names it
    assert audited(container, "subscription.ended_listed")[-1] == {"cases": [ended]}
    assert client.get(url, params={"limit": 0}).status_code == 422
    assert client.get(url, params={"offset": 1}).json() == []
    assert partner(container).get(url).status_code == 404  # another's: as one that does not exist
    assert TestClient(create_app(container)).get(url).status_code == 401


def test_a_webhook_asked_for_again_is_answered_without_its_secret_which_its_maker_replaces(
    container: Container
) -> None:
    """C10: posting a webhook's address and area again answered its secret to whoever held the token, unaudited;
    now only the first answer has it (and a retry under its Idempotency-Key), and a new one is asked for."""
    receiver = Recorder()
    container.deps = replace(container.deps, webhooks=receiver)
    client = partner(container)
    hook = WUHAN_HOOK | {"address": "https://partner.example/hook"}
    first = client.post("/api/subscriptions", json=hook, headers={"Idempotency-Key": "make-1"}).json()
    assert first["secret"] and first["status"] == "active"
    retried = client.post("/api/subscriptions", json=hook, headers={"Idempotency-Key": "make-1"}).json()
    assert retried["secret"] == first["secret"]  # the first answer, under its own key
    again = client.post("/api/subscriptions", json=hook)
    assert again.status_code == 201 and again.json()["id"] == first["id"] and again.json()["secret"] is None
    assert f"POST /api/subscriptions/{first['id']}/secret" in again.json()["secret_text"]
    chinese = client.post("/api/subscriptions", json=hook, headers={"Accept-Language": "zh-CN"}).json()
    assert chinese["secret"] is None and "密钥" in chinese["secret_text"]
    assert len(audited(container, "subscription.asked_again")) == 2
    assert count_rows(container, "subscriptions") == 1

    url = f"/api/subscriptions/{first['id']}/secret"
    replaced = client.post(url, headers={"Idempotency-Key": "rotate-1"})
    assert replaced.status_code == 201 and replaced.json()["id"] == first["id"]
    new = replaced.json()["secret"]
    assert new and new != first["secret"]
    assert client.post(url, headers={"Idempotency-Key": "rotate-1"}).json()["secret"] == new  # its retry
    assert len(audited(container, "subscription.secret_replaced")) == 1
    case_id = active_case(container)
    reach.alert_round(container.deps, case_id)
    run_jobs_settled(container)
    assert [secret for secret, _ in receiver.sent] == [new]  # signed with the new secret only

    assert partner(container).post(url).status_code == 404  # another partner's token
    assert partner(container, Scope.READ_CASES).post(url).status_code == 403
    assert client.delete(f"/api/subscriptions/{first['id']}").status_code == 204
    assert client.post(url).status_code == 409  # ended: nothing to sign any more


def test_a_partners_key_revoked_after_an_alert_still_gets_the_take_down(container: Container) -> None:
    """Probe s41 D2: revoking (or rotating) a webhooks key ended its subscriptions, and with them every later
    ``case.ended``: the child stayed on the partner's site after the case ended. The take-down outlives the
    subscription; nothing else goes (no ``case.updated``, no new alert)."""
    receiver = Recorder()
    container.deps = replace(container.deps, webhooks=receiver)
    token = issue_token(container.deps, OPERATOR, "partner", [Scope.WEBHOOKS])
    client = TestClient(create_app(container), headers={"Authorization": f"Bearer {token}"})
    assert client.post("/api/subscriptions", json=WUHAN_HOOK | {"address": "https://partner.example/hook"}).is_success
    case_id, later = active_case(container), active_case(container)
    reach.alert_round(container.deps, case_id)
    run_jobs_settled(container)
    [(_, alert)] = receiver.sent
    receiver.sent.clear()
    holder = from_api_token(container.deps, token)
    assert holder is not None and holder.token_id is not None
    revoke_token(container.deps, OPERATOR, holder.token_id)
    reach.alert_round(container.deps, later)  # the subscription ended: no new alert
    reunion.close_case(container.deps, OPERATOR, case_id, reunited=False, keep_data=True)
    run_jobs_settled(container)
    assert [(p["event"], p["case"]["id"], p["alert_id"]) for _, p in receiver.sent] == [
        ("case.ended", case_id, alert["alert_id"])]
