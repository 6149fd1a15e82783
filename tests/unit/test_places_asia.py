"""Places in Hong Kong, Taiwan and Singapore, and the common English words towns abroad are named (probe s30 D2): a
child lost in Causeway Bay is lost in Hong Kong (999), not in Bay, Philippines (911); one lost in 大安區 or 板橋 in
Taipei or New Taipei, not in Zigong or Tokyo; "Singapore" in English is Singapore; Bay, Central, Union and Chinatown,
alone or before a landmark's word (Central Park), name no town, and a city named beside them wins (Chinatown,
London). Where the words leave a guess, no city is named rather than a wrong one."""

from __future__ import annotations

import pytest

from reunite.adapters.places import region_named, scripts
from reunite.adapters.regions import covers
from reunite.adapters.sources.parse import Gazetteer
from reunite.domain.emergency import police_number
from reunite.domain.home_places import HONG_KONG_PARTS, TAIWAN_CITIES

PLACES = Gazetteer()


def police(words: str) -> str | None:
    """The number a poster of a child last seen there tells the public to call (``posters.call_phone``)."""
    return police_number(PLACES.country(PLACES.city_zone(words)))


@pytest.mark.parametrize("words", [
    "Causeway Bay", "causeway bay", "Causeway Bay, Hong Kong", "銅鑼灣", "铜锣湾", "香港銅鑼灣", "銅鑼灣時代廣場",
    "中環", "中环", "中環站", "上環", "上环", "深水埗", "深水埗站", "時代廣場", "时代广场", "旺角", "尖沙咀", "沙田",
    "Sheung Wan", "Repulse Bay", "Quarry Bay", "Kowloon Bay", "North Point", "Mid-Levels", "Lantau Island",
    "Central, Hong Kong", "Hong Kong Central", "Victoria Park, Hong Kong", "金鐘", "跑馬地", "將軍澳", "赤鱲角機場",
])
def test_a_hong_kong_district_in_either_script_or_english_is_hong_kong(words: str) -> None:
    assert PLACES.city(words, latin=True) == "Hong Kong"
    assert PLACES.city(words, latin=False) == "香港特别行政区"
    assert PLACES.city_zone(words) == "Asia/Hong_Kong"
    assert police(words) == "999"
    for region in ("Hong Kong", "香港", "香港特別行政區"):
        assert covers(region, PLACES.city(words))
    assert not covers("Philippines", PLACES.city(words))


@pytest.mark.parametrize("name", HONG_KONG_PARTS)
def test_every_hong_kong_name_listed_reads_as_hong_kong(name: str) -> None:
    for written in {*scripts(name), name.lower()}:  # a search box's small letters too
        assert PLACES.city(written, latin=True) == "Hong Kong", written


@pytest.mark.parametrize(("words", "english", "chinese"), [
    ("Singapore", "Singapore", "新加坡"), ("singapore", "Singapore", "新加坡"), ("新加坡", "Singapore", "新加坡"),
    ("Orchard Road, Singapore", "Singapore", "新加坡"), ("Singapore Changi Airport", "Singapore", "新加坡"),
    ("Chinatown Singapore", "Singapore", "新加坡"), ("Chinatown, Singapore", "Singapore", "新加坡"),
    ("Marina Bay, Singapore", "Singapore", "新加坡"), ("Woodlands, Singapore", "Singapore", "新加坡"),
    ("新加坡牛車水", "Singapore", "新加坡"), ("Little India, Singapore", "Singapore", "新加坡"),
])
def test_singapore_in_english_is_the_city_state(words: str, english: str, chinese: str) -> None:
    assert PLACES.city(words, latin=True) == english
    assert PLACES.city(words, latin=False) == chinese
    assert PLACES.city_zone(words) == "Asia/Singapore"
    assert police(words) == "999"
    for region in ("Singapore", "新加坡"):  # a subscriber to Singapore is told of a child lost there
        assert covers(region, PLACES.city(words))
        assert covers(region, PLACES.city(words, latin=False))


