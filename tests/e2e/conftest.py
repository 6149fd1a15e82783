"""The access tests' world (tests/e2e/world.py), built once per test module that asks for it."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import psycopg
import pytest
from typer.testing import CliRunner

from reunite.adapters.db.server import EmbeddedPostgres, ensure_database
from reunite.adapters.faces.dlib_engine import DlibFaceEngine
from reunite.bootstrap import bootstrap
from reunite.config import Settings
from reunite.entrypoints.logs import CurrentStderr
from tests.conftest import FLOW_OPERATING_POINT, TEMPLATE
from tests.e2e import world as w


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The command line run in-process against this test's database and photo folder (no public address
    set, as on a fresh install). The log handler a command installs (``reunite worker``) goes with the
    test, so that later commands' output holds no log lines of their own."""
    monkeypatch.setenv("REUNITE_DATABASE_URL", str(settings.database_url))
    monkeypatch.setenv("REUNITE_DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("REUNITE_PUBLIC_URL", raising=False)
    yield CliRunner()
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, CurrentStderr)]:
        root.removeHandler(handler)


@pytest.fixture(scope="module")
def world(postgres: EmbeddedPostgres, face_engine: DlibFaceEngine, tmp_path_factory: pytest.TempPathFactory,
          request: pytest.FixtureRequest) -> Iterator[w.World]:
    name = f"access_{os.getpid()}_{request.module.__name__.rsplit('.', 1)[-1]}"
    ensure_database(postgres.admin_uri, name, template=TEMPLATE)
    settings = Settings(data_dir=tmp_path_factory.mktemp("access"), database_url=postgres.uri_for(name),
                        _env_file=None, propose_one_in=FLOW_OPERATING_POINT)  # type: ignore[call-arg]
    container = bootstrap(settings, run_migrations=False, faces=face_engine)
    yield w.build(container)
    container.close()
    with psycopg.connect(postgres.admin_uri, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
