"""A face engine that cannot load (a truncated model file) is the installation's fault, never the
photo's: the photo waits, its job is retried, the operator is told which file; once the engine is
mended the photo is matched, and a worker that started while it was broken records the engine's recipe
then. Photos marked unreadable before this was so are read again by ``reunite rematch --reembed``."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from reunite.adapters.faces.dlib_engine import DlibFaceEngine, _model_path
from reunite.adapters.faces.dlib_resnet import DlibResnet
from reunite.adapters.faces.lazy import LazyFaceEngine
from reunite.bootstrap import Container, bootstrap
from reunite.config import Settings
from reunite.domain.access import Role
from reunite.domain.ports import FaceEngine
from reunite.entrypoints.api.app import create_app
from reunite.entrypoints.cli import app as cli
from reunite.entrypoints.worker.tasks import OutdatedFacesCheck, make_app, run_worker
from reunite.services.faces import UNREADABLE
from tests.conftest import run_jobs, session_for
from tests.photos import face_jpeg

TOKEN = "scraper-secret"


class Installation:
    """The face engine as a worker builds it: from a truncated copy of dlib's network while ``broken``."""

    def __init__(self, engine: DlibFaceEngine, cut: Path) -> None:
        self.engine, self.cut, self.broken = engine, cut, True

    def build(self) -> FaceEngine:
        if self.broken:
            DlibResnet(self.cut)  # raises, naming the file
        return self.engine


