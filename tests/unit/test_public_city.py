"""The public city of a case or a sighting (probe s18 R2): what its words and its map pin name, as the
poster, the feed, alerts, the API and the place box read it. A city named beside one of its districts
wins over the city elsewhere that shares the district's name; the pin decides between the places the
words may name and vetoes one far from it; Latin names are known with or without apostrophes,
hyphens and diacritics; nothing finer than a city ever comes out."""

from __future__ import annotations

import pytest

from reunite.adapters.regions import place_filter
from reunite.adapters.sources.parse import Gazetteer
from reunite.domain.model import GeoPoint

GAZETTEER = Gazetteer()
# map pins, each in its grid cell's centre (as the public reads them: access.public_pin)
BEIJING = GeoPoint(39.945, 116.475)  # Chaoyang district, by Chaoyang Park
CHANGCHUN = GeoPoint(43.835, 125.285)  # Changchun's Chaoyang district
CHAOYANG_LIAONING = GeoPoint(41.575, 120.455)
TAIPEI = GeoPoint(25.035, 121.565)  # Xinyi district
XINYI_JIANGSU = GeoPoint(34.375, 118.355)  # 新沂, Xuzhou
CHENGDU = GeoPoint(30.655, 104.065)
DEYANG = GeoPoint(31.135, 104.405)  # the next city north of Chengdu, ~40 km from its nearest district
LONDON_SOUTHWARK = GeoPoint(51.495, -0.095)
SEA = GeoPoint(0.005, 0.005)  # in no city

BJ, LN, CC = ("Beijing", "北京市"), ("Chaoyang, Liaoning", "辽宁省朝阳市"), ("Changchun, Jilin", "吉林省长春市")
XIAN, URUMQI = ("Xi’an, Shaanxi", "陕西省西安市"), ("Ürümqi, Xinjiang", "新疆维吾尔自治区乌鲁木齐市")
HOHHOT, HK = ("Hohhot, Inner Mongolia", "内蒙古自治区呼和浩特市"), ("Hong Kong", "香港特别行政区")
TP, WH = ("Taipei", "台北"), ("Wuhan, Hubei", "湖北省武汉市")
CD, NONE = ("Chengdu, Sichuan", "四川省成都市"), ("", "")

CASES = [
    # the tester's case, and the same words in either order, with or without the pin
    ("Near Chaoyang Park, Beijing", None, BJ), ("Near Chaoyang Park, Beijing", BEIJING, BJ),
    ("Chaoyang District, Beijing", None, BJ), ("Beijing Chaoyang", None, BJ), ("Beijing's Chaoyang district", None, BJ),
    ("Haidian District, Beijing", None, BJ), ("Tongzhou, Beijing", None, BJ),
    ("朝阳公园 北京", None, BJ), ("北京朝阳公园", None, BJ), ("北京市朝阳区", None, BJ), ("朝阳区 北京", None, BJ),
    ("北京市朝陽區", None, BJ), ("朝阳公园", BEIJING, BJ), ("Chaoyang Park", BEIJING, BJ),
    # the city of that name where nothing else is said; a district shared by two cities names neither
    ("Chaoyang", None, LN), ("朝阳", None, LN), ("Chaoyang, Liaoning", None, LN), ("朝阳市双塔区", None, LN),
    ("Chaoyang District", None, NONE), ("朝阳区", None, NONE),
    # ... until the pin says which
    ("Chaoyang District", CHANGCHUN, CC), ("朝阳区", CHANGCHUN, CC), ("朝阳区", BEIJING, BJ), ("朝阳", BEIJING, BJ),
    ("Chaoyang", CHAOYANG_LIAONING, LN), ("长春市朝阳区", None, CC),
    ("Tongzhou, Nantong", None, ("Nantong, Jiangsu", "江苏省南通市")),
    ("Tongzhou, Jiangsu", None, ("Nantong, Jiangsu", "江苏省南通市")),
    # a district's bare name names its city only beside it or near the pin
    ("海淀", None, NONE), ("海淀", BEIJING, BJ), ("Haidian District", None, BJ),
    ("雁塔区", None, XIAN), ("西安雁塔", None, XIAN), ("西安市雁塔区", None, XIAN),
    ("Yanta District, Xi'an", None, XIAN),
    # Latin names with apostrophes, hyphens, diacritics, in pinyin, in capitals or small letters
    ("Xi'an", None, XIAN), ("Xian", None, XIAN), ("Xi An", None, XIAN), ("Xi-an", None, XIAN), ("XI'AN", None, XIAN),
    ("xi'an", None, XIAN), ("Xi’an Railway Station", None, XIAN), ("Xī'ān", None, XIAN), ("Xi'an, Shaanxi", None, XIAN),
    ("Urumqi", None, URUMQI), ("Ürümqi", None, URUMQI), ("Wulumuqi", None, URUMQI), ("乌鲁木齐", None, URUMQI),
    ("Hohhot", None, HOHHOT), ("Huhehaote", None, HOHHOT), ("Lhasa", None, ("Lhasa, Tibet", "西藏自治区拉萨市")),
    ("Macau", None, ("Macau", "澳门特别行政区")), ("Macao", None, ("Macau", "澳门特别行政区")),
    # Hong Kong's and Taiwan's districts stand for their city, never for themselves
    ("Tsim Sha Tsui", None, HK), ("Mong Kok", None, HK), ("Sha Tin", None, HK), ("尖沙咀", None, HK),
    ("香港尖沙咀", None, HK), ("旺角", None, HK), ("Tsim Sha Tsui, Kowloon, Hong Kong", None, HK),
    ("Xinyi", None, NONE),  # two county-level cities (新沂, 信宜) and Taipei's district: none alone
    ("Taipei Xinyi", None, TP), ("Xinyi District, Taipei", None, TP), ("Xinyi, Taipei", None, TP),
    ("Xinyi", TAIPEI, TP), ("Xinyi", XINYI_JIANGSU, ("Xuzhou, Jiangsu", "江苏省徐州市")),
    ("台北市大安区", None, TP), ("臺北市信義區", None, TP), ("Neihu", None, TP),
    ("台中市西区", None, ("Taichung", "台中")), ("西区", None, NONE),
    ("Banqiao", None, ("New Taipei City", "新北")),
    # a county-level city names its city; one under its province directly is a city itself
    ("义乌", None, ("Jinhua, Zhejiang", "浙江省金华市")), ("在义乌看见", None, ("Jinhua, Zhejiang", "浙江省金华市")),
    ("Yiwu", None, ("Jinhua, Zhejiang", "浙江省金华市")), ("新沂", None, ("Xuzhou, Jiangsu", "江苏省徐州市")),
    ("仙桃市", None, ("Xiantao, Hubei", "湖北省仙桃市")),
    # the pin and words that say nothing of a place (or a province): the pin's city, never finer
    ("behind the old water tower", None, NONE), ("behind the old water tower", BEIJING, BJ), ("", CHENGDU, CD),
    ("Sichuan", CHENGDU, CD), ("Liaoning", None, ("Liaoning", "辽宁省")),
    ("near the station", LONDON_SOUTHWARK, ("London", "伦敦")),
    # words naming a city near the pin keep it; a city hundreds of km from the pin is never chosen
    ("Chengdu", DEYANG, CD), ("Chengdu", CHENGDU, CD), ("Chengdu", BEIJING, BJ), ("成都", BEIJING, BJ),
    ("Chengdu", SEA, CD),  # a pin in no city says nothing
    # the rules that held before
    ("from Wuhan to Chengdu", None, WH), ("从武汉到成都", None, WH),
    ("Police station, Chengdu", None, CD), ("Nanjing Road, Shanghai", None, ("Shanghai", "上海市")),
    ("南京路12号门口，上海", None, ("Shanghai", "上海市")), ("Chengdu Rd", None, NONE), ("Dean's bakery", None, NONE),
    ("汉口", None, WH),
]


