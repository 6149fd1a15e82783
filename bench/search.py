"""Candidate search latency and recall at 10k, 100k and 1M faces, with the production query.

    python bench/search.py [--sizes 10000 100000 1000000] [--queries 200] [--out FILE]

Faces are synthetic but face-like (identities clustered in a cone, as dlib's embeddings are; uniform
random vectors make every ANN index look broken). The query is ``near_case_faces``: HNSW with the
filters 'case open' and 'missing before the sighting', iterative scan on, fetching as many faces as
matching does (``ann_neighbours``, 200) and keeping the best 10. Recall@10 is measured against the same
query run as an exact scan."""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import machine, peak_memory_mb, scratch_instance
from reunite.adapters.db.uow import SqlUnitOfWork, vector_literal
from reunite.bootstrap import Container
from reunite.config import Settings

FACES_PER_CASE = 4
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def face_like(rng: np.random.Generator, identities: int, per: int) -> np.ndarray:
    axis = rng.standard_normal(128)
    axis /= np.linalg.norm(axis)
    centres = axis * 1.7 + rng.standard_normal((identities, 128)) / np.sqrt(128)
    faces = np.repeat(centres, per, axis=0) + rng.standard_normal((identities * per, 128)) * 0.35 / np.sqrt(128)
    return faces / np.linalg.norm(faces, axis=1, keepdims=True)


def copy_rows(container: Container, table: str, columns: str, rows: io.StringIO) -> None:
    raw = container.engine.raw_connection()
    try:
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            rows.seek(0)
            while chunk := rows.read(1 << 20):
                copy.write(chunk)
        raw.commit()
    finally:
        raw.close()


def load_faces(container: Container, vectors: np.ndarray, rng: np.random.Generator) -> None:
    cases = len(vectors) // FACES_PER_CASE
    missing = [NOW - timedelta(days=int(d)) for d in rng.integers(0, 3650, cases)]
    status = np.where(rng.random(cases) < 0.9, "open", "closed")
    buf = io.StringIO()
    for i in range(cases):
        buf.write(f"{i + 1}\tchild\tunknown\t2010-01-01\t{missing[i].isoformat()}\t{status[i]}\n")
    copy_rows(container, "cases", "id, given_name, sex, birth_date, missing_since, status", buf)
    buf = io.StringIO()
    for i in range(cases):
        buf.write(f"{i + 1}\t{i + 1}\tk\t{'0' * 64}\timage/jpeg\t1\t1\t2010-01-01\n")
    copy_rows(container, "photos", "id, case_id, storage_key, sha256, mime, width, height, taken_on", buf)
    buf = io.StringIO()
    for j, vector in enumerate(vectors):
        case = j // FACES_PER_CASE + 1
        buf.write(f"{case}\t{case}\t0\t0\t1\t1\t[]\t1\t1\thog\t{vector_literal(vector)}\tm\tv\tk\n")
    copy_rows(container, "faces", "photo_id, case_id, box_left, box_top, box_right, box_bottom, landmarks, "
              "detection_score, quality, detector, embedding, model, model_version, crop_key", buf)
    with container.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


def measure(container: Container, size: int, queries: int, seed: int, fetch: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    vectors = face_like(rng, size // FACES_PER_CASE, FACES_PER_CASE)
    started = time.perf_counter()
    with container.engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_faces_case_embedding")
        conn.exec_driver_sql("TRUNCATE cases, photos, faces RESTART IDENTITY CASCADE")
    load_faces(container, vectors, rng)
    loaded = time.perf_counter()
    with container.engine.begin() as conn:
        conn.exec_driver_sql("SET maintenance_work_mem = '2GB'")
        conn.exec_driver_sql("SET max_parallel_maintenance_workers = 2")
        conn.exec_driver_sql(
            "CREATE INDEX ix_faces_case_embedding ON faces USING hnsw (embedding vector_cosine_ops) "
            "WITH (m = 16, ef_construction = 64) WHERE case_id IS NOT NULL")
    built = time.perf_counter()
    probes = vectors[rng.choice(len(vectors), queries, replace=False)]
    probes = probes + rng.standard_normal(probes.shape) * 0.3 / np.sqrt(128)
    latencies, recalls = [], []
    for probe in probes:
        seen_at = NOW - timedelta(days=int(rng.integers(0, 1800)))
        with SqlUnitOfWork(container.engine) as uow:
            t = time.perf_counter()
            approx = uow.near_case_faces(list(probe), seen_at, fetch)[:10]  # as matching does: fetch, rescore
            latencies.append((time.perf_counter() - t) * 1000)
            uow.conn.exec_driver_sql("SET LOCAL enable_indexscan = off")
            exact = uow.near_case_faces(list(probe), seen_at, 10)
        truth = {r.case_face_id for r in exact}
        recalls.append(len(truth & {r.case_face_id for r in approx}) / max(len(truth), 1))
    return {
        "faces": size, "load_seconds": round(loaded - started, 1), "index_build_seconds": round(built - loaded, 1),
        "p50_ms": round(float(np.percentile(latencies, 50)), 2),
        "p95_ms": round(float(np.percentile(latencies, 95)), 2),
        "recall_at_10": round(float(np.mean(recalls)), 4), "queries": queries, "fetched": fetch,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--fetch", type=int, default=Settings().ann_neighbours,
                        help="faces fetched per query before the top 10 is taken (REUNITE_ANN_NEIGHBOURS)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    container = scratch_instance()
    results = [measure(container, size, args.queries, seed=size, fetch=args.fetch) for size in args.sizes]
    text = json.dumps({"machine": machine(), "results": results, "peak_memory_mb": peak_memory_mb()}, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
