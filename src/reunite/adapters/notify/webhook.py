"""Webhooks: a JSON body POSTed with an HMAC-SHA256 signature the receiver can check, only ever to
public internet addresses.

An address is checked when a partner subscribes and again at every delivery, after resolving the
host name: the request then goes to the very address that was checked (no second lookup a DNS
rebinding could answer differently), with the original name in the Host header and TLS SNI, so
certificates are still verified for the name. Redirects are never followed (a 3xx is a failed
delivery). Loopback, private, shared, link-local, multicast, reserved and unspecified addresses are
refused, IPv4 and IPv6 alike, including IPv4 inside IPv6 (mapped, 6to4, Teredo, NAT64) and the
numeric forms a resolver accepts (``2130706433``, ``0x7f000001``, ``127.1``), which resolve to
what they mean before they are checked. Only the web's ports and those from 1024 are sent to
(``domain.outbound``). The host name's lookup is under the delivery's deadline too: a resolver that never answers
holds no worker longer than a receiver that never answers (``_resolved``)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as LookupTimeout
from datetime import date, datetime
from typing import Any

import httpx

from reunite.adapters.notify import deadline
from reunite.domain.errors import InvalidInput
from reunite.domain.outbound import port_refused

SIGNATURE_HEADER = "X-Reunite-Signature"
TIMESTAMP_HEADER = "X-Reunite-Timestamp"
NAT64 = ipaddress.ip_network("64:ff9b::/96")
MAX_ANSWER_BYTES = 4096  # of a receiver's answer, only the status matters
Resolver = Callable[[str, int], list[str]]
# lookups run here, so that one the resolver never answers is left behind at the deadline (a thread each, at most
# this many at once: deliveries beyond wait their turn, within their own deadline)
LOOKUPS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="webhook-lookup")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` + hex HMAC of ``timestamp.body``: what receivers recompute to trust a delivery."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def system_resolve(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host`` (numeric forms included)."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


def public(address: str) -> bool:
    """True only for a globally routable unicast address (and for IPv6, any IPv4 inside it too)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    inner: list[ipaddress.IPv4Address] = []
    if isinstance(ip, ipaddress.IPv6Address):
        ip = ip.__class__(str(ip).split("%")[0])  # a zone id says nothing about reach
        if ip.ipv4_mapped is not None:  # ::ffff:8.8.8.8 is 8.8.8.8 itself, public as it is (probe s23 W8)
            return public(str(ip.ipv4_mapped))
        inner += [a for a in (ip.ipv4_mapped, ip.sixtofour, ip.teredo[1] if ip.teredo else None) if a]
        if ip in NAT64:
            inner.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    for one in (ip, *inner):
        if (one.is_loopback or one.is_private or one.is_link_local or one.is_multicast or one.is_reserved
                or one.is_unspecified or not one.is_global):
            return False
    return True


def pinned(parsed: httpx.URL, address: str) -> tuple[httpx.URL, dict[str, str], dict[str, Any]]:
    """A request for ``parsed`` that connects to exactly ``address``, the one that was checked, so a
    resolver answering differently the second time (DNS rebinding) cannot send it elsewhere; the Host
    header and the TLS server name (certificate checked against it) stay the URL's."""
    extensions: dict[str, Any] = {"sni_hostname": parsed.host} if parsed.scheme == "https" else {}
    return parsed.copy_with(host=address), {"Host": parsed.netloc.decode()}, extensions


