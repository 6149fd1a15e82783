"""Probe s26 Z6: a region abroad covers what people mean by it, the same for alerts, region feeds, the partner API's
and the web's place box: a big city its metro area ("Vancouver": Richmond and Burnaby; "Toronto": Markham), a
region's or a country's name alone every city in it ("Ontario", "卑诗省", "加州", "加拿大"), in Latin letters or
either Chinese script; "London" is not London, Ontario. Always by the public city, never finer words."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from reunite.adapters.notify.webhook import HttpWebhooks
from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.entrypoints.api.app import create_app
from reunite.services import reach
from tests.conftest import SettableClock, session_for
from tests.e2e.test_days_where import reported as reported_at
from tests.e2e.test_place_search import Ask, api, page, reported
from tests.e2e.test_probe_places import client, verified_family
from tests.e2e.test_probe_s26_abroad import abroad_case
from tests.e2e.test_reach import T0


def test_a_region_subscriber_abroad_hears_of_a_case_in_its_metro_area_region_or_country(container: Container) -> None:
    deps = replace(container.deps, clock=SettableClock(T0 + timedelta(minutes=30)),
                   webhooks=HttpWebhooks(resolve=lambda host, port: ["93.184.216.34"]))
    regions = ("Vancouver", "温哥华", "溫哥華", "British Columbia", "卑诗省", "BC", "Canada", "加拿大",
               "Toronto", "Ontario", "London", "加州", "美国", "Richmond, Virginia")
    subs = {region: reach.subscribe(deps, OPERATOR, "webhook", f"https://partner.example/{n}", None, 0, region)[0]
            for n, region in enumerate(regions)}
    case_id = abroad_case(container, "Kevin", "2026-11-20T00:30-08:00", "No. 3 Road and Alderbridge, Richmond, BC")
    reach.alert_round(deps, case_id)
    with container.engine.connect() as conn:
        alerted = set(conn.exec_driver_sql("SELECT subscription_id FROM alerts WHERE case_id = %s",
                                           (case_id,)).scalars())
    assert alerted == {subs[r] for r in regions[:8]}


def entries(feed: str) -> set[str]:
    return set(re.findall(r"<entry>.*?<title>Missing: ([^<]+)</title>", feed, re.S))


def test_a_region_feed_lists_the_cases_its_region_covers(container: Container) -> None:
    for name, words in (("Kevin", "Richmond, BC, Canada"), ("Mei", "Pacific Mall, Markham, Ontario"),
                        ("Olivia", "London, Ontario"), ("Jason", "Monterey Park, Los Angeles"),
                        ("Lucy", "Sunset Park, Brooklyn, New York"), ("Tom", "London, England")):
        abroad_case(container, name, "2026-11-30T20:00-05:00", words)
    anyone = TestClient(create_app(container))

    def feed(region: str) -> set[str]:
        answer = anyone.get("/feeds/cases.atom", params={"region": region})
        assert answer.status_code == 200
        return entries(answer.text)

    assert feed("Vancouver") == feed("温哥华") == feed("卑詩省") == {"Kevin"}
    assert feed("Toronto") == feed("多伦多") == {"Mei"}
    assert feed("Ontario") == feed("安大略省") == feed("安省") == {"Mei", "Olivia"}
    assert feed("Canada") == feed("加拿大") == {"Kevin", "Mei", "Olivia"}
    assert feed("Los Angeles") == feed("加州") == feed("California") == {"Jason"}
    assert feed("New York") == feed("纽约") == feed("纽约州") == feed("Brooklyn") == {"Lucy"}
    assert feed("美国") == feed("USA") == {"Jason", "Lucy"}
    assert feed("London") == feed("伦敦") == feed("英国") == {"Tom"}


@pytest.fixture
def askers(container: Container) -> dict[str, Ask]:
    family, _ = verified_family(container)
    _, police = session_for(container, Role.POLICE)
    return {"family API": api(client(container, family)), "family page": page(client(container, family)),
            "police API": api(client(container, police)), "police page": page(client(container, police))}


@pytest.mark.parametrize("reader", ["family API", "family page", "police API", "police page"])
def test_the_place_box_finds_sightings_abroad_by_the_same_rule(
    container: Container, askers: dict[str, Ask], reader: str
) -> None:
    burnaby = reported(container, "SkyTrain station, Burnaby", 1)
    markham = reported(container, "Pacific Mall, Markham, Ontario", 2)
    london_on = reported(container, "London, Ontario", 3)
    flushing = reported(container, "Main Street, Flushing, Queens", 4)
    monterey = reported(container, "Atlantic Blvd, Monterey Park, CA", 5)
    chengdu = reported(container, "四川省成都市武侯区", 6)
    ask = askers[reader]
    assert ask("Vancouver") == ask("温哥华") == ask("British Columbia") == ask("卑诗省") == {burnaby}
    assert ask("Toronto") == ask("多倫多") == {markham}
    assert ask("安大略省") == ask("安省") == {markham, london_on}
    assert ask("加拿大") == ask("Canada") == {burnaby, markham, london_on}
    assert ask("New York") == ask("纽约") == ask("NY") == {flushing}
    assert ask("Los Angeles") == ask("洛杉矶") == ask("加州") == ask("California") == {monterey}
    assert ask("美国") == ask("United States") == {flushing, monterey}  # a whole country: SQL still narrows it
    assert ask("四川") == {chengdu}
    if reader.startswith("family"):  # the public city only; police also find the words as written
        assert ask("London") == ask("SkyTrain") == set()
    else:
        assert ask("London") == {london_on} and ask("SkyTrain") == {burnaby}


def test_a_pinned_sighting_is_found_by_its_public_city_s_metro_area(container: Container) -> None:
    in_burnaby = reported_at(container, "2026-12-03T15:00:00-08:00",
                             {"lat": "49.2276", "lon": "-123.0076", "place_text": "at the mall"}, 41)
    family, _ = verified_family(container)
    ask = api(client(container, family))
    assert ask("Vancouver") == ask("卑诗省") == {in_burnaby}
    assert ask("Toronto") == set()
