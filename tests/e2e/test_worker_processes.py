"""`reunite worker --processes 2`: two processes forked from one that loaded the face models share
them, both take jobs, a killed one is replaced, and SIGTERM ends them all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import psutil
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.config import Settings
from tests.e2e.test_crash_safety import scalar, wait_for
from tests.photos import face_jpeg

PROCESSED = "SELECT count(*) FROM photos WHERE processed_at IS NOT NULL"


def start_pool(settings: Settings, database_uri: str) -> subprocess.Popen[bytes]:
    env = os.environ | {"REUNITE_DATABASE_URL": database_uri, "REUNITE_DATA_DIR": str(settings.data_dir),
                        "REUNITE_IN_PROCESS_WORKER": "false"}
    return subprocess.Popen([sys.executable, "-m", "reunite", "worker", "--processes", "2"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def children(pool: subprocess.Popen[bytes]) -> list[psutil.Process]:
    return [c for c in psutil.Process(pool.pid).children() if c.status() != psutil.STATUS_ZOMBIE]


def report(client: TestClient, count: int, first: int = 0) -> None:
    """``count`` reports, each of another photo (the same report sent again is answered as the first)."""
    for number in range(first, first + count):
        photo = face_jpeg(height=300 + 20 * number, mirror=bool(number % 2))
        response = client.post("/api/sightings", files={"photos": ("s.jpg", photo, "image/jpeg")})
        assert response.status_code == 202, response.text


def test_forked_worker_processes_share_the_models_and_are_replaced_when_killed(
    container: Container, settings: Settings, database_uri: str, client: TestClient
) -> None:
    pool = start_pool(settings, database_uri)
    try:
        wait_for(lambda: len(children(pool)) == 2, 180, "two worker processes")  # after the models are loaded
        # each process: a worker for webhook deliveries beside the one for everything else (probe s29 C3)
        wait_for(lambda: scalar(container, "SELECT count(*) FROM procrastinate_workers") == 4, 60,
                 "both listening for jobs")
        report(client, 6)
        wait_for(lambda: scalar(container, PROCESSED) == 6, 180, "every photo processed")
        first = children(pool)
        # what a child holds on its own is a small part of what it uses: the models are the parent's pages
        for child in first:
            memory = child.memory_full_info()
            assert memory.uss < memory.rss / 2, memory
        with container.engine.connect() as conn:
            by = conn.exec_driver_sql("SELECT count(DISTINCT worker_id) FROM procrastinate_jobs").scalar_one()
        assert by == 2, "both processes took jobs"

        first[0].send_signal(signal.SIGKILL)
        wait_for(lambda: len(children(pool)) == 2 and first[0].pid not in {c.pid for c in children(pool)}, 30,
                 "a process in place of the killed one")
        report(client, 2, first=6)
        wait_for(lambda: scalar(container, PROCESSED) == 8, 180, "photos sent after the kill processed")
    finally:
        pool.send_signal(signal.SIGTERM)
        code = pool.wait(timeout=60)
    assert code == 0
    assert scalar(container, "SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'") == 0