def test_a_city_state_named_alone_is_its_city_not_only_its_country() -> None:
    assert region_named("Singapore").area == ""  # the city, as "New York" is
    assert PLACES.city("Monaco", latin=False) == "摩纳哥"
    assert PLACES.city_zone("Monaco") == "Europe/Monaco"


@pytest.mark.parametrize(("words", "english", "chinese"), [
    ("大安區", "Taipei", "台北"), ("台北市大安區復興南路一段123號5樓", "Taipei", "台北"),
    ("台北市大安区", "Taipei", "台北"), ("信義區", "Taipei", "台北"), ("中正區", "Taipei", "台北"),
    ("中山區", "Taipei", "台北"), ("士林區", "Taipei", "台北"),
    ("西門町", "Taipei", "台北"), ("Xinyi District", "Taipei", "台北"), ("Taibei", "Taipei", "台北"),
    ("Taibei Ximending", "Taipei", "台北"), ("taibei", "Taipei", "台北"), ("臺北車站", "Taipei", "台北"),
    ("板橋", "New Taipei City", "新北"), ("板桥", "New Taipei City", "新北"), ("板橋區", "New Taipei City", "新北"),
    ("新北市板橋區", "New Taipei City", "新北"), ("Xinbei", "New Taipei City", "新北"),
    ("Banqiao", "New Taipei City", "新北"),
    ("金山區", "New Taipei City", "新北"),
    ("桃園", "Taoyuan", "桃园"), ("桃園機場", "Taoyuan", "桃园"), ("桃園國際機場", "Taoyuan", "桃园"),
    ("中壢區", "Taoyuan", "桃园"), ("Taoyuan", "Taoyuan", "桃园"),
    ("Taizhong", "Taichung", "台中"), ("西屯區", "Taichung", "台中"), ("Gaoxiong", "Kaohsiung", "高雄"),
    ("鳳山區", "Kaohsiung", "高雄"), ("Tainan", "Tainan", "台南"), ("安平區", "Tainan", "台南"),
    ("台東", "Taitung", "台东"), ("臺東", "Taitung", "台东"), ("花蓮", "Hualien City", "花莲"),
    ("嘉義", "Chiayi City", "嘉义"),
])
def test_a_taiwanese_city_or_district_is_read_as_its_city(words: str, english: str, chinese: str) -> None:
    assert PLACES.city(words, latin=True) == english
    assert PLACES.city(words, latin=False) == chinese
    assert PLACES.city_zone(words) == "Asia/Taipei"
    assert police(words) == "110"
    assert covers(english, PLACES.city(words)) and covers(chinese, PLACES.city(words, latin=False))


@pytest.mark.parametrize(("city", "names"), list(TAIWAN_CITIES.items()))
def test_every_taiwanese_name_listed_reads_as_its_city_in_traditional_characters(
        city: str, names: tuple[tuple[str, ...], tuple[str, ...]]) -> None:
    for name in (*names[0], *names[1]):
        traditional = max(scripts(name), key=lambda form: form != name)
        assert PLACES.city(traditional, latin=True) == PLACES.city(city, latin=True), traditional


@pytest.mark.parametrize(("words", "region"), [("板橋", "Tokyo"), ("板橋", "东京"), ("台東", "Tokyo"),
                                               ("大安區", "Sichuan"), ("大安區", "自贡"), ("中山區", "大连")])
def test_a_taiwanese_name_is_not_the_japanese_ward_or_mainland_district_it_shares(words: str, region: str) -> None:
    assert not covers(region, PLACES.city(words))
    assert PLACES.city_zone(words) != "Asia/Tokyo"


