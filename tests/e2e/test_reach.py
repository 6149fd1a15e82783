"""Alerts with a widening radius, emails through a real SMTP server, signed webhooks with retries,
digests, and the notices families and reviewers get."""

from __future__ import annotations

import email
import email.header
import email.utils
import hashlib
import hmac
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from reunite.adapters.notify.webhook import HttpWebhooks
from reunite.bootstrap import Container, bootstrap
from reunite.config import Settings
from reunite.domain.access import OPERATOR, Principal, Role
from reunite.domain.model import CandidateStatus, GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import intake, reach, review
from reunite.services.accounts import from_session
from reunite.services.moderation import verify_case
from reunite.services.reunion import send_message
from tests.browser.conftest import free_port
from tests.conftest import SettableClock, run_jobs_settled, session_for
from tests.photos import portrait

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
WUHAN = GeoPoint(30.59, 114.31)
POLICE = Principal(role=Role.POLICE, account_id=None, name="officer")
KM_PER_DEGREE = 111.2


def north(km: float) -> GeoPoint:
    return GeoPoint(WUHAN.lat + km / KM_PER_DEGREE, WUHAN.lon)


def missing_case(container: Container, who: Principal = OPERATOR, name: str = "小林",
                 since: datetime = T0, contact: str = "+86 138 0000 1111", place: GeoPoint = WUHAN) -> int:
    case = NewCase(given_name=name, family_name="Zhang", sex=Sex.FEMALE, birth_date=date(2018, 3, 1),
                   missing_since=since, last_seen_place=place, last_seen_text="Wuhan, Hankou station",
                   family_contact=contact)
    photo = Upload(portrait(), "kid.jpg")
    return intake.register_case(container.deps, who, case, [photo], [None]).case_id


def test_the_alert_radius_widens_with_time_and_each_subscriber_hears_once(
    container: Container
) -> None:
    clock = SettableClock(T0 + timedelta(minutes=30))
    deps = replace(container.deps, clock=clock, webhooks=HttpWebhooks(resolve=lambda host, port: ["93.184.216.34"]))
    far = {km: reach.subscribe(deps, OPERATOR, "webhook", f"https://partner.example/{km}", north(km), 1)[0]
           for km in (50, 150, 250, 400, 700)}
    by_region = reach.subscribe(deps, OPERATOR, "webhook", "https://partner.example/wuhan", None, 0, "wuhan")[0]
    case_id = missing_case(container)

    def alerted() -> set[int]:
        with container.engine.connect() as conn:
            return set(conn.exec_driver_sql("SELECT subscription_id FROM alerts WHERE case_id = %s",
                                            (case_id,)).scalars())

    assert reach.alert_round(deps, case_id) == 2
    assert alerted() == {far[50], by_region}
    with container.engine.connect() as conn:
        planned = conn.exec_driver_sql("SELECT scheduled_at FROM procrastinate_jobs WHERE task_name = "
                                       "'reach.alert_round' ORDER BY id DESC LIMIT 1").scalar_one()
    assert planned == T0 + timedelta(hours=1)  # the next round, when the radius widens
    assert reach.alert_round(deps, case_id) == 0  # once per case and subscriber
    for minutes, newly in ((90, far[150]), (150, far[250]), (240, far[400])):
        clock.current = T0 + timedelta(minutes=minutes)
        assert reach.alert_round(deps, case_id) == 1
        assert newly in alerted()
    clock.current = T0 + timedelta(days=3)
    assert reach.alert_round(deps, case_id) == 0 and far[700] not in alerted()  # 500 km at most

    with container.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE cases SET status = 'reunited' WHERE id = %s", (case_id,))
    reach.subscribe(deps, OPERATOR, "webhook", "https://partner.example/late", north(10), 1)
    assert reach.alert_round(deps, case_id) == 0  # alerts stop when the case closes


