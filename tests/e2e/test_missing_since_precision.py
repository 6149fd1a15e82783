"""A case's "missing since" as precisely as it was given, however it came in (a sheet, PFIF, the API, the form):
a date and time is that instant, to the minute: a sighting three hours before it is said to be before the
child went missing, and pages show the time in the reader's zone, zone named; a date alone is that whole
day: no sighting that day is before the child went missing, and no page shows a midnight nobody gave."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.entrypoints.api.app import create_app
from reunite.services import moderation
from tests.conftest import run_jobs, session_for
from tests.e2e.test_pfif_sync import doc, person
from tests.e2e.test_probe_pfif import token_client
from tests.e2e.test_times import csrf, shown
from tests.photos import portrait

BEFORE = "Seen 3 hours before the child went missing: the times do not fit"
XML = {"Content-Type": "application/xml"}


def cases_by_name(container: Container) -> dict[str, int]:
    with container.engine.connect() as conn:
        return {str(row[0]): int(row[1]) for row in conn.exec_driver_sql("SELECT given_name, id FROM cases")}


def sighting_at(client: TestClient, container: Container, seen_at: str) -> int:
    """A report of the child (Collins's face) seen at ``seen_at``, its face found."""
    sent = client.post("/api/sightings", files=[("photos", ("s.jpg", portrait("collins", 1), "image/jpeg"))],
                       data={"seen_at": seen_at})
    assert sent.status_code == 202, sent.text
    run_jobs(container)
    return int(sent.json()["id"])


def read_for(client: TestClient, case_id: int, sighting_id: int) -> dict[str, Any]:
    """The sighting as a search with the child's photo reads it for this case (as its candidate would be)."""
    hits = client.post(f"/api/search?case_id={case_id}",
                       files={"photo": ("c.jpg", portrait("collins", 2), "image/jpeg")}).json()
    return next(h for h in hits if h["sighting_id"] == sighting_id)


def page_in_london(container: Container, path: str) -> str:
    viewer = TestClient(create_app(container))
    viewer.cookies.set("reunite_session", session_for(container, Role.POLICE)[1])
    viewer.cookies.set("tz", "Europe/London")
    return shown(viewer.get(path))


def test_a_sheets_time_of_day_is_an_instant_and_a_date_alone_the_whole_day(
    client: TestClient, container: Container
) -> None:
    """Two rows, one with 10:00 (Shanghai) and one with the date alone: a sighting at 07:00 that day is before
    the first child went missing, not before the second; the case page shows 10:00 in the reader's zone
    (02:00 in London, zone named) for the first, the date alone for the second (not "Nov 19": Shanghai's
    midnight is the 19th in London and in UTC)."""
    sighting = sighting_at(client, container, "2026-11-20T07:00+08:00")
    sheet = ("given_name,sex,birth_date,missing_since\n"
             "Ann,female,2018-01-01,2026-11-20 10:00\n"
             "Bo,female,2018-01-01,2026-11-20\n")
    done = client.post("/api/cases/import?dry_run=false", files={"file": ("c.csv", sheet.encode())}).json()
    assert done["created"] == 2, done
    ids = cases_by_name(container)

    timed, day = read_for(client, ids["Ann"], sighting), read_for(client, ids["Bo"], sighting)
    assert timed["lead"]["contradicts"] == ["time"] and BEFORE in timed["lead_words"]
    assert day["lead"]["contradicts"] == [] and not any("before the child went missing" in w
                                                        for w in day["lead_words"])

    assert [client.get(f"/api/cases/{ids[n]}").json()["missing_since_precision"] for n in ("Ann", "Bo")] == [
        "instant", "day"]
    ann, bo = (page_in_london(container, f"/cases/{ids[n]}") for n in ("Ann", "Bo"))
    assert "Nov 20, 2026, 2:00 AM Greenwich Mean Time" in ann
    assert "<dd>Nov 20, 2026</dd>" in bo and "Nov 19" not in bo and "12:00 AM" not in bo and "4:00 PM" not in bo


def test_pfif_reads_a_date_typed_with_slashes_and_its_time_and_a_records_date_alone_is_its_whole_day(
    client: TestClient, container: Container
) -> None:
    """A partner's "Missing since: 2026/11/20 10:00" (before: refused, the person not taken) is 10:00 in the
    site's zone, said so in the report; a sighting at 07:00 is before the child went missing. A record without
    such a line is dated by its publication, 2026-11-20T10:00Z, as a day: a sighting at 07:00Z that day is not
    (before: taken as the instant 10:00Z, it was). "Missing since: 2026-11" is November, never its first day."""
    partner = token_client(container, Scope.WRITE, Scope.READ_CASES, domains=("partner.org",))
    body = "".join(person(f"partner.org/{name}", entry_date="2026-11-20T10:00:00Z", source_date="2026-11-20T10:00:00Z",
                          full_name=name, date_of_birth="2018-05-01", description=line)
                   for name, line in (("Typed", "Missing since: 2026/11/20 10:00"), ("Undated", ""),
                                      ("Month", "Missing since: 2026-11")))
    report = partner.post("/api/pfif", content=doc(body), headers=XML).json()
    assert report["created"] == 3 and report["problems"] == [], report
    assert [(r["record"], r["zone"]) for r in report["read_in_zone"]] == [
        ("partner.org/Typed", "Asia/Shanghai"), ("partner.org/Month", "Asia/Shanghai")]
    ids = cases_by_name(container)
    typed, undated = (client.get(f"/api/cases/{ids[n]}").json() for n in ("Typed", "Undated"))
    assert (typed["missing_since"], typed["missing_since_precision"]) == ("2026-11-20T10:00:00+08:00", "instant")
    assert (undated["missing_since"], undated["missing_since_precision"]) == ("2026-11-20T00:00:00Z", "day")
    assert "Nov 20, 2026, 2:00 AM Greenwich Mean Time" in page_in_london(container, f"/cases/{ids['Typed']}")

    shanghai = sighting_at(client, container, "2026-11-20T07:00+08:00")
    assert BEFORE in read_for(client, ids["Typed"], shanghai)["lead_words"]
    utc = sighting_at(client, container, "2026-11-20T07:00Z")
    assert read_for(client, ids["Undated"], utc)["lead"]["contradicts"] == []

    # a month given alone is that month on every page, the poster too (before: "Nov 1, 2026" there)
    moderation.verify_case(container.deps, OPERATOR, ids["Month"], "checked with the partner")
    assert "<dd>November 2026</dd>" in page_in_london(container, f"/cases/{ids['Month']}")
    assert "<dd>November 2026</dd>" in shown(TestClient(create_app(container)).get(f"/p/{ids['Month']}"))


def test_the_api_and_the_form_take_a_date_alone_as_a_day_and_every_page_and_export_shows_it_so(
    client: TestClient, container: Container
) -> None:
    """``POST /api/cases`` takes a date alone (before: 422) as that day, in the site's zone; a time still needs
    its offset. The form's time is optional: without it, a day. A day is shown, posted, fed and exported as
    the date alone (CSV "2026-11-20", PFIF "Missing since: 2026-11-20"); a time as the time."""
    def registered(**form: str) -> int:
        answer = client.post("/api/cases", files=[("photos", ("k.jpg", portrait("hopper", 0), "image/jpeg"))],
                             data={"sex": "female", "birth_date": "2018-01-01", "last_seen_text": "Wuhan"} | form)
        assert answer.status_code == 201, answer.text
        return int(answer.json()["id"])

    day = registered(given_name="Day", missing_since="2026-11-20")
    timed = registered(given_name="Timed", missing_since="2026-11-20T10:00+08:00")
    zoneless = client.post("/api/cases", files=[("photos", ("k.jpg", portrait("hopper", 0), "image/jpeg"))], data={
        "given_name": "Lin", "sex": "male", "birth_date": "2019-01-01", "missing_since": "2026-11-20T10:00"})
    assert zoneless.status_code == 422 and zoneless.json()["problems"][0]["field"] == "missing_since"
    assert "has a time of day but no UTC offset" in zoneless.json()["detail"]
    assert client.get(f"/api/cases/{day}").json()["missing_since"] == "2026-11-20T00:00:00+08:00"
    assert client.get(f"/api/cases/{day}").json()["missing_since_precision"] == "day"

    family = TestClient(create_app(container))
    family.cookies.set("reunite_session", session_for(container, Role.FAMILY)[1])
    token = csrf(family, "/cases/new")
    for name, clock in (("FormDay", ""), ("FormTime", "10:00")):
        sent = family.post("/cases/new", files=[("photos", ("k.jpg", portrait("hopper", 0), "image/jpeg"))],
                           data={"csrf": token, "given_name": name, "sex": "male", "birth_date": "2018-01-01",
                                 "missing_since": "2026-11-20", "missing_since_time": clock, "tz": "Asia/Shanghai"},
                           follow_redirects=False)
        assert sent.status_code == 303, sent.text
    ids = cases_by_name(container)
    assert [client.get(f"/api/cases/{ids[n]}").json()["missing_since_precision"] for n in ("FormDay", "FormTime")] \
        == ["day", "instant"]
    assert "Nov 20, 2026, 2:00 AM Greenwich Mean Time" in page_in_london(container, f"/cases/{ids['FormTime']}")
    assert "<dd>Nov 20, 2026</dd>" in page_in_london(container, f"/cases/{ids['FormDay']}")

    for case_id in (day, timed):
        moderation.verify_case(container.deps, OPERATOR, case_id, "police report seen")
    anonymous = TestClient(create_app(container))
    anonymous.cookies.set("tz", "Europe/London")
    # a poster says the day where it happened to every reader (a time, too, in the reader's zone could name
    # another day than the one printed beside it): never a time for a day; a time's day names the zone it is in to
    # a reader in another zone (no pin: the site's), a day given alone is that day
    assert "<dd>Nov 20, 2026, Wuhan" in shown(anonymous.get(f"/p/{day}"))
    assert "<dd>Nov 20, 2026 (China Time), Wuhan" in shown(anonymous.get(f"/p/{timed}"))
    exported = client.get("/api/cases.csv").content.decode("utf-8-sig")
    assert f"\n{day},,Day,,,female,2018-01-01,2026-11-20," in exported
    assert f"\n{timed},,Timed,,,female,2018-01-01,2026-11-20T10:00:00+08:00," in exported
    pfif = client.get("/api/pfif").text
    assert "Missing since: 2026-11-20\n" in pfif or "Missing since: 2026-11-20<" in pfif
    assert "Missing since: 2026-11-20T02:00:00Z" in pfif
    # Probe s17, Q5: the note's source_date for a day was its midnight in Wuhan, in UTC: 2026-11-19T16:00:00Z,
    # the day before to any registry showing PFIF's UTC dates
    notes = dict(re.findall(r"<pfif:note_record_id>[^<]*note\.case\.(\d+)</pfif:note_record_id>.*?"
                            r"<pfif:source_date>([^<]*)</pfif:source_date>", pfif, re.S))
    # probe s21 U7: the note is dated when it was written (its case's verification), not when the child went
    # missing; its text names the day, and the time where one was given
    written = dict(re.findall(r"<pfif:note_record_id>[^<]*note\.case\.(\d+)</pfif:note_record_id>.*?"
                              r"<pfif:entry_date>([^<]*)</pfif:entry_date>", pfif, re.S))
    assert notes == written
    assert not {notes[str(day)], notes[str(timed)]} & {"2026-11-20T00:00:00Z", "2026-11-20T02:00:00Z"}
    assert "2026-11-19T16:00:00Z" not in pfif and "Missing since 2026-11-20, last seen: Wuhan" in pfif
    assert "Missing since 2026-11-20 10:00 (Asia/Shanghai)" in pfif
    # read back elsewhere (a partner's copy of the record), the day is a day again, the time a time
    partner = token_client(container, Scope.WRITE, domains=("partner.org",))
    persons = re.findall(r"<pfif:person>.*?</pfif:person>", pfif, re.S)
    copied = [p.replace(f"{container.deps.site.pfif_domain}/", "partner.org/") for p in persons]
    assert partner.post("/api/pfif", content=doc("".join(copied)), headers=XML).json()["created"] == len(persons)
    with container.engine.connect() as conn:
        read_back = dict(conn.exec_driver_sql(
            "SELECT given_name, missing_since_precision FROM cases WHERE starts_with(record_id, 'partner.org/')").all())
    assert read_back["Day"] == "day" and read_back["Timed"] == "instant"


def test_cases_stored_before_the_precision_was_kept_read_as_they_were_given(
    client: TestClient, container: Container
) -> None:
    """Migration 0028: a case typed here whose time is midnight where it was given (a sheet's date alone) is a
    day, any other an instant; a partner's record by its ``missing since`` line (a date alone: its day, month
    or year), without one a day, moved to that day's first instant."""
    from alembic import command

    from reunite.adapters.db.migrate import alembic_config, upgrade

    sheet = ("given_name,sex,birth_date,missing_since\n"
             "Ann,female,2018-01-01,2026-11-20 10:00\n"
             "Bo,female,2018-01-01,2026-11-20\n")
    assert client.post("/api/cases/import?dry_run=false", files={"file": ("c.csv", sheet.encode())}).json()[
        "created"] == 2
    partner = token_client(container, Scope.WRITE, domains=("partner.org",))
    lines = {"Month": "Missing since: 2026-11", "Timed": "Missing since: 2026-11-20T10:00+08:00", "Undated": ""}
    body = "".join(person(f"partner.org/{name}", entry_date="2026-11-21T10:00:00Z", source_date="2026-11-21T10:00:00Z",
                          full_name=name, date_of_birth="2018-05-01", description=line)
                   for name, line in lines.items())
    assert partner.post("/api/pfif", content=doc(body), headers=XML).json()["created"] == 3

    def stored() -> dict[str, tuple[str, str]]:
        with container.engine.connect() as conn:
            return {name: (at.isoformat(), precision) for name, at, precision in conn.exec_driver_sql(
                "SELECT given_name, missing_since, missing_since_precision FROM cases")}

    before = stored()
    assert {name: precision for name, (_, precision) in before.items()} == {
        "Ann": "instant", "Bo": "day", "Month": "month", "Timed": "instant", "Undated": "day"}
    command.downgrade(alembic_config(container.engine), "0027_opaque_ids")
    with container.engine.begin() as conn:  # as an import stored it before: the record's publication instant
        conn.exec_driver_sql("UPDATE cases SET missing_since = '2026-11-21T10:00:00Z' WHERE given_name = 'Undated'")
    upgrade(container.engine)
    assert stored() == before


def test_the_api_reads_missing_since_as_the_sheet_does_and_names_a_date_as_the_date_typed(
    client: TestClient,
) -> None:
    """Probe s17, Q7: ``POST /api/cases`` refused a month or a year the sheet import takes, saying a date and
    time with its zone was needed; a future day was refused as "Jan 1, 2030, 12:00 AM China Standard Time", a
    midnight nobody typed; and Chinese named the field two ways (失踪时间 / 走失时间)."""
    def sent(missing_since: str, lang: str = "en", birth_date: str = "2012-01-01") -> Any:
        return client.post("/api/cases", files=[("photos", ("k.jpg", portrait("hopper", 0), "image/jpeg"))],
                           data={"given_name": f"Lin {missing_since}", "sex": "male", "birth_date": birth_date,
                                 "missing_since": missing_since}, headers={"Accept-Language": lang})

    for typed, precision in (("2020-11", "month"), ("2020", "year"), ("2020/11/20", "day")):
        answer = sent(typed)
        assert answer.status_code == 201, answer.text
        assert client.get(f"/api/cases/{answer.json()['id']}").json()["missing_since_precision"] == precision

    future = sent("2030-01-01")
    assert future.status_code == 422 and future.json()["detail"] == "Jan 1, 2030 is in the future"
    chinese = sent("2030-01-01", "zh-CN")
    assert chinese.json()["detail"] == "2030年1月1日是将来的时间"
    assert sent("2030-01").json()["detail"] == "January 2030 is in the future"

    unread = sent("last spring")
    assert unread.status_code == 422 and unread.json()["field"] == "missing_since"
    assert "a date, month or year alone: 2026-11-20, 2026/11/20, 2026-11, 2026" in unread.json()["detail"]
    assert "with its zone" not in unread.json()["detail"]
    in_chinese = sent("last spring", "zh-CN").json()["detail"]
    before_birth = sent("2011-05", "zh-CN").json()["detail"]
    assert in_chinese.startswith("“走失时间”必须是日期和时间") and "月份或年份" in in_chinese
    assert before_birth == "走失时间早于出生日期"


def test_a_day_given_alone_is_said_in_whole_days_never_in_hours_from_a_midnight_nobody_gave(
    client: TestClient, container: Container
) -> None:
    """A child missing "2026-11-20" (a date alone, so possibly since 14:00) seen at 15:00 that day was not seen
    "15 hours after the child went missing": the candidates' explanation and the case page say "the same day the
    child went missing", a sighting a week later "7 days after the day the child went missing" (days counted in
    Shanghai, where the date was given: 01:00 on the 27th there is still the 26th in UTC), and the API gives the
    precision and the whole days beside the ranking's number. A time given, 10:00, is still said in hours."""
    def registered(name: str, missing_since: str) -> int:
        answer = client.post("/api/cases", files=[("photos", ("k.jpg", portrait(), "image/jpeg"))], data={
            "given_name": name, "sex": "female", "birth_date": "2017-01-01", "missing_since": missing_since,
            "photo_dates": "2025-01-01"})
        assert answer.status_code == 201, answer.text
        return int(answer.json()["id"])

    day, timed = registered("Day", "2026-11-20"), registered("Timed", "2026-11-20T10:00+08:00")
    run_jobs(container)
    seen = {}
    for number, at in ((1, "2026-11-20T15:00+08:00"), (2, "2026-11-27T01:00+08:00")):
        sent = client.post("/api/sightings", files=[("photos", ("s.jpg", portrait("collins", number), "image/jpeg"))],
                           data={"seen_at": at})
        assert sent.status_code == 202, sent.text
        seen[at[:10]] = int(sent.json()["id"])
        run_jobs(container)

    def candidates(case_id: int) -> dict[int, dict[str, Any]]:
        return {c["sighting_id"]: c for c in client.get(f"/api/cases/{case_id}/candidates").json()}

    by_day, by_time = candidates(day), candidates(timed)
    same, week = by_day[seen["2026-11-20"]], by_day[seen["2026-11-27"]]
    assert "the same day the child went missing" in same["explanation"]
    assert "hours after" not in same["explanation"]
    assert (same["elapsed_precision"], same["elapsed_periods"]) == ("day", [0, 0])
    assert same["elapsed_days"] == 15 / 24  # the ranking's number, from the day's first instant, documented so
    assert "7 days after the day the child went missing" in week["explanation"]
    assert (week["elapsed_precision"], week["elapsed_periods"]) == ("day", [7, 7])
    assert "5 hours after the child went missing" in by_time[seen["2026-11-20"]]["explanation"]
    assert (by_time[seen["2026-11-20"]]["elapsed_precision"], by_time[seen["2026-11-20"]]["elapsed_periods"]) == (
        "instant", None)
    chinese = client.get(f"/api/cases/{day}/candidates", headers={"Accept-Language": "zh-CN"}).json()
    assert any("孩子失踪当天" in c["explanation"] for c in chinese)

    page = page_in_london(container, f"/cases/{day}")
    assert "the same day the child went missing" in page and "7 days after the day the child went missing" in page
    assert "15 hours" not in page and "hours after the child went missing" not in page
