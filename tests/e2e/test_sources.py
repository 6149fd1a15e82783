"""Sightings from public posts, by email, and the numbers in public. A local HTTP server the test starts
serves feeds and a Mastodon-API timeline written here (RSS 2.0, Atom, JSON Feed, media attachments,
pagination, a repost, a deleted post, a malformed feed, a 10 MB image, a slow server)."""

from __future__ import annotations

import io
import json
import re
import smtplib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from PIL import Image

from reunite.adapters.sources.web import SourceWeb
from reunite.bootstrap import Container, bootstrap
from reunite.config import Settings
from reunite.domain import access
from reunite.domain.access import OPERATOR, Role
from reunite.entrypoints.api.app import create_app
from reunite.entrypoints.mail import serve as mail_intake
from reunite.services import moderation, sources
from tests.conftest import SettableClock, as_read, newest_sighting, plain_photo, session_for


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def noise_png(megabytes: float) -> bytes:
    side = int((megabytes * 1e6 / 3) ** 0.5)
    pixels = np.random.default_rng(1).integers(0, 255, (side, side, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG", compress_level=0)
    return out.getvalue()


def reencoded(data: bytes, quality: int) -> bytes:
    """The same picture as a repost carries it: decoded, shrunk a little, saved again."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    out = io.BytesIO()
    image.resize((image.width * 9 // 10, image.height * 9 // 10)).save(out, format="JPEG", quality=quality)
    return out.getvalue()


class Web:
    """What the local server serves (path → (status, content type, body, delay)); every request is logged."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes, float]] = {}
        self.requests: list[tuple[str, str]] = []

    def serve(self, path: str, body: bytes | str, kind: str = "application/xml", status: int = 200,
              delay: float = 0.0) -> None:
        self.routes[path] = (status, kind, body.encode() if isinstance(body, str) else body, delay)


@pytest.fixture
def web() -> Iterator[tuple[Web, str]]:
    state = Web()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(("GET", self.path))
            status, kind, body, delay = state.routes.get(self.path.split("?")[0] if self.path.split("?")[0] in
                                                         state.routes else self.path, (404, "text/plain", b"", 0))
            time.sleep(delay)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", '"v1"')
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            state.requests.append(("POST", self.path))
            self.send_response(405)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def reading(container: Container) -> Container:
    """The container as deployed with sources on this machine's loopback (tests only) and a short timeout."""
    deps = replace(container.deps, sources=SourceWeb(allow_private=True, timeout=1.5))
    return replace(container, deps=deps)


def sightings(container: Container) -> list[Any]:
    with container.engine.connect() as conn:
        return list(conn.exec_driver_sql(
            "SELECT s.id, s.status, s.description, s.place_text, s.seen_at, "
            "(SELECT count(*) FROM photos p WHERE p.sighting_id = s.id) AS photos, "
            "(SELECT array_agg(ss.url ORDER BY ss.id) FROM sighting_sources ss WHERE ss.sighting_id = s.id) AS urls "
            "FROM sightings s ORDER BY s.created_at, s.id").fetchall())


def poll_now(container: Container) -> int:
    with container.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE sources SET next_poll_at = now() - interval '1 second' WHERE status = 'active'")
    return sources.poll_due(container.deps)


SHANGHAI = ZoneInfo("Asia/Shanghai")
RSS = """<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
<title>随手拍解救乞讨儿童</title><link>{base}/</link>
<item><title>今天下午3点在四川成都春熙路看到一个乞讨的小女孩</title><link>{base}/p/1</link>
<author>walker@example.org</author><pubDate>Mon, 30 Nov 2026 09:00:00 +0000</pubDate>
<enclosure url="{base}/img/a.jpg" type="image/jpeg" length="1"/></item>
<item><title>No photo in this one</title><link>{base}/p/2</link>
<pubDate>Mon, 30 Nov 2026 10:00:00 +0000</pubDate></item>
</channel></rss>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<id>urn:t</id><updated>2026-11-30T11:00:00Z</updated>
<entry><title>Boy by the station</title><id>{base}/p/3</id><link href="{base}/p/3"/>
<updated>2026-11-30T11:00:00Z</updated><author><name>someone</name></author>
<content type="html">&lt;p&gt;boy&lt;/p&gt;&lt;img src="{base}/img/b.jpg"&gt;</content></entry>
</feed>"""


def statuses(base: str, ids: list[int]) -> str:
    def status(i: int) -> dict[str, Any]:
        post = {"id": str(i), "url": f"{base}/@kai/{i}", "created_at": "2026-11-30T12:00:00Z",
                "account": {"acct": "kai@example.social"}, "content": f"<p>孩子 {i}</p>", "reblog": None,
                "media_attachments": [{"type": "image", "url": f"{base}/img/m{i}.jpg"}]}
        if i == 13:  # a boost of the RSS post's picture, reposted from elsewhere
            post["reblog"] = {"url": f"{base}/@orig/99", "content": "<p>转发</p>",
                              "media_attachments": [{"type": "image", "url": f"{base}/img/a-repost.jpg"}]}
        return post

    return json.dumps([status(i) for i in sorted(ids, reverse=True)])


def test_posts_become_pending_sightings_once_and_reposts_collapse(reading: Container, web: tuple[Web, str]) -> None:
    state, base = web
    picture = plain_photo(480, 360, seed=11)
    state.serve("/rss.xml", RSS.format(base=base))
    state.serve("/atom.xml", ATOM.format(base=base))
    state.serve("/feed.json", json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": [
        {"id": "j1", "url": f"{base}/p/j1", "content_text": "girl near the market",
         "date_published": "2026-11-30T08:00:00Z", "authors": [{"name": "ann"}],
         "attachments": [{"url": f"{base}/img/c.jpg", "mime_type": "image/jpeg"}]}]}), "application/feed+json")
    for name, seed in (("b", 12), ("c", 13), ("m11", 14), ("m12", 15)):
        state.serve(f"/img/{name}.jpg", plain_photo(480, 360, seed=seed), "image/jpeg")
    state.serve("/img/a.jpg", picture, "image/jpeg")
    state.serve("/img/a-repost.jpg", reencoded(picture, 70), "image/jpeg")
    state.serve("/img/m13.jpg", reencoded(picture, 60), "image/jpeg")
    state.serve("/api/v1/timelines/tag/kids", statuses(base, [11, 12]), "application/json")
    for path, kind in (("/rss.xml", "feed"), ("/atom.xml", "feed"), ("/feed.json", "feed"), ("/tags/kids", "mastodon")):
        sources.add_source(reading.deps, OPERATOR, kind, base + path, path, 15)

    assert poll_now(reading) == 5  # RSS (one post has no photo), Atom, JSON Feed, two statuses
    # the timeline moves on: a new status, a boost of the RSS photo, and status 12 deleted
    state.serve("/api/v1/timelines/tag/kids", statuses(base, [13, 14]), "application/json")
    state.serve("/img/m14.jpg", reencoded(picture, 80), "image/jpeg")  # the same picture posted again
    assert poll_now(reading) == 0 and poll_now(reading) == 0
    rows = sightings(reading)
    assert len(rows) == 5 and {r.status for r in rows} == {"pending"}
    first = next(r for r in rows if r.urls[0] == f"{base}/p/1")
    assert first.place_text == "四川省成都市" and "春熙路" in first.description
    # "今天下午3点" in the poster's zone (UTC+8): the post came at 17:00 there, so 15:00 the same day
    assert first.seen_at == datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assert set(first.urls) == {f"{base}/p/1", f"{base}/@kai/13", f"{base}/@kai/14"}  # one picture, three posts
    assert all(method == "GET" for method, _ in state.requests)  # nothing is ever published back
    assert any("min_id=12" in path for _, path in state.requests)  # the timeline is read from where it was left


