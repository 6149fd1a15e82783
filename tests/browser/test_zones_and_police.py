"""In real Chromium: the browser's own zone decides how times read, and an officer's phone gets the
exact place and the reporter's phone as things to tap, without the page scrolling sideways."""

from __future__ import annotations

from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect

from reunite.bootstrap import Container
from reunite.domain.access import Role
from tests.browser.conftest import sign_in
from tests.conftest import plain_photo


def test_an_officer_in_london_reads_a_shanghai_report_in_london_time_and_taps_to_act(
    browser: Browser, server: str, client: TestClient, container: Container
) -> None:
    files = [("photos", ("street.jpg", plain_photo(), "image/jpeg"))]
    sent = client.post("/api/sightings", files=files, data={
        "seen_at": "2026-06-01T17:30:00+08:00", "lat": "31.2345678", "lon": "121.4567891",
        "contact": "Wang Xiaoming, +86 138 0013 8000, wang.xiaoming.reporter@example.org",
        "description": "crying at the bus stop near the very long named Renmin Road station entrance",
        "with_whom": "a tall man in a grey coat", "apparent_sex": "female"})
    sighting = sent.json()["id"]
    for width in (320, 360):
        context = browser.new_context(viewport={"width": width, "height": 740}, locale="en-GB",
                                      timezone_id="Europe/London")
        page = context.new_page()
        sign_in(page, server, container, Role.POLICE)
        page.goto(f"{server}/sightings/{sighting}")
        page.reload()  # the first page set the zone cookie; from now on times read in London time
        expect(page.locator("h1")).to_contain_text("British Summer Time")
        assert "10:30" in (page.locator("h1").text_content() or "")
        geo = "geo:31.234568,121.456789?q=31.234568,121.456789"
        expect(page.get_by_role("link", name="Open in maps")).to_have_attribute("href", geo)
        expect(page.get_by_role("link", name="Call +86 138 0013 8000")).to_have_attribute("href", "tel:+8613800138000")
        expect(page.locator("dd", has_text="a tall man in a grey coat")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for link in ("Open in maps", "Directions", "Call +86 138 0013 8000"):
            box = page.get_by_role("link", name=link).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, link
        context.close()
