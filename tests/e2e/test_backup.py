"""`reunite backup` then `reunite restore` into an empty instance: the same cases, faces, candidates
and photo bytes come back, and the restored instance keeps working."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from reunite.adapters.db.server import EmbeddedPostgres, ensure_database
from reunite.bootstrap import Container, bootstrap
from reunite.config import Settings
from reunite.entrypoints.api.app import create_app
from reunite.entrypoints.cli import app as cli
from tests.conftest import count_rows, run_jobs
from tests.photos import face_jpeg

TABLES = ("cases", "sightings", "photos", "faces", "candidates", "audit_log")


def use(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setenv("REUNITE_DATABASE_URL", str(settings.database_url))
    monkeypatch.setenv("REUNITE_DATA_DIR", str(settings.data_dir))


def test_backup_restores_into_an_empty_instance(
    client: TestClient, container: Container, settings: Settings, postgres: EmbeddedPostgres,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    form = {"given_name": "Lin", "sex": "female", "birth_date": "2000-01-01", "missing_since": "2002-06-01T08:00:00Z"}
    case = client.post("/api/cases", files=[("photos", ("k.jpg", face_jpeg(), "image/jpeg"))], data=form)
    case_id = case.json()["id"]
    client.post("/api/sightings", files=[("photos", ("s.jpg", face_jpeg(mirror=True), "image/jpeg"))],
                data={"seen_at": "2005-03-01T10:00:00Z"})
    run_jobs(container)
    before = {table: count_rows(container, table) for table in TABLES}
    assert before["candidates"] == 1
    photos = {key: container.deps.photos.get(key) for key in container.deps.photos.list_keys()}
    assert len(photos) == 4

    runner = CliRunner()
    use(monkeypatch, settings)
    made = runner.invoke(cli, ["backup", str(tmp_path / "backup")])
    assert made.exit_code == 0, made.output
    assert "4 photos" in made.output

    ensure_database(postgres.admin_uri, "restored_instance")
    empty = Settings(data_dir=tmp_path / "elsewhere", database_url=postgres.uri_for("restored_instance"),
                     _env_file=None)  # type: ignore[call-arg]
    use(monkeypatch, empty)
    refused = runner.invoke(cli, ["restore", str(tmp_path / "backup")], input="n\n")
    assert refused.exit_code != 0
    done = runner.invoke(cli, ["restore", str(tmp_path / "backup"), "--yes"])
    assert done.exit_code == 0, done.output

    restored = bootstrap(empty, run_migrations=True, faces=container.deps.faces)  # up to date: nothing to do
    try:
        assert {table: count_rows(restored, table) for table in TABLES} == before
        assert {key: restored.deps.photos.get(key) for key in restored.deps.photos.list_keys()} == photos
        with TestClient(create_app(restored), headers=client.headers) as restored_client:
            assert restored_client.get(f"/api/cases/{case_id}").json()["given_name"] == "Lin"
    finally:
        restored.close()
