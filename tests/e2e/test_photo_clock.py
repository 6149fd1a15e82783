"""Probe s18 R1: a photo's own clock (read by the page's script, or from the photo by the server) is a hint
the reporter never sees nor can change: a clock of zeros, a day or hour that does not exist, an offset no
zone has, is left out, never a reason to refuse the report, and the time typed is used."""

from __future__ import annotations

import re
from datetime import timedelta, timezone

import pytest
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from tests.conftest import count_rows, plain_photo
from tests.e2e.test_seen_time import basis_of
from tests.e2e.test_times import csrf, only_sighting_id, photo_with_time, shown

NEW_YORK = timezone(timedelta(hours=-5))  # its offset in winter, as the camera wrote it

NO_TIMES = (
    "0000-00-00T00:00:00+08:5.71666666666664",  # what the page's script sent for a clock of zeros
    "0000-00-00T00:00:00+08:00",
    "2019-02-30T10:00:00+08:00",
    "2025-11-01T10:00:00+14:30",
    "2025-11-01T24:00:00+08:00",
    "9999-12-31T23:59:59-12:00",
    "2026-11-30T09:33:00",  # no offset
    "yesterday",
)


@pytest.mark.parametrize("clock", NO_TIMES)
def test_a_photo_clock_that_is_no_time_never_refuses_the_report_and_the_typed_time_is_used(
    anonymous: TestClient, container: Container, clock: str
) -> None:
    thanks = anonymous.post("/report", files=[("photos", ("p.jpg", plain_photo(seed=3), "image/jpeg"))], data={
        "csrf": csrf(anonymous), "photo_taken_at": clock, "photo_zone_assumed": "1",
        "seen_at": "2025-11-01T10:00", "tz": "Asia/Shanghai", "tz_offset": "-480"})
    assert thanks.status_code == 200, shown(thanks)[:3000]
    assert "Thank you" in thanks.text and "not valid" not in thanks.text
    seen, basis, _, camera = basis_of(container, only_sighting_id(container))
    assert (seen, basis, camera) == ("2025-11-01T02:00:00+00:00", "given", "")


def test_without_a_typed_time_a_clock_of_zeros_is_said_to_the_reporter_and_the_moderators(
    anonymous: TestClient, client: TestClient, container: Container
) -> None:
    thanks = anonymous.post("/report", files=[("photos", ("p.jpg", plain_photo(seed=4), "image/jpeg"))], data={
        "csrf": csrf(anonymous), "photo_taken_at": "0000-00-00T00:00:00+08:00", "tz": "Asia/Shanghai"})
    page = shown(thanks).replace("&#39;", "'")
    assert thanks.status_code == 200
    assert "Your photo's clock says 0000-00-00 00:00: that cannot be when you saw the child" in page
    assert "When did you see the child?" in page
    sighting = only_sighting_id(container)
    assert basis_of(container, sighting)[1:] == ("arrival", "", "0000-00-00 00:00")
    moderators = shown(client.get(f"/sightings/{sighting}")).replace("&#39;", "'")
    assert "The photo's clock says 0000-00-00 00:00: not plausible" in moderators
    # the page's script sends a clock it set aside as words alone, never as a time: kept to tell them too
    thanks = anonymous.post("/report", files=[("photos", ("p.jpg", plain_photo(seed=6), "image/jpeg"))], data={
        "csrf": csrf(anonymous), "photo_clock": "1970-01-01 00:00", "tz": "Asia/Shanghai"})
    assert "Your photo's clock says Jan 1, 1970" in shown(thanks).replace("&#39;", "'")
    assert basis_of(container, only_sighting_id(container))[1:] == ("arrival", "", "1970-01-01 00:00")


