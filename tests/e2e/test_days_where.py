"""A date shown without a time of day is the day where it happened: in the zone of the place (its ~1 km
cell's, else the site's), never the zone of whoever typed the time; named to a reader whose clock reads
otherwise (probe s18, R7 and R8). Times with hours stay in the reader's zone, named."""

from __future__ import annotations

import html
import io
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from pypdf import PdfReader

from reunite.adapters.notify.mail import render
from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.model import GeoPoint
from reunite.entrypoints.api.app import create_app
from reunite.services import moderation, posters, reach
from tests.conftest import newest_sighting, plain_photo, run_jobs, run_jobs_settled, session_for
from tests.e2e.test_reach import missing_case
from tests.e2e.test_times import csrf, police, shown
from tests.photos import portrait

SHANGHAI = {"lat": "31.2365", "lon": "121.4795", "place_text": "上海市黄浦区南京东路"}
LOS_ANGELES = {"lat": "34.0522", "lon": "-118.2437", "place_text": "Los Angeles, Union Station"}
CHENGDU = {"lat": "30.6559", "lon": "104.0817", "place_text": "成都市锦江区春熙路"}


def reported(container: Container, seen_at: str, place: dict[str, str], seed: int) -> int:
    """A report seen at ``seen_at`` (the offset its sender's phone gave) at ``place``, approved."""
    sent = police(container).post("/api/sightings", files=[("photos", ("s.jpg", plain_photo(seed=seed), "image/jpeg"))],
                                   data={"seen_at": seen_at} | place)
    assert sent.status_code == 202, sent.text
    run_jobs(container)
    sighting_id = newest_sighting(container)
    moderation.moderate_sightings(container.deps, OPERATOR, [sighting_id], approve=True)
    return sighting_id


def reader(container: Container, zone: str, role: Role | None = Role.POLICE) -> TestClient:
    browser = TestClient(create_app(container))
    if role is not None:
        browser.cookies.set("reunite_session", session_for(container, role)[1])
    browser.cookies.set("tz", zone)
    return browser


def card_of(page: str, sighting_id: int) -> str:
    found = re.search(rf'<a class="card" href="/sightings/{sighting_id}">(.*?)</a>', page, re.S)
    assert found, page
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1)))


def test_a_sighting_card_gives_the_day_where_the_child_was_seen_naming_its_zone_to_a_reader_elsewhere(
    container: Container
) -> None:
    """Seen at noon on 1 December in Shanghai: a police officer in Los Angeles read "Nov 30, 2025" on the card,
    no zone named (before). Now the day in Shanghai, "Dec 1, 2025 (China Time)", for every role; a reader in
    Shanghai reads "Dec 1, 2025". The zone is the place's, not the phone's: a tourist's phone still on Pacific
    time sends the same day. A sighting in Los Angeles reads as its own day in Shanghai, zone named."""
    noon = reported(container, "2025-12-01T12:00:00+08:00", SHANGHAI, 1)
    tourist = reported(container, "2025-11-30T21:00:00-08:00", SHANGHAI, 2)  # 13:00 on 1 December in Shanghai
    abroad = reported(container, "2025-12-01T10:00:00-08:00", LOS_ANGELES, 3)  # 02:00 on 2 December in Shanghai

    in_la = shown(reader(container, "America/Los_Angeles").get("/sightings"))
    for sighting_id in (noon, tourist):
        assert "Dec 1, 2025 (China Time)" in card_of(in_la, sighting_id)
    assert "Nov 30" not in card_of(in_la, noon) and "(Pacific Time)" not in card_of(in_la, abroad)
    assert "Dec 1, 2025" in card_of(in_la, abroad)

    moderator = shown(reader(container, "America/Los_Angeles", Role.MODERATOR).get("/sightings"))
    assert "Dec 1, 2025 (China Time)" in card_of(moderator, noon)

    at_home = shown(reader(container, "Asia/Shanghai").get("/sightings"))
    assert "Dec 1, 2025" in card_of(at_home, noon) and "China Time" not in card_of(at_home, noon)
    assert "Dec 1, 2025 (Pacific Time)" in card_of(at_home, abroad) and "Dec 2" not in card_of(at_home, abroad)
    in_chinese = shown(reader(container, "America/Los_Angeles").get("/sightings", params={"lang": "zh_CN"}))
    assert "2025年12月1日（中国时间）" in card_of(in_chinese, noon)


