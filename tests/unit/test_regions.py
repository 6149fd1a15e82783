"""Regions (a subscription's, a feed's) and the cases inside them, whatever the script: a case is
placed by the city the public reads of it (``Gazetteer.city``), never by the family's own words."""

from __future__ import annotations

import pytest

from reunite.adapters.sources.parse import Gazetteer

GAZETTEER = Gazetteer()


@pytest.mark.parametrize(("region", "words", "covered"), [
    ("Shenzhen", "深圳 福田", True), ("Guangdong", "深圳 福田", True), ("廣東", "深圳 福田", True),
    ("Wuhan", "武汉市汉口", True), ("成都", "Chengdu", True), ("成都", "成都 天府廣場", True),
    ("Chengdu", "near Chengdu railway station", True), ("Hubei", "Wuhan", True), ("Shanghai", "深圳 福田", False),
    ("Wuhan", "Hubei", False),  # a province is wider than the city subscribed to
    ("Chengdu", "Sichuan Mianyang", False),
    ("Wuhan", "Behind the bakery on Jiefang Road, Wuhan", True),
    # the family's own words are never matched: only the city the public reads of them
    ("bakery", "Behind the bakery on Jiefang Road, Wuhan", False), ("Jiefang", "Jiefang Road, Wuhan", False),
    ("Zorbleton", "old Zorbleton pier", False), ("pier", "old Zorbleton pier", False),
])
def test_a_region_covers_the_cases_whose_public_city_is_inside_it(region: str, words: str, covered: bool) -> None:
    assert GAZETTEER.covers(region, GAZETTEER.city(words)) is covered


def test_a_case_whose_words_name_no_city_is_in_no_region() -> None:
    assert GAZETTEER.city("old Zorbleton pier") == ""
    assert not GAZETTEER.covers("Zorbleton", "") and not GAZETTEER.covers("", "Wuhan")
