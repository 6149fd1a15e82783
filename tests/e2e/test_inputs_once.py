"""Probe s16, P3 and P9: a field of one value sent more than once (two contacts, two places, two times)
was reduced to its last value without a word, and a JSON field a body does not name (a misspelt
``keep_data``) was dropped, closing a case with the family's photos kept. Each is refused (422) naming
the input, in the reader's language, before anything is stored; lists by design (photos, their dates)
still take many values."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR
from reunite.entrypoints.api.app import create_app
from reunite.services import moderation
from tests.conftest import count_rows, plain_photo, said_at_top
from tests.e2e.test_poster_and_cli import register

ZH = {"Accept-Language": "zh-CN"}
CJK = re.compile(r"[\u4e00-\u9fff]")
CASE = {"given_name": "Anna", "sex": "female", "birth_date": "2015-01-01", "missing_since": "2020-06-01T08:00:00Z"}


def photos(*seeds: int) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("photos", (f"p{seed}.jpg", plain_photo(seed=seed), "image/jpeg")) for seed in seeds]


def refused(answer: httpx.Response, *fields: str) -> dict[str, Any]:
    """A 422 in the one error shape naming ``fields``, in that order."""
    assert answer.status_code == 422, answer.text
    body: dict[str, Any] = answer.json()
    assert set(body) == {"detail", "field", "problems"}, body
    assert [p["field"] for p in body["problems"]] == list(fields), body
    assert body["field"] == fields[0], body
    return body


def test_a_report_with_a_field_sent_twice_is_refused_naming_it_and_nothing_is_stored(client: TestClient,
                                                                                     container: Container) -> None:
    lat = refused(client.post("/api/sightings", files=photos(1), data={"lat": ["30", "31"], "lon": "104"}), "lat")
    assert "more than once" in lat["detail"] and "latitude" in lat["detail"], lat
    assert lat["problems"][0]["type"] == "repeated" and lat["problems"][0]["loc"] == ["body", "lat"]
    contact = refused(client.post("/api/sightings", files=photos(2), headers=ZH,
                                  data={"contact": ["a@x.org", "b@y.org"]}), "contact")
    assert CJK.search(contact["detail"]) and "联系方式" in contact["detail"] and "x.org" not in str(contact), contact
    times = {"seen_at": ["2026-12-01T10:00+08:00", "2026-11-01T10:00+08:00"]}
    refused(client.post("/api/sightings", files=photos(3), data=times), "seen_at")
    # the same words twice are no less ambiguous a form: refused as well
    refused(client.post("/api/sightings", files=photos(4), data={"description": ["one", "one"]}), "description")
    assert count_rows(container, "sightings") == 0 and count_rows(container, "photos") == 0


def test_a_case_with_fields_sent_twice_names_each_and_stores_nothing(client: TestClient, container: Container) -> None:
    twice = CASE | {"given_name": ["Anna", "Bella"], "birth_date": ["2015-01-01", "2016-01-01"],
                    "police_report": ["PR-A", "PR-B"]}
    for headers, said in (({}, "more than once"), (ZH, "不止一次")):
        body = refused(client.post("/api/cases", files=photos(1), data=twice, headers=headers),
                       "given_name", "birth_date", "police_report")
        assert all(said in p["detail"] for p in body["problems"]), body
    assert count_rows(container, "cases") == 0 and count_rows(container, "photos") == 0


def test_lists_by_design_still_take_many_values(client: TestClient) -> None:
    report = client.post("/api/sightings", files=photos(1, 2), data={"lat": "30", "lon": "104"})
    assert report.status_code == 202 and len(report.json()["photo_ids"]) == 2, report.text
    case = client.post("/api/cases", files=photos(3, 4), data=CASE | {"photo_dates": ["2019-01-01", "2020-01-01"]})
    assert case.status_code == 201 and len(case.json()["photo_ids"]) == 2, case.text
    assert client.get("/api/sightings", params={"lang": "zh-CN", "limit": 10}).status_code == 200


def test_a_filter_sent_twice_or_unknown_is_refused_naming_it(client: TestClient) -> None:
    sexes = refused(client.get("/api/sightings?sex=male&sex=female"), "sex")
    assert "more than once" in sexes["detail"], sexes
    assert sexes["problems"][0]["loc"] == ["query", "sex"]
    unknown = refused(client.get("/api/sightings?sexe=male", headers=ZH), "sexe")
    assert "“sexe”" in unknown["detail"] and CJK.search(unknown["detail"]), unknown
    assert unknown["problems"][0]["type"] == "extra_forbidden"
    assert refused(client.get("/api/sightings?lang=en&lang=zh-CN"), "lang")["problems"][0]["loc"] == ["query", "lang"]


def test_an_unknown_form_field_is_refused_and_nothing_is_stored(client: TestClient, container: Container) -> None:
    sent = client.post("/api/sightings", files=photos(1), data={"contakt": "a@x.org", "lat": "30", "lon": "104"})
    assert "“contakt”" in refused(sent, "contakt")["detail"]
    assert count_rows(container, "sightings") == 0
    # the PFIF import reads its form itself (its body may be XML instead): the same rule
    document = b'<?xml version="1.0"?><pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4"></pfif:pfif>'
    two = [("file", ("a.xml", document, "application/xml")), ("file", ("b.xml", document, "application/xml"))]
    refused(client.post("/api/pfif", files=two), "file")
    refused(client.post("/api/pfif", files=[("document", ("a.xml", document, "application/xml"))]), "document")
    assert count_rows(container, "cases") == 0


def test_closing_a_case_needs_keep_data_spelled_and_refuses_fields_it_does_not_take(
    client: TestClient, container: Container
) -> None:
    case_id = register(client)
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report seen")
    close = f"/api/cases/{case_id}/close"
    misspelt = {"reunited": False, "keep_photos": False, "delete_photos": True}
    body = refused(client.post(close, json=misspelt), "keep_data", "keep_photos", "delete_photos")
    assert "required" in body["problems"][0]["detail"] and "“delete_photos”" in body["problems"][2]["detail"]
    chinese = refused(client.post(close, json=misspelt, headers=ZH), "keep_data", "keep_photos", "delete_photos")
    assert all(CJK.search(p["detail"]) for p in chinese["problems"]), chinese
    assert client.get(f"/api/cases/{case_id}").json()["status"] == "open"
    assert count_rows(container, f"photos WHERE case_id = {case_id}") == 1  # nothing closed, nothing deleted

    other = register(client)
    refused(client.post(f"/api/cases/{other}/verify", json={"evidence": "ok", "bogus_field": 1}), "bogus_field")
    assert client.get(f"/api/cases/{other}").json()["verified_at"] is None  # still waiting for verification
    assert client.post(close, json={"reunited": False, "keep_data": False}).status_code == 204
    assert count_rows(container, f"photos WHERE case_id = {case_id}") == 0


def test_a_json_key_sent_twice_is_refused_naming_it_and_nothing_is_done(
    client: TestClient, container: Container
) -> None:
    """Probe s17 Q2: ``keep_data`` sent twice (true, then false) closed the case and deleted the family's
    photos: a parser keeps the last of a repeated key without a word."""
    case_id = register(client)
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report seen")
    twice = '{"reunited": false, "keep_data": true, "keep_data": false}'
    for headers in ({}, ZH):
        answer = client.post(f"/api/cases/{case_id}/close", content=twice,
                             headers={"Content-Type": "application/json"} | headers)
        assert answer.status_code == 422 and answer.json()["field"] == "keep_data", answer.text
        assert bool(CJK.search(answer.json()["detail"])) == bool(headers), answer.text
    assert client.get(f"/api/cases/{case_id}").json()["status"] == "open"
    assert count_rows(container, f"photos WHERE case_id = {case_id}") == 1  # nothing closed, nothing deleted


def test_every_json_body_refuses_unknown_fields_and_the_document_says_so(container: Container) -> None:
    app = create_app(container)
    document = app.openapi()
    bodies = {ref.rsplit("/", 1)[-1] for path in document["paths"].values() for op in path.values()
              for content in op.get("requestBody", {}).get("content", {}).values()
              if (ref := content.get("schema", {}).get("$ref", ""))}
    schemas = document["components"]["schemas"]
    assert {"CloseIn", "EvidenceIn", "SubscriptionIn", "SourceIn", "RoleIn"} <= bodies  # and the forms' Body_…
    assert all(schemas[name].get("additionalProperties") is False for name in bodies), bodies
    pfif = document["paths"]["/api/pfif"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert pfif["additionalProperties"] is False
    assert "keep_data" in schemas["CloseIn"]["required"]
    lang = [p for p in document["paths"]["/api/sightings"]["get"]["parameters"] if p["name"] == "lang"]
    assert lang and lang[0]["in"] == "query", "every operation documents ?lang="


def page_fields(browser: TestClient) -> dict[str, str]:
    return dict(re.findall(r'name="(csrf|idempotency_key)" value="([^"]*)"', browser.get("/report").text))


def test_the_report_page_shows_a_field_sent_twice_again_with_what_was_typed(container: Container) -> None:
    for language, said in (("en", "sent more than once"), ("zh-CN", "不止一次")):
        browser = TestClient(create_app(container), headers={"Accept-Language": language})
        typed = {"place_text": "人民广场东门", "doing": "红色外套", "contact": ["a@x.org", "b@y.org"]}
        page = browser.post("/report", files=photos(1), data=page_fields(browser) | typed)
        error = said_at_top(page.text)
        assert page.status_code == 422 and error and said in error, page.text[-3000:]
        assert "人民广场东门" in page.text and "红色外套" in page.text
    assert count_rows(container, "sightings") == 0


def test_the_browse_page_names_a_filter_given_twice(client: TestClient, container: Container) -> None:
    from tests.e2e.test_filter_errors import browser, problems

    for language, said in (("en", "more than once"), ("zh-CN", "不止一次")):
        page = browser(container, language).get("/sightings?sex=male&sex=female")
        assert page.status_code == 422 and said in problems(page.text), problems(page.text)