def test_a_region_subscriber_hears_of_cases_in_their_city_or_province_in_any_script(
    container: Container
) -> None:
    """Subscriptions to Shenzhen, 深圳, Guangdong and 广东 all hear of a case last seen at 深圳 福田;
    Wuhan and 北京 do not. The case is placed by the city the public reads (广东省深圳市), not the words."""
    deps = replace(container.deps, clock=SettableClock(T0 + timedelta(minutes=30)),
                   webhooks=HttpWebhooks(resolve=lambda host, port: ["93.184.216.34"]))
    regions = ("Shenzhen", "深圳", "Guangdong", "广东", "廣東", "Wuhan", "北京")
    subs = {region: reach.subscribe(deps, OPERATOR, "webhook", f"https://partner.example/{n}", None, 0, region)[0]
            for n, region in enumerate(regions)}
    case = NewCase(given_name="小林", family_name="Zhang", sex=Sex.FEMALE, birth_date=date(2018, 3, 1),
                   missing_since=T0, last_seen_place=None, last_seen_text="深圳 福田",
                   family_contact="+86 138 0000 1111")
    case_id = intake.register_case(container.deps, OPERATOR, case, [Upload(portrait(), "kid.jpg")], [None]).case_id
    assert reach.alert_round(deps, case_id) == 5
    with container.engine.connect() as conn:
        alerted = set(conn.exec_driver_sql("SELECT subscription_id FROM alerts WHERE case_id = %s",
                                           (case_id,)).scalars())
    assert alerted == {subs[r] for r in ("Shenzhen", "深圳", "Guangdong", "广东", "廣東")}


def test_what_alerts_tell_follows_the_cell_where_the_child_was_last_seen(container: Container) -> None:
    """Subscribers (anyone, partners) see where a child was last seen to its ~1 km cell: however many
    points and radii they subscribe, whether an alert comes and how far it says the place is are the same
    wherever in the cell (30.59–30.60, 114.31–114.32) the child was last seen."""
    deps = replace(container.deps, clock=SettableClock(T0 + timedelta(minutes=30)),
                   webhooks=HttpWebhooks(resolve=lambda host, port: ["93.184.216.34"]))
    points = [reach.subscribe(deps, OPERATOR, "webhook", f"https://partner.example/{km}", north(km + 1), 1)[0]
              for km in (99.2, 99.6, 100.0, 100.4, 100.8)]  # across the first hour's 100 km, north of the cell
    told = []
    for corner in (GeoPoint(30.5901, 114.3101), GeoPoint(30.5999, 114.3199)):
        case_id = missing_case(container, place=corner)
        reach.alert_round(deps, case_id)
        with container.engine.connect() as conn:
            told.append(dict(conn.exec_driver_sql("SELECT subscription_id, distance_km FROM alerts "
                                                  "WHERE case_id = %s", (case_id,)).all()))
    assert told[0] == told[1]
    assert points[0] in told[0] and points[-1] not in told[0]


