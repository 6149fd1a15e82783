"""The worker pool (``entrypoints/worker/processes.run_forked``): a stop asked while it pauses before replacing a
failed process ends it; it never spawns a process after the stop, which nobody would signal (the pool would wait
for it for ever); a process that does not end on a stop is killed after a grace, or at once on a second stop."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from reunite.entrypoints.worker.processes import run_forked


def test_a_stop_during_the_pause_before_a_replacement_spawns_none(tmp_path: Path) -> None:
    started = tmp_path / "started"

    def child() -> None:
        with started.open("a") as mark:
            mark.write("x")
        raise RuntimeError("a worker process failing at once")

    threading.Timer(0.4, os.kill, (os.getpid(), signal.SIGTERM)).start()  # while the pool pauses (1 s)
    assert run_forked(1, child) == 1
    assert started.read_text() == "x"  # no process after the stop


def stubborn() -> None:
    """A worker process whose job does not end on a stop (a job stuck in a thread, on a lock)."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    time.sleep(60)


def stopped_after(delays: tuple[float, ...], grace: float) -> float:
    for delay in delays:
        threading.Timer(delay, os.kill, (os.getpid(), signal.SIGTERM)).start()
    began = time.monotonic()
    assert run_forked(2, stubborn, grace=grace) == 2  # both killed: an error each
    return time.monotonic() - began


def test_a_process_that_does_not_end_on_a_stop_is_killed_after_the_grace() -> None:
    took = stopped_after((0.5,), grace=1.0)
    assert 1.5 <= took < 30  # not before the grace is over, and not its 60 s


def test_a_second_stop_kills_at_once() -> None:
    assert stopped_after((0.5, 1.0), grace=30.0) < 25
