"""Probe s30 D5, on a phone: the case form sent back with its problems keeps the photos chosen, each in its own
field beside the date typed for it (the page's script puts them back, as the report form's does), says every
problem at once with the summary focused, each of its links taking the reader to the field; corrected, the case is
registered with those photos, none chosen twice."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from reunite.bootstrap import Container
from reunite.domain.access import Role
from tests.browser.conftest import sign_in
from tests.conftest import count_rows, plain_photo


def chosen(page: Page, field: str) -> list[str]:
    return page.eval_on_selector(f"#{field}", "el => Array.from(el.files).map(f => f.name)")


def test_the_case_form_sent_back_keeps_each_photo_and_its_date(page: Page, server: str, container: Container) -> None:
    sign_in(page, server, container, Role.FAMILY)
    page.goto(server + "/cases/new")
    page.fill("input[name=given_name]", "Lin")
    page.select_option("select[name=sex]", "female")
    page.fill("input[name=birth_date]", "2030-01-01")  # in the future
    page.fill("input[name=missing_since]", "2024-06-01")
    page.locator("#photos-1").set_input_files(files=[{"name": "a.jpg", "mimeType": "image/jpeg",
                                                      "buffer": plain_photo(seed=1)}])
    page.locator("#photos-3").set_input_files(files=[{"name": "c.jpg", "mimeType": "image/jpeg",
                                                      "buffer": plain_photo(seed=3)}])
    page.fill("#photo_dates-1", "2010-01-01")  # before that birth date
    page.fill("#photo_dates-3", "2023-03-03")
    page.click("main button.primary")

    summary = page.locator("#form-error")
    expect(summary).to_contain_text("the birth date is in the future")
    photo_date = "photo 1: the date taken must lie between birth and today"
    expect(summary).to_contain_text(photo_date)
    expect(summary).to_be_focused()  # read first
    expect(page.locator("#birth_date")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-photo_dates-1")).to_have_text(photo_date)
    assert [chosen(page, f"photos-{n}") for n in (1, 2, 3)] == [["a.jpg"], [], ["c.jpg"]]
    expect(page.locator("#photo_dates-1")).to_have_value("2010-01-01")
    expect(page.locator("#photo_dates-3")).to_have_value("2023-03-03")
    expect(page.locator("#photos-again")).to_contain_text("Your photos are still chosen")
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320  # nothing wider than a small phone

    summary.get_by_role("link", name="the birth date is in the future").click()
    expect(page.locator("#birth_date")).to_be_focused()
    page.fill("#birth_date", "2018-01-01")
    page.fill("#photo_dates-1", "2019-01-01")
    page.click("main button.primary")
    expect(page.locator("h1")).not_to_have_text("Register a missing child")
    assert "/cases/new" not in page.url
    assert count_rows(container, "cases") == 1 and count_rows(container, "photos") == 2  # the two kept, sent once
    with container.engine.connect() as conn:
        days = sorted(str(d) for d in conn.exec_driver_sql("SELECT taken_on FROM photos").scalars())
    assert days == ["2019-01-01", "2023-03-03"]
