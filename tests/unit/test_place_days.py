"""The zone a date alone is the day in: a place's, looked up offline from its ~1 km cell only (China's one
time in Xinjiang too), else the site's; named to a reader whose clock reads otherwise, by the name people use
for a date ("China Time"), by its offset where the zone has no region (the open sea)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from reunite.adapters.sources.parse import Gazetteer
from reunite.adapters.zones import zone_at
from reunite.domain.times import offset_zone
from reunite.i18n import Language
from reunite.services.deps import Site
from reunite.services.place_days import day_zone

NOON_IN_SHANGHAI = datetime(2025, 12, 1, 12, tzinfo=timezone(timedelta(hours=8)))


@pytest.mark.parametrize(("lat", "lon", "zone"), [
    (30.6559, 104.0817, "Asia/Shanghai"),  # Chengdu
    (43.8256, 87.6168, "Asia/Shanghai"),  # Ürümqi: China's official time, not the local "Xinjiang time"
    (39.4677, 75.9938, "Asia/Shanghai"),  # Kashgar
    (22.2819, 114.1582, "Asia/Hong_Kong"),
    (34.0522, -118.2437, "America/Los_Angeles"),
    (52.52, 13.405, "Europe/Berlin"),
    (0.0, -140.0, "Etc/GMT+9"),  # the open Pacific: a zone by its offset alone
    (95.0, 0.0, ""),  # no such point
])
def test_a_points_zone_is_found_offline(lat: float, lon: float, zone: str) -> None:
    assert zone_at(lat, lon) == zone


class Asked:
    """A gazetteer that says where it was asked about."""

    def __init__(self) -> None:
        self.points: list[tuple[float, float]] = []

    def zone(self, lat: float, lon: float) -> str:
        self.points.append((lat, lon))
        return Gazetteer().zone(lat, lon)


def test_a_places_zone_is_its_cells_so_it_tells_no_more_than_the_cell_and_no_place_is_the_sites() -> None:
    asked = Asked()
    deps = SimpleNamespace(places=asked, site=Site(timezone="Europe/Berlin"))
    assert day_zone(deps, 30.65591, 104.08172) == "Asia/Shanghai"  # type: ignore[arg-type]
    assert asked.points == [(30.655, 104.085)]  # the centre of its ~1 km cell, never the pin
    assert day_zone(deps, None, None) == "Europe/Berlin"  # type: ignore[arg-type]
    assert day_zone(deps, 95.0, 0.0) == "Europe/Berlin"  # type: ignore[arg-type]


def test_a_day_names_its_zone_only_to_a_reader_whose_clock_reads_otherwise() -> None:
    assert Language("en", "America/Los_Angeles").day_at(NOON_IN_SHANGHAI, "Asia/Shanghai") == "Dec 1, 2025 (China Time)"
    assert Language("en", "Asia/Shanghai").day_at(NOON_IN_SHANGHAI, "Asia/Shanghai") == "Dec 1, 2025"
    assert Language("en", "Asia/Hong_Kong").day_at(NOON_IN_SHANGHAI, "Asia/Shanghai") == "Dec 1, 2025"
    assert Language("zh_CN", "Europe/Berlin").day_at(NOON_IN_SHANGHAI, "Asia/Shanghai") == "2025年12月1日（中国时间）"
    assert Language("zh_TW", "Europe/Berlin").day_at(NOON_IN_SHANGHAI, "Asia/Shanghai") == "2025年12月1日（中國時間）"
    # the day there, whatever offset the time was typed with
    typed_in_berlin = datetime(2026, 12, 4, 18, 30, tzinfo=timezone(timedelta(hours=1)))
    assert Language("en", "Asia/Shanghai").day_at(typed_in_berlin, "Asia/Shanghai") == "Dec 5, 2026"
    assert Language("en", "Asia/Shanghai").day_at(NOON_IN_SHANGHAI, "Etc/GMT+9") == "Nov 30, 2025 (GMT-09:00)"
    # a date given alone is that date, in no zone
    typed_day = datetime(2026, 12, 4, tzinfo=timezone(timedelta(hours=1)))
    assert Language("en", "America/Los_Angeles").day_at(typed_day, "Asia/Shanghai", "day") == "Dec 4, 2026"
    assert Language("en", "America/Los_Angeles").day_at(typed_day, "Asia/Shanghai", "month") == "December 2026"


class Named(Asked):
    """A gazetteer whose words name zones as the real one does."""

    def city_zone(self, words: str, near: object = None) -> str:
        return Gazetteer().city_zone(words)


NEW_YORK_NIGHT = datetime(2026, 12, 3, 22, 30, tzinfo=timezone(timedelta(hours=-5)))


def test_without_a_pin_the_words_zone_then_the_offset_given_then_the_sites() -> None:
    """Probe s26 Z5: 22:30 on 3 December at -05:00 with no pin was "Dec 4, 2026 (China Time)"."""
    deps = SimpleNamespace(places=Named(), site=Site(timezone="Asia/Shanghai"))
    assert day_zone(deps, None, None, "Canal Street station, Manhattan, New York",  # type: ignore[arg-type]
                    NEW_YORK_NIGHT) == "America/New_York"
    assert day_zone(deps, None, None, "by the fountain", NEW_YORK_NIGHT) == "Etc/GMT+5"  # type: ignore[arg-type]
    assert day_zone(deps, None, None, "Richmond", NEW_YORK_NIGHT) == "Etc/GMT+5"  # type: ignore[arg-type]
    assert day_zone(deps, None, None, "by the fountain", None) == "Asia/Shanghai"  # type: ignore[arg-type]
    for said in (UTC, timezone(timedelta(hours=8))):  # UTC, or the site's own offset: the site's zone
        assert day_zone(deps, None, None, "by the fountain",  # type: ignore[arg-type]
                        NEW_YORK_NIGHT.astimezone(said)) == "Asia/Shanghai"
    assert day_zone(deps, None, None, "上海市黄浦区", NEW_YORK_NIGHT) == "Asia/Shanghai"  # type: ignore[arg-type]
    # a pin's cell first, whatever the words or the offset say
    assert day_zone(deps, 30.65591, 104.08172, "New York", NEW_YORK_NIGHT) == "Asia/Shanghai"  # type: ignore[arg-type]
    assert Language("en", "America/Los_Angeles").day_at(NEW_YORK_NIGHT, "Etc/GMT+5") == "Dec 3, 2026 (GMT-05:00)"


@pytest.mark.parametrize(("offset", "zone"), [(-5 * 60, "Etc/GMT+5"), (8 * 60, "Etc/GMT-8"), (0, "Etc/GMT"),
                                              (14 * 60, "Etc/GMT-14"), (-12 * 60, "Etc/GMT+12"), (5 * 60 + 30, "")])
def test_the_offset_a_time_was_given_with_is_a_zone_of_no_region(offset: int, zone: str) -> None:
    assert offset_zone(NEW_YORK_NIGHT.astimezone(timezone(timedelta(minutes=offset)))) == zone
    assert offset_zone(None) == "" and offset_zone(datetime(2026, 12, 3)) == ""
