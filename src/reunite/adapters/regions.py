"""Areas: whether a place lies inside what a searcher names, whatever the script or the name used
(``广东省深圳市``, ``Chengdu``, ``廣東``, ``Guangdong``, ``Hankou`` for 武汉). Every place filter goes
through here: a subscription's or a feed's region (``covers``) and the place box of the sightings list,
the families' browse and the API (``PlaceFilter``), so that a place is found by the same rule from
the words searched as from the words stored (``places.locate``).

A city names that city, a province any of its cities. Abroad, a city names its metro area too, as people mean a
big city's name (``place_index.metro_areas``: "Vancouver" covers Richmond and Burnaby, "Toronto" Markham and
Mississauga, "New York" Yonkers), and a region's or a country's name alone covers every city in it, as a Chinese
province does ("Ontario", "British Columbia", "加州", "加拿大": ``places.region_named``). Readers who may not see
exact places match the public city only (what ``places.public_city`` shows them), never the words themselves: no
sequence of searches tells two places of one city apart. Police and moderators also find the words
as written (a street, a station), in either Chinese script."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache

from reunite.adapters.place_index import metro_areas, names
from reunite.adapters.place_names import place_of_adcode, simplified
from reunite.adapters.place_pins import area_box
from reunite.adapters.places import NOWHERE, Place, Point, folded, locate, region_named, scripts
from reunite.domain import access

__all__ = [
    "ACCENTED",
    "FOLD_FROM",
    "FOLD_TO",
    "GAPS",
    "NOWHERE",
    "Narrowing",
    "Place",
    "PlaceFilter",
    "area_of",
    "covers",
    "inside",
    "place_filter",
    "public_pin",
    "resolve",
    "squashed_text",
]

TAIWAN = "台湾省"  # cpca's province that 台湾, 台灣, 臺灣 and Taiwan name

# What SQL drops from stored words before looking for the names of an area in them (``squashed_text``):
# whatever may stand between the words of a Latin name (Hong Kong, Xi'an, Xi-an), or inside one (digits,
# spaces, punctuation of either script); letters with diacritics are read without them (``FOLD_FROM``).
GAPS = r"[\u0001-\u0040\u005b-\u0060\u007b-\u00bf\u00d7\u00f7\u02b9-\u02df\u2000-\u206f\u3000-\u303f]+"


def _folds() -> tuple[str, str]:
    """Latin letters with diacritics (both cases) and the plain small letter each is read as (Ü, ü: u)."""
    pairs = []
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        letter = chr(code)
        base = unicodedata.normalize("NFKD", letter)
        if len(base) > 1 and base[0].isascii() and base[0].isalpha() and all(
                unicodedata.combining(c) for c in base[1:]):
            pairs.append((letter, base[0].lower()))
    return "".join(a for a, _ in pairs), "".join(b for _, b in pairs)


FOLD_FROM, FOLD_TO = _folds()  # SQL's translate() reads them as ``squashed_text`` does
ACCENTED = r"[\u00c0-\u024f\u1e00-\u1eff]"  # a text SQL translates: one holding a letter of theirs
FOLDS = str.maketrans(FOLD_FROM, FOLD_TO)


def squashed_text(stored: str) -> str:
    """Stored words as SQL reads them for an area's names (``PlaceFilter.narrowing``): folded (NFKC), small
    letters, diacritics dropped, and nothing but letters (and Chinese characters) kept."""
    return re.sub(GAPS, "", folded(stored).lower().translate(FOLDS))


def resolve(words: str) -> Place:
    """The area ``words`` searched name: the province and city (the city '' for a province alone), or a region
    abroad alone (``Place.area``: "Ontario", "加州"); NOWHERE when none."""
    region = region_named(words[:200])
    return region if region != NOWHERE else locate(words[:200])


def public_pin(lat: float | None, lon: float | None) -> Point | None:
    """A stored map pin as the public city is read from it (``access.public_pin``: its grid cell's centre)."""
    point = access.public_pin(lat, lon)
    return None if point is None else (point.lat, point.lon)


def inside(area: Place, place: Place) -> bool:
    """Whether ``place`` (a city) lies in ``area``: a city, that city (abroad, any city of its metro area: ``place_index
    .metro_areas``); a province, any of its cities; a region or a country abroad, any of its cities."""
    if NOWHERE in (area, place):
        return False
    if area.city:
        return place == area or (bool(place.area) and metro_areas().get(place) == area)
    if area.province:  # Taiwan's cities are GeoNames' (``place_index`` home places), not cpca's 台湾省's (probe s31 E3)
        return place.province == area.province or (area.province == TAIWAN and place in names().home)
    return bool(place.area) and area.area in (place.area, place.area.split(".")[0])


def area_of(region: str) -> str:
    """The area a region's name reads as, as ``covers`` reads it (``resolve``: 武汉, Wuhan, 武汉市 and Hankou are
    one), written as one text; a name the gazetteer cannot place, its words folded (small letters, one script);
    '' for no words."""
    region = folded(region).strip()
    if not region:
        return ""
    if (area := resolve(region)) != NOWHERE:
        return "\t".join(("place", *area))
    return "words\t" + simplified(region).lower()


def covers(region: str, city: str) -> bool:
    """Whether a region (a city, a province) includes ``city``, the public place of a case (never the
    family's words). A region the gazetteer cannot place matches a city whose name contains it."""
    region, city = folded(region).strip(), folded(city).strip()
    if not region or not city:
        return False
    area, place = resolve(region), locate(city)
    if place == NOWHERE:
        place = region_named(city)  # a case last seen in a region abroad, no city named ("Victoria, Australia")
    if NOWHERE in (area, place):
        return any(form.lower() in city.lower() for form in scripts(region))
    return inside(area, place)


@cache
def _names_by_place() -> dict[Place, frozenset[str]]:
    """Every name the gazetteers know (cpca's too), grouped by each place it may name."""
    import cpca

    grouped: dict[Place, set[str]] = defaultdict(set)
    index = names()
    for name, read in [*index.latin.items(), *index.cjk.items()]:
        for reading in read:
            grouped[reading.place].add(name)
    for name, (_, infos) in cpca.matcher.ac.items():
        for info in infos:
            grouped[place_of_adcode(info.adcode)].add(name)
    return {place: frozenset(found) for place, found in grouped.items()}


@lru_cache(maxsize=256)
def names_inside(area: Place) -> tuple[str, ...]:
    """Every name (both Chinese scripts; Latin ones as ``squashed_text`` writes them) that may name a place
    in ``area``, but one holding another (Chaoyang District holds Chaoyang): a stored text this area's
    filter admits by its words contains one of them (squashed), so SQL narrows the rows before the
    gazetteer reads them, with a regular expression no longer than it needs to be."""
    grouped = _names_by_place()
    found = [named for place, named in grouped.items() if inside(area, place)]
    every = sorted({squashed_text(form) for named in found for name in named for form in scripts(name)} - {""},
                   key=lambda name: (len(name), name))
    kept: list[str] = []
    for name in every:
        if not any(shorter in name for shorter in kept):
            kept.append(name)
    return tuple(sorted(kept))


class Narrowing:
    """What SQL keeps before the gazetteer reads each row: the words as written (``literal``, a regular
    expression on the folded words), a name of the area (``names``, on ``squashed_text``), a pin in
    the area's box (``box``: south, north, west, east); a part None when it keeps nothing."""

    def __init__(self, literal: str | None, names: str | None, box: tuple[float, float, float, float] | None):
        self.literal, self.names, self.box = literal, names, box

    def keeps(self, stored: str, lat: float | None, lon: float | None) -> bool:
        """What SQL keeps, in Python (for tests): the box tested on the pin's cell centre (``public_pin``), as
        ``PlaceFilter.admits`` reads it."""
        if self.literal and re.search(self.literal, folded(stored), re.IGNORECASE):
            return True
        if self.names and re.search(self.names, squashed_text(stored), re.IGNORECASE):
            return True
        box, pin = self.box, public_pin(lat, lon)
        return box is not None and pin is not None and (box[0] <= pin[0] <= box[1] and box[2] <= pin[1] <= box[3])


@dataclass(frozen=True)
class PlaceFilter:
    """What a place box's words select: the stored place texts (with their pins) inside the area they
    name and, for readers who see exact places, those containing the words as written (any script, any
    case, any width: the words are ``folded`` here, the stored texts in ``admits`` and in SQL's narrowing)."""

    words: str
    exact: bool

    @property
    def area(self) -> Place:
        return resolve(self.words)

    @property
    def literal(self) -> tuple[str, ...]:
        return tuple(sorted(w.lower() for w in scripts(self.words.strip()))) if self.exact else ()

    def narrowing(self) -> Narrowing | None:
        """What SQL keeps (every row the filter admits, and few others); None when the filter can admit
        nothing (words naming no place, for a reader without exact places)."""
        area = self.area
        literal = "|".join(re.escape(w) for w in self.literal) or None
        named = "|".join(re.escape(w) for w in names_inside(area)) or None if area != NOWHERE else None
        box = area_box(area) if area != NOWHERE else None
        return Narrowing(literal, named, box) if literal or named or box else None

    def admits(self, stored: str | None, lat: float | None = None, lon: float | None = None) -> bool:
        """Whether the row's public city (its words, its pin: ``public_pin``) lies in the area, or (for
        readers of exact places) its words contain the words searched."""
        stored = stored or ""
        if any(w in folded(stored).lower() for w in self.literal):
            return True
        return inside(self.area, locate(stored, public_pin(lat, lon)))


def place_filter(words: str, exact: bool) -> PlaceFilter:
    return PlaceFilter(folded(words).strip()[:200], exact)
