"""Candidate search latency and recall at 10k, 100k and 1M faces, with the production query, for a
table of index parameters (HNSW m, ef_construction; ef_search at query time).

    python bench/search.py [--sizes 10000 100000] [--builds 16:64 24:128] [--ef-search 100 200]
                           [--queries 200] [--out FILE] [--keep DIR] [--shared-buffers 3GB]

Faces are synthetic but face-like (identities clustered in a cone, as dlib's embeddings are; uniform
random vectors make every ANN index look broken). Cases are loaded open and verified, as the production
query requires; the bench stops if that query, run as an exact scan, does not return 10 faces for
every probe (it once measured recall 0.0 because it did not). The query is ``near_case_faces``: HNSW
with the filters 'case open and verified' and 'missing before the sighting', iterative scan on,
fetching as many faces as matching does (``ann_neighbours``, 200), sorted by exact distance, keeping
the best 10. Recall@10 is measured against the same query run as an exact scan (no index). The
machine's load average is recorded with every row: other processes share the cores, so each row also
gives the CPU time the database spent per query (its backend's schedstat), which load does not inflate.
Loading and indexing 1M faces takes an hour on 2 cores: ``--keep DIR`` keeps the instance and a later
run reuses its faces, exact answers and index."""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import machine, peak_memory_mb, scratch_instance
from bench.synthetic_faces import Spread, cone, corpus_faces, describe, shaped_like, unit
from reunite.adapters.db.ann import EF_SEARCH, HNSW_EF_CONSTRUCTION, HNSW_M, vector_literal
from reunite.adapters.db.uow import SqlUnitOfWork
from reunite.bootstrap import Container
from reunite.config import Settings

FACES_PER_CASE = 4
NOW = datetime(2026, 11, 1, tzinfo=UTC)


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


@dataclass
class Dataset:
    """What one (size, seed) loads and asks: the faces, their cases, the probes and the sighting times."""

    vectors: np.ndarray
    missing: list[datetime]
    open_: np.ndarray
    probes: np.ndarray
    seen: list[datetime]
    sources: np.ndarray  # the face each probe is a new photo of


def own_faces(source: int) -> set[int]:
    """The ids of the faces of the probe's own person (faces are loaded in order with ids from 1, as
    ``load_faces`` gives them: a new row's id is permuted, migration 0027)."""
    first = source // FACES_PER_CASE * FACES_PER_CASE + 1
    return set(range(first, first + FACES_PER_CASE))


def gallery_of(vectors: np.ndarray, rng: np.random.Generator) -> Dataset:
    """Cases for these faces (``FACES_PER_CASE`` each, verified, 9 in 10 open), without probes."""
    cases = len(vectors) // FACES_PER_CASE
    missing = [NOW - timedelta(days=int(d)) for d in rng.integers(0, 3650, cases)]
    return Dataset(vectors, missing, rng.random(cases) < 0.9, vectors[:0], [], np.zeros(0, dtype=int))


