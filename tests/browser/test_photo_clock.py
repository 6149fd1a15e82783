"""Probe s18 R1 in real Chromium: a photo whose camera clock reads zeros (no offset, so the phone's zone,
whose offset was a fraction of a minute in year 0) never sends its clock, never shows "Invalid Date", and
the report is sent with the time the reporter types; a report the server sends back for a field keeps the
photo chosen; the time asked after a report carries the browser's offset with its zone."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from reunite.bootstrap import Container
from tests.conftest import newest_sighting
from tests.integration.test_codec import phone_exif


def photo_with_clock(wall: str | None, offset: str | None = None) -> bytes:
    exif = phone_exif()
    ifd = exif.get_ifd(0x8769)
    ifd.pop(36881, None)
    if wall is None:
        ifd.pop(36867, None)
    else:
        ifd[36867] = wall
    if offset:
        ifd[36881] = offset
    out = io.BytesIO()
    Image.fromarray(np.full((120, 160, 3), 128, np.uint8)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def choose(page: Page, data: bytes) -> None:
    page.locator("#photos").set_input_files(files=[{"name": "p.jpg", "mimeType": "image/jpeg", "buffer": data}])


def test_a_photo_whose_clock_is_zeros_is_reported_with_the_typed_time(browser: Browser, server: str,
                                                                      container: Container) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 740}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.goto(server + "/report?lang=zh-CN")
    choose(page, photo_with_clock("0000:00:00 00:00:00"))
    help_text = page.locator("#when-help")
    expect(help_text).to_have_text("您照片里的时钟没有有效的日期：您是什么时候看到这个孩子的？")
    assert page.locator("#photo_taken_at").input_value() == ""
    for wall, offset in (("2019:02:30 10:00:00", "+08:00"), ("2025:11:01 24:00:00", None),
                         ("2025:11:01 10:00:00", "+14:30"), ("1800:06:01 10:00:00", None)):
        choose(page, photo_with_clock(wall, offset))
        expect(help_text).not_to_have_text("不填则使用照片自带的时间，否则使用您发送的时间。", timeout=3000)
        said = help_text.text_content() or ""
        assert "Invalid" not in said and "NaN" not in said, (wall, said)
        taken = page.locator("#photo_taken_at").input_value()
        # a day that does not exist is no time; 1800 is no time a child was seen; +14:30 is no offset (the
        # wall clock read in this phone's zone, in whole minutes)
        assert taken in ("", "2025-11-01T10:00:00+08:00"), (wall, taken)
    choose(page, photo_with_clock("0000:00:00 00:00:00"))
    expect(help_text).to_have_text("您照片里的时钟没有有效的日期：您是什么时候看到这个孩子的？")
    assert page.locator("#photo_taken_at").input_value() == ""
    page.locator("#seen_at").fill("2025-11-01T10:00")
    page.get_by_role("button", name="发送报告").click()
    expect(page.get_by_role("heading", name="谢谢您")).to_be_visible(timeout=30_000)
    with container.engine.connect() as conn:
        seen, basis = conn.exec_driver_sql("SELECT seen_at, seen_at_basis FROM sightings WHERE id = %s",
                                           (newest_sighting(container),)).one()
    assert (seen.isoformat(), basis) == ("2025-11-01T02:00:00+00:00", "given")
    context.close()


def test_a_report_sent_back_for_a_field_keeps_its_photo_and_the_asked_time_carries_the_offset(
    browser: Browser, server: str, container: Container
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.goto(server + "/report")
    choose(page, photo_with_clock(None))
    page.locator("#seen_at").fill("2099-11-01T10:00")  # in the future: refused, the form sent back
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("#form-error")).to_contain_text("in the future", timeout=30_000)
    expect(page.locator("#photos-again")).to_have_text(
        "Your photos are still chosen: correct what is marked and send the report again.")
    assert page.locator("#photos").evaluate("el => el.files.length") == 1
    page.locator("#seen_at").fill("")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible(timeout=30_000)
    offset = page.locator('#when input[name="tz_offset"]')  # the time asked for: read at the browser's offset
    expect(offset).to_have_value("-480")                     # should its zone be one the server does not know
    context.close()


def test_a_photo_chosen_again_after_a_refusal_still_dates_the_report(browser: Browser, server: str,
                                                                    container: Container) -> None:
    """A report the server sent back for a field: the photo the page puts back is read again, so its clock
    is still offered (and said under "When") and dates the report once the field is corrected."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.goto(server + "/report")
    choose(page, photo_with_clock("2025:11:01 10:00:00", "+08:00"))
    help_text = page.locator("#when-help")
    expect(help_text).to_contain_text("The photo was taken at Nov 1, 2025")
    page.locator("#seen_at").fill("2099-11-01T10:00")  # in the future: refused, the form sent back
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("#form-error")).to_contain_text("in the future", timeout=30_000)
    expect(help_text).to_contain_text("The photo was taken at Nov 1, 2025")
    page.locator("#seen_at").fill("")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible(timeout=30_000)
    with container.engine.connect() as conn:
        seen, basis = conn.exec_driver_sql("SELECT seen_at, seen_at_basis FROM sightings WHERE id = %s",
                                           (newest_sighting(container),)).one()
    assert (seen.isoformat(), basis) == ("2025-11-01T02:00:00+00:00", "camera")
    context.close()
