"""Polling politely and numbers fit to publish (times named in posts: test_said_time.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from reunite.domain.access import public_as_of
from reunite.domain.sources import healthy, next_poll, public_count, public_regions

SHANGHAI = ZoneInfo("Asia/Shanghai")
POSTED = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # 17:00 in Shanghai


def test_polls_back_off_and_sources_turn_unhealthy() -> None:
    now, every = POSTED, timedelta(minutes=15)
    waits = [next_poll(now, every, failures) - now for failures in range(8)]
    assert waits[0] == every and waits[1] == 2 * every and waits[2] == 4 * every
    assert max(waits) == timedelta(hours=12)
    assert healthy(0, now - timedelta(minutes=10), every, now)
    assert not healthy(3, now - timedelta(minutes=10), every, now)


def test_small_counts_are_never_published_exactly() -> None:
    assert [public_count(n) for n in (0, 1, 4, 5, 7, 8, 12, 1003)] == [None, None, None, 5, 5, 10, 10, 1005]


def test_a_province_with_few_records_is_never_named() -> None:
    counts = {"湖北省": 7, "四川省": 1, "云南省": 4, "": 9, "北京市": 5}
    assert public_regions(counts, 12) == [("湖北省", 7), ("北京市", 5), (None, 5)]
    assert public_regions(counts, 1) == [("湖北省", 7), (None, 10)]  # beyond the rows shown: "other" too
    assert public_regions({"湖北省": 6}, 12) == [("湖北省", 6)]  # no empty "other" row


def test_public_numbers_stand_as_they_were_at_the_start_of_the_sites_day() -> None:
    # 23:30 UTC is 07:30 the next day in Shanghai: counted up to that day's midnight there
    assert public_as_of(datetime(2026, 11, 30, 23, 30, tzinfo=UTC), SHANGHAI) == datetime(2026, 11, 30, 16, 0,
                                                                                        tzinfo=UTC)
    assert public_as_of(datetime(2026, 11, 30, 15, 59, tzinfo=UTC), SHANGHAI) == datetime(2026, 11, 29, 16, 0,
                                                                                        tzinfo=UTC)
