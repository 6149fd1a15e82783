"""Following background jobs from the command line: how many wait, and a progress bar until none do."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import Engine, text
from tqdm import tqdm

WAITING = ("todo", "doing")


@dataclass(frozen=True)
class JobCounts:
    waiting: int
    done: int
    failed: int


def last_job_id(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT coalesce(max(id), 0) FROM procrastinate_jobs")).scalar_one())


ALIVE_SECONDS = 60  # a worker whose last heartbeat is older is dead (heartbeats: every 10 s by default)


def before_waiting(engine: Engine) -> int:
    """The job just before the oldest one waiting: a progress from there counts this run's jobs, not every job
    ever run."""
    with engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT coalesce(min(id) - 1, 0) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')")).scalar_one())


def workers_alive(engine: Engine) -> int:
    """Workers (``reunite worker``, ``serve``'s own) whose heartbeat is recent: procrastinate records each
    running worker, and removes it when it stops."""
    with engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT count(*) FROM procrastinate_workers WHERE last_heartbeat > now() - make_interval(secs => :alive)"),
            {"alive": ALIVE_SECONDS}).scalar_one())


def counts(engine: Engine, after: int = 0) -> JobCounts:
    """Jobs queued after job ``after`` (and the jobs they queued in turn)."""
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT count(*) FILTER (WHERE status IN ('todo', 'doing')) AS waiting, "
            "count(*) FILTER (WHERE status NOT IN ('todo', 'doing')) AS done, "
            "count(*) FILTER (WHERE status = 'failed') AS failed FROM procrastinate_jobs WHERE id > :after"),
            {"after": after}).one()
    return JobCounts(int(row.waiting), int(row.done), int(row.failed))


def wait(engine: Engine, after: int = 0, stall: float = 60.0, every: float = 1.0) -> JobCounts:
    """Show progress until no job queued after ``after`` waits. Gives up (returning what waits) when
    nothing has moved for ``stall`` seconds: no worker is running."""
    now = counts(engine, after)
    moved = time.monotonic()
    with tqdm(total=now.waiting + now.done, initial=now.done, desc="processing", unit="job") as bar:
        while now.waiting:
            time.sleep(every)
            later = counts(engine, after)
            if later != now:
                moved = time.monotonic()
            bar.total = later.waiting + later.done
            bar.update(later.done - bar.n)
            now = later
            if time.monotonic() - moved > stall:
                break
    return now
