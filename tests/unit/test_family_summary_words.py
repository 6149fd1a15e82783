"""A moderator's words for families may name the city, never what pins the spot beyond it."""

from __future__ import annotations

from reunite.domain.summary import repeated_place


def test_numbers_names_and_chinese_street_words_from_the_place_are_caught_the_city_is_not() -> None:
    place, city = "No. 17 Lane 3 Xinhua Road, Chaoyang, Beijing", "Beijing"
    assert repeated_place("Girl near No. 17 in a grey hat", place, city) == "17"
    assert repeated_place("begging on xinhua road", place, city) == "xinhua"
    assert repeated_place("seen in Chaoyang", place, city) == "chaoyang"
    assert repeated_place("Girl in Beijing, about 6, near a road with a man", place, city) is None
    assert repeated_place("about 170 cm", place, city) is None  # 17 only as a number of its own
    zh, zh_city = "北京市朝阳区新华路3弄17号红色面包店门口", "北京市"
    assert repeated_place("在新华路乞讨的女孩", zh, zh_city) == "新华路"
    assert repeated_place("穿红衣服的女孩，在北京市", zh, zh_city) is None
    assert repeated_place("anything", "", "") is None
