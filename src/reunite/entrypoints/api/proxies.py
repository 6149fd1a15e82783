"""Which address a request comes from. ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed
only when the connecting peer is one of ``REUNITE_TRUSTED_PROXIES`` (default: none); otherwise anyone
could name any address and step around every per-address limit with a new header value.

``reunite serve`` runs uvicorn with its own proxy-header handling off, so this is the one rule."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(trusted: Sequence[str]) -> list[Network]:
    """``10.0.0.5``, ``10.0.0.0/8``, ``::1``; anything else is a configuration error (ValueError)."""
    return [ipaddress.ip_network(item.strip(), strict=False) for item in trusted if item.strip()]


class TrustedProxies:
    """ASGI middleware: for a request from a trusted proxy, the client is the right-most address of
    ``X-Forwarded-For`` that is not itself a trusted proxy, and the scheme is ``X-Forwarded-Proto``'s."""

    def __init__(self, app: Any, trusted: Sequence[str]) -> None:
        self.app = app
        self.networks = parse_networks(trusted)

    def trusts(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host.strip().strip("[]"))
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        return any(address in network for network in self.networks)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        client = scope.get("client")
        if scope["type"] in ("http", "websocket") and self.networks and client and self.trusts(client[0]):
            scope = dict(scope)
            values = [v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"x-forwarded-for"]
            hops = [hop.strip() for value in values for hop in value.split(",") if hop.strip()]
            host = client[0]
            for hop in reversed(hops):
                host = hop
                if not self.trusts(hop):
                    break
            scope["client"] = (host, 0)
            protos = [v.decode("latin-1").split(",")[-1].strip().lower()
                      for k, v in scope.get("headers", []) if k == b"x-forwarded-proto"]
            if protos and protos[-1] in ("http", "https"):
                scope["scheme"] = protos[-1] if scope["type"] == "http" else {"http": "ws", "https": "wss"}[protos[-1]]
        await self.app(scope, receive, send)