def synthesise(size: int, queries: int, seed: int, spread: Spread | None = None) -> Dataset:
    """``size`` faces, ``FACES_PER_CASE`` a person, and ``queries`` probes: with ``spread``, dlib-like
    people and each probe a new photo of one of them; without, the cone and each probe a face nudged."""
    rng = np.random.default_rng(seed)
    people = size // FACES_PER_CASE
    if spread is None:
        vectors, _ = cone(rng, people, FACES_PER_CASE)
    else:
        centres = spread.people(rng, people)
        vectors = spread.photos(rng, np.repeat(centres, FACES_PER_CASE, axis=0))
    gallery = gallery_of(vectors, rng)
    sources = rng.choice(len(vectors), queries, replace=False)
    if spread is None:
        probes = unit(vectors[sources] + rng.standard_normal((queries, vectors.shape[1])) * 0.3 / np.sqrt(128))
    else:
        probes = spread.photos(rng, centres[sources // FACES_PER_CASE])
    seen = [NOW - timedelta(days=int(d)) for d in rng.integers(0, 1800, queries)]
    return Dataset(vectors, gallery.missing, gallery.open_, probes, seen, sources)


def load_faces(container: Container, data: Dataset) -> None:
    buf = io.StringIO()
    for i, (missing, is_open) in enumerate(zip(data.missing, data.open_, strict=True)):
        buf.write(f"{i + 1}\tchild\tunknown\t2010-01-01\t{missing.isoformat()}\t{'open' if is_open else 'closed'}\t"
                  f"{missing.isoformat()}\tbench\n")
    copy_rows(container, "cases", "id, given_name, sex, birth_date, missing_since, status, verified_at, verified_by",
              buf)
    for start in range(0, len(data.vectors), 100_000):  # in slices: the text of 1M vectors is 2 GB
        photos, buf = io.StringIO(), io.StringIO()
        for j in range(start, min(start + 100_000, len(data.vectors))):  # a photo of one face each: the child's
            case = j // FACES_PER_CASE + 1
            photos.write(f"{j + 1}\t{case}\tk\t{'0' * 64}\timage/jpeg\t1\t1\t2010-01-01\t1\t2010-01-01\n")
            buf.write(f"{j + 1}\t{j + 1}\t{case}\t0\t0\t1\t1\t[]\t1\t1\thog\t{vector_literal(data.vectors[j])}"
                      "\tm\tv\tk\n")
        copy_rows(container, "photos", "id, case_id, storage_key, sha256, mime, width, height, taken_on, face_count, "
                  "processed_at", photos)
        copy_rows(container, "faces", "id, photo_id, case_id, box_left, box_top, box_right, box_bottom, landmarks, "
                  "detection_score, quality, detector, embedding, model, model_version, crop_key", buf)
    with container.engine.begin() as conn:
        for table in ("cases", "photos", "faces"):  # rows added later (uploads) take the next ids
            conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")
        conn.exec_driver_sql("ANALYZE")


class NothingToFind(RuntimeError):
    """The production query returns fewer than 10 faces for a probe: the bench would measure nothing."""


def faces_tag(spread: Spread | None) -> str:
    """Names the generator (and the corpus a spread was fitted on) in the kept instance's records."""
    return "cone" if spread is None else "dlib-like-" + hashlib.sha256(spread.mean.tobytes()).hexdigest()[:8]


def load(container: Container, size: int, queries: int, seed: int, keep: Path | None = None,
         spread: Spread | None = None) -> Dataset:
    """Load ``size`` faces without any vector index; returns them with the probes. With
    ``keep`` (the instance's kept folder) faces loaded by an earlier run of the same size, seed and
    generator stay."""
    data = synthesise(size, queries, seed, spread)
    marker = keep / f"loaded-{size}-{seed}-{faces_tag(spread)}" if keep else None
    if marker is None or not marker.exists():
        with container.engine.begin() as conn:
            conn.exec_driver_sql("DROP INDEX IF EXISTS ix_faces_case_embedding")
            conn.exec_driver_sql("TRUNCATE cases, photos, faces RESTART IDENTITY CASCADE")
        for stale in keep.glob("loaded-*") if keep else ():
            stale.unlink()
        load_faces(container, data)
        if marker is not None:
            marker.touch()
    return data


def exact_truth(container: Container, probes: np.ndarray, seen: list[datetime]) -> list[set[int]]:
    """The production query's top 10 for each probe as an exact scan (index scans off)."""
    truth = []
    with SqlUnitOfWork(container.engine) as uow:
        uow.conn.exec_driver_sql("SET LOCAL enable_indexscan = off")
        for probe, seen_at in zip(probes, seen, strict=True):
            found = {r.case_face_id for r in uow.near_case_faces(list(probe), seen_at, 10)}
            if len(found) < 10:
                raise NothingToFind(f"the production query found {len(found)} faces, not 10: are the cases "
                                    "loaded open and verified?")
            truth.append(found)
    return truth


def cached_truth(container: Container, probes: np.ndarray, seen: list[datetime], path: Path | None
                 ) -> list[set[int]]:
    if path is not None and path.exists():
        return [set(ids) for ids in json.loads(path.read_text())]
    truth = exact_truth(container, probes, seen)
    if path is not None:
        path.write_text(json.dumps([sorted(ids) for ids in truth]))
    return truth


def index_parameters(container: Container) -> tuple[int, int] | None:
    """The (m, ef_construction) of the case faces' index as it is, None without one."""
    with container.engine.connect() as conn:
        options = conn.exec_driver_sql(
            "SELECT reloptions FROM pg_class WHERE relname = 'ix_faces_case_embedding'").scalar()
    if options is None:
        return None
    given = dict(option.split("=") for option in options)
    return int(given.get("m", 16)), int(given.get("ef_construction", 64))


def build_index(container: Container, m: int, ef_construction: int) -> float:
    started = time.perf_counter()
    with container.engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX IF EXISTS ix_faces_case_embedding")
        conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '3GB'")  # the whole graph: 1M faces at m 24 ~1.2 GB
        conn.exec_driver_sql("SET LOCAL max_parallel_maintenance_workers = 2")
        conn.exec_driver_sql(
            "CREATE INDEX ix_faces_case_embedding ON faces USING hnsw (embedding vector_cosine_ops) "
            f"WITH (m = {int(m)}, ef_construction = {int(ef_construction)}) WHERE case_id IS NOT NULL")
    return time.perf_counter() - started


def cached_build(container: Container, m: int, ef_construction: int, keep: Path | None, size: int) -> float:
    """Build the index, or keep the one a previous run built with the same parameters (its time recorded)."""
    record = keep / f"built-{size}-{m}-{ef_construction}" if keep else None
    if record is not None and record.exists() and index_parameters(container) == (m, ef_construction):
        return float(record.read_text())
    seconds = build_index(container, m, ef_construction)
    if record is not None:
        record.write_text(str(round(seconds, 1)))
    return seconds


def backend_cpu_ns(pid: int) -> int:
    """CPU time the database backend ``pid`` has run (ns): what a query costs whatever else the cores do."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])


def query(container: Container, data: Dataset, truth: list[set[int]], ef_search: int, fetch: int
          ) -> dict[str, float]:
    latencies, cpu, recalls = [], [], []
    own_found, own_wanted = 0, 0
    for probe, seen_at, best, source in zip(data.probes, data.seen, truth, data.sources, strict=True):
        with SqlUnitOfWork(container.engine, ef_search=ef_search) as uow:
            pid = int(uow.conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
            c, t = backend_cpu_ns(pid), time.perf_counter()
            approx = uow.near_case_faces(list(probe), seen_at, fetch)[:10]  # as matching does: fetch, sorted
            latencies.append((time.perf_counter() - t) * 1000)
            cpu.append((backend_cpu_ns(pid) - c) / 1e6)
        found = {r.case_face_id for r in approx}
        recalls.append(len(best & found) / 10)
        own = own_faces(int(source)) & best  # the person's own faces the exact query returns
        own_found, own_wanted = own_found + len(own & found), own_wanted + len(own)
    return {"p50_ms": round(float(np.percentile(latencies, 50)), 2),
            "p95_ms": round(float(np.percentile(latencies, 95)), 2),
            "cpu_p50_ms": round(float(np.percentile(cpu, 50)), 2),
            "cpu_p95_ms": round(float(np.percentile(cpu, 95)), 2),
            "recall_at_10": round(float(np.mean(recalls)), 4),
            "own_faces_found": round(own_found / own_wanted, 4) if own_wanted else 0.0}


def measure(container: Container, size: int, queries: int, builds: list[tuple[int, int]], efs: list[int],
            fetch: int, seed: int | None = None, keep: Path | None = None, spread: Spread | None = None
            ) -> list[dict[str, Any]]:
    """One row per (m, ef_construction, ef_search) at this size. With ``keep`` (the instance's folder,
    kept between runs) the loaded faces, the exact answers and a built index are reused."""
    seed = seed if seed is not None else size
    started = time.perf_counter()
    data = load(container, size, queries, seed, keep, spread)
    loaded = time.perf_counter()
    answers = keep / f"truth-{size}-{seed}-{queries}-{faces_tag(spread)}.json" if keep else None
    truth = cached_truth(container, data.probes, data.seen, answers)
    rows = []
    for m, ef_construction in builds:
        load_before = os.getloadavg()[0]
        build = cached_build(container, m, ef_construction, keep, size)
        for ef_search in efs:
            rows.append({
                "faces": size, "m": m, "ef_construction": ef_construction, "ef_search": ef_search,
                "load_seconds": round(loaded - started, 1), "index_build_seconds": round(build, 1),
                **query(container, data, truth, ef_search, fetch),
                "queries": queries, "fetched": fetch,
                "load_avg_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            })
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    return rows


def instance(keep: Path | None, shared_buffers: str | None) -> Container:
    """The bench's embedded server (restarted once when ``shared_buffers`` is to change)."""
    container = scratch_instance(folder=keep)
    if shared_buffers is None:
        return container
    with container.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        now = conn.exec_driver_sql("SHOW shared_buffers").scalar()
        if now != shared_buffers:
            conn.exec_driver_sql(f"ALTER SYSTEM SET shared_buffers = '{shared_buffers}'")
    if now == shared_buffers:
        return container
    container.close()
    return scratch_instance(folder=container.settings.data_dir)


def settings_row(container: Container) -> dict[str, str]:
    with container.engine.connect() as conn:
        return {name: str(conn.exec_driver_sql(f"SHOW {name}").scalar())
                for name in ("shared_buffers", "server_version")} | {
            "pgvector": str(conn.exec_driver_sql("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
                            .scalar())}


def build_pair(text: str) -> tuple[int, int]:
    m, ef_construction = text.split(":")
    return int(m), int(ef_construction)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--builds", type=build_pair, nargs="+", default=[(HNSW_M, HNSW_EF_CONSTRUCTION)],
                        help="index builds to compare, as m:ef_construction")
    parser.add_argument("--ef-search", type=int, nargs="+", default=[EF_SEARCH])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--fetch", type=int, default=Settings().ann_neighbours,
                        help="faces fetched per query before the top 10 is taken (REUNITE_ANN_NEIGHBOURS)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--keep", type=Path, help="the instance's folder, kept: a later run with the same size "
                        "reuses its faces, exact answers and index (1M faces take an hour to load and index)")
    parser.add_argument("--shared-buffers", help="the embedded server's shared_buffers, e.g. 3GB (PostgreSQL's "
                        "default, 128MB, holds a tenth of a 1M-face index)")
    parser.add_argument("--faces", choices=["dlib-like", "cone"], default="dlib-like",
                        help="dlib-like: people and photos drawn from the covariances of real dlib embeddings "
                        "fitted on --like; cone: the isotropic stress set (bench/synthetic_faces.py)")
    corpus = Path(os.environ.get("REUNITE_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus"))
    parser.add_argument("--like", type=Path, default=corpus / "fgnet-dev",
                        help="the corpus whose faces dlib-like faces resemble (default $REUNITE_CORPUS/fgnet-dev)")
    args = parser.parse_args()
    spread, realism, people = None, {}, np.repeat(np.arange(41), 12)  # the cone's shape: fgnet-dev's
    if args.faces == "dlib-like":
        if not (args.like / "manifest.csv").exists():
            parser.error(f"--faces dlib-like is fitted on a corpus, and {args.like} has none: give --like CORPUS "
                         "or --faces cone")
        vectors, people = corpus_faces(args.like)
        spread = Spread.fit(vectors, people)
        realism = {"corpus": str(args.like), "real": describe(vectors, people)}
    realism["synthetic, same shape"] = describe(*shaped_like(people, spread))
    print(json.dumps({"faces": args.faces, **realism}), file=sys.stderr, flush=True)
    container = instance(args.keep, args.shared_buffers)
    results = [row for size in args.sizes
               for row in measure(container, size, args.queries, args.builds, args.ef_search, args.fetch,
                                  keep=args.keep, spread=spread)]
    text = json.dumps({"machine": machine(), "database": settings_row(container), "faces": args.faces,
                       "realism": realism, "results": results, "peak_memory_mb": peak_memory_mb()}, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
