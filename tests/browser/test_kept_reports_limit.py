"""Probe s20 T3: a report kept on the phone without signal, then refused for the hourly limit of reports
from its address (429, Retry-After) once the network is back, is said to be kept and sent at that time
because of the limit (not "No signal"); after a reload it is listed, with when it is sent, a button to send
it now and one to delete it from the phone, in the reader's language. Probe s30 D1: a report refused for the
limit through the form online is kept on the phone and sent by itself at that time too (it was only handed
back: "try again in 52 minutes"), the police's number offered as the police's."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from reunite.bootstrap import Container
from reunite.services import throttle
from tests.browser.test_phones import exif_photo
from tests.conftest import count_rows

PHOTO = {"name": "street.jpg", "mimeType": "image/jpeg", "buffer": exif_photo(800, 600)}
ZONE = "Asia/Shanghai"


@pytest.fixture
def container(container: Container) -> Container:
    """One report an hour from an address, puzzle or not (the ceiling of reports with a solved puzzle)."""
    limits = replace(container.deps.limits, reports_per_hour=1, puzzle_reports_per_hour=1)
    return replace(container, deps=replace(container.deps, limits=limits))


@pytest.fixture
def spent(container: Container) -> throttle.Counted:
    """This address (the browser's: loopback) has sent its one report of the hour."""
    return throttle.hit(container.deps, "report:ip:127.0.0.1", 1)


def words(page: Page, selector: str) -> str:
    """The text as read, with the narrow spaces some languages put in times ("3:42 PM") made plain."""
    return page.locator(selector).inner_text().replace("\u202f", " ").replace("\xa0", " ")


def kept_next(page: Page) -> float:
    """When the phone's queue will send its one kept report again (ms since the epoch)."""
    entries = page.evaluate("() => reuniteQueue.all()")
    assert len(entries) == 1 and entries[0]["state"] == "waiting", entries
    return float(entries[0]["next"])


def kept_while_offline(context: BrowserContext, server: str) -> Page:
    """A report sent without signal (kept on the phone), then the network back: the queue sends it."""
    page = context.new_page()
    page.goto(server + "/report")
    page.set_input_files("#photos", files=[PHOTO])
    page.fill("input[name=place_text]", "Jing'an Temple, Shanghai")
    context.set_offline(True)
    page.click("#send")
    expect(page.locator("#progress-text")).to_contain_text("No signal")
    context.set_offline(False)
    return page


def test_a_kept_report_held_for_the_hourly_limit_says_when_it_is_sent_and_is_listed_after_a_reload(
    browser: Browser, server: str, container: Container, spent: throttle.Counted
) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="en-US", timezone_id=ZONE,
                                  bypass_csp=True)  # for axe-core
    page = kept_while_offline(context, server)  # the server answers 429: this address's report of the hour is sent
    expect(page.locator("#progress-text")).to_contain_text("because of the hourly limit", timeout=30_000)
    expect(page.locator("#progress-text")).not_to_contain_text("No signal")
    sent_at = kept_next(page)
    assert 3000 < sent_at / 1000 - time.time() <= 3660, "the wait the server named (Retry-After, whole minutes)"
    at = datetime.fromtimestamp(sent_at / 1000, ZoneInfo(ZONE))  # the phone's own time
    clock = f"{at.hour % 12 or 12}:{at.minute:02d} {'AM' if at.hour < 12 else 'PM'}"
    assert clock in words(page, "#progress-text")
    assert count_rows(container, "sightings") == 0

    page.reload()  # reopened: the report waiting on this phone is listed, with when it is sent
    waiting = page.locator("#kept .kept-waiting")
    expect(waiting).to_contain_text("because of the hourly limit")
    assert clock in words(page, "#kept .kept-waiting")
    assert page.evaluate("() => document.scrollingElement.scrollWidth <= innerWidth"), "fits 320 px"
    found = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "best-practice"]}).response
    assert [v["id"] for v in found["violations"] if v["impact"] in ("serious", "critical")] == []
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/report")) as answer:
        waiting.get_by_role("button", name="Send now").click()
    assert answer.value.status == 429  # still the limit: kept, and said so again
    expect(waiting).to_contain_text("because of the hourly limit")
    expect(waiting.get_by_role("button", name="Send now")).to_be_focused()
    assert count_rows(container, "sightings") == 0

    page.goto(server + "/lang/zh_CN?next=/report")  # in the reader's language, the phone's time
    waiting = page.locator("#kept .kept-waiting")
    expect(waiting).to_contain_text("本小时发送的报告已达上限")
    at = datetime.fromtimestamp(kept_next(page) / 1000, ZoneInfo(ZONE))
    assert f"{at.hour}:{at.minute:02d}" in words(page, "#kept .kept-waiting")
    waiting.get_by_role("button", name="从本机删除").click()
    expect(waiting).to_contain_text("要从本机删除这份报告吗")
    waiting.get_by_role("button", name="删除", exact=True).click()
    expect(page.locator("#kept")).to_contain_text("报告已从本机删除")
    assert page.evaluate("() => reuniteQueue.all()") == []
    page.reload()
    expect(page.locator("#kept")).to_be_hidden()
    assert count_rows(container, "sightings") == 0
    context.close()