def test_a_failing_source_backs_off_and_shows_as_unhealthy(reading: Container, web: tuple[Web, str]) -> None:
    state, base = web
    state.serve("/broken.xml", "<rss><channel><item><title>unclosed")
    state.serve("/down.xml", "", status=500)
    state.serve("/slow.xml", RSS.format(base=base), delay=3)
    for path in ("/broken.xml", "/down.xml", "/slow.xml"):
        sources.add_source(reading.deps, OPERATOR, "feed", base + path, path, 15)
    waits = []
    for _ in range(3):
        assert poll_now(reading) == 0
        with reading.engine.connect() as conn:
            waits.append(conn.exec_driver_sql(
                "SELECT max(next_poll_at - now()) FROM sources WHERE strpos(url, 'down.xml') > 0").scalar_one())
    assert waits[0] < waits[1] < waits[2]  # the wait doubles after each failure
    listed = {row["name"]: row for row in sources.list_sources(reading.deps, OPERATOR)}
    assert {name: row["healthy"] for name, row in listed.items()} == {"/broken.xml": False, "/down.xml": False,
                                                                      "/slow.xml": False}
    assert "HTTP 500" in listed["/down.xml"]["last_error"] and "Timeout" in listed["/slow.xml"]["last_error"]
    assert sightings(reading) == []


