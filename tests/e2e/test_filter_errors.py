"""Findings F8 and F9: a filter the browse page cannot read is answered 422 with the page shown again,
naming each bad field and why, in English and Chinese, keeping what the reader typed; the API's
validation messages speak one language (fields named, lists joined, times with their zone named)."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import Role
from reunite.entrypoints.api.app import create_app
from reunite.entrypoints.api.validation import FIELD_NAMES
from reunite.entrypoints.web.filters import LABELS
from reunite.i18n import Language
from tests.conftest import plain_photo, session_for

CJK = re.compile(r"[\u4e00-\u9fff]")
LANGUAGES = [("en", "en"), ("zh-CN", "zh_CN")]


def browser(container: Container, language: str) -> TestClient:
    client = TestClient(create_app(container), headers={"Accept-Language": language})
    client.cookies.set("reunite_session", session_for(container, Role.MODERATOR)[1])
    return client


def problems(page: str) -> str:
    """The text of the page's list of filter problems."""
    found = re.search(r'<div class="error" role="alert" id="filter-errors">(.*?)</div>', page, re.S)
    assert found, "the page lists what cannot be read"
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1)))


BAD = [  # the query, the field named, what the reader typed (kept in the form)
    ("lat=abc&lon=1", "lat", "abc"),
    ("lat=95&lon=1", "lat", "95"),
    ("lat=30", "lon", "30"),
    ("radius_km=abc", "radius_km", "abc"),
    ("radius_km=-1", "radius_km", "-1"),
    ("radius_km=5", "radius_km", "5"),  # a distance from a pin never put: refused, never silently dropped
    ("from=notadate", "from", "notadate"),
    ("from=2026-05-02&to=2026-05-01", "to", "2026-05-01"),
    ("age=-1", "age", "-1"),
    ("age=abc", "age", "abc"),
    ("page=-3", "page", None),
    ("sex=robot", "sex", None),
]


@pytest.mark.parametrize(("accept", "code"), LANGUAGES)
def test_each_unreadable_browse_filter_is_named_with_why_in_the_readers_language(
    container: Container, accept: str, code: str
) -> None:
    reader, lang = browser(container, accept), Language(code)
    for query, name, typed in BAD:
        page = reader.get(f"/sightings?{query}")
        assert page.status_code == 422, query
        said = problems(page.text)
        assert lang.gettext(LABELS[name]) in said, (query, said)
        assert bool(CJK.search(said)) == (code == "zh_CN"), (query, said)
        if typed is not None:
            assert f'value="{typed}"' in page.text, f"{query}: what the reader typed is kept"
    several = reader.get("/sightings?lat=abc&lon=1&age=-1&page=-3&place=market")
    said = problems(several.text)
    assert several.status_code == 422 and all(lang.gettext(LABELS[n]) in said for n in ("lat", "age", "page"))
    assert 'value="market"' in several.text
    fine = reader.get("/sightings?lat=30.5&lon=114.3&radius_km=10&age=6&sex=female&from=2026-01-01&page=1")
    assert fine.status_code == 200 and 'id="filter-errors"' not in fine.text


@pytest.mark.parametrize(("accept", "code"), LANGUAGES)
def test_other_pages_name_a_query_value_they_cannot_read(
    client: TestClient, container: Container, accept: str, code: str
) -> None:
    reader, lang = browser(container, accept), Language(code)
    feed = reader.get("/feeds/cases.atom?before=notadate")
    assert feed.status_code == 422
    assert lang.field_name("before") in html.unescape(feed.text)
    assert feed.headers["content-type"].startswith("text/plain")  # a feed reader's error, not a page
    assert bool(CJK.search(feed.text)) == (code == "zh_CN")
    files = [("photos", ("a.jpg", plain_photo(), "image/jpeg"))]
    form = {"given_name": "Lin", "sex": "female", "birth_date": "2015-01-01", "missing_since": "2020-06-01T08:00:00Z"}
    case_id = client.post("/api/cases", files=files, data=form).json()["id"]
    for page in ("abc", "-3", "0"):
        shown = reader.get(f"/cases/{case_id}?cp={page}")
        assert shown.status_code == 422 and lang.gettext("Page") in html.unescape(shown.text), page
        assert "Lin" in shown.text  # the case is still shown
    assert reader.get(f"/cases/{case_id}?cp=1").status_code == 200


@pytest.mark.parametrize("query", ["radius_km=5", "radius_km=5&place=market", "radius_km=5&age=6"])
def test_api_filters_that_mean_something_only_together_are_refused_when_incomplete(client: TestClient,
                                                                                  query: str) -> None:
    """Probe s18, R11: a radius without its point was answered 200, every sighting listed as if around one."""
    alone = client.get(f"/api/sightings?{query}", headers={"Accept-Language": "zh-CN"})
    assert alone.status_code == 422, alone.text
    assert alone.json()["field"] == "radius_km" and [p["field"] for p in alone.json()["problems"]] == ["radius_km"]
    assert "“半径（公里）”" in alone.json()["detail"], alone.json()
    half = client.get("/api/sightings?lat=30.5&radius_km=5").json()
    assert half["field"] == "lon" and "latitude and longitude" in half["detail"]  # the half that is missing
    assert client.get("/api/sightings?lat=30.5&lon=114.3&radius_km=5").status_code == 200
    assert client.get("/api/sightings?lat=30.5&lon=114.3").status_code == 200  # its radius: the default


