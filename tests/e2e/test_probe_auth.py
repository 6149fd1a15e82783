"""Attack tests for the outside probe's findings on accounts and the edge (issue 10: 4, 5, 6, 7, 13,
14), written as the attacker worked: through HTTP, with real accounts and tokens."""

from __future__ import annotations

import re
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
import typer.testing
from fastapi.testclient import TestClient

from reunite.adapters.notify.webhook import HttpWebhooks, RefusedAddress
from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.entrypoints import cli, serving
from reunite.entrypoints.api.app import create_app
from reunite.services import accounts, reach
from tests.conftest import SettableClock, a_case, count_rows, run_jobs, session_for
from tests.e2e.test_reach import WUHAN, Inbox, inbox, local, mailing, missing_case, text_of  # noqa: F401

PASSWORD = "correct horse battery"


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "the page has no form"
    return found.group(1)


def token_client(container: Container, scope: Scope) -> TestClient:
    token = accounts.issue_token(container.deps, OPERATOR, f"partner {scope.value}", [scope])
    return TestClient(create_app(container), headers={"Authorization": f"Bearer {token}"})


class Target(BaseHTTPRequestHandler):
    """A service on the server's own loopback that an attacker would like webhooks to reach."""

    hits: ClassVar[list[str]] = []
    answer: ClassVar[tuple[int, str]] = (204, "")

    def do_POST(self) -> None:
        Target.hits.append(self.path)
        self.send_response(Target.answer[0])
        if Target.answer[1]:
            self.send_header("Location", Target.answer[1])
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def target() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Target)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Target.hits, Target.answer = [], (204, "")
    yield int(server.server_address[1])
    server.shutdown()


# 4. SSRF through webhooks

def test_webhooks_need_their_scope_and_never_reach_a_local_address(container: Container, target: int) -> None:
    body = {"channel": "webhook", "region": "wuhan"}
    reader = token_client(container, Scope.READ_CASES)
    assert reader.post("/api/subscriptions", json=body | {"address": "https://93.184.216.34/"}).status_code == 403
    partner = token_client(container, Scope.WEBHOOKS)
    for host in ("127.0.0.1", "localhost", "2130706433", "0x7f000001", "127.1", "[::ffff:127.0.0.1]", "[::1]"):
        refused = partner.post("/api/subscriptions", json=body | {"address": f"http://{host}:{target}/x"})
        assert refused.status_code == 422 and refused.json()["field"] == "address", host
    assert count_rows(container, "subscriptions") == 0

    # a host that resolved to a public address when subscribing, and to loopback at delivery (DNS rebinding)
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])
    container.deps = replace(container.deps, webhooks=HttpWebhooks(resolve=lambda host, port: next(answers)))
    created = partner.post("/api/subscriptions", json=body | {"address": f"http://rebind.example:{target}/x"})
    assert created.status_code == 201
    case_id = missing_case(container, since=datetime.now(UTC) - timedelta(minutes=5))
    assert reach.alert_round(container.deps, case_id) == 1
    with container.engine.connect() as conn:
        alert_id = conn.exec_driver_sql("SELECT id FROM alerts").scalar_one()
    with pytest.raises(RefusedAddress):
        reach.deliver_alert(container.deps, alert_id)
    assert Target.hits == []  # never reached
    with container.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT status FROM outbox").scalar_one() == "failed"


