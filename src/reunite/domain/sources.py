"""Public posts as sightings: what a post is, how politely a source is polled (its interval, backoff on
errors), when a source is unhealthy. Also the rule
for numbers in public: small counts are never shown exactly."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

MIN_INTERVAL = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=12)
UNHEALTHY_FAILURES = 3
SMALL_COUNT = 5  # public numbers below this are shown as "fewer than 5": no child can be singled out


class SourceFailed(Exception):
    """A source did not answer usably (network, status, size, format): its poll backs off."""


class SourceKind(enum.StrEnum):
    FEED = "feed"  # RSS 2.0, Atom or JSON Feed
    MASTODON = "mastodon"  # a Mastodon-compatible hashtag or account timeline (public API)


@dataclass(frozen=True)
class Post:
    """One public post with photos, as a source gives it."""

    url: str
    author: str
    posted_at: datetime | None
    text: str
    image_urls: tuple[str, ...]
    reposted_from: str = ""  # the original post's address when this is a repost (boost)
    place_text: str = ""  # place words the text names, from the offline gazetteer ("from the text")


@dataclass(frozen=True)
class Page:
    """What one poll of a source brought: its posts, and what to send next time to get only newer ones."""

    posts: list[Post] = field(default_factory=list)
    etag: str = ""
    last_modified: str = ""
    cursor: str = ""
    not_modified: bool = False


def next_poll(now: datetime, interval: timedelta, failures: int) -> datetime:
    """The regular interval while a source answers; doubling after each failure, up to 12 hours."""
    wait = max(interval, MIN_INTERVAL)
    if failures:
        wait = min(wait * (2 ** min(failures, 16)), MAX_BACKOFF)
    return now + wait


def healthy(failures: int, last_ok_at: datetime | None, interval: timedelta, now: datetime) -> bool:
    """A source is unhealthy after three failures in a row, or when it has not answered for three intervals."""
    if failures >= UNHEALTHY_FAILURES:
        return False
    return last_ok_at is None or now - last_ok_at <= 3 * max(interval, MIN_INTERVAL) + MAX_BACKOFF * (failures > 0)


def public_count(count: int) -> int | None:
    """A count fit to publish: None (shown as "fewer than 5") when it is small enough to point at a child,
    else rounded to a multiple of 5, so that no small count can be worked out by subtracting published
    ones (a total minus the other regions)."""
    if count < SMALL_COUNT:
        return None
    return SMALL_COUNT * round(count / SMALL_COUNT)


def public_regions(counts: Mapping[str, int], shown: int) -> list[tuple[str | None, int]]:
    """Provinces by count, most first, each named only with at least SMALL_COUNT records (at most ``shown``
    of them): a province with one report is as telling as its count; all the others summed under None
    ("other provinces"), listed when not empty. Records of no known province ("") are left out."""
    named = [(region, n) for region, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
             if region and n >= SMALL_COUNT][:shown]
    other = sum(n for region, n in counts.items() if region) - sum(n for _, n in named)
    return [*named, *([(None, other)] if other else [])]


TAG_PATH = re.compile(r"^/tags/([^/?#]+)/?$")
ACCOUNT_PATH = re.compile(r"^/@([^/?#]+)/?$")


def is_mastodon_timeline(url: str) -> bool:
    """``https://host/tags/NAME`` or ``https://host/@NAME``: the two timelines a Mastodon source follows."""
    parts = urlsplit(url)
    return (parts.scheme in ("https", "http") and bool(parts.hostname) and not parts.query
            and bool(TAG_PATH.match(parts.path) or ACCOUNT_PATH.match(parts.path)))
