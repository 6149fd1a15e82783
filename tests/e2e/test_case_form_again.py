"""Probe s18 R11, the case registration form: a birth date a century typed wrong is refused saying so; a
photo date with no photo beside it, or more dates than photos, is refused naming the field (never dropped
unsaid); a form sent back says its photos must be chosen again; the same child registered again by the
same sender answers the first case with the new photos added to it, and says so."""

from __future__ import annotations

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import Role
from tests.conftest import count_rows, plain_photo
from tests.e2e.test_journeys import CASE_FORM, as_role, csrf


def photo(seed: int) -> tuple[str, tuple[str, bytes, str]]:
    return ("photos", (f"kid{seed}.jpg", plain_photo(seed=seed), "image/jpeg"))


NO_PHOTO = ("photos", ("", b"", "application/octet-stream"))  # an empty file field, as browsers send one


def test_a_birth_date_a_century_ago_is_refused_saying_to_check_its_year(container: Container,
                                                                         client: TestClient) -> None:
    family = as_role(container, Role.FAMILY)
    sent = family.post("/cases/new", files=[photo(1)], follow_redirects=False, data=CASE_FORM | {
        "csrf": csrf(family, "/cases/new"), "sex": "male", "birth_date": "1900-01-01", "missing_since": "1905-01-01"})
    assert sent.status_code == 422
    assert "the birth date Jan 1, 1900 is more than 100 years ago: check its year" in sent.text
    chinese = client.post("/api/cases", files=[photo(1)], headers={"Accept-Language": "zh-CN"}, data={
        "given_name": "Li", "sex": "female", "birth_date": "1915-05-01", "missing_since": "1920-01-01"})
    assert chinese.status_code == 422 and "出生日期 1915年5月1日 在 100 多年以前：请检查年份" in chinese.text
    assert count_rows(container, "cases") == 0 and count_rows(container, "photos") == 0


def test_a_photo_date_without_its_photo_is_refused_naming_it_and_the_photos_are_asked_again(
    container: Container, client: TestClient
) -> None:
    family = as_role(container, Role.FAMILY)
    sent = family.post("/cases/new", files=[photo(1), NO_PHOTO, NO_PHOTO], follow_redirects=False,
                       data=CASE_FORM | {"csrf": csrf(family, "/cases/new"), "sex": "male",
                                         "photo_dates": ["2025-01-01", "2024-01-01", ""]})
    assert sent.status_code == 422
    assert "photo 2 has a date taken but no photo: choose the photo again, or clear its date" in sent.text
    assert 'id="photos-again"' in sent.text and "The photos you chose were not kept: choose them again" in sent.text
    assert 'value="2024-01-01"' in sent.text  # the dates typed come back
    more = client.post("/api/cases", files=[photo(1)], data={
        "given_name": "Li", "sex": "female", "birth_date": "2015-05-01", "missing_since": "2020-01-01",
        "photo_dates": ["2019-01-01", "2018-01-01"]})
    assert more.status_code == 422
    assert more.json()["field"] == "photo_dates" and [p["field"] for p in more.json()["problems"]] == ["photo_dates"]
    assert count_rows(container, "cases") == 0 and count_rows(container, "photos") == 0


def test_the_same_child_registered_again_gets_the_new_photos_and_says_so(container: Container,
                                                                         client: TestClient) -> None:
    family = as_role(container, Role.FAMILY)
    form = CASE_FORM | {"sex": "male"}
    first = family.post("/cases/new", files=[photo(1)], follow_redirects=False,
                        data=form | {"csrf": csrf(family, "/cases/new")})
    assert first.status_code == 303 and "registered=1" in first.headers["location"]
    case_path = first.headers["location"].split("?")[0]
    again = family.post("/cases/new", files=[photo(1), photo(2)], follow_redirects=False,
                        data=form | {"csrf": csrf(family, "/cases/new"), "photo_dates": ["", "2024-05-01"]})
    assert again.status_code == 303 and again.headers["location"] == case_path + "?known=1"
    page = family.get(again.headers["location"]).text
    assert "You had registered this child already: this is that case" in page
    assert "The photos you sent that it did not have are added to it: 1." in page
    assert "Photos added when the child was registered again: 1" in page
    assert count_rows(container, "cases") == 1 and count_rows(container, "photos") == 2
    with container.engine.connect() as conn:
        days = sorted(str(d) for d in conn.exec_driver_sql("SELECT taken_on FROM photos").scalars())
    assert days == ["2024-05-01", "2026-06-01"]
    same = family.post("/cases/new", files=[photo(2)], follow_redirects=False,
                       data=form | {"csrf": csrf(family, "/cases/new")})
    assert same.headers["location"] == case_path + "?known=0"
    assert "The photos you sent are in it already: none was added." in family.get(same.headers["location"]).text
    assert count_rows(container, "photos") == 2

    api = {"given_name": "Li", "sex": "female", "birth_date": "2015-05-01", "missing_since": "2020-01-01"}
    made = client.post("/api/cases", files=[photo(3)], data=api)
    added = client.post("/api/cases", files=[photo(3), photo(4)], data=api, headers={"Accept-Language": "zh-CN"})
    assert made.status_code == 201 and added.status_code == 200
    answer = added.json()
    assert answer["already_registered"] is True and answer["id"] == made.json()["id"] and len(answer["photo_ids"]) == 1
    assert answer["message"] == (f"已登记过：案件 {made.json()['id']}。"
                                 "您这次发送的、案件里还没有的照片已加入该案件：1 张。")
    assert count_rows(container, "photos") == 4


def test_nicknames_longer_than_the_api_takes_are_refused_by_the_form_too(container: Container) -> None:
    """The form's nicknames were bounded only by the browser's maxlength: the server now refuses them as the API
    does, naming the field, and stores nothing."""
    family = as_role(container, Role.FAMILY)
    sent = family.post("/cases/new", files=[photo(1)], follow_redirects=False, data=CASE_FORM | {
        "csrf": csrf(family, "/cases/new"), "sex": "male", "birth_date": "2018-01-01", "missing_since": "2024-01-01",
        "nicknames": ", ".join(["Xiaobao"] * 80)})
    assert sent.status_code == 422 and "at most 500" in sent.text
    assert count_rows(container, "cases") == 0
