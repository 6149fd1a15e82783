"""Photos in a local folder: the default store."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reunite.domain.errors import NotFound, PhotoStoreUnavailable


@contextmanager
def reachable(action: str) -> Iterator[None]:
    """The folder's own failures (a disk failing or full, a network mount gone, no permission) as
    ``PhotoStoreUnavailable`` naming the cause; a missing file stays the caller's to say."""
    try:
        yield
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise PhotoStoreUnavailable(f"cannot {action} in the photo folder ({exc.__class__.__name__}: {exc})") from exc


class LocalPhotoStore:
    """Implements ``domain.ports.PhotoStore`` on a folder. Writes are atomic (temp file + rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"bad photo key {key!r}")
        return path

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        with reachable("write"):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            except FileNotFoundError as exc:  # the folder itself is gone (an unmounted disk)
                raise PhotoStoreUnavailable(f"the photo folder {self.root} is missing") from exc
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise

    def get(self, key: str) -> bytes:
        try:
            with reachable("read"):
                return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise NotFound("photo file is missing") from exc

    def delete(self, key: str) -> None:
        with reachable("delete"):
            self._path(key).unlink(missing_ok=True)

    def list_keys(self) -> list[str]:
        with reachable("list"):
            return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*")
                          if p.is_file() and not p.name.startswith(".tmp-"))

    def check(self) -> None:
        """The folder is there and can be written to (no file is written: cheap enough for every /readyz)."""
        if not self.root.is_dir():
            raise PhotoStoreUnavailable(f"the photo folder {self.root} is missing")
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise PhotoStoreUnavailable(f"the photo folder {self.root} cannot be written to")
