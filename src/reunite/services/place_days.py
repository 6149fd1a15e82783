"""Where a place's days and times are read, and the city it is shown as: the zone a day at a place is dated
in (its ~1 km cell's, else the city its words name, else the offset a time was given with, else the site's),
the one rule every surface that shows or filters such a day reads (posters, feeds, alerts, cards, queues,
the browse page's From/To, e-mails, exports); the city as the public reads it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reunite.domain import access
from reunite.domain.model import SeenAtBasis
from reunite.domain.ports import ReaderScript
from reunite.domain.times import offset_zone, zone
from reunite.domain.typed_time import INSTANT
from reunite.services.deps import Deps


def public_city(deps: Deps, words: str, reader: ReaderScript | None, lat: float | None = None,
                lon: float | None = None) -> str:
    """The city place words (and the pin ``lat``, ``lon``, as the public sees it: ``access.public_pin``) name,
    as the public reads it: one gazetteer entry, named in ``reader``'s language and script (成都 and Chengdu
    alike: 四川省成都市 for a reader of Chinese, 四川省成都市 in traditional characters in Taiwan, "Chengdu,
    Sichuan" in English); without a reader, as the words are written."""
    pin = access.public_pin(lat, lon)
    if reader is None:
        return deps.places.city(words, near=pin)
    return reader.script(deps.places.city(words, reader.latin, pin))


def day_zone(deps: Deps, lat: float | None, lon: float | None, words: str = "", at: datetime | None = None,
             *, public: bool = False) -> str:
    """The zone a date shown alone of something that happened at a place is the day in (``i18n.Language.day_at``:
    a child seen or last seen there), the same for every reader: ``place_zone``'s, else the site's. The one
    rule for every surface that shows or filters such a day (posters, feeds, alerts, cards, the moderators'
    queue, the browse page's From/To, e-mails, exports)."""
    return place_zone(deps, lat, lon, words, at, public=public) or deps.site.zone.key


def in_day_zone(at: datetime, zone_key: str, precision: str | None) -> datetime:
    """An instant at the offset of the zone its day is shown in (the same instant); a date given alone (a day, a
    month, a year: ``precision``) unchanged, since its midnight at another offset would be another day."""
    where = zone(zone_key)
    return at.astimezone(where) if where is not None and (precision or INSTANT) == INSTANT else at


def missing_since_shown(deps: Deps, case: dict[str, Any]) -> datetime:
    """When a child went missing, for readers who do not read the family's words about the place (partners' tokens,
    their exports and webhooks): at the offset of the zone the public reads its day in (``day_zone`` for the
    public: its poster's and PFIF's), never the offset the family's browser gave beside another place (a family in
    Los Angeles registering a child lost in Wuhan told partners "-07:00": probe s44 P4). The same instant."""
    at = case["missing_since"]
    key = day_zone(deps, case.get("last_seen_lat"), case.get("last_seen_lon"), case.get("last_seen_text") or "", at,
                   public=True)
    return in_day_zone(at, key, case.get("missing_since_precision"))


def place_zone(deps: Deps, lat: float | None, lon: float | None, words: str = "", at: datetime | None = None,
               *, public: bool = False) -> str:
    """Where a day at a place is dated ('' when nothing says, for the site's zone): with a pin, the zone of its
    ~1 km grid cell, never telling more than the cell does; for what the public reads (``public``: posters,
    their PDF, the front page, feeds, alerts), the zone at the centre of the public city the words and the pin
    (as the public sees it: ``access.public_pin``) name, never the pin's cell's own zone, which at a zone line
    told the public which side of it the pin was (probe s19 S9). Without a pin (or a zone there), the zone of the
    city the place words name, where they name one surely ("Richmond, BC": Vancouver's; a bare "Richmond": none);
    else the offset ``at`` was given with, its own wall-clock day (22:30 at -05:00 is that day, never the next
    one in Shanghai: probe s26 Z5; ``at``: None for a time nobody gave, a report dated by its arrival), unless
    that is UTC or the site's own offset (``_given_offset_zone``)."""
    if public:
        found = deps.places.city_zone(words, access.public_pin(lat, lon)) if words or lat is not None else ""
    else:
        found = cell_zone(deps, lat, lon) or (deps.places.city_zone(words) if words.strip() else "")
    return found or _given_offset_zone(deps, at)


def _given_offset_zone(deps: Deps, at: datetime | None) -> str:
    """``offset_zone`` of a time given with an offset that says something of the place: not the site's own offset
    then (its named zone reads better: "China Time", not "GMT+08:00"), nor UTC's ("Z", as machines and
    exports write any time, wherever it happened), which leave the site's zone."""
    offset = at.utcoffset() if at is not None else None
    if at is None or offset is None or not offset or offset == at.astimezone(deps.site.zone).utcoffset():
        return ""
    return offset_zone(at)


def cell_zone(deps: Deps, lat: float | None, lon: float | None) -> str:
    """The zone of a place's ~1 km grid cell ('' without a place, or where none is drawn)."""
    cell_lat, cell_lon = access.coarsen(lat), access.coarsen(lon)
    return deps.places.zone(cell_lat, cell_lon) if cell_lat is not None and cell_lon is not None else ""


def sighting_day_zone(deps: Deps, row: dict[str, Any]) -> str:
    """The zone a sighting's day is read in (``place_zone``; '' for the site's), kept with it
    (``sightings.day_zone``): the browse page's From/To read its day in it, as its card shows it."""
    given = row.get("seen_at_basis") != SeenAtBasis.ARRIVAL.value  # an arrival's offset is the server's clock's
    return place_zone(deps, row.get("lat"), row.get("lon"), row.get("place_text") or "",
                      row.get("seen_at") if given else None)