def test_the_browse_pages_dates_are_the_days_the_cards_show_where_each_child_was_seen(container: Container) -> None:
    """The From/To filter read days in the reader's zone, unnamed (before: a reader in Los Angeles asking for
    1 December missed the report seen at noon on 1 December in Shanghai); then in the site's zone for every row,
    while each card shows the day where the child was seen: a child seen in Los Angeles on the morning of
    1 December (2 December in China) had a card saying "Dec 1, 2025 (Pacific Time)" and was found under
    2 December, not 1 December. Now a day asked is the day the card shows, whoever reads it."""
    noon = reported(container, "2025-12-01T12:00:00+08:00", SHANGHAI, 4)
    next_day = reported(container, "2025-12-02T09:00:00+08:00", SHANGHAI, 5)
    abroad = reported(container, "2025-12-01T10:00:00-08:00", LOS_ANGELES, 6)  # 02:00 on 2 December in China
    late = reported(container, "2025-12-01T23:30:00+08:00", SHANGHAI, 7)  # 07:30 on 1 December in Los Angeles
    asked = {"from": "2025-12-01", "to": "2025-12-01"}
    for zone, role in (("America/Los_Angeles", Role.POLICE), ("Asia/Shanghai", Role.POLICE),
                       ("Europe/Berlin", Role.MODERATOR)):
        page = reader(container, zone, role).get("/sightings", params=asked).text
        found = set(map(int, re.findall(r'<a class="card" href="/sightings/(\d+)">', page)))
        assert found == {noon, late, abroad}, (zone, found, {"noon": noon, "next": next_day, "abroad": abroad})
        assert "Dec 1, 2025" in card_of(shown_text(page), abroad) and "Dec 2" not in card_of(shown_text(page), abroad)
        assert "Each sighting's day is the day where it was seen, as its card shows it." in html.unescape(page)
        assert 'aria-describedby="f-days"' in page
    second = reader(container, "Asia/Shanghai").get("/sightings", params={"from": "2025-12-02"}).text
    assert set(map(int, re.findall(r'<a class="card" href="/sightings/(\d+)">', second))) == {next_day}
    before = reader(container, "Asia/Shanghai").get("/sightings", params={"to": "2025-11-30"}).text
    assert "<a class=\"card\"" not in before


def shown_text(page: str) -> str:
    return page.replace("\u202f", " ").replace("\xa0", " ")


class Rendered:
    """A mailer that writes each email as it would be sent (the real templates), and keeps it."""

    configured = True

    def __init__(self, zone: str) -> None:
        self.zone, self.sent = zone, list[tuple[str, str, str]]()

    def send(self, to: str, kind: str, language: str, context: dict[str, Any],
             headers: dict[str, str] | None = None) -> str:
        subject, body = render(kind, language, context, self.zone)
        self.sent.append((to, kind, body))
        return subject


