"""How far an alert reaches: a radius around the place last seen that widens with the time since
the child disappeared (China's Tuanyuan default: 100 km in the first hour, 200 km by two hours,
300 km by three, 500 km after)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from reunite.domain.errors import InvalidInput

DEFAULT_SCHEDULE = "1h:100,2h:200,3h:300,*:500"


@dataclass(frozen=True)
class Step:
    until: timedelta | None  # None: from then on
    radius_km: float


def parse_schedule(text: str) -> tuple[Step, ...]:
    """``"1h:100,2h:200,3h:300,*:500"``: up to 1 hour 100 km, …, after that 500 km."""
    steps = []
    for part in text.split(","):
        limit, _, radius = part.strip().partition(":")
        try:
            km = float(radius)
            until = None if limit == "*" else timedelta(hours=float(limit.removesuffix("h")))
        except ValueError:
            raise InvalidInput("alert schedule step {step} is not 'HOURSh:KM' or '*:KM'", step=part) from None
        steps.append(Step(until, km))
    bounded = [s.until for s in steps if s.until is not None]
    if steps[-1].until is not None or bounded != sorted(bounded) or len(bounded) != len(steps) - 1:
        raise InvalidInput("the alert schedule must rise step by step and end with '*:KM'")
    return tuple(steps)


def alert_radius(schedule: tuple[Step, ...], elapsed: timedelta) -> float:
    """The radius for a case missing for ``elapsed``."""
    for step in schedule:
        if step.until is None or elapsed < step.until:
            return step.radius_km
    return schedule[-1].radius_km


def next_widening(schedule: tuple[Step, ...], elapsed: timedelta) -> timedelta | None:
    """How long until the radius next grows; None once it is at its widest."""
    for step in schedule:
        if step.until is not None and elapsed < step.until:
            return step.until - elapsed
    return None


def alert_distance(km: float | None) -> int | None:
    """The distance an alert tells (from the ~1 km grid cell where the child was last seen), in whole km:
    at least 1 ("within about 1 km"), as candidates' distances; None for a region's subscriber."""
    return None if km is None else max(1, round(km))


DEFAULT_PORTS = {"http": 80, "https": 443}
UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
PERCENT = re.compile("%([0-9A-Fa-f]{2})")


def numeric_ipv4(host: str) -> str | None:
    """The dotted form of a host written as a resolver reads a number (``inet_aton``): one to four parts,
    each decimal, octal (a leading 0) or hex (0x), the last filling the bytes left, so ``134744072``,
    ``0x08080808``, ``010.8.8.8`` and ``8.8.2056`` are ``8.8.8.8``; None for anything else (a name)."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values = []
    for part in parts:
        if re.fullmatch("0[xX][0-9A-Fa-f]+", part):
            values.append(int(part[2:], 16))
        elif re.fullmatch("0[0-7]*", part):
            values.append(int(part, 8))
        elif re.fullmatch("[1-9][0-9]*", part):
            values.append(int(part))
        else:
            return None
    *leading, last = values
    if any(v > 255 for v in leading) or last >= 1 << (8 * (4 - len(leading))):
        return None
    number = sum(v << (8 * (3 - i)) for i, v in enumerate(leading)) + last
    return ".".join(str(number >> shift & 255) for shift in (24, 16, 8, 0))


def canonical_host(host: str) -> str:
    """One writing of a host: a numeric IPv4 form dotted, an IPv6 literal compressed in brackets, and an
    IPv4-mapped one (``::ffff:8.8.8.8``) as the IPv4 address it is."""
    if ":" in host:
        try:
            ip = ipaddress.IPv6Address(host)
        except ValueError:
            return f"[{host}]"
        return str(ip.ipv4_mapped) if ip.ipv4_mapped is not None else f"[{ip.compressed}]"
    return numeric_ipv4(host) or host


def _escape(match: re.Match[str]) -> str:
    """``%68`` is ``h`` (an unreserved character means the same escaped or not); other escapes in capitals."""
    character = chr(int(match.group(1), 16))
    return character if character in UNRESERVED else match.group(0).upper()


def remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4: ``/./hook``, ``/hook/.`` and ``/a/../hook`` are ``/hook``, ``/hook/`` and ``/hook``."""
    kept: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                kept.append("")
        elif segment == "..":
            if len(kept) > 1:
                kept.pop()
            if last:
                kept.append("")
        else:
            kept.append(segment)
    return "/".join(kept)


def webhook_address(raw: str) -> str | None:
    """A webhook's address as one receiver is known by, or None when it is no http(s) URL: scheme and host
    in lower case (RFC 3986 says they are), a numeric IPv4 host dotted (``http://134744072`` is
    ``http://8.8.8.8``), the scheme's default port dropped, an empty path read as "/", escapes of unreserved
    characters decoded and the others in capitals, dot segments removed (probe s23 W8). The path and query
    are otherwise kept as written (a receiver may tell them apart, and ``//hook`` from ``/hook``)."""
    raw = raw.strip()
    if not raw or any(c.isspace() for c in raw):
        return None
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), canonical_host(parts.hostname or "")
    if scheme not in DEFAULT_PORTS or not host:
        return None
    user = parts.netloc.rpartition("@")[0]
    netloc = (f"{user}@" if user else "") + (host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}")
    path = remove_dot_segments(PERCENT.sub(_escape, parts.path)) or "/"
    return urlunsplit((scheme, netloc, path, PERCENT.sub(_escape, parts.query), ""))


def webhook_port(address: str) -> int | None:
    """The port an address names (None: the scheme's own); 0 is one no receiver can be reached on."""
    try:
        return urlsplit(address.strip()).port
    except ValueError:
        return None


def receiver(address: str) -> str:
    """What two webhook addresses that reach one receiver share: the address as ``webhook_address`` writes it,
    without a trailing slash on its path (``/hook`` and ``/hook/`` are one endpoint to every server we know, and
    ``http://host`` is ``http://host/``). Only compared, never stored: the address is kept as ``webhook_address``
    writes it."""
    parts = urlsplit(webhook_address(address) or address.strip())
    return urlunsplit(parts._replace(path=parts.path.rstrip("/"), fragment=""))
