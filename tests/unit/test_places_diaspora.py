"""Places abroad as the diaspora writes them (probe s27 A6): a Chinese neighbourhood name is its city, never a town
abroad whose shorter Chinese name it begins with (法拉盛 is Flushing, New York, not Farah, Afghanistan); a region or a
country written beside a name rules out a same-named place elsewhere, at home too ("Victoria, Australia" is the
Australian state, not Hong Kong's Victoria), and a region named alone is dated by its clock; an English name of
several words is read whole before its first word (Kingston upon Thames is London, not Kingston, Jamaica)."""

from __future__ import annotations

import pytest

from reunite.adapters.regions import covers
from reunite.adapters.sources.parse import Gazetteer

PLACES = Gazetteer()


@pytest.mark.parametrize(("words", "english", "chinese", "zone"), [
    ("法拉盛", "New York City", "纽约", "America/New_York"),
    ("在纽约法拉盛走失", "New York City", "纽约", "America/New_York"),
    ("法拉盛緬街", "New York City", "纽约", "America/New_York"),
    ("布碌仑", "New York City", "纽约", "America/New_York"),
    ("布鲁克林", "New York City", "纽约", "America/New_York"),
    ("皇后区", "New York City", "纽约", "America/New_York"),
    ("曼哈顿唐人街", "New York City", "纽约", "America/New_York"),
    ("萬錦", "Markham", "万锦市", "America/Toronto"),
    ("士嘉堡", "Toronto", "多伦多", "America/Toronto"),
    ("多伦多唐人街", "Toronto", "多伦多", "America/Toronto"),
    ("本拿比", "Burnaby", "本拿比", "America/Vancouver"),
    ("蒙特利公园", "Los Angeles", "洛杉矶", "America/Los_Angeles"),
    ("Flushing, NY", "New York City", "纽约", "America/New_York"),
    ("Scarborough, Ontario", "Toronto", "多伦多", "America/Toronto"),
])
def test_a_diaspora_neighbourhood_name_is_its_city(words: str, english: str, chinese: str, zone: str) -> None:
    assert PLACES.city(words, latin=True) == english
    assert PLACES.city(words, latin=False) == chinese
    assert PLACES.city_zone(words) == zone


@pytest.mark.parametrize("words", ["法拉盛", "在法拉盛走失", "布鲁克林", "阿法拉", "法拉利", "华盛克林"])
def test_a_town_abroad_is_not_read_from_inside_a_longer_foreign_name(words: str) -> None:
    # 法拉 is Farah (Afghanistan), 克林 Klin (Russia): never read from a longer transliteration
    for latin in (True, False):
        assert PLACES.city(words, latin=latin) not in ("Farah", "法拉", "Klin", "克林")
    assert PLACES.city_zone(words) not in ("Asia/Kabul", "Europe/Moscow")


@pytest.mark.parametrize(("words", "english"), [("法拉", "Farah"), ("克林", "Klin"), ("在曼彻斯特走失", "Manchester"),
                                                ("旧金山湾区", "San Francisco"), ("温哥华列治文", "Vancouver")])
def test_a_chinese_name_abroad_standing_alone_or_beside_plain_words_still_reads(words: str, english: str) -> None:
    assert PLACES.city(words, latin=True) == english


@pytest.mark.parametrize(("region", "words"), [
    ("New York", "法拉盛"), ("纽约", "法拉盛"), ("Queens", "法拉盛"), ("New York", "布碌仑"), ("Toronto", "士嘉堡"),
    ("Toronto", "萬錦"), ("London", "Kingston upon Thames"), ("伦敦", "Richmond upon Thames"),
    ("Victoria", "Carlton, Melbourne, Victoria, Australia"), ("Australia", "Melbourne"), ("维多利亚州", "墨尔本")])
def test_a_diaspora_place_is_in_its_citys_region(region: str, words: str) -> None:
    assert covers(region, PLACES.city(words))
    assert covers(region, PLACES.city(words, latin=False))


@pytest.mark.parametrize(("region", "words"), [
    ("Afghanistan", "法拉盛"), ("Jamaica", "Kingston upon Thames"), ("Hong Kong", "Victoria, Australia"),
    ("香港", "Victoria, Australia"), ("Hong Kong", "Victoria")])
def test_a_diaspora_place_is_not_in_the_region_of_its_namesake(region: str, words: str) -> None:
    assert not covers(region, PLACES.city(words))


@pytest.mark.parametrize(("words", "shown", "zone"), [
    ("Victoria, Australia", "Victoria, Australia", "Australia/Melbourne"),
    ("Victoria", "Victoria, Australia", "Australia/Melbourne"),
    ("维多利亚州", "Victoria, Australia", "Australia/Melbourne"),
    ("Queensland", "Queensland, Australia", "Australia/Brisbane"),
    ("England", "England, United Kingdom", "Europe/London"),
    ("California, USA", "California, United States", "America/Los_Angeles"),
    ("加州", "California, United States", "America/Los_Angeles"),
    ("Australia", "Australia", ""), ("Canada", "Canada", "")])
