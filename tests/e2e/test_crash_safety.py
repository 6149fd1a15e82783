"""kill -9 a worker in the middle of a batch: after a restart every accepted sighting is processed
exactly once (no photo lost, none processed twice, no duplicate faces or candidates)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

from reunite.bootstrap import Container
from reunite.config import Settings
from reunite.domain.access import ANONYMOUS
from reunite.domain.model import NewSighting, Upload
from reunite.services.intake import report_sighting
from tests.photos import PEOPLE, face_jpeg


def start_worker(settings: Settings, database_uri: str) -> subprocess.Popen[bytes]:
    env = os.environ | {"REUNITE_DATABASE_URL": database_uri, "REUNITE_DATA_DIR": str(settings.data_dir)}
    return subprocess.Popen(
        [sys.executable, "-m", "reunite", "worker", "--heartbeat", "1", "--stalled-after", "3"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def scalar(container: Container, sql: str) -> int:
    with container.engine.connect() as conn:
        return int(conn.exec_driver_sql(sql).scalar_one())


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_killed_worker_loses_nothing_and_repeats_nothing(
    container: Container, settings: Settings, database_uri: str
) -> None:
    photos = {f"{person}-{size}.jpg": face_jpeg(height=size, mirror=size % 40 == 0, person=person)
              for person in PEOPLE for size in range(300, 460, 20)}  # 16 different photos
    names = sorted(photos)
    per_sighting = 4  # each job takes several photos' time, so the kill lands inside one
    for start in range(0, len(names), per_sighting):
        uploads = [Upload(photos[n], n) for n in names[start:start + per_sighting]]
        report_sighting(container.deps, ANONYMOUS, NewSighting(seen_at=None, place=None), uploads)
    processed = "SELECT count(*) FROM photos WHERE processed_at IS NOT NULL"
    doing = "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'"

    first = start_worker(settings, database_uri)
    wait_for(lambda: scalar(container, processed) >= per_sighting and scalar(container, doing) == 1, 120,
             "a job to be under way after the first one")
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert scalar(container, processed) < len(names), "the batch finished before the kill: nothing was tested"
    assert scalar(container, doing) == 1
    # a job's photos are stored together: none of the killed job's is half there
    assert scalar(container, processed) % per_sighting == 0

    second = start_worker(settings, database_uri)
    try:
        wait_for(lambda: scalar(container, "SELECT count(*) FROM procrastinate_jobs WHERE status <> 'succeeded'") == 0,
                 180, "every job to succeed after the restart")
    finally:
        second.terminate()
        second.wait(timeout=30)

    assert scalar(container, processed) == len(names)
    once = "SELECT count(*) FROM (SELECT subject_id FROM audit_log WHERE action = '{}' GROUP BY subject_id " \
           "HAVING count(*) <> 1) AS repeated"
    assert scalar(container, once.format("photo.faces_detected")) == 0
    # a sighting is matched once (after grouping), twice only where the kill fell between its match and its job's end
    twice = once.replace("<> 1", "> 2")
    assert scalar(container, twice.format("sighting.matched")) == 0
    assert 4 <= scalar(container, "SELECT count(*) FROM audit_log WHERE action = 'sighting.matched'") <= 8
    assert scalar(container, "SELECT count(*) FROM faces") == scalar(container, "SELECT sum(face_count) FROM photos")
