"""A moderator's words for families may name the city, never what pins the spot beyond it: checked on
folded text (full-width, accents, traditional characters, Chinese numerals, spaced digits), against the
report's coordinates, its place words and the names in the reporter's other words (an outside probe's
variations, each of which got through a check on the place words as typed)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from reunite.adapters.sources.parse import Gazetteer
from reunite.domain.summary import pinning, repeated_place
from reunite.services.words import city_names

SHANGHAI = "上海市黄浦区南京东路步行街88号和平饭店门口 Nanjing Road exit 3"
PEACE = "Peace Hotel, Nanjing East Road No. 20, Huangpu, Shanghai"
TAIPEI = "台北市信義區松壽路12號 信義商圈"
GAZETTEER = Gazetteer()


def repeated(summary: str, *words: str, point: tuple[float, float] | None = None, contact: str = "") -> str | None:
    deps = SimpleNamespace(places=GAZETTEER)
    return repeated_place(summary, list(words), point, lambda place: city_names(deps, place),  # type: ignore[arg-type]
                          GAZETTEER.simplified, contact, readings=GAZETTEER.readings,
                          spellings=GAZETTEER.spellings)


@pytest.mark.parametrize(("summary", "words", "point"), [
    ("seen at 31.2212, 121.4760", ("",), (31.2212, 121.476)),  # a GPS-only report's coordinates
    ("near 31.22 north", ("",), (31.2212, 121.476)),
    ("outside the Starbucks in Xintiandi", ("上海", "standing outside the Starbucks in Xintiandi"), None),
    ("在和平飯店門口", (SHANGHAI,), None),  # traditional for simplified
    ("outside the building numbered ８８", (SHANGHAI,), None),  # full-width digits
    ("在八十八号门口", (SHANGHAI,), None),  # a Chinese numeral
    ("8 8号", (SHANGHAI,), None),
    ("Nan-jing road", (SHANGHAI,), None),
    ("Nánjīng road", (SHANGHAI,), None),
    ("信义商圈", (TAIPEI,), None),
    ("松寿路十二号", (TAIPEI,), None),
    ("在外滩陈毅像旁", ("外滩 陈毅广场 雕像旁",), None),  # two-character names
    ("on Nanjing East Road, girl in red", (PEACE,), None),  # a street named after another city
    ("Peacehotel", (PEACE,), None),
    ("No.２０", (PEACE,), None),
])
def test_what_pins_the_spot_is_caught_in_any_writing(summary: str, words: tuple[str, ...],
                                                     point: tuple[float, float] | None) -> None:
    assert repeated(summary, *words, point=point) is not None


@pytest.mark.parametrize(("summary", "words"), [
    ("girl standing by a fountain in a red coat", ("上海", "standing outside the Starbucks in Xintiandi")),
    ("穿红衣服的女孩，在上海，和一个男人在一起", (SHANGHAI,)),  # the city every reader sees
    ("在台北市乞讨的男孩", (TAIPEI,)),  # the city, written as the reporter wrote it
    ("girl in red at a hotel in Shanghai, about 6", (PEACE,)),  # "hotel" pins nothing on its own
    ("about 170 cm, grey hat", ("No. 17 Lane 3 Xinhua Road, Beijing",)),  # 17 only as a number of its own
])
def test_the_city_clothes_and_generic_words_pass(summary: str, words: tuple[str, ...]) -> None:
    assert repeated(summary, *words) is None


@pytest.mark.parametrize("words", [PEACE, "Nanjing Rd. W 100, Shanghai", "上海市黄浦区南京东路步行街88号",
                                   "南京西路 上海"])
def test_a_street_named_after_a_city_is_no_city_with_its_direction_either(words: str) -> None:
    assert GAZETTEER.simplified(GAZETTEER.city(words)).startswith(("Shanghai", "上海"))  # not Nanjing, 270 km away


PEACE_ZH = "上海市黄浦区南京东路步行街和平饭店门口"  # all Chinese, nothing between its pieces
GPS = (31.2212, 121.476)


@pytest.mark.parametrize(("summary", "place", "city"), [
    ("和平饭店", PEACE_ZH, "上海市"), ("在和平飯店門口", PEACE_ZH, "上海市"), ("步行街", PEACE_ZH, "上海市"),
    ("在太古里优衣库门口", "成都市锦江区春熙路太古里优衣库门口", "成都市"),
    ("三里屯太古里", "北京市朝阳区三里屯太古里南区", "北京市"),
])
def test_a_chinese_place_is_checked_beyond_its_citys_own_names(summary: str, place: str, city: str) -> None:
    names = city_names(SimpleNamespace(places=GAZETTEER), place)  # type: ignore[arg-type]
    assert city in names and place not in names and not any(len(n) > 8 for n in names)
    assert repeated(summary, place) is not None
    assert repeated(f"穿红衣服的女孩，{city}", place) is None  # the city itself still passes


@pytest.mark.parametrize(("summary", "words", "contact"), [
    ("在新天地星巴克门口", ("上海", "在新天地星巴克门口喷泉旁边，穿红色外套"), ""),  # the reporter's Chinese words
    ("by the starbucks fountain in xintiandi", ("", "outside the starbucks in xintiandi by the fountain"), ""),
    ("seen at 31°13'16\"N 121°28'34\"E", ("",), ""),  # degrees, minutes, seconds
    ("北纬31度13分 东经121度28分", ("",), ""),
    ("seen at 31 .2212 , 121 .4760", ("",), ""),  # spaced decimals
    ("near 312212", ("",), ""), ("N31 E121", ("",), ""),  # numbers that look like the report's coordinates
    ("Nаnjing rоad", (PEACE_ZH + " Nanjing Road",), ""),  # Cyrillic а and о
    ("at number 捌拾捌", ("上海市黄浦区南京东路步行街88号",), ""),  # financial numerals
    ("the witness (reporter@x.org) says she cried", ("上海市",), "reporter@x.org"),  # the reporter's contact
    ("her mother's phone: 138 0013 8000", ("上海市",), ""),  # any phone number
])
def test_the_reporters_words_coordinates_look_alikes_and_contacts_are_caught(
    summary: str, words: tuple[str, ...], contact: str
) -> None:
    assert repeated(summary, *words, point=GPS, contact=contact) is not None


@pytest.mark.parametrize(("summary", "words"), [
    ("a boy of about 4, with his grandmother", ("四川省成都市锦江区春熙路",)),  # 四川 is no 4
    ("男孩约四岁，穿红色外套", ("四川省成都市锦江区春熙路", "穿红色外套，在哭")),  # common words of the reporter's
    ("girl in a red coat, crying, with an older woman",
     ("上海", "She was crying outside, wearing a red coat, holding an older woman's hand")),
    ("boy about 8, 120 cm, \u200bred hat", ("",)),
])
def test_ages_clothes_and_common_words_pass(summary: str, words: tuple[str, ...]) -> None:
    assert repeated(summary, *words, point=GPS) is None


@pytest.mark.parametrize(("summary", "caught"), [  # probe s15 N4: the reporter's contact is anon@x.org
    ("An anonymous passer-by stayed with her", False),  # an ordinary word that holds the contact's name
    ("witness wechat id anon_x_2026", True), ("ask a n o n", True), ("ask A.N.O.N.", True),
])
def test_the_reporters_contact_is_caught_as_a_word_not_inside_one(summary: str, caught: bool) -> None:
    assert (repeated(summary, "上海", contact="anon@x.org") is not None) is caught


@pytest.mark.parametrize(("summary", "place", "quoted"), [
    ("4号门口", "四川省成都市锦江区春熙路四号", "四"),  # the 四 of 四号, as the place writes it
    ("在八十八号门口", "上海市黄浦区南京东路步行街88号", "88"),
    ("在88号门口", "上海市黄浦区南京东路步行街八十八号", "八十八"),
    ("在和平饭店", "台北市和平飯店", "和平"),
])
def test_a_refusal_quotes_what_the_place_words_say(summary: str, place: str, quoted: str) -> None:
    assert repeated(summary, place) == quoted


@pytest.mark.parametrize(("summary", "words", "point", "contact"), [  # probe s13 F7
    ("坐标三一点二三五五, 一二一点四八四", ("",), (31.2355, 121.484), ""),  # digit by digit, 点 for the point
    ("北纬三十一度十四分", ("",), (31.2355, 121.484), ""),
    ("seen at 31 . 2355", ("",), (31.2355, 121.484), ""),
    ("near 31d14m north", ("",), (31.2355, 121.484), ""),
    ("at Ʒ1.2Ʒ55", ("",), (31.2355, 121.484), ""),  # a look-alike letter for 3
    ("call 幺三九 幺二三四 五六七八", ("上海",), None, "13912345678"),  # a phone number said aloud
    ("门牌八八", (SHANGHAI,), None, ""),  # a house number digit by digit
    ("write to reporter at x dot org", ("上海",), None, ""),  # an email said aloud
])
def test_numbers_and_contacts_said_in_words_are_caught(summary: str, words: tuple[str, ...],
                                                        point: tuple[float, float] | None, contact: str) -> None:
    assert repeated(summary, *words, point=point, contact=contact) is not None


@pytest.mark.parametrize(("summary", "words", "point", "contact"), [  # probe s12 F2, what was still let through
    ("seen at thirty one point two three five five", ("",), (31.2355, 121.484), ""),  # spelled out in English
    ("near thirty-one point two, one twenty-one point four", ("",), (31.2355, 121.484), ""),
    ("call one three nine one two three four five six seven eight", ("上海",), None, "13912345678"),
    ("at number eighty eight", (SHANGHAI,), None, ""),
    ("at eight eight, by the gate", (SHANGHAI,), None, ""),
    ("san shi yi dian er san wu wu", ("",), (31.2355, 121.484), ""),  # said in pinyin
    ("yao san jiu yao er san si wu liu qi ba", ("上海",), None, "13912345678"),
    ("menpai ba shi ba hao", (SHANGHAI,), None, ""),
])
def test_numbers_spelled_in_english_or_pinyin_are_caught(summary: str, words: tuple[str, ...],
                                                         point: tuple[float, float] | None, contact: str) -> None:
    assert repeated(summary, *words, point=point, contact=contact) is not None


@pytest.mark.parametrize(("summary", "quoted"), [
    ("Heping Fandian, Nanjing Dong Lu", "南京 (nanjing)"),  # the place's own words in pinyin
    ("at the door of the Peace Hotel on Nanjing East Road", "南京 (nanjing)"),
    ("outside the hepingfandian", "和平饭店 (hepingfandian)"),  # in any spacing, with tones
    ("He2-ping2 hotel", "和平 (he2-ping2)"),
    ("Hépíng Hotel", "和平 (heping)"),
    ("in Huangpu district", "黄浦 (huangpu)"),  # the district, below the city
])
def test_the_place_words_said_in_pinyin_are_caught(summary: str, quoted: str) -> None:
    assert repeated(summary, PEACE_ZH) == quoted


@pytest.mark.parametrize(("summary", "place", "quoted"), [
    ("at the Ho-p'ing Fan-tien", PEACE_ZH, "和平 (ho-p'ing)"),  # Wade-Giles, its apostrophe as typed or not
    ("Ho P’ing hotel", PEACE_ZH, "和平 (ho p’ing)"), ("Ho-ping hotel", PEACE_ZH, "和平 (ho-ping)"),
    ("ho²-p'ing² hotel", PEACE_ZH, "和平 (ho2-p'ing2)"), ("on Nan-ching Tung Lu", PEACE_ZH, "南京 (nan-ching)"),
    ("Huang-p'u", PEACE_ZH, "黄浦 (huang-p'u)"),
    ("Hsin-i shopping area", TAIPEI, "信义 (hsin-i)"), ("on Sung-shou Road", TAIPEI, "松寿 (sung-shou)"),
    ("在ㄏㄜˊㄆㄧㄥˊㄈㄢˋㄉㄧㄢˋ门口", PEACE_ZH, "和平 (ㄏㄜˊㄆㄧㄥˊ)"),  # bopomofo, with tones or not
    ("ㄏㄜ ㄆㄧㄥ hotel", PEACE_ZH, "和平 (ㄏㄜ ㄆㄧㄥ)"), ("ㄒㄧㄣˋㄧˋ shopping area", TAIPEI, "信义 (ㄒㄧㄣˋㄧˋ)"),
    ("在ㄙㄨㄥ ㄕㄡˋ ㄌㄨˋ乞讨", TAIPEI, "松寿 (ㄙㄨㄥ ㄕㄡˋ)"),
])
def test_the_place_words_in_wade_giles_or_bopomofo_are_caught(summary: str, place: str, quoted: str) -> None:
    """Probe: the place's Chinese words said in pinyin were caught, but not as Taiwan also writes them: in
    Wade-Giles or in bopomofo. Caught the same way, as whole syllables."""
    assert repeated(summary, place) == quoted


@pytest.mark.parametrize(("summary", "place"), [
    ("ㄋㄩˇㄏㄞˊ ㄔㄨㄢ ㄏㄨㄥˊ ㄧ, about six", PEACE_ZH),  # ordinary words in bopomofo (女孩穿红衣)
    ("ㄊㄞˊㄅㄟˇ, a boy begging, ㄏㄣˇ ㄕㄡˋ", TAIPEI),  # the city (台北) and ordinary words (很瘦)
    ("a girl hoping for food in Shanghai", PEACE_ZH),  # Wade-Giles joined reads as English: not a saying
    ("the one in a red coat, holding a ping-pong bat", PEACE_ZH),
    ("ㄆㄧ ㄏㄜ", PEACE_ZH),  # a bopomofo syllable is not read inside another: ㄆㄧ is no ㄆㄧㄥ
])
def test_ordinary_words_in_bopomofo_and_english_pass(summary: str, place: str) -> None:
    assert repeated(summary, place) is None


@pytest.mark.parametrize(("summary", "place"), [
    ("a girl of about six in Shanghai, red coat, with an older woman", PEACE_ZH),  # the city's own name
    ("the one in red was crying; no one helped her", PEACE_ZH),  # "one" is no number on its own
    ("a boy of about four with two men, a long scarf and a blue hat", "成都市锦江区春熙路太古里优衣库门口"),
    ("she sang and then she ran towards the metro with her mother", "北京市朝阳区三里屯太古里南区"),
    ("a girl about 12, in Chengdu, selling flowers", "成都市锦江区春熙路太古里优衣库门口"),
])
def test_ordinary_english_and_the_city_in_pinyin_pass(summary: str, place: str) -> None:
    assert repeated(summary, place) is None


NANJING_ROAD = ("上海市黄浦区南京东路步行街", "girl in a red coat", "")
NANJING_GPS = (31.2375, 121.4801)


@pytest.mark.parametrize(("summary", "kind"), [  # probe s14 F8: what a map app shares, and its kin
    ("plus code 6FPJ+X2 上海", "map code"), ("6FJJ+2V", "map code"), ("8Q336FPJ+X2", "map code"),
    ("８Ｑ３３６ＦＰＪ＋Ｘ２", "map code"), ("6fpj + x2", "map code"), ("8Q336FPJX2", "map code"),
    ("8Q330000+", "map code"),  # a padded full code
    ("wtw3sqe5e", "map code"), ("geohash wtw3sqe5", "map code"),
    ("///index.home.raft", "map code"), ("what3words: filled.count.soap", "map code"),
    ("/// 产品.红色.书本", "map code"),
    ("locator PM01aj", "map code"), ("51R UQ 1234 5678", "map code"), ("51RUQ123456", "map code"),
    ("UTM 51R 353000E 3456000N", "map code"), ("https://maps.app.goo.gl/Xyz12AbC", "map code"),
    ("高德 surl.amap.com/abc123", "map code"), ("31 14 15 N, 121 28 48 E", "position"),
    ("31 deg 14 min N", "position"), ("31:14:15 N", "position"), ("31·2375", "position"),
    ("31 point 2375", "position"), ("31 north, 121 east", "position"),
    ("Nánjīng Dōnglù", "place"),  # pinyin with tone marks
    ("the witness is anon@x.org, call them", "contact"),
])
def test_map_codes_positions_and_contacts_are_caught_and_named(summary: str, kind: str) -> None:
    deps = SimpleNamespace(places=GAZETTEER)
    found = pinning(summary, list(NANJING_ROAD), NANJING_GPS, lambda place: city_names(deps, place),  # type: ignore[arg-type]
                    GAZETTEER.simplified, "anon@x.org", readings=GAZETTEER.readings,
                    spellings=GAZETTEER.spellings)
    assert found is not None and found.kind == kind


def test_a_geohash_of_letters_only_is_caught_near_the_report_only() -> None:
    assert repeated("wtwdbhxk", "上海", point=(31.4464, 121.6508)) is not None  # decodes within metres of it
    assert repeated("wtwdbhxk", "成都", point=(30.6519, 104.0845)) is None  # 1,650 km away: a word


@pytest.mark.parametrize("summary", [
    "girl about 8 in a red coat, crying, holding a man's hand",
    "boy of 6, blue cap, with two adults; they took the metro",
    "about 120 cm, short hair, pink backpack with a cartoon rabbit",
    "C++ on his shirt, seen around 3:30 pm on Sunday, e.g. near a bus, size 2+2",
    "Shanghai, grey hoodie, black trousers, white sneakers, yellow umbrella, school uniform number 12",
    "she said her name was Mei; please bring the birth certificate and two photos",
    "born 2019 w/ a scar on the chin; read https://reunite.example.org/help",
    "穿红衣服的女孩，大约八岁，和一个老人在一起",
])
def test_ordinary_descriptions_pass_the_map_code_checks(summary: str) -> None:
    assert repeated(summary, *NANJING_ROAD, point=NANJING_GPS, contact="anon@x.org") is None


@pytest.mark.parametrize(("handle", "named"), [  # named as written, from the messenger's name
    ("微信 abc_123", "微信 abc_123"), ("微信号：li-hua88", "微信号：li-hua88"), ("wx: lihua88", "wx: lihua88"),
    ("VX lihua88", "VX lihua88"), ("WeChat ID lihua88", "WeChat ID lihua88"), ("QQ 12345", "QQ 12345"),
    ("QQ 12345678", "12345678"), ("QQ号 12345678", "12345678"),  # as a phone number's figures
    ("加我微信 lihua88", "微信 lihua88"), ("line id xyz123", "line id xyz123"),
    ("telegram @lihua88", "telegram @lihua88"), ("ＱＱ：１２３４５", "ＱＱ：１２３４５"), ("微信lihua", "微信lihua"),
    ("contact WhatsApp: lihua", "WhatsApp: lihua"),
])
def test_a_messenger_handle_is_a_contact(handle: str, named: str) -> None:
    """Probe s22 V8: a WeChat, QQ, LINE or Telegram handle reaches its owner as a phone number does."""
    deps = SimpleNamespace(places=GAZETTEER)
    found = pinning(f"girl in a red coat, {handle}, call any time", list(NANJING_ROAD), None,
                    lambda place: city_names(deps, place), GAZETTEER.simplified,  # type: ignore[arg-type]
                    readings=GAZETTEER.readings, spellings=GAZETTEER.spellings)
    assert found is not None and (found.kind, found.words) == ("contact", named)


@pytest.mark.parametrize("summary", [
    "she had a QQ penguin on her bag", "QQ", "her mother posted it in a 微信群", "加了微信群，大家在找",
    "she uses WeChat every day", "the wechat group of the school", "stood in line behind her mother",
    "stood in line: waiting for the bus", "Line 2 of the metro", "twx abc123", "the WXGA screen of his game",
    "穿红衣服的女孩，用微信付款", "tg line", "QQ bear toy",
])
def test_a_messengers_name_alone_or_inside_words_is_no_contact(summary: str) -> None:
    assert repeated(summary, *NANJING_ROAD) is None
