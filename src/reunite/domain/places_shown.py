"""What of a place each reader sees: part of the one visibility policy, which ``domain.access``
re-exports (callers ask ``access``). Police and moderators read exact places; anyone else reads each place
as the centre of its ~1 km grid cell, and everything derived from places from those cells only: a radius
widened to a coarse step, a distance between cells in whole kilometres."""

from __future__ import annotations

import math
from typing import Any

from reunite.domain.model import GeoPoint

PLACE_GRID_DEG = 0.01  # about 1.1 km of latitude: the precision families and partners see
COARSE_DIGITS = 3  # a cell's centre (30.665) written in full, the same on pages and in the API
EXACT_DIGITS = 6  # an exact place as given out: about 0.1 m, never a float's noise (30.645699999999998)
COORDINATES = ("lat", "lon", "last_seen_lat", "last_seen_lon", "photo_lat", "photo_lon")  # a record's coordinates
# Radii of a place filter for anyone without exact places: a request is widened to the next step
COARSE_RADII_KM = (5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 20000)


def coarsen(value: float | None) -> float | None:
    """A coordinate snapped to the centre of its ~1 km grid cell. The database computes the same
    cell (``floor(value / grid)`` in double precision) when it filters for such principals."""
    if value is None:
        return None
    return round(math.floor(value / PLACE_GRID_DEG) * PLACE_GRID_DEG + PLACE_GRID_DEG / 2, COARSE_DIGITS)


def exact(value: float | None) -> float | None:
    """An exact coordinate as it is given out: to ``EXACT_DIGITS`` decimals (a photo's EXIF position, read as
    degrees, minutes and seconds, comes with a float's noise: 30.645699999999998 is 30.6457)."""
    return None if value is None else round(value, EXACT_DIGITS)


def exact_places(row: dict[str, Any]) -> dict[str, Any]:
    """A record with its coordinates as they are given out (``exact``); anything else unchanged."""
    return row | {name: exact(row[name]) for name in COORDINATES if isinstance(row.get(name), float)}


def coarse_point(point: GeoPoint | None) -> GeoPoint | None:
    if point is None:
        return None
    lat, lon = coarsen(point.lat), coarsen(point.lon)
    assert lat is not None and lon is not None
    return GeoPoint(min(lat, 90.0), min(lon, 180.0))


def public_pin(lat: float | None, lon: float | None) -> GeoPoint | None:
    """A map pin as the public city is read from it (``ports.PlaceNames.city``'s ``near``): its grid cell's
    centre, the same for every reader, so that the city anyone reads tells no more of the place than
    the cell families and partners are shown; None without a pin."""
    if lat is None or lon is None:
        return None
    return coarse_point(GeoPoint(lat, lon))


def coarse_radius(radius_km: float) -> float:
    """The smallest coarse step at least as wide as the radius asked for."""
    return float(next((step for step in COARSE_RADII_KM if step >= radius_km), COARSE_RADII_KM[-1]))


def coarse_distance_km(a: GeoPoint | None, b: GeoPoint | None) -> float | None:
    """The distance between two places' grid cells, in whole kilometres."""
    ca, cb = coarse_point(a), coarse_point(b)
    return float(round(ca.distance_km(cb))) if ca is not None and cb is not None else None


def distance_shown(km: float | None) -> float | None:
    """A distance between grid cells as the page says it: whole kilometres, 1 for "within about 1 km" (the
    same cell, 0, is no closer to the reader than the ~1 km the place is shown to)."""
    return None if km is None else max(1.0, km)
