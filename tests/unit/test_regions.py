"""Regions (a subscription's, a feed's) and the cases inside them, whatever the script: a case is
placed by the city the public reads of it (``Gazetteer.city``), never by the family's own words."""

from __future__ import annotations

import pytest

from reunite.adapters.regions import place_filter
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


@pytest.mark.parametrize(("words", "city"), [
    # the longest name wins over a name inside it, wherever the city is written
    ("New York Penn Station", "New York City"), ("Penn Station, New York", "New York City"),
    ("new york penn station", "New York City"), ("York Minster", "York"),
    # words naming two cities: the first mentioned (documented in docs/architecture.md)
    ("from Wuhan to Chengdu", "Wuhan"), ("from Chengdu to Wuhan", "Chengdu"), ("从武汉到成都", "湖北省武汉市"),
    # a district or former town stands for its city, in any script
    ("Hankou railway station", "Wuhan"), ("漢口火車站", "湖北省武汉市"), ("汉口", "湖北省武汉市"),
    ("四川省成都市武侯区某街道", "四川省成都市"), ("Chengdu Tianfu Square", "Chengdu"),
    # a place in China over a common word that is a city elsewhere; lower-case words are no names in prose
    ("Police station, Chengdu", "Chengdu"), ("Bus stop by the police station", ""),
    ("bus stop by the police station", ""), ("london", "London"), ("york", "York"),
    ("near york minster", ""),
    # a street named after a city is a street (every Chinese city has a Nanjing Road)
    ("outside 12 Nanjing Road, Shanghai", "Shanghai"), ("南京路12号门口，上海", "上海市"), ("Chengdu Rd", ""),
    ("在成都路看见", ""),
])
def test_words_reduce_to_one_city_by_a_stated_rule(words: str, city: str) -> None:
    assert GAZETTEER.city(words) == city


@pytest.mark.parametrize("region", ["汉口", "Hankou", "Wuhan", "武汉", "漢口", "武汉市江汉区"])
@pytest.mark.parametrize("words", ["汉口火车站", "Hankou station", "Wuhan", "武漢市洪山區", "Behind the bakery, Wuhan"])
def test_a_district_or_former_town_and_its_city_find_each_other(region: str, words: str) -> None:
    assert GAZETTEER.covers(region, GAZETTEER.city(words))


@pytest.mark.parametrize(("words", "exact", "stored", "admitted"), [
    ("Chengdu Tianfu Square", False, "成都市春熙路", True), ("Tianfu Square", False, "Tianfu Square, Chengdu", False),
    ("Tianfu Square", True, "Tianfu Square, Chengdu", True), ("Tianfu Square", True, "成都市春熙路", False),
    ("漢口", False, "Wuhan, Jianghan Road", True), ("Sichuan", False, "Mianyang station", True),
    ("Wuhan", False, "from Chengdu to Wuhan", False),  # the sighting's public city is Chengdu
])
def test_a_place_filter_admits_by_the_public_city_and_words_only_for_exact_readers(
    words: str, exact: bool, stored: str, admitted: bool
) -> None:
    place = place_filter(words, exact)
    assert place.admits(stored) is admitted
    if admitted:  # SQL's narrowing keeps every row the filter admits
        narrowing = place.narrowing()
        assert narrowing is not None and narrowing.keeps(stored, None, None)


@pytest.mark.parametrize("region", ["Hankou", "漢口", "Wuchang", "New York", "Sichuan", "london"])
def test_an_alert_region_named_by_a_former_town_or_in_small_letters_is_a_place_we_know(region: str) -> None:
    assert GAZETTEER.known(region)
    assert not GAZETTEER.known("Zorbleton") and not GAZETTEER.known("Tianfu Square")


@pytest.mark.parametrize(("region", "words"), [("ＷＵＨＡＮ", "Wuhan"), ("Wuhan", "Ｗｕｈａｎ ｓｔａｔｉｏｎ"),
                                               ("ｃｈｅｎｇｄｕ", "成都 天府廣場")])
def test_full_width_and_half_width_letters_name_one_place(region: str, words: str) -> None:
    assert GAZETTEER.covers(region, GAZETTEER.city(words))
