"""The outside probe of rights, bad input and times (findings/probe-rights.md), tried the way it tried
them: each answer is a clear 4xx in the reader's language or a right page, never a 500."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.entrypoints.api.app import create_app
from reunite.i18n import Language
from reunite.services import retention
from reunite.services.accounts import issue_token
from tests.conftest import count_rows, plain_photo, session_for
from tests.e2e.test_journeys import CASE_FORM, as_role, csrf
from tests.s3server import free_ports


def photos() -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("photos", ("kid.jpg", plain_photo(), "image/jpeg"))]


def test_times_at_the_end_of_the_calendar_are_refused_in_the_readers_language(client: TestClient,
                                                                             container: Container) -> None:
    for seen_at in ("9999-12-31T20:00:00+00:00", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"):
        sent = client.post("/api/sightings?lang=zh-CN", files=photos(), data={"seen_at": seen_at})
        assert sent.status_code == 422, (seen_at, sent.text[:300])
        assert "日期" in sent.text, sent.text  # said in Chinese
    refused = client.post("/api/cases", files=photos(), data={
        "given_name": "Li", "family_name": "Wang", "sex": "female", "birth_date": "2018-01-01",
        "missing_since": "9999-12-31T23:00:00-12:00"})
    assert refused.status_code == 422, refused.text[:300]
    assert count_rows(container, "sightings") == 0 and count_rows(container, "cases") == 0


def test_a_family_typing_year_9999_gets_its_form_back_with_what_it_typed(container: Container) -> None:
    family = as_role(container, Role.FAMILY)
    sent = family.post("/cases/new", files=photos(), follow_redirects=False, data=CASE_FORM | {
        "csrf": csrf(family, "/cases/new"), "sex": "male", "missing_since": "9999-12-31T23:59", "tz": "Etc/GMT+12"})
    assert sent.status_code == 422, sent.text[:300]
    assert "not valid" in sent.text and "Red jacket, 110 cm, a blue backpack" in sent.text
    assert count_rows(container, "cases") == 0


def test_browsing_to_the_last_day_of_the_calendar_answers_a_page(container: Container) -> None:
    browser = TestClient(create_app(container))
    browser.cookies.set("reunite_session", session_for(container, Role.MODERATOR)[1])
    for query in ("to=9999-12-31", "from=0001-01-01&to=9999-12-31"):
        page = browser.get(f"/sightings?{query}")
        assert page.status_code == 200, (query, page.text[:300])
    assert browser.get("/sightings").status_code == 200  # the connection still answers


def test_an_instant_at_the_calendars_end_is_shown_rather_than_crashing_the_page() -> None:
    last = datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-12)))
    for zone in ("Pacific/Kiritimati", "Asia/Shanghai", "America/New_York"):
        shown = Language("zh_CN", zone).datetime(last)
        assert "9999" in shown
        assert Language("en", zone).date(last)
    assert "2026" in Language("en", "Asia/Shanghai").datetime(datetime(2026, 6, 1, tzinfo=UTC))


def test_served_on_another_port_the_reporters_private_link_points_at_that_port(database_uri: str,
                                                                              tmp_path: Path) -> None:
    port = free_ports(1)[0]
    env = {k: v for k, v in os.environ.items() if k != "REUNITE_PUBLIC_URL"} | {
        "REUNITE_DATABASE_URL": database_uri, "REUNITE_DATA_DIR": str(tmp_path / "data"),
        "REUNITE_IN_PROCESS_WORKER": "false", "REUNITE_PROOF_OF_WORK_BITS": "0"}
    server = subprocess.Popen([sys.executable, "-m", "reunite", "serve", "--port", str(port), "--workers", "1"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        web = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
        deadline = time.monotonic() + 300  # it imports and loads the models: slow on a busy machine
        while True:
            try:
                form = web.get("/report")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                time.sleep(0.5)
        fields = dict(re.findall(r'name="(csrf|idempotency_key)" value="([^"]*)"', form.text))
        thanks = web.post("/report", files=photos(), data=fields)
        assert thanks.status_code == 200, thanks.text[:500]
        links = re.findall(r"(https?://[^/\s\"<]+)/reports/", thanks.text)
        assert links and set(links) == {f"http://127.0.0.1:{port}"}, links
    finally:
        server.terminate()
        _, err = server.communicate(timeout=60)
    assert b"REUNITE_PUBLIC_URL is not set" in err  # the operator is told what the links point at


def test_an_over_long_name_is_refused_naming_the_field_never_cut_short(container: Container) -> None:
    family = as_role(container, Role.FAMILY)
    sent = family.post("/cases/new", files=photos(), follow_redirects=False, data=CASE_FORM | {
        "csrf": csrf(family, "/cases/new"), "sex": "male", "given_name": "浩" * 300})
    assert sent.status_code == 422, sent.text[:300]
    assert "“given name” is too long (at most 200 characters)" in sent.text
    assert "Red jacket, 110 cm, a blue backpack" in sent.text  # the form comes back with what was typed
    assert count_rows(container, "cases") == 0
    reporter = TestClient(create_app(container), headers={"Accept-Language": "zh-CN"})
    reporter.cookies.set("reunite_session", session_for(container, Role.REPORTER)[1])
    fields = dict(re.findall(r'name="(csrf|idempotency_key)" value="([^"]*)"', reporter.get("/report").text))
    told = reporter.post("/report", files=photos(), data=fields | {"doing": "x" * 4001})
    assert told.status_code == 422 and "“孩子在做什么”太长（最多 4000 个字符）" in told.text
    assert count_rows(container, "sightings") == 0


def test_every_message_names_its_field_in_the_readers_words(client: TestClient, container: Container) -> None:
    nul = TestClient(create_app(container)).get("/api/sightings?place=%00", headers={"Accept-Language": "zh-CN"})
    assert nul.status_code == 422 and nul.json()["detail"].startswith("“地点”含有 NUL")  # the parameter, named
    for language, field, said in (("zh-CN", "lat", "“纬度”必须是数字"),  # (a photo's own: left out, test_photo_clock)
                                  ("en", "lat", "“latitude” must be a number"),
                                  ("en", "tz_offset", "“time zone offset” must be a whole number")):
        reporter = TestClient(create_app(container), headers={"Accept-Language": language})
        reporter.cookies.set("reunite_session", session_for(container, Role.REPORTER)[1])
        fields = dict(re.findall(r'name="(csrf|idempotency_key)" value="([^"]*)"', reporter.get("/report").text))
        typed = {field: "north", "seen_at": "2026-11-01T10:00"}
        refused = reporter.post("/report", files=photos(), data=fields | typed)
        assert refused.status_code == 422 and said in refused.text, (field, refused.text[-2000:])
    ages = client.post("/api/sightings?lang=zh-CN", files=photos(),
                       data={"apparent_age_low": "-5", "apparent_age_high": "-5"})
    assert ages.status_code == 422 and "-5--5" not in ages.text and "从 -5 到 -5" in ages.text
    many = client.post("/api/cases", files=photos() * 11, data={
        "given_name": "Li", "sex": "female", "birth_date": "2018-01-01", "missing_since": "2024-01-01T08:00:00Z"})
    assert many.status_code == 422 and "at most 10 photos per case" in many.text
    assert count_rows(container, "sightings") == 0 and count_rows(container, "cases") == 0


def test_an_error_page_shows_the_signed_in_reader_as_signed_in(container: Container) -> None:
    browser = TestClient(create_app(container))
    browser.cookies.set("reunite_session", session_for(container, Role.MODERATOR)[1])
    page = browser.get("/sightings?place=a%00")
    assert page.status_code == 422 and "Sign out" in page.text and ">Sign in<" not in page.text


def test_a_token_refused_is_told_about_the_token_not_an_account(container: Container) -> None:
    reader = TestClient(create_app(container), headers={
        "Authorization": f"Bearer {issue_token(container.deps, OPERATOR, 'reader', [Scope.READ_CASES])}"})
    refused = reader.delete("/api/tokens/1")
    assert refused.status_code == 403 and "this API token may not" in refused.text
    assert "your account" not in refused.text


def test_bad_values_are_refused_rather_than_silently_replaced(client: TestClient, container: Container) -> None:
    reporter = TestClient(create_app(container))
    reporter.cookies.set("reunite_session", session_for(container, Role.REPORTER)[1])
    for typed, said in (({"tz": "Mars/Olympus", "seen_at": "2026-11-01T10:00"}, "Mars/Olympus is not a time zone"),
                        ({"tz_offset": "99999", "seen_at": "2026-11-01T10:00"}, "must be between -840 and 840")):
        fields = dict(re.findall(r'name="(csrf|idempotency_key)" value="([^"]*)"', reporter.get("/report").text))
        refused = reporter.post("/report", files=photos(), data=fields | typed)
        assert refused.status_code == 422 and said in refused.text, (typed, refused.status_code)
    assert count_rows(container, "sightings") == 0
    family = as_role(container, Role.FAMILY)
    nowhere = family.post("/cases/new", files=photos(), follow_redirects=False, data=CASE_FORM | {
        "csrf": csrf(family, "/cases/new"), "sex": "male", "tz": "Nowhere/Land"})
    assert nowhere.status_code == 422 and "Nowhere/Land is not a time zone" in nowhere.text
    assert count_rows(container, "cases") == 0
    klingon = client.post("/api/subscriptions", json={"address": "a@b.test", "region": "Chengdu",
                                                      "language": "klingon"})
    assert klingon.status_code == 422 and "not a language" in klingon.text
    binary = b"\x7fELF\x02\x01\x01" + bytes(64)
    garbage = client.post("/api/cases/import", files={"file": ("a.csv", binary, "text/csv")})
    assert garbage.status_code == 422 and "no row could be read" in garbage.text, garbage.text
    assert client.get("/api/moderation/queues?limit=-1").status_code == 422


def test_a_removal_request_about_nothing_is_flagged_to_the_moderator(container: Container) -> None:
    # such a request is no longer stored (probe s23 W10: tests/e2e/test_probe_s23_takedowns.py); one stored
    # before that is still flagged
    retention.request_takedown(container.deps, "sighting", 999, "me@example.org", "parent", "mine")
    assert count_rows(container, "takedowns") == 0
    with container.deps.uow() as uow:
        takedown = uow.add_takedown("sighting", 999, "me@example.org", "parent", "mine")
        uow.commit()
    moderator = TestClient(create_app(container))
    moderator.cookies.set("reunite_session", session_for(container, Role.MODERATOR)[1])
    token = re.search(r'name="csrf" value="([^"]+)"', moderator.get("/moderation").text)
    assert token
    decided = moderator.post(f"/moderation/takedowns/{takedown}", follow_redirects=False,
                             data={"csrf": token.group(1), "decision": "approve", "evidence": "called them"})
    assert decided.status_code == 422 and "sighting 999 does not exist" in decided.text
    with container.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT status FROM takedowns").scalar_one() == "pending"


def test_every_output_gives_a_time_back_with_the_offset_it_was_given_in(client: TestClient) -> None:
    refused = client.post("/api/sightings", files=photos(), data={"seen_at": "2026-11-01T10:00:00+14:30"})
    assert refused.status_code == 422 and "between -14:00 and +14:00" in refused.text  # no offset could keep it
    sent = client.post("/api/sightings", files=photos(), data={"seen_at": "2026-11-01T10:00:00+08:00"})
    assert sent.status_code == 202, sent.text
    sighting = sent.json()["id"]
    assert client.get(f"/api/sightings/{sighting}").json()["seen_at"] == "2026-11-01T10:00:00+08:00"
    case = client.post("/api/cases", files=photos(), data={
        "given_name": "Li", "sex": "female", "birth_date": "2018-01-01", "missing_since": "2024-01-01T08:00:00+08:00"})
    assert case.status_code == 201, case.text
    assert client.get(f"/api/cases/{case.json()['id']}").json()["missing_since"] == "2024-01-01T08:00:00+08:00"
    csv = client.get("/api/cases.csv").text
    assert "2024-01-01T08:00:00+08:00" in csv and "2024-01-01T00:00:00+00:00" not in csv


def test_a_report_sent_again_from_another_browser_does_not_get_its_private_link(container: Container) -> None:
    first, other = TestClient(create_app(container)), TestClient(create_app(container))
    fields = dict(re.findall(r'name="(csrf|idempotency_key)" value="([^"]*)"', first.get("/report").text))
    typed = {"doing": "walking with a man", "seen_at": "2026-11-01T10:00", "tz": "Asia/Shanghai"}
    photo = [("photos", ("kid.jpg", plain_photo(seed=7), "image/jpeg"))]
    sent = first.post("/report", files=photo, data=fields | typed)
    link = re.search(r'id="private-link">[^<]*(/reports/[^<]+)<', sent.text)
    assert sent.status_code == 200 and link
    csrf_b = re.search(r'name="csrf" value="([^"]+)"', other.get("/report").text)
    assert csrf_b
    owns = set()
    for key in ("idempotency_key", "client_key"):  # A's key (from the form, or the phone's queue), A's photo
        replay = other.post("/report", files=photo, data=typed | {"csrf": csrf_b.group(1),
                                                                  key: fields["idempotency_key"]})
        assert replay.status_code == 200 and link.group(1) not in replay.text, key
        # a key is its sender's own (probe s16, P4): in another browser it names that browser's own report
        own = re.search(r'id="private-link">[^<]*(/reports/[^<]+)<', replay.text)
        assert own, key
        owns.add(own.group(1))
    assert len(owns) == 1  # the other browser's second copy is its own retry: its own link again
    again = first.post("/report", files=photo, data=fields | typed)  # the sender's own retry: the link again
    assert again.status_code == 200 and link.group(1) in again.text
    assert count_rows(container, "sightings") == 2


def test_a_refused_future_time_is_said_in_the_zone_it_was_typed_in(container: Container) -> None:
    reporter = TestClient(create_app(container))
    reporter.cookies.set("reunite_session", session_for(container, Role.REPORTER)[1])
    fields = dict(re.findall(r'name="(csrf|idempotency_key)" value="([^"]*)"', reporter.get("/report").text))
    refused = reporter.post("/report", files=photos(), data=fields | {
        "seen_at": "2099-12-31T17:59", "tz": "Pacific/Kiritimati"})
    said = refused.text.replace("\u202f", " ")
    assert refused.status_code == 422 and "Dec 31, 2099, 5:59 PM Line Islands Time is in the future" in said
