"""Probe s29 C3: a webhook receiver holds the job worker no longer than one delivery's deadline, however it
answers (a byte at a time, its status line too, a TLS handshake that never ends, nothing at all), and an answer
of hundreds of megabytes is not read into memory: only its status is used."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import ClassVar

import pytest

from reunite.adapters.notify.deadline import DeadlinePassed
from reunite.adapters.notify.webhook import MAX_ANSWER_BYTES, DeliveryRefused, HttpWebhooks
from reunite.domain.errors import InvalidInput

DEADLINE = 2.0
BIG = 300 * 1024 * 1024


class Receiver(socketserver.BaseRequestHandler):
    """A receiver whose answer the test chooses (``behaviour``), counting the bytes of body it sent."""

    behaviour: ClassVar[Callable[[socket.socket], None]]
    sent: ClassVar[list[int]] = []

    def handle(self) -> None:
        self.request.settimeout(30)
        if Receiver.behaviour is not handshake_drip:
            read_request(self.request)
        with contextlib.suppress(OSError):  # the sender hung up: what the test wants
            Receiver.behaviour(self.request)


def read_request(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length"))
    while len(body) < length:
        body += conn.recv(4096)


def body_drip(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
    for _ in range(100):
        conn.sendall(b"x")
        time.sleep(0.5)


def status_drip(conn: socket.socket) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n":
        conn.sendall(bytes([byte]))
        time.sleep(0.3)


def handshake_drip(conn: socket.socket) -> None:
    conn.sendall(b"\x16\x03\x03\x40\x00")  # a TLS handshake record of 16 KB, then its bytes one at a time
    for _ in range(200):
        conn.sendall(b"\x00")
        time.sleep(0.3)


def silence(conn: socket.socket) -> None:
    time.sleep(8)


def huge(conn: socket.socket) -> None:
    conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {BIG}\r\n\r\n".encode())
    chunk, sent = b"y" * 65536, 0
    try:
        while sent < BIG:
            conn.sendall(chunk)
            sent += len(chunk)
    finally:
        Receiver.sent.append(sent)


def refused(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\noops!")


def ok(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")


@pytest.fixture
def receiver() -> Iterator[int]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Receiver.sent = []
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def deliver(port: int, scheme: str = "http") -> float:
    hooks = HttpWebhooks(timeout=DEADLINE, allowed_hosts=["127.0.0.1"])
    started = time.monotonic()
    hooks.post(f"{scheme}://127.0.0.1:{port}/hook", "secret", str(int(time.time())), {"event": "case.alert"})
    return time.monotonic() - started


@pytest.mark.parametrize(("behaviour", "scheme"), [
    (status_drip, "http"), (silence, "http"), (handshake_drip, "https")])
def test_a_receiver_that_answers_too_slowly_fails_the_delivery_at_its_deadline(
        receiver: int, behaviour: Callable[[socket.socket], None], scheme: str) -> None:
    Receiver.behaviour = behaviour
    started = time.monotonic()
    with pytest.raises(DeadlinePassed, match="no answer within 2 s"):
        deliver(receiver, scheme)
    assert time.monotonic() - started < DEADLINE + 1  # the whole delivery, not each byte's wait


def test_a_status_in_time_is_the_answer_though_its_body_drips(receiver: int) -> None:
    Receiver.behaviour = body_drip  # the probe's: 200, then a byte every few seconds
    assert deliver(receiver) < DEADLINE + 1  # delivered: the status said so; the body is left


def test_a_huge_answer_is_not_read(receiver: int) -> None:
    Receiver.behaviour = huge  # 300 MB: the worker's memory doubled in the probe
    tracemalloc.start()
    try:
        assert deliver(receiver) < DEADLINE + 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 * 1024, peak  # a few kilobytes read, one socket read at most beyond them
    for _ in range(50):  # the receiver learns it was hung up on
        if Receiver.sent:
            break
        time.sleep(0.1)
    assert Receiver.sent and Receiver.sent[0] < BIG // 10
    assert MAX_ANSWER_BYTES <= 8192


def test_only_a_2xx_answer_is_a_delivery(receiver: int) -> None:
    Receiver.behaviour = refused
    with pytest.raises(DeliveryRefused, match="500"):
        deliver(receiver)
    Receiver.behaviour = ok
    assert deliver(receiver) < DEADLINE


def test_a_resolver_that_never_answers_holds_a_delivery_no_longer_than_its_deadline() -> None:
    """The host name's lookup is part of the delivery: a resolver hanging for minutes fails the delivery at its
    deadline (retried later), and a subscription's check says the host could not be found."""
    release = threading.Event()

    def hanging(host: str, port: int) -> list[str]:
        release.wait(60)
        return ["93.184.216.34"]

    hooks = HttpWebhooks(timeout=0.5, resolve=hanging)
    try:
        started = time.monotonic()
        with pytest.raises(DeadlinePassed, match=r"was not resolved within 0\.5 s"):
            hooks.post("https://partner.example/hook", "secret", str(int(time.time())), {"event": "case.alert"})
        assert time.monotonic() - started < 1.5
        with pytest.raises(InvalidInput, match="could not be found"):
            hooks.check("https://partner.example/hook")
    finally:
        release.set()
