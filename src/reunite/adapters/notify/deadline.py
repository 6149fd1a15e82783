"""One HTTP request under one deadline, connecting, sending and reading alike (probe s29 C3).

httpx's and httpcore's timeouts bound each socket operation, not the request: a receiver answering one
byte every few seconds restarts the read timeout at each byte and holds the caller for as long as it
likes. Here every operation is given only the time left until the deadline, and a timer shuts the
socket down when the deadline passes, which also ends an operation that one call cannot bound (a TLS
handshake dripped byte by byte). Only the answer's status is read, and at most ``max_answer`` bytes of
its body (one read of the socket beyond that at most): a huge answer never fills memory."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
import typing
from collections.abc import Iterable

import httpcore


class DeadlinePassed(Exception):
    """The receiver did not answer in time (the delivery failed, and is retried)."""


class Deadline:
    """``seconds`` from now; ``watch`` a socket to shut it down when they pass."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.until = time.monotonic() + seconds
        self.passed = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True
        self._timer.start()

    def left(self, timeout: type[httpcore.TimeoutException]) -> float:
        """The seconds left, for one operation; ``timeout`` raised when none are."""
        left = self.until - time.monotonic()
        if left <= 0:
            self.passed = True
            raise timeout(f"no answer within {self.seconds:g} s")
        return left

    def watch(self, sock: socket.socket) -> None:
        """Shut this connection down when the deadline passes (a copy of the socket: TLS takes the first)."""
        with self._lock:
            self._sockets.append(sock.dup())
            if self.passed:
                self._shut()

    def _cut(self) -> None:
        with self._lock:
            self.passed = True
            self._shut()

    def _shut(self) -> None:
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # any read or write blocked on it returns at once

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, deadline: Deadline) -> None:
        self.stream, self.deadline = stream, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.stream.read(max_bytes, self.deadline.left(httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.stream.write(buffer, self.deadline.left(httpcore.WriteTimeout))

    def close(self) -> None:
        self.stream.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        tls = self.stream.start_tls(ssl_context, server_hostname, self.deadline.left(httpcore.ConnectTimeout))
        return _Stream(tls, self.deadline)

    def get_extra_info(self, info: str) -> typing.Any:
        return self.stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    """httpcore's own synchronous sockets, each operation bounded by the deadline."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline, self.inner = deadline, httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.NetworkStream:
        stream = self.inner.connect_tcp(host, port, self.deadline.left(httpcore.ConnectTimeout), local_address,
                                        socket_options)
        self.deadline.watch(stream.get_extra_info("socket"))
        return _Stream(stream, self.deadline)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("webhooks are sent over TCP only")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def post(url: str, headers: dict[str, str], body: bytes, extensions: dict[str, typing.Any], seconds: float,
         max_answer: int, ssl_context: ssl.SSLContext | None = None) -> tuple[int, int]:
    """POST ``body`` and return the answer's status and how many bytes of its body were read (at most
    ``max_answer``, and one read beyond), all within ``seconds``; ``DeadlinePassed`` when they passed before
    the status came (a body still coming then is left: the status said what it had to).
    No redirect is followed, no proxy or environment setting is read, and the connection is closed after."""
    deadline = Deadline(seconds)
    read = 0
    try:
        with httpcore.ConnectionPool(ssl_context=ssl_context, network_backend=_Backend(deadline), retries=0,
                                     max_connections=1) as pool, \
                pool.stream("POST", url, headers=list(headers.items()), content=body,
                            extensions=extensions) as response:
            status = response.status
            # only the status matters: a little of the body is read, while it comes in time, the rest left unread
            with contextlib.suppress(httpcore.TimeoutException, httpcore.NetworkError, httpcore.RemoteProtocolError):
                for chunk in response.iter_stream():
                    read += len(chunk)
                    if read >= max_answer:
                        break
    except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.RemoteProtocolError) as exc:
        if deadline.passed or isinstance(exc, httpcore.TimeoutException):
            raise DeadlinePassed(f"no answer within {seconds:g} s") from None
        raise
    finally:
        deadline.close()
    return status, read
