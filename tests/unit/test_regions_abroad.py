"""What a region abroad covers (probe s26 Z6): a big city's name its metro area, as people mean it ("Vancouver":
Richmond and Burnaby; "Toronto": Markham and Mississauga), a region's or a country's name alone every city in it, as
a Chinese province covers its cities ("Ontario", "加州", "加拿大"), in Latin letters or in either Chinese script; and
the same rule for alerts and feeds (``covers``) as for the place box (``PlaceFilter``): always the public city."""

from __future__ import annotations

import pytest

from reunite.adapters.regions import covers, place_filter
from reunite.adapters.sources.parse import Gazetteer

PLACES = Gazetteer()


@pytest.mark.parametrize(("region", "words"), [
    ("Vancouver", "Richmond, BC, Canada"), ("Vancouver", "Burnaby"), ("Vancouver", "Metrotown, Burnaby, BC"),
    ("Vancouver", "Surrey, British Columbia"), ("温哥华", "Richmond, BC"), ("溫哥華", "列治文, 卑诗省"),
    ("Toronto", "Markham, Ontario"), ("Toronto", "Pacific Mall, Markham"), ("Toronto", "Mississauga"),
    ("多伦多", "Richmond Hill, Ontario"), ("Los Angeles", "Monterey Park, Los Angeles"),
    ("Los Angeles", "Arcadia, CA"), ("洛杉矶", "San Gabriel, California"), ("San Francisco", "Oakland, CA"),
    ("旧金山", "Oakland, California"), ("New York", "Flushing, Queens, New York"), ("New York", "Yonkers"),
    ("纽约", "Sunset Park, Brooklyn"), ("Sydney", "Hurstville, NSW"), ("悉尼", "Chatswood"),
    ("London", "Richmond, London"), ("伦敦", "Croydon")])
def test_a_big_city_abroad_covers_its_metro_area(region: str, words: str) -> None:
    assert covers(region, PLACES.city(words))
    assert covers(region, PLACES.city(words, latin=False))  # the public place in Chinese reads the same


@pytest.mark.parametrize(("region", "words"), [
    ("London", "London, Ontario"), ("Vancouver", "Vancouver, WA"), ("Vancouver", "Toronto"),
    ("Toronto", "London, Ontario"), ("Toronto", "Buffalo, NY"), ("Los Angeles", "San Francisco"),
    ("Richmond, BC", "Burnaby"), ("Burnaby", "Vancouver"), ("Markham", "Toronto"), ("Mississauga", "Markham"),
    ("New York", "Newark, NJ"), ("San Francisco", "San Jose, CA")])
def test_a_metro_area_stays_in_its_region_and_a_city_in_it_covers_only_itself(region: str, words: str) -> None:
    assert not covers(region, PLACES.city(words))


@pytest.mark.parametrize(("region", "words"), [
    ("Ontario", "Toronto"), ("Ontario", "London, Ontario"), ("Ontario", "Markham"), ("安大略省", "Ottawa"),
    ("安省", "Markham, Ontario"), ("British Columbia", "Richmond, BC"), ("卑诗省", "Burnaby"),
    ("卑詩省", "Vancouver"), ("不列颠哥伦比亚省", "Victoria, BC"), ("BC", "Surrey, BC"),
    ("California", "Monterey Park"), ("California", "Irvine, CA"), ("加州", "San Jose, CA"),
    ("加利福尼亞州", "Los Angeles"), ("New York State", "Buffalo, NY"), ("纽约州", "Yonkers"),
    ("NY", "Flushing, Queens"),
    ("Canada", "Richmond, BC"), ("加拿大", "Toronto"), ("美国", "Flushing, Queens"), ("美國", "Seattle"),
    ("USA", "Houston"), ("英国", "London"), ("UK", "Manchester"), ("澳洲", "Melbourne"), ("澳大利亚", "Sydney"),
    ("California, USA", "Oakland")])
def test_a_region_or_a_country_abroad_covers_every_city_in_it(region: str, words: str) -> None:
    assert covers(region, PLACES.city(words))


@pytest.mark.parametrize(("region", "words"), [
    ("Ontario", "Vancouver"), ("Ontario", "Ontario, California"), ("British Columbia", "Toronto"),
    ("California", "Vancouver, WA"), ("加州", "Seattle"), ("加拿大", "Seattle"), ("Canada", "成都"),
    ("美国", "London"), ("英国", "London, Ontario"), ("纽约州", "Newark, NJ"), ("Washington", "Vancouver, BC")])
def test_a_region_covers_nothing_outside_it(region: str, words: str) -> None:
    assert not covers(region, PLACES.city(words))


def test_a_chinese_province_and_city_cover_as_before() -> None:
    assert covers("四川", PLACES.city("Chengdu"))
    assert covers("成都", PLACES.city("四川省成都市武侯区"))
    assert not covers("成都", PLACES.city("绵阳"))
    assert not covers("加拿大", PLACES.city("成都"))