def test_a_region_named_alone_is_no_city_and_keeps_its_clock_if_it_has_one(words: str, shown: str, zone: str) -> None:
    assert PLACES.city(words, latin=True) == shown
    assert PLACES.city_zone(words) == zone


@pytest.mark.parametrize(("words", "english", "zone"), [
    ("Victoria, BC", "Victoria, British Columbia", "America/Vancouver"),
    ("Victoria, Canada", "Victoria, British Columbia", "America/Vancouver"),
    ("Victoria, Texas", "Victoria, Texas", "America/Chicago"),
    ("Victoria, Hong Kong", "Hong Kong", "Asia/Hong_Kong"),
    ("Victoria, HK", "Hong Kong", "Asia/Hong_Kong"),
    ("维多利亚港", "Hong Kong", "Asia/Hong_Kong"),
    ("Richmond, Victoria", "Melbourne", "Australia/Melbourne"),
    ("Carlton, Melbourne, Victoria, Australia", "Melbourne", "Australia/Melbourne"),
])
def test_a_region_or_country_beside_a_name_wins_over_a_namesake_elsewhere(words: str, english: str, zone: str) -> None:
    assert PLACES.city(words, latin=True) == english
    assert PLACES.city_zone(words) == zone


def test_melbourne_is_named_as_the_mainland_writes_it() -> None:
    assert PLACES.city("Carlton, Melbourne, Victoria, Australia", latin=False) == "墨尔本"


@pytest.mark.parametrize(("words", "english", "zone"), [
    ("Kingston upon Thames", "London", "Europe/London"),
    ("Kingston-upon-Thames", "London", "Europe/London"),
    ("Richmond upon Thames", "London", "Europe/London"),
    ("Newcastle upon Tyne", "Newcastle upon Tyne", "Europe/London"),
    ("Kingston upon Hull", "Kingston upon Hull", "Europe/London"),
    ("Stratford upon Avon", "Stratford-upon-Avon", "Europe/London"),
    ("Sutton Coldfield", "Sutton Coldfield", "Europe/London"),
    ("Stoke-on-Trent", "Stoke-on-Trent", "Europe/London"),
])
def test_a_name_of_several_words_is_read_whole_before_its_first_word(words: str, english: str, zone: str) -> None:
    assert PLACES.city(words, latin=True) == english
    assert PLACES.city_zone(words) == zone


@pytest.mark.parametrize("words", ["Walton upon Thames", "Sunbury upon Thames"])
def test_an_english_town_unknown_is_no_town_of_its_first_word_elsewhere(words: str) -> None:
    assert PLACES.city_zone(words) in ("", "Europe/London")
    assert PLACES.city(words, latin=True) not in ("Walton", "Sunbury")


@pytest.mark.parametrize(("words", "english"), [("Kingston", "Kingston"), ("Seen in Toronto on Friday", "Toronto"),
                                                ("lost in Toronto under the bridge", "Toronto")])
def test_a_name_alone_or_before_plain_words_keeps_its_reading(words: str, english: str) -> None:
    assert PLACES.city(words, latin=True) == english


@pytest.mark.parametrize(("words", "english", "chinese", "zone"), [
    ("华盛顿", "Washington, District of Columbia", "华盛顿（哥伦比亚特区）", "America/New_York"),
    ("美国华盛顿", "Washington, District of Columbia", "华盛顿（哥伦比亚特区）", "America/New_York"),
    ("华府", "Washington, District of Columbia", "华盛顿（哥伦比亚特区）", "America/New_York"),
    ("新西兰奥克兰", "Auckland", "奥克兰", "Pacific/Auckland"),
    ("奥克兰", "Auckland", "奥克兰", "Pacific/Auckland"),
    ("加州奥克兰", "Oakland", "奥克兰（加利福尼亚州）", "America/Los_Angeles"),
    ("加州圣地亚哥", "San Diego", "圣迭戈", "America/Los_Angeles"),
    ("圣何塞", "San Jose", "圣何塞", "America/Los_Angeles"),
    ("萨克拉门托", "Sacramento", "萨克拉门托", "America/Los_Angeles"),
    ("安克雷奇", "Anchorage", "安克雷奇", "America/Anchorage"),
    ("加拿大汉密尔顿", "Hamilton", "汉密尔顿", "America/Toronto"),
    ("马尼拉", "Manila", "马尼拉", "Asia/Manila"),
])
def test_a_city_abroad_by_its_mainland_chinese_name(words: str, english: str, chinese: str, zone: str) -> None:
    # GeoNames gives 华盛顿 to a town in England, San Jose only Taiwan's 圣荷西, Auckland no everyday name; a capital
    # beside a larger city (Manila, Quezon City) is a city of its own
    assert PLACES.city(words, latin=True) == english
    assert PLACES.city(words, latin=False) == chinese
    assert PLACES.city_zone(words) == zone


@pytest.mark.parametrize(("words", "english"), [("英国华盛顿", "Washington, England"), ("Manila", "Manila"),
                                                ("Quezon City", "Quezon City"), ("Oakland, CA", "Oakland")])
def test_a_mainland_name_leaves_other_places_of_that_name_to_their_region(words: str, english: str) -> None:
    assert PLACES.city(words, latin=True) == english