def test_the_poster_pdf_feed_and_alert_give_the_day_the_child_went_missing_where_the_case_page_does(
    container: Container
) -> None:
    """A family in Berlin registers a child last seen in Chengdu at 18:30 on 4 December, Berlin's time: 01:30 on
    5 December in Chengdu. The poster, the PDF, the feed and the alert said 4 December (the day in the typist's
    zone) while the case page said 5 December, 1:30 AM China Standard Time (before). Now all say 5 December;
    to a reader in Berlin, "Dec 5, 2026 (China Time)"; so does the PFIF note, its zone named."""
    mail = Rendered(container.deps.site.timezone)
    container.deps = replace(container.deps, mailer=mail)
    subscription, _ = reach.subscribe(container.deps, OPERATOR, "email", "chengdu@example.org", None, 0, "成都",
                                      language="zh_CN")
    with container.engine.begin() as conn:  # as if its link was followed
        conn.exec_driver_sql("UPDATE subscriptions SET status = 'active' WHERE id = %s", (subscription,))

    family = reader(container, "Europe/Berlin", Role.FAMILY)
    sent = family.post("/cases/new", files=[("photos", ("k.jpg", portrait("hopper", 0), "image/jpeg"))], data={
        "csrf": csrf(family, "/cases/new"), "given_name": "小明", "sex": "male", "birth_date": "2018-01-01",
        "missing_since": "2026-12-04", "missing_since_time": "18:30", "tz": "Europe/Berlin",
        "place_text": CHENGDU["place_text"], "lat": CHENGDU["lat"], "lon": CHENGDU["lon"],
        "family_contact": "+49 30 1234567"}, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    case_id = int(sent.headers["location"].split("/")[2].split("?")[0])
    assert police(container).get(f"/api/cases/{case_id}").json()["missing_since"] == "2026-12-04T18:30:00+01:00"
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report seen")
    run_jobs_settled(container)  # its faces, its alerts (the next round waits for the radius to widen)

    in_shanghai = reader(container, "Asia/Shanghai")
    assert "Dec 5, 2026, 1:30 AM China Standard Time" in shown(in_shanghai.get(f"/cases/{case_id}"))
    anyone = TestClient(create_app(container))  # no zone cookie: the site's
    for client in (in_shanghai, anyone):
        poster = shown(client.get(f"/p/{case_id}"))
        assert "<dd>Dec 5, 2026, Chengdu" in poster and "Dec 4" not in poster
        assert "2026年12月5日, 四川省成都市" in shown(client.get(f"/p/{case_id}", params={"lang": "zh_CN"}))
        pdf = PdfReader(io.BytesIO(client.get(f"/p/{case_id}/poster.pdf").content)).pages[0].extract_text()
        assert "Missing since Dec 5, 2026" in pdf and "Dec 4" not in pdf
    assert "Last seen on Dec 5, 2026 in Chengdu" in shown(anyone.get("/feeds/cases.atom"))
    assert "<dd>Dec 5, 2026 (China Time), Chengdu" in shown(family.get(f"/p/{case_id}"))
    assert "Dec 4, 2026, 6:30 PM Central European Standard Time" in shown(family.get(f"/cases/{case_id}"))

    assert "Missing since 2026-12-05 01:30 (Asia/Shanghai), last seen" in police(container).get("/api/pfif").text

    alerts = [body for to, kind, body in mail.sent if kind == "case_alert"]
    assert len(alerts) == 1 and "小明于 2026年12月5日在四川省成都市失踪" in alerts[0], mail.sent


def test_the_public_reads_the_zone_of_the_city_it_is_told_never_of_the_private_pin(container: Container) -> None:
    """Probe s19 S9: the poster's zone came from the ~1 km cell of the private pin: a child last seen just
    west of Kentucky's Eastern/Central line had a poster saying "(Central Time)" under words naming
    Louisville (Eastern), telling the public which side of the line the pin was. The public's zone is the
    city's it reads (else the site's), wherever the pin is. (The pin is 80 km from Louisville, in no city
    of its own: one farther, or in a city, would name that city instead, probe s18 R2.)"""
    hardinsburg = GeoPoint(37.78, -86.46)  # Central Time, the pin the public never sees
    assert container.deps.places.zone(37.785, -86.455) == "America/Chicago"
    case_id = missing_case(container, since=datetime(2026, 11, 30, 4, 30, tzinfo=UTC), place=hardinsburg)
    with container.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE cases SET last_seen_text = 'Louisville, Kentucky, by the Dixie Highway' "
                             "WHERE id = %s", (case_id,))
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report seen")
    assert posters.poster(container.deps, case_id)["day_zone"] == "America/Kentucky/Louisville"
    page = shown(reader(container, "America/Los_Angeles", None).get(f"/p/{case_id}"))
    assert "Eastern" in page and "Central" not in page

    with container.engine.begin() as conn:  # words naming no city: not the pin's zone, but the offset the time
        # was given with (probe s26 Z5); UTC ("Z", as machines write any time) says nothing: the site's
        conn.exec_driver_sql("UPDATE cases SET last_seen_text = 'the gas station by the county line' "
                             "WHERE id = %s", (case_id,))
    assert posters.poster(container.deps, case_id)["day_zone"] == "Asia/Shanghai"
    with container.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE cases SET missing_since_offset = -300 WHERE id = %s", (case_id,))
    assert posters.poster(container.deps, case_id)["day_zone"] == "Etc/GMT+5"
    with container.engine.begin() as conn:  # the site's own offset: its named zone ("China Time")
        conn.exec_driver_sql("UPDATE cases SET missing_since_offset = 480 WHERE id = %s", (case_id,))
    assert posters.poster(container.deps, case_id)["day_zone"] == "Asia/Shanghai"


