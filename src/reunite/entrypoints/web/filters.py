"""The browse page's filters, read from its address: every field that cannot be read is named, with why,
in the reader's language (the page is shown again, 422, with what the reader typed); none is silently
dropped or replaced by a default."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from starlette.datastructures import QueryParams

from reunite.domain.dates import no_such_day
from reunite.domain.model import GeoPoint, Sex, SightingFilter
from reunite.entrypoints.api import guard
from reunite.entrypoints.web.forms import ReadQuery
from reunite.i18n import Language

PAGE_SIZE = 24
LABELS = {  # each filter as the form names it, in its order (the reader never sees the address's names)
    "place": "Place", "from": "From", "to": "To", "age": "Apparent age", "sex": "Sex",
    "known_only": "Only sightings whose age and sex are known", "lat": "the map pin's latitude",
    "lon": "the map pin's longitude", "radius_km": "Within km of the map pin", "page": "Page",
}
SEXES = {"female": "Girl", "male": "Boy"}
MAX_PLACE = 200
MAX_AGE = 25
MAX_RADIUS = 20_000
MAX_PAGE = 100_000
NUMBER = "“{field}” must be a number"
WHOLE = "“{field}” must be a whole number"
BETWEEN = "“{field}” must be between {low} and {high}"
DAY = "“{field}” must be a date such as 2026-12-02"
NO_DAY = "“{field}”: the date is not valid (no such day in the calendar)"
PAIR = "“{field}” is missing: give both coordinates of the pin, or neither"
RADIUS = "“{field}” must be more than 0 and at most {high}"
CHOICE = "“{field}” must be one of: {choices}"
ORDER = "“{field}” is before “{other}”"
TEXT = "“{field}” must be at most {limit} characters of text"
BOX = "“{field}” is a box to tick: 1, or nothing"
TWICE = "“{field}” is in the address more than once: give it once"
PIN_NEEDED = "“{field}” is a distance from the map pin: put the pin on the map, or leave the distance empty"
NUL = "“{field}” contains a NUL character (an invisible control character), which cannot be read: remove it"
NOT_TEXT = "“{field}” contains bytes that are not UTF-8 text, which cannot be read: type it again"
MESSAGES = (NUMBER, WHOLE, BETWEEN, DAY, NO_DAY, PAIR, RADIUS, CHOICE, ORDER, TEXT, BOX, TWICE,
            PIN_NEEDED, NUL, NOT_TEXT)  # for scripts/messages.py
RADIUS_KM = 50.0  # around the pin, when no distance is given


@dataclass
class Problems:
    """What could not be read, by field: the first reason for each, in the reader's language."""

    lang: Language
    found: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, template: str, **params: object) -> None:
        if name not in self.found:
            named = {k: self.lang.gettext(LABELS[str(v)]) if k == "other" else v for k, v in params.items()}
            self.found[name] = self.lang.gettext(template, field=self.lang.gettext(LABELS[name]), **named)


@dataclass(frozen=True)
class Browse:
    query: SightingFilter | None  # None when a filter could not be read
    page: int
    problems: dict[str, str]


def _raw(q: QueryParams, name: str) -> str:
    return (q.get(name) or "").replace("\x00", "").strip()


def _number(q: QueryParams, name: str, problems: Problems, whole: bool = False) -> float | None:
    raw = _raw(q, name)
    if not raw:
        return None
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        problems.add(name, WHOLE if whole else NUMBER)
        return None
    if not math.isfinite(value):
        problems.add(name, NUMBER)
        return None
    return value


def _between(value: float | None, name: str, low: float, high: float, problems: Problems) -> float | None:
    if value is not None and not low <= value <= high:
        problems.add(name, BETWEEN, low=problems.lang.number(low),
                     high=problems.lang.number(high))
        return None
    return value


def _day(q: QueryParams, name: str, problems: Problems) -> date | None:
    raw = _raw(q, name)
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        problems.add(name, NO_DAY if no_such_day(raw) else DAY)
        return None


def _pin(q: QueryParams, problems: Problems) -> GeoPoint | None:
    lat = _between(_number(q, "lat", problems), "lat", -90, 90, problems)
    lon = _between(_number(q, "lon", problems), "lon", -180, 180, problems)
    for one, other in (("lat", "lon"), ("lon", "lat")):
        if _raw(q, one) and not _raw(q, other):
            problems.add(other, PAIR)
    return GeoPoint(lat, lon) if lat is not None and lon is not None else None


def _radius(q: QueryParams, problems: Problems) -> float:
    """The distance around the map pin; given without a pin it is refused, never silently dropped."""
    radius = _number(q, "radius_km", problems)
    if radius is not None and not 0 < radius <= MAX_RADIUS:
        problems.add("radius_km", RADIUS,
                     high=problems.lang.number(MAX_RADIUS))
    if radius is not None and not _raw(q, "lat") and not _raw(q, "lon"):
        problems.add("radius_km", PIN_NEEDED)
    return radius if radius is not None and 0 < radius <= MAX_RADIUS else RADIUS_KM


def _sex(q: QueryParams, problems: Problems) -> Sex | None:
    raw = _raw(q, "sex")
    read = Sex.read(raw) if raw else None  # the words the forms and sheets read: 女, F, female…
    if raw and (read is None or read.value not in SEXES):
        lang = problems.lang
        choices = lang.one_of([lang.gettext(v) for v in SEXES.values()])
        problems.add("sex", CHOICE, choices=choices)
        return None
    return read


def read_browse(q: QueryParams, lang: Language, site_zone: str) -> Browse:
    """The filters of ``/sightings`` as a query, or each problem with them. Its dates are the days each sighting
    was seen where it was seen, the days their cards show (``Language.day_at``: its place's ~1 km cell's zone,
    else ``site_zone``), whoever reads them: compared in SQL, row by row (``sighting_filter._days_seen``)."""
    problems = Problems(lang)
    for name in LABELS:  # one value each: never one of several read and the others dropped
        if isinstance(q, ReadQuery) and name in q.refused:  # what could not be read (``pages.address``): left
            q.told.add(name)  # out of ``q``, never read without it, nor shown again with it; said here
            problems.add(name, NOT_TEXT if q.refused[name].template == guard.NOT_TEXT else NUL)
        if len(q.getlist(name)) > 1:
            problems.add(name, TWICE)
    page = _between(_number(q, "page", problems, whole=True), "page", 1, MAX_PAGE, problems)
    age = _between(_number(q, "age", problems, whole=True), "age", 0, MAX_AGE, problems)
    near, radius, sex = _pin(q, problems), _radius(q, problems), _sex(q, problems)
    start, end = _day(q, "from", problems), _day(q, "to", problems)
    if start and end and end < start:
        problems.add("to", ORDER, other="from")
    place = _raw(q, "place")
    if len(place) > MAX_PLACE:
        problems.add("place", TEXT, limit=MAX_PLACE)
    if _raw(q, "known_only") not in ("", "1"):
        problems.add("known_only", BOX)
    number = int(page) if page is not None else 1
    if problems.found:  # in the order the form shows the fields
        return Browse(None, number, {name: problems.found[name] for name in LABELS if name in problems.found})
    query = SightingFilter(near=near, radius_km=radius, place=place, seen_on_from=start, seen_on_to=end,
                           day_zone=site_zone, age=None if age is None else int(age), sex=sex,
                           limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE,
                           include_unknown=_raw(q, "known_only") != "1")
    return Browse(query, number, {})
