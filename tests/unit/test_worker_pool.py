"""The worker pool (``entrypoints/worker/processes.run_forked``): a stop asked while it pauses before replacing a
failed process ends it; it never spawns a process after the stop, which nobody would signal (the pool would wait
for it for ever)."""

from __future__ import annotations

import os
import signal
import threading
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
