"""How far an alert reaches: a radius around the place last seen that widens with the time since
the child disappeared (China's Tuanyuan default: 100 km in the first hour, 200 km by two hours,
300 km by three, 500 km after)."""

from __future__ import annotations

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


def webhook_address(raw: str) -> str | None:
    """A webhook's address as one receiver is known by, or None when it is no http(s) URL: scheme and host
    in lower case (RFC 3986 says they are), the scheme's default port dropped, an empty path read as "/".
    The path and query are kept as written (a receiver may tell them apart)."""
    raw = raw.strip()
    if not raw or any(c.isspace() for c in raw):
        return None
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in DEFAULT_PORTS or not host:
        return None
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    user = parts.netloc.rpartition("@")[0]
    netloc = (f"{user}@" if user else "") + (host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}")
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def receiver(address: str) -> str:
    """What two webhook addresses that reach one receiver share: the address as ``webhook_address`` writes it,
    without a trailing slash on its path (``/hook`` and ``/hook/`` are one endpoint to every server we know, and
    ``http://host`` is ``http://host/``). Only compared, never stored: the address is kept as its maker wrote it."""
    parts = urlsplit(webhook_address(address) or address.strip())
    return urlunsplit(parts._replace(path=parts.path.rstrip("/"), fragment=""))
