"""The sightings list's place box at scale: ``N`` approved sightings described in words across many
cities, scripts and languages, searched by a family (the public city only) and by police (the words
too), through ``SqlReadModel.sightings``, the production query. Side by side with the peer, reading
every row into Python and placing each (what the place filter would cost without SQL narrowing):
the answers must be the same, the rows read into Python far fewer.

    python bench/place_filter.py --sizes 1000 10000 --out bench/out/place_filter.json"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import text

from bench.common import emit, machine, scratch_instance
from bench.search import copy_rows
from reunite.adapters.db.sighting_filter import place_rows
from reunite.adapters.places import _chosen
from reunite.adapters.regions import place_filter
from reunite.bootstrap import Container
from reunite.domain.model import SightingFilter

CITIES = ["成都市", "Chengdu", "漢口", "Hankou", "武汉市洪山区", "Wuhan", "上海浦东", "Shanghai", "北京朝阳区",
          "Beijing", "广州", "Guangzhou", "深圳 福田", "Shenzhen", "綿陽", "Mianyang", "重庆", "Chongqing", "西安",
          "Xi'an", "杭州", "Hangzhou", "南京", "Nanjing", "苏州", "Suzhou", "长沙", "Changsha", "郑州", "Zhengzhou"]
SPOTS = ["railway station", "火车站", "market stall 4", "bus stop", "天府广场", "Tianfu Square", "near the school gate",
         "地铁口", "outside the bakery", "", "公园东门"]
QUERIES = ["Chengdu", "成都", "汉口", "Wuhan", "Sichuan", "Chengdu Tianfu Square", "Tianfu Square"]
REPEATS = 5


def load(container: Container, size: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows = io.StringIO()
    for i in range(size):
        words = f"{CITIES[rng.integers(len(CITIES))]} {SPOTS[rng.integers(len(SPOTS))]}".strip()
        if i % 7 == 0:
            words = SPOTS[rng.integers(len(SPOTS))] or "somewhere"  # a report naming no city
        rows.write(f"2025-05-01 09:00:00+00\t{words} #{i}\tapproved\n")  # each row's words its own
    with container.engine.begin() as conn:
        conn.execute(text("TRUNCATE sightings CASCADE"))
    copy_rows(container, "sightings", "seen_at, place_text, status", rows)


def peer(container: Container, words: str, exact: bool) -> tuple[set[int], int]:
    """Every approved row read into Python and placed: the answer, and the rows read."""
    place = place_filter(words, exact)
    with container.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, place_text FROM sightings WHERE status = 'approved'")).all()
    return {int(r.id) for r in rows if place.admits(r.place_text)}, len(rows)


def narrowed_rows(container: Container, words: str, exact: bool) -> int:
    """The rows SQL hands the gazetteer (``sighting_filter.place_rows``, the production narrowing)."""
    with container.engine.connect() as conn:
        return len(place_rows(conn, "s.status = 'approved'", {}, place_filter(words, exact)))


def timed(run: Any) -> tuple[Any, float]:
    """The median of ``REPEATS`` runs, each with the gazetteer's memory of texts placed emptied (every
    report's words are its own: a server rarely places the same words twice)."""
    times, result = [], None
    for _ in range(REPEATS):
        _chosen.cache_clear()
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return result, round(statistics.median(times) * 1000, 2)


def measure(container: Container, size: int, seed: int = 7) -> list[dict[str, Any]]:
    load(container, size, seed)
    rows = []
    for exact, reader in ((False, "family"), (True, "police")):
        for words in QUERIES:
            query = SightingFilter(place=words, limit=200, grid_deg=None if exact else 0.01)
            (total, page), ms = timed(lambda q=query: container.deps.read.sightings(q))
            everything = replace(query, limit=200, offset=0)
            found = {r["id"] for offset in range(0, total, 200)
                     for r in container.deps.read.sightings(replace(everything, offset=offset))[1]}
            (expected, read_all), peer_ms = timed(lambda w=words, e=exact: peer(container, w, e))
            rows.append({"sightings": size, "reader": reader, "words": words, "found": total,
                         "same_as_peer": found == expected, "rows_read": narrowed_rows(container, words, exact),
                         "peer_rows_read": read_all, "ms": ms, "peer_ms": peer_ms, "page": len(page)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    container = scratch_instance()
    place_filter("Chengdu", False).narrowing()  # the gazetteers loaded once, before any timing
    place_filter("Chengdu", False).admits("", 30.66, 104.07)
    try:
        emit({"machine": machine(), "rows": [r for size in args.sizes for r in measure(container, size)]}, args.out)
    finally:
        container.close()


if __name__ == "__main__":
    main()
