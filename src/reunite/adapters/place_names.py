"""The words of place names: places (``Place``), what a name is to each place it names (``Reading``), a
name found in words (``Mention``), and the helpers every reader of them shares: Chinese scripts (``opencc``;
Apache-2.0), pinyin (``pypinyin``'s table of readings; MIT), Latin names keyed without case, diacritics,
spaces, apostrophes or hyphens (``squashed``: Xi'an, Xian, Xi An and Xī'ān are one key, Ürümqi and Urumqi
another) and ``cpca``'s records (Chinese provinces, cities and districts, each district with its city and
province; MIT). The index of every name: ``place_index``.

A name may name several places, each read with what the name is to it: the place's own name (``CITY``:
Chengdu, 四川, Chaoyang for the city in Liaoning), a part of it that stands for it alone unless another place
shares the name (``PART``: 汉口, Hankou, 雁塔区, Chaoyang District, Tsim Sha Tsui, a county-level city), or a
district's bare name (``WEAK``: 朝阳 and Chaoyang for Beijing's district, 海淀), which names its city only beside
that city's name or near the map pin."""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Any, NamedTuple

CJK = re.compile(r"[\u3400-\u9fff]")
# The characters Chinese spells foreign names with by sound (the commonest of GeoNames' Chinese names of places
# abroad, less those that also mean something: 新, 山, 城, 西, 港). A place abroad whose Chinese name one of them
# touches, with no other name there, is a piece of a longer foreign name, not that place: 法拉盛 (Flushing) holds
# 法拉 (Farah, Afghanistan), 布鲁克林 (Brooklyn) 克林 (Klin, Russia), 华盛顿 the 盛 of nothing.
TRANSLITERATION = frozenset(
    "尔斯拉特克德卡阿里巴布罗利亚马纳格塔瓦维普夫科奥尼姆伊雷达萨莱加洛贝诺埃勒帕兰托顿恩鲁哈沃林塞多赫比基波迪茨"
    "梅希米伦韦蒂戈博乌弗库图内莫霍奇森索卢伯吉兹蒙皮根佩福杜苏耶列沙什曼菲登泰费朗杰艾扎切凯穆法约威坎代因施"
    "温坦瓜哥班劳谢桑努肯滕丹盖丁贾赖敦隆雅默采涅灵瑟纽松泽热讷乔伍济察豪锡厄尤迈昂齐辛廷孔舍提查吕奈赛富翁康"
    "玛宾季绍欧考麦彭芬恰佐瑙甘拜娜亨陶潘邦摩彼蓬芒逊珀舒拿柯捷彻昆翰丽莎旺钦瑞申缅策茹祖魏卜贡夸奎惠罕喀庞略"
    "柏盛")
EARTH_KM = 6371.0088
Point = tuple[float, float]  # latitude, longitude
# a municipality or special region is its own city (cpca calls the city level 市辖区 or leaves it empty)
MUNICIPALITIES = ("11", "12", "31", "50", "81", "82")
# what a Chinese name of a city or district ends with, and the words Latin writers put after its pinyin
SUFFIX_WORDS = {"市": ("city", "shi"), "区": ("district", "qu"), "县": ("county", "xian"), "旗": ("banner", "qi"),
                "地区": ("prefecture",), "盟": ("league",)}

CITY, PART, WEAK = 0, 1, 2  # what a name is to a place it names (the module's docstring)
AREA = 3  # a region abroad (a state, a province, a country) named after a city: it names no place alone


class Place(NamedTuple):
    province: str  # cpca's name (四川省); '' for a city outside mainland China
    city: str  # cpca's name (成都市), a GeoNames city's name lower-cased; '' for a province alone
    # abroad (outside mainland China, Taiwan, Hong Kong, Macau): the GeoNames region the city lies in,
    # ``country.admin1`` ("CA.08": Ontario), so that London, Ontario is not London, England; with no city, a
    # region (or a country: "CA") only ever read beside a city's name (``AREA``); '' at home
    area: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """The province's and the city's names (never the code of a region abroad)."""
        return self.province, self.city


NOWHERE = Place("", "")