@pytest.mark.parametrize(("words", "english"), [
    ("大安区", "Zigong, Sichuan"),  # in simplified characters: the mainland's district of that name
    ("四川自贡大安区", "Zigong, Sichuan"), ("四川自貢大安區", "Zigong, Sichuan"),  # its city named: whatever the script
    ("Da'an District", ""),  # in Latin letters, Zigong's or Taipei's: no city rather than a guess
    ("信義", ""), ("信义", ""),  # a district's bare name names no city alone
])
def test_the_script_chooses_between_a_mainland_and_a_taiwanese_district_only_when_nothing_else_does(
        words: str, english: str) -> None:
    assert PLACES.city(words, latin=True) == english


@pytest.mark.parametrize("words", [
    "Bay", "Central", "Union", "Chinatown", "Central Park", "Union Square", "Union Station", "Golden Gate Park",
    "Bay Area", "Bay Ridge", "Orange County", "Grand Central Terminal", "Victoria Park", "Richmond Station",
    "Waterloo Station", "Little Italy", "Little Tokyo", "Heathrow Airport", "Tampa Bay", "Marina Bay Sands",
])
def test_a_common_word_or_a_landmark_alone_names_no_town(words: str) -> None:
    assert PLACES.city(words, latin=True) == ""
    assert PLACES.city(words, latin=False) == ""
    assert PLACES.city_zone(words) == ""
    assert police(words) is None  # the site's own number, never a town's country's


@pytest.mark.parametrize(("words", "english", "zone", "number"), [
    ("Chinatown, London", "London", "Europe/London", "999"),
    ("Chinatown, San Francisco", "San Francisco", "America/Los_Angeles", "911"),
    ("Chinatown, Toronto", "Toronto", "America/Toronto", "911"),
    ("Chinatown, Sydney", "Sydney", "Australia/Sydney", "000"),
    ("Chinatown Melbourne", "Melbourne", "Australia/Melbourne", "000"),
    ("Chinatown, Kuala Lumpur", "Kuala Lumpur", "Asia/Kuala_Lumpur", "999"),
    ("Chinatown, Bangkok", "Bangkok", "Asia/Bangkok", "191"),
    ("Chinatown, Manhattan, New York", "New York City", "America/New_York", "911"),
    ("Bay Ridge, Brooklyn", "New York City", "America/New_York", "911"),
    ("Central Park, New York", "New York City", "America/New_York", "911"),
    ("Union Square, San Francisco", "San Francisco", "America/Los_Angeles", "911"),
    ("Golden Gate Park, San Francisco", "San Francisco", "America/Los_Angeles", "911"),
    ("Golden Gate, San Francisco", "San Francisco", "America/Los_Angeles", "911"),
    ("Union Station, Los Angeles", "Los Angeles", "America/Los_Angeles", "911"),
    ("Toronto Union Station", "Toronto", "America/Toronto", "911"),
    ("Hyde Park, London", "London", "Europe/London", "999"),
    ("Belleville, Paris", "Paris", "Europe/Paris", "112"),
    ("Tokyo Tower", "Tokyo", "Asia/Tokyo", "110"),
    ("Seattle Center", "Seattle", "America/Los_Angeles", "911"),
    ("Brooklyn Bridge", "New York City", "America/New_York", "911"),
    ("Union, New Jersey", "Union, New Jersey", "America/New_York", "911"),  # its state beside it: the town
])
def test_a_city_named_beside_a_common_word_or_a_small_town_wins(
        words: str, english: str, zone: str, number: str) -> None:
    assert PLACES.city(words, latin=True) == english
    assert PLACES.city_zone(words) == zone
    assert police(words) == number
    assert covers(english, PLACES.city(words))


