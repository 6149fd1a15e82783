"""Chinese everyday words are no town abroad (probe s45 P4): a child seen at a park's south gate (人民公园南门) was
placed in Los Angeles (South Gate's Chinese name), by a fountain (喷泉) in Fountain, Colorado, at a crossroads
(十字路口) in The Crossings, Florida, at a free market (自由市场) in Freetown; the report's day read in the wrong
zone and the poster told a Chinese family to call 911. A Chinese name of a city abroad that is no everyday word
still names it, alone or beside its region; an everyday word names its small town abroad only beside its region."""

from __future__ import annotations

import pytest

from reunite.adapters.places import locate, public_city
from reunite.adapters.sources.parse import Gazetteer
from reunite.domain.emergency import police_number

PLACES = Gazetteer()


@pytest.mark.parametrize("words", [
    "人民公园南门", "南门", "火车站南门", "学校南门口", "十字路口", "在十字路口看到", "喷泉旁边", "音乐喷泉",
    "by the fountain 喷泉旁边", "白沙", "自由市场", "五角大楼旁边", "上山旁边", "长门", "在长滩看到",
])
def test_an_everyday_word_names_no_town_abroad(words: str) -> None:
    assert public_city(words) == ""
    assert PLACES.city_zone(words) in (None, ""), f"{words} put in a zone abroad"


@pytest.mark.parametrize(("words", "city"), [
    ("北京火车站南门", "北京"), ("成都人民公园南门", "成都"), ("上海人民广场音乐喷泉", "上海"),
    ("广州十字路口", "广州"),
])
def test_the_city_named_beside_an_everyday_word_is_the_place(words: str, city: str) -> None:
    assert city in public_city(words)
    assert police_number(PLACES.country(PLACES.city_zone(words))) == "110"


@pytest.mark.parametrize(("words", "city"), [
    ("洛杉矶", "Los Angeles"), ("旧金山", "San Francisco"), ("温哥华", "Vancouver"), ("列治文", "Richmond"),
    ("伯克利", "Berkeley"), ("安克雷奇", "Anchorage"), ("槟城", "George Town"), ("伦敦", "London"),
    ("京都", "Kyoto"), ("美国加州长滩", "Long Beach"),
])
def test_a_city_abroad_by_its_chinese_name_is_still_read(words: str, city: str) -> None:
    assert city in public_city(words)


def test_a_name_inside_a_longer_word_is_no_place() -> None:
    """自由市场 (a free market) holds 自由市 (Freetown); 五角大楼 (the Pentagon) holds 五角 (Five Corners)."""
    assert locate("自由市场旁边").area == ""
    assert locate("五角大楼").area == ""
