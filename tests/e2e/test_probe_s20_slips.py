"""Probe s20 T6, small slips: a report "seen" in 1900 is refused naming the earliest time a report may
give."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import Role
from reunite.entrypoints.api.app import create_app
from tests.conftest import count_rows, plain_photo, session_for

PHOTO = [("photos", ("kid.jpg", plain_photo(seed=3), "image/jpeg"))]


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
