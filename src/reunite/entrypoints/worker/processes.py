"""Several worker processes that share one copy of the face models: the parent loads them, then forks.

dlib's models are read-only once loaded, so the children share their memory pages (copy-on-write)
and start at once instead of paying seconds of CPU each to import and load; each child runs its own
procrastinate worker with its own database connections. Jobs run one at a time per process (dlib
holds a lock), so processes, not ``--concurrency``, are what scales with cores. A child that dies
(killed for memory, a crash) is replaced, unless the pool is stopping or ends with the queue. A stop gives
each child ``STOP_GRACE`` seconds to end its job, then kills it (every job is idempotent, and one left
running is re-queued as stalled); a second stop signal kills at once."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import time
from collections.abc import Callable
from types import FrameType

log = logging.getLogger("reunite.worker")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
STOP_GRACE = 20.0


def run_forked(processes: int, child: Callable[[], None], *, respawn: bool = True,
               grace: float = STOP_GRACE) -> int:
    """Run ``child`` in ``processes`` forked processes until they end; SIGTERM or SIGINT stops them
    all. Returns how many ended with an error. Whatever the children must not share (database
    connections, pools, threads) must be closed or not yet opened when this is called."""
    children: dict[int, int] = {}
    stopping = False

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        if stopping or signum == signal.SIGALRM:  # asked again, or the grace is over
            signum = signal.SIGKILL
        else:
            signal.setitimer(signal.ITIMER_REAL, grace)
        stopping = True
        for pid in children:
            _kill(pid, signum)

    previous = {signum: signal.signal(signum, stop) for signum in (*STOP_SIGNALS, signal.SIGALRM)}
    gc.freeze()  # objects made so far stay put: the collector does not write to (and so copy) their pages
    failed = 0
    try:
        for _ in range(processes):
            _spawn(child, children)
        while children:
            pid, status = os.wait()
            if children.pop(pid, None) is None:
                continue
            code = os.waitstatus_to_exitcode(status)
            if code not in (0, -signal.SIGTERM, -signal.SIGINT):
                failed += 1
                log.warning("worker process %d ended with %d", pid, code)
                if respawn and not stopping:
                    time.sleep(1.0)  # a child failing at once does not spin the machine
                    if not stopping:  # a stop asked during the pause signalled no child spawned after it
                        _spawn(child, children)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        gc.unfreeze()
    return failed


def _spawn(child: Callable[[], None], children: dict[int, int]) -> None:
    """Fork a process running ``child`` and add it to ``children``, with the stop signals held back until
    it is there: a stop arriving in between would not reach it, and the pool would wait for it for ever."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        pid = os.fork()
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        raise
    if pid:
        children[pid] = 0
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        return
    code = 1
    try:
        for signum in (*STOP_SIGNALS, signal.SIGALRM):
            signal.signal(signum, signal.SIG_DFL)  # the child's worker installs its own
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a stop held back now ends the child
        child()
        code = 0
    except BaseException:  # anything: say so, and leave with an error status
        log.exception("worker process failed")
    finally:
        os._exit(code)  # never back into the parent's code (nor its atexit handlers: the embedded server)


def _kill(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended already
        os.kill(pid, signum)
