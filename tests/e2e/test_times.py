"""Times across zones: kept as instants with the offset they were given in, shown in the reader's zone
with the zone named, read from EXIF in the deployment's zone when the camera wrote none, and
matched on the true instants."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from fastapi.testclient import TestClient
from PIL import Image, ImageOps

from reunite.bootstrap import Container
from reunite.domain.access import Role
from reunite.entrypoints.api.app import create_app
from tests.conftest import SettableClock, admin_token, newest_sighting, plain_photo, run_jobs, session_for
from tests.integration.test_codec import phone_exif
from tests.photos import portrait


def in_zone(container: Container, zone: str) -> Container:
    """The same installation with REUNITE_TIMEZONE set to ``zone``."""
    deps = replace(container.deps, site=replace(container.deps.site, timezone=zone))
    return replace(container, settings=container.settings.model_copy(update={"timezone": zone}), deps=deps)


def police(container: Container) -> TestClient:
    return TestClient(create_app(container), headers={"Authorization": f"Bearer {admin_token(container)}"})


def csrf(client: TestClient, path: str = "/report") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


def photo_with_time(wall: str, offset: str | None = None, source: bytes | None = None, mirror: bool = False) -> bytes:
    """A photo whose EXIF says it was taken at ``wall`` ("YYYY:MM:DD HH:MM:SS"), with or without an offset
    (``mirror``: flipped, so that it is not taken for the same picture sent again)."""
    exif = phone_exif()
    del exif[0x0112]  # upright
    ifd = exif.get_ifd(0x8769)
    ifd[36867] = wall
    if offset:
        ifd[36881] = offset
    else:
        del ifd[36881]
    picture = Image.open(io.BytesIO(source or plain_photo())).convert("RGB")
    out = io.BytesIO()
    (ImageOps.mirror(picture) if mirror else picture).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def shown(response: object) -> str:
    """A page's text with Unicode's narrow spaces (babel puts one before AM/PM) as plain spaces."""
    return str(getattr(response, "text", "")).replace("\u202f", " ").replace("\xa0", " ")


def only_sighting_id(container: Container) -> int:
    return newest_sighting(container)


def test_a_report_made_in_shanghai_reads_right_in_london_in_both_languages(
    anonymous: TestClient, client: TestClient, container: Container
) -> None:
    files = [("photos", ("street.jpg", plain_photo(), "image/jpeg"))]
    form = {"csrf": csrf(anonymous), "seen_at": "2026-06-01T17:30", "tz": "Asia/Shanghai", "tz_offset": "-480"}
    thanks = anonymous.post("/report", files=files, data=form)
    assert thanks.status_code == 200
    assert "5:30 PM China Standard Time" in shown(thanks)  # what the reporter typed, in their zone, named
    sighting = only_sighting_id(container)

    assert client.get(f"/api/sightings/{sighting}").json()["seen_at"] == "2026-06-01T17:30:00+08:00"
    client.cookies.set("tz", "Europe/London")
    page = client.get(f"/sightings/{sighting}")
    assert "10:30 AM British Summer Time" in shown(page)
    assert "10:30 英国夏令时间" in shown(client.get(f"/sightings/{sighting}?lang=zh_CN"))
    client.cookies.set("tz", "Not/AZone")  # a forged cookie falls back to the site's zone
    assert "5:30 PM China Standard Time" in shown(client.get(f"/sightings/{sighting}"))


def test_a_form_sent_without_javascript_is_read_in_the_sites_zone(anonymous: TestClient, container: Container) -> None:
    london = TestClient(create_app(in_zone(container, "Europe/London")))
    files = [("photos", ("street.jpg", plain_photo(), "image/jpeg"))]
    thanks = london.post("/report", files=files, data={"csrf": csrf(london), "seen_at": "2026-01-10T09:33"})
    assert "9:33 AM Greenwich Mean Time" in shown(thanks)
    assert "Time zone: Greenwich Mean Time" in london.get("/report").text  # the form says which zone it reads
    with container.engine.connect() as conn:
        seen, offset = conn.exec_driver_sql("SELECT seen_at, seen_at_offset FROM sightings").one()
    assert (seen.isoformat(), offset) == ("2026-01-10T09:33:00+00:00", 0)


def test_exif_time_keeps_its_offset_and_a_zoneless_one_is_read_in_the_sites_zone_saying_so(
    container: Container, anonymous: TestClient
) -> None:
    def reported(site: Container, photo: bytes) -> tuple[str, bool, str]:
        answer = police(site).post("/api/sightings", files=[("photos", ("p.jpg", photo, "image/jpeg"))]).json()
        return answer["seen_at"], answer["time_from_photo"], answer["zone_assumed"]

    with_offset = photo_with_time("2024:05:06 14:30:00", "-05:00", plain_photo(seed=1))
    assert reported(container, with_offset) == ("2024-05-06T14:30:00-05:00", True, "")
    zoneless = photo_with_time("2024:05:06 14:30:00", source=plain_photo(seed=2))
    # default zone: Asia/Shanghai, and the answer says the zone was assumed
    assert reported(container, zoneless) == ("2024-05-06T14:30:00+08:00", True, "Asia/Shanghai")
    zoneless = photo_with_time("2024:05:06 14:30:00", source=plain_photo(seed=3))
    assert reported(in_zone(container, "Europe/London"), zoneless) == ("2024-05-06T14:30:00+01:00", True,
                                                                        "Europe/London")
    # the form (no script): read in the zone the reporter's browser named, and the receipt says so
    zoneless = photo_with_time("2024:05:06 14:30:00", source=plain_photo(seed=8))
    thanks = anonymous.post("/report", files=[("photos", ("p.jpg", zoneless, "image/jpeg"))],
                            data={"csrf": csrf(anonymous), "tz": "Asia/Tokyo"})
    assert thanks.status_code == 200
    assert "2:30 PM Japan Standard Time (the camera's clock, which records no time zone: read as Japan " \
           "Standard Time)" in shown(thanks).replace("&#39;", "'")
    chinese = anonymous.post("/report?lang=zh_CN", data={"csrf": csrf(anonymous)}, files=[
        ("photos", ("p.jpg", photo_with_time("2024:05:06 14:30:00", source=plain_photo(seed=9)), "image/jpeg"))])
    assert "相机时钟" in chinese.text and "中国标准时间" in chinese.text
    offset = photo_with_time("2024:05:06 14:30:00", "+09:00", plain_photo(seed=10))
    said = anonymous.post("/report", files=[("photos", ("p.jpg", offset, "image/jpeg"))],
                          data={"csrf": csrf(anonymous)})
    assert "camera&#39;s clock" not in said.text and "(from the photo)" in said.text


def test_api_times_without_an_offset_are_refused_naming_the_field_never_guessed(
    client: TestClient, container: Container
) -> None:
    """A partner's ``datetime.utcnow().isoformat()`` has no offset: read as the site's +08:00 it would put
    every sighting 8 hours off. The API refuses it (422), naming the field in the reader's language."""
    files = [("photos", ("p.jpg", plain_photo(seed=4), "image/jpeg"))]
    sent = client.post("/api/sightings", files=files, data={"seen_at": "2026-03-01T08:00:00"})
    assert sent.status_code == 422
    assert sent.json()["problems"][0]["detail"].startswith("“time seen” must be a date and time with its zone")
    chinese = client.post("/api/sightings", files=files, data={"seen_at": "2026-03-01T08:00:00"},
                          headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 422 and "“看见的时间”必须是带时区的日期和时间" in chinese.json()["detail"]
    listing = client.get("/api/sightings", params={"seen_from": "2026-03-01T08:00"})
    assert listing.status_code == 422 and listing.json()["problems"][0]["loc"] == ["query", "seen_from"]
    case = client.post("/api/cases", files=[("photos", ("k.jpg", portrait(), "image/jpeg"))], data={
        "given_name": "Lin", "sex": "male", "birth_date": "2019-01-01", "missing_since": "2024-05-06T16:00:00"})
    assert case.status_code == 422 and case.json()["problems"][0]["field"] == "missing_since"
    assert client.get("/feeds/cases.atom", params={"before": "2026-03-01T08:00"}).status_code == 422
    with container.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM sightings").scalar_one() == 0
    schema = client.get("/openapi.json").text
    assert "a time without one is refused (422), never guessed" in schema
    files = [("photos", ("p.jpg", plain_photo(seed=5), "image/jpeg"))]
    answer = client.post("/api/sightings", files=files, data={"seen_at": "2026-03-01T08:00:00-03:00"}).json()
    assert answer["seen_at"] == "2026-03-01T08:00:00-03:00"
    files = [("photos", ("p.jpg", plain_photo(seed=6), "image/jpeg"))]
    answer = client.post("/api/sightings", files=files, data={"seen_at": "2026-03-01T08:00:00Z"}).json()
    assert answer["seen_at"] == "2026-03-01T08:00:00Z"


def test_api_times_with_an_hours_only_offset_are_taken_and_kept_with_it(
    client: TestClient, container: Container
) -> None:
    """ISO 8601 allows the offset as hours alone (``+08``, ``-05``) or without its colon (``+0800``): a partner
    sending one gets its report in, kept at the offset sent, not told that its time lacks a zone."""
    for sent, kept in (("2026-03-01T08:00+08", "2026-03-01T08:00:00+08:00"),
                       ("2026-03-01T08:00-05", "2026-03-01T08:00:00-05:00"),
                       ("2026-03-01T08:00:00+0530", "2026-03-01T08:00:00+05:30")):
        files = [("photos", ("p.jpg", plain_photo(seed=len(kept) + int(kept[-5:-3])), "image/jpeg"))]
        answer = client.post("/api/sightings", files=files, data={"seen_at": sent})
        assert answer.status_code == 202, answer.text
        assert answer.json()["seen_at"] == kept
        assert client.get(f"/api/sightings/{answer.json()['id']}").json()["seen_at"] == kept
    with container.engine.connect() as conn:
        offsets = [row[0] for row in conn.exec_driver_sql("SELECT seen_at_offset FROM sightings ORDER BY created_at")]
    assert offsets == [480, -300, 330]
    between = {"seen_from": "2026-03-01T08:00+08", "seen_to": "2026-03-01T13:00-05"}
    listing = client.get("/api/sightings", params=between)
    assert listing.status_code == 200 and listing.json()["total"] == 3  # 00:00Z to 18:00Z holds all three
    assert client.get("/api/sightings", params={"seen_from": "2026-03-01T08:00-05"}).json()["total"] == 1  # 13:00Z
    case = client.post("/api/cases", files=[("photos", ("k.jpg", portrait(), "image/jpeg"))], data={
        "given_name": "Lin", "sex": "male", "birth_date": "2019-01-01", "missing_since": "2024-05-06T16:00+08"})
    assert case.status_code == 201, case.text
    assert client.get(f"/api/cases/{case.json()['id']}").json()["missing_since"] == "2024-05-06T16:00:00+08:00"
    assert client.get("/feeds/cases.atom", params={"before": "2026-03-01T08:00+08"}).status_code == 200
    beyond = client.post("/api/sightings", files=files, data={"seen_at": "2026-03-01T08:00+15"})
    assert beyond.status_code == 422 and "between -14:00 and +14:00" in beyond.json()["problems"][0]["detail"]
    chinese = client.get("/api/sightings", params={"seen_from": "2026-03-01T08:00-15"},
                         headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 422 and "UTC 偏移必须在 -14:00 到 +14:00 之间" in chinese.json()["detail"]
    assert chinese.json()["problems"][0]["loc"] == ["query", "seen_from"]


def test_the_sites_zone_changes_how_plausible_a_zoneless_photo_time_is(container: Container) -> None:
    """The child went missing in Beijing at 16:00 (+08:00); a camera without an offset says 14:00 at a
    place 2,400 km away (Urumqi). Read in Shanghai that is 2 hours before she went missing, read in Los
    Angeles 15 hours after. The camera may have been set to another zone (up to 14 hours off either way):
    the Shanghai reading is not ruled out as "seen before she went missing", but 12 hours at the most is
    still too short for the journey; 29 hours at the most is long enough. The ranking uses the instants
    each zone gives, with that doubt."""
    case_photo = portrait()
    registered = police(container).post("/api/cases", files=[("photos", ("kid.jpg", case_photo, "image/jpeg"))], data={
        "given_name": "Lin", "sex": "male", "birth_date": "2019-01-01", "missing_since": "2024-05-06T16:00:00+08:00",
        "last_seen_lat": "39.9", "last_seen_lon": "116.4", "photo_dates": "2021-01-01"})
    assert registered.status_code == 201
    street = portrait("collins", 1)
    far = {"lat": "43.8", "lon": "87.6"}  # 2,400 km west
    for zone, mirror in (("Asia/Shanghai", False), ("America/Los_Angeles", True)):
        seen = photo_with_time("2024:05:06 14:00:00", source=street, mirror=mirror)  # two pictures, not one resent
        photos = [("photos", ("s.jpg", seen, "image/jpeg"))]
        sent = police(in_zone(container, zone)).post("/api/sightings", files=photos, data=far)
        assert sent.status_code == 202
    run_jobs(container)
    with container.engine.connect() as conn:
        scores = dict(conn.exec_driver_sql(
            "SELECT s.seen_at_offset, c.time_score FROM candidates c JOIN sightings s ON s.id = c.sighting_id").all())
    assert set(scores) == {480, -420}
    assert 0.0 < scores[480] < 0.5  # at most 12 h for 2,400 km: possible, hardly plausible
    assert scores[-420] == 1.0  # at most 29 h: plausible


def test_a_time_typed_in_the_hour_summer_time_skips_is_refused_and_the_repeated_hour_is_named(
    anonymous: TestClient, client: TestClient, container: Container
) -> None:
    """New York, 8 March 2026: clocks go from 02:00 to 03:00, so 02:30 never happened there. The form
    comes back (422) saying so in the reader's language, nothing stored; 1 November's 01:30 happened
    twice: the form comes back as typed (422, nothing stored; before: silently the first) asking which, each
    named with its offset and zone, in the reader's language, as a plain choice sent with the form (no script
    needed), and the one chosen is kept: the second, 01:30 Eastern Standard Time."""
    files = [("photos", ("street.jpg", plain_photo(seed=6), "image/jpeg"))]
    form = {"csrf": csrf(anonymous), "seen_at": "2026-03-08T02:30", "tz": "America/New_York", "tz_offset": "300"}
    refused = anonymous.post("/report", files=files, data=form)
    assert refused.status_code == 422
    assert "Mar 8, 2026, 2:30 AM never happened in Eastern Time" in shown(refused)
    assert "It was Mar 8, 2026, 3:30 AM there then" in shown(refused)
    chinese = anonymous.post("/report?lang=zh_CN", files=files, data={**form, "csrf": csrf(anonymous)})
    assert chinese.status_code == 422
    assert "夏令时" in chinese.text and "2026年3月8日 03:30" in chinese.text and "北美东部时间" in chinese.text
    with container.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM sightings").scalar_one() == 0
    sent = client.post("/api/sightings", files=files, data={"seen_at": "2026-03-08T02:30:00+08:00"})
    assert sent.status_code == 202  # in Shanghai (no summer time) it happened

    autumn = {**form, "csrf": csrf(anonymous), "seen_at": "2026-11-01T01:30", "place_text": "Penn Station"}
    photo = [("photos", ("s.jpg", plain_photo(seed=7), "image/jpeg"))]
    asked = anonymous.post("/report", files=photo, data=autumn)
    assert asked.status_code == 422
    page = shown(asked)
    assert "Nov 1, 2026, 1:30 AM happened twice in Eastern Time" in page and "Choose which of the two" in page
    assert 'value="2026-11-01T01:30" id="seen_at"' in page and 'value="Penn Station"' in page  # as typed
    assert re.search(r'<input type="radio" name="seen_at_occurrence" value="2026-11-01T01:30-04:00" required> '
                     r'Nov 1, 2026, 1:30 AM Eastern Daylight Time \(UTC-04:00\): the first time', page)
    assert re.search(r'<input type="radio" name="seen_at_occurrence" value="2026-11-01T01:30-05:00" required> '
                     r'Nov 1, 2026, 1:30 AM Eastern Standard Time \(UTC-05:00\): the second time', page)
    in_chinese = shown(anonymous.post("/report?lang=zh_CN", files=photo, data={**autumn, "csrf": csrf(anonymous)}))
    assert "出现了两次" in in_chinese and "第二次，时钟回拨之后" in in_chinese and "UTC-05:00" in in_chinese
    with container.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM sightings").scalar_one() == 1  # Shanghai's alone
    chosen = {**autumn, "csrf": csrf(anonymous), "seen_at_occurrence": "2026-11-01T01:30-05:00"}
    thanks = anonymous.post("/report", files=photo, data=chosen)
    assert thanks.status_code == 200
    assert "1:30 AM Eastern Standard Time" in shown(thanks)
    assert client.get(f"/api/sightings/{only_sighting_id(container)}").json()["seen_at"] == "2026-11-01T01:30:00-05:00"


def test_the_case_form_and_the_private_links_time_ask_which_of_two_times_a_repeated_hour_means(
    anonymous: TestClient, client: TestClient, container: Container
) -> None:
    """Berlin, 25 October 2026: 02:30 happened twice (summer time ended). The case form's day and time come back
    as typed (422, no case registered; before: silently the first, 02:30 summer time), asking which, each named
    with its offset; the one chosen, winter time, is kept. The private link's "when did you see the child?" asks
    the same and keeps the answer chosen."""
    family = TestClient(create_app(container))
    family.cookies.set("reunite_session", session_for(container, Role.FAMILY)[1])
    case = {"given_name": "Mia", "sex": "female", "birth_date": "2018-01-01", "missing_since": "2026-10-25",
            "missing_since_time": "02:30", "tz": "Europe/Berlin"}
    photos = [("photos", ("k.jpg", portrait("hopper", 0), "image/jpeg"))]
    asked = family.post("/cases/new", files=photos, data=case | {"csrf": csrf(family, "/cases/new")})
    assert asked.status_code == 422
    page = shown(asked)
    assert "Oct 25, 2026, 2:30 AM happened twice in Central European Time:" in page and "Europe/Berlin" not in page
    assert 'name="missing_since_time" id="missing_since_time" value="02:30"' in page and 'value="Mia"' in page
    assert 'name="missing_since_occurrence" value="2026-10-25T02:30+02:00"' in page
    assert 'name="missing_since_occurrence" value="2026-10-25T02:30+01:00"' in page
    assert "Central European Standard Time (UTC+01:00): the second time, after the clocks went back" in page
    with container.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM cases").scalar_one() == 0
    chosen = case | {"csrf": csrf(family, "/cases/new"), "missing_since_occurrence": "2026-10-25T02:30+01:00"}
    registered = family.post("/cases/new", files=photos, data=chosen, follow_redirects=False)
    assert registered.status_code == 303, registered.text
    case_id = registered.headers["location"].split("/")[2].split("?")[0]
    assert client.get(f"/api/cases/{case_id}").json()["missing_since"] == "2026-10-25T02:30:00+01:00"

    thanks = anonymous.post("/report", files=[("photos", ("p.jpg", plain_photo(seed=41), "image/jpeg"))],
                            data={"csrf": csrf(anonymous), "tz": "Europe/Berlin"})
    link = thanks.headers["X-Reunite-Receipt"]
    when = {"seen_at": "2026-10-25T02:30", "tz": "Europe/Berlin"}
    again = anonymous.post(f"{link}/time", data=when | {"csrf": csrf(anonymous, link)})
    assert again.status_code == 422 and "Oct 25, 2026, 2:30 AM happened twice in Central European Time" in shown(again)
    assert 'name="seen_at_occurrence" value="2026-10-25T02:30+01:00"' in again.text
    given = anonymous.post(f"{link}/time", data=when | {"csrf": csrf(anonymous, link),
                                                        "seen_at_occurrence": "2026-10-25T02:30+02:00"},
                           follow_redirects=False)
    assert given.status_code == 303
    sighting = only_sighting_id(container)
    assert client.get(f"/api/sightings/{sighting}").json()["seen_at"] == "2026-10-25T02:30:00+02:00"


def test_a_photo_taken_today_where_the_family_is_is_not_after_today_before_the_servers_day_begins(
    container: Container
) -> None:
    """04:00 on 4 December in Shanghai is still 3 December by UTC: a child missing since 02:00, registered then
    with a photo taken that day, is not refused as photographed after today (before: compared with the
    server's UTC day). A day that has begun nowhere still is."""
    early = replace(container, deps=replace(container.deps, clock=SettableClock(datetime(2026, 12, 3, 20, tzinfo=UTC))))
    case = {"given_name": "Lin", "sex": "male", "birth_date": "2019-01-01", "missing_since": "2026-12-04T02:00+08:00"}
    photo = [("photos", ("kid.jpg", portrait(), "image/jpeg"))]
    registered = police(early).post("/api/cases", files=photo, data=case | {"photo_dates": "2026-12-04"})
    assert registered.status_code == 201, registered.text
    later = police(early).post("/api/cases", files=photo, data=case | {"given_name": "Mo", "photo_dates": "2026-12-05"})
    assert later.status_code == 422 and "between birth and today" in later.text


def test_a_posters_age_now_counts_the_sites_day_not_the_servers(container: Container) -> None:
    """A child born on 4 December 2019: at 04:00 on 4 December 2026 in Shanghai (still 3 December by UTC) the
    poster says 7 now (before: 6, by the server's UTC day)."""
    early = replace(container, deps=replace(container.deps, clock=SettableClock(datetime(2026, 12, 3, 20, tzinfo=UTC))))
    registered = police(early).post("/api/cases", files=[("photos", ("kid.jpg", portrait(), "image/jpeg"))], data={
        "given_name": "Lin", "sex": "male", "birth_date": "2019-12-04", "missing_since": "2026-06-01T10:00+08:00"})
    assert registered.status_code == 201, registered.text
    page = TestClient(create_app(early)).get(f"/p/{registered.json()['id']}")
    assert re.search(r"Age now</dt>\s*<dd>7 years old</dd>", page.text), page.text


def test_the_reviewers_dashboard_counts_decisions_in_the_readers_days_and_names_the_zone(
    container: Container
) -> None:
    """Probe s14, F13: a report approved at 00:30 in Shanghai counts on that Shanghai day for a Shanghai
    moderator (on the day before for one reading in UTC), and the table says whose days they are."""
    reporter = police(container)
    sighting = reporter.post("/api/sightings", files=[("photos", ("a.jpg", plain_photo()))],
                             data={"place_text": "上海市黄浦区", "seen_at": "2026-01-01T10:00:00+08:00"}).json()["id"]
    shanghai = ZoneInfo("Asia/Shanghai")
    day = container.deps.clock.now().astimezone(shanghai).date() - timedelta(days=1)
    decided = datetime.combine(day, time(0, 30), shanghai)  # the evening before, in UTC
    with container.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE sightings SET moderated_at = %(at)s WHERE id = %(id)s",
                             {"at": decided, "id": sighting})
    moderator = TestClient(create_app(container))
    moderator.cookies.set("reunite_session", session_for(container, Role.MODERATOR)[1])

    def decisions(zone: str) -> tuple[list[str], str]:
        moderator.cookies.set("tz", zone)
        page = moderator.get("/moderation/dashboard").text
        return re.findall(r"<tr><td>([^<]+)</td><td>1</td>", page), page

    here, page = decisions("Asia/Shanghai")
    assert here == [format_date(day, "medium", locale="en")] and "Days in China Standard Time" in page
    utc, page = decisions("UTC")
    assert utc == [format_date(day - timedelta(days=1), "medium", locale="en")]
    assert "Days in Coordinated Universal Time" in page
