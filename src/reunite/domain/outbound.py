"""The ports the server reaches on a user's word (a webhook's receiver, a source's feed, its timeline and the
photos its posts link to): 80 and 443, the web's own, and 1024 to 65535, where a partner's own server may listen;
never another port below 1024 (22 ssh, 25 smtp, 110 pop3, 6 of them…), whose services a request written for them
could be made to misuse through us, nor 0, where nothing listens. An address that names no port is the scheme's
own (80, 443). Checked when the address is given, and again by the adapter at every request (an address kept
before the rule, a photo's address a feed gives)."""

from __future__ import annotations

from urllib.parse import urlsplit

WEB_PORTS = frozenset({80, 443})
FIRST_FREE_PORT, LAST_PORT = 1024, 65535


def port_of(url: str) -> int | None:
    """The port an address names; None where it names none, or none that can be read (its own check says so)."""
    try:
        return urlsplit(url.strip()).port
    except ValueError:
        return None


def port_refused(port: int | None) -> bool:
    """Whether the server may not reach ``port`` on a user's word (None: the scheme's own, allowed)."""
    return port is not None and port not in WEB_PORTS and not FIRST_FREE_PORT <= port <= LAST_PORT
