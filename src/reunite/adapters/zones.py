"""The time zone of a place on the map, offline: ``tzfpy`` (MIT; the boundaries of timezone-boundary-builder,
ODbL, from OpenStreetMap, inside its wheel: nothing is downloaded). Asked only for a place's ~1 km grid cell
(``domain.access.coarsen``: the caller's), so a zone never says more of a place than its cell does; loaded on
the first question (about 40 MB), answered in about a microsecond after."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache, lru_cache

from reunite.adapters.place_index import abroad_place, geonames
from reunite.adapters.places import NOWHERE, Place, Point, chosen, region_named
from reunite.domain.times import zone

# China keeps one official time, Beijing's: posters, the police and families in Xinjiang date by it, while the
# boundaries also draw Asia/Urumqi (the local "Xinjiang time", six hours ahead of UTC) over the same land
ONE_TIME = {"Asia/Urumqi": "Asia/Shanghai", "Asia/Kashgar": "Asia/Shanghai"}


@lru_cache(maxsize=65536)
def zone_at(lat: float, lon: float) -> str:
    """The IANA zone at that point, as this server's zone database names it; '' where none is drawn (or
    the database does not know the one drawn)."""
    import tzfpy

    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return ""
    found = tzfpy.get_tz(lon, lat)
    found = ONE_TIME.get(found, found)
    known = zone(found) if found else None
    return str(known.key) if known is not None else ""


@cache
def _centres() -> dict[Place, tuple[float, float]]:
    """Where each city and province the gazetteers know lies (its seat, as they give it): Chinese ones by
    ``cpca``'s names (a municipality as its own city too), Taiwan's by their GeoNames name in small letters
    (the most populous of one name, as ``places.names`` means it), others abroad by their name and region
    (``place_index.abroad_place``: London, Ontario is not London, England)."""
    import cpca

    centres: dict[Place, tuple[float, float]] = {}
    infos = list(cpca.ad_2_addr_dict.values())
    provinces = {i.adcode[:2]: i.name for i in infos if i.rank == 0}
    for info in infos:
        if not (info.latitude and info.longitude):
            continue
        at = (float(info.latitude), float(info.longitude))
        if info.rank == 0:
            centres.setdefault(Place(info.name, ""), at)
            centres.setdefault(Place(info.name, info.name), at)  # 上海市 is its own city
        elif info.rank == 1 and info.adcode[:2] in provinces:
            centres.setdefault(Place(provinces[info.adcode[:2]], info.name), at)
    people: dict[Place, int] = {}
    for city in geonames():  # the cities the gazetteer reads, loaded once for both
        home = city["countrycode"] in ("TW", "HK", "MO")
        place = Place("", str(city["name"]).lower()) if home else abroad_place(city)
        population = int(city.get("population") or 0)
        if city["countrycode"] != "CN" and population > people.get(place, -1):
            people[place] = population
            centres[place] = (float(city["latitude"]), float(city["longitude"]))
    return centres


def _place_zone(place: Place) -> str:
    centre = _centres().get(place) or _centres().get(Place(place.province, ""))
    return zone_at(*centre) if centre else ""


def _same_clock(one: str, other: str) -> bool:
    """Whether two zones keep the same time all year (America/Vancouver and America/Los_Angeles)."""
    first, second = zone(one), zone(other)
    if first is None or second is None:
        return one == other
    return all(datetime(2026, month, 15, tzinfo=UTC).astimezone(first).utcoffset()
               == datetime(2026, month, 15, tzinfo=UTC).astimezone(second).utcoffset() for month in (1, 4, 7, 10))


@lru_cache(maxsize=8192)
def city_zone(words: str, near: Point | None = None) -> str:
    """The zone at the centre of the city (else the province) that place words (and the pin's cell,
    ``near``) name, as the public reads them (``places.locate``): never nearer the pin than that city; ''
    when they name none the gazetteers place (probe s19 S9: a poster's zone came from the pin's ~1 km
    cell and told, at a zone line, which side of it the child was last seen), and when they name a city abroad
    no more surely than others of its name that keep another time (a bare "Richmond"; "Richmond, BC" is
    British Columbia's: probe s26 Z1)."""
    found = chosen(words, near)
    if found is None or found.place == NOWHERE:
        return _area_zone(region_named(words).area) if near is None else ""
    here = _place_zone(found.place)
    if any(not _same_clock(here, _place_zone(rival)) for rival in found.rivals):
        return ""  # a bare "Richmond": Virginia's or British Columbia's, the words do not say; no zone is guessed
    return here


@cache
def _area_zone(area: str) -> str:
    """The zone a region abroad (or a country) named alone keeps, where all its cities keep one clock ("Victoria,
    Australia": Melbourne's; "Ontario": Toronto's; not Australia, not British Columbia, whose Peace River country
    keeps its own): its most populous city's zone; '' where its cities' clocks differ, or for no region."""
    if not area:
        return ""
    country, _, region = area.partition(".")
    cities = sorted((c for c in geonames() if c["countrycode"] == country
                     and (not region or c["admin1code"] == region)), key=lambda c: -int(c["population"] or 0))
    kept = [ONE_TIME.get(c.get("timezone") or "", c.get("timezone") or "") for c in cities]
    if not kept or zone(kept[0]) is None or any(not _same_clock(kept[0], other) for other in set(kept[1:])):
        return ""
    return kept[0]


@cache
def country_of_zone(name: str) -> str | None:
    """The country (ISO 3166 alpha-2) most of whose GeoNames cities that keep that IANA zone lie in (of two as many,
    the one with the most populous), or None (a zone no city of the gazetteer keeps: UTC, Etc/GMT+8). Asia/Bangkok
    is Thailand's, though Hanoi, larger than Bangkok, keeps it too (a child lost in Bangkok: 191, not Vietnam's
    113)."""
    found: dict[str, tuple[int, int]] = {}
    for city in geonames():
        if city.get("timezone") == ONE_TIME.get(name, name):
            count, people = found.get(city["countrycode"], (0, 0))
            found[city["countrycode"]] = (count + 1, max(people, int(city["population"] or 0)))
    return str(max(found, key=lambda code: found[code])) if found else None
