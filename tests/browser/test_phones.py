"""Every page on a 320 and a 360 px phone in both languages, as an admin, a family (the search page's
case chooser) and a passer-by see it: nothing scrolls sideways, axe-core finds no serious or critical
violation; the report page's button above the fold; a report made without
signal arrives once when the signal returns, also by background sync after its page was closed; the
map says when its tiles cannot load."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Principal, Role
from reunite.domain.model import NewCase, NewSighting, Sex, Upload
from reunite.services import intake, moderation, reports
from reunite.services.accounts import from_session
from tests.browser.conftest import sign_in
from tests.conftest import count_rows, plain_photo, session_for
from tests.e2e.test_case_removal import removed_for_good

PUBLIC = ["/", "/report", "/login", "/signup", "/privacy", "/takedown", "/subscribe", "/stats", "/invite/not-a-token",
          "/no-such-page"]
SIGNED_IN = ["/cases/new", "/moderation", "/moderation/sources", "/moderation/dashboard", "/sightings", "/search",
             "/admin", "/account", "/audit", "/audit?subject=sighting:x",  # the audit log, a filter unreadable
             "/sightings?lat=abc&lon=1&radius_km=-1&from=notadate&age=-1"]  # every filter named as unreadable
FAMILY = ["/search"]  # a family's pages that differ from an admin's: search by photo chooses among its cases
LANGS = ["en", "zh_CN", "zh_TW"]


def seed(container: Container) -> dict[str, str]:
    """A verified case, a pending sighting and its reporter's private link; a case taken down (its
    placeholder page)."""
    from datetime import UTC, date, datetime

    police = Principal(role=Role.POLICE, account_id=None, name="test")
    case = intake.register_case(container.deps, police, NewCase(
        given_name="Lin", family_name="Wang", sex=Sex.FEMALE, birth_date=date(2015, 3, 1),
        missing_since=datetime(2024, 6, 1, tzinfo=UTC), last_seen_place=None,
        last_seen_text="Chengdu, Chunxi Road near the long pedestrian street entrance",
        family_contact="+86 138 0000 0000"), [Upload(plain_photo())], [None])
    receipt = intake.report_sighting(container.deps, Principal(), NewSighting(
        seen_at=None, place=None, place_text="Hankou railway station, north square, by the long taxi queue",
        description="A girl in a red coat holding a man's hand"), [Upload(plain_photo(seed=3))])
    gone = intake.register_case(container.deps, police, NewCase(
        given_name="Mei", family_name="Li", sex=Sex.FEMALE, birth_date=date(2016, 1, 1),
        missing_since=datetime(2024, 1, 1, tzinfo=UTC), last_seen_place=None, last_seen_text="Wuhan",
        family_contact="+86 139 0000 0000"), [Upload(plain_photo(seed=5))], [None])
    removed_for_good(container, gone.case_id)  # asked, approved, no objection, its undo window passed
    return {"case": f"/cases/{case.case_id}", "expired": f"/cases/{gone.case_id}", "poster": f"/p/{case.case_id}",
            "sighting": f"/sightings/{receipt.sighting_id}",
            "receipt": reports.private_path(container.deps, receipt.receipt)}


@pytest.fixture
def axe_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 360, "height": 740}, bypass_csp=True)
    yield context
    context.close()


def too_wide(page: Page) -> str:
    width = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    if width[0] <= width[1]:
        return ""
    culprits = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(0, 3).map(e => e.tagName + '.' + e.className + '#' + e.id)""")
    return f"{width[0]} px wide: {culprits}"


def family_session(container: Container) -> str:
    """A family with two verified, open cases under long names: the search page's case chooser."""
    from datetime import UTC, date, datetime

    _, token = session_for(container, Role.REPORTER)
    family = from_session(container.deps, token)
    assert family is not None
    for given, surname in (("Annabelle-Xiaoyu Konstantina", "Featherstonehaugh-Montgomery"),
                           ("欧阳思思琪琪安娜贝尔", "司马慕容诸葛")):
        case = intake.register_case(container.deps, family, NewCase(
            given_name=given, family_name=surname, sex=Sex.FEMALE, birth_date=date(2015, 3, 1),
            missing_since=datetime(2024, 6, 1, tzinfo=UTC), last_seen_place=None, last_seen_text="Chengdu",
            family_contact="+86 138 0000 0001"), [Upload(plain_photo(seed=7))], [None])
        moderation.verify_case(container.deps, OPERATOR, case.case_id, "police report seen")
    return token


