"""Probe s20 T6, small slips: a report "seen" in 1900 is refused naming the earliest time a report may
give; case photos' ages and a candidate's expected age are rounded to the one decimal shown, never cut;
a date alone that does not exist is "the date is not valid"; a PFIF document refused for safety says why
in a sentence, never a Python repr; the police closing form starts with no outcome chosen and, left
empty, says so beside the field."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.model import NewCase, NewSighting, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import intake
from tests.conftest import count_rows, plain_photo, run_jobs, session_for
from tests.e2e.test_journeys import CASE_FORM, as_role, csrf
from tests.photos import portrait

PHOTO = [("photos", ("kid.jpg", plain_photo(seed=3), "image/jpeg"))]
XML = {"Content-Type": "application/xml"}


def test_a_report_seen_a_century_ago_is_refused_naming_the_earliest_time(client: TestClient,
                                                                         container: Container) -> None:
    for when in ("1900-01-01T10:30:00+08:00", "1926-05-01T10:30:00+08:00"):
        refused = client.post("/api/sightings", data={"seen_at": when}, files=PHOTO)
        assert refused.status_code == 422 and refused.json()["field"] == "seen_at", refused.text
        said = refused.json()["detail"]
        assert "a report is about a child seen in the last 25 years; check the year" in said, said
        assert re.search(r"is before \w{3} \d{1,2}, 20\d\d", said), said  # the limit, as a date
    chinese = client.post("/api/sightings", data={"seen_at": "1926-05-01T10:30:00+08:00"}, files=PHOTO,
                          headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 422 and "最近 25 年内" in chinese.json()["detail"]
    # the page's form, in the reader's language
    reporter = TestClient(create_app(container))
    reporter.cookies.set("reunite_session", session_for(container, Role.REPORTER)[1])
    fields = dict(re.findall(r'name="(csrf|idempotency_key)" value="([^"]*)"', reporter.get("/report").text))
    page = reporter.post("/report?lang=en", files=PHOTO, data=fields | {"seen_at": "1926-05-01T10:30",
                                                                        "tz": "Asia/Shanghai"})
    assert page.status_code == 422 and "seen in the last 25 years; check the year" in html.unescape(page.text)
    assert count_rows(container, "sightings") == 0
    # a child seen years ago, within the limit, is a report like any other
    kept = client.post("/api/sightings", data={"seen_at": "2010-05-01T10:30:00+08:00"}, files=PHOTO)
    assert kept.status_code == 202, kept.text


def test_ages_are_rounded_to_the_decimal_shown(client: TestClient, container: Container) -> None:
    case = NewCase(given_name="Lin", family_name="Family", sex=Sex.FEMALE, birth_date=date(2000, 1, 1),
                   missing_since=datetime(2002, 8, 1, 8, tzinfo=UTC), last_seen_place=None)
    # 2 years and 211 of 365 days: 2.578 years, which reads 2.6 (cut, it read 2.5)
    case_id = intake.register_case(container.deps, OPERATOR, case, [Upload(portrait("collins", 0), "c.jpg")],
                                   [date(2002, 7, 31)]).case_id
    sighting = NewSighting(seen_at=datetime(2005, 6, 1, 8, tzinfo=UTC), place=None)
    intake.report_sighting(container.deps, OPERATOR, sighting, [Upload(portrait("collins", 1), "s.jpg")])
    run_jobs(container)
    page = html.unescape(client.get(f"/cases/{case_id}?lang=en").text)
    # the photo's age on the case page as people say it (probe s30 D7: whole years from 2, never "2.6")
    assert "2 years old" in page and "age 2.5" not in page
    candidates = client.get(f"/api/cases/{case_id}/candidates").json()
    assert candidates, "the child's sighting should be a candidate"
    for candidate in candidates:  # 5 years and 151 of 365 days: 5.41369… years
        assert candidate["expected_age"] == 5.4, candidate["expected_age"]
        assert candidate["lead"]["gap_years"] is None or len(str(candidate["lead"]["gap_years"])) <= 4


def test_a_date_alone_that_does_not_exist_is_said_to_be_no_date(container: Container) -> None:
    family = as_role(container, Role.FAMILY)
    for day, said in (("2026-02-30", "the date is not valid (no such day in the calendar)"),
                      ("2026-13-01", "the month is not valid (a year has 12 months)")):  # probe s38 M4
        sent = family.post("/cases/new?lang=en", follow_redirects=False, data=CASE_FORM | {
            "csrf": csrf(family, "/cases/new"), "sex": "male", "missing_since": day, "missing_since_time": ""},
            files=[("photos", ("kid.jpg", plain_photo(seed=1), "image/jpeg"))])
        assert sent.status_code == 422 and said in html.unescape(sent.text), day
        assert "date and time" not in sent.text
    timed = family.post("/cases/new?lang=en", follow_redirects=False, data=CASE_FORM | {
        "csrf": csrf(family, "/cases/new"), "sex": "male", "missing_since": "2026-02-30",
        "missing_since_time": "10:00"},
        files=[("photos", ("kid.jpg", plain_photo(seed=1), "image/jpeg"))])
    # the same words with a time of day (probe s38 M4: before, only "the date and time are not valid")
    assert timed.status_code == 422 and "no such day in the calendar" in html.unescape(timed.text)
    assert count_rows(container, "cases") == 0


def test_the_api_says_a_date_that_does_not_exist_is_not_valid_as_the_form_does(client: TestClient,
                                                                             container: Container) -> None:
    """``POST /api/cases`` reads ``missing_since`` as the form does (``typed_time.typed_time``): a date alone
    that does not exist is "the date is not valid", in the reader's language, never the list of shapes read."""
    form = {"given_name": "Lin", "sex": "female", "birth_date": "2018-05-01"}
    no_day = "the date is not valid (no such day in the calendar)"  # with a time or without (probe s38 M4)
    for day, said in (("2026-02-30", no_day), ("2026-13-01", "the month is not valid (a year has 12 months)"),
                      ("2026/02/30", no_day), ("2026年2月30日", no_day), ("2026-02-30T10:00+08:00", no_day),
                      ("2026-02-28T25:00+08:00", "the date and time are not valid")):
        refused = client.post("/api/cases", data=form | {"missing_since": day}, files=PHOTO)
        assert refused.status_code == 422 and refused.json()["field"] == "missing_since", refused.text
        assert refused.json()["detail"] == said, (day, refused.json()["detail"])
    chinese = client.post("/api/cases", data=form | {"missing_since": "2026-02-30"}, files=PHOTO,
                          headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 422 and chinese.json()["detail"] == "日期无效（日历上没有这一天）", chinese.text
    # what is no date at all is still told the shapes read
    words = client.post("/api/cases", data=form | {"missing_since": "last spring"}, files=PHOTO)
    assert words.status_code == 422 and "2026-11-20T10:00+08:00" in words.json()["detail"], words.text
    assert count_rows(container, "cases") == 0


def test_refused_pfif_says_why_in_a_sentence_never_a_repr(client: TestClient) -> None:
    dtd = (b"<?xml version='1.0'?><!DOCTYPE pfif><pfif:pfif xmlns:pfif='http://zesty.ca/pfif/1.4'>"
           b"<pfif:person><pfif:full_name>x</pfif:full_name></pfif:person></pfif:pfif>")
    for lang, said in (("en", "declares a DTD (<!DOCTYPE …>), which is refused for safety: send it without one"),
                       ("zh-CN", "出于安全原因不予接受")):
        refused = client.post("/api/pfif", content=dtd, headers=XML | {"Accept-Language": lang})
        assert refused.status_code == 422 and said in refused.json()["detail"], refused.text
        assert not re.search(r"\w+\(\w+=", refused.json()["detail"])  # no DTDForbidden(name='pfif', …)
    broken = client.post("/api/pfif", content=b"<pfif:pfif xmlns:pfif='http://zesty.ca/pfif/1.4'>\n<pfif:person>",
                         headers=XML)
    assert broken.status_code == 422
    assert broken.json()["detail"].startswith("the PFIF document is not well-formed XML: it breaks off or goes wrong "
                                              "at line 2"), broken.text


def test_the_closing_form_starts_with_no_outcome_and_asks_for_one_beside_it(container: Container) -> None:
    case = NewCase(given_name="Mei", family_name="Li", sex=Sex.FEMALE, birth_date=date(2018, 1, 1),
                   missing_since=datetime(2024, 6, 1, tzinfo=UTC), last_seen_place=None)
    case_id = intake.register_case(container.deps, OPERATOR, case, [Upload(plain_photo(seed=4), "c.jpg")],
                                   [None]).case_id
    police = as_role(container, Role.POLICE)
    page = police.get(f"/cases/{case_id}?lang=en").text
    form = page.split('id="close"')[1].split("</form>")[0]
    select = re.search(r'<select name="outcome"[^>]*>(.*?)</select>', form)
    assert select and "required" in form.split('<select name="outcome"')[1].split(">")[0]
    assert re.match(r'<option value="" selected>', select.group(1))  # nothing chosen: never "reunited" by default
    left_empty = police.post(f"/cases/{case_id}/close?lang=en", follow_redirects=False, data={
        "csrf": csrf(police, f"/cases/{case_id}"), "keep_data": "yes", "confirm": "yes", "outcome": ""})
    assert left_empty.status_code == 422
    beside = re.search(r'<select name="outcome"[^>]*aria-invalid="true"[^>]*>.*?</select><span class="field-error" '
                       r'id="error-outcome">([^<]+)</span>', left_empty.text, re.S)
    assert beside and "choose how the case ended" in beside.group(1)
    assert container.deps.read.case(case_id)["status"] == "open"
