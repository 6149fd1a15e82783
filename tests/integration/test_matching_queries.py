"""Matching reads and writes in a constant number of queries per face, however many cases lie near
it (it once read each nearby case on its own: up to 200 queries per face)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from sqlalchemy import event

from bench.search import FACES_PER_CASE, NOW, build_index, gallery_of, load_faces
from bench.synthetic_faces import cone
from reunite.adapters.db.ann import HNSW_EF_CONSTRUCTION, HNSW_M
from reunite.bootstrap import Container
from reunite.domain.model import BoundingBox, DetectedFace, NewSighting, PhotoFacts, PhotoOwner, SeenTime
from reunite.services.matching import match_case, match_sighting
from reunite.services.notices import REVIEWERS_NOTICE
from reunite.services.throttle import HOUR, hit


def gallery(container: Container, faces: int) -> np.ndarray:
    rng = np.random.default_rng(11)
    vectors, _ = cone(rng, faces // FACES_PER_CASE, FACES_PER_CASE)
    with container.engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_faces_case_embedding")
    load_faces(container, gallery_of(vectors, rng))
    build_index(container, HNSW_M, HNSW_EF_CONSTRUCTION)
    return vectors


def sighting_with_faces(container: Container, vectors: np.ndarray) -> int:
    with container.deps.uow() as uow:
        seen = SeenTime(NOW + timedelta(days=1))
        sighting_id = uow.add_sighting(NewSighting(None, None), seen, NOW, "approved", None)
        photo_id = uow.add_photo(PhotoOwner.SIGHTING, sighting_id, PhotoFacts("0" * 64, 9, 9, "image/jpeg"),
                                 "k", None)
        found = [DetectedFace(BoundingBox(i, 0, i + 1, 1), (), 1.0, 1.0, tuple(float(v) for v in vector), "m", "v",
                              "hog") for i, vector in enumerate(vectors)]
        ids = uow.replace_faces(photo_id, found, ["k"] * len(found))
        if len(ids) == 1:  # an only face is the child's once found (``moderation.settle_child_face``)
            uow.set_child_face(sighting_id, ids[0])
        uow.commit()
    return sighting_id


def statements(container: Container, run: object) -> int:
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(container.engine, "before_cursor_execute", count)
    try:
        run()  # type: ignore[operator]
    finally:
        event.remove(container.engine, "before_cursor_execute", count)
    return len(seen)


def test_matching_queries_do_not_grow_with_the_cases_near_a_face(container: Container) -> None:
    vectors = gallery(container, 800)  # 200 cases: the 200 nearest faces span dozens of cases
    few = sighting_with_faces(container, vectors[:1])
    many = sighting_with_faces(container, vectors[:3] + 0.01)
    one_face = statements(container, lambda: match_sighting(container.deps, few))
    three_faces = statements(container, lambda: match_sighting(container.deps, many))
    with container.engine.connect() as conn:
        nearby = conn.exec_driver_sql("SELECT count(DISTINCT case_id) FROM candidates").scalar_one()
    assert nearby >= 2  # the shortlist came from many nearby cases
    # with the count of open cases, the read of the stored candidates (each scored again), the pairs a person
    # already touched (one face per report and case), the withdraw-and-trim statements, the notice check, whether
    # the report is a found child's (``found_sightings``: proposed to no other case)
    assert one_face <= 18
    assert three_faces - one_face <= 2 * 5  # a few statements per extra face, not one per nearby case
    case_faces = statements(container, lambda: match_case(container.deps, 1))  # 4 faces, 200 sighting faces
    with container.engine.connect() as conn:  # each plausible sighting is matched again against every case
        rematched = conn.exec_driver_sql("SELECT (detail->>'sightings')::int FROM audit_log "
                                         "WHERE action = 'case.matched' ORDER BY id DESC LIMIT 1").scalar_one()
    # constant per case face (the search, and the duplicate-case check) and per plausible sighting matched again,
    # and a few per case: its photos read against reports' and rejected cases' pictures (probe s36 K1), withdrawn
    # reports' fingerprints and the copies a moderator cleared (probe s39 L4)
    assert case_faces <= 14 + 10 * FACES_PER_CASE + 16 * rematched


def test_rematching_refreshes_candidates_without_duplicating_them(container: Container) -> None:
    vectors = gallery(container, 400)
    sighting = sighting_with_faces(container, vectors[:2])
    first = match_sighting(container.deps, sighting)
    assert first > 0
    assert match_sighting(container.deps, sighting) == 0
    with container.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT count(*) FROM candidates").scalar_one()
    assert rows == first


def test_no_reviewers_notice_job_per_sighting_once_this_hours_notice_went_out(container: Container) -> None:
    """A notice job deferred after each matched sighting would only find the hourly notice sent and stop:
    once it went out, matching defers one, for when the hour is over (work that came meanwhile is announced
    then: probe s43 E2), and no more (one job per sighting was half of a busy worker's jobs)."""
    vectors = gallery(container, 400)
    waiting = ("SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'reach.tell_reviewers' "
               "AND status = 'todo'")
    match_sighting(container.deps, sighting_with_faces(container, vectors[:1]))
    with container.engine.begin() as conn:
        assert conn.exec_driver_sql(waiting).scalar_one() == 1  # not told yet this hour: a notice is due
        conn.exec_driver_sql("DELETE FROM procrastinate_jobs")
    hit(container.deps, REVIEWERS_NOTICE, 1, HOUR)  # the hour's notice went out
    for n in (1, 2):
        match_sighting(container.deps, sighting_with_faces(container, vectors[n:n + 1]))
    with container.engine.connect() as conn:
        [later] = conn.exec_driver_sql(waiting.replace("count(*)", "scheduled_at")).scalars()
    assert HOUR - timedelta(minutes=2) < later - container.deps.clock.now() <= HOUR + timedelta(minutes=1)
