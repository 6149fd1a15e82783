"""Probe s26 Z1 and Z5: a child abroad was put in another city of the same name and dated in that city's zone
("Richmond, BC, Canada" in Eastern Time, "London, Ontario" in London, England, the next day), and a sighting
abroad without a pin was dated in the site's zone (22:30 on 3 December in New York: "Dec 4, 2026 (China Time)"),
so the date filter missed it. A day at a place is dated in the zone the place words name, else the offset the
time was given with, else the site's; the same on the poster, the feed, the cards, the filter and the queue."""

from __future__ import annotations

import re
from datetime import date, datetime

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Principal, Role
from reunite.domain.model import NewCase, Sex, Upload
from reunite.services import intake
from tests.conftest import session_for
from tests.e2e.test_days_where import card_of, reader, reported
from tests.e2e.test_times import shown
from tests.photos import portrait


def abroad_case(container: Container, name: str, since: str, words: str, who: Principal = OPERATOR) -> int:
    """A case registered (by police: verified) with a time given at its own offset and no pin."""
    case = NewCase(given_name=name, family_name="Wong", sex=Sex.MALE, birth_date=date(2020, 1, 15),
                   missing_since=datetime.fromisoformat(since), last_seen_place=None, last_seen_text=words,
                   family_contact="+1 604 555 0100")
    return intake.register_case(container.deps, who, case, [Upload(portrait(), "kid.jpg")], [None]).case_id


def last_seen(page: str) -> str:
    found = re.search(r"<dd>([^<]*)</dd>", page.split("Last seen</dt>", 1)[1])
    assert found, page
    return found.group(1)


def test_the_poster_names_the_city_the_region_chooses_and_its_day_there(container: Container) -> None:
    kevin = abroad_case(container, "Kevin", "2026-11-30T22:30-08:00", "Richmond, BC, Canada")
    olivia = abroad_case(container, "Olivia", "2026-11-30T20:00-05:00", "London, Ontario")
    jason = abroad_case(container, "Jason", "2026-11-30T20:00-05:00", "Chinatown, Manhattan, New York")

    in_vancouver = reader(container, "America/Vancouver", None)
    assert last_seen(shown(in_vancouver.get(f"/p/{kevin}"))) == "Nov 30, 2026, Richmond, British Columbia"
    assert "2026年11月30日, 列治文（不列颠哥伦比亚省）" in shown(in_vancouver.get(f"/p/{kevin}",
                                                                           params={"lang": "zh_CN"}))
    in_toronto = reader(container, "America/Toronto", None)
    assert last_seen(shown(in_toronto.get(f"/p/{olivia}"))) == "Nov 30, 2026, London, Ontario"
    assert last_seen(shown(in_toronto.get(f"/p/{jason}"))) == "Nov 30, 2026, New York City"

    anyone = reader(container, "Asia/Shanghai", None)  # a reader elsewhere reads the zone named: the place's
    assert last_seen(shown(anyone.get(f"/p/{kevin}"))) == "Nov 30, 2026 (Pacific Time), Richmond, British Columbia"
    assert last_seen(shown(anyone.get(f"/p/{olivia}"))) == "Nov 30, 2026 (Eastern Time), London, Ontario"
    feed = shown(anyone.get("/feeds/cases.atom"))
    assert "Last seen on Nov 30, 2026 (Eastern Time) in London, Ontario" in feed and "British Time" not in feed
    assert "Pacific Time" not in last_seen(shown(anyone.get(f"/p/{jason}")))


def test_a_bare_name_of_several_big_cities_is_dated_by_the_offset_it_was_given_with(container: Container) -> None:
    """"Richmond" alone: Virginia's or British Columbia's, the words do not say; no zone is guessed from it: the
    time was given at -08:00, so its day is 30 November there, named by that offset."""
    case_id = abroad_case(container, "Ken", "2026-11-30T22:30-08:00", "Richmond")
    page = shown(reader(container, "Asia/Shanghai", None).get(f"/p/{case_id}"))
    assert last_seen(page) == "Nov 30, 2026 (GMT-08:00), Richmond"


