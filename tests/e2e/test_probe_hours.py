"""Probe s14 F1, F2, F4: a report dated by its arrival (no time seen given) reaches partners and families as
the hour it came in, never the instant its sender pressed "send". Nothing they can ask or read gives the
instant back: not the "seen from / seen to" filters (bisected, 22 queries gave it to the millisecond), not the
order of reports within that hour, not the photos' processing times, not the days since the child went
missing on the family's candidate list; and the page shows the hour as an hour, in the reader's zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e import world as w

SENT = datetime(2025, 5, 5, 16, 29, 45, 671460, tzinfo=UTC)  # the later report, sent late in the hour
OTHER = datetime(2025, 5, 5, 16, 5, 10, 250000, tzinfo=UTC)  # the other report, the same hour
HOUR = datetime(2025, 5, 5, 16, tzinfo=UTC)
MISSING = datetime(2002, 6, 1, 8, tzinfo=UTC)  # world._when(2002): when case A's child went missing
# what a reader of hours may ask at any point of that hour: the answer must not change with it
POINTS = [HOUR + timedelta(seconds=s) for s in (1, 600, 1785, 1786, 3599)]
ISO = re.compile(r"2025-05-0[56]T\d\d:(\d\d):(\d\d)(\.\d+)?")


@pytest.fixture(scope="module")
def dated(world: w.World) -> tuple[int, int]:
    """The world's sighting (case A's confirmed lead) and another approved report, both dated by their
    arrival within one hour: the lower id sent later where there is one with a higher id, so that the
    instants' order and the ids' differ."""
    with world.container.engine.begin() as conn:
        others = [r[0] for r in conn.exec_driver_sql(
            "SELECT id FROM sightings WHERE status = 'approved' AND id <> %s ORDER BY id DESC", (world.sighting,))]
        ids = [world.sighting, others[0]]
        for sighting, at in ((ids[0], SENT), (ids[1], OTHER)):
            conn.exec_driver_sql(
                "UPDATE sightings SET seen_at = %(at)s, created_at = %(at)s, seen_at_offset = 480, "
                "seen_at_basis = 'arrival' WHERE id = %(id)s", {"at": at, "id": sighting})
            conn.exec_driver_sql("UPDATE photos SET processed_at = %(at)s WHERE sighting_id = %(id)s",
                                 {"at": at + timedelta(seconds=0.2), "id": sighting})
            conn.exec_driver_sql(  # as matching stores it: to the instant
                "UPDATE candidates c SET elapsed_days = extract(epoch FROM %(at)s - k.missing_since) / 86400 "
                "FROM cases k WHERE k.id = c.case_id AND c.sighting_id = %(id)s", {"at": at, "id": sighting})
        # case A's last place in the same ~1 km cell as the sighting, 40 m from it
        conn.exec_driver_sql("UPDATE cases SET last_seen_lat = %s, last_seen_lon = %s WHERE id = %s",
                             (w.EXACT_LAT + 0.0003, w.EXACT_LON + 0.0001, world.case_a))
    return ids[0], ids[1]


def _listed(client: TestClient, **params: str) -> list[int]:
    answer = client.get("/api/sightings", params=params)
    assert answer.status_code == 200, answer.text
    return [int(s["id"]) for s in answer.json()["items"]]


def _finer_than_the_hour(text: str) -> list[str]:
    """Every time of that day in ``text`` that is not an hour's start."""
    return [m.group(0) for m in ISO.finditer(text) if (m.group(1), m.group(2), m.group(3) or "") != ("00", "00", "")]


@pytest.mark.parametrize("reader", ["token_read_sightings", "family"])
def test_seen_from_and_seen_to_answer_the_same_at_every_point_of_the_hour_a_reader_sees(
    world: w.World, dated: tuple[int, int], reader: str
) -> None:
    late, _ = dated
    with world.client(reader) as partner, world.client("police") as police:
        assert late in _listed(partner, seen_from=HOUR.isoformat(), seen_to=HOUR.isoformat())
        for name in ("seen_from", "seen_to"):  # bisecting finds nothing: every point of the hour answers alike
            assert len({late in _listed(partner, **{name: point.isoformat()}) for point in POINTS}) == 1
        # police see the instant, and filter on it
        assert late in _listed(police, seen_from=(SENT - timedelta(seconds=1)).isoformat())
        assert late not in _listed(police, seen_to=(SENT - timedelta(seconds=1)).isoformat())