def test_a_photo_place_that_is_no_place_is_left_out_not_refused(anonymous: TestClient, container: Container) -> None:
    for lat, lon in (("95", "10"), ("30.6", ""), ("north", "east")):  # (an anonymous sender's hourly limit)
        thanks = anonymous.post("/report", files=[("photos", ("p.jpg", plain_photo(seed=5), "image/jpeg"))], data={
            "csrf": csrf(anonymous), "photo_lat": lat, "photo_lon": lon, "seen_at": "2025-11-01T10:00",
            "tz": "Asia/Shanghai"})
        assert thanks.status_code == 200, (lat, lon, shown(thanks)[:2000])
        with container.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT lat FROM sightings WHERE id = %s",
                                        (only_sighting_id(container),)).scalar_one() is None
    assert count_rows(container, "sightings") == 3


def test_a_photo_sent_as_it_is_with_a_clock_that_is_no_time_is_kept_and_dated_as_typed(
    anonymous: TestClient, container: Container
) -> None:
    """Without the page's script (the photo sent with its EXIF) the server's own reading is a hint too: a clock
    of zeros, a day or hour that does not exist, is no time; an offset no zone has is no offset (the camera's
    wall clock read in the reporter's zone, said so)."""
    for wall, offset in (("0000:00:00 00:00:00", None), ("2019:02:30 10:00:00", "+08:00")):
        thanks = anonymous.post("/report", files=[("photos", ("p.jpg", photo_with_time(wall, offset), "image/jpeg"))],
                                data={"csrf": csrf(anonymous), "seen_at": "2025-11-01T10:00", "tz": "Asia/Shanghai"})
        assert thanks.status_code == 200, shown(thanks)[:2000]
        assert basis_of(container, only_sighting_id(container))[:2] == ("2025-11-01T02:00:00+00:00", "given")
    thanks = anonymous.post("/report", data={"csrf": csrf(anonymous), "tz": "Asia/Shanghai"}, files=[
        ("photos", ("p.jpg", photo_with_time("2026:11:20 14:00:00", "+15:00"), "image/jpeg"))])
    assert thanks.status_code == 200
    seen, basis, zone, _ = basis_of(container, only_sighting_id(container))
    assert (seen, basis, zone) == ("2026-11-20T06:00:00+00:00", "camera_zone_assumed", "Asia/Shanghai")


def test_a_camera_clock_ahead_of_now_is_said_to_be_ahead_with_the_time_it_shows_in_the_readers_zone(
    anonymous: TestClient, container: Container
) -> None:
    """Probe s26 Z9b: a camera 16 minutes ahead was set aside with "your photo's clock says Dec 4, 2026: that
    cannot be when you saw the child", Dec 4 being the reporter's today: the clock is ahead of now, said so."""
    ahead = (container.deps.clock.now() + timedelta(minutes=16)).astimezone(NEW_YORK)
    photo = photo_with_time(ahead.strftime("%Y:%m:%d %H:%M:%S"), "-05:00", plain_photo(seed=16))
    anonymous.cookies.set("tz", "America/New_York")
    thanks = anonymous.post("/report", files=[("photos", ("p.jpg", photo, "image/jpeg"))],
                            data={"csrf": csrf(anonymous), "tz": "America/New_York"})
    page = " ".join(shown(thanks).replace("&#39;", "'").split())
    hour = ahead.strftime("%-I:%M %p")
    said = re.search(r"Your photo's clock says ([^(]+), later than when you sent this report \(([^)]+)\): "
                     r"the camera's clock is ahead, so it cannot be when you saw the child", page)
    assert said, page[:3000]
    assert hour in said.group(1) and "Eastern" in said.group(1) and "Eastern" in said.group(2)
    assert basis_of(container, only_sighting_id(container))[1] == "arrival"
    chinese = anonymous.post("/api/sightings", files=[("photos", ("p.jpg", photo_with_time(
        ahead.strftime("%Y:%m:%d %H:%M:%S"), "-05:00", plain_photo(seed=17)), "image/jpeg"))],
        headers={"Accept-Language": "zh-CN"})
    message = chinese.json()["message"]  # the API's reader's zone is the site's: named too
    ahead_words = r"时钟显示 [^，]+ 中国标准时间，比您发送这份报告的时间（[^）]+时间）还晚：相机的时钟走快了"
    assert re.search(ahead_words, message), message

