"""In real Chromium: the time read from a photo's EXIF is shown in the zone the form names (the
browser's), not as the camera's wall clock: a photo taken at 14:00 in Shanghai reads 1:00 AM in New York."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from playwright.sync_api import Browser, expect

from tests.integration.test_codec import phone_exif


def shanghai_photo() -> bytes:
    exif = phone_exif()
    exif.get_ifd(0x8769).update({36867: "2026:11:20 14:00:00", 36881: "+08:00"})
    out = io.BytesIO()
    Image.fromarray(np.full((120, 160, 3), 128, np.uint8)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_a_photos_time_reads_in_the_zone_the_form_names(browser: Browser, server: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US",
                                  timezone_id="America/New_York")
    page = context.new_page()
    page.goto(server + "/report")
    page.locator('input[type="file"]').first.set_input_files(
        files=[{"name": "p.jpg", "mimeType": "image/jpeg", "buffer": shanghai_photo()}])
    help_text = page.locator("#when-help")
    expect(help_text).to_contain_text("1:00")
    assert "14:00" not in (help_text.text_content() or "")
    expect(help_text).to_contain_text("Eastern Standard Time")  # the zone it is shown in, named (probe s40 A5)
    context.close()


def test_a_camera_time_without_a_zone_is_said_to_be_read_in_the_phones_zone(browser: Browser, server: str) -> None:
    """Probe s10, finding 5: a camera that writes no zone (no OffsetTimeOriginal): the form says its time is
    read in this phone's zone, and the receipt names the zone it was read in."""
    exif = phone_exif()
    ifd = exif.get_ifd(0x8769)
    ifd[36867] = "2026:11:20 14:00:00"
    ifd.pop(36881, None)
    out = io.BytesIO()
    Image.fromarray(np.full((120, 160, 3), 128, np.uint8)).save(out, format="JPEG", exif=exif)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US",
                                  timezone_id="America/New_York")
    page = context.new_page()
    page.goto(server + "/report")
    page.locator('input[type="file"]').first.set_input_files(
        files=[{"name": "p.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}])
    help_text = page.locator("#when-help")
    expect(help_text).to_contain_text("camera's clock, which records no time zone")
    expect(help_text).to_contain_text("2:00")
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("main")).to_contain_text("read as Eastern Standard Time", timeout=20_000)
    expect(page.locator("main")).to_contain_text("2:00 PM Eastern Standard Time")
    context.close()


def test_a_photo_whose_clock_was_reset_is_not_offered_as_the_time_and_the_reporter_is_asked(
    browser: Browser, server: str
) -> None:
    """Probe s12 F8: a phone whose battery ran out stamps 1970-01-01. The form does not say that time is used;
    it asks when the child was seen, and the thank-you page asks again with a way to give it."""
    exif = phone_exif()
    exif.get_ifd(0x8769).update({36867: "1970:01:01 00:00:00", 36881: "+08:00"})
    out = io.BytesIO()
    Image.fromarray(np.full((120, 160, 3), 128, np.uint8)).save(out, format="JPEG", exif=exif)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.goto(server + "/report")
    page.locator('input[type="file"]').first.set_input_files(
        files=[{"name": "p.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}])
    help_text = page.locator("#when-help")
    expect(help_text).to_contain_text("Your photo's clock says Jan 1, 1970: that cannot be when you saw the child")
    assert "is used" not in (help_text.text_content() or "")
    page.get_by_role("button", name="Send report").click()
    main = page.locator("main")
    expect(main).to_contain_text("time not given (report received", timeout=20_000)
    expect(main).to_contain_text("Your photo's clock says Jan 1, 1970")
    page.locator('#when input[name="seen_at"]').fill("2026-12-02T15:00")
    page.get_by_role("button", name="Add the time to my report").click()
    expect(main).to_contain_text("The time was added to your report.")
    expect(main).to_contain_text("Dec 2, 2026, 3:00 PM China Standard Time")
    context.close()


def test_a_photo_whose_clock_is_ahead_is_said_to_be_ahead_with_its_time_in_the_phones_zone(
    browser: Browser, server: str
) -> None:
    """Probe s26 Z9b: a camera clock 16 minutes ahead was set aside naming only its day (the reporter's today):
    the form says the clock is later than now, with the time it shows in the phone's zone, named."""
    from datetime import UTC, datetime, timedelta, timezone

    ahead = (datetime.now(UTC) + timedelta(minutes=16)).astimezone(timezone(timedelta(hours=-5)))
    exif = phone_exif()
    exif.get_ifd(0x8769).update({36867: ahead.strftime("%Y:%m:%d %H:%M:%S"), 36881: "-05:00"})
    out = io.BytesIO()
    Image.fromarray(np.full((120, 160, 3), 128, np.uint8)).save(out, format="JPEG", exif=exif)
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="en-US",
                                  timezone_id="America/Los_Angeles")
    page = context.new_page()
    page.goto(server + "/report")
    page.locator('input[type="file"]').first.set_input_files(
        files=[{"name": "p.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}])
    help_text = page.locator("#when-help")
    expect(help_text).to_contain_text("later than now: the camera's clock is ahead")
    expect(help_text).to_contain_text("Pacific Standard Time")
    expect(help_text).to_contain_text((ahead - timedelta(hours=3)).strftime("%-I:%M"))  # in Los Angeles
    context.close()
