"""The one rule choosing the city that words (and a map pin) name, among every place each name in them
may name (``place_names.Reading``).

Words alone: the place the most names in the words agree on wins: a city is named by its own name, by a
part of it (a district, a former town) and by its province's name, so "Near Chaoyang Park, Beijing" is
Beijing (Chaoyang: a city in Liaoning, and a district of Beijing, named beside it), "Chaoyang, Liaoning"
the city in Liaoning. Then a city over a province, a city's own name over a part's (Taipei over
Zigong's 大安区, in 台北市大安区), a place on the side of the strait whose script the words are written in
(大安區 alone: Taipei's; 大安区: Zigong's), a place in the platform's region over one elsewhere (Police station,
Chengdu: not Police, Poland), the first mentioned (from Wuhan to Chengdu: Wuhan), the longer name. A town
abroad is not meant beside a place ``DWARFED`` times as populous that other words name ("Chinatown, London"). A name
that is only a part of places (朝阳区: Beijing's and Changchun's; Xinyi: two county-level cities) names none
of them alone; a district's bare name (海淀, Haidian) names its city only beside another of its names.
A city abroad is named by its region and its country too, as a Chinese city by its province ("Richmond, BC,
Canada": Richmond, British Columbia, not Richmond, Virginia; "London, Ontario", "Paris, Texas"); a region
alone names no place, nor a city of its name elsewhere ("Ontario": not Ontario, California), and a city abroad
whose region or country the words contradict is not meant ("Ontario, Canada"). Cities abroad of one name the
words name equally, each with at least ``RIVAL_SHARE`` of the chosen one's people, are its ``rivals``: the words
do not say which is meant (a bare "Richmond").

With a pin: a place none of whose seats lies within ``place_pins.REACH_KM`` of it is never chosen; of
those left the pin's own city first, then as above, the nearer first; a province the words name
alone is the pin's city in it. When the pin lies in a city and the words name none near it, that city
(only ever a city: the public reads no finer place). A pin in no city (the sea) says nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from reunite.adapters.place_index import names
from reunite.adapters.place_names import CITY, NOWHERE, PART, Mention, Place, Point, Reading
from reunite.adapters.place_pins import REACH_KM, distance_km, pin_city

HOME = ("CN", "HK", "MO", "TW")  # the platform's region: its places have no area
TRADITIONAL_PROVINCES = ("香港", "澳门", "台湾")  # cpca's provinces that write traditional characters
DWARFED = 5  # a town abroad named beside a place this many times as populous is not meant (Chinatown, London)
RIVAL_SHARE = 0.5  # a place abroad of the same name with at least this share of the people of the one chosen is
# as likely meant (Richmond, Virginia and Richmond, British Columbia; not London, Ontario beside London, England)


class Chosen(NamedTuple):
    place: Place
    latin: bool  # named by words in Latin letters (the reader of no language then reads its English name)
    # other places abroad the words name as well as this one, each as likely (a bare "Richmond"): no zone,
    # no region is read from the choice then
    rivals: tuple[Place, ...] = ()


@dataclass
class Candidate:
    place: Place
    support: set[int] = field(default_factory=set)  # the names (mentions) that may name it
    kind: int = 99  # the strongest of their readings
    start: int = 1 << 30  # where its strongest name is first written
    length: int = 0
    order: int = 1 << 30  # that name's readings list it this far down (the more populous first)
    latin: bool = True
    people: int = 0  # the people of the place that name is given to
    regioned: bool = False  # a city abroad whose region or country the words name too
    unlike: bool = False  # on the other side than the script of the words says (``script_side``)

    def read(self, mention: Mention, at: int, reading: Reading, order: int) -> None:
        self.support.add(at)
        kind = reading.kind
        if (kind, mention.start, -(mention.end - mention.start), order) < (
                self.kind, self.start, -self.length, self.order):
            self.kind, self.start, self.length, self.order = kind, mention.start, mention.end - mention.start, order
            self.latin, self.people = mention.latin, reading.people

    @property
    def province_only(self) -> bool:
        return not self.place.city

    def rank(self) -> tuple[int, bool, int, bool, bool]:
        """What places it before others, but for where it is written."""
        home = bool(self.place.province) or self.place in names().home
        return -len(self.support), self.province_only, self.kind, self.unlike, not home


def script_side(place: Place) -> str:
    """The script a place's people write Chinese in: traditional in Taiwan, Hong Kong and Macau, simplified on
    the mainland; '' abroad."""
    if place in names().home or place.province.startswith(TRADITIONAL_PROVINCES):
        return "traditional"
    return "simplified" if place.province else ""


def candidates(found: Sequence[Mention], script: str = "") -> list[Candidate]:
    """Every place the names may name, each with the names that may name it; a city also with the names
    of its province. ``script``: the script of Chinese words ("traditional", "simplified"; '' for none or both),
    which a place at home of the other side's yields to one of its own (大安區: Taipei's; 大安区: Zigong's)."""
    by_place: dict[Place, Candidate] = {}
    for at, mention in enumerate(found):
        for order, reading in enumerate(mention.readings):
            by_place.setdefault(reading.place, Candidate(reading.place)).read(mention, at, reading, order)
    for candidate in by_place.values():
        place = candidate.place
        candidate.unlike = bool(script) and script_side(place) not in ("", script)
        province = by_place.get(Place(place.province, ""))
        if place.city and province is not None:
            candidate.support |= province.support
        if place.city and place.area:  # a city abroad with the region and the country named beside it
            for area in (place.area, place.area.split(".")[0]):
                if (region := by_place.get(Place("", "", area))) is not None:
                    candidate.support |= region.support
                    candidate.regioned = True
    regions = {p.area.split(".")[0] for p in by_place if not p.city and not p.province}
    # a region abroad is no place; a city abroad of another region than the words name is not meant ("Ontario,
    # Canada": not Ontario, California; "Ontario" alone names the province, no city), nor a place at home named
    # only by names places abroad bear too, beside regions abroad alone ("Victoria, Australia", "Victoria": the
    # Australian state, not Hong Kong's Victoria; "Victoria, Hong Kong" is)
    abroad = bool(regions) and not regions & set(HOME)
    return [c for c in by_place.values() if (c.place.city or c.place.province)
            and not (regions and c.place.area and not c.regioned)
            and not (abroad and not c.place.area and all(
                any(r.place.area for r in found[at].readings) for at in c.support))]


