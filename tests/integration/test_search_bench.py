"""bench/search.py run small: it must measure the production query (open, verified cases) and find
what an exact scan finds, so it can never again report a number that measures nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bench.search import NOW, NothingToFind, exact_truth, load, measure
from reunite.adapters.db.ann import EF_SEARCH, HNSW_EF_CONSTRUCTION, HNSW_M
from reunite.adapters.db.uow import SqlUnitOfWork
from reunite.bootstrap import Container


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
