"""Probe s37 K3 and K4: the photo store down (S3 unreachable). A report is refused 503 with Retry-After and a
message in the reader's language, the form comes back with what was typed, and /readyz names the photos; a
face job that meets the outage waits and is tried again rather than given up, the moderators' queue says a
report's photos were never searched, and /metrics counts jobs given up."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from reunite.bootstrap import Container
from reunite.domain.access import Role
from reunite.domain.errors import PhotoStoreUnavailable
from reunite.domain.ports import PhotoStore
from reunite.entrypoints.api import health
from reunite.entrypoints.api.app import create_app
from reunite.entrypoints.cli import app as cli
from reunite.entrypoints.worker.tasks import make_app, run_worker
from tests.conftest import count_rows, newest_sighting, plain_photo, session_for
from tests.photos import face_jpeg

TOKEN = "scraper-secret"


class Outage:
    """The configured store, unreachable while ``down`` (as the S3 adapter says an outage)."""

    def __init__(self, store: PhotoStore) -> None:
        self.store, self.down = store, True

    def _reach(self) -> None:
        if self.down:
            raise PhotoStoreUnavailable("cannot store a photo in S3 (EndpointConnectionError: test)")

    def put(self, key: str, data: bytes) -> None:
        self._reach()
        self.store.put(key, data)

    def get(self, key: str) -> bytes:
        self._reach()
        return self.store.get(key)

    def delete(self, key: str) -> None:
        self._reach()
        self.store.delete(key)

    def list_keys(self) -> list[str]:
        self._reach()
        return self.store.list_keys()

    def check(self) -> None:
        self._reach()
        self.store.check()


@pytest.fixture
def outage(container: Container, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Container, Outage]]:
    """The same instance with its photo store going through ``Outage`` (down at first)."""
    monkeypatch.setattr(health, "PHOTOS_CHECKED_FOR", 0.0)  # each /readyz checks again
    store = Outage(container.deps.photos)
    container.settings.metrics_token = TOKEN
    yield dataclasses.replace(container, deps=dataclasses.replace(container.deps, photos=store)), store


def test_a_report_sent_while_the_photo_store_is_down_is_refused_503_and_goes_through_once_it_is_back(
    outage: tuple[Container, Outage]
) -> None:
    container, store = outage
    api = TestClient(create_app(container), headers={"Accept-Language": "zh-CN"})
    sent = {"files": [("photos", ("a.jpg", plain_photo(seed=37), "image/jpeg"))], "data": {"place_text": "上海 静安"}}
    refused = api.post("/api/sightings", **sent)  # type: ignore[arg-type]
    assert refused.status_code == 503, refused.text
    assert int(refused.headers["Retry-After"]) > 0
    assert "暂时无法保存照片" in refused.json()["detail"]
    assert count_rows(container, "sightings") == 0  # nothing half-stored

    ready = api.get("/readyz")
    assert ready.status_code == 503 and ready.json()["photos"] == "unavailable", ready.text
    assert ready.json()["database"] == "ok"

    store.down = False
    back = api.get("/readyz")
    assert back.status_code == 200 and back.json()["photos"] == "ok", back.text
    again = api.post("/api/sightings", **sent)  # type: ignore[arg-type]
    assert again.status_code == 202, again.text
    assert count_rows(container, "sightings") == 1


def test_the_report_form_comes_back_with_what_was_typed_when_the_photo_store_is_down(
    outage: tuple[Container, Outage]
) -> None:
    container, _ = outage
    police = TestClient(create_app(container), headers={"Accept-Language": "zh-CN"})
    police.cookies.set("reunite_session", session_for(container, Role.POLICE)[1])
    page = police.get("/report").text
    form = dict(re.findall(r'name="(csrf|idempotency_key)" value="([^"]*)"', page))
    typed = {"place_text": "上海 人民广场", "doing": "girl in yellow coat crying", "with": "an old man",
             "contact": "13912345678"}
    answer = police.post("/report", files=[("photos", ("b.jpg", plain_photo(seed=38), "image/jpeg"))],
                         data=form | typed)
    assert answer.status_code == 503 and int(answer.headers["Retry-After"]) > 0
    for value in typed.values():
        assert value in answer.text  # what the witness typed is back in the form
    assert "暂时无法保存照片" in answer.text  # why, in the reader's language
    assert 'id="busy"' in answer.text and 'id="photos-again"' in answer.text  # send later; choose the photo again
    assert count_rows(container, "sightings") == 0


def run_once(container: Container) -> None:
    asyncio.run(run_worker(make_app(container.database_uri, container.deps, periodic=False), 1, wait=False,
                           install_signal_handlers=False))


def test_a_face_job_that_meets_a_store_outage_waits_and_the_queue_says_the_report_was_never_searched(
    outage: tuple[Container, Outage]
) -> None:
    container, store = outage
    store.down = False
    reporter = TestClient(create_app(container))
    assert reporter.post("/api/sightings", files=[("photos", ("s.jpg", face_jpeg(mirror=True), "image/jpeg"))],
                         data={"seen_at": "2005-03-01T10:00:00Z"}).status_code == 202
    sighting_id = newest_sighting(container)
    store.down = True
    for _ in range(6):  # more tries than a generic job gets: each brought forward, as time passing would
        run_once(container)
        with container.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE status = 'todo'")
    with container.engine.connect() as conn:
        jobs = conn.exec_driver_sql("SELECT status::text FROM procrastinate_jobs "
                                    "WHERE task_name = 'faces.process_sighting'").scalars().all()
        conn.exec_driver_sql("UPDATE photos SET created_at = now() - interval '20 minutes' "  # a while ago
                             "WHERE sighting_id = %s", (sighting_id,))
        conn.commit()
    assert jobs == ["todo"]  # waiting to be tried again, never given up

    moderator = TestClient(create_app(container), headers={"Accept-Language": "en"})
    moderator.cookies.set("reunite_session", session_for(container, Role.MODERATOR)[1])
    queue = moderator.get("/moderation/reports").text
    card = re.search(rf'id="report-{sighting_id}".*?</article>', queue, re.DOTALL)
    assert card and "have not been searched for faces yet" in card.group(0) and "reunite rematch" in card.group(0)
    figures = moderator.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    assert re.search(r"^reunite_photos_unsearched 1\.0$", figures, re.MULTILINE), figures

    store.down = False  # the store is back: the next try searches the photo
    run_once(container)
    with container.engine.connect() as conn:
        processed = conn.exec_driver_sql("SELECT processed_at IS NOT NULL, face_count FROM photos "
                                         "WHERE sighting_id = %s", (sighting_id,)).one()
    assert tuple(processed) == (True, 1)
    queue = moderator.get("/moderation/reports").text
    assert "have not been searched for faces yet" not in queue


def test_jobs_given_up_are_counted_by_task_and_the_operator_is_told_how_to_run_them_again(
    outage: tuple[Container, Outage], cli_env: CliRunner
) -> None:
    container, _ = outage
    with container.engine.begin() as conn:  # a job that failed for good (its tries spent)
        conn.exec_driver_sql("INSERT INTO procrastinate_jobs (queue_name, task_name, args, status, attempts) "
                             "VALUES ('default', 'reach.case_ended', '{}', 'failed', 5)")
    figures = TestClient(create_app(container)).get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    assert 'reunite_jobs_failed{task="reach.case_ended"} 1.0' in figures, figures
    said = cli_env.invoke(cli, ["jobs"])
    assert said.exit_code == 0 and "(1 failed)" in said.output and "reunite rematch --wait" in said.output
