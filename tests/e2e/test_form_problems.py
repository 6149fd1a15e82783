"""Probe s30 D5: a refused form says every problem at once, at the top (each a link to its field) and beside
each field (``aria-invalid``, its message linked by ``aria-describedby``), in the reader's language, without
JavaScript; a section (<details>) holding a refused field comes back open. Before, the case form named one
problem per sending (the sex, then the birth date, then a photo's date) and neither form tied a problem to
its field."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import Role
from reunite.entrypoints.api.app import create_app
from tests.conftest import count_rows, plain_photo
from tests.e2e.test_journeys import CASE_FORM, as_role, csrf

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Page(HTMLParser):
    """A page's elements as a reader's browser has them: each with its attributes, its text and the elements it is
    in (``within``)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[dict[str, Any]] = []
        self.open: list[dict[str, Any]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = {"tag": tag, "attrs": dict(attrs), "text": "", "within": list(self.open)}
        self.elements.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop()["tag"] != tag:
            pass

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element["text"] += data

    def by_id(self, found: str) -> dict[str, Any]:
        (element,) = [e for e in self.elements if e["attrs"].get("id") == found]
        return element

    def inside(self, outer: dict[str, Any], tag: str) -> list[dict[str, Any]]:
        return [e for e in self.elements if e["tag"] == tag and any(o is outer for o in e["within"])]

    def fields(self, name: str) -> list[dict[str, Any]]:
        return [e for e in self.elements if e["attrs"].get("name") == name and e["tag"] in ("input", "select")]

    def said_of(self, field: dict[str, Any]) -> str:
        """What a screen reader says of a field besides its name: the elements its aria-describedby names."""
        return " | ".join(self.by_id(i)["text"].strip() for i in (field["attrs"].get("aria-describedby") or "").split())

    def summary(self) -> list[tuple[str, str]]:
        """The problems listed at the top: each one's words and the id of the field its link leads to."""
        return [(item["text"].strip(), "".join(a["attrs"]["href"].lstrip("#") for a in self.inside(item, "a")))
                for item in self.inside(self.by_id("form-error"), "li")]

    def sections(self, field: dict[str, Any]) -> list[dict[str, Any]]:
        """The <details> a field is in."""
        return [e for e in field["within"] if e["tag"] == "details"]


def refused(page: Page, name: str, index: int = 0) -> str:
    """The words beside a field the server refused (it is marked so), else fails."""
    field = page.fields(name)[index]
    assert field["attrs"].get("aria-invalid") == "true", (name, field["attrs"])
    return page.said_of(field)


def photo(seed: int) -> tuple[str, tuple[str, bytes, str]]:
    return ("photos", (f"kid{seed}.jpg", plain_photo(seed=seed), "image/jpeg"))


NO_PHOTO = ("photos", ("", b"", "application/octet-stream"))  # an empty file field, as browsers send one


def test_the_case_form_names_every_problem_at_once_each_beside_its_field(container: Container) -> None:
    """The probe's three problems (no sex chosen, a birth date in the future, a photo dated before that birth) in
    one answer, in the family's language; once corrected, the form is taken as sent, without a script."""
    family = as_role(container, Role.FAMILY)
    family.headers["Accept-Language"] = "zh-CN"
    wrong = {"birth_date": "2030-01-01", "photo_dates": ["2010-01-01", "", ""]}
    sent = family.post("/cases/new", files=[photo(1), NO_PHOTO, NO_PHOTO], follow_redirects=False,
                       data=CASE_FORM | wrong | {"csrf": csrf(family, "/cases/new")})
    assert sent.status_code == 422
    page = Page(sent.text)
    assert page.summary() == [("请选择孩子的性别（或选择“不清楚”）", "sex"), ("出生日期是将来的日期", "birth_date"),
                              ("第 1 张照片：拍摄日期须在出生与今天之间", "photo_dates-1")], page.summary()
    assert refused(page, "sex") == "请选择孩子的性别（或选择“不清楚”）"
    assert refused(page, "birth_date") == "出生日期是将来的日期"
    assert refused(page, "photo_dates") == "第 1 张照片：拍摄日期须在出生与今天之间"  # the first photo's date
    for id_ in ("sex", "birth_date", "photo_dates-1"):  # each link of the summary leads to its field
        assert page.by_id(id_)["attrs"].get("aria-invalid") == "true"
    assert [f["attrs"].get("aria-invalid") for f in page.fields("photo_dates")[1:]] == [None, None]
    assert page.fields("given_name")[0]["attrs"].get("aria-invalid") is None  # what was right is not marked
    assert 'value="2010-01-01"' in sent.text and "您选择的照片没有保留下来" in sent.text  # no script: said
    assert count_rows(container, "cases") == 0

    right = family.post("/cases/new", files=[photo(1), NO_PHOTO, NO_PHOTO], follow_redirects=False,
                        data=CASE_FORM | {"csrf": csrf(family, "/cases/new"), "sex": "male", "birth_date": "2018-01-01",
                                          "photo_dates": ["2020-01-01", "", ""]})
    assert right.status_code == 303 and count_rows(container, "cases") == 1


def test_each_photo_of_the_case_form_is_refused_by_its_own_fields(container: Container) -> None:
    """Two photos' dates wrong and a third date without its photo: each said by its own photo, all at once, with
    the other fields' problems; a photo is named by its row of the form (the second row left empty: "photo 3")."""
    family = as_role(container, Role.FAMILY)
    sent = family.post("/cases/new", files=[photo(1), photo(2), NO_PHOTO], follow_redirects=False, data=CASE_FORM | {
        "csrf": csrf(family, "/cases/new"), "sex": "female", "photo_dates": ["2099-01-01", "someday", "2020-01-01"],
        "given_name": "", "missing_since": ""})
    assert sent.status_code == 422
    page = Page(sent.text)
    assert page.summary() == [
        ("the child's given name is required", "given_name"), ("give the day the child was last seen", "missing_since"),
        ("photo 1: the date taken must lie between birth and today", "photo_dates-1"),
        ("photo 2: the date is not valid", "photo_dates-2"),
        ("photo 3 has a date taken but no photo: choose the photo again, or clear its date", "photo_dates-3")]
    assert refused(page, "photo_dates", 1) == "photo 2: the date is not valid"
    assert refused(page, "missing_since") == "give the day the child was last seen"
    assert refused(page, "missing_since_time") == "give the day the child was last seen"  # the time beside it too

    skipped = family.post("/cases/new", files=[photo(1), NO_PHOTO, photo(3)], follow_redirects=False, data=CASE_FORM | {
        "csrf": csrf(family, "/cases/new"), "sex": "female", "photo_dates": ["", "", "2010-01-01"]})
    page = Page(skipped.text)
    assert page.summary() == [("photo 3: the date taken must lie between birth and today", "photo_dates-3")]
    assert refused(page, "photo_dates", 2) == "photo 3: the date taken must lie between birth and today"
    assert count_rows(container, "cases") == 0


def test_the_correction_form_marks_each_refused_field(container: Container) -> None:
    family = as_role(container, Role.FAMILY)
    made = family.post("/cases/new", files=[photo(1)], follow_redirects=False,
                       data=CASE_FORM | {"csrf": csrf(family, "/cases/new"), "sex": "male"})
    path = made.headers["location"].split("?")[0] + "/correct"
    typed = Page(family.get(path).text)
    form = {e["attrs"]["name"]: e["attrs"].get("value") or "" for e in typed.elements
            if e["tag"] == "input" and e["attrs"].get("name") and e["attrs"].get("type") != "file"}
    sent = family.post(path, follow_redirects=False, data=form | {"given_name": "", "birth_date": "2030-01-01",
                                                                  "lat": "31.2", "lon": "", "sex": "male",
                                                                  "csrf": csrf(family, path)})
    assert sent.status_code == 422
    page = Page(sent.text)
    assert [target for _, target in page.summary()] == ["given_name", "birth_date", "lon"], page.summary()
    assert refused(page, "given_name") == "the child's given name is required"
    assert refused(page, "birth_date") == "the birth date is in the future"
    assert refused(page, "lon") == "give both latitude and longitude, or neither"
    assert sent.text.count('role="alert"') == 1  # said once at the top, not twice


def test_the_report_form_opens_each_section_holding_a_refused_field(container: Container) -> None:
    """The probe's latitude of 95 and ages 12 to 3: each field marked, its words beside it, the two <details>
    that hold them open; a section with nothing refused stays closed."""
    browser = TestClient(create_app(container), headers={"Accept-Language": "zh-CN"})
    typed = {"lat": "95", "lon": "121.4", "age_low": "12", "age_high": "3", "seen_at": "2099-01-01T10:00",
             "tz": "Asia/Shanghai", "place_text": "人民广场"}
    sent = browser.post("/report", files=[photo(1)], data=page_keys(browser) | typed)
    assert sent.status_code == 422
    page = Page(sent.text)
    assert [target for _, target in page.summary()] == ["seen_at", "lat", "age_low"], page.summary()
    assert "将来" in refused(page, "seen_at")  # beside its own help
    assert "纬度 95.0 超出范围" in refused(page, "lat")
    assert "12" in refused(page, "age_low") and "12" in refused(page, "age_high")
    for name in ("lat", "age_low"):
        (section,) = page.sections(page.fields(name)[0])
        assert "open" in section["attrs"], name
    assert page.fields("place_text")[0]["attrs"].get("aria-invalid") is None

    only_time = browser.post("/report", files=[photo(2)], data=page_keys(browser) | typed | {
        "lat": "31.2", "age_low": "3", "age_high": "5"})
    page = Page(only_time.text)
    assert [target for _, target in page.summary()] == ["seen_at"]
    for name in ("lat", "age_low"):
        assert "open" not in page.sections(page.fields(name)[0])[0]["attrs"], name
    assert count_rows(container, "sightings") == 0


def page_keys(browser: TestClient) -> dict[str, str]:
    page = Page(browser.get("/report").text)
    return {name: page.fields(name)[0]["attrs"]["value"] for name in ("csrf", "idempotency_key")}
