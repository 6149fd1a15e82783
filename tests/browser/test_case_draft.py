"""The case form keeps each photo's date: in its draft across a language switch, and when the server
shows the form again with an error (the draft kept until the server accepts the case)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from reunite.bootstrap import Container
from reunite.domain.access import Role
from tests.browser.conftest import sign_in
from tests.conftest import plain_photo


def dates(page: Page) -> list[str]:
    return [page.locator("input[name=photo_dates]").nth(i).input_value() for i in range(3)]


def test_each_photo_keeps_its_own_date_in_the_draft_and_after_a_refusal(
    page: Page, server: str, container: Container
) -> None:
    sign_in(page, server, container, Role.FAMILY)
    page.goto(server + "/cases/new")
    page.fill("input[name=given_name]", "Lin")
    page.locator("input[name=photo_dates]").nth(0).fill("2020-01-01")
    page.locator("input[name=photo_dates]").nth(2).fill("2022-02-02")
    page.click("a[href^='/lang/zh_CN']")  # the language switched: the draft is restored
    expect(page.locator("input[name=given_name]")).to_have_value("Lin")
    assert dates(page) == ["2020-01-01", "", "2022-02-02"]

    page.select_option("select[name=sex]", "female")
    page.fill("input[name=birth_date]", "2018-01-01")
    page.fill("input[name=missing_since]", "2024-06-01")
    page.fill("input[name=missing_since_time]", "08:00")
    photos = page.locator("input[name=photos]")
    photos.nth(0).set_input_files(files=[{"name": "a.jpg", "mimeType": "image/jpeg", "buffer": b"not a photo"}])
    photos.nth(2).set_input_files(files=[{"name": "c.jpg", "mimeType": "image/jpeg", "buffer": plain_photo()}])
    page.click("main button.primary")
    expect(page.locator("#form-error")).to_be_visible()  # the first photo is not an image
    assert dates(page) == ["2020-01-01", "", "2022-02-02"]  # shown again as typed
    expect(page.locator("#photos-again")).to_contain_text("请重新选择")  # the photos could not be kept: said
    page.reload()  # the draft was kept: the server did not accept the case
    expect(page.locator("input[name=given_name]")).to_have_value("Lin")
    assert dates(page) == ["2020-01-01", "", "2022-02-02"]

    photos = page.locator("input[name=photos]")
    photos.nth(0).set_input_files(files=[{"name": "a.jpg", "mimeType": "image/jpeg", "buffer": plain_photo(seed=1)}])
    page.click("main button.primary")  # the third photo's date, without its photo: refused naming it
    expect(page.locator("#form-error")).to_contain_text("第 3 张照片填了拍摄日期，却没有选择照片")
    photos = page.locator("input[name=photos]")
    photos.nth(0).set_input_files(files=[{"name": "a.jpg", "mimeType": "image/jpeg", "buffer": plain_photo(seed=1)}])
    photos.nth(2).set_input_files(files=[{"name": "c.jpg", "mimeType": "image/jpeg", "buffer": plain_photo()}])
    page.click("main button.primary")
    page.wait_for_url(lambda url: "/cases/new" not in url, timeout=30_000)  # registered: the case page
    assert "/cases/new" not in page.url
    page.goto(server + "/cases/new")  # accepted: the draft is gone
    expect(page.locator("input[name=given_name]")).to_have_value("")
    assert dates(page) == ["", "", ""]
