"""Probe s10, findings 6 and 11: a report refused for its input does not use up the sender's hourly
limit, and its 422 names every problem at once; refused reports are bounded by a limit of their own.
Small things: a search without a photo says so; the API tells a signed-in browser it needs a token; a
``tz`` cookie that names no place is not taken for a zone."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.abuse import solve
from reunite.domain.access import Role
from reunite.domain.model import NewCase, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import intake
from reunite.services.accounts import from_session
from tests.conftest import count_rows, plain_photo, said_at_top, session_for


def fields(browser: TestClient, path: str = "/report") -> dict[str, str]:
    return dict(re.findall(r'name="(csrf|idempotency_key)" value="([^"]*)"', browser.get(path).text))


def send(browser: TestClient, seed: int, **typed: Any) -> Any:
    files = [("photos", ("street.jpg", plain_photo(seed=seed), "image/jpeg"))]
    return browser.post("/report", files=files, data=fields(browser) | typed)


def test_a_refused_report_does_not_use_up_the_hourly_limit_and_names_every_problem(container: Container) -> None:
    """Anonymous, without a script (no proof-of-work): three reports an hour. The probe's reporter typed
    ages 12 to 5 and a time in the future: both are named at once (in Chinese), and the three corrected
    reports all go through; only a fourth is refused (429), its page saying that many reports came from the
    reporter's network (never "at most 3", which blames a witness for what others sent; probe s30 D1), when
    to send it again, and the police's number as the police's (never "call 110 to tell us")."""
    browser = TestClient(create_app(container), headers={"Accept-Language": "zh-CN"})
    wrong = send(browser, 0, age_low="12", age_high="5", seen_at="2099-05-01T20:00", tz="Asia/Shanghai")
    assert wrong.status_code == 422
    error = said_at_top(wrong.text)
    assert error and "12" in error and "将来" in error, wrong.text[-3000:]
    assert "；" in error  # two problems, joined as Chinese joins them
    assert wrong.text.count('<span class="field-error"') == 2  # and each beside its field
    assert 'value="12"' in wrong.text  # what was typed is kept
    for seed in (1, 2, 3):
        assert send(browser, seed, age_low="5", age_high="7").status_code == 200
    busy = send(browser, 4, doing="红色外套")
    assert busy.status_code == 429 and "红色外套" in busy.text  # kept, and another way is offered
    said = said_at_top(busy.text)
    assert said and "您所在的网络" in said and "最多" not in said, busy.text[-3000:]
    wait = int(busy.headers["Retry-After"])
    assert 0 < wait <= 3660 and f"请 {min(60, -(-wait // 60))} 分钟后再次发送" in said
    assert "请稍后再次发送" in busy.text and "请立即报警：110" in busy.text and "告诉我们" not in busy.text
    assert count_rows(container, "sightings") == 3


def test_a_refused_api_report_names_every_problem_and_does_not_count(anonymous: TestClient) -> None:
    photos = [("photos", ("street.jpg", plain_photo(seed=9), "image/jpeg"))]
    refused = anonymous.post("/api/sightings", files=photos, data={
        "lat": "30.6", "apparent_age_low": "12", "apparent_age_high": "5", "seen_at": "2099-01-01T10:00:00+08:00"})
    assert refused.status_code == 422
    # the half of the point that is missing is named (as the page's form names it)
    assert [p["field"] for p in refused.json()["problems"]] == ["seen_at", "lon", "apparent_age"]
    for seed in range(3):
        photos = [("photos", ("street.jpg", plain_photo(seed=seed), "image/jpeg"))]
        assert anonymous.post("/api/sightings", files=photos).status_code == 202


def test_half_a_map_pin_is_refused_in_the_readers_language_and_the_report_kept_on_the_form(
    container: Container
) -> None:
    """Probe s14, F16: a latitude without its longitude was dropped without a word (the report stored
    with no place); a number no person types (1e309) was quoted back as "inf"."""
    browser = TestClient(create_app(container), headers={"Accept-Language": "zh-CN"})
    half = send(browser, 0, lat="31.2", lon="", doing="红色外套")
    assert half.status_code == 422 and "请同时填写纬度和经度，或都不填" in half.text
    assert "红色外套" in half.text and 'value="31.2"' in half.text  # what was typed is kept
    huge = send(browser, 1, lat="1e309", lon="121.4")
    error = said_at_top(huge.text)
    assert huge.status_code == 422 and error and "inf" not in error and "纬度" in error
    assert count_rows(container, "sightings") == 0
    assert send(browser, 2, lat="31.2", lon="121.4").status_code == 200


def test_a_bad_time_zone_field_is_named_as_the_reader_calls_it(container: Container) -> None:
    """Probe s14, F16: the page's hidden zone field was named to the reporter as its raw name "tz"."""
    for language, name in (("zh-CN", "“时区”"), ("en", "“time zone”")):
        browser = TestClient(create_app(container), headers={"Accept-Language": language})
        for zone in ("Asia/Shang\x00hai", "Mars/Olympus"):
            refused = send(browser, 0, seen_at="2026-05-01T20:00", tz=zone.replace("\\x00", "\x00"))
            error = said_at_top(refused.text)
            assert refused.status_code == 422 and error, refused.text[-2000:]
            assert name in error or zone in error, error
            assert "tz" not in error.replace(zone, ""), error


