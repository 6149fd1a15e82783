"""`reunite serve --workers N`: several web processes behind one listening socket, and the job
worker in a process of its own beside them, so that face work never runs in a web process.

The parent process starts (or joins) the database and runs the migrations once; it then hands the
database's address to its children, which only connect to it: the embedded PostgreSQL is started
once, by the parent, and stopped by it last. Its children are uvicorn's (``uvicorn.supervisors``,
restarted when one dies) and, unless ``REUNITE_IN_PROCESS_WORKER=false``, one ``reunite worker``
(restarted too). SIGINT or SIGTERM to the parent stops them all, then the database."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
from typing import Any

from fastapi import FastAPI

from reunite.bootstrap import Container

log = logging.getLogger(__name__)
WEB_APP = "reunite.entrypoints.serving:web_app"
# a web process that does not answer the supervisor's ping this long is killed and replaced: uvicorn's
# 5 s killed processes still starting (imports) on two busy cores, again and again
HEALTHCHECK_SECONDS = 60


def default_workers() -> int:
    """One web process per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def served_at(host: str | None, port: int | None) -> None:
    """``serve --host/--port`` become REUNITE_HOST/REUNITE_PORT of this process and so of every web
    process and job worker it starts: without a public address (REUNITE_PUBLIC_URL), the links they
    build (a reporter's private link, reset links, notices, feeds) point at the address served."""
    if host:
        os.environ["REUNITE_HOST"] = host
    if port:
        os.environ["REUNITE_PORT"] = str(port)


def web_app() -> FastAPI:
    """The application of one web process (uvicorn's factory, called in each child): no job worker,
    its own connection pool, and a face engine in a helper process started by the first search by
    photo (the only face work a request asks for), so no face is ever detected in a web process."""
    import contextlib
    from collections.abc import AsyncIterator
    from functools import partial

    from reunite.adapters.faces.lazy import HelperProcessFaceEngine
    from reunite.adapters.photos.codec import PillowPhotoCodec
    from reunite.bootstrap import bootstrap, build_face_engine
    from reunite.config import Settings
    from reunite.domain.model import GeoPoint
    from reunite.entrypoints.api.app import create_app
    from reunite.entrypoints.cli import _logging

    _logging()
    settings = Settings()
    codec = PillowPhotoCodec(settings.max_photo_bytes, settings.max_photo_pixels)
    faces = HelperProcessFaceEngine(partial(build_face_engine, settings, codec))  # search by photo
    container = bootstrap(settings, run_migrations=False, faces=faces)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # the gazetteer's names and seats load in about 4 s: before the first reader of a place needs them
        threading.Thread(target=container.deps.places.city, args=("Chengdu", None, GeoPoint(30.66, 104.07)),
                         daemon=True).start()
        yield
        faces.close()
        container.close()

    return create_app(container, lifespan)


class JobWorker:
    """``reunite worker`` beside the web processes, started again (after a pause) when it dies."""

    def __init__(self, env: dict[str, str], concurrency: int) -> None:
        self.env, self.concurrency = env, concurrency
        self.process: subprocess.Popen[bytes] | None = None
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self._keep_running, name="job-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _keep_running(self) -> None:
        while not self.stopping.is_set():
            self.process = subprocess.Popen(  # noqa: S603 - this interpreter, a number from the settings
                [sys.executable, "-m", "reunite", "worker", "--concurrency", str(self.concurrency)], env=self.env)
            if self.stopping.is_set():  # asked to stop while it was starting
                self.process.terminate()
            code = self.process.wait()
            if not self.stopping.is_set():
                log.warning("the job worker stopped (exit code %s); starting it again in 5 s", code)
                self.stopping.wait(5)

    def ask_to_stop(self) -> None:
        self.stopping.set()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def stop(self, timeout: float) -> None:
        """SIGTERM (a job cut short is run again: jobs are idempotent), then SIGKILL after ``timeout``."""
        self.ask_to_stop()
        if self.process is not None:
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._thread.join(timeout)


def web_config(host: str, port: int, workers: int, shutdown_seconds: int) -> Any:
    """uvicorn's settings for the web processes. Its own proxy headers are off (by default it believes
    X-Forwarded-For from 127.0.0.1): the app believes them only from REUNITE_TRUSTED_PROXIES."""
    import uvicorn

    return uvicorn.Config(WEB_APP, factory=True, host=host, port=port, workers=workers, log_level="info",
                          log_config=None, timeout_graceful_shutdown=shutdown_seconds, proxy_headers=False,
                          forwarded_allow_ips="", timeout_worker_healthcheck=HEALTHCHECK_SECONDS)


def serve_many(container: Container, host: str, port: int, workers: int, shutdown_seconds: int) -> bool:
    """Several web processes on one socket (and the job worker, if configured, in its own process),
    until SIGINT or SIGTERM (then True) or until a web process cannot start (False)."""
    from uvicorn.supervisors import Multiprocess

    children = dict(os.environ, REUNITE_DATABASE_URL=container.database_uri)  # they connect; they start nothing
    saved = os.environ.get("REUNITE_DATABASE_URL")
    os.environ["REUNITE_DATABASE_URL"] = container.database_uri  # uvicorn's children inherit this environment
    container.engine.dispose()  # the parent serves nothing: no connection held
    settings = container.settings
    job = JobWorker(children, settings.worker_concurrency) if settings.in_process_worker else None

    signalled = threading.Event()

    class Supervisor(Multiprocess):
        def handle_int(self) -> None:
            signalled.set()
            super().handle_int()

        def handle_term(self) -> None:
            signalled.set()
            super().handle_term()

        def terminate_all(self) -> None:  # the worker stops alongside the web processes, not after them
            if job is not None:
                job.ask_to_stop()
            super().terminate_all()

    config = web_config(host, port, workers, shutdown_seconds)
    sock: socket.socket = config.bind_socket()
    try:
        if job is not None:
            job.start()
        Supervisor(config, sockets=[sock]).run()
    finally:
        sock.close()
        if job is not None:
            job.stop(shutdown_seconds)
        _restore("REUNITE_DATABASE_URL", saved)
    return signalled.is_set()


def _restore(name: str, value: Any) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
