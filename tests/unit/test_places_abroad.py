"""Cities abroad of one name (probe s26 Z1): the region, state, province or country written after a city chooses
among them ("Richmond, BC", "London, Ontario", "Paris, Texas"); a borough or a neighbourhood of a city of a
million is that city ("Chinatown, Manhattan, New York"); a bare name several big cities share names no zone,
and the public place keeps the region its name alone would not say."""

from __future__ import annotations

import pytest

from reunite.adapters.regions import covers
from reunite.adapters.sources.parse import Gazetteer
from reunite.domain.model import GeoPoint

PLACES = Gazetteer()


@pytest.mark.parametrize(("words", "english", "zone"), [
    ("Richmond, BC, Canada", "Richmond, British Columbia", "America/Vancouver"),
    ("Richmond, British Columbia", "Richmond, British Columbia", "America/Vancouver"),
    ("Richmond, Virginia", "Richmond, Virginia", "America/New_York"),
    ("London, Ontario", "London, Ontario", "America/Toronto"),
    ("London, England", "London", "Europe/London"),
    ("Paris, Texas", "Paris, Texas", "America/Chicago"),
    ("Paris, France", "Paris", "Europe/Paris"),
    ("Portland, Maine", "Portland, Maine", "America/New_York"),
    ("Portland, OR", "Portland", "America/Los_Angeles"),
    ("Springfield, IL", "Springfield, Illinois", "America/Chicago"),
    ("Springfield, MO", "Springfield, Missouri", "America/Chicago"),
    ("Springfield, Massachusetts", "Springfield, Massachusetts", "America/New_York"),
    ("Vancouver, Canada", "Vancouver", "America/Vancouver"),
    ("Vancouver, WA", "Vancouver, Washington", "America/Los_Angeles"),
    ("San Jose, Costa Rica", "San José, Costa Rica", "America/Costa_Rica"),
    ("San Jose, CA", "San Jose", "America/Los_Angeles"),
    ("Perth, WA", "Perth", "Australia/Perth"),
    ("Perth, Scotland", "Perth, Scotland", "Europe/London"),
    ("Sydney, Nova Scotia", "Sydney, Nova Scotia", "America/Glace_Bay"),
])
def test_the_region_after_a_city_chooses_among_cities_of_its_name(words: str, english: str, zone: str) -> None:
    assert PLACES.city(words, latin=True) == english
    assert PLACES.city_zone(words) == zone
    assert PLACES.city(english, latin=True) == english  # the public place, read again, is the same city


@pytest.mark.parametrize("words", [
    "Chinatown, Manhattan, New York", "Canal Street station, Manhattan, New York", "Flushing, Queens",
    "Flushing, Queens, New York", "Sunset Park, Brooklyn, New York", "Brooklyn", "Manhattan", "The Bronx",
    "Staten Island", "new york", "NYC Chinatown, New York, NY"])
def test_a_borough_or_neighbourhood_of_new_york_is_new_york(words: str) -> None:
    assert PLACES.city(words, latin=True) == "New York City"
    assert PLACES.city(words, latin=False) == "纽约"
    assert PLACES.city_zone(words) == "America/New_York"
    assert covers("New York", PLACES.city(words))


@pytest.mark.parametrize(("words", "english"), [("Richmond", "Richmond"), ("Springfield", "Springfield"),
                                                ("列治文", "Richmond")])
def test_a_bare_name_big_cities_in_other_zones_share_names_no_zone_and_no_region(words: str, english: str) -> None:
    assert PLACES.city_zone(words) == ""
    assert PLACES.city(words, latin=True) == english  # never "Richmond, Virginia": the words did not say


@pytest.mark.parametrize(("words", "zone"), [("London", "Europe/London"), ("Paris", "Europe/Paris"),
                                             ("Portland", "America/Los_Angeles"), ("Vancouver", "America/Vancouver")])
def test_a_bare_name_of_one_city_far_bigger_than_the_others_is_that_city(words: str, zone: str) -> None:
    assert PLACES.city_zone(words) == zone
    assert PLACES.city(words, latin=True) == words


def test_the_chinese_reader_reads_the_region_a_bare_name_would_not_say_in_chinese() -> None:
    assert PLACES.city("London, Ontario", latin=False) == "伦敦（安大略省）"
    assert PLACES.city("London", latin=False) == "伦敦"
    assert PLACES.city("Richmond, BC, Canada", latin=False) == "列治文（不列颠哥伦比亚省）"
    assert PLACES.city("Sydney, Nova Scotia", latin=False) == "悉尼（新斯科舍省）"


def test_a_region_is_read_only_beside_a_city_and_an_abbreviation_only_as_written() -> None:
    assert PLACES.city("Ontario, Canada", latin=True) != "London, Ontario"
    assert PLACES.city("Canada", latin=True) == "Canada"
    assert PLACES.city("London on the way home", latin=True) == "London"  # "on" is no Ontario
    assert PLACES.city("seen near us in Toronto", latin=True) == "Toronto"
    assert PLACES.city("Kansas City", latin=True) == "Kansas City"  # a state's name inside a city's


def test_london_ontario_is_not_in_london_and_a_region_is_not_its_namesake() -> None:
    assert not covers("London", PLACES.city("London, Ontario"))
    assert covers("London, Ontario", PLACES.city("London, Ontario"))
    assert covers("London", PLACES.city("Richmond, London"))  # a borough of London, not Virginia


def test_a_pin_still_decides_between_cities_of_one_name() -> None:
    richmond_bc = GeoPoint(49.17, -123.14)
    assert PLACES.city("Richmond", latin=True, near=richmond_bc) == "Richmond, British Columbia"
    assert PLACES.city_zone("Richmond", richmond_bc) == "America/Vancouver"


@pytest.mark.parametrize(("words", "english", "chinese", "zone"), [
    ("成都", "Chengdu, Sichuan", "四川省成都市", "Asia/Shanghai"),
    ("Chengdu, Sichuan", "Chengdu, Sichuan", "四川省成都市", "Asia/Shanghai"),
    ("Near Chaoyang Park, Beijing", "Beijing", "北京市", "Asia/Shanghai"),
    ("台北市大安区", "Taipei", "台北", "Asia/Taipei"),
    ("香港九龙", "Hong Kong", "香港特别行政区", "Asia/Hong_Kong"),
    ("Kashgar", "Kashgar, Xinjiang", "新疆维吾尔自治区喀什地区", "Asia/Shanghai"),
])
def test_chinese_places_read_as_before(words: str, english: str, chinese: str, zone: str) -> None:
    assert PLACES.city(words, latin=True) == english
    assert PLACES.city(words, latin=False) == chinese
    assert PLACES.city_zone(words) == zone