def test_a_big_photo_and_private_addresses(reading: Container, web: tuple[Web, str], container: Container) -> None:
    state, base = web
    state.serve("/big.xml", f"""<rss version="2.0"><channel><item><title>big</title><link>{base}/p/big</link>
<enclosure url="{base}/img/big.png" type="image/png" length="1"/></item></channel></rss>""")
    state.serve("/img/big.png", noise_png(10), "image/png")
    sources.add_source(reading.deps, OPERATOR, "feed", base + "/big.xml", "big", 15)
    assert poll_now(reading) == 1
    assert sightings(reading)[0].photos == 1
    # as deployed, a source may not point into the server's own network
    with pytest.raises(Exception, match="private network"):
        sources.add_source(container.deps, OPERATOR, "feed", base + "/rss.xml", "loopback", 15)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import email
        import email.policy

        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))  # type: ignore[arg-type]
        return "250 OK"


def test_sightings_by_email_with_a_reply(settings: Settings, container: Container) -> None:
    yesterday_evening = (datetime.now(SHANGHAI) - timedelta(days=1)).replace(hour=20, minute=0, second=0, microsecond=0)
    inbox, out_port, in_port = Inbox(), free_port(), free_port()
    outgoing = Controller(inbox, hostname="127.0.0.1", port=out_port)
    outgoing.start()
    mailing = bootstrap(settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": out_port,
                                                    "smtp_sender": "reunite@example.org"}),
                        run_migrations=False, faces=container.deps.faces)
    intake = mail_intake(mailing.deps, "127.0.0.1", in_port, 25_000_000)
    try:
        with_photos = EmailMessage()
        with_photos["From"], with_photos["To"] = "Walker <walker@example.org>", "sightings@example.org"
        with_photos["Authentication-Results"] = "mx.example.net; spf=pass smtp.mailfrom=walker@example.org"
        with_photos["Subject"] = "Girl begging at Chunxi Road"
        with_photos.set_content("Seen at 3 pm today, red coat.")
        for seed in (21, 22):
            with_photos.add_attachment(plain_photo(seed=seed), maintype="image", subtype="jpeg", filename=f"{seed}.jpg")
        without = EmailMessage()
        without["From"], without["To"], without["Subject"] = "anna@example.org", "sightings@example.org", "看到孩子"
        without["Authentication-Results"] = "mx.example.net; dkim=pass header.d=example.org; dmarc=pass"
        without.set_content("在成都看到一个孩子")
        forged = EmailMessage()  # From someone else's address: no server vouched for it (nor a lower header)
        forged["Authentication-Results"] = "mx.example.net; spf=fail smtp.mailfrom=victim@example.org"
        forged["From"], forged["To"], forged["Subject"] = "victim@example.org", "sightings@example.org", "孩子"
        forged["Date"] = format_datetime(yesterday_evening)  # "today" is the day it was sent
        forged.set_content("今天下午3点在成都市春熙路看到一个乞讨的孩子")
        forged.add_attachment(plain_photo(seed=23), maintype="image", subtype="jpeg", filename="23.jpg")
        with smtplib.SMTP("127.0.0.1", in_port) as smtp:
            smtp.send_message(with_photos)
            smtp.send_message(without)
            smtp.send_message(forged)
    finally:
        intake.stop()
    rows = sightings(mailing)
    assert len(rows) == 2 and rows[0].status == "pending" and rows[0].photos == 2
    assert "Chunxi Road" in rows[0].description
    # the words' time and place are read as a post's are; the unvouched contact is marked for reviewers
    assert rows[1].place_text == "四川省成都市"
    assert rows[1].seen_at.astimezone(SHANGHAI) == yesterday_evening.replace(hour=15)
    with mailing.engine.connect() as conn:
        contacts = [r[0] for r in conn.exec_driver_sql("SELECT reporter_contact FROM sightings ORDER BY created_at")]
    assert contacts[0] == "walker@example.org" and "not verified" in contacts[1]
    replies = {str(m["To"]): m for m in inbox.messages}
    deadline = time.monotonic() + 5
    while len(replies) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
        replies = {str(m["To"]): m for m in inbox.messages}
    outgoing.stop()
    mailing.close()
    # the report's receipt and private link, never its record's number (probe s45 P2)
    with mailing.engine.connect() as conn:
        receipt = conn.exec_driver_sql("SELECT receipt FROM sightings WHERE id = %s", (rows[0].id,)).scalar_one()
    assert f"number {receipt}" in str(replies["walker@example.org"]["Subject"])
    assert f"/reports/{receipt}/" in replies["walker@example.org"].get_content()
    assert str(rows[0].id) not in str(replies["walker@example.org"])
    assert "没有附带照片" in str(replies["anna@example.org"]["Subject"])  # in the sender's language
    assert "victim@example.org" not in replies  # a forged From gets no mail