def test_a_sighting_abroad_without_a_pin_is_on_the_day_where_it_was_seen(container: Container) -> None:
    canal = reported(container, "2026-12-03T22:30:00-05:00",
                     {"place_text": "Canal Street station, Manhattan, New York"}, 31)
    fountain = reported(container, "2026-12-03T22:30:00-05:00", {"place_text": "by the fountain"}, 32)
    shanghai = reported(container, "2026-12-03T23:30:00+08:00", {"place_text": "上海市黄浦区南京东路"}, 33)

    in_la = reader(container, "America/Los_Angeles")
    page = shown(in_la.get("/sightings", params={"from": "2026-12-03", "to": "2026-12-03"}))
    found = set(map(int, re.findall(r'<a class="card" href="/sightings/(\d+)">', page)))
    assert found == {canal, fountain, shanghai}, found
    assert "Dec 3, 2026 (Eastern Time)" in card_of(page, canal)
    assert "Dec 3, 2026 (GMT-05:00)" in card_of(page, fountain)
    assert "Dec 3, 2026 (China Time)" in card_of(page, shanghai)
    later = shown(in_la.get("/sightings", params={"from": "2026-12-04", "to": "2026-12-04"}))
    assert "<a class=\"card\"" not in later

    at_home = shown(reader(container, "Asia/Shanghai").get("/sightings"))
    assert "Dec 3, 2026 (Eastern Time)" in card_of(at_home, canal) and "Dec 4" not in card_of(at_home, canal)
    assert "Dec 3, 2026" in card_of(at_home, shanghai) and "China Time" not in card_of(at_home, shanghai)


def test_the_moderators_queue_dates_a_case_abroad_where_it_happened(container: Container) -> None:
    family = Principal(role=Role.FAMILY, account_id=session_for(container, Role.FAMILY)[0])
    abroad_case(container, "Jason", "2026-11-30T20:00-05:00", "Chinatown, Manhattan, New York", family)
    page = re.sub(r"\s+", " ", shown(reader(container, "Asia/Shanghai", Role.MODERATOR).get("/moderation")))
    assert "missing since Nov 30, 2026 (Eastern Time)" in page, page
    assert "Dec 1, 2026 (China Time)" not in page


def test_a_sighting_kept_without_its_day_zone_is_dated_by_its_words_after_the_upgrade(container: Container) -> None:
    """Migration 0042: sightings stored before intake read the zone from the place words (day_zone NULL: the site's)
    are given it, so the date filter and the card agree on the day where the child was seen."""
    from alembic import command

    from reunite.adapters.db.migrate import alembic_config, upgrade

    canal = reported(container, "2026-12-03T22:30:00-05:00", {"place_text": "Chinatown, Manhattan, New York"}, 34)
    bare = reported(container, "2026-12-03T22:30:00-05:00", {"place_text": "Richmond"}, 35)
    with container.engine.begin() as conn:  # as they were kept before
        conn.exec_driver_sql("UPDATE sightings SET day_zone = NULL WHERE id IN (%s, %s)", (canal, bare))
    command.downgrade(alembic_config(container.engine), "0041_case_corrections")
    upgrade(container.engine)
    with container.engine.connect() as conn:
        zones = dict(conn.exec_driver_sql("SELECT id, day_zone FROM sightings WHERE id IN (%s, %s)",
                                          (canal, bare)).all())
    assert zones == {canal: "America/New_York", bare: None}  # a bare "Richmond" names no zone surely

    in_la = reader(container, "America/Los_Angeles")
    page = shown(in_la.get("/sightings", params={"from": "2026-12-03", "to": "2026-12-03"}))
    assert canal in set(map(int, re.findall(r'<a class="card" href="/sightings/(\d+)">', page)))
    assert "Dec 3, 2026 (Eastern Time)" in card_of(page, canal)