def test_a_nul_character_refused_keeps_what_was_typed_on_the_form(container: Container) -> None:
    """Probe s15, N7: a NUL in the time-zone field was refused on a page of its own, the report typed
    lost; every other refusal shows the form again with what was typed."""
    typed = {"place_text": "人民广场东门", "doing": "红色外套", "contact": "+86 138 0000 1111", "age_low": "6",
             "seen_at": "2026-05-01T20:00"}
    for language, said in (("zh-TW", "無法讀取"), ("en", "cannot be read")):  # a report stores no NUL: none is read
        browser = TestClient(create_app(container), headers={"Accept-Language": language})
        for field in ("tz", "place_text"):
            sent = typed | {"tz": "Asia/Shanghai"}
            refused = send(browser, 0, **sent | {field: sent[field][:3] + "\x00" + sent[field][3:]})
            error = said_at_top(refused.text)
            assert refused.status_code == 422 and error and said in error, refused.text[-2000:]
            assert all(value in refused.text for value in typed.values()), (field, refused.text[-4000:])
            assert 'value="6"' in refused.text and "\x00" not in refused.text
    assert count_rows(container, "sightings") == 0


def test_refused_reports_have_a_limit_of_their_own_checked_before_any_work(container: Container) -> None:
    """Bad reports cost no report of the limit, so they are bounded apart: past the limit of refused
    reports, a sender's next report without a puzzle (here: the form without its script) is answered 429
    at once, even a good one (a flood of bad posts is not free work for the server)."""
    deps = replace(container.deps, limits=replace(container.deps.limits, refused_reports_per_hour=2))
    browser = TestClient(create_app(replace(container, deps=deps)))
    for seed in (0, 1):
        assert send(browser, seed, age_low="12", age_high="5").status_code == 422
    flooded = send(browser, 2)
    assert flooded.status_code == 429 and int(flooded.headers["Retry-After"]) > 0
    assert count_rows(container, "sightings") == 0


def api_report(client: TestClient, seed: int, **form: str) -> Any:
    return client.post("/api/sightings", files=[("photos", ("street.jpg", plain_photo(seed=seed), "image/jpeg"))],
                       data=form)


def puzzle(client: TestClient) -> dict[str, str]:
    challenge = client.get("/api/pow").json()["challenge"]
    return {"pow_challenge": challenge, "pow_nonce": solve(challenge)}


def test_bad_reports_from_a_shared_address_never_lock_out_a_witness_with_a_puzzle(container: Container) -> None:
    """Probe s11, finding 3: behind one address (a school's Wi-Fi, a carrier's NAT) someone sends bad
    reports, malformed ones the framework refuses (a time without its zone) and ones the service refuses
    (ages 9 to 3). Past the limit of refused reports, reports from there without a puzzle are 429 at once
    (saying how to get through), but a witness there whose phone solved the puzzle is heard."""
    deps = replace(container.deps, limits=replace(container.deps.limits, refused_reports_per_hour=3))
    client = TestClient(create_app(replace(container, deps=deps)), headers={"Accept-Language": "zh-CN"})
    for seed in (0, 1):  # refused by the framework before the route reads them: counted too
        assert api_report(client, seed, seen_at="2026-12-02T15:00").status_code == 422
    assert api_report(client, 2, apparent_age_low="9", apparent_age_high="3").status_code == 422
    flooded = api_report(client, 3)
    assert flooded.status_code == 429 and "验证题" in flooded.json()["detail"], flooded.json()
    witness = api_report(client, 4, **puzzle(client))
    assert witness.status_code == 202, witness.json()
    assert count_rows(container, "sightings") == 1


