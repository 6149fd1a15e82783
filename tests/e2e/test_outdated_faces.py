"""Faces stored with another embedding recipe (an upgrade's new adaptation matrix or preprocessing):
the worker says so as it starts, plain ``rematch`` warns that it will not mend them, /metrics counts
them, and ``rematch --reembed`` brings the count to 0."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from reunite.adapters.faces.dlib_engine import DlibFaceEngine
from reunite.bootstrap import Container, bootstrap
from reunite.config import Settings
from reunite.entrypoints.api.app import create_app
from reunite.entrypoints.cli import app as cli
from reunite.services import recipes
from reunite.services.matching import rematch_all
from tests.conftest import admin_token, run_jobs
from tests.e2e.test_onnx_engine import register_and_report, tiny_model, with_model
from tests.photos import face_jpeg

TOKEN = "scraper-secret"
WARNING = "another embedding recipe"


@pytest.fixture
def before_upgrade(settings: Settings, face_engine: DlibFaceEngine) -> Iterator[Container]:
    """This instance before an upgrade that shipped a new adaptation matrix (here: none before)."""
    old = DlibFaceEngine(face_engine.codec, replace(face_engine.options, adaptation=None))
    built = bootstrap(settings, run_migrations=False, faces=old)
    yield built
    built.close()


def outdated_metric(container: Container, name: str = "reunite_faces_outdated") -> float | None:
    container.settings.metrics_token = TOKEN
    with TestClient(create_app(container)) as scraper:
        text = scraper.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    found = re.search(rf"^{name} ([0-9.e+-]+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else None


def warnings(output: str) -> list[str]:
    return [line for line in output.splitlines() if WARNING in line]


def test_faces_of_another_recipe_are_told_counted_and_mended_by_reembedding(
    before_upgrade: Container, container: Container, cli_env: CliRunner
) -> None:
    operator = {"Authorization": f"Bearer {admin_token(before_upgrade)}"}
    with TestClient(create_app(before_upgrade), headers=operator) as old:
        form = {"given_name": "Lin", "sex": "female", "birth_date": "2000-01-01",
                "missing_since": "2002-06-01T08:00:00Z"}
        assert old.post("/api/cases", files=[("photos", ("k.jpg", face_jpeg(), "image/jpeg"))], data=form).is_success
        assert old.post("/api/sightings", files=[("photos", ("s.jpg", face_jpeg(mirror=True), "image/jpeg"))],
                        data={"seen_at": "2005-03-01T10:00:00Z"}).is_success
    run_jobs(before_upgrade)
    assert outdated_metric(container) is None  # no worker has said what its engine writes yet

    started = cli_env.invoke(cli, ["worker", "--until-empty"])  # after the upgrade
    assert started.exit_code == 0, started.output
    [line] = warnings(started.output)
    assert "2 stored faces (in 2 photos)" in line and "`reunite rematch --reembed`" in line
    assert outdated_metric(container) == 2

    plain = cli_env.invoke(cli, ["rematch"])
    assert plain.exit_code == 0, plain.output
    [line] = warnings(plain.output)
    assert line.startswith("warning: 2 stored faces") and "reunite rematch --reembed" in line

    assert cli_env.invoke(cli, ["rematch", "--reembed"]).exit_code == 0
    run_jobs(container)  # case photos are embedded with 3 jittered copies, sightings' with none: both current

    assert outdated_metric(container) == 0
    again = cli_env.invoke(cli, ["worker", "--until-empty"])
    assert again.exit_code == 0 and not warnings(again.output)
    assert not warnings(cli_env.invoke(cli, ["rematch"]).output)


def test_plain_rematch_warns_against_the_recipe_the_workers_recorded_not_its_own(
    before_upgrade: Container, container: Container, cli_env: CliRunner
) -> None:
    with TestClient(create_app(container), headers={"Authorization": f"Bearer {admin_token(container)}"}) as client:
        assert client.post("/api/sightings", files=[("photos", ("s.jpg", face_jpeg(mirror=True), "image/jpeg"))],
                           data={"seen_at": "2005-03-01T10:00:00Z"}).is_success
    run_jobs(container)  # embedded as the command line's own engine would
    assert not warnings(cli_env.invoke(cli, ["rematch"]).output)  # no worker recorded a recipe: its own

    # the workers run with a setting changed in their service's environment only
    assert recipes.warning(before_upgrade.deps, record=True)
    plain = cli_env.invoke(cli, ["rematch"])
    assert plain.exit_code == 0, plain.output
    [line] = warnings(plain.output)
    assert line.startswith("warning: 1 stored faces (in 1 photos)")
    assert outdated_metric(container) == 1  # what /metrics counts too


def test_second_model_embeddings_of_another_version_are_counted_apart(
    settings: Settings, face_engine: DlibFaceEngine, tmp_path: Path
) -> None:
    model = tmp_path / "tiny-arcface.onnx"
    digest = tiny_model(model, seed=1)
    before = bootstrap(with_model(settings, model, digest), run_migrations=False, faces=face_engine)
    try:
        with TestClient(create_app(before), headers={"Authorization": f"Bearer {admin_token(before)}"}) as client:
            register_and_report(client)
        run_jobs(before)
    finally:
        before.close()
    renamed = shutil.copy(model, tmp_path / "tiny-arcface-v2.onnx")  # the same model, its version names the file
    after = bootstrap(with_model(settings, Path(renamed), digest), run_migrations=False, faces=face_engine)
    try:
        line = recipes.warning(after.deps, record=True)
        assert line and line.startswith("4 embeddings by the second face model were made with another")
        assert outdated_metric(after) == 0  # dlib's are current
        assert outdated_metric(after, "reunite_faces_outdated_second_model") == 4

        rematch_all(after.deps, actor="test", reembed=True)
        run_jobs(after)
        assert outdated_metric(after, "reunite_faces_outdated_second_model") == 0
        assert recipes.warning(after.deps) is None
    finally:
        after.close()
