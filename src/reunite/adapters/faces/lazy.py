"""A face engine built on first use: web processes answer pages without loading dlib or its models
(~350 MB and seconds per process); only a process that really detects a face pays for them."""

from __future__ import annotations

import threading
from collections.abc import Callable

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
