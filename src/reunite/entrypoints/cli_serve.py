"""``reunite serve`` and ``reunite worker`` (registered on ``cli.app``, first in its list): the web server, its web
processes and its in-process job worker, the job workers, and how each stops on SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from reunite.bootstrap import Container, bootstrap
from reunite.entrypoints.cli import PORT_MAX, _logging, app, fail

if TYPE_CHECKING:  # the web framework is imported by the commands that serve, not by the worker
    from fastapi import FastAPI

    from reunite.config import Settings
    from reunite.entrypoints.worker.tasks import OutdatedFacesCheck

SHUTDOWN_SECONDS = 3  # requests and the in-process worker get this long; the whole stop stays under 10 s


class _Stopped(Exception):
    """SIGINT or SIGTERM, raised again by uvicorn once it has shut down."""


def _exit_cleanly(signum: int, _frame: object) -> None:
    raise _Stopped(signum)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default: REUNITE_HOST")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=PORT_MAX, help="Default: REUNITE_PORT")] = None,
    workers: Annotated[int | None, typer.Option(
        min=1, help="Web processes. Default: REUNITE_WEB_WORKERS, else one per core")] = None,
) -> None:
    """Start the web server: several web processes (one per core by default) and, unless
    REUNITE_IN_PROCESS_WORKER=false, a job worker in a process of its own. With --workers 1, one
    process that runs the job worker itself."""
    from reunite.entrypoints.serving import default_workers, serve_many, served_at

    _logging()
    served_at(host, port)  # before anything reads the settings: the links are built for this address
    container = bootstrap()
    settings = container.settings
    if not settings.public_url:
        typer.echo(f"warning: REUNITE_PUBLIC_URL is not set, so links in emails, posters and the reporters' "
                   f"private links point at {settings.base_url()}; set it to the address people reach "
                   "(behind a proxy, its https:// address)", err=True)
    _shared_key_warning(settings)
    count = workers or settings.web_workers or default_workers()
    if count == 1:
        _serve_one(container, host or settings.host, port or settings.port)
        return
    worker = " and a job worker process" if settings.in_process_worker else ""
    typer.echo(f"Reunite is serving on http://{host or settings.host}:{port or settings.port} with {count} web "
               f"processes{worker}  (API docs at /docs)")
    previous = {stop_signal: signal.getsignal(stop_signal) for stop_signal in (signal.SIGINT, signal.SIGTERM)}
    try:
        stopped = serve_many(container, host or settings.host, port or settings.port, count, SHUTDOWN_SECONDS)
    finally:
        container.close()  # and the embedded PostgreSQL, once every child has stopped
        for stop_signal, handler in previous.items():
            signal.signal(stop_signal, handler)
    if not stopped:
        fail("a web process could not start; see the log above")
    _exit_now()


def _serve_one(container: Container, host: str, port: int) -> None:
    """One process: the web server, and the job worker in it (unless REUNITE_IN_PROCESS_WORKER=false)."""
    import uvicorn

    from reunite.entrypoints.api.app import create_app
    from reunite.entrypoints.worker.tasks import OutdatedFacesCheck, make_app, run_worker_until_cancelled

    settings = container.settings

    @contextlib.asynccontextmanager
    async def lifespan(web: FastAPI) -> AsyncIterator[None]:
        worker = None
        if settings.in_process_worker:
            outdated = OutdatedFacesCheck(container.deps)
            jobs = make_app(container.database_uri, container.deps, outdated=outdated)
            worker = asyncio.create_task(
                run_worker_until_cancelled(jobs, settings.worker_concurrency, install_signal_handlers=False))
            web.state.worker = worker  # /readyz reports a dead worker
            # loads the face engine (seconds), beside the web server, which does not wait for it
            threading.Thread(target=outdated, daemon=True).start()
        yield
        if worker:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(worker, SHUTDOWN_SECONDS)

    web = create_app(container, lifespan)
    typer.echo(f"Reunite is serving on http://{host}:{port}  (API docs at /docs)")
    # SIGINT and SIGTERM end uvicorn's loop (open connections get a few seconds to finish); uvicorn then
    # raises the signal again, which these handlers turn into a clean exit through the ``finally``
    previous = {stop_signal: signal.signal(stop_signal, _exit_cleanly) for stop_signal in (signal.SIGINT,
                                                                                             signal.SIGTERM)}
    stopped = False
    try:
        # uvicorn's own proxy headers are off (by default it believes X-Forwarded-For from 127.0.0.1):
        # the app believes them only from REUNITE_TRUSTED_PROXIES (entrypoints/api/proxies.py)
        uvicorn.run(web, host=host, port=port, log_level="info", log_config=None,
                    timeout_graceful_shutdown=SHUTDOWN_SECONDS, proxy_headers=False, forwarded_allow_ips="")
    except _Stopped:
        stopped = True
    finally:
        container.close()  # and the embedded PostgreSQL this process started, unless another still uses it
        for stop_signal, handler in previous.items():
            signal.signal(stop_signal, handler)
    if stopped:
        _exit_now()


def _exit_now() -> NoReturn:
    """Everything is released: skip the interpreter's teardown (native libraries, the gazetteers' large
    tables), which otherwise takes ~10 s on two busy cores, so that a supervisor's SIGTERM ends the
    process in time."""
    logging.shutdown()
    sys.stdout.flush()
    os._exit(0)


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(min=1, help="Jobs run at once in each process")] = 1,
    processes: Annotated[int, typer.Option(min=1, help=(
        "Worker processes sharing one copy of the face models (forked once they are loaded); more than one per "
        "core gains nothing"))] = 1,
    until_empty: Annotated[bool, typer.Option(help="Exit when the queue is empty")] = False,
    heartbeat: Annotated[float, typer.Option(min=0.1, max=3600, help="Seconds between heartbeats")] = 10.0,
    stalled_after: Annotated[float, typer.Option(min=1, max=86400,
                                                 help="A worker silent this long is dead; its jobs rerun")] = 30.0,
) -> None:
    """Run background jobs (face detection, matching). Start as many as you like, on any machine
    that reaches the database."""
    from reunite.entrypoints.worker.processes import run_forked
    from reunite.entrypoints.worker.tasks import OutdatedFacesCheck

    _logging()
    container = bootstrap()
    settings = container.settings
    if not settings.public_url:  # a worker serves nothing: its links would name the default port (probe s37 K2)
        typer.echo(f"warning: REUNITE_PUBLIC_URL is not set, so links in the emails this worker sends (alerts, "
                   f"notices, confirm and unsubscribe links) point at {settings.base_url()}; set it to the "
                   "address people reach, as for reunite serve", err=True)
    _shared_key_warning(settings)
    outdated = OutdatedFacesCheck(container.deps)

    def jobs() -> None:
        _run_jobs(container, outdated, concurrency, until_empty, heartbeat, stalled_after)

    try:
        if processes > 1:  # a broken model: FaceEngineUnavailable, one line, exit 1 (a supervisor restarts it)
            container.deps.faces.preload()  # every model now, so the processes share them
        outdated()  # once, before any fork; a single process whose engine is broken tries again later
        if processes <= 1:
            jobs()
            return
        container.engine.dispose()  # no database connection crosses the fork
        failed = run_forked(processes, jobs, respawn=not until_empty)
        if failed and until_empty:
            raise typer.Exit(1)
    finally:
        container.close()


def _shared_key_warning(settings: Settings) -> None:
    """A process on a shared database (REUNITE_DATABASE_URL) signing with its own data folder's key: the links
    it signs (alert confirm/unsubscribe, reporters' private links, removal links) are refused by the others
    unless every process has the same key (probe s37 K1)."""
    if settings.database_url and not settings.secret_key:
        typer.echo(f"warning: REUNITE_SECRET_KEY is not set, so this process signs links with the key in "
                   f"{settings.secret_file()}; every process sharing REUNITE_DATABASE_URL (web servers and "
                   "workers, on every machine) needs the same REUNITE_SECRET_KEY, or the links one signs "
                   "are refused by the others", err=True)


def _run_jobs(container: Container, outdated: OutdatedFacesCheck, concurrency: int, until_empty: bool,
              heartbeat: float, stalled_after: float) -> None:
    from reunite.entrypoints.worker.tasks import make_app, run_worker, run_worker_until_cancelled

    jobs = make_app(container.database_uri, container.deps, outdated=outdated)
    if until_empty:
        asyncio.run(run_worker(jobs, concurrency, heartbeat=heartbeat, stalled_after=stalled_after, wait=False))
        return

    async def until_signalled() -> None:  # a long-running worker outlives database outages
        task, loop = asyncio.current_task(), asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, task.cancel)  # type: ignore[union-attr]
        with contextlib.suppress(asyncio.CancelledError):  # a job cut short is re-run (idempotent)
            await run_worker_until_cancelled(jobs, concurrency, heartbeat=heartbeat,
                                             stalled_after=stalled_after, install_signal_handlers=False)

    asyncio.run(until_signalled())
