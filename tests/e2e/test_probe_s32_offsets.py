"""Probe s32 F5: a report's time seen reached families and partners at the offset it was given in, which says where
the witness's phone or the camera was set (-07:00 on a report placed in Shanghai: a visitor from the US West
Coast; New York's -04:00 from a photo whose position was set aside as seen only by moderators and police). They
now read the same instant at the offset of the zone its day is shown in; a camera's zone-less clock is not said
to have been read in the witness's zone. Moderators and police read the time as it was given."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR
from reunite.services import moderation
from tests.conftest import admin_token, as_read, newest_sighting, plain_photo, run_jobs
from tests.e2e.test_probe_places import verified_family
from tests.e2e.test_reports_and_places import csrf
from tests.e2e.test_times import photo_with_time

SHANGHAI_PIN = {"lat": "31.2304", "lon": "121.4737"}


def _report(client: TestClient, photo: bytes | None = None, **fields: str) -> None:
    sent = client.post("/report", files=[("photos", ("p.jpg", photo or plain_photo(seed=7), "image/jpeg"))],
                       data={"csrf": csrf(client), **SHANGHAI_PIN, **fields})
    assert sent.status_code == 200, sent.text[:2000]


def _approved(container: Container) -> int:
    sighting_id = newest_sighting(container)
    run_jobs(container)
    moderation.moderate_sightings(container.deps, OPERATOR, [sighting_id], approve=True,
                                  versions=as_read(container, sighting_id))
    return sighting_id


def test_families_and_partners_read_the_time_seen_in_the_places_zone_not_the_witnesss(
    anonymous: TestClient, container: Container
) -> None:
    _report(anonymous, seen_at="2025-07-25T09:15", tz="America/Los_Angeles", client_key="typed")
    typed = _approved(container)
    family = TestClient(anonymous.app)
    family.cookies.set("reunite_session", verified_family(container)[0])
    read = family.get(f"/api/sightings/{typed}").json()
    assert read["seen_at"] == "2025-07-26T00:15:00+08:00"  # the same instant, in Shanghai's zone
    listed = family.get("/api/sightings", params={"limit": 50}).json()
    assert [s["seen_at"] for s in listed["items"] if s["id"] == typed] == ["2025-07-26T00:15:00+08:00"]
    staff = TestClient(anonymous.app, headers={"Authorization": f"Bearer {admin_token(container)}"})
    assert staff.get(f"/api/sightings/{typed}").json()["seen_at"] == "2025-07-25T09:15:00-07:00"  # as given


def test_a_camera_clock_read_in_the_witnesss_zone_does_not_name_that_zone_to_families(
    anonymous: TestClient, container: Container
) -> None:
    _report(anonymous, photo_with_time("2025:07:08 21:05:00"), tz="America/New_York", client_key="camera")
    camera = _approved(container)
    family = TestClient(anonymous.app)
    family.cookies.set("reunite_session", verified_family(container)[0])
    read = family.get(f"/api/sightings/{camera}").json()
    assert read["seen_at_basis"] == "camera_zone_assumed"
    assert read["seen_at"].endswith("+08:00") and read["seen_at_zone"] == ""
    page = html.unescape(re.sub(r"\s+", " ", family.get(f"/sightings/{camera}").text))
    assert "the camera's clock, which records no time zone: the hour may be off" in page
    assert "Eastern" not in page and "New York" not in page and "-04:00" not in page
    staff = TestClient(anonymous.app, headers={"Authorization": f"Bearer {admin_token(container)}"})
    assert staff.get(f"/api/sightings/{camera}").json()["seen_at_zone"] == "America/New_York"


def test_a_report_with_no_place_is_read_in_the_sites_zone_not_the_witnesss(
    anonymous: TestClient, container: Container
) -> None:
    """Probe s35 J3: with no place, a report's day was dated at the offset its time was given in (-07:00: the
    witness's phone on US Pacific time), on the family's card and in the API."""
    sent = anonymous.post("/report", files=[("photos", ("p.jpg", plain_photo(seed=8), "image/jpeg"))],
                          data={"csrf": csrf(anonymous), "seen_at": "2025-07-25T09:15", "tz": "America/Los_Angeles",
                                "client_key": "no-place"})
    assert sent.status_code == 200, sent.text[:2000]
    placeless = _approved(container)
    family = TestClient(anonymous.app)
    family.cookies.set("reunite_session", verified_family(container)[0])
    assert family.get(f"/api/sightings/{placeless}").json()["seen_at"] == "2025-07-26T00:15:00+08:00"
    cards = html.unescape(family.get("/sightings").text)
    assert "GMT-07:00" not in cards and "Pacific" not in cards
    staff = TestClient(anonymous.app, headers={"Authorization": f"Bearer {admin_token(container)}"})
    assert staff.get(f"/api/sightings/{placeless}").json()["seen_at"] == "2025-07-25T09:15:00-07:00"


def test_the_date_filter_reads_a_report_with_no_place_on_the_day_its_card_shows(
    anonymous: TestClient, container: Container
) -> None:
    """Probe s44 P1: the card of a report with no place (or words naming no city) showed its day in the site's zone
    (Nov 21 in China) while the From/To filter read it at the phone's offset (-05:00: Nov 20): which of the two days
    found it told the witness's zone. The filter now reads the day the card shows; police read it as given."""
    sent = anonymous.post("/report", files=[("photos", ("p.jpg", plain_photo(seed=9), "image/jpeg"))],
                          data={"csrf": csrf(anonymous), "seen_at": "2026-11-20T22:30", "tz": "America/New_York",
                                "place_text": "by the red bridge near the market", "client_key": "no-city"})
    assert sent.status_code == 200, sent.text[:2000]
    placeless = _approved(container)
    family = TestClient(anonymous.app)
    family.cookies.set("reunite_session", verified_family(container)[0])

    def found(reader: TestClient, day: str) -> bool:
        page = reader.get("/sightings", params={"from": day, "to": day})
        assert page.status_code == 200
        return f"/sightings/{placeless}" in page.text

    assert family.get(f"/api/sightings/{placeless}").json()["seen_at"].startswith("2026-11-21T11:30")
    assert found(family, "2026-11-21") and not found(family, "2026-11-20")
    partner = TestClient(anonymous.app, headers={"Authorization": f"Bearer {admin_token(container)}"})
    assert partner.get(f"/api/sightings/{placeless}").json()["seen_at"] == "2026-11-20T22:30:00-05:00"
