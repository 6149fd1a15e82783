"""A face engine built on first use: web processes answer pages without loading dlib or its models
(~350 MB and seconds per process); only a process that really detects a face pays for them."""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from reunite.domain.errors import FaceEngineUnavailable
from reunite.domain.model import DetectedFace
from reunite.domain.ports import FaceEngine
from reunite.domain.recipes import FaceRecipe

Result = TypeVar("Result")
REBUILD_AFTER = 5.0  # seconds: an engine that failed to build is not built again sooner


def built(build: Callable[[], FaceEngine]) -> FaceEngine:
    """``build()``; whatever stops it (a model file missing or damaged, a package missing, out of
    memory) raised as ``FaceEngineUnavailable``, naming the cause: a fault of the installation, which
    no photo is to be blamed for."""
    try:
        return build()
    except FaceEngineUnavailable:
        raise
    except Exception as exc:  # ImportError (dlib, onnxruntime), ModelRefused, MemoryError, dlib's RuntimeError
        raise FaceEngineUnavailable(f"the face engine cannot be built ({exc.__class__.__name__}: {exc})") from exc


class LazyFaceEngine:
    """Implements ``domain.ports.FaceEngine`` by building the real engine the first time it is asked."""

    def __init__(self, build: Callable[[], FaceEngine], *, rebuild_after: float = REBUILD_AFTER,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._build = build
        self._engine: FaceEngine | None = None
        self._lock = threading.Lock()
        self._rebuild_after, self._clock = rebuild_after, clock
        self._failed: tuple[float, str] | None = None  # when the last build failed, and why

    @property
    def loaded(self) -> bool:
        return self._engine is not None

    def engine(self) -> FaceEngine:
        """The engine, built now if it is not yet; one that fails to build is tried again next time
        (the operator may have mended it meanwhile), though not within ``rebuild_after`` seconds of
        the last failure (a build costs seconds of CPU; every waiting job's retry asks for one)."""
        with self._lock:
            if self._engine is None:
                if self._failed and self._clock() - self._failed[0] < self._rebuild_after:
                    raise FaceEngineUnavailable(self._failed[1])
                try:
                    self._engine = built(self._build)
                except FaceEngineUnavailable as exc:
                    self._failed = (self._clock(), exc.detail)
                    raise
            return self._engine

    @property
    def model(self) -> str:
        return self.engine().model

    @property
    def version(self) -> str:
        return self.engine().version

    @property
    def recipe(self) -> FaceRecipe:
        return self.engine().recipe

    def detect(self, data: bytes, thorough: bool = False) -> list[DetectedFace]:
        return self.engine().detect(data, thorough)

    def preload(self) -> None:
        """Build the engine now, with every model (``reunite worker --processes`` forks after this)."""
        self.engine().preload()


_HERE: dict[str, LazyFaceEngine] = {}  # in the helper process: its engine, built by its initializer


def _build_here(build: Callable[[], FaceEngine], rebuild_after: float) -> None:
    _HERE["lazy"] = LazyFaceEngine(build, rebuild_after=rebuild_after)
    with contextlib.suppress(FaceEngineUnavailable):  # said to the first caller, and tried again then
        _HERE["lazy"].engine()


def _engine_here() -> FaceEngine:
    return _HERE["lazy"].engine()


def _detect_here(data: bytes, thorough: bool) -> list[DetectedFace]:
    return _engine_here().detect(data, thorough)


class HelperProcessFaceEngine:
    """Implements ``domain.ports.FaceEngine`` in a helper process of its own, started on first use:
    what a web process uses, so that no face is ever detected in a web process (search by photo)
    and its requests never wait behind dlib. ``build`` must be picklable (a module-level function,
    or a ``functools.partial`` of one); ``rebuild_after``: as ``LazyFaceEngine``'s, in the helper."""

    def __init__(self, build: Callable[[], FaceEngine], *, rebuild_after: float = REBUILD_AFTER) -> None:
        self._build, self._rebuild_after = build, rebuild_after
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _helper(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_build_here, initargs=(self._build, self._rebuild_after))
            return self._pool

    def _result(self, future: Callable[[ProcessPoolExecutor], Future[Result]]) -> Result:
        """What the helper answers; a helper that died (killed for memory) is replaced next time."""
        try:
            return future(self._helper()).result()
        except BrokenProcessPool as exc:
            self.close()
            raise FaceEngineUnavailable(f"the face engine's helper process stopped ({exc})") from exc

    @property
    def model(self) -> str:
        return self._result(lambda pool: pool.submit(_attribute, "model"))

    @property
    def version(self) -> str:
        return self._result(lambda pool: pool.submit(_attribute, "version"))

    @property
    def recipe(self) -> FaceRecipe:
        return self._result(lambda pool: pool.submit(_recipe_here))

    def detect(self, data: bytes, thorough: bool = False) -> list[DetectedFace]:
        return self._result(lambda pool: pool.submit(_detect_here, data, thorough))

    def preload(self) -> None:
        """Start the helper now; it builds the engine as it starts."""
        self._result(lambda pool: pool.submit(_attribute, "model"))

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


def _recipe_here() -> FaceRecipe:
    return _engine_here().recipe


def _attribute(name: str) -> str:
    return str(getattr(_engine_here(), name))
