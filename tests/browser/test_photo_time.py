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
    context.close()