def test_an_input_is_named_as_what_it_is_at_its_address(client: TestClient) -> None:
    """Probe s18, R11: the audit log's ``before`` (the id of an entry) was named "earlier than this time"."""
    for language, said in (("zh-CN", "“上一页最后一条记录的编号”必须是整数"),
                           ("en", "“id of the last entry of the page before” must be a whole number")):
        entry = client.get("/api/audit?before=abc", headers={"Accept-Language": language})
        assert entry.status_code == 422 and entry.json()["field"] == "before"
        assert entry.json()["detail"] == said, entry.json()
    record = client.get("/api/audit?subject=" + "s" * 60, headers={"Accept-Language": "zh-CN"})
    assert record.status_code == 422 and record.json()["detail"].startswith("“记录或记录类型”"), record.json()
    feed = client.get("/feeds/cases.atom?before=abc", headers={"Accept-Language": "zh-CN"})
    assert feed.status_code == 422 and "“早于此时间”" in feed.text  # the feed's before is a time


def test_every_input_of_the_api_has_a_name_readers_see_in_chinese(client: TestClient) -> None:
    spec = client.app.openapi()  # type: ignore[attr-defined]
    schemas = spec["components"]["schemas"]
    names: set[str] = set()
    for operations in spec["paths"].values():
        for operation in operations.values():
            names |= {p["name"] for p in operation.get("parameters", [])}
            for content in operation.get("requestBody", {}).get("content", {}).values():
                ref = content.get("schema", {}).get("$ref", "")
                names |= set(schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}))
    assert names - set(FIELD_NAMES) == set()
    chinese = Language("zh_CN")
    assert all(CJK.search(chinese.field_name(name)) for name in FIELD_NAMES)


def test_every_field_of_the_pages_forms_has_a_name_readers_see_in_chinese() -> None:
    """Probe s18, R11: a page's field was named as the form sends it (“email”) in a Chinese message."""
    from pathlib import Path

    import reunite.entrypoints.web as web

    templates = sorted((Path(web.__file__).parent / "templates").glob("*.html"))
    controls = re.compile(r'<(?:input|select|textarea|button)\b[^>]*?\bname="([a-z_]+)(?:_\{\{[^"]*)?"')
    names = {name for template in templates for name in controls.findall(template.read_text())}
    assert {"email", "password", "requester", "details", "csrf"} <= names  # the scan reads the forms
    assert names - set(FIELD_NAMES) == set()
    chinese, english = Language("zh_CN"), Language("en")
    assert chinese.field_name("version_12") == chinese.field_name("version")  # one per report: as its kind
    assert english.field_name("current") == "“current password”" and chinese.field_name("email") == "“电子邮箱”"


def test_api_messages_for_chinese_readers_are_all_in_chinese(client: TestClient, container: Container) -> None:
    zh = {"Accept-Language": "zh-CN"}
    files = [("photos", ("a.jpg", plain_photo(), "image/jpeg"))]
    form = {"given_name": "Lin", "sex": "robot", "birth_date": "2015-01-01", "missing_since": "2020-06-01T08:00:00Z"}
    sex = client.post("/api/cases", files=files, data=form, headers=zh).json()["problems"][0]["detail"]
    assert "性别" in sex and "或" in sex and " or " not in sex and not sex.startswith("sex"), sex

    takedown = client.post("/api/takedowns", json={"subject": "case", "subject_id": 1, "requester": "me"}, headers=zh)
    said = " ".join(e["detail"] for e in takedown.json()["problems"])
    assert takedown.status_code == 422 and "理由" in said and "reason" not in said, said

    case_id = client.post("/api/cases", files=files, data=form | {"sex": "female"}).json()["id"]
    empty = client.post(f"/api/cases/{case_id}/messages", json={}, headers=zh).json()["problems"][0]["detail"]
    assert "消息" in empty and "body" not in empty, empty

    future = client.post("/api/sightings", files=files, data={"seen_at": "2099-01-01T00:00:00+08:00"}, headers=zh)
    detail = future.json()["detail"]
    reader = Language("zh_CN", container.settings.timezone)
    assert future.status_code == 422 and reader.zone_name() in detail and "2099" in detail, detail
    english = client.post("/api/sightings", files=files, data={"seen_at": "2099-01-01T00:00:00+08:00"})
    assert Language("en", container.settings.timezone).zone_name() in english.json()["detail"]