@pytest.fixture
def installation(face_engine: DlibFaceEngine, tmp_path: Path) -> Installation:
    net = Path(_model_path("dlib_face_recognition_resnet_model_v1.dat")).read_bytes()
    cut = tmp_path / "dlib_face_recognition_resnet_model_v1.dat"
    cut.write_bytes(net[:len(net) // 3])
    return Installation(face_engine, cut)


@pytest.fixture
def broken(settings: Settings, installation: Installation) -> Iterator[Container]:
    settings.metrics_token = TOKEN
    # built again at every try (the test mends it at once, not seconds later as an operator would)
    built = bootstrap(settings, run_migrations=False, faces=LazyFaceEngine(installation.build, rebuild_after=0))
    yield built
    built.close()


def run_once(container: Container, outdated: OutdatedFacesCheck | None = None) -> None:
    """The worker until nothing is due (a retry scheduled later waits)."""
    asyncio.run(run_worker(make_app(container.database_uri, container.deps, periodic=False, outdated=outdated), 1,
                           wait=False, install_signal_handlers=False))


def metrics(container: Container) -> str:
    return TestClient(create_app(container)).get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text


def moderator(container: Container) -> TestClient:
    test = TestClient(create_app(container))
    test.cookies.set("reunite_session", session_for(container, Role.MODERATOR)[1])
    return test


def report(client: TestClient) -> int:
    answer = client.post("/api/sightings", files=[("photos", ("s.jpg", face_jpeg(mirror=True), "image/jpeg"))],
                         data={"seen_at": "2005-03-01T10:00:00Z"})
    assert answer.is_success, answer.text
    return int(answer.json()["id"])


def report_card(container: Container, sighting_id: int, lang: str = "en") -> str:
    """The report's card in the moderators' queue of reports."""
    page = moderator(container).get(f"/moderation/reports?lang={lang}").text
    found = re.search(rf'id="report-{sighting_id}".*?</article>', page, re.DOTALL)
    assert found, page
    return found.group(0)


def photo_row(container: Container, sighting_id: int) -> tuple[object, ...]:
    with container.engine.connect() as conn:
        return tuple(conn.exec_driver_sql("SELECT processed_at IS NOT NULL, failed_reason, face_count FROM photos "
                                          "WHERE sighting_id = %s", (sighting_id,)).one())


def test_a_broken_face_model_leaves_the_photo_waiting_and_names_the_file_until_it_is_mended(
    client: TestClient, container: Container, broken: Container, installation: Installation,
    caplog: pytest.LogCaptureFixture
) -> None:
    form = {"given_name": "Lin", "sex": "female", "birth_date": "2000-01-01", "missing_since": "2002-06-01T08:00:00Z"}
    assert client.post("/api/cases", files=[("photos", ("k.jpg", face_jpeg(), "image/jpeg"))], data=form).is_success
    run_jobs(container)  # the family's case was read before the model file broke

    sighting_id = report(TestClient(create_app(container)))  # a passer-by's: it waits for a moderator
    outdated = OutdatedFacesCheck(broken.deps)  # a worker started since
    with caplog.at_level(logging.INFO):
        outdated()
        run_once(broken, outdated)

    assert photo_row(broken, sighting_id) == (False, None, None)  # waiting, not marked unreadable
    said = [r.getMessage() for r in caplog.records if r.name == "reunite.worker" and r.levelno == logging.ERROR]
    assert len(said) == 1 and str(installation.cut) in said[0] and "truncated" in said[0], said
    # procrastinate says the job is to be retried, without a traceback burying that line
    assert any("Error, to retry" in r.getMessage() for r in caplog.records if r.name.startswith("procrastinate"))
    assert "Traceback" not in caplog.text and "could not compare the stored faces" in caplog.text
    with broken.engine.connect() as conn:
        status, attempts, due_in = conn.exec_driver_sql(
            "SELECT status::text, attempts, EXTRACT(EPOCH FROM scheduled_at - now()) FROM procrastinate_jobs "
            "WHERE task_name = 'faces.process_sighting'").one()
    assert (status, attempts) == ("todo", 1) and 0 < due_in <= 4  # retried, after a wait
    page = moderator(broken).get(f"/sightings/{sighting_id}").text
    assert "faces are still being searched for in this photo" in page
    assert "could not be searched for" not in page and UNREADABLE not in page
    card = report_card(broken, sighting_id)  # not "Faces 0", which reads as "no child in the photos"
    assert "faces are still being searched for in its photos" in card and "<dd>0</dd>" not in card
    assert "仍在其照片中查找人脸" in report_card(broken, sighting_id, "zh_CN")
    measured = metrics(broken)
    assert re.search(r"^reunite_face_engine_failures 1\.0$", measured, re.MULTILINE), measured
    assert "reunite_faces_outdated " not in measured  # no worker could say what its engine writes

    installation.broken = False  # the operator reinstalls face-recognition-models
    with broken.engine.begin() as conn:  # the retry's wait is over
        conn.exec_driver_sql("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE status = 'todo'")
    run_once(broken, outdated)  # the same worker, not restarted
    assert photo_row(broken, sighting_id) == (True, None, 1)
    assert outdated.done and re.search(r"^reunite_faces_outdated 0\.0$", metrics(broken), re.MULTILINE)
    card = report_card(broken, sighting_id)
    assert "<dd>1</dd>" in card and "still being searched" not in card
    with broken.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM candidates c JOIN faces f ON f.id = c.sighting_face_id "
                                    "WHERE f.sighting_id = %s", (sighting_id,)).scalar_one() == 1


def test_rematch_reembed_reads_again_a_photo_once_wrongly_marked_unreadable(
    client: TestClient, container: Container, cli_env: CliRunner
) -> None:
    sighting_id = report(client)
    run_jobs(container)
    with container.engine.begin() as conn:  # what a broken model did to photos before this was fixed
        photo_id = conn.exec_driver_sql("SELECT id FROM photos WHERE sighting_id = %s", (sighting_id,)).scalar_one()
        conn.exec_driver_sql("DELETE FROM faces WHERE photo_id = %s", (photo_id,))
        conn.exec_driver_sql("UPDATE photos SET failed_reason = %s, face_count = NULL WHERE id = %s",
                             (UNREADABLE, photo_id))
    assert "faces could not be searched for in this photo" in moderator(container).get(f"/sightings/{sighting_id}").text

    result = cli_env.invoke(cli, ["rematch", "--reembed"])
    assert result.exit_code == 0, result.output
    run_jobs(container)

    assert photo_row(container, sighting_id) == (True, None, 1)
    assert "could not be searched for" not in moderator(container).get(f"/sightings/{sighting_id}").text
    with container.engine.connect() as conn:
        recovered = conn.exec_driver_sql("SELECT count(*) FROM audit_log WHERE action = 'photo.faces_detected' "
                                         "AND subject_id = %s AND detail->>'recovered' = 'true'",
                                         (photo_id,)).scalar_one()
    assert recovered == 1


def test_forked_workers_refuse_to_start_with_a_broken_engine_a_single_worker_waits(
    cli_env: CliRunner, installation: Installation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("reunite.bootstrap.build_engines", lambda *_: installation.build())
    forked = cli_env.invoke(cli, ["worker", "--processes", "2", "--until-empty"])
    assert forked.exit_code == 1  # a supervisor restarts it
    [line] = [line for line in forked.output.splitlines()  # one line, besides migrations and warnings
            if " INFO " not in line and not line.startswith("warning: ")]
    assert line.startswith("error: the face engine is unavailable: ") and str(installation.cut) in line
    single = cli_env.invoke(cli, ["worker", "--until-empty"])  # stays up (here: until the queue is empty)
    assert single.exit_code == 0, single.output
    assert "could not compare the stored faces" in single.output and "Traceback" not in single.output