def test_webhook_deliveries_follow_no_redirect(container: Container, target: int) -> None:
    """Delivery works to a host the operator allowed, and a redirect from there is not followed."""
    container.deps = replace(container.deps, webhooks=HttpWebhooks(allowed_hosts=["127.0.0.1"]))
    partner = token_client(container, Scope.WEBHOOKS)
    for path in ("/ok", "/moved"):
        body = {"channel": "webhook", "region": "wuhan", "address": f"http://127.0.0.1:{target}{path}"}
        assert partner.post("/api/subscriptions", json=body).status_code == 201
    case_id = missing_case(container, since=datetime.now(UTC) - timedelta(minutes=5))
    reach.alert_round(container.deps, case_id)
    with container.engine.connect() as conn:
        alerts = {address.rsplit("/", 1)[1]: alert for alert, address in conn.exec_driver_sql(
            "SELECT a.id, s.address FROM alerts a JOIN subscriptions s ON s.id = a.subscription_id")}
    reach.deliver_alert(container.deps, alerts["ok"])
    Target.answer = (302, f"http://127.0.0.1:{target}/stolen")
    with pytest.raises(Exception, match="302"):
        reach.deliver_alert(container.deps, alerts["moved"])
    assert Target.hits == ["/ok", "/moved"]  # /stolen never asked for


# 5. X-Forwarded-For

def test_a_new_forwarded_for_value_does_not_reset_a_limit(anonymous: TestClient, container: Container) -> None:
    limit = container.deps.limits.takedowns_per_hour
    answers = [anonymous.post("/api/takedowns", headers={"X-Forwarded-For": f"203.0.113.{i}"},
                              json={"subject": "case", "subject_id": 1, "requester": "me", "reason": "mine"})
               for i in range(limit + 3)]
    assert [a.status_code for a in answers] == [202] * limit + [429] * 3


def test_serve_leaves_proxy_headers_to_the_trusted_list(container: Container,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    seen: dict[str, Any] = {}
    from reunite.entrypoints import cli_serve

    # ``serve`` lives in cli_serve: its own bootstrap is this test's, never the user's data folder's database
    monkeypatch.setattr(cli_serve, "bootstrap", lambda: container)
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(kwargs))
    assert typer.testing.CliRunner().invoke(cli.app, ["serve", "--workers", "1"]).exit_code == 0
    assert seen["proxy_headers"] is False  # uvicorn would otherwise believe 127.0.0.1
    assert serving.web_config("127.0.0.1", 8000, 2, 3).proxy_headers is False  # several web processes alike


# 6. Who has an account

