"""Times in refusals as the reader reads every other time (probe s45 P8, P9): a time summer time skipped was
refused naming the zone by its key (America/Los_Angeles) and the times as ISO text, in every language; the
25-year limit was told as its date in UTC beside the date typed in its own offset, so that for eight hours a
day a reader in China read "Dec 5, 2001 is before Dec 5, 2001"."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta, timezone

from fastapi.testclient import TestClient

from reunite.domain.times import earliest_given
from tests.conftest import plain_photo
from tests.e2e.test_times import csrf

PHOTO = [("photos", ("street.jpg", plain_photo(seed=6), "image/jpeg"))]


def test_a_time_the_clocks_skipped_is_refused_naming_the_zone_and_times_as_the_reader_writes_them(
    anonymous: TestClient,
) -> None:
    form = {"seen_at": "2026-03-08T02:30", "tz": "America/Los_Angeles", "tz_offset": "480"}
    chinese = anonymous.post("/report?lang=zh_CN", files=PHOTO, data={**form, "csrf": csrf(anonymous)})
    assert chinese.status_code == 422
    said = html.unescape(chinese.text)
    assert "北美太平洋时间" in said and "2026年3月8日" in said, said
    assert "America/Los_Angeles 的" not in said and "2026-03-08 02:30" not in said
    english = anonymous.post("/report?lang=en", files=PHOTO, data={**form, "csrf": csrf(anonymous)})
    said = html.unescape(english.text)
    assert "Mar 8, 2026, 2:30" in said and "never happened in Pacific Time" in said, said
    assert "It was Mar 8, 2026, 3:30" in said


def test_the_25_year_limit_is_told_as_an_instant_in_the_readers_zone_beside_the_time_given(
    client: TestClient,
) -> None:
    """A time an hour before the limit, given in China's offset late in its day: both shown in the reader's zone,
    so that the one is plainly before the other."""
    limit = earliest_given(datetime.now(UTC), 25)
    given = (limit - timedelta(hours=1)).astimezone(timezone(timedelta(hours=8))).replace(microsecond=0)
    refused = client.post("/api/sightings", data={"seen_at": given.isoformat()}, files=PHOTO,
                          headers={"Accept-Language": "en"})
    assert refused.status_code == 422, refused.text
    said = refused.json()["detail"]
    before, after = said.split(" is before ")
    assert before != after.split(": a report")[0], said
    assert re.search(r"\d{1,2}:\d\d", before) and re.search(r"\d{1,2}:\d\d", after), said  # instants, not days
