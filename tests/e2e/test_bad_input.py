"""Issue 10, findings 10, 11 and 16, tried the way the outside probe tried them: half-answered writes,
retried forms and API calls, ids beyond bigint and NUL characters anywhere, a text file posing as a GIF.
Each answer is a clear 4xx in the reader's language (or a success), never a 500 and never a duplicate."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from reunite.bootstrap import Container
from reunite.domain.access import Role
from reunite.entrypoints.api.app import create_app
from tests.conftest import count_rows, plain_photo, session_for

HUGE_ID = str(2**63)  # one past PostgreSQL's bigint
HUGER_ID = "9" * 30


def long_thin_png(width: int = 20_000, height: int = 10) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (120, 90, 60)).save(out, format="PNG")
    return out.getvalue()


def page_client(container: Container, role: Role | None = None, language: str = "en") -> TestClient:
    browser = TestClient(create_app(container), headers={"Accept-Language": language})
    if role is not None:
        browser.cookies.set("reunite_session", session_for(container, role)[1])
    return browser


def form_fields(browser: TestClient, path: str) -> dict[str, str]:
    page = browser.get(path).text
    return dict(re.findall(r'name="(csrf|idempotency_key)" value="([^"]*)"', page))


def test_long_thin_photo_through_the_web_form_is_stored_once_and_shown_at_every_size(
    client: TestClient, container: Container
) -> None:
    browser = page_client(container, Role.MODERATOR)
    fields = form_fields(browser, "/report")
    assert fields.get("idempotency_key"), "the form carries a one-time key"
    files = [("photos", ("strip.png", long_thin_png(), "image/png"))]
    first = browser.post("/report", files=files, data=fields)
    assert first.status_code == 200, first.text[:500]
    again = browser.post("/report", files=files, data=fields)  # the browser retries the same form
    assert again.status_code == 200
    assert count_rows(container, "sightings") == 1 and count_rows(container, "photos") == 1
    with container.engine.connect() as conn:
        photo_id = conn.exec_driver_sql("SELECT id FROM photos").scalar_one()
    for side in (None, 64, 480, 4096):
        query = f"?max_side={side}" if side else ""
        shown = client.get(f"/api/photos/{photo_id}{query}")
        assert shown.status_code == 200, (side, shown.text[:200])
        width, height = Image.open(io.BytesIO(shown.content)).size
        assert height >= 1 and width <= (side or 20_000)


def test_a_new_form_gets_a_new_key_so_a_second_report_is_not_swallowed(container: Container) -> None:
    browser = page_client(container, Role.MODERATOR)
    for seed in (1, 2):
        files = [("photos", ("a.jpg", plain_photo(seed=seed), "image/jpeg"))]
        assert browser.post("/report", files=files, data=form_fields(browser, "/report")).status_code == 200
    assert count_rows(container, "sightings") == 2


def test_api_report_and_case_honour_the_idempotency_key(client: TestClient, container: Container) -> None:
    files = [("photos", ("a.jpg", plain_photo(), "image/jpeg"))]
    headers = {"Idempotency-Key": "retry-me-7f3a"}
    first = client.post("/api/sightings", files=files, headers=headers)
    second = client.post("/api/sightings", files=files, headers=headers)
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"] and first.json()["photo_ids"] == second.json()["photo_ids"]
    assert count_rows(container, "sightings") == 1 and count_rows(container, "procrastinate_jobs") == 1
    another_photo = [("photos", ("b.jpg", plain_photo(seed=9), "image/jpeg"))]  # the same picture would join
    other = client.post("/api/sightings", files=another_photo, headers={"Idempotency-Key": "another"})
    assert other.json()["id"] != first.json()["id"]

    form = {"given_name": "Lin", "sex": "female", "birth_date": "2015-01-01", "missing_since": "2020-06-01T08:00:00Z"}
    cases = [client.post("/api/cases", files=files, data=form, headers={"Idempotency-Key": "case-1"})
             for _ in range(2)]
    assert [c.status_code for c in cases] == [201, 201] and cases[0].json()["id"] == cases[1].json()["id"]
    assert count_rows(container, "cases") == 1


def test_a_key_sent_again_with_another_request_is_refused_not_answered_with_the_first(
    client: TestClient, container: Container
) -> None:
    files = [("photos", ("a.jpg", plain_photo(), "image/jpeg"))]
    first = client.post("/api/sightings", files=files, data={"description": "boy in red"},
                        headers={"Idempotency-Key": "k-1"})
    other = client.post("/api/sightings", files=files, data={"description": "girl in blue"},
                        headers={"Idempotency-Key": "k-1", "Accept-Language": "zh-CN"})
    assert first.status_code == 202 and other.status_code == 422
    assert "幂等" in str(other.json()["detail"]) and str(first.json()["id"]) not in str(other.json())
    form = {"given_name": "Lin", "sex": "female", "birth_date": "2015-01-01", "missing_since": "2020-06-01T08:00:00Z"}
    assert client.post("/api/cases", files=files, data=form, headers={"Idempotency-Key": "c-1"}).status_code == 201
    changed = client.post("/api/cases", files=files, data=form | {"given_name": "Mei"},
                          headers={"Idempotency-Key": "c-1"})
    assert changed.status_code == 422 and "different request" in str(changed.json()["detail"])
    assert count_rows(container, "sightings") == 1 and count_rows(container, "cases") == 1

    browser = page_client(container, Role.MODERATOR, language="zh-CN")
    fields = form_fields(browser, "/report") | {"client_key": "phone-1"}
    assert browser.post("/report", files=files, data=fields | {"doing": "begging"}).status_code == 200
    again = browser.post("/report", files=files, data=fields | {"doing": "begging"})  # the queue resends it
    assert again.status_code == 200 and count_rows(container, "sightings") == 2
    another = browser.post("/report", files=files, data=fields | {"doing": "sleeping"})
    assert another.status_code == 422 and "幂等" in another.text and "sleeping" in another.text  # kept in the form
    assert count_rows(container, "sightings") == 2


def test_someone_elses_idempotency_key_does_not_return_their_receipt(
    client: TestClient, anonymous: TestClient, container: Container
) -> None:
    files = [("photos", ("a.jpg", plain_photo(), "image/jpeg"))]
    key = {"Idempotency-Key": "shared-guess-4f7a2c"}  # one an anonymous sender may choose (random enough)
    mine = client.post("/api/sightings", files=files, headers=key).json()
    their_photo = [("photos", ("b.jpg", plain_photo(seed=9), "image/jpeg"))]
    theirs = anonymous.post("/api/sightings", files=their_photo, headers=key)
    assert theirs.status_code == 202 and theirs.json()["id"] != mine["id"]


def test_a_text_file_starting_like_a_gif_is_called_not_a_photo(client: TestClient) -> None:
    fake = b"GIF89a" + b"these are my notes, not a picture\n" * 20
    response = client.post("/api/sightings", files=[("photos", ("notes.gif", fake, "image/gif"))])
    assert response.status_code == 415
    assert "not a photo" in response.json()["detail"] and "pixels" not in response.json()["detail"]
    chinese = client.post("/api/sightings", files=[("photos", ("notes.gif", fake, "image/gif"))],
                          headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 415 and "照片" in chinese.json()["detail"]


# -- ids beyond bigint and NUL characters, everywhere --------------------------------------------------
JSON_PROBES: list[tuple[str, str, dict[str, Any]]] = [
    ("post", "/api/moderation/sightings", {"ids": [int(HUGE_ID)], "approve": True}),
    ("post", "/api/sightings/1/child-face", {"face_id": int(HUGER_ID)}),
    ("post", "/api/takedowns", {"subject": "sighting", "subject_id": int(HUGE_ID), "requester": "me@example.org",
                                "reason": "that is me"}),
    ("post", "/api/takedowns", {"subject": "sighting", "subject_id": 1, "requester": "me\x00@example.org",
                                "reason": "that is me"}),
    ("post", "/api/cases/1/messages", {"body": "hello\x00there"}),
    ("post", "/api/cases/1/verifications", {"candidate_id": int(HUGE_ID), "method": "dna", "result": "match"}),
    ("post", "/api/tokens", {"name": "x\x00", "scopes": ["read:cases"]}),
]
PATH_PROBES = [
    f"/api/sightings/{HUGE_ID}", f"/api/cases/{HUGER_ID}", f"/api/photos/{HUGE_ID}", f"/api/faces/{HUGE_ID}/crop",
    f"/api/cases/{HUGE_ID}/candidates", f"/api/sightings/{HUGE_ID}/candidates", f"/api/cases/{HUGE_ID}/messages",
    "/api/sightings?place=market%00square", f"/api/sightings?limit={HUGE_ID}", f"/api/sightings?offset={HUGER_ID}",
    f"/api/sightings?age={HUGE_ID}",
]


@pytest.mark.parametrize(("method", "path", "body"), JSON_PROBES, ids=[f"{m} {p} {i}" for i, (m, p, _) in
                                                                        enumerate(JSON_PROBES)])
def test_json_bodies_with_huge_ids_or_nul_are_refused_clearly(
    client: TestClient, container: Container, method: str, path: str, body: dict[str, Any]
) -> None:
    response = getattr(client, method)(path, json=body)
    assert response.status_code == 422, response.text
    assert count_rows(container, "takedowns") == 0 and count_rows(container, "api_tokens") == 1


@pytest.mark.parametrize("path", PATH_PROBES)
def test_paths_and_queries_with_huge_ids_or_nul_are_refused_clearly(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 422, response.text
    assert response.json()["detail"]
    revoke = client.delete(f"/api/tokens/{HUGE_ID}")
    assert revoke.status_code == 422


@pytest.mark.parametrize(("query", "field"), [("offset=-5", "offset"), ("limit=0", "limit"), ("limit=201", "limit")])
def test_a_bad_page_of_sightings_names_the_value_that_is_wrong(client: TestClient, query: str, field: str) -> None:
    response = client.get(f"/api/sightings?{query}")
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


def test_form_fields_with_nul_or_huge_numbers_are_refused_in_the_readers_language(container: Container) -> None:
    browser = page_client(container, Role.MODERATOR, language="zh-CN")
    fields = form_fields(browser, "/report")
    files = [("photos", ("a.jpg", plain_photo(), "image/jpeg"))]
    nul = browser.post("/report", files=files, data=fields | {"place_text": "market\x00"},
                       headers={"referer": "http://testserver/report"})
    assert nul.status_code == 422 and "NUL" in nul.text and 'value="market"' in nul.text  # the form again
    elsewhere = browser.post("/takedown", data={"csrf": fields["csrf"], "subject": "case", "subject_id": "1",
                                                "requester": "me", "reason": "me\x00"},
                             headers={"referer": "http://testserver/takedown"})
    assert elsewhere.status_code == 422 and "NUL" in elsewhere.text
    assert 'action="/takedown"' in elsewhere.text and ">me</textarea>" in elsewhere.text  # the form, as typed
    assert 'id="error-reason">“理由”含有 NUL 字符' in elsewhere.text  # by its field, named in Chinese
    huge = browser.post("/moderation/sightings", data={"csrf": fields["csrf"], "ids": HUGE_ID, "approve": "1"})
    assert huge.status_code == 422
    takedown = browser.post("/takedown", data={"csrf": fields["csrf"], "subject": "sighting", "subject_id": HUGER_ID,
                                               "requester": "me", "reason": "it shows me"})
    assert takedown.status_code == 422
    filtered = browser.get("/sightings?place=a%00b")
    assert filtered.status_code == 422 and "无法" in filtered.text
    api = TestClient(create_app(container)).post("/api/sightings", files=files, data={"description": "x\x00y"})
    assert api.status_code == 422 and "NUL" in api.json()["detail"]
    assert count_rows(container, "sightings") == 0


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "the page has a form"
    return found.group(1)


PAGE_FORMS = [  # a page's form, its fields as typed, the field given a NUL, and what it is called in Chinese
    ("/login", {"email": "mother@example.org", "password": "correct horse battery"}, "email", "“电子邮箱”"),
    ("/reset", {"email": "mother@example.org"}, "email", "“电子邮箱”"),
    ("/signup", {"email": "mother@example.org"}, "email", "“电子邮箱”"),
    ("/subscribe", {"email": "mother@example.org", "region": "武汉", "radius_km": "10"}, "region", "“地区”"),
    ("/takedown", {"subject": "case", "subject_id": "7", "relation": "mother", "reason": "it is my son",
                   "requester": "+86 139 1234 5678"}, "requester", "“您的联系方式”"),
]


@pytest.mark.parametrize(("path", "typed", "field", "named"), PAGE_FORMS, ids=[p[0] for p in PAGE_FORMS])
def test_a_page_form_with_a_nul_comes_back_as_typed_with_the_error_by_its_field(
    container: Container, path: str, typed: dict[str, str], field: str, named: str
) -> None:
    """Probe s18, R11: a NUL in /login's email answered a bare error page (“email”含有 NUL 字符，无法保存):
    the field named in English, "cannot be stored" for a sign-in that stores nothing, the form gone."""
    from dataclasses import replace

    from tests.e2e.test_probe_auth import KeptMail

    container.deps = replace(container.deps, mailer=KeptMail())  # the sign-up and reset forms need email
    browser = page_client(container, language="zh-CN")
    sent = typed | {field: typed[field][:3] + "\x00" + typed[field][3:]}
    answer = browser.post(path, data=sent | {"csrf": csrf_of(browser.get(path).text)})
    assert answer.status_code == 422, answer.text[-1500:]
    said = f"{named}含有 NUL 字符（一种看不见的控制字符），无法读取"
    assert f'<span class="field-error" id="error-{field}">{said}' in answer.text  # beside its field
    assert f'action="{path}"' in answer.text and 'aria-invalid="true"' in answer.text  # the form again
    assert typed[field] in answer.text and "\x00" not in answer.text  # as typed, without the NUL
    assert count_rows(container, "takedowns") == 0 and count_rows(container, "subscriptions") == 0


def test_a_query_with_a_nul_is_named_by_its_parameter_and_cannot_be_read(client: TestClient) -> None:
    """Probe s18, R11: "the address's query contains a NUL, which cannot be stored" for a search, which stores
    nothing: the parameter is named, and what is said fits any request."""
    answer = client.get("/api/sightings?place=%E6%AD%A6%00%E6%B1%89", headers={"Accept-Language": "zh-CN"})
    assert answer.status_code == 422 and answer.json()["field"] == "place"
    assert answer.json()["detail"] == "“地点”含有 NUL 字符（一种看不见的控制字符），无法读取：请删除后再发送"
    assert [p["field"] for p in answer.json()["problems"]] == ["place"]
    english = client.get("/api/sightings?place=a%00b").json()["detail"]
    assert english == ("“place” contains a NUL character (an invisible control character), which cannot be read: "
                       "remove it and send again")


@pytest.mark.parametrize("length", [600, 5000])
def test_a_long_number_in_a_text_field_is_too_long_never_a_number_too_large(
    client: TestClient, container: Container, length: int
) -> None:
    """Probe s18, R11: a contact of 600 digits was "a number too large", 600 letters "too long (at most 500)"."""
    files = [("photos", ("a.jpg", plain_photo(), "image/jpeg"))]
    api = client.post("/api/sightings", files=files, data={"contact": "1" * length},
                      headers={"Accept-Language": "zh-CN"})
    assert api.status_code == 422 and api.json()["field"] == "contact"
    assert api.json()["detail"] == "“联系方式”太长（最多 500 个字符）", api.json()
    browser = page_client(container, Role.REPORTER, language="zh-CN")
    page = browser.post("/report", files=files, data=form_fields(browser, "/report") | {"contact": "1" * length})
    assert page.status_code == 422 and "“联系方式”太长（最多 500 个字符）" in page.text
    assert "数字过大" not in page.text
    place = client.get("/api/sightings?place=" + "2" * length)
    assert place.status_code == 422 and place.json()["field"] == "place" and "too large" not in place.text
    assert count_rows(container, "sightings") == 0


def test_api_validation_errors_name_the_field_in_the_readers_language(anonymous: TestClient) -> None:
    body = {"channel": "email", "address": "a@example.org", "lat": "north", "radius_km": 99999}
    chinese = anonymous.post("/api/subscriptions", json=body, headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 422
    messages = {tuple(e["loc"]): e["detail"] for e in chinese.json()["problems"]}
    assert messages[("body", "lat")] == "“纬度”必须是数字", messages  # the field named in Chinese too
    english = anonymous.post("/api/subscriptions", json=body, headers={"Accept-Language": "en"})
    said = " / ".join(e["detail"] for e in english.json()["problems"])
    assert "“latitude” must be a number" in said and "north" not in said  # the input is not echoed
    broken = anonymous.post("/api/subscriptions", content=b"{not json", headers={"Content-Type": "application/json"})
    assert broken.status_code == 422 and broken.json()["problems"][0]["detail"] == "the body is not valid JSON"


def test_a_bad_choice_names_the_allowed_values_in_the_readers_language(client: TestClient) -> None:
    files = [("photos", ("a.jpg", plain_photo(), "image/jpeg"))]
    form = {"given_name": "Lin", "sex": "girl", "birth_date": "2015-01-01", "missing_since": "2020-06-01T08:00:00Z"}
    said = {}
    for language in ("zh-CN", "en"):
        answer = client.post("/api/cases", files=files, data=form, headers={"Accept-Language": language})
        assert answer.status_code == 422
        said[language] = {tuple(e["loc"]): e["detail"] for e in answer.json()["problems"]}[("body", "sex")]
    # the values to send, each named in Chinese, joined as Chinese joins a list
    assert said["zh-CN"] == "“性别”必须是以下之一：'female'（女）、'male'（男）或'unknown'（不详）", said
    assert said["en"] == "“sex” must be one of: 'female', 'male', or 'unknown'"


def test_a_browsers_multipart_form_with_nul_is_refused_before_anything_is_stored(container: Container) -> None:
    """Browsers' multipart boundaries have capitals (----WebKitFormBoundary…): the guard reads them as sent."""
    browser = page_client(container)
    fields = form_fields(browser, "/report") | {"place_text": "market\x00"}
    boundary = "----WebKitFormBoundaryQ7xZpL3mNa9KwYcE"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="a.jpg"\r\n'
                 "Content-Type: image/jpeg\r\n\r\n".encode() + plain_photo() + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    sent = browser.post("/report", content=body,
                        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert sent.status_code == 422 and "NUL" in sent.text
    assert count_rows(container, "sightings") == 0 and not any(container.settings.data_dir.rglob("*.jpg"))


def test_api_answers_are_in_the_readers_language_and_promise_only_what_happens(
    client: TestClient, container: Container
) -> None:
    zh = {"Accept-Language": "zh-CN"}
    files = [("photos", ("a.jpg", plain_photo(), "image/jpeg"))]
    accepted = client.post("/api/sightings", files=files, headers=zh)
    assert accepted.status_code == 202 and "谢谢" in accepted.json()["message"]
    for path in ("/api/faces/0/crop", "/api/nope"):
        missing = client.get(path, headers=zh)
        assert missing.status_code == 404 and re.search(r"[\u4e00-\u9fff]", missing.json()["detail"]), path
    from dataclasses import replace

    from reunite.adapters.notify.webhook import HttpWebhooks
    container.deps = replace(container.deps, webhooks=HttpWebhooks(allowed_hosts=["127.0.0.1"]))
    subscribed = client.post("/api/subscriptions", headers=zh, json={
        "channel": "webhook", "address": "http://127.0.0.1:9999/alerts", "lat": 30.6, "lon": 104.06, "radius_km": 10})
    assert subscribed.status_code == 201, subscribed.text
    # a code a client switches on, whatever the reader's language (probe s21 U7); the words beside it
    assert subscribed.json()["status"] == "active" and re.search(r"[\u4e00-\u9fff]", subscribed.json()["status_text"])

    from reunite.domain.access import OPERATOR, Scope
    from reunite.services.accounts import issue_token
    writer = {"Authorization": f"Bearer {issue_token(container.deps, OPERATOR, 'charity', [Scope.WRITE])}"}
    family = TestClient(client.app, headers=writer)
    form = {"given_name": "Lin", "sex": "female", "birth_date": "2015-01-01", "missing_since": "2020-06-01T08:00:00Z"}
    waiting = family.post("/api/cases", files=files, data=form).json()["message"]
    assert "verif" in waiting and "being compared with every sighting" not in waiting


def test_subscriptions_to_unknown_regions_and_malformed_mastodon_sources_are_refused_at_once(
    client: TestClient, container: Container
) -> None:
    from dataclasses import replace

    from reunite.adapters.notify.webhook import HttpWebhooks
    container.deps = replace(container.deps, webhooks=HttpWebhooks(allowed_hosts=["127.0.0.1"]))
    hook = {"channel": "webhook", "address": "http://127.0.0.1:9999/alerts"}
    unknown = client.post("/api/subscriptions", json=hook | {"region": "Xyzzyland"},
                          headers={"Accept-Language": "zh-CN"})
    assert unknown.status_code == 422 and "Xyzzyland" in unknown.json()["detail"] and "地方" in unknown.json()["detail"]
    for region in ("Sichuan", "成都", "四川省", "Chengdu"):
        assert client.post("/api/subscriptions", json=hook | {"region": region}).status_code == 201, region
    assert count_rows(container, "subscriptions") == 2  # two areas, each written twice (probe s46 P4)
    for url in ("https://mastodon.example/", "not a url", "https://mastodon.example/explore"):
        refused = client.post("/api/sources", json={"kind": "mastodon", "url": url})
        assert refused.status_code == 422 and "tags/NAME" in str(refused.json()["detail"]), url


def test_a_value_the_database_refuses_in_a_reading_cannot_be_read_not_stored(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Probe s18, R11: the words fit what was asked: a search stores nothing."""
    from sqlalchemy.exc import DataError

    from reunite.services import queries

    def refused(*_: object, **__: object) -> None:
        raise DataError("SELECT …", {}, Exception("value out of range for type bigint"))

    monkeypatch.setattr(queries, "list_sightings", refused)
    answer = client.get("/api/sightings", headers={"Accept-Language": "zh-CN"})
    assert answer.status_code == 422 and answer.json()["detail"] == "有一个值超出范围或无法读取"
