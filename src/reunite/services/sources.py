"""Sightings from public posts (the 2011 campaign's microblog posts, done by machine): moderators and
admins add sources; a periodic job polls each politely; every new post with photos becomes a
**pending** sighting with its provenance, never approved automatically and never published back.
A repost of a known post, or of a known picture, joins the sighting it repeats."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from reunite.domain.access import Permission, Principal, Role, require
from reunite.domain.errors import InvalidInput, NotFound, ReuniteError, bounded
from reunite.domain.model import NewSighting, Provenance, Upload
from reunite.domain.outbound import port_of, port_refused
from reunite.domain.said_time import time_in_text, zone_read_in
from reunite.domain.sources import (
    Post,
    SourceFailed,
    SourceKind,
    healthy,
    is_mastodon_timeline,
    next_poll,
)
from reunite.domain.text_limits import TEXT_LIMITS
from reunite.services import idempotency, intake
from reunite.services.deps import Deps

log = logging.getLogger("reunite.sources")
POLL_LEASE = timedelta(minutes=10)  # a worker that dies mid-poll leaves the source to others after this
MAX_TEXT = 2000


MASTODON_URL = "a Mastodon source is a hashtag or account address: https://host/tags/NAME or https://host/@NAME"


def add_source(deps: Deps, who: Principal, kind: str, url: str, name: str, interval_minutes: int,
               key: idempotency.Key | None = None) -> int:
    """A feed (RSS, Atom, JSON Feed) or Mastodon timeline (``https://host/tags/NAME``, ``https://host/@NAME``).
    A source already read (the same address) is answered with its id, not added twice."""
    require(who, Permission.MODERATE)
    if (first := idempotency.earlier_id(deps, key)) is not None:
        return first
    if kind not in SourceKind.__members__.values():
        raise InvalidInput("the kind of source is feed or mastodon", field="kind")
    if not 5 <= interval_minutes <= 24 * 60:
        raise InvalidInput("poll every 5 to 1440 minutes", field="interval")
    if kind == SourceKind.MASTODON and not is_mastodon_timeline(url.strip()):
        raise InvalidInput(MASTODON_URL, field="url")
    if port_refused(port := port_of(url)):  # 22, 25, 110…: never read from (domain.outbound)
        raise InvalidInput("sources are read from port 80, 443 or 1024 to 65535, not {port}: name the source's web port, or leave it out", field="url", port=str(port))  # noqa: E501
    name = bounded(name, TEXT_LIMITS["source_name"], "name")
    deps.sources.check(url.strip())
    with deps.uow() as uow:
        source_id = uow.add_source(kind, url.strip(), name, interval_minutes * 60, who.actor)
        uow.audit(who.actor, "source.added", "source", source_id, url=url.strip())
        if (won := idempotency.remember_id(uow, key, source_id)) is not None:
            return won
        uow.commit()
    return source_id


def set_active(deps: Deps, who: Principal, source_id: int, active: bool) -> None:
    require(who, Permission.MODERATE)
    with deps.uow() as uow:
        if not uow.set_source_status(source_id, "active" if active else "paused"):
            raise NotFound("source {id} does not exist", id=source_id)
        uow.audit(who.actor, "source.resumed" if active else "source.paused", "source", source_id)
        uow.commit()


def list_sources(deps: Deps, who: Principal) -> list[dict[str, Any]]:
    """Every source with whether it is healthy (answering, not backing off)."""
    require(who, Permission.MODERATE)
    now = deps.clock.now()
    return [row | {"healthy": healthy(row["failures"], row["last_ok_at"], timedelta(seconds=row["interval_s"]), now)}
            for row in deps.read.sources()]


def poll_due(deps: Deps, limit: int = 10) -> int:
    """Poll the sources whose time has come; how many new sightings they brought."""
    now = deps.clock.now()
    with deps.uow() as uow:
        due = uow.due_sources(now, limit)
        for source in due:
            uow.source_polled(source["id"], {"next_poll_at": now + POLL_LEASE})
        uow.commit()
    return sum(_poll(deps, source) for source in due)


def _poll(deps: Deps, source: dict[str, Any]) -> int:
    now, interval = deps.clock.now(), timedelta(seconds=source["interval_s"])
    try:
        page = deps.sources.read(SourceKind(source["kind"]), source["url"], source["etag"], source["last_modified"],
                                 source["cursor"])
    except SourceFailed as exc:
        failures = source["failures"] + 1
        log.warning("source %d failed (%d in a row): %s", source["id"], failures, exc)
        _record(deps, source["id"], {"failures": failures, "last_error": str(exc)[:500],
                                     "next_poll_at": next_poll(now, interval, failures)})
        return 0
    new = sum(_ingest(deps, source["id"], post) for post in oldest_first(page.posts))
    _record(deps, source["id"], {
        "failures": 0, "last_error": "", "last_ok_at": now, "next_poll_at": next_poll(now, interval, 0),
        "etag": page.etag, "last_modified": page.last_modified, "cursor": page.cursor or source["cursor"],
        "posts_seen": source["posts_seen"] + len(page.posts)})
    return new


def oldest_first(posts: list[Post]) -> list[Post]:
    """Posts in the order they were written, whatever order the feed lists them in: the first post of
    a picture becomes the sighting (its time, place and words); a later repost only adds a source."""
    return sorted(posts, key=lambda post: (post.posted_at is None, post.posted_at.timestamp() if post.posted_at else 0))


def _record(deps: Deps, source_id: int, values: dict[str, Any]) -> None:
    with deps.uow() as uow:
        uow.source_polled(source_id, values)
        uow.commit()


def _ingest(deps: Deps, source_id: int, post: Post) -> int:
    """1 when the post became a new pending sighting; 0 when known, a repost, or without usable photos."""
    if not post.url:
        return 0
    provenance = Provenance("post", post.url, post.author, post.posted_at, source_id)
    with deps.uow() as uow:
        if uow.sighting_of_post(post.url) is not None:
            return 0
        original = uow.sighting_of_post(post.reposted_from) if post.reposted_from else None
        if original is not None:
            uow.add_provenance(original, provenance)
            uow.audit(f"source:{source_id}", "sighting.reposted", "sighting", original, url=post.url)
            uow.commit()
            return 0
    uploads = []
    for number, url in enumerate(post.image_urls, start=1):
        try:
            uploads.append(Upload(deps.sources.image(url), f"post-{number}"))
        except SourceFailed as exc:
            log.info("photo %s of %s not read: %s", url, post.url, exc)
    if not uploads:
        return 0
    said = time_in_text(post.text, post.posted_at, deps.site.zone) if post.posted_at else None
    sighting = NewSighting(seen_at=said, place=None, place_text=post.place_text[:500],
                           description=post.text[:MAX_TEXT], sent_at=post.posted_at,
                           seen_at_read_in=zone_read_in(deps.site.zone, said) if said else "")
    try:
        receipt = intake.report_sighting(deps, READER, sighting, uploads, provenance)
    except ReuniteError as exc:
        log.info("post %s not taken: %s", post.url, exc.message)
        return 0
    return 0 if receipt.repeated else 1


READER = Principal(role=Role.ANONYMOUS, name="sources")  # reports like a passer-by: pending, never approved

