"""Probe s37, K6: staff abroad read a report's time in their own zone, zone named (docs/decisions/0005), and also
as the clock read where the child was seen, that zone named, so that "1:30 AM" at a playground reads as the
5:30 PM it was in Shanghai and the day agrees with the case page's lead list; on the workbench, the sighting page
and the reports queue alike. The workbench names cities in the reader's language, as the other pages do."""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import ANONYMOUS, OPERATOR, Role
from reunite.domain.model import GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import intake, moderation
from reunite.services.accounts import from_session
from tests.conftest import newest_sighting, run_jobs, session_for
from tests.photos import portrait

SHANGHAI = ZoneInfo("Asia/Shanghai")
PEOPLES_SQUARE = GeoPoint(31.2304, 121.4737)  # 上海市黄浦区
EVENING = datetime(2026, 12, 2, 17, 30, tzinfo=SHANGHAI)  # 1:30 AM on 2 December in Los Angeles
MORNING = datetime(2026, 10, 1, 8, 15, tzinfo=SHANGHAI)  # 5:15 PM on 30 September in Los Angeles


def browser(container: Container, token: str, zone: str, lang: str = "en") -> TestClient:
    client = TestClient(create_app(container), headers={"Accept-Language": lang})
    client.cookies.set("reunite_session", token)
    client.cookies.set("tz", zone)
    return client


def family_case(container: Container) -> str:
    """A family's verified case of a boy (a public-domain portrait), its session's token."""
    deps = container.deps
    _, token = session_for(container, Role.REPORTER)
    family = from_session(deps, token)
    assert family is not None
    case = NewCase(given_name="Lin", family_name="Family", sex=Sex.MALE, birth_date=date(2012, 1, 1),
                   missing_since=datetime(2026, 9, 1, tzinfo=SHANGHAI), last_seen_place=PEOPLES_SQUARE)
    case_id = intake.register_case(deps, family, case, [Upload(portrait(), "a.jpg")], [date(2026, 1, 1)]).case_id
    moderation.verify_case(deps, OPERATOR, case_id, "police report seen")
    return token


def seen_in_shanghai(container: Container, at: datetime, take: int, approve: bool = True) -> int:
    """A passer-by's report of the boy at People's Square at ``at`` (Shanghai's time), approved unless not
    ``approve``."""
    seen = NewSighting(seen_at=at, place=PEOPLES_SQUARE, place_text="上海市黄浦区人民广场 playground")
    intake.report_sighting(container.deps, ANONYMOUS, seen, [Upload(portrait("collins", take), f"c{take}.jpg")])
    run_jobs(container)
    sighting_id = newest_sighting(container)
    if approve:
        moderation.moderate_sightings(container.deps, OPERATOR, [sighting_id], approve=True)
        run_jobs(container)
    return sighting_id


def candidate_of(container: Container, sighting_id: int) -> int:
    """The family's lead on that report (the matcher proposed it: the same boy)."""
    with container.engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT id FROM candidates WHERE sighting_id = %(s)s",
                                        {"s": sighting_id}).scalar_one())


def text_of(page: str) -> str:
    """A page's words, without its markup, one space between them (babel's narrow spaces too)."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_police_abroad_read_a_sightings_time_also_as_it_was_where_the_child_was_seen(container: Container) -> None:
    """An officer in Los Angeles read "Dec 2, 2026, 1:30 AM Pacific Standard Time" alone for 17:30 in Shanghai
    (before), and 上海市 on the workbench. Now the local time where seen beside it, its zone named, with its
    date where the day differs ("Sep 30 … (Oct 1 … where seen)": the lead list's day), on the workbench and the
    sighting page; "Shanghai" as the other pages say it. In Shanghai, one time, nothing added."""
    family_case(container)
    evening = seen_in_shanghai(container, EVENING, 1)
    morning = seen_in_shanghai(container, MORNING, 2)
    police = session_for(container, Role.POLICE)[1]
    in_la = browser(container, police, "America/Los_Angeles")

    opened = in_la.get(f"/workbench/{candidate_of(container, evening)}")
    assert opened.status_code == 200, (opened.status_code, opened.headers, opened.text[:300])
    bench = text_of(opened.text)
    assert "When Dec 2, 2026, 1:30 AM Pacific Standard Time (5:30 PM China Standard Time where seen)" in bench, bench
    assert "Where Shanghai" in bench and "上海市 ·" not in bench
    bench = text_of(in_la.get(f"/workbench/{candidate_of(container, morning)}").text)
    assert ("When Sep 30, 2026, 5:15 PM Pacific Daylight Time (Oct 1, 2026, 8:15 AM China Standard Time "
            "where seen)") in bench

    page = text_of(in_la.get(f"/sightings/{evening}").text)
    assert "Sighting · Dec 2, 2026, 1:30 AM Pacific Standard Time (5:30 PM China Standard Time where seen)" in page
    page = text_of(in_la.get(f"/sightings/{morning}").text)
    assert ("Sighting · Sep 30, 2026, 5:15 PM Pacific Daylight Time (Oct 1, 2026, 8:15 AM China Standard Time "
            "where seen)") in page

    in_chinese = text_of(browser(container, police, "America/Los_Angeles", "zh-CN").get(f"/sightings/{evening}").text)
    assert "2026年12月2日 01:30 北美太平洋标准时间（目击地当地时间 17:30 中国标准时间）" in in_chinese

    at_home = browser(container, police, "Asia/Shanghai")
    page = text_of(at_home.get(f"/sightings/{evening}").text)
    assert "Sighting · Dec 2, 2026, 5:30 PM China Standard Time" in page and "where seen" not in page
    bench = text_of(at_home.get(f"/workbench/{candidate_of(container, evening)}").text)
    assert "where seen" not in bench and "Where Shanghai" in bench


def test_moderators_read_a_waiting_reports_time_where_it_was_seen_and_families_read_theirs_unchanged(
    container: Container
) -> None:
    """The reports queue gives a moderator in Berlin the time where the child was seen beside theirs; a family
    in Los Angeles reads a sighting's time in its own zone, as before (only staff are given the place's clock)."""
    token = family_case(container)
    waiting = seen_in_shanghai(container, EVENING, 1, approve=False)
    moderator = browser(container, session_for(container, Role.MODERATOR)[1], "Europe/Berlin")
    queue = text_of(moderator.get("/moderation/reports").text)
    assert "Dec 2, 2026, 10:30 AM Central European Standard Time (5:30 PM China Standard Time where seen)" in queue

    moderation.moderate_sightings(container.deps, OPERATOR, [waiting], approve=True)
    run_jobs(container)
    family = browser(container, token, "America/Los_Angeles").get(f"/sightings/{waiting}")
    assert family.status_code == 200, family.text
    page = text_of(family.text)
    assert "Dec 2, 2026, 1:30 AM Pacific Standard Time" in page and "where seen" not in page
