"""Each page's main path in real Chromium: report, browse, register, review, search, languages."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect

from reunite.bootstrap import Container
from reunite.domain.access import Role
from reunite.services import signup
from tests.browser.conftest import screenshots, sign_in
from tests.conftest import plain_photo, run_jobs
from tests.e2e.test_retries import Inbox
from tests.photos import another_shot, portrait, upload


def photo_file(folder: Path, person: str = "collins", take: int = 0) -> str:
    """A public-domain portrait (tests/photos.py) as a file the browser can pick."""
    path = folder / f"{person}-{take}.jpg"
    path.write_bytes(portrait(person, take))
    return str(path)


def test_report_a_sighting_and_see_it_in_the_gallery(
    page: Page, server: str, container: Container, tmp_path: Path
) -> None:
    page.goto(server + "/report")
    screenshots(page, "snapshot")
    page.set_input_files("input[name=photos]", photo_file(tmp_path, "collins", 2))
    page.fill("input[name=place_text]", "Hankou railway station")
    page.click("text=More about the child (optional)")
    page.fill("input[name=age_low]", "6")
    page.fill("input[name=age_high]", "9")
    page.click("button.primary")
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible(timeout=30_000)  # a busy CI machine
    copy = page.locator(".thumbs img")  # the server's copy: this small photo was not shrunk on the phone
    expect(copy).to_have_count(1)
    assert copy.evaluate("img => img.complete && img.naturalWidth > 0")
    screenshots(page, "thanks")
    with container.engine.connect() as conn:  # the page's script solved the anonymous report's puzzle
        keys = conn.exec_driver_sql("SELECT key FROM rate_counters").scalars().all()
    assert any(k.startswith("pow:") for k in keys) and "report:ip:127.0.0.1" in keys

    run_jobs(container)
    sign_in(page, server, container, Role.MODERATOR)
    page.goto(server + "/moderation")
    row = page.locator("table.queue tbody tr").first
    expect(row).to_contain_text("Hankou railway station")
    screenshots(page, "moderation")
    row.locator("input[name=ids]").check()  # the report (its only face may be said not the child's)
    page.get_by_role("button", name="Approve chosen").click()
    expect(page.locator("[role=status]")).to_contain_text("Done")
    page.goto(server + "/sightings")
    card = page.locator(".gallery .card").first
    expect(card).to_contain_text("Hankou railway station")
    expect(card.locator("img")).to_have_attribute("src", re.compile(r"/api/faces/\d+/crop"))
    screenshots(page, "sightings")
    card.click()
    expect(page.locator(".facts").first).to_contain_text("faces found")
    expect(page.locator(".facts").first).to_contain_text("Hankou railway station")
    screenshots(page, "sighting")


def test_snapshot_works_without_javascript(browser: Browser, server: str, container: Container) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/report")
    page.set_input_files("input[name=photos]", files=[{"name": "street.jpg", "mimeType": "image/jpeg",
                                                        "buffer": plain_photo()}])
    page.click("button.primary")
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    context.close()


def test_snapshot_page_is_light(page: Page, server: str) -> None:
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(server + "/report")
    page.wait_for_load_state("networkidle")
    size = page.evaluate("""() => performance.getEntriesByType('navigation').concat(
        performance.getEntriesByType('resource')).reduce((total, e) => total + e.transferSize, 0)""")
    assert 0 < size < 100_000
    # its scripts and styles come inline (a round trip each on a slow network), allowed by the CSP
    fetched = page.evaluate("""() => performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)
        .filter(p => /\\.(js|css)$/.test(p) && p !== '/sw.js')""")
    assert fetched == [] and refused == []
    assert page.evaluate("() => document.documentElement.classList.contains('js')")  # the script ran


def test_register_a_case_then_review_its_candidates(
    page: Page, server: str, client: TestClient, container: Container, tmp_path: Path
) -> None:
    for person, take in (("collins", 1), ("hopper", 2)):  # street shots: the case photo comes later, and is no copy
        files = {"photos": (f"{person}.jpg", another_shot(portrait(person, take)), "image/jpeg")}
        client.post("/api/sightings", files=files, data={"seen_at": "2008-06-01T10:00:00Z"})
    run_jobs(container)
    container.deps = replace(container.deps, mailer=Inbox())  # a site that sends email: sign-up by link

    page.goto(server + "/cases/new")  # a family without an account is asked to make one
    page.click("text=Make an account")
    page.fill("input[name=email]", "lin.family@example.org")
    page.click("main button.primary")
    expect(page.locator("[role=status]")).to_contain_text("a message is on its way")
    page.goto(f"{server}/signup/{signup.link_token(container.deps, 'lin.family@example.org')}")  # the emailed link
    page.fill("input[name=name]", "Lin's mother")
    page.fill("input[name=password]", "a long enough password")
    page.click("main button.primary")
    screenshots(page, "case-new")
    page.fill("input[name=given_name]", "Lin")
    page.select_option("select[name=sex]", "female")
    page.fill("input[name=birth_date]", "2000-01-01")
    page.fill("input[name=missing_since]", "2002-06-01")  # the day; its time left empty: the whole day
    page.fill("input[name=place_text]", "Shanghai, People's Square")
    page.locator("input[name=photos]").first.set_input_files(photo_file(tmp_path))
    page.locator("input[name=photo_dates]").first.fill("2002-01-01")
    page.fill("input[name=family_contact]", "+86 138 0000 0000")
    page.click("main button.primary")
    expect(page.locator("[role=status]").first).to_contain_text("The case is registered")
    expect(page.locator("[role=status]").last).to_contain_text("Waiting for a moderator")
    case_url = page.url.split("?")[0]
    run_jobs(container)
    page.reload()
    expect(page.locator("ol.candidates > li")).to_have_count(0)  # not matched before verification

    family = page.context.cookies()
    page.context.clear_cookies()
    sign_in(page, server, container, Role.MODERATOR)
    page.goto(server + "/moderation")
    page.fill("#cases ~ div input[name=evidence]", "police report 2002-0601 seen")
    page.locator("#cases ~ div").first.get_by_role("button", name="Verify").click()
    run_jobs(container)
    page.goto(case_url)
    expect(page.locator(".facts")).to_contain_text("+86 138 0000 0000")  # reviewers reach the family
    candidates = page.locator("ol.candidates > li")
    expect(candidates.first).to_be_visible()
    expect(candidates.first).to_contain_text("years after the child went missing")
    screenshots(page, "case")

    candidates.first.get_by_role("button", name="Dismiss").click()
    expect(page.locator("#form-error")).to_contain_text("say why the candidate is dismissed")
    page.locator("ol.candidates > li").first.get_by_role("button", name="Confirm: this is the child").click()
    expect(page.locator("ol.candidates > li").first).to_contain_text("Confirmed")
    expect(page.locator("ol.timeline")).to_contain_text("Case registered")
    expect(page.locator("ol.timeline")).to_contain_text("A reviewer confirmed a candidate")
    page.fill("textarea[name=body]", "Please call the station tomorrow.")
    page.get_by_role("button", name="Send").click()

    page.context.clear_cookies()
    page.context.add_cookies(family)
    page.goto(case_url)
    expect(page.locator("ol.candidates > li")).to_have_count(1)  # only the confirmed one
    expect(page.locator("ul.messages")).to_contain_text("Please call the station tomorrow.")
    screenshots(page, "case-family")


def test_search_by_photo(page: Page, server: str, client: TestClient, container: Container, tmp_path: Path) -> None:
    ids = {}
    for person, take in (("collins", 2), ("hopper", 2), ("hopper", 0)):
        ids[person, take] = client.post("/api/sightings", files={"photos": upload(person, take)}).json()["id"]
    run_jobs(container)
    sign_in(page, server, container, Role.POLICE)
    page.goto(server + "/search")
    searched = tmp_path / "another.jpg"  # another shot of the child: the same picture is no evidence (last)
    searched.write_bytes(another_shot(portrait("collins", 3)))
    page.set_input_files("input[name=photos]", str(searched))
    page.click("button.primary")
    first = page.locator("ol.results a.card").first
    expect(first).to_have_attribute("href", f"/sightings/{ids['collins', 2]}")
    screenshots(page, "search")


def test_switch_language_and_errors_in_the_readers_language(page: Page, server: str) -> None:
    page.goto(server + "/report")
    page.click("a[lang=zh-CN]")
    expect(page.get_by_role("heading", level=1)).to_have_text("报告您看到的孩子")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.set_input_files("input[name=photos]", files=[{"name": "a.jpg", "mimeType": "image/jpeg",
                                                        "buffer": plain_photo()}])
    page.click("details.advanced summary")  # coordinates are an advanced option
    page.fill("#lat", "95")
    page.fill("#lon", "10")
    page.click("button.primary")
    expect(page.locator("#form-error")).to_contain_text("纬度 95.0 超出范围")
    screenshots(page, "snapshot-zh")
    page.click("a[lang=en]")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a child you saw")
