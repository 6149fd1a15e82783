"""`reunite backup` then `reunite restore` into an empty instance: the same cases, faces, candidates
and photo bytes come back, with the signing key, so that a reporter's private link still opens; and the
restored instance keeps working. A photo store that cannot be reached is said in one line before anything is
replaced (probe s37 K5)."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from urllib.parse import urlsplit

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
    sent = client.post("/api/sightings", files=[("photos", ("s.jpg", face_jpeg(mirror=True), "image/jpeg"))],
                       data={"seen_at": "2005-03-01T10:00:00Z"})
    private = urlsplit(sent.json()["report_link"]).path  # the witness's link, signed with the data folder's key
    assert client.get(private).status_code == 200
    run_jobs(container)
    before = {table: count_rows(container, table) for table in TABLES}
    assert before["candidates"] == 1
    photos = {key: container.deps.photos.get(key) for key in container.deps.photos.list_keys()}
    assert len(photos) == 4

    runner = CliRunner()
    use(monkeypatch, settings)
    made = runner.invoke(cli, ["backup", str(tmp_path / "backup")])
    assert made.exit_code == 0, made.output
    assert "4 photos" in made.output and "signing key" in made.output
    key = tmp_path / "backup" / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600  # a secret, and the manifest says so
    assert "secret" in json.loads((tmp_path / "backup" / "manifest.json").read_text())["secret_key"]

    ensure_database(postgres.admin_uri, "restored_instance")
    empty = Settings(data_dir=tmp_path / "elsewhere", database_url=postgres.uri_for("restored_instance"),
                     _env_file=None)  # type: ignore[call-arg]
    use(monkeypatch, empty)
    refused = runner.invoke(cli, ["restore", str(tmp_path / "backup")], input="n\n")
    assert refused.exit_code != 0
    done = runner.invoke(cli, ["restore", str(tmp_path / "backup"), "--yes"])
    assert done.exit_code == 0, done.output
    assert "restored the signing key" in done.output

    restored = bootstrap(empty, run_migrations=True, faces=container.deps.faces)  # up to date: nothing to do
    try:
        assert {table: count_rows(restored, table) for table in TABLES} == before
        assert {key: restored.deps.photos.get(key) for key in restored.deps.photos.list_keys()} == photos
        with TestClient(create_app(restored), headers=client.headers) as restored_client:
            assert restored_client.get(f"/api/cases/{case_id}").json()["given_name"] == "Lin"
            assert restored_client.get(private).status_code == 200  # the witness's link still opens
    finally:
        restored.close()

    # an instance whose REUNITE_SECRET_KEY is another key is told so: the links sent before are refused there
    monkeypatch.setenv("REUNITE_SECRET_KEY", "another-key")
    warned = runner.invoke(cli, ["restore", str(tmp_path / "backup"), "--yes"])
    assert warned.exit_code == 0, warned.output
    assert "REUNITE_SECRET_KEY differs from the signing key in the backup" in warned.output


def test_restore_checks_the_photo_store_before_replacing_anything(
    client: TestClient, container: Container, settings: Settings, postgres: EmbeddedPostgres,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    form = {"given_name": "Mei", "sex": "female", "birth_date": "2010-01-01", "missing_since": "2015-06-01T08:00:00Z"}
    client.post("/api/cases", files=[("photos", ("k.jpg", face_jpeg(), "image/jpeg"))], data=form)
    runner = CliRunner()
    use(monkeypatch, settings)
    assert runner.invoke(cli, ["backup", str(tmp_path / "backup")]).exit_code == 0

    ensure_database(postgres.admin_uri, "store_unreachable")
    target = Settings(data_dir=tmp_path / "elsewhere", database_url=postgres.uri_for("store_unreachable"),
                      _env_file=None)  # type: ignore[call-arg]
    bootstrap(target, run_migrations=True, faces=container.deps.faces).close()  # an instance of its own, empty
    use(monkeypatch, target)
    monkeypatch.setenv("REUNITE_S3_BUCKET", "photos")
    monkeypatch.setenv("REUNITE_S3_ENDPOINT_URL", "http://127.0.0.1:1")  # nothing listens there
    for command in (["restore", str(tmp_path / "backup"), "--yes"], ["backup", str(tmp_path / "second")]):
        refused = runner.invoke(cli, command)
        assert refused.exit_code == 1
        [line] = refused.output.strip().splitlines()  # one line, no traceback
        assert line.startswith("error: cannot reach the photo store at http://127.0.0.1:1") and \
            "REUNITE_S3_ENDPOINT_URL" in line
    assert not (tmp_path / "second").exists()
    monkeypatch.delenv("REUNITE_S3_BUCKET")
    untouched = bootstrap(target, run_migrations=False, faces=container.deps.faces)
    try:  # the database was not replaced: no case of the backup arrived
        assert count_rows(untouched, "cases") == 0
    finally:
        untouched.close()