def _by_words(found: list[Candidate]) -> tuple[Candidate, tuple[Place, ...]] | None:
    eligible = [c for c in found if c.kind <= PART or len(c.support) > 1]
    eligible = [c for c in eligible if not _dwarfed(c, eligible)]
    if not eligible:
        return None
    best = min(eligible, key=lambda c: (*c.rank(), c.start, -c.length, c.order))
    alike = [c.place for c in eligible if c.place != best.place and (*c.rank(), c.start, -c.length) == (
        *best.rank(), best.start, -best.length)]
    if best.kind != CITY and alike:
        return None  # a part of several places, none named beside it: no place is better than a wrong one
    rivals = tuple(c.place for c in eligible if c.place in alike and best.place.area and c.place.area
                   and c.people >= RIVAL_SHARE * best.people)
    return best, rivals


def _dwarfed(town: Candidate, others: list[Candidate]) -> bool:
    """Whether a town abroad is named only by names that also name, elsewhere in the words, a place ``DWARFED``
    times as populous: the words mean that place ("Chinatown, London", "Golden Gate, San Francisco")."""
    return bool(town.place.area) and any(
        other.place != town.place and not other.support & town.support and other.people >= DWARFED * max(
            town.people, 1) for other in others)


def choose(found: Sequence[Mention], near: Point | None, latin: bool, script: str = "") -> Chosen | None:
    """The city (else the province) the words name, the pin deciding between their places; ``latin``:
    whether the words are written in Latin letters, for a city the pin alone names; ``script``: which Chinese
    script they are written in (``candidates``)."""
    every = candidates(found, script)
    here = pin_city(near) if near is not None else NOWHERE
    if here == NOWHERE:
        by_words = _by_words(every)
        return Chosen(by_words[0].place, by_words[0].latin, by_words[1]) if by_words else None
    assert near is not None
    away = {c.place: distance_km(near, c.place) for c in every}
    close = [c for c in every if away[c.place] <= REACH_KM]
    if not close:
        return Chosen(here, latin)
    best = min(close, key=lambda c: (c.place != here, *c.rank(), away[c.place], c.start, c.order))
    if best.province_only and here.province == best.place.province:
        return Chosen(here, best.latin)
    return Chosen(best.place, best.latin)
