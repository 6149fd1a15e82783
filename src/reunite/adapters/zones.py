"""The time zone of a place on the map, offline: ``tzfpy`` (MIT; the boundaries of timezone-boundary-builder,
ODbL, from OpenStreetMap, inside its wheel: nothing is downloaded). Asked only for a place's ~1 km grid cell
(``domain.access.coarsen``: the caller's), so a zone never says more of a place than its cell does; loaded on
the first question (about 40 MB), answered in about a microsecond after."""

from __future__ import annotations

from functools import lru_cache

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