def test_no_page_scrolls_sideways_and_axe_finds_nothing_serious(
    axe_context: BrowserContext, server: str, container: Container
) -> None:
    made = seed(container)
    family = family_session(container)
    page = axe_context.new_page()
    axe = Axe()
    readers = [("admin", [*SIGNED_IN, made["case"], made["expired"], made["sighting"]]),
               ("family", FAMILY),  # the search page's case chooser, with long names
               ("anonymous", [*PUBLIC, made["poster"], made["receipt"]])]  # as a passer-by sees them
    problems: list[str] = []
    for lang in LANGS:
        for reader, paths in readers:
            axe_context.clear_cookies()
            if reader == "admin":
                sign_in(page, server, container, Role.ADMIN)  # through the login page, in English
            elif reader == "family":
                axe_context.add_cookies([{"name": "reunite_session", "value": family, "url": server}])
            axe_context.add_cookies([{"name": "lang", "value": lang, "url": server}])
            for path in paths:
                problems += page_problems(page, axe, server, f"{lang} {reader}", path)
    assert problems == [], "\n".join(problems)


def page_problems(page: Page, axe: Axe, server: str, who: str, path: str) -> list[str]:
    """What axe-core finds serious or critical on the page, and whether it scrolls sideways at 320 or 360 px."""
    problems = []
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(server + path)
    found = axe.run(page, options={"runOnly": ["wcag2a", "wcag2aa", "best-practice"]}).response
    for v in found["violations"]:
        if v["impact"] in ("serious", "critical"):
            problems.append(f"{who} {path}: axe {v['id']} {[n['target'] for n in v['nodes'][:3]]}")
    for width in (320, 360):
        page.set_viewport_size({"width": width, "height": 740})
        if wide := too_wide(page):
            problems.append(f"{who} {path} at {width}: {wide}")
    return problems


def test_the_search_page_offers_the_familys_cases_on_a_phone(
    axe_context: BrowserContext, server: str, container: Container
) -> None:
    """The chooser the phone pages test above walks through is there, each long name whole in it."""
    axe_context.add_cookies([{"name": "reunite_session", "value": family_session(container), "url": server}])
    page = axe_context.new_page()
    page.set_viewport_size({"width": 320, "height": 740})
    page.goto(server + "/search")
    chooser = page.locator("select[name=case_id]")
    expect(chooser.locator("option")).to_have_count(2)  # both cases: a family searches for its own child only
    expect(chooser.locator("option").first).to_have_text("Annabelle-Xiaoyu Konstantina Featherstonehaugh-Montgomery")
    box = chooser.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 320