@pytest.mark.parametrize(("words", "chinese"), [
    ("Jakarta", "雅加达"), ("雅加达", "雅加达"), ("Yokohama", "横滨"), ("Hiroshima", "广岛"),
    ("Istanbul", "伊斯坦布尔"),
    ("Kinshasa", "金沙萨"), ("Montreal", "蒙特利尔"), ("Laval, Quebec", "蒙特利尔"), ("Houston", "休斯敦"),
    ("Dubai", "迪拜"), ("Brisbane", "布里斯班"), ("Barcelona", "巴塞罗那"), ("Brussels", "布鲁塞尔"),
    ("Incheon", "仁川"), ("Pyongyang", "平壤"), ("Nairobi", "内罗毕"), ("Chennai", "金奈"), ("Irvine", "尔湾"),
    ("Kanazawa", "金泽市"),  # GeoNames' shortest is Japanese (金沢): its Chinese one
])
def test_a_city_abroad_is_shown_by_its_common_chinese_name(words: str, chinese: str) -> None:
    assert PLACES.city(words, latin=False) == chinese


@pytest.mark.parametrize("region", ["台湾", "台灣", "臺灣", "Taiwan", "taiwan"])
@pytest.mark.parametrize("city", ["台北", "臺北市大安區", "Taipei", "New Taipei City", "新北市板橋區", "高雄",
                                  "高雄市左營區", "Kaohsiung", "桃園市中壢區", "台中"])
def test_taiwan_covers_every_taiwanese_city(region: str, city: str) -> None:
    """Probe s31 E3: a feed or an alert for Taiwan listed no child lost in Taiwan."""
    assert covers(region, PLACES.city(city))


@pytest.mark.parametrize("city", ["香港", "上海", "Tokyo", "东京", "Singapore"])
def test_taiwan_covers_no_place_outside_it(city: str) -> None:
    assert not covers("台湾", PLACES.city(city)) and not covers("Taiwan", PLACES.city(city))


@pytest.mark.parametrize(("words", "english", "number"), [
    ("香港维多利亚公园", "Hong Kong", "999"), ("香港維多利亞公園", "Hong Kong", "999"),
    ("Victoria Park, Hong Kong", "Hong Kong", "999"), ("温哥华机场", "Vancouver", "911"),
    ("多伦多联合车站", "Toronto", "911"), ("台北车站", "Taipei", "110"),
])
def test_a_city_named_beside_a_chinese_landmark_wins_over_a_town_of_its_name(words: str, english: str,
                                                                              number: str) -> None:
    """Probe s31 E1: 香港维多利亚公园 was Victoria, British Columbia (Call 911); "Victoria Park, Hong Kong" was not."""
    assert english in PLACES.city(words, True) and police(words) == number


@pytest.mark.parametrize("words", ["维多利亚公园", "維多利亞公園", "维多利亚广场", "维多利亚港"])
def test_a_town_abroad_named_before_a_chinese_landmark_word_names_no_city(words: str) -> None:
    assert "Victoria" not in PLACES.city(words, True)


@pytest.mark.parametrize(("words", "english"), [
    ("安大略", "Ontario, Canada"), ("Ontario", "Ontario, Canada"), ("Penang", "Penang, Malaysia"),
    ("George Town, Penang", "George Town, Penang"), ("Georgetown, Penang", "George Town, Penang"),
    ("槟城", "George Town, Penang"), ("檳城", "George Town, Penang"),
])
def test_a_region_abroad_named_alone_or_beside_its_city_reads_as_it_is_meant(words: str, english: str) -> None:
    """Probe s31 E1: 安大略 was Ontario, California; "George Town, Penang" Georgetown, Guyana; Penang unknown."""
    assert PLACES.city(words, True) == english


@pytest.mark.parametrize(("region", "city"), [
    ("Penang", "George Town, Penang"), ("槟城", "George Town, Penang"), ("Malaysia", "George Town, Penang"),
    ("安大略", "Toronto"), ("安大略省", "安大略"), ("Canada", "安大略"), ("新南威尔士", "Sydney"),
])
def test_a_region_named_in_either_language_covers_its_cities(region: str, city: str) -> None:
    assert covers(region, PLACES.city(city))


def test_ontario_in_chinese_is_not_californias_city() -> None:
    assert not covers("California", PLACES.city("安大略")) and not covers("加州", PLACES.city("安大略"))
    assert police("George Town, Penang") == "999"
