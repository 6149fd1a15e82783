"""Public posts as sightings: what a post is, how politely a source is polled (its interval, backoff on
errors), when a source is unhealthy, and when a post's text names a time of its own. Also the rule
for numbers in public: small counts are never shown exactly."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
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


CLOCK = re.compile(r"(?:(?P<day>今天|昨天|today|yesterday)\s*)?(?P<half>上午|下午|晚上|早上|中午)?\s*"
                   r"(?P<hour>\d{1,2})(?:[:：点](?P<minute>\d{1,2})?分?|\s*(?P<ampm>am|pm))", re.IGNORECASE)


def time_in_text(text: str, posted_at: datetime, zone: tzinfo) -> datetime | None:
    """The time a post's text names for the sighting ("今天下午3点", "yesterday 9:30", "at 5pm"), read in
    ``zone`` (the deployment's: posters write local times); None when it names none. A time later than
    the post belongs to the day before."""
    found = CLOCK.search(text)
    if not found or (found["minute"] is None and found["ampm"] is None and "点" not in found.group(0)):
        return None
    hour, minute = int(found["hour"]), int(found["minute"] or 0)
    if (found["half"] in ("下午", "晚上") or (found["ampm"] or "").lower() == "pm") and hour < 12:
        hour += 12
    if hour > 23 or minute > 59:
        return None
    local = posted_at.astimezone(zone)
    moment = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if (found["day"] or "").lower() in ("昨天", "yesterday") or moment > local:
        moment -= timedelta(days=1)
    return moment.astimezone(posted_at.tzinfo)


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
