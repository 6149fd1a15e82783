"""Addresses that carry a secret (a one-time token, a reporter's private link): one list, read by the
access log's redaction and by the security headers (``Referrer-Policy: no-referrer``, ``no-store``),
so that a new secret-bearing route is protected in both places by adding it here."""

from __future__ import annotations

import re

# ``{secret}`` is the part never written to a log nor sent onward as a referrer; other ``{…}`` are kept
SECRET_ROUTES = (
    "/invite/{secret}",
    "/signup/{secret}",
    "/reset/{secret}",
    "/reports/{receipt}/{secret}",
)
SECRET_QUERY_PARAMETERS = ("t", "token")

_SEGMENT = r"[^/?#\s\"]+"


def _pattern(route: str) -> str:
    before, _, after = route.partition("{secret}")
    kept = re.sub(r"\\\{\w+\\\}", lambda _: _SEGMENT, re.escape(before))
    assert not after, "the secret is the last part of a route"
    return f"({kept}){_SEGMENT}"


_IN_PATH = re.compile("|".join(f"(?:{_pattern(route)})" for route in SECRET_ROUTES))
_NAMES = "|".join(map(re.escape, SECRET_QUERY_PARAMETERS))
_IN_QUERY = re.compile(rf"([?&](?:{_NAMES})=)[^\s&#\"]+")


def redact(text: str) -> str:
    """``text`` (a path, or a log line holding one) with every secret replaced by ``…``."""
    text = _IN_PATH.sub(lambda m: next(g for g in m.groups() if g is not None) + "…", text)
    return _IN_QUERY.sub(r"\1…", text)


def carries_secret(path: str, query: str = "") -> bool:
    """Whether the address ``path?query`` holds a secret: its page must not leak it onward."""
    return redact(path) != path or (bool(query) and redact("?" + query) != "?" + query)