def test_numbers_in_public_hide_small_counts(container: Container) -> None:
    with container.engine.begin() as conn:
        for place, n in (("四川省成都市", 3), ("湖北省武汉市", 7)):
            for i in range(n):
                conn.exec_driver_sql(
                    "INSERT INTO cases (given_name, sex, birth_date, missing_since, last_seen_text, status, "
                    "verified_at) VALUES (%s, 'female', '2015-01-01', '2020-01-01', %s, 'open', "
                    "now() - interval '2 days')", (f"c{place}{i}", place))
        conn.exec_driver_sql(
            "INSERT INTO cases (given_name, sex, birth_date, missing_since, status, verified_at, closed_at, "
            "created_at) VALUES ('r', 'male', '2015-01-01', '2020-01-01', 'reunited', now() - interval '2 days', "
            "now() - interval '2 days', now() - interval '40 days')")
    anonymous = TestClient(create_app(container))
    numbers = anonymous.get("/api/stats").json()
    assert numbers["open_cases"] == 10 and numbers["reunited"] is None and numbers["median_days_to_reunion"] is None
    # a province with fewer than 5 is not named: counted with the others
    assert {r["region"]: r["count"] for r in numbers["regions"]["cases"]} == {"湖北省": 5, None: None}
    english = anonymous.get("/stats").text
    chinese = anonymous.get("/stats", params={"lang": "zh_CN"}).text
    assert "fewer than 5" in english and "<svg" in english and "Other provinces" in english
    assert "<script" not in english.split("<main")[1].split("</main>")[0]  # charts drawn by the server
    assert "少于 5" in chinese and "其他省份" in chinese and "c四川省成都市0" not in english + chinese
    assert "四川省" not in english + chinese


def test_the_front_page_gives_the_public_count_of_reunions_as_stats_does(container: Container) -> None:
    """Probe s26 Z9c: the front page said "reunited: 1" at once after a case closed, while /stats said "fewer
    than 5" so that no child can be singled out. Every public count is the one figure: under 5 "fewer than 5",
    else rounded to 5, as it stood at the start of the day."""
    anonymous = TestClient(create_app(container))

    def reunited(n: int, closed: str) -> None:
        with container.engine.begin() as conn:
            for i in range(n):
                conn.exec_driver_sql(
                    "INSERT INTO cases (given_name, sex, birth_date, missing_since, status, verified_at, closed_at, "
                    f"created_at) VALUES (%s, 'male', '2015-01-01', '2020-01-01', 'reunited', {closed}, {closed}, "
                    "now() - interval '40 days')", (f"r{closed}{i}",))

    def front(lang: str = "en") -> str:
        found = re.search(r'class="reunions"[^>]*>([^<]*)<', anonymous.get("/", params={"lang": lang}).text)
        assert found
        return found.group(1).strip()

    reunited(1, "now() - interval '2 days'")
    assert front() == "Children reunited with their families so far: fewer than 5"
    assert anonymous.get("/api/stats").json()["reunited"] is None and "少于 5" in front("zh_CN")
    reunited(6, "now() - interval '2 days'")  # the day's figures were taken: they stay so on both pages
    assert front() == "Children reunited with their families so far: fewer than 5"
    assert anonymous.get("/api/stats").json()["reunited"] is None
    with container.engine.begin() as conn:  # the next day: the figures taken again
        conn.exec_driver_sql("DELETE FROM recorded_settings WHERE key LIKE 'public_figures.%%'")
    assert front() == "Children reunited with their families so far: 5"  # 7, rounded to 5 as /stats gives it
    assert anonymous.get("/api/stats").json()["reunited"] == 5
    assert re.search(r"Children reunited: <strong>5</strong>", anonymous.get("/stats").text)