@pytest.mark.parametrize(("words", "pin", "city"), CASES)
def test_the_public_city_is_what_the_words_and_the_pin_name_together(
        words: str, pin: GeoPoint | None, city: tuple[str, str]) -> None:
    english, chinese = city
    assert GAZETTEER.city(words, latin=True, near=pin) == english
    assert GAZETTEER.city(words, latin=False, near=pin) == chinese


@pytest.mark.parametrize(("words", "pin", "city"), [c for c in CASES if c[2] != NONE])
def test_the_public_city_read_again_names_itself(words: str, pin: GeoPoint | None, city: tuple[str, str]) -> None:
    """What a poster says is a city, whole: read again (a region's covers, an alert's) it is that city,
    in either script, and nothing finer (no district, no street)."""
    for shown in city:
        assert GAZETTEER.city(shown, latin=True) == city[0]
        assert GAZETTEER.city(shown, latin=False) == city[1]
        assert GAZETTEER.covers(city[0], shown) and GAZETTEER.covers(city[1], shown)


@pytest.mark.parametrize("region", ["Beijing", "北京", "北京市"])
def test_the_testers_case_is_in_beijings_region_and_not_in_liaonings(region: str) -> None:
    city = GAZETTEER.city("Near Chaoyang Park, Beijing", near=BEIJING)
    assert GAZETTEER.covers(region, city)
    assert not GAZETTEER.covers("Liaoning", city) and not GAZETTEER.covers("辽宁", city)


@pytest.mark.parametrize("region", ["Xi'an", "Xian", "Urumqi", "Ürümqi", "Wulumuqi", "乌鲁木齐", "Hohhot", "Lhasa",
                                    "Macao", "Tsim Sha Tsui"])
def test_provincial_capitals_in_latin_letters_are_regions_we_know(region: str) -> None:
    assert GAZETTEER.known(region)


@pytest.mark.parametrize(("words", "lat", "lon", "admitted"), [
    ("Chaoyang Park", 39.944, 116.477, True), ("Chaoyang Park", None, None, False),  # without the pin: Liaoning's
    ("", 39.944, 116.477, True), ("by the east gate", 39.944, 116.477, True),  # the pin alone: its city
    ("Chengdu", 39.944, 116.477, True),  # the pin vetoes a city 1,500 km away
    ("Near Chaoyang Park, Beijing", None, None, True), ("朝阳公园 北京", None, None, True),
    ("Chaoyang, Liaoning", None, None, False), ("Chaoyang Park", 41.57, 120.46, False),
])
def test_the_place_box_finds_a_sighting_by_the_city_its_words_and_pin_name(
        words: str, lat: float | None, lon: float | None, admitted: bool) -> None:
    place = place_filter("Beijing", exact=False)
    assert place.admits(words, lat, lon) is admitted
    narrowing = place.narrowing()
    assert narrowing is not None
    if admitted:  # SQL keeps every row the filter admits
        assert narrowing.keeps(words, lat, lon)
