"""One reader of a typed "missing since" (domain/typed_time.py), for the form, the API, sheets and PFIF: a date and
time is that instant; a date alone that whole day (month, year), kept as its first instant where it was read."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from reunite.domain.errors import InvalidInput
from reunite.domain.typed_time import date_written, read_typed_time, same_day_missing, typed_time

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


NEW_YORK, LONDON = ZoneInfo("America/New_York"), ZoneInfo("Europe/London")


@pytest.mark.parametrize(("typed", "where", "said"), [
    ("2025-11-02 1am", NEW_YORK, "missing_since: 2025-11-02 01:00 happened twice in America/New_York: the clocks went back over it (summer time ended). Write it with its UTC offset: 2025-11-02T01:00-04:00 (the first time) or 2025-11-02T01:00-05:00 (the second)"),  # noqa: E501
    ("2025-11-02 1:30am", NEW_YORK, "missing_since: 2025-11-02 01:30 happened twice in America/New_York: the clocks went back over it (summer time ended). Write it with its UTC offset: 2025-11-02T01:30-04:00 (the first time) or 2025-11-02T01:30-05:00 (the second)"),  # noqa: E501
    ("2025-03-09 2:30am", NEW_YORK, "missing_since: 2025-03-09 02:30 never happened in America/New_York: the clocks went forward over it (summer time began). It was 2025-03-09 03:30 there then: check the time and send it again"),  # noqa: E501
    ("2025年3月30日凌晨1点30分", LONDON, "missing_since: 2025-03-30 01:30 never happened in Europe/London: the clocks went forward over it (summer time began). It was 2025-03-30 02:30 there then: check the time and send it again"),  # noqa: E501
])
def test_a_time_in_words_at_a_summer_time_change_is_told_as_the_gap_or_the_fold_it_is(
    typed: str, where: ZoneInfo, said: str,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        typed_time(typed, where, "missing_since", named=True)
    assert refused.value.template.format(**refused.value.params) == said


def test_a_morning_hour_in_words_is_read_and_an_ordinary_day_in_words_is_that_instant() -> None:
    assert typed_time("2025年3月31日上午1点30分", SHANGHAI, "missing_since").at.isoformat() == \
        "2025-03-31T01:30:00+08:00"
    assert typed_time("2025-11-02 3pm", NEW_YORK, "missing_since").at.isoformat() == "2025-11-02T15:00:00-05:00"


def test_a_day_given_alone_is_that_day_in_any_zone_and_an_instant_reads_on_the_day_of_the_other() -> None:
    utc_day = typed_time("2026-12-01", ZoneInfo("UTC"), "missing_since")
    for zone in (SHANGHAI, NEW_YORK, ZoneInfo("Pacific/Kiritimati")):
        day = typed_time("2026-12-01", zone, "missing_since")
        assert same_day_missing(day.at, day.precision, utc_day.at, utc_day.precision)
        assert same_day_missing(utc_day.at, utc_day.precision, day.at, day.precision)
    evening = typed_time("2026-12-01T20:00-05:00", NEW_YORK, "missing_since")  # 2 December in UTC
    assert same_day_missing(evening.at, evening.precision, typed_time("2026-12-01", NEW_YORK, "m").at, "day")
    assert not same_day_missing(evening.at, evening.precision, utc_day.at, utc_day.precision)
    month = typed_time("2026-12", SHANGHAI, "missing_since")
    assert not same_day_missing(month.at, month.precision, utc_day.at, utc_day.precision)
    assert same_day_missing(month.at, month.precision, typed_time("2026-12", NEW_YORK, "m").at, "month")
