"""A report kept on the phone without signal, from a report page the phone kept (its puzzle used by an
earlier report): sent once the signal returns, its receipt and private link shown, also on a later
visit; one the server refuses for good is said, with what was typed back in the form, never dropped."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, BrowserContext, Page, expect

from reunite.bootstrap import Container
from tests.browser.test_phones import exif_photo
from tests.conftest import count_rows

PHOTO = {"name": "street.jpg", "mimeType": "image/jpeg", "buffer": exif_photo(800, 600)}


def phone_after_one_report(browser: Browser, server: str) -> tuple[BrowserContext, Page]:
    """A phone that opened /report twice (its service worker keeps the page) and sent one report online."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US")
    page = context.new_page()
    page.goto(server + "/report")
    page.evaluate("() => navigator.serviceWorker.ready")
    page.goto(server + "/report")  # this copy, with its puzzle, is the one kept for use without signal
    page.set_input_files("#photos", files=[PHOTO])
    page.fill("input[name=place_text]", "Report A")
    page.click("#send")
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible(timeout=30_000)
    context.set_offline(True)
    page.goto(server + "/report")  # the kept copy: its puzzle was used by report A
    return context, page


def test_a_report_kept_on_a_kept_page_is_sent_and_its_receipt_shown_even_later(
    browser: Browser, server: str, container: Container
) -> None:
    context, page = phone_after_one_report(browser, server)
    page.set_input_files("#photos", files=[PHOTO])
    page.fill("input[name=place_text]", "Chunxi Road")
    page.click("#send")
    expect(page.locator("#progress-text")).to_contain_text("No signal")
    context.set_offline(False)
    # sent by the page (its thank-you page) or by the service worker's background sync, whichever came first
    # (one sender at a time: probe s45 P5), never twice, and never said to have been sent before
    said = page.locator(".receipt-no, #kept .kept-sent")
    expect(said.first).to_contain_text(re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}"), timeout=30_000)
    found = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", said.first.inner_text())
    assert found
    receipt = found.group()
    assert "You had sent this report already" not in page.content()
    assert count_rows(container, "sightings") == 2
    if page.locator(".receipt-no").count():
        page.reload()  # the receipt's address is its private link: opened again, the receipt is still there
        expect(page.locator(".receipt-no")).to_have_text(receipt)
    page.goto(server + "/report")  # reopened: the report sent from the phone's queue is still shown
    kept = page.locator("#kept .kept-sent")
    expect(kept).to_contain_text(receipt)
    expect(kept.locator("a.kept-link")).to_have_attribute("href", re.compile(rf"^/reports/{receipt}/"))
    kept.get_by_role("button", name="Done").click()
    expect(page.locator("#kept")).to_be_hidden()
    page.reload()
    expect(page.locator("#kept")).to_be_hidden()
    assert count_rows(container, "sightings") == 2
    context.close()


def test_a_kept_report_refused_for_good_is_said_with_what_was_typed_kept(
    browser: Browser, server: str, container: Container
) -> None:
    context, page = phone_after_one_report(browser, server)
    page.set_input_files("#photos", files=[{"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"not a photo"}])
    page.fill("input[name=place_text]", "Near the bridge")
    page.click("#send")
    expect(page.locator("#progress-text")).to_contain_text("No signal")
    page.close()  # the reporter leaves
    context.set_offline(False)
    again = context.new_page()
    again.goto(server + "/report")
    expect(again.locator("#kept .kept-refused")).to_contain_text("not accepted", timeout=30_000)
    expect(again.locator("input[name=place_text]")).to_have_value("Near the bridge")
    assert again.evaluate("() => document.getElementById('photos').files.length") == 1
    assert count_rows(container, "sightings") == 1
    again.reload()  # still said until the reporter sends it again
    expect(again.locator("#kept .kept-refused")).to_be_visible()
    context.close()
