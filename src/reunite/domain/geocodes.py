"""Codes that name a spot without a place's words or a coordinate's usual form, as they are found in
folded text (lower case, digits split by spaces joined: ``summary.fold``): Open Location Codes ("plus
codes", what a map app shares for a dropped pin: 8q336fjj+2v, short 6fjj+2v), geohashes (wtw3sjq6),
what3words addresses (///index.home.raft), Maidenhead locators (pm01aj), MGRS and UTM grid
references (51r uq 1234 5678, 51r 353000e 3456000n), a map app's link (maps.app.goo.gl/…, surl.amap.com/…).

A code is refused by its shape wherever it points, except a geohash of letters only (which a word can
be): that one only where it decodes within ``NEAR_KM`` of the report's point."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

NEAR_KM = 25.0
_OLC = "23456789cfghjmpqrvwx"  # the plus codes' alphabet
_GEOHASH = "0123456789bcdefghjkmnpqrstuvwxyz"
_PLUS_CODE = re.compile(rf"(?<![a-z0-9])([{_OLC}0]{{2,8}})\s*\+\s*([{_OLC}]{{0,3}})(?![a-z0-9])")
_TOKEN = re.compile(r"(?<![a-z0-9])[a-z0-9]{6,12}(?![a-z0-9])")
_THREE_WORDS = re.compile(r"/{2,3}\s*[^\W\d_]+\.[^\W\d_]+\.[^\W\d_]+"  # ///index.home.raft, ///产品.红色.书本
                          r"|(?<![\w.])[a-z]{3,}\.[a-z]{3,}\.[a-z]{3,}(?![\w.])")
_MAP_LINK = re.compile(  # a map app's link names its pin however it is written (a short link, a place id)
    r"\bgeo:[^\s，。]+|(?:[a-z0-9-]+\.)*(?:maps?\.app\.goo\.gl|goo\.gl/maps|google\.[a-z.]+/maps|maps\.google\.[a-z.]+"
    r"|amap\.com|map\.baidu\.com|map\.qq\.com|ditu\.[a-z]+\.com|openstreetmap\.org|osm\.org|waze\.com"
    r"|what3words\.com|w3w\.co|maps\.apple\.com|bing\.com/maps|here\.com)[^\s，。]*")
_NOT_WORDS = frozenset(("www", "com", "org", "net", "gov", "edu", "info", "html", "htm", "php", "jpg", "png"))
_MAIDENHEAD = re.compile(r"(?<![a-z0-9])[a-r]{2}\d{2}[a-x]{2}(?:\d{2}(?:[a-x]{2})?)?(?![a-z0-9])")
_GRID_ZONE = r"(?<![a-z0-9.])\d{1,2}\s*[c-hj-np-x]"  # a UTM zone and latitude band: 51r
_MGRS = re.compile(rf"{_GRID_ZONE}\s*[a-hj-np-z]{{2}}\s*(?:\d{{4}}|\d{{6}}|\d{{8}}|\d{{10}})(?![\d.])")
# a day of a month (1 may 2024, 3 jun 2024, 12 dec 2023) reads as a grid reference's shape, and is none
_DATE = re.compile(r"\d{1,2}\s*(?:jan|feb|mar|may|jun|jul|sep|dec)\s*\d{4}")
_UTM = re.compile(rf"{_GRID_ZONE}\s*\d{{6}}(?:\.\d+)?\s*(?:m\s*)?e?[\s,;/]*\d{{7}}(?:\.\d+)?\s*(?:m\s*)?n?(?![a-z])")


def _plus_code(found: re.Match[str]) -> bool:
    """An Open Location Code's shape: 2 to 8 characters before the "+" in pairs (a full code's last
    pairs may be padding zeros, and then nothing follows), 2 or 3 after it; at least 4 before a short one."""
    before, after = found.groups()
    padded = before.rstrip("0")
    if len(before) % 2 or "0" in padded or len(padded) % 2:
        return False
    return (len(before) == 8 and (not after or len(after) >= 2)) or (len(before) >= 4 and len(after) >= 2)


def geohash_point(code: str) -> tuple[float, float]:
    """The middle of a geohash's cell (latitude, longitude)."""
    lat, lon = [-90.0, 90.0], [-180.0, 180.0]
    even = True
    for char in code:
        bits = _GEOHASH.index(char)
        for shift in range(4, -1, -1):
            span = lon if even else lat
            middle = (span[0] + span[1]) / 2
            span[0 if bits >> shift & 1 else 1] = middle
            even = not even
    return (lat[0] + lat[1]) / 2, (lon[0] + lon[1]) / 2


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat, dlon = math.radians(b[0] - a[0]), math.radians(b[1] - a[1])
    h = math.sin(dlat / 2) ** 2 + math.cos(math.radians(a[0])) * math.cos(math.radians(b[0])) * math.sin(dlon / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h)))


def _code_token(token: str, points: Iterable[tuple[float, float]]) -> bool:
    """A run of letters and digits that is a code: a geohash or an unmarked plus code of 7 characters
    or more mixing letters and digits, or a geohash of 6 or more that decodes near one of ``points``."""
    if re.fullmatch(r"\d+(?:cm|mm|km|kg|m|g)|\d{6,8}t\d{1,6}", token):
        return False  # a measure (115-120cm, folded to 115120cm) or a timestamp (2024-05-01T15:30), never a code
    mixed = any(c.isdigit() for c in token) and any(c.isalpha() for c in token)
    geohash = all(c in _GEOHASH for c in token)
    if mixed and len(token) >= 7 and (geohash or all(c in _OLC for c in token)):
        return True
    return geohash and not token.isdigit() and any(_km(geohash_point(token), p) <= NEAR_KM for p in points)


def map_code(text: str, points: Iterable[tuple[float, float]] = ()) -> str | None:
    """The first code in the folded ``text`` that names a spot, as found; None when there is none."""
    points = list(points)
    if (link := _MAP_LINK.search(text)) is not None:
        return link.group()
    for found in _PLUS_CODE.finditer(text):
        if _plus_code(found):
            return found.group()
    for found in _THREE_WORDS.finditer(text):
        if not _NOT_WORDS & set(found.group().lstrip("/ ").split(".")):
            return found.group()
    for pattern in (_MGRS, _UTM, _MAIDENHEAD):
        for hit in pattern.finditer(text):
            if not (pattern is _MGRS and _DATE.fullmatch(hit.group())):
                return hit.group().strip()
    return next((t.group() for t in _TOKEN.finditer(text) if _code_token(t.group(), points)), None)
