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
