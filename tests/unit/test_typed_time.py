"""One reader of a typed "missing since" (domain/typed_time.py), for the form, the API, sheets and PFIF: a date and
time is that instant; a date alone that whole day (month, year), kept as its first instant where it was read."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from reunite.domain.errors import InvalidInput
from reunite.domain.typed_time import date_written, read_typed_time

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("typed", "at", "precision"), [
    ("2026-11-20 10:00", "2026-11-20T10:00:00+08:00", "instant"),
    ("2026-11-20T10:00+09:00", "2026-11-20T10:00:00+09:00", "instant"),  # its own offset, kept
    ("2026/11/20 10:00", "2026-11-20T10:00:00+08:00", "instant"),
    ("2026.11.20 10:00:30", "2026-11-20T10:00:30+08:00", "instant"),
    ("2026年11月20日 10:00", "2026-11-20T10:00:00+08:00", "instant"),
    ("2026年11月20日上午10点", "2026-11-20T10:00:00+08:00", "instant"),
    ("2026-11-20", "2026-11-20T00:00:00+08:00", "day"),
    ("20261120", "2026-11-20T00:00:00+08:00", "day"),
    ("2026/11/20", "2026-11-20T00:00:00+08:00", "day"),
    ("2026年11月20日", "2026-11-20T00:00:00+08:00", "day"),
    ("2026-11", "2026-11-01T00:00:00+08:00", "month"),
    ("2026", "2026-01-01T00:00:00+08:00", "year"),
])
def test_a_date_and_time_is_an_instant_and_a_date_alone_its_whole_span(typed: str, at: str, precision: str) -> None:
    found = read_typed_time(typed, SHANGHAI, "missing_since")
    assert found is not None and (found.at.isoformat(), found.precision) == (at, precision)
    assert found.read_in == ("" if "+09:00" in typed else "Asia/Shanghai")


def test_a_sheets_serial_numbers_are_dates_only_in_a_sheet() -> None:
    day, timed = (read_typed_time(v, SHANGHAI, serials=True) for v in ("45413", "46000.75"))
    assert day is not None and (day.at.isoformat(), day.precision) == ("2024-05-01T00:00:00+08:00", "day")
    assert timed is not None and (timed.at.isoformat(), timed.precision) == ("2025-12-09T18:00:00+08:00", "instant")
    assert read_typed_time("45413", SHANGHAI) is None  # PFIF's line: a number is no date


@pytest.mark.parametrize("typed", ["20/11/2026", "2026/11/20 25:00", "2026/11/20 10:00 +08:00", "soon", ""])
def test_what_is_no_date_is_none_never_guessed(typed: str) -> None:
    assert read_typed_time(typed, SHANGHAI) is None


def test_a_midnight_summer_time_skipped_is_the_instant_the_day_began_and_a_skipped_time_is_refused() -> None:
    santiago = ZoneInfo("America/Santiago")  # 2026-09-06: clocks go from 00:00 to 01:00
    day = read_typed_time("2026-09-06", santiago)
    assert day is not None and day.at.isoformat() == "2026-09-06T01:00:00-03:00"
    with pytest.raises(InvalidInput):
        read_typed_time("2026-09-06 00:30", santiago)


def test_a_date_is_written_back_as_precisely_as_it_was_given() -> None:
    at = datetime.fromisoformat("2026-11-20T00:00:00+08:00")
    assert [date_written(at, p) for p in ("instant", "day", "month", "year")] == [
        "2026-11-20", "2026-11-20", "2026-11", "2026"]
