"""Issue 14, item 6, in a real browser: the thank-you page says by itself, once the worker has looked,
that the face is too small, and leads to the private page's closer-photo form (in the reader's language,
on a 320 px phone, with nothing axe-core finds serious)."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect

from reunite.bootstrap import Container
from tests.conftest import count_rows, run_jobs
from tests.e2e.test_quality_gate import far_away


def test_the_thank_you_page_updates_itself_with_the_faces_verdict(
    browser: Browser, server: str, container: Container
) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 740}, locale="zh-CN")
    page = context.new_page()
    page.goto(server + "/report?lang=zh_CN")
    page.set_input_files("input[name=photos]", files=[{"name": "far.jpg", "mimeType": "image/jpeg",
                                                       "buffer": far_away()}])
    page.fill("input[name=place_text]", "汉口站")
    page.click("button.primary")
    verdict = page.locator("#face-check")
    expect(verdict).to_contain_text("正在检查", timeout=30_000)  # a busy CI machine
    run_jobs(container)  # the worker looks while the page waits
    expect(page.locator("#face-check")).to_contain_text("太小", timeout=20_000)
    page.locator("#face-check a.button").click()
    expect(page.locator("#closer")).to_be_visible()
    found = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "best-practice"]}).response
    serious = [v["id"] for v in found["violations"] if v.get("impact") in ("serious", "critical")]
    assert not serious, serious
    assert page.evaluate("document.documentElement.scrollWidth") <= 320  # nothing scrolls sideways
    assert count_rows(container, "sightings") == 1
    context.close()
