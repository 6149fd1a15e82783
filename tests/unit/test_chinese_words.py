"""Chinese everyday words are no town abroad (probe s45 P4): a child seen at a park's south gate (人民公园南门) was
placed in Los Angeles (South Gate's Chinese name), by a fountain (喷泉) in Fountain, Colorado, at a crossroads
(十字路口) in The Crossings, Florida, at a free market (自由市场) in Freetown; the report's day read in the wrong
zone and the poster told a Chinese family to call 911. A Chinese name of a city abroad that is no everyday word
still names it, alone or beside its region; an everyday word names its small town abroad only beside its region."""

from __future__ import annotations

import pytest

from reunite.adapters.places import NOWHERE, locate, public_city
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


@pytest.mark.parametrize("words", [
    "自由市场旁边", "五角大楼",  # a market holds Freetown's 自由市; the Pentagon Five Corners' 五角
    "今天门口有个小孩在要饭", "昨天门口", "一个大连锁店门口", "三明治店门口", "东方明珠塔下", "莲花山邓小平像",
    "供销合作社门口", "县城汽车站", "新乡村", "黑河边", "大同小异", "保安阳台", "普洱茶店", "长春藤",
])
def test_a_name_across_two_words_or_inside_one_is_no_place(words: str) -> None:
    """Probe s47 P1: 今天|门口 holds 天门 (Tianmen), 大|连锁店 大连 (Dalian), 三明治 三明, 邓小平 小平 (Kodaira, Tokyo),
    合作社 合作 (Hezuo): a name counts as the words are written (jieba's segmentation)."""
    assert public_city(words) == ""
    assert locate(words) == NOWHERE


@pytest.mark.parametrize("words", [
    "维也纳酒店门口", "兰州拉面馆门口", "沙县小吃", "重庆火锅店", "巴黎春天门口", "曼哈顿广场", "罗马花园", "悉尼花园",
])
def test_a_chain_or_an_estate_named_after_a_city_is_no_place_alone(words: str) -> None:
    """Probe s47 P1: a Vienna Hotel (a chain with thousands of branches in China) placed a child in Vienna, with
    Europe's number on its poster; a Lanzhou noodle shop is on every street."""
    assert public_city(words) == ""


@pytest.mark.parametrize(("words", "city"), [
    ("北京火车站南门", "北京"), ("北京西站", "北京"), ("上海市浦东新区陆家嘴", "上海"), ("武汉长江大桥", "武汉"),
    ("我在武汉市汉口火车站", "武汉"), ("成都市中心", "成都"), ("深圳莲花山公园", "深圳"), ("甘肃兰州拉面馆", "兰州"),
    ("上海维也纳酒店门口", "上海"), ("在大连", "大连"), ("天门市", "天门"), ("三明市", "三明"),
])
def test_a_place_written_as_its_own_words_is_still_read(words: str, city: str) -> None:
    assert city in public_city(words)


@pytest.mark.parametrize("words", [
    "在小河南边的菜市场", "在山东边的路口", "在山西边的村子", "在江西边的码头", "湖北岸的小路上", "湖北面的停车场",
    "在海南边的沙滩上", "山南边", "东方向",
])
def test_a_name_ending_in_a_direction_that_goes_on_as_a_word_is_no_place_alone(words: str) -> None:
    """Probe s48 P0: 小河|南边 (south of the little river) read as Henan, 山|东边 as Shandong, 湖|北岸 as Hubei."""
    assert public_city(words) == ""


@pytest.mark.parametrize("words", [
    "维也纳国际酒店门口", "维也纳3好酒店", "首尔炸鸡店门口", "东京烤肉店", "米兰婚纱摄影门口", "中山公园南门",
    "中山医院门口", "北海公园门口",
])
def test_a_shop_named_after_a_city_abroad_or_a_namesake_landmark_is_no_place_alone(words: str) -> None:
    """Probe s48 P1: a Vienna International Hotel (a branch of a Chinese chain) still read as Vienna, Seoul fried
    chicken as Seoul; 中山公园 (Sun Yat-sen's park, in most cities) as Zhongshan, Beijing's 北海公园 as Beihai."""
    assert public_city(words) == ""


@pytest.mark.parametrize(("words", "city"), [
    ("河南郑州", "郑州"), ("在山东济南", "济南"), ("湖北武汉", "武汉"), ("东方市", "东方"),
    ("在成都一家店门口", "成都"), ("上海博物馆", "上海"), ("河南省南边", "河南"), ("中山市", "中山"),
    ("在北海", "北海"),
])
def test_those_names_written_as_places_are_still_read(words: str, city: str) -> None:
    assert city in public_city(words)
