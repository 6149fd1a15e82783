"""Probe s27 A7: a poster, a feed entry and an alert of a child last seen in another country than the site's
told whoever sees the child to call the site's number (110 on a site in China) even in New York or Melbourne.
They give the police number of the country the child was last seen in where it is known, and the site's
number at home."""

from __future__ import annotations

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.entrypoints.api.app import create_app
from reunite.services import posters
from tests.e2e.test_probe_s26_abroad import abroad_case
from tests.e2e.test_times import shown


def test_a_child_seen_abroad_gets_the_police_number_there_and_at_home_the_sites(container: Container) -> None:
    lucy = abroad_case(container, "Lucy", "2026-12-04T21:00-05:00", "Sunset Park, Brooklyn, New York")
    emma = abroad_case(container, "Emma", "2026-12-04T21:00+00:00", "Camden, London, England")
    ming = abroad_case(container, "Ming", "2026-12-04T21:00+08:00", "上海市黄浦区")
    assert posters.poster(container.deps, lucy)["phone"] == "911"
    assert posters.poster(container.deps, emma)["phone"] == "999"
    assert posters.poster(container.deps, ming)["phone"] == container.deps.site.contact_phone == "110"

    anyone = TestClient(create_app(container))
    assert "Call 911." in shown(anyone.get(f"/p/{lucy}")) and "Call 110" not in shown(anyone.get(f"/p/{lucy}"))
    assert "Call 110." in shown(anyone.get(f"/p/{ming}"))
    feed = shown(anyone.get("/feeds/cases.atom"))
    assert feed.count("Call 911.") == 1 and feed.count("Call 999.") == 1 and feed.count("Call 110.") == 1


def test_a_child_seen_where_the_police_number_is_not_known_is_told_to_call_the_local_police(
        container: Container) -> None:
    """Probe s31 E2: a child last seen in Santiago de Chile (no number in the table), or at an offset no country
    of the site keeps, was told "Call 110", the site's number, which reaches nobody there."""
    chile = abroad_case(container, "Pia", "2026-12-04T21:00-03:00", "Santiago, Chile")
    far = abroad_case(container, "Ravi", "2026-12-04T21:00+05:00", "somewhere nobody knows")
    anyone = TestClient(create_app(container))
    for case in (chile, far):
        assert posters.poster(container.deps, case)["phone"] == ""
        page = shown(anyone.get(f"/p/{case}"))
        assert "Call the local police." in page and "Call 110" not in page
    zh = shown(anyone.get(f"/p/{chile}", headers={"Accept-Language": "zh-CN"}))
    assert "请联系当地警方" in zh and "拨打 110" not in zh
    feed = shown(anyone.get("/feeds/cases.atom"))
    assert feed.count("Call the local police.") == 2 and "Call 110" not in feed