def test_sign_up_answers_alike_and_the_link_finishes_the_family_journey(
    mailing: Container, inbox: Inbox  # noqa: F811
) -> None:
    accounts.sign_up(mailing.deps, "known@example.org", PASSWORD, "Known")
    browser = TestClient(create_app(mailing), base_url="https://testserver")
    answers = []
    for email in ("known@example.org", "new@example.org"):
        token = csrf_of(browser.get("/signup").text)
        answer = browser.post("/signup", data={"csrf": token, "email": email})
        answers.append((answer.status_code, answer.text.replace(email, "EMAIL")))
    assert answers[0] == answers[1] and answers[0][0] == 200
    run_jobs(mailing)
    assert "/login" in text_of(inbox.to("known@example.org")[0])  # its owner hears someone tried
    link = re.search(r"https://reunite\.test/signup/\S+", text_of(inbox.to("new@example.org")[0]))
    assert link
    page = browser.get(local(link.group(0)))
    assert page.status_code == 200 and "new@example.org" in page.text
    done = browser.post(local(link.group(0)), data={"csrf": csrf_of(page.text), "name": "Mother",
                                                      "password": PASSWORD}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/cases/new"
    assert browser.get("/cases/new").status_code == 200  # signed in, registering the case
    forged = local(link.group(0))[:-3] + "abc"
    assert browser.get(forged).status_code == 422


def test_sign_in_costs_the_same_whether_the_email_exists(container: Container) -> None:
    accounts.sign_up(container.deps, "mother@example.org", PASSWORD, "Mother")
    hashes = Counting(container.deps.passwords)
    deps = replace(container.deps, passwords=hashes,
                   limits=replace(container.deps.limits, sign_in_failures_per_account=10_000))
    times: dict[str, list[float]] = {"unknown": [], "wrong": []}
    for _ in range(12):
        for kind, email in (("unknown", "nobody@example.org"), ("wrong", "mother@example.org")):
            start = time.perf_counter()
            with pytest.raises(Exception, match="not right"):
                accounts.sign_in(deps, email, "a wrong password")
            times[kind].append(time.perf_counter() - start)
    unknown, wrong = statistics.median(times["unknown"]), statistics.median(times["wrong"])
    assert 0.6 < unknown / wrong < 1.6, (unknown, wrong)  # the probe measured 2×
    assert hashes.hashed == 0  # the dummy hash was made once, at start-up, not per attempt


def test_sign_in_answers_alike_for_an_unknown_email(anonymous: TestClient, container: Container) -> None:
    accounts.sign_up(container.deps, "mother@example.org", PASSWORD, "Mother")
    answers = []
    for email in ("mother@example.org", "nobody@example.org"):
        token = csrf_of(anonymous.get("/login").text)
        answer = anonymous.post("/login", data={"csrf": token, "email": email, "password": "not her password"})
        answers.append((answer.status_code, answer.text.replace(email, "EMAIL").replace(token, "CSRF")))
    assert answers[0] == answers[1] and answers[0][0] == 422


class Counting:
    """The real password hasher, counting the costly calls."""

    def __init__(self, real: Any) -> None:
        self.real, self.hashed, self.verified = real, 0, 0

    def hash(self, password: str) -> str:
        self.hashed += 1
        return str(self.real.hash(password))

    def verify(self, hashed: str, password: str) -> bool:
        self.verified += 1
        return bool(self.real.verify(hashed, password))

    def verify_dummy(self, password: str) -> bool:
        self.verified += 1
        return bool(self.real.verify_dummy(password))


# 7. Throttles

def test_thirty_wrong_passwords_lock_the_account_without_hashing(anonymous: TestClient, container: Container) -> None:
    accounts.sign_up(container.deps, "mother@example.org", PASSWORD, "Mother")
    clock = SettableClock(datetime.now(UTC))
    hasher = Counting(container.deps.passwords)
    container.deps = replace(container.deps, clock=clock, passwords=hasher)

    def attempt(password: str, **headers: str) -> Any:
        token = csrf_of(anonymous.get("/login").text)
        return anonymous.post("/login", data={"csrf": token, "email": "mother@example.org", "password": password},
                              headers=headers, follow_redirects=False)

    statuses = [attempt(f"guess number {i}").status_code for i in range(30)]
    allowed = container.deps.limits.sign_in_failures_per_account
    assert statuses == [422] * allowed + [429] * (30 - allowed)
    assert hasher.verified == allowed  # no Argon2 while locked: nothing to exhaust
    right = attempt(PASSWORD, **{"Accept-Language": "zh-CN"})
    assert right.status_code == 429 and int(right.headers["Retry-After"]) > 0
    assert "登录失败次数过多" in right.text
    clock.current += timedelta(seconds=int(right.headers["Retry-After"]) + 1)
    assert attempt("still a wrong guess").status_code == 422
    assert attempt(PASSWORD).status_code == 429  # the lock doubles with each further failure
    clock.current += timedelta(minutes=2)
    assert attempt(PASSWORD).status_code == 303


def test_a_rate_limit_is_the_sliding_window_its_words_name(anonymous: TestClient, container: Container) -> None:
    """Probe s18, R11: five removal requests in one second at 10:26 were told "try again in 34 min", at the
    next clock hour, though the words said "at most 5 in 60 minutes": the window was the clock hour."""
    clock = SettableClock(datetime(2026, 12, 5, 2, 26, 0, tzinfo=UTC))
    container.deps = replace(container.deps, clock=clock)
    limit, case = container.deps.limits.takedowns_per_hour, a_case(container)

    def ask(i: int) -> Any:
        token = csrf_of(anonymous.get("/takedown").text)
        return anonymous.post("/takedown", data={"csrf": token, "subject": "case", "subject_id": str(case),
                                                 "requester": f"person {i}", "reason": "mine"})

    assert [ask(i).status_code for i in range(limit)] == [200] * limit
    clock.current += timedelta(seconds=1)
    refused = ask(limit)
    wait = int(refused.headers["Retry-After"])
    assert refused.status_code == 429 and 3600 - 1 <= wait <= 3660, wait  # when one more fits, not 02:59:59
    assert f"at most {limit} in 60 minutes; try again in {min(60, -(-wait // 60))} min" in refused.text
    clock.current = datetime(2026, 12, 5, 3, 0, 30, tzinfo=UTC)  # past the clock hour: still within 60 minutes
    again = ask(limit + 1)
    assert again.status_code == 429 and abs(int(again.headers["Retry-After"]) - (wait - 2069)) <= 1
    clock.current = datetime(2026, 12, 5, 2, 26, 1, tzinfo=UTC) + timedelta(seconds=wait)
    assert ask(limit + 2).status_code == 200  # as soon as it said, though it asked again while refused
    assert count_rows(container, "takedowns") == limit + 1


def test_one_address_trying_many_accounts_is_locked_too(anonymous: TestClient, container: Container) -> None:
    per_address = container.deps.limits.sign_in_failures_per_address
    statuses = []
    for i in range(per_address + 2):
        token = csrf_of(anonymous.get("/login").text)
        statuses.append(anonymous.post("/login", data={"csrf": token, "email": f"user{i}@example.org",
                                                       "password": "1234567890"}).status_code)
    assert statuses == [422] * per_address + [429] * 2


class KeptMail:
    """A mailer that sends nothing but says it could."""

    configured = True

    def send(self, to: str, kind: str, language: str, context: dict[str, Any],
             headers: dict[str, str] | None = None) -> str:
        return kind


def test_sign_ups_and_takedowns_are_throttled(anonymous: TestClient, container: Container) -> None:
    container.deps = replace(container.deps, mailer=KeptMail())  # without email, sign-up sends nothing to limit
    answers = [anonymous.post("/signup", data={"csrf": csrf_of(anonymous.get("/signup").text),
                                               "email": f"someone{i}@example.org"})
               for i in range(container.deps.limits.sign_ups_per_hour + 2)]
    statuses = [answer.status_code for answer in answers]
    assert statuses[-2:] == [429, 429] and set(statuses[:-2]) == {200}
    wait = int(answers[-1].headers["Retry-After"])  # the page says how long to wait, as the header does
    assert 0 < wait <= 3660 and f"try again in {min(60, -(-wait // 60))} min" in answers[-1].text
    takedowns, case = [], a_case(container)
    for i in range(30):  # each from another requester: the same one again is the request waiting (test_retries)
        token = csrf_of(anonymous.get("/takedown").text)
        takedowns.append(anonymous.post("/takedown", data={"csrf": token, "subject": "case", "subject_id": str(case),
                                                           "requester": f"person {i}", "reason": "mine"}))
    assert sum(t.status_code == 200 for t in takedowns) == container.deps.limits.takedowns_per_hour
    assert takedowns[-1].status_code == 429 and "Retry-After" in takedowns[-1].headers
    assert count_rows(container, "takedowns") == container.deps.limits.takedowns_per_hour


# 13. Tokens

def test_tokens_issue_no_admin_tokens_and_revoking_one_revokes_what_it_issued(container: Container) -> None:
    _, session = session_for(container, Role.ADMIN)
    admin = accounts.from_session(container.deps, session)
    assert admin is not None
    integration = accounts.issue_token(container.deps, admin, "registry", [Scope.ADMIN])
    api = TestClient(create_app(container), headers={"Authorization": f"Bearer {integration}"})
    refused = api.post("/api/tokens", json={"name": "backdoor", "scopes": ["admin"]})
    assert refused.status_code == 403
    child = api.post("/api/tokens", json={"name": "a partner", "scopes": ["read:cases"]})
    assert child.status_code == 201
    partner = TestClient(create_app(container), headers={"Authorization": f"Bearer {child.json()['token']}"})
    assert partner.get("/api/cases/1").status_code == 404  # a working token (no such case)
    integration_id = max(int(t["id"]) for t in container.deps.read.api_tokens() if t["name"] == "registry")
    accounts.revoke_token(container.deps, admin, integration_id)
    revoked = partner.get("/api/cases/1")
    assert revoked.status_code == 401  # revoked with the token that issued it
    # probe s15, N5: a 401 says how to authenticate, and that the token sent is not valid
    assert revoked.headers["WWW-Authenticate"] == 'Bearer realm="reunite", error="invalid_token"'
    unsigned = TestClient(create_app(container)).get("/api/audit")
    assert unsigned.status_code == 401 and unsigned.headers["WWW-Authenticate"] == 'Bearer realm="reunite"'

    def audited() -> int:
        with container.engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT count(*) FROM audit_log WHERE action = 'token.revoked'")
                       .scalar_one())

    before = audited()
    ops = accounts.issue_token(container.deps, admin, "ops", [Scope.ADMIN])
    owner = TestClient(create_app(container), headers={"Authorization": f"Bearer {ops}"})
    assert owner.delete("/api/tokens/999999").status_code == 404
    assert owner.delete(f"/api/tokens/{integration_id}").status_code == 204  # already revoked: nothing new
    assert audited() == before


