"""bench/search.py run small: it must measure the production query (open, verified cases) and find
what an exact scan finds, so it can never again report a number that measures nothing."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import event

from bench.search import NOW, NothingToFind, exact_truth, load, measure
from bench.synthetic_faces import Spread, describe, shaped_like
from reunite.adapters.db.ann import EF_SEARCH, HNSW_EF_CONSTRUCTION, HNSW_M
from reunite.adapters.db.extra_faces import ExtraModel, ensure_indexes
from reunite.adapters.db.uow import SqlUnitOfWork
from reunite.adapters.faces.dlib_engine import DlibFaceEngine
from reunite.bootstrap import Container, bootstrap
from reunite.config import Settings


def test_search_bench_recall_at_10_is_at_least_0_9(container: Container) -> None:
    rows = measure(container, 2000, 30, [(HNSW_M, HNSW_EF_CONSTRUCTION)], [EF_SEARCH], fetch=200, seed=7)
    assert [row["recall_at_10"] >= 0.9 for row in rows] == [True], rows
    assert rows[0]["own_faces_found"] >= 0.9, rows  # a probe's own person's faces, among those it may find


def test_production_query_returns_faces_most_similar_first(container: Container) -> None:
    probes = load(container, 2000, 5, seed=3).probes
    with container.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE INDEX ix_faces_case_embedding ON faces USING hnsw (embedding vector_cosine_ops) "
            "WHERE case_id IS NOT NULL")
    for probe in probes:
        with SqlUnitOfWork(container.engine) as uow:
            rows = uow.near_case_faces(list(probe), NOW + timedelta(days=1), 200)
        similarities = [row.similarity for row in rows]
        assert len(rows) == 200
        assert similarities == sorted(similarities, reverse=True)


def test_search_bench_stops_when_the_production_query_finds_nothing(container: Container) -> None:
    data = load(container, 400, 3, seed=5)
    with container.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE cases SET verified_at = NULL")  # what the bench once loaded
    with pytest.raises(NothingToFind):
        exact_truth(container, data.probes, data.seen)


def low_dimensional_faces(people: int, per: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Faces whose people differ in 16 of the 128 directions only: far easier for an index than the cone."""
    rng = np.random.default_rng(seed)
    basis = np.linalg.qr(rng.standard_normal((128, 16)))[0].T
    centres = 3.0 * rng.standard_normal(128) / np.sqrt(128) + rng.standard_normal((people, 16)) @ basis * 0.2
    faces = np.repeat(centres, per, axis=0) + rng.standard_normal((people * per, 16)) @ basis * 0.05
    return faces, np.repeat(np.arange(people), per)


def test_dlib_like_faces_resemble_the_faces_they_were_fitted_on() -> None:
    faces, people = low_dimensional_faces(41, 12, seed=1)
    real = describe(faces, people)
    synthetic = describe(*shaped_like(people, Spread.fit(faces, people)))
    cone_set = describe(*shaped_like(people, None))
    assert abs(synthetic["strangers_intrinsic_dimensionality"] - real["strangers_intrinsic_dimensionality"]) < 3
    assert abs(synthetic["different_people_similarity"] - real["different_people_similarity"]) < 0.02
    assert cone_set["strangers_intrinsic_dimensionality"] > 2 * real["strangers_intrinsic_dimensionality"]


def test_search_bench_on_dlib_like_faces_measures_the_production_query(container: Container) -> None:
    spread = Spread.fit(*low_dimensional_faces(41, 12, seed=2))
    rows = measure(container, 2000, 20, [(HNSW_M, HNSW_EF_CONSTRUCTION)], [EF_SEARCH], fetch=200, seed=9,
                   spread=spread)
    assert rows[0]["recall_at_10"] >= 0.9, rows


def test_a_deployment_sets_how_widely_the_index_searches(settings: Settings, face_engine: DlibFaceEngine) -> None:
    """REUNITE_ANN_EF_SEARCH reaches every vector query (a small deployment may search less widely)."""
    assert settings.ann_ef_search == EF_SEARCH != 300
    narrow = bootstrap(settings.model_copy(update={"ann_ef_search": 300}), run_migrations=False, faces=face_engine)
    try:
        with narrow.deps.uow() as uow:
            uow.near_case_faces([0.1] * 128, NOW, 5)
            assert uow.conn.exec_driver_sql("SHOW hnsw.ef_search").scalar() == "300"
    finally:
        narrow.close()


def test_the_second_models_queries_search_as_widely_set_once_a_transaction(container: Container) -> None:
    """The second face model's searches take the deployment's scan settings like dlib's, set once in a
    transaction whichever query comes first (a matching job runs both)."""
    model = ExtraModel("probe", 4)
    ensure_indexes(container.engine, model)
    settings: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *rest: object) -> None:
        settings.extend(["hnsw"] if "hnsw.ef_search" in statement and "set_config" in statement else [])

    event.listen(container.engine, "before_cursor_execute", seen)
    try:
        for _ in range(2):  # each transaction sets them again
            with SqlUnitOfWork(container.engine, 300, model) as uow:
                uow.near_sighting_faces_extra([0.5] * 4, NOW - timedelta(days=1), 5)
                assert uow.conn.exec_driver_sql("SHOW hnsw.ef_search").scalar() == "300"
                uow.near_case_faces_extra([0.5] * 4, NOW, 5)
                uow.near_case_faces([0.1] * 128, NOW, 5)
    finally:
        event.remove(container.engine, "before_cursor_execute", seen)
    assert settings == ["hnsw", "hnsw"]
