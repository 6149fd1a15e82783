"""Place names across languages and scripts (the names: ``place_names``; where places lie: ``place_pins``).

One rule places any words, a report's as a search's (``locate``): every name in the words is found, with
every place it may name (a district or former town stands for its city: 汉口, Hankou, 江汉区 → 武汉市), a name
inside a longer one does not count (York in New York), a street named after a city is a street (Nanjing
Road), and of the places the names may name one is chosen (``place_choice``: the place most names agree on,
a city over a province, the first mentioned, the map pin deciding when given). Nothing finer than a city
ever comes out."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import cache, lru_cache

from reunite.adapters.chinese_words import (
    as_written,
    common_words,
    direction_after,
    names_apart,
    shop_after,
    word_spans,
)
from reunite.adapters.place_choice import RIVAL_SHARE, Chosen, choose
from reunite.adapters.place_home import BIG_CITY
from reunite.adapters.place_index import ALIASES, METRO_PEOPLE, Names, known_elsewhere, names
from reunite.adapters.place_names import (
    AREA,
    CITY,
    CJK,
    MUNICIPALITIES,
    NOWHERE,
    PART,
    TRANSLITERATION,
    WEAK,
    Mention,
    Place,
    Point,
    Reading,
    cpca_place,
    cpca_rows,
    folded,
    readings,
    script_of,
    scripts,
    simplified,
    squashed,
)
from reunite.adapters.place_pins import distance_km
from reunite.domain.admin_areas import CHINESE_CITY_NAMES
from reunite.domain.home_places import (
    CJK_ESTATE_WORDS,
    CJK_LANDMARK_WORDS,
    CJK_NAMESAKES,
    CJK_SHOP_WORDS,
    COMMON_PLACE_WORDS,
    LANDMARK_WORDS,
    NEIGHBOURHOOD_BEFORE,
)

__all__ = ["MUNICIPALITIES", "NOWHERE", "Chosen", "Mention", "Names", "Place", "Point", "chinese_city", "chosen",
           "city_names", "english_city", "folded", "known_name", "locate", "mentions", "names", "public_city",
           "readings", "region_named", "scripts", "simplified"]

JAPANESE = re.compile(r"[\u3040-\u30ff広浜戸沢県亀栄徳]")  # kana, and kanji of Japan's own forms (横浜, 広島, 松戸)
JOINED = re.compile(r"[ \t-]+")  # what stands between two words of one name (Causeway Bay, Mid-Levels)
GENERIC = frozenset(squashed(w) for w in COMMON_PLACE_WORDS)
# a Latin word: letters, with apostrophes and hyphens inside (Xi'an, Xi-an), but not a possessive's (Beijing's)
WORD = re.compile(r"[^\W\d_]+(?:['’-](?![sS]\b)[^\W\d_]+)*")
LONGEST_NAME = 4  # words in a Latin place name (Ho Chi Minh City)
LONGEST_CJK = 8  # characters in a Chinese name looked up outside cpca
TEXT_READ = 500  # characters of a text read for its place
ANY_SIZE = 2**62  # more people than any city has: ``_weakened`` for towns abroad of every size
# the words that say a region's name names the region (New York State, State of New York, 纽约州 is one name)
HOME = ("CN", "HK", "MO", "TW")  # the platform's region: its places are cpca's provinces and cities, no area
REGION_WORDS = re.compile(r"\b(?:state|province|territory|of|the)\b|[省州]")
UPON = re.compile(r"\s+upon\s+[^\W\d_]", re.IGNORECASE)  # X upon Y (Walton upon Thames): one English name
# a city's name followed by one of these is a street's (Nanjing Road, 南京路 in Shanghai), not the city
# (Nanjing East Road, Nanjing Rd. W, 南京东路, 南京西路 too)
STREET_AFTER = re.compile(r"\s*(?:(?:east|west|north|south|middle|central|e|w|n|s)\.?\s+)?"
                          r"(?:road|rd|street|st|avenue|ave|lu|jie|dajie|lane|alley|hutong|boulevard|blvd)\b"
                          r"|(?:[东西南北中]?(?:路|街|大街|大道|巷|胡同|里弄))", re.IGNORECASE)


def _latin(text: str, index: Names) -> Iterator[Mention]:
    """Names of one to four words, as a capitalised word (police station is no Police, Poland); in a
    text written all in small letters (a search box), also a place in China's or a big city's name,
    and any name that is the whole text (york). A place abroad is named only weakly (beside another of its
    names: its region, its country) by the name of a town below ``METRO_PEOPLE`` that is a common word (Bay,
    Central, Union, Chinatown: ``domain.home_places.COMMON_PLACE_WORDS``) or that a landmark's word follows
    (Central Park, Union Square, Golden Gate Park, Bay Ridge, Orange County, Richmond Station; not Toronto Union
    Station); a place's name after Little is a neighbourhood's (Little Italy, Little Tokyo), no place."""
    words, any_case = list(WORD.finditer(text)), text.islower()
    keys = [squashed(w.group()) for w in words]
    for size in range(LONGEST_NAME, 0, -1):
        for first in range(len(words) - size + 1):
            span = words[first:first + size]
            key = "".join(keys[first:first + size])
            found = index.latin.get(key, ())
            if found and not (span[0].group()[0].isupper()
                              or (any_case and (key in index.plain or size == len(words)))):
                found = ()
            if UPON.match(text, span[-1].end()):  # Walton upon Thames: an English town's name, its first word no
                found = tuple(r for r in found if r.place.area.startswith("GB."))  # town elsewhere
            if _beside(text, words, first - 1, first) in NEIGHBOURHOOD_BEFORE:
                continue  # Little Italy, Little Tokyo: a neighbourhood named after the place, not the place
            areas = _areas_named(text[span[0].start():span[-1].end()], key, index, any_case)
            found = _weakened(found, key, _beside(text, words, first + size, first + size - 1) in LANDMARK_WORDS)
            if found or areas:
                yield Mention(span[0].start(), span[-1].end(), (*found, *areas), True)


def _beside(text: str, words: list[re.Match[str]], at: int, name: int) -> str:
    """The word at ``at`` in small letters, if nothing but spaces or a hyphen stands between it and the word at
    ``name`` (a name's first or last: Central Park, Causeway-Bay; not "Central, Park"); '' if not."""
    if not 0 <= at < len(words):
        return ""
    one, other = sorted((words[at], words[name]), key=lambda w: w.start())
    return words[at].group().lower() if JOINED.fullmatch(text, one.end(), other.start()) else ""


def _weakened(found: tuple[Reading, ...], key: str, landmark: bool, under: int = METRO_PEOPLE) -> tuple[Reading, ...]:
    """The readings of a name, weakly (``WEAK``) those of a town abroad of fewer than ``under`` people if the name is
    a common word (``GENERIC``: Bay, Chinatown) or a landmark's (``landmark``: Central Park; Toronto Union Station
    keeps Toronto)."""
    if not found or not (key in GENERIC or landmark):
        return found
    return tuple(r._replace(kind=WEAK) if r.place.area and r.kind < WEAK and r.people < under else r
                 for r in found)


def _areas_named(written: str, key: str, index: Names, any_case: bool) -> tuple[Reading, ...]:
    """The regions abroad (states, provinces, countries) Latin words name: by a name written with a capital
    (Ontario, New York, Canada; in a text all in small letters, a search box's, in any case), by an
    abbreviation written as it is listed or in capitals (BC, B.C., NSW, Ont, USA: never on, me, us)."""
    letters = "".join(filter(str.isalnum, written))
    named = index.areas.get(key, ()) if written[0].isupper() or any_case else ()
    return named + index.short_areas.get(letters, ())


def _cpca(text: str) -> Iterator[Mention]:
    """The provinces and cities cpca finds. A district alone, whose city cpca guessed, is left to the
    names of districts (``place_names``), which know every city that has a district of that name."""
    for row in cpca_rows(text):
        starts = [int(row[k]) for k in ("省_pos", "市_pos")]
        if max(starts) < 0:
            continue
        place = cpca_place(row["省"], row["市"], str(row["adcode"]), row["区"])
        if place == NOWHERE:
            continue
        start = min(s for s in starts if s >= 0)
        forms = sorted({f for name in place.names if name for f in (name, name.removesuffix("市").removesuffix("省"))
                        if text.startswith(f, start)}, key=len)
        yield Mention(start, start + len(forms[-1]) if forms else start + 1, (Reading(place, CITY),), False)


def _chinese(text: str, index: Names) -> Iterator[Mention]:
    """cpca's names and the longest other name at each place (a city abroad, a district, a former
    town), those starting at one place as one name (朝阳: the city in Liaoning, Beijing's district). Chinese
    characters that alone name a place at home (a city, a part of one: not a district's bare name, 冈山) name no
    place abroad (板橋: Banqiao, New Taipei, not Tokyo's Itabashi; 台东: Taitung, not Tokyo's Taitō): Chinese is
    written here by Chinese writers."""
    if not CJK.search(text):
        return
    at: dict[int, Mention] = {m.start: m for m in _cpca(text)}
    for start in range(len(text)):
        for size in range(min(LONGEST_CJK, len(text) - start), 1, -1):
            if (found := index.cjk.get(text[start:start + size])) is not None:
                found = _as_word(text, start, start + size, found)
                known = at.get(start)
                merged = (*known.readings, *found) if known else found
                at[start] = Mention(start, max(start + size, known.end if known else 0), merged, False)
                break
    starts, ends = set(at), {m.end for m in at.values()}
    words = names_apart(word_spans(text), {m.start: m.end for m in at.values()})
    for mention in at.values():
        if not as_written(text, words, mention.start, mention.end):  # 今天门口 holds 天门, 三明治 三明: no place
            continue
        touched = (mention.start > 0 and text[mention.start - 1] in TRANSLITERATION and mention.start not in ends) or (
            mention.end < len(text) and text[mention.end] in TRANSLITERATION and mention.end not in starts)
        at_home = any(not r.place.area and r.kind <= PART for r in mention.readings)
        kept = tuple(r for r in mention.readings if not (
            r.place.area and r.kind != AREA and (at_home or (touched and r.people < BIG_CITY))))
        if text.startswith(CJK_LANDMARK_WORDS, mention.end):  # 维多利亚公园: a landmark's name, as Central Park
            kept = _weakened(kept, "", True)
        # 曼哈顿广场, 悉尼花园, 维也纳国际酒店: a mall, an estate or a shop in China named after a city abroad, any size
        if text.startswith(CJK_ESTATE_WORDS, mention.end) or shop_after(text, words, mention.end):
            kept = _weakened(kept, "", True, under=ANY_SIZE)
        if text.startswith(CJK_SHOP_WORDS, mention.end) or direction_after(text, mention.end) \
                or text.startswith(CJK_NAMESAKES, mention.start):  # 兰州拉面, 小河|南边 (not 河南), 中山公园
            kept = tuple(r._replace(kind=WEAK) if r.kind < WEAK else r for r in kept)
        if kept:  # a town abroad inside a longer foreign name (法拉 in 法拉盛) is no mention of it
            yield mention._replace(readings=kept) if kept != mention.readings else mention


@cache
def _common_abroad() -> frozenset[str]:
    """The Chinese names of places abroad that are everyday words (``chinese_words.common_words``)."""
    abroad = frozenset(k for k, found in names().cjk.items() if any(r.place.area and r.kind != AREA for r in found))
    return common_words(abroad, TRANSLITERATION)


def _as_word(text: str, start: int, end: int, found: tuple[Reading, ...]) -> tuple[Reading, ...]:
    """A Chinese name's readings, a town abroad named only weakly by a name that is an everyday word (南门, a south
    gate; 喷泉, a fountain), unless it heads a metro area."""
    return _weakened(found, "", True) if text[start:end] in _common_abroad() else found


def mentions(text: str) -> list[Mention]:
    """Every place name in the text, but a name inside a longer name (York in New York Penn Station; a city's
    inside a region's: Columbia in British Columbia, 兰州 in 昆士兰州, Kansas in Kansas City), a name overlapping a
    longer one (大安, a county of Jilin, across 加拿大安大略省: Canada, Ontario) and a street's."""
    text = simplified(folded(text[:TEXT_READ]))
    index = names()
    found = [m for m in [*_latin(text, index), *_chinese(text, index)]
             if STREET_AFTER.match(text, m.end) is None]
    return [m for m in found if not any(
        o.start < m.end and m.start < o.end and o.end - o.start > m.end - m.start for o in found)]


@lru_cache(maxsize=8192)
def _chosen(text: str, near: Point | None = None) -> Chosen | None:
    text = text.strip()
    return choose(mentions(text), near, not CJK.search(text), script_of(folded(text[:TEXT_READ])))


def chosen(text: str, near: Point | None = None) -> Chosen | None:
    """What the words (and the pin) name, and the places abroad they name as surely (``Chosen.rivals``)."""
    return _chosen(text, near)


def region_named(text: str) -> Place:
    """The region abroad (a state, a province, a country: ``Place.area`` alone) words made of nothing but the names
    of regions name, as a searcher or a subscriber means them ("Ontario", "British Columbia", "California, USA",
    "加州", "加拿大"): the narrowest one named, one lying in another named first ("California, USA": California);
    NOWHERE for any other words, and where a city the words name as surely is meant: a city of a million ("New
    York", "纽约": New York City, not "New York State") or one whose own region is named beside it ("Ontario,
    California": the city). A region alone is no place a case or a sighting is in (``locate``): it is what a
    region covers."""
    text = simplified(folded(text[:TEXT_READ])).strip()
    found = mentions(text)
    if not found or any(all(r.kind != AREA for r in m.readings) for m in found):
        return NOWHERE
    named = {at for m in found for at in range(m.start, m.end)}
    rest = "".join(c if at not in named else " " for at, c in enumerate(text)).lower()
    if any(c.isalnum() for c in REGION_WORDS.sub(" ", rest)):
        return NOWHERE  # "Ontario Street", "near California": not a region's name alone
    city = _chosen(text)
    if city is not None and not city.place.area:
        return NOWHERE  # at home (Hong Kong, Taiwan: a city, a province), never a region abroad
    if city is not None and not REGION_WORDS.search(rest) and any(
            r.place == city.place and (r.people >= BIG_CITY or _region_beside(found, m, city.place))
            for m in found for r in m.readings):
        return NOWHERE
    areas = [r.place.area for m in found for r in m.readings if r.kind == AREA and r.place.area not in HOME]
    if not areas:
        return NOWHERE
    return Place("", "", next((a for a in areas if "." in a and a.split(".")[0] in areas),
                              next((a for a in areas if "." in a), areas[0])))


def _region_beside(found: list[Mention], own: Mention, city: Place) -> bool:
    """Whether another name than the city's own names its region or its country."""
    return any(r.kind == AREA and r.place.area in (city.area, city.area.split(".")[0])
               for m in found if m is not own for r in m.readings)


def locate(text: str, near: Point | None = None) -> Place:
    """The one city (with its province), or else the province, that the words name (``near``: the map pin,
    as the public may read it); NOWHERE if none."""
    chosen = _chosen(text, near)
    return chosen.place if chosen else NOWHERE


def km_from(text: str, point: Point) -> float | None:
    """How far the pin lies from the city (else the province) the words alone name (``locate`` without a pin):
    from its nearest seat, the nearest of the places the words name as surely (a bare "Richmond": Virginia's or
    British Columbia's, whichever is nearer); None when they name none, or none with a seat."""
    chosen = _chosen(text)
    if chosen is None:
        return None
    away = min(distance_km(point, place) for place in (chosen.place, *chosen.rivals))
    return away if math.isfinite(away) else None


def _in_script(chosen: Chosen) -> str:
    place = chosen.place
    if not chosen.latin and place.province:
        return "".join(dict.fromkeys(n for n in place.names if n))
    city = names().english.get(place) or place.city.title() or place.province
    region = _region_shown(chosen)
    return f"{city}, {region}" if region else city


def _region_shown(chosen: Chosen, chinese: bool = False) -> str:
    """The region (else the country) of a city abroad whose name alone would be read as another place (London,
    Ontario; Paris, Texas; Richmond, British Columbia): '' for one its name alone names (London, England; New
    York City), and for one the words name no more surely than another (a bare "Richmond": which is not known)."""
    place, index = chosen.place, names()
    if not place.area or chosen.rivals or (english := index.english.get(place)) is None:
        return ""
    read = [r for r in index.latin.get(squashed(english), ()) if r.kind == CITY]
    own = next((r.people for r in read if r.place == place), 0)
    alone = _chosen(english)  # the name alone read again ("Victoria": the Australian state, no city)
    if read[:1] and read[0].place == place and alone is not None and alone.place == place and not any(
            r.place != place and r.people >= RIVAL_SHARE * own for r in read):
        return ""
    return _area_name(place, chinese)


def _area_name(place: Place, chinese: bool) -> str:
    """The name of a city abroad's region, else of its country ('' if none is known)."""
    index = names()
    shown = (index.area_chinese, index.area_names) if chinese else (index.area_names,)
    return next((names[code] for names in shown for code in (place.area, place.area.split(".")[0])
                 if code in names), "")


def public_city(text: str, near: Point | None = None) -> str:
    """The city free words (and the pin) name, as the public may read it (四川省成都市 for Chinese words,
    Chengdu for Latin ones); a region abroad the words name alone ("Victoria, Australia"); '' when they name
    neither. The street, the stall, the landmark never come out."""
    chosen = _chosen(text, near)
    return _in_script(chosen) if chosen else _region_alone(text, chinese=bool(CJK.search(text)))


def _region_alone(text: str, chinese: bool) -> str:
    """The region abroad words naming no city name (``region_named``), shown with its country, as a city abroad
    is ("Victoria, Australia", "澳大利亚维多利亚州"), so that a region's feeds and alerts find a case last seen
    there (``regions.covers``); '' for none."""
    area = region_named(text).area
    if not area:
        return ""
    region, country = _area_name(Place("", "", area), chinese), _area_name(Place("", "", area.split(".")[0]), chinese)
    if "." not in area or not country or country == region:
        return region
    return f"{country}{region}" if chinese else f"{region}, {country}"


def english_city(text: str, near: Point | None = None) -> str:
    """``public_city`` for a reader of a language written in Latin letters: the city's English name and
    its province's (Chengdu, Sichuan; Shanghai) where the gazetteers know them, else as ``public_city``."""
    chosen = _chosen(text, near)
    if chosen is None:
        return _region_alone(text, chinese=False)
    english = names().english
    city = english.get(chosen.place)
    if city is None or chosen.place.area:
        return _in_script(chosen)
    province = english.get(Place(chosen.place.province, "")) if chosen.place.province else None
    return f"{city}, {province}" if province and province != city else city


def chinese_city(text: str, near: Point | None = None) -> str:
    """``public_city`` for a reader of Chinese: the city and its province in cpca's names (四川省成都市 for
    "Chengdu" as for 成都), a city abroad by its Chinese name where GeoNames gives one (纽约 for New York),
    else as ``public_city``. Simplified characters: the reader's script is the caller's (``Language.script``)."""
    chosen = _chosen(text, near)
    if chosen is None:
        return _region_alone(text, chinese=True)
    place = chosen.place
    if place.province:
        return "".join(dict.fromkeys(n for n in place.names if n))
    chinese = _chinese_names().get(place)
    if chinese is None:
        return _in_script(chosen)
    region = _region_shown(chosen, chinese=True)
    if not region and not chosen.rivals and ((alone := _chosen(chinese)) is None or alone.place != place):
        region = _area_name(place, chinese=True)  # its Chinese name alone is another city's: 奥克兰 is Auckland
    return f"{chinese}（{region}）" if region else chinese


@cache
def _chinese_names() -> dict[Place, str]:
    """A city abroad's Chinese name: the shortest GeoNames gives it as its own (纽约 rather than 纽约市), in Chinese
    characters rather than Japanese ones (横滨市, not 横浜), never an alias's nor a district's; the mainland's where
    GeoNames gives another's as short (``domain.admin_areas.CHINESE_CITY_NAMES``: 旧金山, not 三藩市; 雅加达, not
    勿礁维)."""
    found: dict[Place, str] = {}
    index = names()

    def order(form: str) -> tuple[bool, int, str]:
        return bool(JAPANESE.search(form)), len(form), form

    for form, read in index.cjk.items():
        for place in (r.place for r in read if r.kind == CITY and not r.place.province):
            if form not in ALIASES and form in index.own.get(place, ()) and (
                    place not in found or order(form) < order(found[place])):
                found[place] = form
    for place in found:
        if (mainland := CHINESE_CITY_NAMES.get((place.area, index.english.get(place, "")))) is not None:
            found[place] = mainland[0]
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
    for form, read in index.cjk.items():
        for place in (r.place for r in read if r.kind == CITY and not r.place.province):
            if form not in ALIASES and form in index.own.get(place, ()):
                own.setdefault(place, set()).add(form)
    return {place: frozenset(found) for place, found in own.items()}


def city_names(text: str, near: Point | None = None) -> frozenset[str]:
    """Every name of the city (and its province) that free words (and the pin) name, as the public reads
    it (``public_city``), in every script the gazetteers know: 上海市, 上海 and shanghai for
    上海市黄浦区南京东路…; never a longer piece of the words that merely holds the city's name."""
    chosen = _chosen(text, near)
    if chosen is None:
        return frozenset()
    place = chosen.place
    found: set[str] = set()
    for each in {place, Place(place.province, "")} if place.province else {place}:
        found |= _own_names().get(each, frozenset())
        found |= {n for name in each.names if name for n in (name, name.removesuffix("市").removesuffix("省"))}
    return frozenset(form for name in found if len(name) > 1 for form in scripts(name))


def known_name(name: str) -> bool:
    """Whether a place name (in any script) is one the gazetteers know: a city, province, state or country
    (卑诗省, British Columbia, 加拿大 too)."""
    return locate(name) != NOWHERE or region_named(name) != NOWHERE or known_elsewhere(name)