def _reports(container: Container, place: str, n: int, status: str, approved: str | None) -> None:
    with container.engine.begin() as conn:
        for _ in range(n):
            conn.exec_driver_sql(
                "INSERT INTO sightings (seen_at, place_text, status, moderated_at, created_at) "
                f"VALUES (now() - interval '3 days', %s, %s, {approved or 'NULL'}, now() - interval '3 days')",
                (place, status))


def test_public_numbers_count_only_approved_reports_as_they_stood_at_the_start_of_the_day(
    container: Container,
) -> None:
    """Probe s12 F5: a report's province was listed on /stats the moment it arrived, before any moderator
    looked, and a rejected hoax or a removed report kept counting there. Now only approved reports count,
    as of the start of the site's day, a province named only with at least 5 of them."""
    yesterday = "now() - interval '2 days'"
    _reports(container, "湖北省武汉市", 6, "approved", yesterday)
    _reports(container, "四川省成都市", 2, "approved", yesterday)  # too few to name the province
    for status in ("pending", "rejected", "removed", "expired"):
        _reports(container, "云南省昆明市", 2, status, yesterday if status != "pending" else None)
    _reports(container, "黑龙江省哈尔滨市", 6, "approved", "now()")  # approved today: counted tomorrow
    anonymous = TestClient(create_app(container))
    numbers = anonymous.get("/api/stats").json()
    assert {r["region"]: r["count"] for r in numbers["regions"]["sightings"]} == {"湖北省": 5, None: None}
    assert numbers["sightings"] == 10  # the 8 approved before today, rounded to 5 (not 22, nor 14)
    assert "hoaxes" not in numbers and "removed_reports" not in numbers  # private statuses, even counted
    page = anonymous.get("/stats").text + anonymous.get("/stats", params={"lang": "zh_CN"}).text
    assert "云南省" not in page and "黑龙江省" not in page and "四川省" not in page and "湖北省" in page
    assert "the numbers change once a day" in page


def test_public_numbers_count_places_written_in_latin_letters_in_their_province(container: Container) -> None:
    """Provinces were read from Chinese place words alone: a report or a case placed in "Chengdu" or "Guangzhou,
    Guangdong" counted in no province. Each counts in the province of its public city, as the poster reads it
    (its words in any script, else its pin's ~1 km cell); a province still named only with 5 or more."""
    yesterday = "now() - interval '2 days'"
    _reports(container, "Chengdu", 3, "approved", yesterday)
    _reports(container, "成都市锦江区", 2, "approved", yesterday)  # Sichuan: 5, in two scripts
    _reports(container, "Guangzhou, Guangdong", 4, "approved", yesterday)
    with container.engine.begin() as conn:  # no words, a pin in Guangzhou: Guangdong's fifth
        conn.exec_driver_sql(
            "INSERT INTO sightings (seen_at, place_text, lat, lon, status, moderated_at, created_at) VALUES "
            f"(now() - interval '3 days', '', 23.1291, 113.2644, 'approved', {yesterday}, now() - interval '3 days')")
        for i in range(5):
            conn.exec_driver_sql(
                "INSERT INTO cases (given_name, sex, birth_date, missing_since, last_seen_text, status, verified_at) "
                "VALUES (%s, 'female', '2015-01-01', '2020-01-01', 'near Tianfu Square, Chengdu', 'open', "
                f"{yesterday})", (f"c{i}",))
    _reports(container, "Wuhan", 2, "approved", yesterday)  # too few to name Hubei
    numbers = TestClient(create_app(container)).get("/api/stats").json()
    assert {r["region"]: r["count"] for r in numbers["regions"]["sightings"]} == {
        "四川省": 5, "广东省": 5, None: None}
    assert {r["region"]: r["count"] for r in numbers["regions"]["cases"]} == {"四川省": 5}