@pytest.mark.parametrize("reader", ["token_read_sightings", "family"])
def test_reports_of_one_hour_are_listed_by_id_not_by_the_instant_they_came(
    world: w.World, dated: tuple[int, int], reader: str
) -> None:
    late, early = dated  # late (the lower id, where the world has a higher one) came 24 minutes after early
    span = {"seen_from": HOUR.isoformat(), "seen_to": (HOUR + timedelta(minutes=59)).isoformat()}
    with world.client(reader) as partner, world.client("police") as police:
        shown = [i for i in _listed(partner, **span) if i in dated]
        exact = [i for i in _listed(police, **span) if i in dated]
    assert shown == sorted(dated, reverse=True), "newest hour first, then the higher id"
    assert exact == [late, early], "police read the instants and their order"


@pytest.mark.parametrize("reader", ["token_read_sightings", "family"])
def test_no_other_time_of_the_report_is_finer_than_the_hour(
    world: w.World, dated: tuple[int, int], reader: str
) -> None:
    """The photos' processing times gave the send instant to 0.2 s without any bisecting."""
    late, _ = dated
    with world.client(reader) as partner, world.client("police") as police:
        shown = partner.get(f"/api/sightings/{late}")
        page = partner.get(f"/sightings/{late}").text
        listed = partner.get("/api/sightings").text
        exact = police.get(f"/api/sightings/{late}").json()
    body = shown.json()
    assert datetime.fromisoformat(body["seen_at"]) == HOUR and body["seen_at_precision"] == "hour"
    assert body["photos"] and {datetime.fromisoformat(p["processed_at"]) for p in body["photos"]} == {HOUR}
    assert _finer_than_the_hour(shown.text) == [] and _finer_than_the_hour(listed) == []
    assert "4:29" not in page and "12:29" not in page
    assert datetime.fromisoformat(exact["seen_at"]) == SENT and exact["seen_at_precision"] == "instant"
    assert datetime.fromisoformat(exact["photos"][0]["processed_at"]) == SENT + timedelta(seconds=0.2)


def _candidate(client: TestClient, case_id: int, sighting: int) -> dict[str, Any]:
    answer = client.get(f"/api/cases/{case_id}/candidates")
    assert answer.status_code == 200, answer.text
    [row] = [c for c in answer.json() if c["sighting_id"] == sighting]
    return dict(row)


def test_the_familys_lead_counts_days_to_the_hour_and_distance_as_the_page_says_it(
    world: w.World, dated: tuple[int, int]
) -> None:
    """Probe s14 F2: missing_since + elapsed_days gave the instant to the microsecond; distance_km 0.0 said
    "within 500 m" where the page says "within about 1 km"."""
    late, _ = dated
    with world.client("family") as family, world.client("police") as police:
        mine = _candidate(family, world.case_a, late)
        staff = _candidate(police, world.case_a, late)
    assert MISSING + timedelta(days=mine["elapsed_days"]) - HOUR < timedelta(seconds=0.1)
    assert abs(MISSING + timedelta(days=staff["elapsed_days"]) - SENT) < timedelta(seconds=0.1)
    assert mine["seen_at_precision"] == "hour"
    assert mine["distance_km"] == 1.0 and "within about 1 km" in mine["explanation"]


@pytest.mark.parametrize(("zone", "said"), [
    ("Asia/Shanghai", "May 6, 2025, 12:00 – 1:00 AM China Standard Time"),
    ("Asia/Kolkata", "May 5, 2025, 9:30 – 10:30 PM India Standard Time"),
])
def test_an_arrival_read_to_the_hour_is_shown_as_that_hour_in_the_readers_zone(
    world: w.World, dated: tuple[int, int], zone: str, said: str
) -> None:
    """Probe s14 F4: "12:00 AM" read as the minute the report came; "9:30 PM" in India, half an hour
    before the hour meant."""
    late, _ = dated
    with world.client("family") as family:
        family.cookies.set("tz", zone)
        page = family.get(f"/sightings/{late}").text
    plain = re.sub(r"[\u2009\u202f\xa0]", " ", page)
    assert f"time not given (report received {said})" in plain
