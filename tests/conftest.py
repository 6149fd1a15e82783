"""Shared fixtures: one embedded PostgreSQL per test session, a fresh database per test (copied
from a migrated template), the real dlib engine loaded once, and helpers to run the worker."""

from __future__ import annotations

import asyncio
import html
import io
import itertools
import os
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import psycopg
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import create_engine

from reunite.adapters.db import migrate
from reunite.adapters.db.server import EmbeddedPostgres, ensure_database, sqlalchemy_url
from reunite.adapters.faces.dlib_engine import DlibFaceEngine
from reunite.adapters.photos.codec import PillowPhotoCodec
from reunite.bootstrap import Container, bootstrap, build_face_engine
from reunite.config import Settings
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.domain.model import NewCase, NewSighting, Sex, Upload
from reunite.domain.principals import ANONYMOUS
from reunite.entrypoints.api.app import create_app
from reunite.entrypoints.worker.tasks import make_app, run_worker
from reunite.services import intake
from reunite.services.accounts import issue_token, sign_in, sign_up

# A reviewer's confirmation reaches the family at once in tests (every Settings, worker processes too);
# the tests of the undo window set their own (tests/e2e/test_workbench.py).
os.environ.setdefault("REUNITE_UNDO_MINUTES", "0")
TEMPLATE = "reunite_template"
_db_numbers = itertools.count()


def corpus_dir() -> Path:
    return Path(os.environ.get("REUNITE_CORPUS", Path(__file__).parents[1] / "../shared/corpus")).resolve()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly how many tests the missing corpus skipped, and that only those did."""
    skipped = terminalreporter.stats.get("skipped", [])
    corpus = [r for r in skipped if "face corpus not found" in str(getattr(r, "longrepr", ""))]
    if corpus:
        terminalreporter.write_line(
            f"{len(corpus)} of {len(skipped)} skipped tests need the shared face corpus (cross-age tests) and it "
            f"was not found at {corpus_dir()}: set REUNITE_CORPUS to run them.", yellow=True)


@pytest.fixture(scope="session")
def fgnet() -> Path:
    """The fgnet-dev corpus folder; tests that need it skip, saying why, when it is absent."""
    folder = corpus_dir() / "fgnet-dev"
    if not (folder / "manifest.csv").exists():
        pytest.skip(f"face corpus not found at {folder} (set REUNITE_CORPUS)")
    return folder


@pytest.fixture(autouse=True)
def pfif_exports_conform(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every PFIF document any test makes Reunite write is checked against the 1.4 specification."""
    from reunite.adapters.exchange import pfif as codec
    from tests import pfif_conformance

    written = codec.write

    def checked(persons: list[dict[str, str]], notes: list[dict[str, str]]) -> bytes:
        document = written(persons, notes)
        problems = pfif_conformance.check(document)
        assert not problems, "the PFIF export does not conform:\n" + "\n".join(problems)
        return document

    monkeypatch.setattr(codec, "write", checked)


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedPostgres:
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg") / "pgdata")
    ensure_database(server.admin_uri, TEMPLATE)
    engine = create_engine(sqlalchemy_url(server.uri_for(TEMPLATE)))
    migrate.upgrade(engine)
    engine.dispose()
    return server