# 14. CSRF bound to the session

def test_a_planted_csrf_cookie_or_another_sessions_token_is_refused(container: Container) -> None:
    attacker = TestClient(create_app(container))
    attacker_token = csrf_of(attacker.get("/takedown").text)
    attacker_cookie = attacker.cookies["reunite_csrf"]
    victim = TestClient(create_app(container))
    victim.cookies.set("reunite_session", session_for(container, Role.MODERATOR)[1])
    victim.get("/moderation")
    victim.cookies.delete("reunite_csrf")
    victim.cookies.set("reunite_csrf", "planted")
    assert victim.post("/logout", data={"csrf": "planted"}, follow_redirects=False).status_code == 403
    victim.cookies.delete("reunite_csrf")
    victim.cookies.set("reunite_csrf", attacker_cookie)  # a genuine pre-session, but the attacker's
    assert victim.post("/logout", data={"csrf": attacker_token}, follow_redirects=False).status_code == 403
    own = csrf_of(victim.get("/moderation").text)
    assert victim.post("/logout", data={"csrf": own}, follow_redirects=False).status_code == 303
    fresh = TestClient(create_app(container))
    fresh.cookies.set("reunite_csrf", "planted.0123456789abcdef0123456789abcdef")
    issued = fresh.get("/takedown").headers["set-cookie"]  # a forged one is replaced by one the server signs
    assert issued.startswith("reunite_csrf=") and "planted" not in issued


def test_a_successful_sign_in_ends_the_addresss_run_of_failures_and_the_email_lock_stays(
    container: Container,
) -> None:
    """"20 failures in a row from an address": people sharing one address (a school, a carrier's NAT)
    who sign in between typos are not locked out together; each email still locks after its own 5."""
    from reunite.domain.errors import NotSignedIn, TooManyRequests
    from reunite.services.accounts import sign_in, sign_up

    deps = container.deps
    sign_up(deps, "teacher@example.org", "correct horse battery", "Teacher")
    per_address = deps.limits.sign_in_failures_per_address
    for round_ in range(3):
        for i in range(per_address - 1):
            with pytest.raises(NotSignedIn):
                sign_in(deps, f"pupil{round_}-{i}@example.org", "wrong password", ip="10.0.0.1")
        assert sign_in(deps, "teacher@example.org", "correct horse battery", ip="10.0.0.1")
    for _ in range(deps.limits.sign_in_failures_per_account):
        with pytest.raises(NotSignedIn):
            sign_in(deps, "teacher@example.org", "wrong password", ip=f"10.0.1.{_}")
    with pytest.raises(TooManyRequests):
        sign_in(deps, "teacher@example.org", "correct horse battery", ip="10.0.2.1")
