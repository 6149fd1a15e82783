"""A page's address that holds what cannot be read (a NUL, ``%00``; bytes that are not UTF-8 text, ``%ff``) is
answered by the page itself, as the browse page always did: 422, the page with its form, the value as typed
without what cannot be read, the problem beside its field and at the top, in the reader's language; never the
bare error page, never a 500. What answers no page (a redirect, a PDF, a photo) answers the error page, 4xx, in
the reader's language. One reading of every page's query (``guard.read_query``, ``pages.address``,
``pages.render``), swept here over every GET route of the web app."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import ANONYMOUS, OPERATOR, Role
from reunite.domain.model import GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.entrypoints.api.inputs import takes
from reunite.services import intake
from tests.conftest import plain_photo, run_jobs, session_for

NUL_SAID = "含有 NUL 字符"  # “…”含有 NUL 字符（一种看不见的控制字符），无法读取
NOT_TEXT_SAID = "含有不是 UTF-8 文本的字节"
# what pages read from their address besides their declared parameters (flags after a change, filters, links)
READ_FROM_ADDRESS = ("done", "sent", "registered", "answered", "known", "cp", "created", "changed", "reset",
                     "added", "time", "photo", "next", "actor", "subject", "action", "from", "to", "before", "place",
                     "age", "sex", "lat", "lon", "radius_km", "page", "known_only", "subject_id", "t")


def reader(container: Container, role: Role | None) -> TestClient:
    client = TestClient(create_app(container), headers={"Accept-Language": "zh-CN"}, follow_redirects=False)
    if role is not None:
        client.cookies.set("reunite_session", session_for(container, role)[1])
    return client


def records(container: Container) -> dict[str, str]:
    """A value for each path parameter: records that exist where the page reads one."""
    now = container.deps.clock.now()
    case = NewCase(given_name="Ming", family_name="Li", sex=Sex.MALE, birth_date=now.date().replace(year=now.year - 8),
                   missing_since=now - timedelta(days=30), last_seen_place=GeoPoint(30.66, 104.06))
    case_id = intake.register_case(container.deps, OPERATOR, case, [Upload(plain_photo(), "a.jpg")], [None]).case_id
    seen = NewSighting(seen_at=now - timedelta(hours=2), place=None, place_text="Chengdu")
    sighting = intake.report_sighting(container.deps, ANONYMOUS, seen, [Upload(plain_photo(seed=2), "s.jpg")])
    run_jobs(container)
    return {"case_id": str(case_id), "sighting_id": str(sighting.sighting_id), "code": "zh-CN",
            "purpose": "confirm", "receipt": "R1", "token": "abc"}


def page_routes(container: Container) -> list[APIRoute]:
    """Every GET route of the app but the API's and the feeds' (routers included)."""
    found = []
    for route in create_app(container).routes:
        contexts = getattr(route, "effective_route_contexts", None)
        for entry in (getattr(c, "original_route", c) for c in contexts()) if contexts else [route]:
            if isinstance(entry, APIRoute) and "GET" in entry.methods and \
                    not entry.path.startswith(("/api/", "/feeds/")):
                found.append(entry)
    return found


def said_in_chinese(answer: object, path: str) -> None:
    """4xx, no fault, the problem said in the reader's language (Chinese here)."""
    status, text = answer.status_code, html.unescape(answer.text)  # type: ignore[attr-defined]
    assert 400 <= status < 500, (path, status, text[-500:])
    assert "Traceback" not in text and "\x00" not in text, path
    assert NUL_SAID in text or NOT_TEXT_SAID in text, (path, text[-800:])


@pytest.mark.parametrize("role", [Role.ADMIN, None], ids=["admin", "anonymous"])
def test_every_page_answers_a_query_it_cannot_read_with_4xx_in_the_readers_language(container: Container,
                                                                                     role: Role | None) -> None:
    ids, client = records(container), reader(container, role)
    routes = page_routes(container)
    assert len(routes) > 30  # every page of the site
    for route in routes:
        path = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: ids.get(m.group(1), "1"), route.path)
        for name in sorted(takes(route).query):  # each of its own parameters, alone
            said_in_chinese(client.get(f"{path}?{name}=a%00b"), f"{path}?{name}")
        every = "&".join(f"{name}=1%00" for name in READ_FROM_ADDRESS)  # whatever else it reads from its address
        said_in_chinese(client.get(f"{path}?{every}"), f"{path}?…")
        said_in_chinese(client.get(f"{path}?place=%ff%fe"), f"{path}?place=%ff")