@pytest.fixture
def database_uri(postgres: EmbeddedPostgres) -> Iterator[str]:
    name = f"test_{os.getpid()}_{next(_db_numbers)}"
    ensure_database(postgres.admin_uri, name, template=TEMPLATE)
    yield postgres.uri_for(name)
    with psycopg.connect(postgres.admin_uri, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def face_engine() -> DlibFaceEngine:
    settings = Settings()
    return build_face_engine(settings, PillowPhotoCodec(settings.max_photo_bytes, settings.max_photo_pixels))


# Tests of flows (review, access, reach) need a candidate from a handful of photos; at the shipped
# operating point (1 in 500, docs/benchmarks.md) most true pairs are not proposed, so they run with a
# loose one. tests/e2e/test_volume.py checks the shipped operating point itself.
FLOW_OPERATING_POINT = 2.0


@pytest.fixture
def settings(tmp_path: Path, database_uri: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_uri,  # type: ignore[call-arg]
                    _env_file=None, propose_one_in=FLOW_OPERATING_POINT)


@pytest.fixture
def container(settings: Settings, face_engine: DlibFaceEngine) -> Iterator[Container]:
    built = bootstrap(settings, run_migrations=False, faces=face_engine)
    yield built
    built.close()


def admin_token(container: Container) -> str:
    """A partner token with every scope: what a police registry's integration would hold."""
    return issue_token(container.deps, OPERATOR, "test police registry", [Scope.ADMIN])


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    """The API as a police registry with an admin-scoped token sees it."""
    headers = {"Authorization": f"Bearer {admin_token(container)}"}
    with TestClient(create_app(container), headers=headers) as test_client:
        yield test_client


@pytest.fixture
def anonymous(container: Container) -> Iterator[TestClient]:
    """The API and pages as someone without an account or token sees them."""
    with TestClient(create_app(container)) as test_client:
        yield test_client


def session_for(container: Container, role: Role, email: str | None = None) -> tuple[int, str]:
    """An account with this role and a signed-in session token for it."""
    email = email or f"{role.value}-{next(_db_numbers)}@example.org"
    account_id = sign_up(container.deps, email, "correct horse battery", role.value.title(), role=role)
    return account_id, sign_in(container.deps, email, "correct horse battery")


def run_jobs(container: Container) -> None:
    """Run the worker until the queue is empty, as production would in the background."""
    jobs = make_app(container.database_uri, container.deps, periodic=False)
    # in a thread of its own: Playwright's sync API keeps an event loop running in this one
    until_empty = run_worker(jobs, 1, wait=False, install_signal_handlers=False)
    worker = threading.Thread(target=asyncio.run, args=(until_empty,))
    worker.start()
    worker.join()
    with container.engine.connect() as conn:
        unfinished = conn.exec_driver_sql(  # a job for later (the reviewers' next hourly notice) is not due yet
            "SELECT task_name, status, attempts FROM procrastinate_jobs WHERE status <> 'succeeded' "
            "AND NOT (status = 'todo' AND scheduled_at > now() + interval '30 seconds')"
        ).fetchall()
    assert not unfinished, f"jobs did not succeed: {unfinished}"


def run_jobs_settled(container: Container, timeout: float = 60.0) -> None:
    """Run jobs until none is waiting, including retries scheduled a few seconds ahead."""
    deadline = time.monotonic() + timeout
    while True:
        jobs = make_app(container.database_uri, container.deps, periodic=False)
        thread = threading.Thread(target=asyncio.run, args=(run_worker(jobs, 1, wait=False,
                                                                        install_signal_handlers=False),))
        thread.start()
        thread.join()
        with container.engine.connect() as conn:
            waiting = conn.exec_driver_sql(
                "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing') "
                "AND (scheduled_at IS NULL OR scheduled_at < now() + interval '30 seconds')").scalar_one()
        if not waiting:
            return
        assert time.monotonic() < deadline, "jobs still waiting"
        time.sleep(0.5)


class SettableClock:
    """A clock a test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


def jpeg(pixels: np.ndarray, exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="JPEG", exif=exif or Image.Exif())
    return out.getvalue()


def plain_photo(width: int = 320, height: int = 240, seed: int = 0) -> bytes:
    """A neutral, face-free photo (smooth noise)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(60, 200, size=(height // 16, width // 16, 3), dtype=np.uint8)
    pixels = np.asarray(Image.fromarray(small).resize((width, height), Image.Resampling.BICUBIC))
    return jpeg(pixels)


def as_read(container: Container, *sighting_ids: int) -> dict[int, str]:
    """Each report's version as a moderator reads it now: a decision sent with it changes a decided report."""
    return {i: container.deps.read.sighting(i)["version"] for i in sighting_ids}


def newest_sighting(container: Container) -> int:
    """The report stored last (ids are permuted: they say nothing of the order reports came in)."""
    with container.engine.connect() as conn:
        return int(conn.exec_driver_sql(
            "SELECT id FROM sightings ORDER BY created_at DESC, id DESC LIMIT 1").scalar_one())


def a_sighting(container: Container, seed: int = 0) -> int:
    """A passer-by's report (one plain photo), waiting for moderation: a record a removal request can name."""
    return intake.report_sighting(container.deps, ANONYMOUS, NewSighting(None, None),
                                  [Upload(plain_photo(seed=seed), "s.jpg")]).sighting_id


_case_photos = itertools.count(1000)  # each case a photo of its own: one picture in two cases is flagged


def a_case(container: Container, given_name: str = "Lin") -> int:
    """A case the command line registered (one plain photo, its own): a record a removal request can name."""
    case = NewCase(given_name=given_name, family_name="", sex=Sex.FEMALE, birth_date=date(2015, 1, 1),
                   missing_since=datetime(2020, 6, 1, 8, tzinfo=UTC), last_seen_place=None)
    return intake.register_case(container.deps, OPERATOR, case, [Upload(plain_photo(seed=next(_case_photos)), "a.jpg")],
                                [None]).case_id


def count_rows(container: Container, table: str) -> int:
    with container.engine.connect() as conn:
        return int(conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())


def said_at_top(page: str) -> str | None:
    """Why a page says its form was refused, at its top (``#form-error``), unescaped: a form's summary of its
    problems (``_macros.error_summary``) gives them all in one text, as other pages' box does."""
    found = re.search(r'id="form-error"(?:[^>]*? data-error="([^"]*)")?[^>]*>([^<]*)<', page)
    return html.unescape(found.group(1) if found.group(1) is not None else found.group(2)) if found else None