@pytest.mark.parametrize(("words", "stored", "found"), [
    ("Vancouver", "Richmond, BC, Canada", True), ("温哥华", "Burnaby", True), ("Toronto", "Markham, Ontario", True),
    ("Ontario", "Mississauga", True), ("加州", "Monterey Park, CA", True), ("加拿大", "Richmond, BC", True),
    ("New York", "Flushing, Queens", True), ("纽约", "Canal Street, Manhattan", True),
    ("London", "London, Ontario", False), ("Ontario", "Vancouver", False), ("Vancouver", "Vancouver, WA", False)])
def test_the_place_box_finds_by_the_same_rule(words: str, stored: str, found: bool) -> None:
    for exact in (False, True):  # police and moderators find the words as written too ("London" in London, Ontario)
        box = place_filter(words, exact)
        narrowing = box.narrowing()
        assert box.admits(stored) is found or exact
        if found:  # SQL keeps the row for the gazetteer to read
            assert narrowing is not None and narrowing.keeps(stored, None, None)


def test_a_place_box_finds_a_pinned_row_of_the_metro_area_by_its_public_city() -> None:
    box = place_filter("Vancouver", exact=False)
    narrowing = box.narrowing()
    assert narrowing is not None and narrowing.keeps("at the mall", 49.2276, -123.0076)  # Burnaby, its pin only
    assert box.admits("at the mall", 49.2276, -123.0076)
    assert not box.admits("at the mall", 43.8561, -79.3370)  # Markham


@pytest.mark.parametrize(("words", "region"), [
    ("New York", "New York City"), ("纽约", "New York City"), ("Quebec", ""), ("Ontario", "")])
def test_a_region_s_name_a_city_of_a_million_bears_is_that_city(words: str, region: str) -> None:
    """"New York" is the city (and its metro area); "Quebec", "Ontario" the province, not the city of its name."""
    assert covers(words, PLACES.city("Flushing, Queens")) is (words in ("New York", "纽约"))
    assert (PLACES.city(words) == region) if region else covers(words, PLACES.city("Toronto" if words == "Ontario"
                                                                                      else "Montreal"))


@pytest.mark.parametrize(("words", "english", "chinese"), [
    ("安大略省伦敦", "London, Ontario", "伦敦（安大略省）"), ("伦敦，安大略省", "London, Ontario", "伦敦（安大略省）"),
    ("卑詩省列治文", "Richmond, British Columbia", "列治文（不列颠哥伦比亚省）"),
    ("加拿大列治文", "Richmond, British Columbia", "列治文（不列颠哥伦比亚省）"),
    ("美国加州洛杉矶", "Los Angeles", "洛杉矶"), ("旧金山", "San Francisco", "旧金山"), ("悉尼", "Sydney", "悉尼"),
    ("温哥华", "Vancouver", "温哥华"), ("多倫多", "Toronto", "多伦多"), ("纽约", "New York City", "纽约"),
    ("伦敦", "London", "伦敦"), ("澳洲悉尼", "Sydney", "悉尼"), ("英国伦敦", "London", "伦敦")])
def test_chinese_words_for_regions_and_countries_abroad_choose_the_city(words: str, english: str,
                                                                         chinese: str) -> None:
    assert PLACES.city(words, latin=True) == english
    assert PLACES.city(words, latin=False) == chinese


@pytest.mark.parametrize(("words", "shown"), [
    ("加拿大", "加拿大"), ("加州", "美国加利福尼亚州"), ("安大略省", "加拿大安大略省"),
    ("Ontario, Canada", "Ontario, Canada"),
    ("British Columbia", "British Columbia, Canada"), ("昆士兰州", "澳大利亚昆士兰州")])
def test_a_region_alone_is_shown_as_that_region_never_a_city(words: str, shown: str) -> None:
    assert PLACES.city(words) == shown  # not Columbia, South Carolina; not 兰州 in 昆士兰州


@pytest.mark.parametrize(("words", "region"), [
    ("Victoria, Australia", "Victoria"), ("Victoria, Australia", "Australia"), ("维多利亚州", "Victoria"),
    ("加州", "California"), ("California", "加州"), ("安大略省", "Canada")])
def test_a_case_last_seen_in_a_region_is_in_that_regions_feeds_and_alerts(words: str, region: str) -> None:
    for latin in (True, False):
        assert covers(region, PLACES.city(words, latin=latin))


@pytest.mark.parametrize(("words", "region"), [
    ("Victoria, Australia", "Melbourne"), ("Victoria, Australia", "Hong Kong"), ("加州", "Los Angeles"),
    ("加州", "Ontario"), ("安大略省", "Toronto")])
def test_a_case_last_seen_in_a_region_is_in_none_of_its_cities(words: str, region: str) -> None:
    # which city is not known: a city's subscribers are not told of it, nor another region's
    for latin in (True, False):
        assert not covers(region, PLACES.city(words, latin=latin))