def test_a_page_with_a_flag_it_cannot_read_is_the_page_itself_saying_so(container: Container) -> None:
    """``/moderation?done=1%00`` was the bare error page: the moderator lost the queue they were working on."""
    moderator = reader(container, Role.MODERATOR)
    page = moderator.get("/moderation?done=1%00")
    assert page.status_code == 422
    assert 'href="/moderation/reports"' in page.text and "<h2 id=\"cases\">" in page.text  # the queues, shown
    top = re.search(r'id="form-error">([^<]*)<', page.text)
    assert top and NUL_SAID in html.unescape(top.group(1))
    assert 'class="ok"' not in page.text  # "Done." is not said from a flag that could not be read


@pytest.mark.parametrize(("query", "field", "named", "said"), [
    ("subject=case%00&subject_id=7&reason=it%20is%20me", "subject", "“要移除的内容”", NUL_SAID),
    ("subject=case&subject_id=7&reason=it%20is%20me%ff", "reason", "“理由”", NOT_TEXT_SAID),
])
def test_a_form_filled_from_its_address_says_what_it_cannot_read_beside_the_field(
    container: Container, query: str, field: str, named: str, said: str
) -> None:
    page = reader(container, None).get(f"/takedown?{query}")
    assert page.status_code == 422 and 'action="/takedown"' in page.text  # the form, not the error page
    box = re.search(rf'name="{field}"[^>]*aria-invalid="true" aria-describedby="error-{field}"', page.text)
    assert box, page.text[-2000:]
    beside = re.search(rf'<span class="field-error" id="error-{field}">([^<]*)<', page.text)
    assert beside and html.unescape(beside.group(1)).startswith(named + said)
    assert "it is me</textarea>" in page.text and 'value="7"' in page.text  # as typed, without what was not text


@pytest.mark.parametrize(("value", "said"), [("sighting%00:1", NUL_SAID), ("sighting%ff:1", NOT_TEXT_SAID)])
def test_an_audit_filter_it_cannot_read_is_refused_by_its_box_and_nothing_is_read(
    container: Container, value: str, said: str
) -> None:
    admin = reader(container, Role.ADMIN)
    page = admin.get(f"/audit?subject={value}&actor=operator")
    assert page.status_code == 422 and 'id="audit-filters"' in page.text
    beside = re.search(r'name="subject"[^>]*aria-invalid="true"[^>]*>\s*<span class="field-error" '
                       r'id="error-subject">([^<]*)<', page.text)
    assert beside and said in html.unescape(beside.group(1)) and "“记录或记录类型”" in html.unescape(beside.group(1))
    assert 'value="sighting:1"' in page.text and 'id="entries"' not in page.text  # as typed, nothing listed
    with container.engine.connect() as conn:  # the log was not read with a filter the reader did not give
        assert conn.exec_driver_sql("SELECT count(*) FROM audit_log WHERE action = 'audit.viewed'").scalar_one() == 0


def test_the_browse_page_names_a_filter_that_is_not_text(container: Container) -> None:
    page = reader(container, Role.MODERATOR).get(f"/sightings?place={quote('成都')}%ff&age=6")
    assert page.status_code == 422
    listed = re.search(r'id="filter-errors">(.*?)</div>', page.text, re.S)
    assert listed and "“地点”含有不是 UTF-8 文本的字节" in html.unescape(listed.group(1))
    assert 'value="成都"' in page.text and 'value="6"' in page.text and "\ufffd" not in page.text


def test_the_api_refuses_a_query_that_is_not_text_naming_it(client: TestClient) -> None:
    answer = client.get("/api/sightings?place=%ff", headers={"Accept-Language": "zh-CN"})
    assert answer.status_code == 422 and answer.json()["field"] == "place"
    assert answer.json()["detail"].startswith("“地点”含有不是 UTF-8 文本的字节")
