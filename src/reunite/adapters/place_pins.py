"""Where places lie, so that a map pin can say which of the places words name is meant: every city's seats
(``cpca``'s coordinates of the city and of each of its districts and counties; a GeoNames city's, and its
districts' in Taiwan, Hong Kong and Macau). A place is as near a pin as its nearest seat; the pin lies in
the city of the seat nearest it (in the platform's region: mainland China, Taiwan, Hong Kong, Macau), or
elsewhere in the most populous city within ``ABROAD_KM``. Only cities come out, never a district."""

from __future__ import annotations

import math
from functools import cache, lru_cache
from typing import NamedTuple

import numpy as np

from reunite.adapters.place_index import geonames, geonames_places, metro_areas
from reunite.adapters.place_names import EARTH_KM, NOWHERE, Place, Point, km, place_of_adcode

REACH_KM = 100.0  # a city none of whose seats lies this near the pin is not where the pin is
ABROAD_KM = 20.0  # outside the platform's region, the pin's city: the most populous this near it
DEGREE_KM = EARTH_KM * math.pi / 180
HOME_COUNTRIES = ("TW", "HK", "MO")

class Seats(NamedTuple):
    places: list[Place]  # every city with a seat
    where: np.ndarray  # (n, 2) latitude, longitude of each seat
    of: np.ndarray  # each seat's city, an index into ``places``
    home: np.ndarray  # whether the seat lies in the platform's region
    people: np.ndarray  # the seat's population (0 where cpca's)


@cache
def seats() -> Seats:
    import cpca

    places: dict[Place, int] = {}
    rows: list[tuple[float, float, int, bool, int]] = []
    for info in cpca.ad_2_addr_dict.values():
        place = place_of_adcode(info.adcode)
        if place.city and info.latitude and info.longitude:
            rows.append((float(info.latitude), float(info.longitude), places.setdefault(place, len(places)), True, 0))
    placed = geonames_places()
    for city in geonames():
        if city["countrycode"] == "CN" or city["geonameid"] not in placed:
            continue
        place = placed[city["geonameid"]][0]
        rows.append((float(city["latitude"]), float(city["longitude"]), places.setdefault(place, len(places)),
                     city["countrycode"] in HOME_COUNTRIES, int(city["population"] or 0)))
    table = np.array([(r[0], r[1]) for r in rows], dtype=np.float64)
    return Seats(list(places), table, np.array([r[2] for r in rows]), np.array([r[3] for r in rows]),
                 np.array([r[4] for r in rows]))


def _approx_km(where: np.ndarray, point: Point) -> np.ndarray:
    """Distances from ``point`` (equirectangular: exact enough within a few hundred km, and for the nearest)."""
    north = (where[:, 0] - point[0]) * DEGREE_KM
    east = ((where[:, 1] - point[1] + 180.0) % 360.0 - 180.0) * DEGREE_KM * np.cos(
        np.radians((where[:, 0] + point[0]) / 2))
    return np.hypot(north, east)


@cache
def _by_area() -> tuple[dict[Place, np.ndarray], dict[str, np.ndarray]]:
    """Each city's seats, and each province's."""
    table = seats()
    order = np.argsort(table.of, kind="stable")
    bounds = np.flatnonzero(np.diff(table.of[order])) + 1
    cities = {table.places[int(table.of[rows[0]])]: table.where[rows] for rows in np.split(order, bounds)}
    provinces: dict[str, list[np.ndarray]] = {}
    for place, where in cities.items():
        if place.province:
            provinces.setdefault(place.province, []).append(where)
    return cities, {p: np.concatenate(parts) for p, parts in provinces.items()}


def area_seats(area: Place) -> np.ndarray | None:
    cities, provinces = _by_area()
    return cities.get(area) if area.city else provinces.get(area.province)


def distance_km(point: Point, area: Place) -> float:
    """How far the pin is from a city (a province: any of its cities): from its nearest seat; infinite
    for a place without one."""
    where = area_seats(area)
    if where is None or not len(where):
        return math.inf
    nearest = where[int(np.argmin(_approx_km(where, point)))]
    return km(point, (float(nearest[0]), float(nearest[1])))


