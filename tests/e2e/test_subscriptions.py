"""Alert subscriptions follow the rights of whatever made them (probe s18 R4): a revoked partner's webhooks
stop at once, a subscription whose maker lost the right another way is ended at its next delivery, admins
list and end subscriptions (API and /admin), partners list and end their own; a webhook's body is ISO 8601
with whole kilometres and says how to stop it (R9); a typed 0 on a form is kept or refused, never
replaced by the default (R10)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient

from reunite.adapters.notify.webhook import HttpWebhooks
from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.entrypoints.api.app import create_app
from reunite.services import accounts, reach, staff
from reunite.services.accounts import issue_token
from tests.conftest import run_jobs_settled
from tests.e2e.test_reach import missing_case, north
from tests.e2e.test_retries import Inbox, form_fields, page_client

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


class Hooks(BaseHTTPRequestHandler):
    """Partners' webhook endpoints: every delivery kept with the path it went to."""

    received: ClassVar[list[tuple[str, dict[str, Any]]]] = []

    def do_POST(self) -> None:
        Hooks.received.append((self.path, json.loads(self.rfile.read(int(self.headers["Content-Length"])))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def hooks(container: Container) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hooks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    container.deps = replace(container.deps, webhooks=HttpWebhooks(allowed_hosts=["127.0.0.1"]))
    Hooks.received = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def partner(container: Container, name: str, *scopes: Scope) -> tuple[TestClient, int]:
    secret = issue_token(container.deps, OPERATOR, name, list(scopes or (Scope.WEBHOOKS,)))
    token_id = max(int(t["id"]) for t in container.deps.read.api_tokens() if t["name"] == name)
    return TestClient(create_app(container), headers={"Authorization": f"Bearer {secret}"}), token_id


def hook(client: TestClient, url: str, km: float = 30) -> int:
    created = client.post("/api/subscriptions", json={"channel": "webhook", "address": url,
                                                      "lat": north(km).lat, "lon": north(km).lon, "radius_km": 5})
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def delivered_after_a_new_case(container: Container, name: str) -> list[str]:
    Hooks.received = []
    missing_case(container, name=name, since=datetime.now(UTC) - timedelta(minutes=5))
    run_jobs_settled(container, timeout=90)
    return sorted(path for path, _ in Hooks.received)


def audit_of(container: Container, subscription_id: int) -> list[tuple[str, str]]:
    with container.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT action, coalesce(detail->>'why', '') FROM audit_log WHERE subject = 'subscription' "
            "AND subject_id = %(id)s ORDER BY at, id", {"id": subscription_id}).all()
    return [(str(a), str(w)) for a, w in rows]


def test_a_revoked_partners_webhooks_stop_and_partners_and_admins_list_and_end_them(
    client: TestClient, container: Container, hooks: str
) -> None:
    scam, scam_token = partner(container, "Scam NGO", Scope.WEBHOOKS, Scope.READ_CASES)
    good, _ = partner(container, "Real NGO")
    scam_hook, good_hook = hook(scam, f"{hooks}/scam"), hook(good, f"{hooks}/good")

    assert delivered_after_a_new_case(container, "小林") == ["/good", "/scam"]
    payload = next(body for path, body in Hooks.received if path == "/scam")
    # R9: every time ISO 8601 with its offset, the distance in whole km; how to stop it
    assert ISO_WITH_OFFSET.match(payload["case"]["missing_since"]), payload["case"]["missing_since"]
    assert ISO_WITH_OFFSET.match(payload["sent_at"])
    assert datetime.fromisoformat(payload["case"]["missing_since"]).utcoffset() is not None
    assert isinstance(payload["distance_km"], int) and 25 <= payload["distance_km"] <= 35
    assert payload["subscription"]["id"] == scam_hook
    assert payload["subscription"]["url"].endswith(f"/api/subscriptions/{scam_hook}")
    assert re.search(rf"/subscriptions/{scam_hook}/unsubscribe\?t=\w+$", payload["subscription"]["unsubscribe_url"])

    # a partner reads its own subscriptions, never another's (nor anyone's secret)
    own = scam.get("/api/subscriptions")
    assert own.status_code == 200 and [s["id"] for s in own.json()] == [scam_hook]
    assert own.json()[0]["working"] is True and "secret" not in own.json()[0]
    assert scam.get(f"/api/subscriptions/{good_hook}").status_code == 404
    assert scam.delete(f"/api/subscriptions/{good_hook}").status_code == 404
    assert {s["id"] for s in client.get("/api/subscriptions").json()} >= {scam_hook, good_hook}  # an admin: all

    # the admin revokes the scam's token: its webhook ends in the same change, audited
    accounts.revoke_token(container.deps, OPERATOR, scam_token)
    assert scam.get("/api/subscriptions").status_code == 401
    ended = client.get(f"/api/subscriptions/{scam_hook}").json()
    assert ended["status"] == "ended" and ended["working"] is False and ended["ended_at"]
    assert ("subscription.ended", "token revoked") in audit_of(container, scam_hook)
    assert delivered_after_a_new_case(container, "小明") == ["/good"]

    # a partner ends its own; ending it again changes nothing
    assert good.delete(f"/api/subscriptions/{good_hook}").status_code == 204
    assert good.delete(f"/api/subscriptions/{good_hook}").status_code == 204
    assert [a for a, _ in audit_of(container, good_hook)].count("subscription.ended") == 1
    assert good.get(f"/api/subscriptions/{good_hook}").json()["status"] == "ended"
    assert delivered_after_a_new_case(container, "小红") == []


def test_a_subscription_whose_maker_lost_the_right_another_way_is_ended_at_its_next_delivery(
    client: TestClient, container: Container, hooks: str
) -> None:
    """A webhook made before revoking ended webhooks (or its token revoked by hand in the database): rights
    follow the current state at every delivery, so nothing is sent, and it ends then."""
    old, old_token = partner(container, "Old partner")
    old_hook = hook(old, f"{hooks}/old")
    with container.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE api_tokens SET revoked_at = now() WHERE id = %(id)s", {"id": old_token})
    listed = next(s for s in client.get("/api/subscriptions").json() if s["id"] == old_hook)
    assert listed["status"] == "active" and listed["void"] is True and listed["working"] is False
    assert delivered_after_a_new_case(container, "小林") == []
    assert client.get(f"/api/subscriptions/{old_hook}").json()["status"] == "ended"
    assert ("subscription.ended", "whoever made it may no longer make it") in audit_of(container, old_hook)


def test_admins_end_subscriptions_on_the_admin_page_and_disabling_an_account_ends_its_own(
    container: Container, hooks: str
) -> None:
    inbox = Inbox()
    container.deps = replace(container.deps, mailer=inbox)
    partner_client, _ = partner(container, "Partner on the page")
    listed_hook = hook(partner_client, f"{hooks}/page")

    volunteer = page_client(container, Role.REPORTER)  # signed in, subscribing by email on /subscribe
    fields = form_fields(volunteer, "/subscribe", "/subscribe")
    assert volunteer.post("/subscribe", data=fields | {"email": "volunteer@example.org",
                                                       "region": "Wuhan"}).status_code == 200
    with container.engine.connect() as conn:
        own, maker = conn.exec_driver_sql("SELECT id, created_by FROM subscriptions WHERE channel = 'email'").one()
    assert maker.startswith("account:")

    admin = page_client(container, Role.ADMIN)
    page = admin.get("/admin")
    assert page.status_code == 200 and f"{hooks}/page" in page.text and "Partner on the page" in page.text
    assert "volunteer@example.org" in page.text  # made by an account: an admin sees it
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    ended = admin.post(f"/admin/subscriptions/{listed_hook}/end", data={"csrf": csrf.group(1)},
                       follow_redirects=False)
    assert ended.status_code == 303
    assert ("subscription.ended", "ended by an admin") in audit_of(container, listed_hook)
    zh = admin.get("/admin", headers={"Accept-Language": "zh-CN"}).text
    assert "合作机构和工作人员创建的提醒订阅" in zh and "已于" in zh

    staff.set_disabled(container.deps, OPERATOR, int(maker.split(":")[1]), True)
    with container.engine.connect() as conn:
        status = conn.exec_driver_sql("SELECT status FROM subscriptions WHERE id = %(id)s", {"id": own}).scalar()
    assert status == "ended" and ("subscription.ended", "account disabled") in audit_of(container, own)
    # its confirmation link cannot bring it back
    token = reach.link(container.deps, own, "confirm").split("t=")[1]
    confirmed = TestClient(create_app(container)).post(f"/subscriptions/{own}/confirm", data={"t": token})
    assert confirmed.status_code == 409


def test_a_typed_zero_is_kept_or_refused_never_replaced_by_the_default(container: Container) -> None:
    """R10: a radius of 0 km typed on /subscribe became 10 km without a word; a source's interval of 0
    minutes became 15."""
    container.deps = replace(container.deps, mailer=Inbox())
    browser = page_client(container)
    fields = form_fields(browser, "/subscribe", "/subscribe")
    sent = browser.post("/subscribe", data=fields | {"email": "sub2@example.org", "lat": "30.64", "lon": "104.04",
                                                     "radius_km": "0"})
    # refused, never made 10 km: a point's radius is 1 to 1,000 km (probe s21 U7), said by the field, 0 kept
    assert sent.status_code == 422 and "between 1 and 1,000 km" in sent.text
    assert re.search(r'name="radius_km"[^>]*value="0"|value="0"[^>]*name="radius_km"', sent.text)
    with container.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM subscriptions").scalar_one() == 0
    sent = browser.post("/subscribe", data=fields | {"email": "sub2@example.org", "lat": "30.64", "lon": "104.04",
                                                     "radius_km": "1"})
    assert sent.status_code == 200
    with container.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT radius_km FROM subscriptions").scalar_one() == 1

    moderator = page_client(container, Role.MODERATOR)
    fields = form_fields(moderator, "/moderation/sources", "/moderation/sources")
    typed = {"kind": "feed", "url": "https://news.example.org/rss", "name": "News", "interval": "0"}
    refused = moderator.post("/moderation/sources", data=fields | typed)
    assert refused.status_code == 422 and "5 to 1440 minutes" in refused.text


def test_an_email_subscription_its_owner_confirmed_outlives_the_partner_token_that_asked_for_it(
    client: TestClient, container: Container
) -> None:
    """Probe s19 S1: a partner signed a person up for email alerts and the person confirmed them (double
    opt-in): they are the person's. Revoking the partner's token ends only what it still controls (its
    unconfirmed requests, its webhooks); the confirmed alerts keep arriving."""
    inbox = Inbox()
    container.deps = replace(container.deps, mailer=inbox)
    partner_client, token_id = partner(container, "Hook")
    made = {}
    for address in ("someone@example.org", "unconfirmed@example.org"):
        created = partner_client.post("/api/subscriptions", json={
            "channel": "email", "address": address, "lat": north(30).lat, "lon": north(30).lon, "radius_km": 50})
        assert created.status_code == 201, created.text
        made[address] = int(created.json()["id"])
    confirmed = made["someone@example.org"]
    reach.set_status(container.deps, confirmed, "confirm",
                     reach.link(container.deps, confirmed, "confirm").split("t=")[1])

    accounts.revoke_token(container.deps, OPERATOR, token_id)
    listed = {s["id"]: s for s in client.get("/api/subscriptions").json()}
    assert listed[confirmed]["status"] == "active" and listed[confirmed]["working"] is True
    assert listed[confirmed]["void"] is False
    assert listed[made["unconfirmed@example.org"]]["status"] == "ended"

    inbox.sent = []
    missing_case(container, name="小雨", since=datetime.now(UTC) - timedelta(minutes=5))
    run_jobs_settled(container, timeout=90)
    assert [kind for to, kind in inbox.sent if to == "someone@example.org"] != []
    assert client.get(f"/api/subscriptions/{confirmed}").json()["status"] == "active"
    assert not [to for to, _ in inbox.sent if to == "unconfirmed@example.org"]