class Reading(NamedTuple):
    place: Place
    kind: int  # CITY, PART, WEAK (or AREA)
    people: int = 0  # the people of the place GeoNames gives this name to (Richmond, London's: its own 21,000)


class Mention(NamedTuple):
    start: int  # where in the text (characters)
    end: int
    readings: tuple[Reading, ...]  # the places the name may name, the likeliest first
    latin: bool  # written in Latin letters: shown by its English name


@cache
def _converters() -> tuple[Any, Any]:
    import opencc

    return opencc.OpenCC("t2s"), opencc.OpenCC("s2t")


def simplified(text: str) -> str:
    return str(_converters()[0].convert(text)) if CJK.search(text) else text


def script_of(text: str) -> str:
    """The Chinese script words are written in: "traditional" (大安區, 桃園), "simplified" (大安区); '' for words
    the same in both (大安, 台北), for words in both at once, and for words in no Chinese."""
    if not CJK.search(text):
        return ""
    t2s, s2t = _converters()
    traditional, simple = t2s.convert(text) != text, s2t.convert(text) != text
    return "" if traditional == simple else "traditional" if traditional else "simplified"


def folded(text: str) -> str:
    """Words as every place rule reads them: compatibility forms folded (NFKC: full-width ＳＨＡＮＧＨＡＩ,
    ２号 as Shanghai, 2号), whoever typed them, on the side searched as on the side stored."""
    return unicodedata.normalize("NFKC", text)


def scripts(word: str) -> set[str]:
    """The word as written, in simplified and in traditional Chinese characters."""
    if not CJK.search(word):
        return {word}
    t2s, s2t = _converters()
    return {word, t2s.convert(word), s2t.convert(word)}


@lru_cache(maxsize=65536)
def squashed(words: str) -> str:
    """Latin words as the index keys them: lower case, letters and digits only, diacritics dropped
    (Xi'an, Xian, Xi An, Xī'ān: xian; Ürümqi: urumqi; Hong Kong: hongkong)."""
    if words.isascii():
        return "".join(filter(str.isalnum, words.lower()))
    plain = unicodedata.normalize("NFKD", words.lower())
    return "".join(c for c in plain if c.isalnum() and not unicodedata.combining(c)
                   and unicodedata.category(c) != "Lm")


@cache
def _pinyin() -> dict[int, str]:
    """pypinyin's table of every character's readings (MIT), read alone: importing the package would load
    its phrase dictionary too (over a second), which nothing here uses."""
    import importlib.util

    spec = importlib.util.find_spec("pypinyin")
    assert spec is not None and spec.submodule_search_locations
    path = f"{next(iter(spec.submodule_search_locations))}/pinyin_dict.py"
    table = importlib.util.spec_from_file_location("reunite_pinyin_dict", path)
    assert table is not None and table.loader is not None
    module = importlib.util.module_from_spec(table)
    table.loader.exec_module(module)
    return dict(module.pinyin_dict)


@lru_cache(maxsize=4096)
def readings(character: str) -> frozenset[str]:
    """The pinyin a Chinese character may be read as, without tones, ü also as v (和: he, hu, huo; 绿: lu, lv);
    nothing for any other character."""
    found = _pinyin().get(ord(character), "") if len(character) == 1 else ""
    plain = {"".join(c for c in unicodedata.normalize("NFKD", r.replace("ü", "v")) if not unicodedata.combining(c))
             for r in found.split(",") if r}
    return frozenset(plain | {r.replace("v", "u") for r in plain})


TONE_MARKS = "ˉˊˇˋ˙"  # bopomofo's tones, written after a syllable


@lru_cache(maxsize=4096)
def spellings(character: str) -> frozenset[str]:
    """How a Chinese character's readings are spelled besides pinyin, without tones: in Wade-Giles (和: ho, hu;
    平: p'ing, p'ien; 绿: lu; pypinyin's v for ü written u, as folded text reads ü) and in bopomofo, Taiwan's
    phonetic script (ㄏㄜ, ㄆㄧㄥ); nothing for any other character."""
    found = _pinyin().get(ord(character), "") if len(character) == 1 else ""
    return frozenset(spelled for reading in found.split(",") if reading for spelled in _spelled(reading))