def test_public_numbers_do_not_move_the_day_an_approved_report_is_rejected(container: Container) -> None:
    """Probe s13 F13: the figures counted a report by its status now, so one approved yesterday and
    rejected today left its province's row at once: anyone polling /api/stats learnt of the decision.
    Now the day's figures are those taken before it began; the rejection shows the day after."""
    _reports(container, "新疆维吾尔自治区乌鲁木齐市", 5, "approved", "now() - interval '2 days'")
    _reports(container, "湖北省武汉市", 6, "approved", "now() - interval '2 days'")
    start = access.public_as_of(datetime.now(UTC) + timedelta(days=1), container.deps.site.zone)
    clock = SettableClock(start + timedelta(hours=2))
    later = replace(container, deps=replace(container.deps, clock=clock))
    anonymous = TestClient(create_app(later))

    def provinces() -> dict[str | None, int | None]:
        numbers = anonymous.get("/api/stats").json()
        return {r["region"]: r["count"] for r in numbers["regions"]["sightings"]} | {"all": numbers["sightings"]}

    before = provinces()
    assert before == {"新疆维吾尔自治区": 5, "湖北省": 5, "all": 10}
    with container.engine.connect() as conn:
        first = conn.exec_driver_sql("SELECT min(id) FROM sightings WHERE place_text = %s",
                                     ("新疆维吾尔自治区乌鲁木齐市",)).scalar_one()
    moderation.moderate_sightings(later.deps, OPERATOR, [first], approve=False, reason="not relevant",
                                  versions=as_read(container, first))
    for since in (timedelta(minutes=1), timedelta(hours=3), timedelta(hours=21, minutes=59)):
        clock.current = start + timedelta(hours=2) + since  # the figures taken again meanwhile: still today
        assert provinces() == before
        assert "新疆维吾尔自治区" in anonymous.get("/stats").text
    clock.current = start + timedelta(days=1, minutes=1)
    assert provinces() == {"湖北省": 5, None: None, "all": 10}
    assert "新疆维吾尔自治区" not in anonymous.get("/stats").text