def _iso(value: object) -> str:
    """Times and dates in a JSON body as ISO 8601 (a time with its UTC offset), never ``str()``'s
    "2026-12-04 18:30:00+01:00" that strict parsers refuse; anything else unknown is an error."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.isoformat()
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"a webhook carries no {type(value).__name__} without a JSON form: {value!r}")


class RefusedAddress(Exception):
    """A delivery to a host that now resolves to a private or local address (the job records it)."""


class DeliveryRefused(Exception):
    """The receiver answered, but not 2xx (the job records it, and retries)."""


class HttpWebhooks:
    """Implements ``domain.ports.WebhookSender``. ``allowed_hosts``: names or addresses let through
    although not public (REUNITE_WEBHOOK_ALLOWED_HOSTS: a partner inside the operator's own network,
    or a test's receiver); empty by default. ``timeout``: each delivery's whole time, connecting, sending
    and reading the answer (``deadline``: a receiver answering a byte at a time holds no worker longer)."""

    def __init__(self, timeout: float = 10.0, allowed_hosts: Iterable[str] = (),
                 resolve: Resolver = system_resolve) -> None:
        self.timeout = timeout
        self.allowed = frozenset(h.lower() for h in allowed_hosts)
        self.resolve = resolve

    def _address(self, url: str) -> tuple[httpx.URL, str]:
        """The URL and the one checked address to connect to; InvalidInput if it may not be reached."""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError):
            parsed = None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host or parsed.userinfo:
            raise InvalidInput("the webhook address must be an http(s) URL", field="address")
        if port_refused(parsed.port):  # as the subscription's own check says (services.reach)
            raise InvalidInput("webhooks are sent to port 80, 443 or 1024 to 65535, not {port}: name the receiver's web port, or leave it out", field="address", port=str(parsed.port))  # noqa: E501
        host = parsed.host.lower()
        addresses = self._resolved(host, parsed.port or (443 if parsed.scheme == "https" else 80))
        if not addresses:
            raise InvalidInput("the webhook's host {host} could not be found", field="address", host=host)
        if host not in self.allowed and not all(public(a) for a in addresses):
            raise InvalidInput("webhooks go to public internet addresses only, and {host} is not one",
                               field="address", host=host)
        return parsed, addresses[0]

    def _resolved(self, host: str, port: int) -> list[str]:
        """The host's addresses, or none when it cannot be found; ``deadline.DeadlinePassed`` when the resolver
        has not answered within the delivery's ``timeout`` (the job retries later)."""
        lookup = LOOKUPS.submit(self.resolve, host, port)
        try:
            return lookup.result(timeout=self.timeout)
        except LookupTimeout:
            lookup.cancel()
            raise deadline.DeadlinePassed(f"the name {host} was not resolved within {self.timeout:g} s") from None
        except (OSError, UnicodeError):
            return []

    def check(self, url: str) -> None:
        try:
            self._address(url)
        except deadline.DeadlinePassed:
            raise InvalidInput("the webhook's host {host} could not be found", field="address",
                               host=httpx.URL(url).host) from None

    def post(self, url: str, secret: str, timestamp: str, payload: dict[str, Any]) -> None:
        """Deliver once, within ``timeout`` seconds in all; raises unless the receiver answers 2xx in time (the
        job retries: ``DeliveryRefused``, ``deadline.DeadlinePassed``, a network error), and ``RefusedAddress``
        without connecting when the host no longer resolves to a public address. Of the answer only the status
        is used, and at most ``MAX_ANSWER_BYTES`` of its body are read."""
        started = time.monotonic()
        try:
            parsed, address = self._address(url)
        except InvalidInput as exc:
            raise RefusedAddress(exc.message) from None
        body = json.dumps(payload, default=_iso, ensure_ascii=False).encode()
        target, host, extensions = pinned(parsed, address)
        headers = {"Content-Type": "application/json", TIMESTAMP_HEADER: timestamp, **host,
                   SIGNATURE_HEADER: signature(secret, timestamp, body), "User-Agent": "Reunite-Webhook/1"}
        left = self.timeout - (time.monotonic() - started)  # the lookup's time is the delivery's too
        try:
            if left <= 0:
                raise deadline.DeadlinePassed
            status, _ = deadline.post(str(target), headers, body, extensions, left, MAX_ANSWER_BYTES)
        except deadline.DeadlinePassed:
            raise deadline.DeadlinePassed(f"no answer within {self.timeout:g} s") from None
        if not 200 <= status < 300:  # a redirect is not followed, and not a delivery
            raise DeliveryRefused(f"the receiver answered {status}")