@pytest.mark.parametrize("lang", LANGS)
def test_send_report_is_above_the_fold_and_location_refusal_is_explained(
    browser: Browser, server: str, lang: str
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US")
    context.add_cookies([{"name": "lang", "value": lang, "url": server}])
    page = context.new_page()
    page.goto(server + "/report")
    box = page.locator("#send").bounding_box()
    assert box and box["y"] + box["height"] <= 740
    assert page.locator("#lat").is_hidden()  # coordinates are in an advanced section, closed
    assert page.locator("#seen_at").input_value() == ""  # never silently 'now'
    expect(page.locator("#progress")).to_be_hidden()  # no empty progress bar before anything is sent
    page.click("#locate")  # no permission given to this context: refused
    expect(page.locator("#place-status")).to_contain_text("定位" if lang.startswith("zh") else "refused")
    context.close()


def exif_photo(width: int = 4000, height: int = 3000) -> bytes:
    """A phone-sized photo with its time (and zone) and GPS position in EXIF."""
    image = Image.frombytes("RGB", (width // 8, height // 8), bytes(range(256)) * (width * height * 3 // 64 // 256 + 1))
    image = image.resize((width, height))
    exif = Image.Exif()
    exif_ifd = exif.get_ifd(0x8769)
    exif_ifd[36867] = "2026:11:30 09:33:00"
    exif_ifd[36881] = "+08:00"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (30.0, 39.0, 36.0), 3: "E", 4: (104.0, 3.0, 36.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=92, exif=exif)
    return out.getvalue()


def report_without_signal(browser: Browser, server: str) -> tuple[BrowserContext, Page]:
    """A phone (360 px) sends a report with an EXIF-dated photo while it has no signal: kept on the phone."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.goto(server + "/report")
    page.evaluate("() => navigator.serviceWorker.ready")
    page.set_input_files("#photos", files=[{"name": "street.jpg", "mimeType": "image/jpeg", "buffer": exif_photo()}])
    page.fill("input[name=place_text]", "Chunxi Road")
    expect(page.locator("#when-help")).to_contain_text("Nov 30, 2026, 9:33 AM")  # read on the phone, in its zone
    context.set_offline(True)
    page.click("#send")
    expect(page.locator("#progress-text")).to_contain_text("No signal")
    return context, page


def test_a_report_made_without_signal_arrives_once_when_the_signal_returns(
    browser: Browser, server: str, container: Container
) -> None:
    context, page = report_without_signal(browser, server)
    assert page.locator("#send").is_disabled()
    assert count_rows(container, "sightings") == 0
    time.sleep(1)
    context.set_offline(False)
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible(timeout=30_000)
    expect(page.locator(".receipt-no")).to_have_text(re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}"))
    expect(page.locator("#phone-copies img[src^='blob:']")).to_have_count(1)  # the copy it kept, shown
    page.goto(server + "/report")  # a later visit finds nothing left to send
    time.sleep(2)
    assert count_rows(container, "sightings") == 1
    with container.engine.connect() as conn:
        width, height = conn.exec_driver_sql("SELECT width, height FROM photos").one()
        seen_at, lat = conn.exec_driver_sql("SELECT seen_at, lat FROM sightings").one()
    assert max(width, height) <= 1600  # shrunk on the phone before upload
    assert seen_at.isoformat().startswith("2026-11-30T01:33") and abs(lat - 30.66) < 0.01  # EXIF kept as fields
    context.close()


def sync_now(context: BrowserContext, page: Page, server: str) -> None:
    """What the browser does when the network returns: the service worker's background sync (headless Chromium
    sees no real change of network)."""
    cdp = context.new_cdp_session(page)
    registrations: list[dict[str, str]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while not registrations and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert registrations, "the service worker is not registered"
    cdp.send("ServiceWorker.dispatchSyncEvent", {"origin": server, "registrationId": registrations[0]["registrationId"],
                                                  "tag": "reunite-reports", "lastChance": False})


def test_a_report_the_page_and_the_service_worker_both_send_when_the_signal_returns_is_sent_once(
    browser: Browser, server: str, container: Container
) -> None:
    """Probe s45 P5: the page (its "online" event) and the service worker (background sync) each sent the kept
    report; the server stored it once, but the page showed its answer to the second: "You had sent this report
    already … the receipt and private link you were given then", to a witness given none. One sends now."""
    context, page = report_without_signal(browser, server)
    context.set_offline(False)
    sync_now(context, page, server)
    expect(page.get_by_text(re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}")).first).to_be_visible(timeout=30_000)
    page.wait_for_timeout(2000)
    assert "You had sent this report already" not in page.content()
    assert count_rows(container, "sightings") == 1
    context.close()


def test_a_report_kept_offline_is_sent_by_background_sync_after_the_page_was_closed(
    browser: Browser, server: str, container: Container
) -> None:
    context, page = report_without_signal(browser, server)
    page.close()  # the reporter leaves; only the service worker is left to send it
    context.set_offline(False)
    other = context.new_page()  # a page of the site without the report form, to reach the worker
    other.goto(server + "/privacy")
    sync_now(context, other, server)
    deadline = time.monotonic() + 30
    while count_rows(container, "sightings") == 0 and time.monotonic() < deadline:
        other.wait_for_timeout(200)
    assert count_rows(container, "sightings") == 1
    again = context.new_page()
    again.goto(server + "/report")  # the form's own flush finds nothing left: no second copy
    again.wait_for_timeout(2000)
    assert count_rows(container, "sightings") == 1
    context.close()


def test_the_map_says_when_its_tiles_cannot_load(browser: Browser, container: Container, server: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(container.settings, "map_tiles_url", "http://127.0.0.1:9/{z}/{x}/{y}.png")
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US")
    page = context.new_page()
    page.goto(server + "/report")
    page.click("#pick")
    expect(page.locator("#map-note")).to_contain_text("The map could not be loaded", timeout=20_000)
    expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Zoom in")
    context.close()


def test_the_private_link_from_the_receipt_withdraws_the_report(page: Page, server: str, container: Container) -> None:
    page.goto(server + "/report")
    page.set_input_files("#photos", files=[{"name": "a.jpg", "mimeType": "image/jpeg", "buffer": plain_photo()}])
    page.click("#send")
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    page.click("#private-link")
    page.check("input[name=sure]")
    page.get_by_role("button", name="Withdraw my report").click()
    expect(page.locator(".alert")).to_contain_text("withdrawn")
    assert count_rows(container, "photos") == 0
