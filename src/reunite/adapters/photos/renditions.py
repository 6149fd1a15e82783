"""Renditions kept in this process's memory, least recently used first out, up to a size.

In memory on purpose: a derived copy of a photo never outlives its original on disk (retention,
takedowns), and each web process keeps what its own readers ask for."""

from __future__ import annotations

import threading
from collections import OrderedDict


class MemoryRenditions:
    """Implements ``domain.ports.RenditionCache``; thread-safe."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            data = self._items.get(key)
            if data is not None:
                self._items.move_to_end(key)
            return data

    def put(self, key: str, data: bytes) -> None:
        if len(data) > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            self._size += len(data) - (len(old) if old is not None else 0)
            self._items[key] = data
            while self._size > self.max_bytes:
                _, evicted = self._items.popitem(last=False)
                self._size -= len(evicted)
