"""Areas: whether a place lies inside what a searcher names, whatever the script or the name used
(``广东省深圳市``, ``Chengdu``, ``廣東``, ``Guangdong``, ``Hankou`` for 武汉). Every place filter goes
through here: a subscription's or a feed's region (``covers``) and the place box of the sightings list,
the families' browse and the API (``PlaceFilter``), so that a place is found by the same rule from
the words searched as from the words stored (``places.locate``).

A city names that city, a province any of its cities. Readers who may not see exact places match
the public city only (what ``places.public_city`` shows them), never the words themselves: no
sequence of searches tells two places of one city apart. Police and moderators also find the words
as written (a street, a station), in either Chinese script."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache

from reunite.adapters.places import MUNICIPALITIES, NOWHERE, Place, folded, locate, names, scripts

__all__ = ["NOWHERE", "Place", "PlaceFilter", "covers", "inside", "place_filter", "resolve"]


def resolve(words: str) -> Place:
    """The province and city ``words`` name (the city '' for a province alone); NOWHERE when none."""
    return locate(words[:200])


def inside(area: Place, place: Place) -> bool:
    """Whether ``place`` lies in ``area`` (a city: that city; a province: any place in it)."""
    if NOWHERE in (area, place):
        return False
    if area.city:
        return place == area
    return place.province == area.province


def covers(region: str, city: str) -> bool:
    """Whether a region (a city, a province) includes ``city``, the public place of a case (never the
    family's words). A region the gazetteer cannot place matches a city whose name contains it."""
    region, city = folded(region).strip(), folded(city).strip()
    if not region or not city:
        return False
    area, place = resolve(region), resolve(city)
    if NOWHERE in (area, place):
        return any(form.lower() in city.lower() for form in scripts(region))
    return inside(area, place)


@cache
def _names_by_place() -> dict[Place, frozenset[str]]:
    """Every name the gazetteers know (cpca's too), grouped by the place it names."""
    import cpca

    grouped: dict[Place, set[str]] = defaultdict(set)
    index = names()
    for name, place in [*index.latin.items(), *index.cjk.items()]:
        grouped[place].add(name)
    for name, (_, infos) in cpca.matcher.ac.items():
        for info in infos:
            grouped[_place_of(info.adcode)].add(name)
    return {place: frozenset(found) for place, found in grouped.items()}


@lru_cache(maxsize=256)
def names_inside(area: Place) -> tuple[str, ...]:
    """Every name (both Chinese scripts, lower-case) whose place lies in ``area``: a stored text this
    area's filter admits contains one of them, so SQL narrows the rows before the gazetteer reads them."""
    grouped = _names_by_place()
    found = [named for place, named in grouped.items() if inside(area, place)]
    return tuple(sorted({form.lower() for named in found for name in named for form in scripts(name)}))


@lru_cache(maxsize=4096)
def _place_of(adcode: str) -> Place:
    import cpca

    province = cpca.adcode_name(adcode[:2]) or ""
    if adcode[:2] in MUNICIPALITIES:  # its own city, as places.locate reads it
        return Place(province, province)
    return Place(province, "" if adcode.endswith("0000") else cpca.adcode_name(adcode[:4]) or "")


@dataclass(frozen=True)
class PlaceFilter:
    """What a place box's words select: the stored place texts inside the area they name and, for
    readers who see exact places, those containing the words as written (any script, any case, any
    width: the words are ``folded`` here, the stored texts in ``admits`` and in SQL's narrowing)."""

    words: str
    exact: bool

    @property
    def area(self) -> Place:
        return resolve(self.words)

    @property
    def literal(self) -> tuple[str, ...]:
        return tuple(sorted(w.lower() for w in scripts(self.words.strip()))) if self.exact else ()

    def pattern(self) -> str | None:
        """A PostgreSQL regular expression (case-insensitive) every admitted text, ``folded``, matches; None when
        the filter can admit nothing (words naming no place, for a reader without exact places)."""
        wanted = [*self.literal, *(names_inside(self.area) if self.area != NOWHERE else ())]
        return "|".join(re.escape(w) for w in wanted) if wanted else None

    def admits(self, stored: str) -> bool:
        if any(w in folded(stored).lower() for w in self.literal):
            return True
        return inside(self.area, locate(stored))


def place_filter(words: str, exact: bool) -> PlaceFilter:
    return PlaceFilter(folded(words).strip()[:200], exact)

