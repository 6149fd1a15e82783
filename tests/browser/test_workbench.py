"""Reviewers drive the reports queue and the workbench with the keyboard alone, in both languages at
phone and desktop widths; a report whose photo still waits for the face engine says so, not "0 faces";
a family's browse filters with unknown ages still find their child."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Principal, Role
from reunite.domain.model import GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.services import intake, moderation
from reunite.services.accounts import from_session
from tests.browser.conftest import screenshots
from tests.conftest import run_jobs, session_for
from tests.photos import another_shot, portrait

WORDS = {
    "en": {"reports": "Reports to check", "bench": "Workbench", "nothing": "Nothing waiting.", "left": "2 of 2 left",
           "undone": "Undone", "empty": "Nothing left for you to review", "sightings": "2 sightings",
           "unknown": "age unknown", "none": "0 sightings", "known": "only known age and sex",
           "waiting": "faces are still being searched for in its photos", "faces": "Faces"},
    "zh_CN": {"reports": "待检查的报告", "bench": "审核台", "nothing": "没有待处理项", "left": "共 2 项，剩余 2 项",
              "undone": "已撤销", "empty": "您已没有待审核的候选", "sightings": "2",
              "unknown": "年龄不详", "none": "0", "known": "只看年龄和性别已知",
              "waiting": "仍在其照片中查找人脸", "faces": "人脸"},
}
VIEWS = [("en", 360), ("zh_CN", 1280)]


def signed_in(browser: Browser, server: str, container: Container, role: Role, language: str, width: int,
              ) -> tuple[Page, Principal]:
    """A browser page as a new account of this role, in this language and width."""
    _, token = session_for(container, role)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    context.add_cookies([{"name": "reunite_session", "value": token, "url": server},
                         {"name": "lang", "value": language, "url": server}])
    who = from_session(container.deps, token)
    assert who is not None
    return context.new_page(), who


def no_sideways_scroll(page: Page) -> None:
    for width in (320, 360):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"sideways scroll at {width} px"


def family_case(container: Container, family: Principal) -> int:
    case = NewCase(given_name="Lin", family_name="Family", sex=Sex.MALE, birth_date=date(1998, 1, 1),
                   missing_since=datetime(2000, 6, 1, tzinfo=UTC), last_seen_place=GeoPoint(31.2, 121.4))
    data = another_shot(portrait())  # the family's own photo: no copy of the reports' pictures
    case_id = intake.register_case(container.deps, family, case, [Upload(data, "a.jpg")], [date(2000, 1, 1)]).case_id
    if not container.deps.read.case(case_id)["verified_at"]:  # registered by a reviewer: verified already
        moderation.verify_case(container.deps, OPERATOR, case_id, "police report seen")
    return case_id


def street_reports(container: Container, people: tuple[tuple[str, int], ...], who: Principal,
                   apart: bool = False) -> list[int]:
    """Reports without an apparent age or sex, as most passers-by send them (photos: tests/photos.py):
    days apart at one station (one child's reports there make one trail, one workbench item), or with
    ``apart`` an hour apart, each 1,000 km from the last (separate trails)."""
    ids = []
    for number, (person, take) in enumerate(people):
        at = datetime(2006, 6, 1, number, tzinfo=UTC) if apart else datetime(2006, 6, 1 + number, tzinfo=UTC)
        place = GeoPoint(30.5 + 9 * number, 114.3) if apart else GeoPoint(30.5, 114.3)
        seen = NewSighting(seen_at=at, place=place, place_text=f"Hankou station gate {number + 1}")
        ids.append(intake.report_sighting(container.deps, who, seen,
                                          [Upload(portrait(person, take), f"{person}.jpg")]).sighting_id)
    return ids


@pytest.fixture
def container(container: Container) -> Container:
    """The deployment's default undo window (tests elsewhere tell families at once)."""
    limits = replace(container.deps.limits, undo_window=timedelta(minutes=2))
    return replace(container, deps=replace(container.deps, limits=limits))


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_a_report_whose_photo_waits_for_the_face_engine_says_so_on_a_phone(
    browser: Browser, server: str, container: Container, language: str
) -> None:
    words = WORDS[language]
    _, reporter_token = session_for(container, Role.REPORTER)
    reporter = from_session(container.deps, reporter_token)
    assert reporter is not None
    [waiting] = street_reports(container, (("collins", 1),), reporter)  # no job has run: not searched yet
    page, _ = signed_in(browser, server, container, Role.MODERATOR, language, 360)
    page.goto(server + "/moderation/reports")
    card = page.locator(f"#report-{waiting}")
    expect(card).to_contain_text(words["waiting"])  # not "0", which would read as "no face in it"
    no_sideways_scroll(page)
    run_jobs(container)
    page.reload()
    expect(card.locator("dt", has_text=words["faces"]).locator("+ dd")).to_have_text("1")
    expect(card).not_to_contain_text(words["waiting"])


@pytest.mark.parametrize("width", [320, 1280])
def test_a_report_moved_to_is_never_under_the_action_bar(
    browser: Browser, server: str, container: Container, width: int
) -> None:
    _, reporter_token = session_for(container, Role.REPORTER)
    reporter = from_session(container.deps, reporter_token)
    assert reporter is not None
    reports = street_reports(container, (("collins", 1), ("hopper", 0), ("collins", 2)), reporter, apart=True)
    run_jobs(container)
    page, _ = signed_in(browser, server, container, Role.MODERATOR, "zh_CN", width)
    page.set_viewport_size({"width": width, "height": 640})
    page.goto(server + "/moderation/reports")
    for shown in reports[1:]:
        page.keyboard.press("j")  # the next report, as a reviewer moves through them
        box = page.locator(f"#report-{shown} input[name=ids]")
        expect(page.locator(f"#report-{shown}")).to_be_focused()
        hit = box.evaluate("""e => { const r = e.getBoundingClientRect();
            const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return at === e || e.closest('label').contains(at); }""")
        assert hit, f"report {shown}'s checkbox is covered at {width} px"


@pytest.mark.parametrize(("language", "width"), VIEWS)
def test_reviewer_works_reports_then_candidates_with_the_keyboard_only(
    browser: Browser, server: str, container: Container, language: str, width: int
) -> None:
    words = WORDS[language]
    _, reporter_token = session_for(container, Role.REPORTER)
    reporter = from_session(container.deps, reporter_token)
    assert reporter is not None
    family_case(container, OPERATOR)
    first, other_child, second = street_reports(container, (("collins", 1), ("hopper", 0), ("collins", 2)),
                                                reporter, apart=True)
    run_jobs(container)
    page, _ = signed_in(browser, server, container, Role.MODERATOR, language, width)

    page.goto(server + "/moderation/reports")
    expect(page.get_by_role("heading", level=1)).to_have_text(words["reports"])
    expect(page.locator(f"#report-{first} img")).to_have_count(1)  # every photo shown
    no_sideways_scroll(page)
    screenshots(page, f"reports-{language}")
    page.keyboard.press("a")  # approve the first (focused) report
    expect(page.locator(".report").first).to_have_id(f"report-{other_child}")
    expect(page.locator(".report").first).to_be_focused()  # moved on to the next one
    page.keyboard.press("3")  # reject it: reason 3, "abusive"
    expect(page.locator(".report")).to_have_count(1)
    page.keyboard.press("*")  # choose all, approve the chosen
    page.keyboard.press("a")
    expect(page.locator("main")).to_contain_text(words["nothing"])
    statuses = {s: container.deps.read.sighting(s)["status"] for s in (first, other_child, second)}
    assert statuses == {first: "approved", other_child: "rejected", second: "approved"}

    page.goto(server + "/workbench")  # the rejected report's candidate is in no queue: 2 candidates
    expect(page.get_by_role("heading", level=1)).to_have_text(words["bench"])
    expect(page.locator(".progress")).to_contain_text(words["left"])
    expect(page.locator(".case-photos figure")).to_have_count(1)
    no_sideways_scroll(page)
    screenshots(page, f"workbench-{language}")
    held = page.url
    page.keyboard.press("c")  # confirm
    expect(page).not_to_have_url(held)
    page.keyboard.press("1")  # dismiss the next: "a different child"
    expect(page.locator("main")).to_contain_text(words["empty"])
    page.keyboard.press("u")  # undo: it comes back
    expect(page.locator("[role=status]").first).to_contain_text(words["undone"])
    page.keyboard.press("s")  # skip it: left for others
    expect(page.locator("main")).to_contain_text(words["empty"])
    reviewed = {c["sighting_id"]: c["status"] for c in container.deps.read.candidates(None, None)}
    assert other_child not in reviewed  # gone with its report
    assert sorted(reviewed.values()) == ["confirmed", "proposed"]


def test_a_childs_trail_is_one_item_on_a_phone_and_one_key_confirms_it(
    browser: Browser, server: str, container: Container
) -> None:
    family_case(container, OPERATOR)
    reports = street_reports(container, (("collins", 1), ("collins", 2)), OPERATOR)  # one station, days apart
    run_jobs(container)
    page, _ = signed_in(browser, server, container, Role.MODERATOR, "en", 320)
    page.goto(server + "/workbench")
    expect(page.locator(".progress")).to_contain_text("1 of 1 left")
    expect(page.locator(".trail")).to_contain_text("2 sightings for this case, newest first")
    expect(page.locator(".trail input[type=checkbox]:checked")).to_have_count(2)
    no_sideways_scroll(page)
    screenshots(page, "workbench-trail-en")
    page.keyboard.press("c")  # confirm: both sightings, ticked
    expect(page.locator("main")).to_contain_text("Nothing left for you to review")
    statuses = {c["sighting_id"]: c["status"] for c in container.deps.read.candidates(None, None)}
    assert statuses == dict.fromkeys(reports, "confirmed")


@pytest.mark.parametrize(("language", "width"), VIEWS)
def test_family_filters_with_unknown_ages_still_find_their_child(
    browser: Browser, server: str, container: Container, language: str, width: int
) -> None:
    words = WORDS[language]
    page, family = signed_in(browser, server, container, Role.REPORTER, language, width)
    family_case(container, family)
    street_reports(container, (("collins", 1), ("collins", 2)), OPERATOR)
    run_jobs(container)

    page.goto(server + "/sightings")
    page.select_option("select[name=sex]", "male")
    page.fill("input[name=age]", "10")
    page.press("input[name=age]", "Enter")
    expect(page.locator(".gallery .card")).to_have_count(2)
    expect(page.locator("main")).to_contain_text(words["sightings"])
    expect(page.locator(".gallery .card").first).to_contain_text(words["unknown"])
    no_sideways_scroll(page)
    screenshots(page, f"browse-unknown-{language}")
    page.check("input[name=known_only]")
    page.press("input[name=age]", "Enter")
    expect(page.locator(".gallery .card")).to_have_count(0)
    expect(page.locator(".alert")).to_contain_text(words["known"])


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_a_report_with_several_faces_asks_for_the_childs_face_on_a_320_px_phone(
    browser: Browser, server: str, container: Container, language: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    from tests.e2e.world import two_faces

    reporter = from_session(container.deps, session_for(container, Role.REPORTER)[1])
    assert reporter is not None
    seen = NewSighting(seen_at=datetime(2006, 6, 1, tzinfo=UTC), place=GeoPoint(30.5, 114.3), place_text="Hankou")
    crowded = intake.report_sighting(container.deps, reporter, seen, [Upload(two_faces(), "two.jpg")]).sighting_id
    run_jobs(container)
    page, _ = signed_in(browser, server, container, Role.MODERATOR, language, 320)
    page.goto(server + "/moderation/reports")
    card = page.locator(f"#report-{crowded}")
    expect(card.locator("fieldset.child-choice input[type=radio]")).to_have_count(3)  # two faces, or neither
    found = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "best-practice"]}).response
    assert [v["id"] for v in found["violations"] if v["impact"] in ("serious", "critical")] == []
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 320, "height": 900})
    card.get_by_role("button", name="Approve" if language == "en" else "批准").first.click()
    expect(page.locator("#form-error")).to_contain_text(f"{crowded}")  # refused, saying what to do
    assert container.deps.read.sighting(crowded)["status"] == "pending"
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 320, "height": 900})
    picked = card.locator("fieldset.child-choice input[type=radio]").first  # the face shown first (ids tell no order)
    picked.check()
    chosen = int(picked.input_value())
    box = card.locator("fieldset.child-choice").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 320
    card.get_by_role("button", name="Approve" if language == "en" else "批准").first.click()
    expect(page.locator("main")).to_contain_text(WORDS[language]["nothing"])
    found = container.deps.read.sighting(crowded)
    assert found["status"] == "approved" and found["child_face_id"] == chosen  # the face the reviewer ticked
    assert chosen in {f["id"] for f in found["faces"]}