@lru_cache(maxsize=2048)
def _spelled(reading: str) -> frozenset[str]:
    """One pinyin reading (with its tone mark, as pypinyin's table gives it) in Wade-Giles and in bopomofo.
    pypinyin's converters are read only here: importing its package costs a fifth of a second, once."""
    from pypinyin import Style
    from pypinyin.style import convert

    out: set[str] = set()
    for style in (Style.WADEGILES, Style.BOPOMOFO):  # both spell every reading of the table (ê̄ as eh, ㄝ)
        spelled = convert(reading, style, strict=True)
        toneless = spelled.translate({ord(mark): None for mark in TONE_MARKS})  # before NFKD: ˙ is a space and a dot
        plain = "".join(c for c in unicodedata.normalize("NFKD", toneless) if not unicodedata.combining(c)).lower()
        if plain and not plain.isdigit():
            out.add(plain.replace("v", "u") if plain.isascii() else plain)
    return frozenset(out)


def pinyin_keys(name: str) -> set[str]:
    """A Chinese name's pinyin as keys, every reading of each character (朝阳: zhaoyang, chaoyang; 重庆:
    chongqing, zhongqing; 吕梁: lvliang, luliang); of a name longer than four characters, each one's first."""
    if len(name) > 4:
        keys = {first_pinyin(name).replace("ü", "v")}
    else:
        keys = {"".join(c) for c in itertools.product(*(sorted(readings(ch)) for ch in name))}
    keys = {k for k in keys if k.isascii() and k.isalpha()}
    return keys | {k.replace("v", "u") for k in keys}


def first_pinyin(name: str) -> str:
    """A Chinese name in pinyin, each character by its commonest reading, without tones (仙桃: xiantao)."""
    first = [_pinyin().get(ord(c), "").split(",")[0] for c in name]
    return "".join(ch for r in first for ch in unicodedata.normalize("NFKD", r) if not unicodedata.combining(ch))


def cpca_rows(text: str) -> Iterator[dict[str, Any]]:
    """cpca's reading of simplified Chinese text (what cpca.transform_text_with_addrs reads, without its
    DataFrame, which fails on a text naming none)."""
    import cpca

    if CJK.search(text):
        found = cpca._extract_addrs(text, True, {}, truncate_pos=False, new_entry_when_not_belong=True)
        yield from (row for row in found if row["adcode"] is not None)


def cpca_place(province: object, city: object, adcode: str, district: object = None) -> Place:
    """A cpca record's place, a municipality or special region as its own city, a county-level city
    under its province directly (仙桃市: 省直辖县级行政区划) as its own city too."""
    if not isinstance(province, str) or not province:
        return NOWHERE
    if adcode[:2] in MUNICIPALITIES:
        return Place(province, province)
    if isinstance(city, str) and "直辖" in city:
        return Place(province, district if isinstance(district, str) and district else "")
    return Place(province, city if isinstance(city, str) and city != "市辖区" else "")


@lru_cache(maxsize=4096)
def place_of_adcode(adcode: str) -> Place:
    """The city (a province's code: the province) a cpca code lies in: 110105 (朝阳区) → 北京市."""
    import cpca

    province = cpca.adcode_name(adcode[:2]) or ""
    city = "" if adcode[2:6] == "0000" else cpca.adcode_name(adcode[:4]) or ""
    return cpca_place(province, city, adcode, cpca.adcode_name(adcode[:6]) if adcode[4:6] != "00" else "")


def cpca_one(name: str) -> Place:
    rows = list(cpca_rows(name))
    return cpca_place(rows[0]["省"], rows[0]["市"], str(rows[0]["adcode"]), rows[0]["区"]) if rows else NOWHERE


def district_names(name: str) -> Iterator[tuple[str, str]]:
    """A district's full name and its bare one, with the suffix its bare one dropped (朝阳区: 朝阳区, then
    朝阳 and 区); the bare one only when two characters or more remain and the name is no autonomous
    county's (长阳土家族自治县 is written whole)."""
    yield name, ""
    if "自治" in name:
        return
    for suffix in SUFFIX_WORDS:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            yield name[:-len(suffix)], suffix
            return


def km(a: Point, b: Point) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))
