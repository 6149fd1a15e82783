"""Probe s27 A7: a poster, a feed entry and an alert of a child last seen in another country than the site's
told whoever sees the child to call the site's number (110 on a site in China) even in New York or Melbourne.
They give the police number of the country the child was last seen in where it is known, and the site's
number at home."""

from __future__ import annotations

from datetime import date, datetime

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.model import CandidateStatus, GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import intake, moderation, posters, review
from reunite.services.accounts import from_session
from tests.conftest import run_jobs, session_for
from tests.e2e.test_probe_s26_abroad import abroad_case
from tests.e2e.test_times import shown
from tests.photos import another_shot, portrait


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


def test_a_family_in_los_angeles_is_told_911_under_its_lead_on_its_case_page_and_the_poster(
        container: Container) -> None:
    """Probe s42 N2: on a site in China, the family's case page said "call the police: 110" under a lead confirmed in
    Los Angeles, and every footer (the LA poster's too, beside its "Call 911") said 110. The number is the place's:
    where the lead was seen under it, where the child went missing on the case page and the poster."""
    deps = container.deps
    _, token = session_for(container, Role.REPORTER)
    family = from_session(deps, token)
    assert family is not None
    case = NewCase(given_name="Lucy", family_name="Wong", sex=Sex.FEMALE, birth_date=date(2016, 1, 1),
                   missing_since=datetime.fromisoformat("2026-11-30T22:30-08:00"), last_seen_place=None,
                   last_seen_text="Los Angeles, California")
    case_id = intake.register_case(deps, family, case, [Upload(another_shot(portrait()), "c.jpg")], [None]).case_id
    moderation.verify_case(deps, OPERATOR, case_id, "police report seen")
    seen = NewSighting(seen_at=datetime.fromisoformat("2026-12-02T10:00-08:00"), place=GeoPoint(34.05, -118.24),
                       place_text="Los Angeles")
    sighting = intake.report_sighting(deps, OPERATOR, seen, [Upload(portrait("collins", 1), "s.jpg")]).sighting_id
    run_jobs(container)
    moderation.moderate_sightings(deps, OPERATOR, [sighting], approve=True)
    run_jobs(container)
    [lead] = deps.read.candidates(case_id, None)
    review.review_candidate(deps, OPERATOR, lead["id"], CandidateStatus.CONFIRMED, "her coat")
    own = TestClient(create_app(container))
    own.cookies.set("reunite_session", token)
    page = shown(own.get(f"/cases/{case_id}?lang=en"))
    assert "if the child is in danger, call the police: 911." in page
    assert "Call the police: 911." in page and "police: 110" not in page
    poster = shown(TestClient(create_app(container)).get(f"/p/{case_id}?lang=en"))
    assert "Call 911." in poster and "Call the police: 911." in poster and "110" not in poster
    home = shown(TestClient(create_app(container)).get("/?lang=en"))
    assert "Call the police: 110." in home  # a page about no place: the site's own
