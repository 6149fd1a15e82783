"""Probe s15 N8: ids say nothing of when a report arrived. With consecutive ids, anyone who sent two reports
of their own learnt from the two ids they were answered which other reports (dated to the hour only) had
arrived between them, to the second, and in what order within the hour. Reports', photos' and leads' ids
are now permuted by a secret of the installation: each reporter's ids, in the order they sent them, are
in no order, and none collides with a row stored before the ids changed. Cases' and alert subscriptions'
ids, answered to families and to anyone subscribing, no longer count the site's registrations and
subscribers either (probe s16 P2)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from reunite.bootstrap import Container, bootstrap
from reunite.config import Settings
from reunite.entrypoints.api.app import create_app
from tests.conftest import plain_photo

SENT = 7  # reports sent one after another: their ids in send order by chance once in 5,040 runs


def report(client: TestClient, seed: int) -> Any:
    answer = client.post("/api/sightings", files=[("photos", ("street.jpg", plain_photo(seed=seed), "image/jpeg"))],
                         data={"seen_at": "2026-11-30T10:00:00+08:00", "lat": "31.23", "lon": "121.47"})
    assert answer.status_code == 202, answer.text
    return answer.json()


def test_a_reporters_ids_do_not_follow_the_order_reports_arrived_in(client: TestClient) -> None:
    answers = [report(client, seed) for seed in range(SENT)]
    sightings = [int(a["id"]) for a in answers]
    photos = [int(a["photo_ids"][0]) for a in answers]
    for ids in (sightings, photos):
        assert in_no_order(ids) and all(0 < i < 2**53 for i in ids), ids  # safe in any JSON reader
    # and not the next numbers of a counter either
    assert max(sightings) - min(sightings) > 1000 * SENT


def in_no_order(ids: list[int]) -> bool:
    return len(set(ids)) == len(ids) and ids != sorted(ids) and ids != sorted(ids, reverse=True)


def test_cases_and_subscriptions_ids_count_nothing(client: TestClient, settings: Settings, face_engine: Any) -> None:
    cases = [client.post("/api/cases", files=[("photos", ("c.jpg", plain_photo(seed=n), "image/jpeg"))], data={
        "given_name": f"Child{n}", "family_name": "Wang", "sex": "female", "birth_date": "2015-01-01",
        "missing_since": f"2020-06-0{n + 1}T08:00:00+08:00"}) for n in range(SENT)]
    mailing = bootstrap(settings.model_copy(update={"smtp_host": "127.0.0.1"}), run_migrations=False,
                        faces=face_engine)  # email alerts on (nothing is sent: no job runs)
    with TestClient(create_app(mailing)) as anonymous:
        subscriptions = [anonymous.post("/api/subscriptions", json={
            "address": f"neighbour{n}@example.org", "lat": 31.2, "lon": 121.5, "radius_km": 5}) for n in range(SENT)]
    with mailing.engine.connect() as conn:  # anonymous subscribers are told no id at all (probe s16 P4)
        stored = [int(i) for i in conn.execute(text("SELECT id FROM subscriptions ORDER BY address")).scalars()]
    mailing.close()
    for answers, status in ((cases, 201), (subscriptions, 201)):
        assert all(a.status_code == status for a in answers), [a.text for a in answers]
    assert in_no_order([int(a.json()["id"]) for a in cases])
    assert not any("id" in a.json() for a in subscriptions) and in_no_order(stored)


def test_one_tables_ids_say_nothing_of_anothers(client: TestClient) -> None:
    """Probe s17 Q1: one permutation for every table gave the first case, the first report and its first
    photo's... n-th rows one id, so a case's id counted reports. Each table has its own."""
    case = client.post("/api/cases", files=[("photos", ("c.jpg", plain_photo(seed=9), "image/jpeg"))], data={
        "given_name": "Lin", "sex": "female", "birth_date": "2015-01-01", "missing_since": "2020-06-01"}).json()
    seen = report(client, 9)
    firsts = [int(case["id"]), int(case["photo_ids"][0]), int(seen["id"])]
    assert len(set(firsts)) == 3, firsts  # the first case, the first photo, the first report


def test_an_id_taken_before_the_ids_changed_is_skipped(client: TestClient, container: Container) -> None:
    """A row stored before the ids were permuted keeps its plain number, which the permutation may give a
    new row: that number is passed over, and the report is stored."""
    first = int(report(client, 0)["id"])
    with container.engine.begin() as conn:
        upcoming = conn.execute(text(
            "SELECT reunite_permute('sightings', last_value + 1) FROM sightings_id_seq")).scalar_one()
        conn.execute(text("INSERT INTO sightings (id, seen_at) SELECT :id, seen_at FROM sightings WHERE id = :first"),
                     {"id": upcoming, "first": first})
    stored = int(report(client, 1)["id"])
    assert stored not in (upcoming, first)
    assert client.get(f"/api/sightings/{stored}").status_code == 200
