"""The address rules at the edge: webhook targets must be public, whatever form the address takes, and on the
web's ports or those from 1024 (as feeds a source reads); proxy headers count only from trusted proxies."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from reunite.adapters.notify.webhook import HttpWebhooks, RefusedAddress, public
from reunite.adapters.sources.web import SourceWeb, check_public
from reunite.domain.errors import InvalidInput
from reunite.domain.outbound import port_refused
from reunite.domain.reach import numeric_ipv4
from reunite.domain.sources import SourceFailed
from reunite.entrypoints.api.proxies import TrustedProxies

LOCAL_FORMS = [
    "http://127.0.0.1/", "http://localhost:8080/x", "http://2130706433/", "http://0x7f000001/", "http://127.1/",
    "http://0177.0.0.1/", "http://0/", "http://0.0.0.0/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/", "http://[::]/", "http://10.1.2.3/", "http://172.16.0.1/", "http://192.168.1.1/",
    "http://100.64.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://[fc00::1]/",
    "http://224.0.0.1/", "http://[ff02::1]/", "http://240.0.0.1/", "http://255.255.255.255/",
    "http://[2002:7f00:1::]/", "http://[64:ff9b::a00:1]/", "https://192.0.2.1/", "ftp://8.8.8.8/",
    "http://user:pw@8.8.8.8/", "not a url",
]


@pytest.mark.parametrize("url", LOCAL_FORMS)
def test_webhooks_refuse_every_form_of_a_local_or_private_address(url: str) -> None:
    with pytest.raises(InvalidInput):
        HttpWebhooks().check(url)


def test_webhooks_accept_public_addresses_and_only_the_configured_exceptions() -> None:
    assert public("8.8.8.8") and public("2606:4700:4700::1111")
    assert public("::ffff:8.8.8.8") and not public("::ffff:127.0.0.1")  # a mapped address is its IPv4 (s23 W8)
    HttpWebhooks(resolve=lambda host, port: ["93.184.216.34"]).check("https://partner.example/hook")
    mixed = HttpWebhooks(resolve=lambda host, port: ["93.184.216.34", "127.0.0.1"])
    with pytest.raises(InvalidInput, match="public"):  # one private answer among public ones is enough
        mixed.check("https://partner.example/hook")
    HttpWebhooks(allowed_hosts=["127.0.0.1"]).check("http://127.0.0.1:9999/hook")
    with pytest.raises(InvalidInput):  # the exception is for that host, not for loopback in general
        HttpWebhooks(allowed_hosts=["127.0.0.1"]).check("http://2130706433:9999/hook")


@pytest.mark.parametrize("host", [
    "134744072", "0x08080808", "0X8.8.8.8", "010.8.8.8", "8.8.2056", "8.526344", "0", "0x", "08", "1..2", "1.2.3.4.5",
    "4294967295", "4294967296", "1.2.65535", "1.2.65536", "0xffffffff", "00000000000000010", "255.255.255.256",
    "1e100", "example.org", "8.8.8.8.", "-1", "+1", "1.2.3.0x100", "0x1.0x2.3",
])
def test_a_numeric_host_is_read_as_the_resolver_reads_it(host: str) -> None:
    try:
        expected: str | None = socket.inet_ntoa(socket.inet_aton(host))
    except OSError:
        expected = None
    assert numeric_ipv4(host) == expected


def client_seen(trusted: list[str], peer: str, headers: dict[str, str]) -> tuple[str, str]:
    seen: dict[str, Any] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.update(scope)

    scope = {"type": "http", "client": (peer, 5555), "scheme": "http",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    asyncio.run(TrustedProxies(app, trusted)(scope, None, None))
    return seen["client"][0], seen["scheme"]


def test_forwarded_headers_count_only_from_trusted_proxies() -> None:
    spoof = {"X-Forwarded-For": "6.6.6.6", "X-Forwarded-Proto": "https"}
    assert client_seen([], "127.0.0.1", spoof) == ("127.0.0.1", "http")  # default: nobody is trusted
    assert client_seen(["10.0.0.0/8"], "203.0.113.9", spoof) == ("203.0.113.9", "http")
    chain = {"X-Forwarded-For": "6.6.6.6, 198.51.100.7, 10.0.0.3", "X-Forwarded-Proto": "https"}
    # the right-most address not a trusted proxy: what the client put first is not believed
    assert client_seen(["10.0.0.0/8"], "10.0.0.2", chain) == ("198.51.100.7", "https")


def test_a_feed_is_fetched_from_the_address_that_was_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: a name that resolves to a public address when checked and a private one a moment
    later must not be fetched from the second. The fetch connects to the checked address itself: a name
    nobody else can resolve (``feeds.invalid``) is read from where the one check said, and only once."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from reunite.adapters.sources import web

    seen: list[str] = []

    class Feed(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers["Host"])
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<rss version='2.0'><channel><title>t</title></channel></rss>")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    asked: list[str] = []
    monkeypatch.setattr(web, "system_resolve", lambda host, port: asked.append(host) or ["127.0.0.1"])
    monkeypatch.setattr(web, "public", lambda address: True)  # as a public address would be judged
    port = server.server_address[1]
    fetched = web.SourceWeb(timeout=3)._get(f"http://feeds.invalid:{port}/feed.xml", 10_000)
    server.shutdown()
    assert fetched.status_code == 200 and asked == ["feeds.invalid"] and seen == [f"feeds.invalid:{port}"]


@pytest.mark.parametrize(("port", "refused"), [
    (None, False), (80, False), (443, False), (1024, False), (8080, False), (65535, False),
    (0, True), (1, True), (22, True), (25, True), (110, True), (143, True), (444, True), (1023, True), (65536, True),
])
def test_only_the_webs_ports_and_those_from_1024_are_reached_on_a_users_word(port: int | None, refused: bool) -> None:
    assert port_refused(port) is refused


@pytest.mark.parametrize("port", [22, 25, 110, 1023])
def test_a_webhook_or_a_source_on_another_port_is_refused_at_every_request(port: int) -> None:
    """Checked again when sent to or read (an address kept before the rule, a photo's address a feed gives)."""
    hooks = HttpWebhooks(resolve=lambda host, port: ["93.184.216.34"])
    with pytest.raises(InvalidInput, match=f"not {port}"):
        hooks.check(f"https://partner.example:{port}/hook")
    with pytest.raises(RefusedAddress):
        hooks.post(f"https://partner.example:{port}/hook", "secret", "1", {})
    with pytest.raises(InvalidInput, match=f"not {port}"):
        check_public(f"https://feeds.example:{port}/rss.xml", allow_private=True)
    with pytest.raises(SourceFailed, match=f"not {port}"):
        SourceWeb(allow_private=True).image(f"http://127.0.0.1:{port}/photo.jpg")
    hooks.check("https://partner.example:8443/hook")
    assert check_public("https://feeds.example:8443/rss.xml", allow_private=True) is None
