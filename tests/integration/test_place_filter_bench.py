"""bench/place_filter.py run small: it must measure the production query, find what placing every
row finds, and read fewer rows into Python, so it can never report a number that measures nothing."""

from __future__ import annotations

from bench.place_filter import measure
from reunite.bootstrap import Container


def test_place_filter_bench_finds_what_the_peer_finds_reading_fewer_rows(container: Container) -> None:
    rows = measure(container, 400)
    assert all(r["same_as_peer"] for r in rows), rows
    assert all(r["rows_read"] < r["peer_rows_read"] == 400 for r in rows), rows
    found = {(r["reader"], r["words"]): r["found"] for r in rows}
    assert found["family", "Chengdu"] == found["family", "成都"] > 0
    assert found["family", "Tianfu Square"] == 0 < found["police", "Tianfu Square"]