def test_a_kept_report_held_for_the_hourly_limit_is_sent_at_its_time_while_the_page_is_open(
    browser: Browser, server: str, container: Container, spent: throttle.Counted
) -> None:
    # the page alone sends it (no service worker's background sync to send it too)
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="en-US", service_workers="block")
    context.clock.install()  # the phone's clock, moved on an hour below
    page = kept_while_offline(context, server)
    expect(page.locator("#progress-text")).to_contain_text("because of the hourly limit", timeout=30_000)
    with container.deps.uow() as uow:  # the hour has passed for the server too
        uow.uncount_hit(*spent)
        uow.commit()
    page.clock.fast_forward("01:01:00")
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible(timeout=30_000)
    assert count_rows(container, "sightings") == 1
    context.close()


def test_a_report_refused_for_the_hourly_limit_online_is_kept_on_the_phone_and_sent_at_its_time(
    browser: Browser, server: str, container: Container, spent: throttle.Counted
) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="zh-CN", timezone_id=ZONE,
                                  service_workers="block")
    context.clock.install()  # the phone's clock, moved on an hour below
    page = context.new_page()
    page.goto(server + "/report")
    page.set_input_files("#photos", files=[PHOTO])
    page.fill("input[name=place_text]", "成都东站")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/report")) as answer:
        page.click("#send")
    assert answer.value.status == 429
    said = page.locator("#progress-text")  # kept, with when it goes: never only "try again in 52 minutes"
    expect(said).to_contain_text("本小时发送的报告已达上限", timeout=30_000)
    expect(said).to_contain_text("请立即报警：110")
    sent_at = kept_next(page)
    assert 3000 < sent_at / 1000 - time.time() <= 3660, "the wait the server named (Retry-After)"
    at = datetime.fromtimestamp(sent_at / 1000, ZoneInfo(ZONE))
    assert f"{at.hour}:{at.minute:02d}" in words(page, "#progress-text")
    entry = page.evaluate("() => reuniteQueue.all()")[0]
    assert entry["reason"] == "limit" and len(entry["files"]) == 1  # the photo kept with it
    expect(page.locator("#form-error")).to_have_count(0)
    expect(page.get_by_role("button", name="立即发送")).to_be_visible()
    assert count_rows(container, "sightings") == 0

    with container.deps.uow() as uow:  # the hour has passed for the server too
        uow.uncount_hit(*spent)
        uow.commit()
    page.clock.fast_forward("01:01:00")
    expect(page.get_by_role("heading", name="谢谢您")).to_be_visible(timeout=30_000)
    assert count_rows(container, "sightings") == 1
    context.close()
