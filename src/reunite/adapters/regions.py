"""Which province and city a name names, whatever the script (``广东省深圳市``, ``Chengdu``, ``廣東``,
``Guangdong``), so that a region (a subscription's, a feed's) matches the cases inside it: a city
matches cases in that city, a province cases in any of its cities.

A case is placed by the city the public reads of it (``PlaceNames.city``: the city its last-seen
words name, as on the poster), never by the family's own words: a region cannot be used to test
them. A case whose words name no city is in no region.

Places are named by ``cpca``'s simplified Chinese names (广东省, 深圳市); a city elsewhere in the
world by its GeoNames name."""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

from reunite.adapters.places import CJK, PROVINCES_PINYIN, _cities, _converters, scripts

LATIN_WORD = re.compile(r"[^\W\d_]+", re.ASCII)
LONGEST_NAME = 3  # words in a place name (Inner Mongolia, Ho Chi Minh City)


class Place(NamedTuple):
    province: str
    city: str


NOWHERE = Place("", "")


def _cpca(words: str) -> Place:
    import cpca

    row = cpca.transform([words[:200]]).iloc[0]
    province, city = row["省"], row["市"]
    return Place(province if isinstance(province, str) else "", city if isinstance(city, str) else "")


def _city(name: str) -> Place:
    """A city named in English: its place in China by its Chinese names, else the GeoNames city."""
    found = _cities().get(name.lower(), ())
    for names in found[:3]:
        for chinese in sorted((n for n in names if CJK.search(n)), key=len):
            place = _cpca(chinese)
            if place.province:
                return place
    return Place("", min(found[0], key=lambda n: (bool(CJK.search(n)), n)).lower()) if found else NOWHERE


def _latin(words: str) -> Place:
    """The most exact place English words name: a city over a province (``Shenzhen, Guangdong``)."""
    whole = " ".join(LATIN_WORD.findall(words)).lower()
    if whole in PROVINCES_PINYIN:  # "Jilin" alone is the province, as 吉林 is
        return _cpca(PROVINCES_PINYIN[whole])
    tokens = whole.split()
    province = NOWHERE
    for size in range(min(LONGEST_NAME, len(tokens)), 0, -1):
        for start in range(len(tokens) - size + 1):
            name = " ".join(tokens[start:start + size])
            if (city := _city(name)) != NOWHERE:
                return city
            if province == NOWHERE and name in PROVINCES_PINYIN:
                province = _cpca(PROVINCES_PINYIN[name])
    return province


@cache
def resolve(words: str) -> Place:
    """The province and city ``words`` name (the city '' for a province alone); NOWHERE when none."""
    words = words.strip()[:200]
    if CJK.search(words):
        t2s, _ = _converters()
        simple = t2s.convert(words)  # type: ignore[attr-defined]
        place = _cpca(simple)
        if place.province:
            return place
        if (city := _city(simple)) != NOWHERE:  # a city outside mainland China, named in Chinese (台北)
            return city
    return _latin(words) if words else NOWHERE


def covers(region: str, city: str) -> bool:
    """Whether a region (a city, a province) includes ``city``, the public place of a case (never the
    family's words). A region the gazetteer cannot place matches a city whose name contains it."""
    region, city = region.strip(), city.strip()
    if not region or not city:
        return False
    area, place = resolve(region), resolve(city)
    if NOWHERE in (area, place):
        return any(form.lower() in city.lower() for form in scripts(region))
    if area.city:
        return area.city == place.city
    return area.province == place.province