@cache
def _grid() -> dict[tuple[int, int], np.ndarray]:
    """The seats in each whole degree of latitude and longitude: a pin's neighbours are read from the
    few degrees around it, never from every seat."""
    table = seats()
    cells: dict[tuple[int, int], list[int]] = {}
    for row, (lat, lon) in enumerate(table.where):
        cells.setdefault((math.floor(lat), math.floor(lon)), []).append(row)
    return {cell: np.array(rows) for cell, rows in cells.items()}


def _near(point: Point) -> np.ndarray:
    """The seats that may lie within ``REACH_KM`` of the pin (and a few more)."""
    grid, lat, lon = _grid(), math.floor(point[0]), math.floor(point[1])
    across = math.ceil(REACH_KM / (DEGREE_KM * max(math.cos(math.radians(min(abs(point[0]) + 1, 89.9))), 0.01)))
    up = math.ceil(REACH_KM / DEGREE_KM)
    found = [grid[cell] for cell in ((a, (b + 180) % 360 - 180) for a in range(lat - up, lat + up + 1)
                                     for b in range(lon - across, lon + across + 1)) if cell in grid]
    return np.concatenate(found) if found else np.array([], dtype=int)


@lru_cache(maxsize=65536)
def pin_city(point: Point) -> Place:
    """The city the pin lies in: in the platform's region, the city of the nearest seat (if within
    ``REACH_KM``); elsewhere the most populous city within ``ABROAD_KM``; NOWHERE when none (the sea, a desert)."""
    table, rows = seats(), _near(point)
    if not len(rows):
        return NOWHERE
    away = _approx_km(table.where[rows], point)
    nearest = int(np.argmin(away))
    if away[nearest] > REACH_KM:
        return NOWHERE
    if table.home[rows[nearest]]:
        return table.places[int(table.of[rows[nearest]])]
    close = (~table.home[rows]) & (away <= ABROAD_KM)
    if not close.any():
        return NOWHERE
    return table.places[int(table.of[rows[int(np.argmax(np.where(close, table.people[rows], -1)))]])]


@cache
def _by_region() -> dict[str, np.ndarray]:
    """The seats of each region abroad and of each country (``Place.area``: "CA.08", "CA")."""
    found: dict[str, list[np.ndarray]] = {}
    for place, where in _by_area()[0].items():
        for code in {place.area, place.area.split(".")[0]} - {""}:
            found.setdefault(code, []).append(where)
    return {code: np.concatenate(parts) for code, parts in found.items()}


@cache
def _metro_members() -> dict[Place, tuple[Place, ...]]:
    members: dict[Place, list[Place]] = {}
    for place, heart in metro_areas().items():
        members.setdefault(heart, []).append(place)
    return {heart: tuple(found) for heart, found in members.items()}


def covered_seats(area: Place) -> np.ndarray | None:
    """The seats of every city an area covers (``regions.inside``): a city's and, abroad, its metro area's; a
    province's; a region's or a country's abroad."""
    if not area.city and not area.province:
        return _by_region().get(area.area)
    cities = _by_area()[0]
    found = [w for w in (cities.get(p) for p in _metro_members().get(area, ())) if w is not None]
    own = area_seats(area)
    return np.concatenate([*found, *([own] if own is not None else [])]) if found else own


def area_box(area: Place) -> tuple[float, float, float, float] | None:
    """Latitudes and longitudes (south, north, west, east) outside which no pin lies in ``area`` (any city it
    covers: ``covered_seats``): its seats' box widened by ``REACH_KM`` (all longitudes near a pole or the 180th
    meridian); None for a place without seats."""
    where = covered_seats(area)
    if where is None or not len(where):
        return None
    margin = REACH_KM / DEGREE_KM
    south, north = float(where[:, 0].min()) - margin, float(where[:, 0].max()) + margin
    widest = max(abs(south), abs(north))
    east_west = margin / math.cos(math.radians(widest)) if widest < 89 else 360.0
    west, east = float(where[:, 1].min()) - east_west, float(where[:, 1].max()) + east_west
    if west < -180 or east > 180:
        west, east = -180.0, 180.0
    return max(south, -90.0), min(north, 90.0), west, east
