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
        expect(page.locator("dd", has_text="a tall man in a grey coat").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for link in ("Open in maps", "Directions", "Call +86 138 0013 8000"):
            box = page.get_by_role("link", name=link).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, link
        context.close()


def test_on_a_first_visit_the_time_zone_label_names_the_zone_typed_times_are_read_in(
    browser: Browser, server: str, container: Container
) -> None:
    """A phone in New York opens the report form from a poster's QR code (no zone cookie yet): the
    label beside "When" names New York's zone, as the time typed will be read, in the page's language."""
    for locale, zone_words in (("en-US", "Eastern"), ("zh-CN", "北美东部")):
        context = browser.new_context(locale=locale, timezone_id="America/New_York")
        page = context.new_page()
        page.goto(f"{server}/report")
        expect(page.locator("small[data-zone]")).to_contain_text(zone_words)
        assert "China" not in (page.locator("small[data-zone]").text_content() or "")
        assert page.locator("input[name=tz]").first.input_value() == "America/New_York"
        if locale == "en-US":
            sign_in(page, server, container, Role.FAMILY)
            page.evaluate("document.cookie = 'tz=; path=/; max-age=0'")  # a first visit to this form too
            page.goto(f"{server}/cases/new")
            expect(page.locator("small[data-zone]")).to_contain_text("Eastern")
        context.close()
