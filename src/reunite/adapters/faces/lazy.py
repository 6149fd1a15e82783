"""A face engine built on first use: web processes answer pages without loading dlib or its models
(~350 MB and seconds per process); only a process that really detects a face pays for them."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from reunite.domain.model import DetectedFace
from reunite.domain.ports import FaceEngine


class LazyFaceEngine:
    """Implements ``domain.ports.FaceEngine`` by building the real engine the first time it is asked."""

    def __init__(self, build: Callable[[], FaceEngine]) -> None:
        self._build = build
        self._engine: FaceEngine | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._engine is not None

    def engine(self) -> FaceEngine:
        with self._lock:
            if self._engine is None:
                self._engine = self._build()
            return self._engine

    @property
    def model(self) -> str:
        return self.engine().model

    @property
    def version(self) -> str:
        return self.engine().version

    def detect(self, data: bytes, thorough: bool = False) -> list[DetectedFace]:
        return self.engine().detect(data, thorough)

    def preload(self) -> None:
        """Build the engine now, with every model (``reunite worker --processes`` forks after this)."""
        self.engine().preload()


_HERE: dict[str, FaceEngine] = {}  # in the helper process: the engine its initializer built


def _build_here(build: Callable[[], FaceEngine]) -> None:
    _HERE["engine"] = build()


def _detect_here(data: bytes, thorough: bool) -> list[DetectedFace]:
    return _HERE["engine"].detect(data, thorough)


class HelperProcessFaceEngine:
    """Implements ``domain.ports.FaceEngine`` in a helper process of its own, started on first use:
    what a web process uses, so that no face is ever detected in a web process (search by photo)
    and its requests never wait behind dlib. ``build`` must be picklable (a module-level function,
    or a ``functools.partial`` of one)."""

    def __init__(self, build: Callable[[], FaceEngine]) -> None:
        self._build = build
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _helper(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_build_here, initargs=(self._build,))
            return self._pool

    @property
    def model(self) -> str:
        return str(self._helper().submit(_attribute, "model").result())

    @property
    def version(self) -> str:
        return str(self._helper().submit(_attribute, "version").result())

    def detect(self, data: bytes, thorough: bool = False) -> list[DetectedFace]:
        return self._helper().submit(_detect_here, data, thorough).result()

    def preload(self) -> None:
        """Start the helper now; it builds the engine as it starts."""
        self._helper().submit(_attribute, "model").result()

    def close(self) -> None:
        """Stop the helper at once, when its web process stops: it keeps nothing, and a graceful exit
        would spend seconds tearing dlib down."""
        with self._lock:
            if self._pool is not None:
                helpers = list((getattr(self._pool, "_processes", None) or {}).values())
                self._pool.shutdown(wait=False, cancel_futures=True)
                for helper in helpers:
                    helper.terminate()
                    helper.join(5)
                self._pool = None


def _attribute(name: str) -> str:
    return str(getattr(_HERE["engine"], name))