class Inbox:
    """A real SMTP server (aiosmtpd) on loopback that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.port = free_port()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


def text_of(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


def subject_of(message: Message) -> str:
    return str(email.header.make_header(email.header.decode_header(message["Subject"])))


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    kept = Inbox()
    controller = Controller(kept, hostname="127.0.0.1", port=kept.port)
    controller.start()
    yield kept
    controller.stop()


@pytest.fixture
def mailing(settings: Settings, inbox: Inbox, face_engine: Any) -> Iterator[Container]:
    """The app wired to the local SMTP server, at a public https address."""
    wired = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": inbox.port,
                                        "public_url": "https://reunite.test"})
    built = bootstrap(wired, run_migrations=False, faces=face_engine)
    yield built
    built.close()


def local(url: str) -> str:
    return url.removeprefix("https://reunite.test")


def follow(client: TestClient, link: str) -> None:
    """What a person does with an emailed link: open the page, press its one button."""
    page = client.get(local(link))
    assert page.status_code == 200
    token = re.search(r'name="t" value="([^"]+)"', page.text)
    assert token, page.text
    assert client.post(local(link).split("?")[0], data={"t": token.group(1)}).status_code == 200


def test_email_alerts_confirm_arrive_and_unsubscribe(mailing: Container, inbox: Inbox) -> None:
    with TestClient(create_app(mailing)) as anonymous:
        created = anonymous.post("/api/subscriptions", json={"address": "neighbour@example.org",
                                                             "lat": north(20).lat, "lon": north(20).lon,
                                                             "radius_km": 5, "language": "zh_CN"})
        assert created.status_code == 201 and created.json()["secret"] is None
        run_jobs_settled(mailing)
        confirmation = inbox.to("neighbour@example.org")
        assert len(confirmation) == 1 and "确认" in subject_of(confirmation[0])
        # every email says when it was sent (RFC 5322's required Date) and the language it is written in
        sent = email.utils.parsedate_to_datetime(confirmation[0]["Date"])
        assert abs(sent - datetime.now(UTC)) < timedelta(minutes=5)
        assert confirmation[0]["Content-Language"] == "zh-CN"
        confirm = re.search(r"https://reunite\.test/subscriptions/\d+/confirm\?t=\w+", text_of(confirmation[0]))
        assert confirm
        follow(anonymous, confirm.group(0))

        case_id = missing_case(mailing, since=datetime.now(UTC) - timedelta(minutes=20))
        run_jobs_settled(mailing)
        alerts = inbox.to("neighbour@example.org")[1:]
        assert len(alerts) == 1
        alert, text = alerts[0], text_of(alerts[0])
        assert alert["Date"] and alert["Content-Language"] == "zh-CN"
        assert "小林" in subject_of(alert) and "在湖北省武汉市失踪" in text  # the city in the reader's script
        assert "Wuhan" not in text and "Hankou" not in text
        assert f"https://reunite.test/p/{case_id}" in text and "110" in text
        assert "Zhang" not in text and "138 0000" not in text  # never the family's name or contact
        unsubscribe = re.search(r"https://reunite\.test/subscriptions/\d+/unsubscribe\?t=\w+", text)
        assert unsubscribe and alert["List-Unsubscribe"] == f"<{unsubscribe.group(0)}>"
        assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        forged = unsubscribe.group(0)[:-4] + "0000"
        assert anonymous.post(local(forged)).status_code == 422
        assert anonymous.post(local(unsubscribe.group(0))).status_code == 200  # one click, as mail clients do

        missing_case(mailing, name="小明", since=datetime.now(UTC) - timedelta(minutes=5))
        run_jobs_settled(mailing)
        assert len(inbox.to("neighbour@example.org")) == 2  # nothing after unsubscribing


def test_families_hear_of_confirmed_candidates_only_and_reviewers_of_waiting_work(
    mailing: Container, inbox: Inbox
) -> None:
    deps = mailing.deps
    _, session = session_for(mailing, Role.REPORTER, "mother@example.org")
    family = from_session(deps, session)
    session_for(mailing, Role.MODERATOR, "volunteer@example.org")
    assert family is not None
    case_id = missing_case(mailing, who=family, since=datetime(2019, 6, 1, tzinfo=UTC))
    verify_case(deps, OPERATOR, case_id, "police report seen")
    photo = Upload(portrait("collins", 1), "street.jpg")
    intake.report_sighting(deps, OPERATOR, NewSighting(seen_at=datetime(2024, 1, 1, tzinfo=UTC), place=None),
                           [photo])
    run_jobs_settled(mailing)
    # its case verified (probe s30 D6), and nothing of an unreviewed candidate
    assert [subject_of(m) for m in inbox.to("mother@example.org")] == ["The case of 小林 is verified"]
    queue = inbox.to("volunteer@example.org")
    assert len(queue) == 1 and "/moderation" in text_of(queue[0])

    candidate = deps.read.candidates(case_id, None)[0]
    review.review_candidate(deps, OPERATOR, candidate["id"], CandidateStatus.CONFIRMED, "")
    moderator = Principal(role=Role.MODERATOR, account_id=None, name="volunteer")
    send_message(deps, moderator, case_id, "Please call the station.")
    run_jobs_settled(mailing)
    told = [subject_of(m) for m in inbox.to("mother@example.org")]
    assert told == ["The case of 小林 is verified", "News about 小林", "A new message about 小林"]
    assert all(m["Date"] and m["Content-Language"] == "en" for m in inbox.messages)
    assert "Please call" not in text_of(inbox.to("mother@example.org")[2])  # details stay behind sign-in


def test_daily_digest_lists_the_days_cases_in_one_email(mailing: Container, inbox: Inbox) -> None:
    deps = mailing.deps
    subscription_id, _ = reach.subscribe(deps, OPERATOR, "email", "digest@example.org", north(30), 10, digest=True)
    reach.set_status(deps, subscription_id, "confirm", local(reach.link(deps, subscription_id, "confirm"))
                     .split("t=")[1])
    for name in ("小林", "小明"):
        missing_case(mailing, name=name, since=datetime.now(UTC) - timedelta(minutes=10))
    run_jobs_settled(mailing)
    assert inbox.to("digest@example.org")[1:] == []  # the confirmation only
    assert reach.send_digests(deps) == 1
    digest = inbox.to("digest@example.org")[-1]
    assert "2" in subject_of(digest) and "小林" in text_of(digest) and "小明" in text_of(digest)
    assert reach.send_digests(deps) == 0


def test_a_digest_says_what_is_new_never_today_and_gives_the_alerts_safety_advice(
    mailing: Container, inbox: Inbox
) -> None:
    """Probe s26 Z7: a child missing since 2020 was announced as missing "today" (今天), and the digest
    left out the single alert's "Do not approach anyone"."""
    deps = mailing.deps
    for address, language in (("tw@example.org", "zh_TW"), ("en@example.org", "en")):
        subscription_id, _ = reach.subscribe(deps, OPERATOR, "email", address, north(30), 10, language=language,
                                             digest=True)
        reach.set_status(deps, subscription_id, "confirm", local(reach.link(deps, subscription_id, "confirm"))
                         .split("t=")[1])
    missing_case(mailing, name="美玲", since=datetime(2020, 6, 1, 2, 0, tzinfo=UTC))
    run_jobs_settled(mailing)
    assert reach.send_digests(deps) == 2
    taiwan, english = inbox.to("tw@example.org")[-1], inbox.to("en@example.org")[-1]
    assert subject_of(taiwan) == "Reunite：您附近有 1 條新的兒童尋人啟事"
    assert subject_of(english) == "Reunite: 1 new appeal for a missing child near you"
    for message in (taiwan, english):
        assert "今天" not in subject_of(message) and "today" not in subject_of(message).lower()
        assert "2020" in text_of(message) and "https://reunite.test/" in text_of(message).split()  # the form
    assert "請不要接近任何人" in text_of(taiwan) and "Do not approach anyone" in text_of(english)