def test_public_weeks_start_on_monday_in_the_sites_zone(container: Container) -> None:
    """Probe s14, F13: weeks were cut in UTC, so a report approved on Monday 00:30 in Shanghai counted in
    the week before. Cut where the site is (its zone), each week named by its Monday there."""
    shanghai = replace(container, deps=replace(container.deps, site=replace(container.deps.site,
                                                                            timezone="Asia/Shanghai")))
    today = shanghai.deps.clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date()
    monday = today - timedelta(days=today.weekday() + 7)  # last week's
    at = datetime(monday.year, monday.month, monday.day, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai"))  # Sun 16:30 UTC
    _reports(shanghai, "湖北省武汉市", 5, "approved", f"'{at.isoformat()}'::timestamptz")
    weeks = {w["week"]: w["approved"] for w in TestClient(create_app(shanghai)).get("/api/stats").json()["weeks"]}
    assert weeks[monday.isoformat()] == 5 and weeks[(monday - timedelta(days=7)).isoformat()] is None
    assert len(weeks) == 13 and max(weeks) == (monday + timedelta(days=7)).isoformat()


def test_a_repost_listed_after_its_original_only_adds_a_source(reading: Container, web: tuple[Web, str]) -> None:
    """Feeds list posts in either order: the first post of a picture gives the sighting its time, place
    and words; a later repost of the picture (resized) is one more source, not the sighting's text."""
    state, base = web
    picture = plain_photo(480, 360, seed=21)
    state.serve("/oldest-first.xml", f"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>今天下午3点 在四川省成都市春熙路看到一个乞讨的小女孩</title><link>{base}/post/1</link>
<author>alice@example.org</author><pubDate>Mon, 30 Nov 2026 08:00:00 +0000</pubDate>
<enclosure url="{base}/img/a.jpg" type="image/jpeg" length="1"/></item>
<item><title>转发</title><link>{base}/post/2</link>
<author>bob@example.org</author><pubDate>Mon, 30 Nov 2026 09:00:00 +0000</pubDate>
<enclosure url="{base}/img/a-small.jpg" type="image/jpeg" length="1"/></item>
</channel></rss>""")
    state.serve("/img/a.jpg", picture, "image/jpeg")
    state.serve("/img/a-small.jpg", reencoded(picture, 70), "image/jpeg")
    sources.add_source(reading.deps, OPERATOR, "feed", base + "/oldest-first.xml", "t", 15)
    assert poll_now(reading) == 1
    [only] = sightings(reading)
    assert "春熙路" in only.description and "转发" not in only.description
    assert only.place_text == "四川省成都市" and only.seen_at == datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assert only.urls == [f"{base}/post/1", f"{base}/post/2"]


def test_a_post_that_says_no_time_is_dated_by_its_publication_as_a_time_not_given(
        reading: Container, web: tuple[Web, str]) -> None:
    """A post's publication says only that the child was seen before it: the report reads "time not given",
    dated by it, so that no lead is ruled out by a time nobody gave."""
    state, base = web
    state.serve("/untimed.xml", f"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>在四川省成都市春熙路看到一个乞讨的小女孩</title><link>{base}/post/9</link>
<pubDate>Mon, 30 Nov 2026 08:00:00 +0000</pubDate>
<enclosure url="{base}/img/u.jpg" type="image/jpeg" length="1"/></item>
</channel></rss>""")
    state.serve("/img/u.jpg", plain_photo(480, 360, seed=23), "image/jpeg")
    sources.add_source(reading.deps, OPERATOR, "feed", base + "/untimed.xml", "u", 15)
    assert poll_now(reading) == 1
    with reading.engine.connect() as conn:
        seen_at, basis = conn.exec_driver_sql("SELECT seen_at, seen_at_basis FROM sightings").one()
    assert (seen_at, basis) == (datetime(2026, 11, 30, 8, 0, tzinfo=UTC), "arrival")


def emailed(sender: str, words: str, date: str) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "sightings@example.org", "看到孩子"
    message["Date"] = date
    message.set_content(words)
    message.add_attachment(plain_photo(seed=len(sender)), maintype="image", subtype="jpeg", filename="p.jpg")
    return message.as_bytes()


def test_times_in_emailed_words_are_read_against_the_messages_date_and_shown_as_read(container: Container) -> None:
    """"晚上12点" and "12am" are midnight, not noon; 半 is half past; 前天 / 上周六 / "on Monday" are those days,
    counted from the message's Date in the sender's offset (not when the intake ran); such a time is shown as
    read from the words, and one that cannot be read for sure is no time given at all."""
    from reunite.entrypoints.mail import read_message
    from reunite.services import mail_intake

    sent = (datetime.now(SHANGHAI) - timedelta(days=1)).replace(hour=0, minute=37, second=0, microsecond=0)
    day = sent.replace(minute=0)
    saturday = day - timedelta(days=sent.weekday() + 2)  # last week's (weeks start on Monday)
    monday = day - timedelta(days=sent.weekday() or 7)  # 17:00 on the Monday sent is still to come
    said = {
        "今天晚上12点在上海市黄浦区看到一个穿红衣服的女孩": day,
        "Saw a girl of about 8 at 12am near Shanghai": day,
        "前天下午3点半在上海市黄浦区人民广场看到她": day - timedelta(days=2) + timedelta(hours=15, minutes=30),
        "上周六下午4点在人民广场": saturday + timedelta(hours=16),
        "Saw her at 5pm on Monday": monday + timedelta(hours=17),
        "bus 11:30 to Pudong, girl about 7": None,  # morning or night, and maybe not when she was seen
    }
    ids = []
    for number, words in enumerate(said):
        read = read_message(emailed(f"w{number}@example.org", words, format_datetime(sent)))
        assert mail_intake.receive(container.deps, read.sender, "", read.text, read.photos, "zh_CN", read.message_id,
                                   date=read.date) == "sighting_received"
        ids.append(newest_sighting(container))
    with container.engine.connect() as conn:
        rows = {r.id: r for r in conn.exec_driver_sql(
            "SELECT id, seen_at, seen_at_offset, seen_at_basis, seen_at_zone FROM sightings").fetchall()}
    for sighting_id, (words, seen) in zip(ids, said.items(), strict=True):
        row = rows[sighting_id]
        if seen is None:
            assert row.seen_at_basis == "arrival", words
            continue
        assert row.seen_at == seen and row.seen_at_offset == 480, (words, row.seen_at)
        assert (row.seen_at_basis, row.seen_at_zone) == ("given", "UTC+08:00"), words
    moderator = TestClient(create_app(container), headers={"Accept-Language": "en"})
    moderator.cookies.set("reunite_session", session_for(container, Role.MODERATOR)[1])
    page = moderator.get(f"/sightings/{ids[0]}")
    assert page.status_code == 200 and "read from the report&#39;s words" in page.text, page.text[:3000]
