"""/metrics: what an operator's Prometheus scrapes (queue, job durations, faces per second, review
backlog), answered only to the operator's scraper."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.entrypoints.api.app import create_app
from tests.conftest import run_jobs
from tests.photos import face_jpeg

TOKEN = "scraper-secret"


@pytest.fixture
def scraper(container: Container) -> Iterator[TestClient]:
    container.settings.metrics_token = TOKEN
    with TestClient(create_app(container)) as test_client:
        yield test_client


def value(text: str, name: str) -> float:
    found = re.search(rf"^{re.escape(name)} ([0-9.e+-]+)$", text, re.MULTILINE)
    assert found, f"{name} missing from:\n{text}"
    return float(found.group(1))


def test_metrics_follow_the_queue_and_the_review_backlog(
    client: TestClient, scraper: TestClient, container: Container
) -> None:
    assert scraper.get("/metrics").status_code == 404  # without the token
    assert scraper.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    scrape = {"Authorization": f"Bearer {TOKEN}"}
    form = {"given_name": "Lin", "sex": "female", "birth_date": "2000-01-01", "missing_since": "2002-06-01T08:00:00Z"}
    assert client.post("/api/cases", files=[("photos", ("k.jpg", face_jpeg(), "image/jpeg"))], data=form).is_success
    client.post("/api/sightings", files=[("photos", ("s.jpg", face_jpeg(mirror=True), "image/jpeg"))],
                data={"seen_at": "2005-03-01T10:00:00Z"})
    before = scraper.get("/metrics", headers=scrape)
    assert before.status_code == 200 and before.headers["content-type"].startswith("text/plain")
    assert value(before.text, 'reunite_queue_jobs{queue="reunite",status="todo"}') >= 2  # case, sighting
    assert value(before.text, "reunite_review_backlog") == 0

    run_jobs(container)

    after = scraper.get("/metrics", headers=scrape).text
    assert 'reunite_queue_jobs{queue="reunite",status="todo"}' not in after
    assert value(after, "reunite_review_backlog") == 1
    assert value(after, "reunite_faces_per_second") == pytest.approx(2 / 300)
    assert value(after, 'reunite_jobs_finished{task="faces.process_sighting"}') == 1
    assert value(after, 'reunite_job_duration_seconds_mean{task="faces.process_sighting"}') > 0


def test_a_job_planned_for_later_is_not_waiting_and_never_makes_a_negative_age(
    scraper: TestClient, container: Container
) -> None:
    """Probe s18 R11: an alert round planned for when the radius widens read as a job waiting -3400 s."""
    scrape = {"Authorization": f"Bearer {TOKEN}"}
    now = container.deps.clock.now()
    with container.deps.uow() as uow:
        uow.enqueue("reach.alert_round", at=now + timedelta(hours=1), case_id=1)
        uow.commit()
    planned = scraper.get("/metrics", headers=scrape).text
    assert 'reunite_queue_oldest_job_age_seconds{queue="reunite",status="todo"}' not in planned
    assert 'reunite_queue_jobs{queue="reunite",status="todo"}' not in planned
    assert value(planned, 'reunite_queue_jobs_scheduled{queue="reunite"}') == 1
    with container.deps.uow() as uow:  # one due now, beside it: only that one waits
        uow.enqueue("reach.alert_round", case_id=2)
        uow.commit()
    due = scraper.get("/metrics", headers=scrape).text
    assert value(due, 'reunite_queue_jobs{queue="reunite",status="todo"}') == 1
    assert 0 <= value(due, 'reunite_queue_oldest_job_age_seconds{queue="reunite",status="todo"}') < 60
