"""Probe s18 R11: on a 320 px phone the case form's date fields were cut ("03/30/202", the year not visible).
Each date, time and date-and-time field of the forms with them is at least as wide as the browser needs to
show its whole value, in English and in Chinese."""

from __future__ import annotations

from playwright.sync_api import Browser

from reunite.bootstrap import Container
from reunite.domain.access import Role
from tests.browser.conftest import SHOTS, screenshots
from tests.conftest import session_for

# each field's width beside the width its value needs: a copy of it, alone and of its own (automatic) width
CUT = """() => Array.from(document.querySelectorAll("input[type=date], input[type=time], input[type=datetime-local]"))
  .filter((el) => el.offsetParent !== null).map((el) => {
    const alone = el.cloneNode();
    alone.value = el.type === "time" ? "23:59" : el.type === "date" ? "2026-12-30" : "2026-12-30T23:59";
    alone.style.cssText = "position:absolute;width:auto;min-width:0;max-width:none;flex:none";
    document.body.appendChild(alone);
    const needs = alone.getBoundingClientRect().width;
    alone.remove();
    return [el.name, Math.round(el.getBoundingClientRect().width), Math.round(needs)];
  }).filter(([, has, needs]) => has < needs)"""


def test_date_fields_show_their_whole_value_on_a_320_px_phone(browser: Browser, server: str,
                                                              container: Container) -> None:
    for locale in ("en-US", "zh-CN"):
        context = browser.new_context(viewport={"width": 320, "height": 740}, locale=locale)
        page = context.new_page()
        page.goto(server + "/report")
        assert page.evaluate(CUT) == [], locale
        context.add_cookies([{"name": "reunite_session", "value": session_for(container, Role.FAMILY)[1],
                              "url": server}])
        page.goto(server + "/cases/new")
        if locale == "en-US":
            screenshots(page, "case-form")
        page.set_viewport_size({"width": 320, "height": 740})
        assert page.evaluate(CUT) == [], locale
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        page.screenshot(path=SHOTS / f"case-form-320-{locale}.png", full_page=True)
        context.close()
