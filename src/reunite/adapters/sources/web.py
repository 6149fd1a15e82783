"""Fetching feeds, timelines and their photos politely and safely: conditional requests (ETag,
Last-Modified), timeouts, size limits, no redirects, and, unless the operator allows it, only public
addresses (a source must not make Reunite reach into its own network), on the web's ports only
(``domain.outbound``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from urllib.parse import urlencode, urlsplit

import httpx

from reunite.adapters.notify.webhook import pinned, public, system_resolve
from reunite.adapters.sources.parse import feed_posts, mastodon_posts, with_places
from reunite.domain.errors import InvalidInput
from reunite.domain.outbound import port_of, port_refused
from reunite.domain.sources import ACCOUNT_PATH, TAG_PATH, Page, SourceFailed, SourceKind

MAX_FEED_BYTES = 5 * 1024 * 1024
USER_AGENT = "Reunite (+https://github.com/reunite; reads public posts for sightings of missing children)"
PAGES = 5  # newer pages read per poll of a timeline


@dataclass(frozen=True)
class Fetched:
    status_code: int
    headers: httpx.Headers
    content: bytes


def check_public(url: str, allow_private: bool) -> str | None:
    """Refuse URLs that are not http(s) or whose host resolves to a loopback, private, link-local or
    reserved address (checked again at every request); the checked address to connect to (None where the
    operator allows private addresses: the resolver's choice)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("the address must start with http:// or https://", field="url")
    if port_refused(port := port_of(url)):  # a feed's photo too: never read from 22, 25, 110… (domain.outbound)
        raise InvalidInput("sources are read from port 80, 443 or 1024 to 65535, not {port}: name the source's web port, or leave it out", field="url", port=str(port))  # noqa: E501
    if allow_private:
        return None
    try:
        addresses = system_resolve(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except (OSError, UnicodeError):
        raise InvalidInput("the address's host cannot be found", field="url") from None
    if not addresses or not all(public(address) for address in addresses):  # the webhooks' one rule
        raise InvalidInput("the address points into a private network", field="url")
    return addresses[0]


@dataclass
class SourceWeb:
    """Implements ``domain.ports.SourceReader``."""

    allow_private: bool = False
    max_image_bytes: int = 20 * 1024 * 1024
    timeout: float = 10.0

    def _get(self, url: str, limit: int, headers: dict[str, str] | None = None) -> Fetched:
        try:
            address = check_public(url, self.allow_private)
            target, host, extensions = pinned(httpx.URL(url), address) if address else (httpx.URL(url), {}, {})
        except (InvalidInput, httpx.InvalidURL) as exc:
            raise SourceFailed(str(getattr(exc, "message", exc))) from None
        try:
            with httpx.Client(timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0)),
                              follow_redirects=False, trust_env=False,
                              headers={"User-Agent": USER_AGENT, **host, **(headers or {})}) as client, \
                    client.stream("GET", target, extensions=extensions) as response:
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > limit:
                        raise SourceFailed(f"larger than {limit // 1_000_000} MB")
                return Fetched(response.status_code, response.headers, bytes(body))
        except httpx.HTTPError as exc:
            raise SourceFailed(f"{type(exc).__name__}: {exc}"[:300]) from None

    def read(self, kind: SourceKind, url: str, etag: str, last_modified: str, cursor: str) -> Page:
        try:
            page = self._timeline(url, cursor) if kind is SourceKind.MASTODON else self._feed(url, etag,
                                                                                                  last_modified)
        except InvalidInput as exc:
            raise SourceFailed(exc.message) from None
        except ValueError as exc:  # JSON that is not
            raise SourceFailed(f"unreadable: {exc}"[:300]) from None
        return replace(page, posts=with_places(page.posts))

    def _feed(self, url: str, etag: str, last_modified: str) -> Page:
        conditional = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", last_modified)) if v}
        response = self._get(url, MAX_FEED_BYTES, conditional)
        if response.status_code == 304:
            return Page(etag=etag, last_modified=last_modified, not_modified=True)
        if response.status_code != 200:
            raise SourceFailed(f"HTTP {response.status_code}")
        return Page(posts=feed_posts(response.content, url), etag=response.headers.get("etag", ""),
                    last_modified=response.headers.get("last-modified", ""))

    def _timeline(self, url: str, cursor: str) -> Page:
        """A hashtag (``https://host/tags/name``) or account (``https://host/@name``) timeline through the
        public API, newer than ``cursor`` (the newest status id seen), a few pages at a time."""
        parts = urlsplit(url)
        base = f"{parts.scheme}://{parts.netloc}"
        tag, account = TAG_PATH.match(parts.path), ACCOUNT_PATH.match(parts.path)
        if tag:
            endpoint = f"{base}/api/v1/timelines/tag/{tag.group(1)}"
        elif account:
            found = self._json(f"{base}/api/v1/accounts/lookup?{urlencode({'acct': account.group(1)})}")
            endpoint = f"{base}/api/v1/accounts/{found.get('id')}/statuses"
        else:
            raise SourceFailed("a Mastodon source is https://host/tags/NAME or https://host/@NAME")
        posts, newest = [], cursor
        for _ in range(PAGES):
            query = {"limit": 40, **({"min_id": newest} if newest else {})}
            response = self._get(f"{endpoint}?{urlencode(query)}", MAX_FEED_BYTES)
            if response.status_code != 200:
                raise SourceFailed(f"HTTP {response.status_code}")
            page = mastodon_posts(response.content)
            ids = [str(status.get("id", "")) for status in json.loads(response.content) if isinstance(status, dict)]
            if not page:
                break
            posts += page
            newest = max(ids, key=lambda i: (len(i), i))
            if not cursor:
                break  # the first poll takes the latest page only
        return Page(posts=posts, cursor=newest)

    def _json(self, url: str) -> dict[str, object]:
        response = self._get(url, MAX_FEED_BYTES)
        if response.status_code != 200:
            raise SourceFailed(f"HTTP {response.status_code}")
        found = json.loads(response.content)
        return found if isinstance(found, dict) else {}

    def image(self, url: str) -> bytes:
        response = self._get(url, self.max_image_bytes)
        if response.status_code != 200:
            raise SourceFailed(f"HTTP {response.status_code}")
        return response.content

    def check(self, url: str) -> None:
        check_public(url, self.allow_private)