def test_a_refused_report_with_a_puzzle_spends_the_puzzle_not_the_addresss_refusals(container: Container) -> None:
    """Each refused report with a puzzle costs its sender that puzzle (checked and spent before the report
    is read): sent again with it, it is refused as used; with a fresh one, it goes through. Such refusals
    do not count against the address, so they lock nobody out."""
    deps = replace(container.deps, limits=replace(container.deps.limits, refused_reports_per_hour=1))
    client = TestClient(create_app(replace(container, deps=deps)))
    proof = puzzle(client)
    assert api_report(client, 0, apparent_age_low="9", apparent_age_high="3", **proof).status_code == 422
    again = api_report(client, 0, apparent_age_low="3", apparent_age_high="9", **proof)
    assert again.status_code == 429 and "this puzzle was used already" in again.json()["detail"]
    assert api_report(client, 0, apparent_age_low="3", apparent_age_high="9", **puzzle(client)).status_code == 202
    assert api_report(client, 1).status_code == 429  # the used puzzle sent again counted as a refusal


def test_a_search_sent_without_a_photo_says_so(container: Container) -> None:
    officer = TestClient(create_app(container), headers={"Accept-Language": "zh-CN"})
    officer.cookies.set("reunite_session", session_for(container, Role.POLICE)[1])
    token = fields(officer, "/search")["csrf"]
    empty = officer.post("/search", data={"csrf": token}, files=[("photos", ("", b"", "application/octet-stream"))])
    assert empty.status_code == 422 and "请至少添加一张照片" in empty.text, empty.text[-2000:]
    without = officer.post("/search", data={"csrf": token})
    assert without.status_code == 422 and "请至少添加一张照片" in without.text, without.text[-2000:]


def test_the_api_tells_a_signed_in_browser_it_needs_a_token_not_to_sign_in(container: Container) -> None:
    family = TestClient(create_app(container))
    family.cookies.set("reunite_session", session_for(container, Role.POLICE)[1])
    assert family.get("/api/sightings").status_code == 200  # reads: the sign-in is enough
    search = family.post("/api/search", files=[("photo", ("kid.jpg", plain_photo(), "image/jpeg"))])
    assert search.status_code == 403
    assert "needs an API token" in search.json()["detail"] and "sign in to" not in search.json()["detail"]
    chinese = family.post("/api/search", files=[("photo", ("kid.jpg", plain_photo(), "image/jpeg"))],
                          headers={"Accept-Language": "zh-CN"})
    assert "需要 API 令牌" in chinese.json()["detail"]
    anonymous = TestClient(create_app(container)).post(
        "/api/search", files=[("photo", ("kid.jpg", plain_photo(), "image/jpeg"))])
    assert anonymous.status_code == 401 and "sign in to" in anonymous.json()["detail"]


def test_a_family_writing_through_the_api_is_told_it_needs_a_token_not_to_sign_in(container: Container) -> None:
    """Probe s14, F16: a signed-in family writing to its own case through the API was told "sign in to
    see this case" (401); the answer says what is missing, whichever route refuses it."""
    _, session = session_for(container, Role.REPORTER)
    parent = from_session(container.deps, session)
    assert parent is not None
    case_id = intake.register_case(container.deps, parent, NewCase(
        given_name="Lili", family_name="Wang", sex=Sex.FEMALE, birth_date=date(2018, 3, 1),
        missing_since=datetime(2026, 6, 1, tzinfo=UTC), last_seen_place=None, last_seen_text="上海市",
        family_contact="+86 138 0000 0001"), [Upload(plain_photo(seed=7))], [None]).case_id
    family = TestClient(create_app(container))
    family.cookies.set("reunite_session", session)
    assert family.get(f"/api/cases/{case_id}/messages").status_code == 200  # reads: the sign-in is enough
    sent = family.post(f"/api/cases/{case_id}/messages", json={"body": "any news?"})
    assert sent.status_code == 403, sent.text
    assert "needs an API token" in sent.json()["detail"] and "sign in" not in sent.json()["detail"]


def test_a_tz_cookie_naming_no_place_is_not_taken_for_a_zone(anonymous: TestClient) -> None:
    for cookie in ("posixrules", "localtime", "Factory"):
        anonymous.cookies.set("tz", cookie)
        page = anonymous.get("/report").text.replace("\u202f", " ")
        assert "Time zone: China Standard Time" in page, cookie  # the site's zone, named
        assert "GMT" not in page
    anonymous.cookies.set("tz", "Europe/London")
    assert "Time zone: Greenwich Mean Time" in anonymous.get("/report").text