class Receiver(BaseHTTPRequestHandler):
    """A partner's webhook endpoint: fails the first delivery, accepts the next."""

    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        data = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append((dict(self.headers), data))
        self.send_response(500 if len(Receiver.received) == 1 else 204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


def test_webhooks_are_signed_and_retried_after_a_failure(client: TestClient, container: Container) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # the test's receiver is on loopback, which webhooks refuse unless the operator allows the host
    container.deps = replace(container.deps, webhooks=HttpWebhooks(allowed_hosts=["127.0.0.1"]))
    Receiver.received = []
    url = f"http://127.0.0.1:{server.server_address[1]}/alerts"
    created = client.post("/api/subscriptions", json={"channel": "webhook", "address": url,
                                                      "lat": north(80).lat, "lon": north(80).lon, "radius_km": 30})
    assert created.status_code == 201
    secret = created.json()["secret"]
    case_id = missing_case(container, since=datetime.now(UTC) - timedelta(minutes=5))
    run_jobs_settled(container, timeout=90)
    server.shutdown()
    assert len(Receiver.received) == 2  # refused once, delivered on the retry
    headers, data = Receiver.received[-1]
    expected = "sha256=" + hmac.new(secret.encode(), headers["X-Reunite-Timestamp"].encode() + b"." + data,
                                    hashlib.sha256).hexdigest()
    assert headers["X-Reunite-Signature"] == expected
    payload = json.loads(data)
    assert payload["event"] == "case.alert" and payload["case"]["id"] == case_id
    assert "family_name" not in payload["case"] and "138 0000" not in data.decode()
    # where she was last seen: the city the family's words name ("Wuhan, Hankou station"), nothing finer
    assert payload["case"]["last_seen_text"] == "Wuhan, Hubei" and "station" not in data.decode()
    with container.engine.connect() as conn:
        tries = conn.exec_driver_sql("SELECT status FROM outbox WHERE channel = 'webhook' ORDER BY id").scalars()
        assert list(tries) == ["failed", "sent"]
    anonymous = TestClient(create_app(container))
    refused = anonymous.post("/api/subscriptions", json={"channel": "webhook", "address": url, "region": "x"})
    assert refused.status_code == 403