def test_a_day_asked_finds_exactly_the_sightings_whose_cards_show_that_day_in_one_statement(
    container: Container
) -> None:
    """Row by row, in SQL, the day each card shows (``Language.day_at`` in the zone kept with the sighting, else
    the site's; a report dated by its arrival, to a reader of hours, by its hour): zones half an hour off, 14
    hours ahead, 11 behind; and a listing with days costs the statements one without them costs."""
    from datetime import date, timedelta
    from zoneinfo import ZoneInfo

    from sqlalchemy import event

    from reunite.domain.model import SightingFilter

    zones = ["Asia/Kolkata", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/Los_Angeles", None]
    start = datetime(2026, 3, 7, 0, 0, tzinfo=UTC)
    with container.engine.begin() as conn:
        for n in range(150):
            conn.exec_driver_sql(
                "INSERT INTO sightings (seen_at, seen_at_basis, day_zone, status, created_at) "
                "VALUES (%s, %s, %s, 'approved', now())",
                (start + timedelta(minutes=47 * n), "arrival" if n % 3 == 0 else "given", zones[n % 5]))
    site = container.deps.site.zone.key
    rows = container.deps.read.sightings(SightingFilter(limit=200))[1]

    def card_day(row: dict[str, Any], hours: bool) -> date:
        at = row["seen_at"]
        if hours and row["seen_at_basis"] == "arrival":
            at = at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        return at.astimezone(ZoneInfo(row["day_zone"] or site)).date()

    counted: list[str] = []

    def count(*sent: Any) -> None:
        counted.append(sent[2])

    event.listen(container.engine, "before_cursor_execute", count)
    for hours in (False, True):
        for first in (date(2026, 3, 6), date(2026, 3, 7), date(2026, 3, 9)):
            for last in (first, first + timedelta(days=1)):
                asked = SightingFilter(limit=200, seen_on_from=first, seen_on_to=last, day_zone=site,
                                       arrival_hours=hours)
                found = {r["id"] for r in container.deps.read.sightings(asked)[1]}
                assert found == {r["id"] for r in rows if first <= card_day(r, hours) <= last}, (hours, first, last)
    counted.clear()
    container.deps.read.sightings(SightingFilter(limit=24, day_zone=site))
    without = len(counted)
    counted.clear()
    container.deps.read.sightings(SightingFilter(limit=24, seen_on_from=date(2026, 3, 7), day_zone=site))
    event.remove(container.engine, "before_cursor_execute", count)
    assert len(counted) == without
