"""bench/place_filter.py run small: it must measure the production query, find what placing every
row finds, and read fewer rows into Python, so it can never report a number that measures nothing."""

from __future__ import annotations

from bench.place_filter import measure
from bench.place_words import measure as measure_words
from reunite.bootstrap import Container


def test_place_filter_bench_finds_what_the_peer_finds_reading_fewer_rows(container: Container) -> None:
    rows = measure(container, 400)
    assert all(r["same_as_peer"] for r in rows), rows
    assert all(r["rows_read"] < r["peer_rows_read"] == 400 for r in rows), rows
    found = {(r["reader"], r["words"]): r["found"] for r in rows}
    assert found["family", "Chengdu"] == found["family", "成都"] > 0
    assert found["family", "Tianfu Square"] == 0 < found["police", "Tianfu Square"]


def test_place_words_bench_places_every_text_it_times() -> None:
    """bench/place_words.py run small: with a pin every text is given a city (words naming none: the pin's),
    without one most are (one in seven names no city), so its times are of placing, not of nothing."""
    result = measure_words(70)
    assert result["words_and_pin_named"] == 70 and 50 <= result["words_named"] < 70
    assert result["words_us_per_text"] > 0 and result["words_and_pin_us_per_text"] > 0
