"""Throttles that work offline: a proof-of-work puzzle for anonymous reports, and rate-limit windows.

The puzzle: the server hands out ``challenge`` = issued-at, difficulty, random salt and an HMAC over
them; the browser finds a ``nonce`` such that sha256(challenge ":" nonce) starts with ``difficulty``
zero bits (about 2**difficulty hashes: under a second in a phone's browser at 16). It costs a person
nothing and a bulk sender a lot; nothing leaves the server, no third party is asked."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

POW_MAX_AGE = timedelta(hours=2)


def _mac(secret: bytes, body: str) -> str:
    return hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()[:32]


def pow_challenge(secret: bytes, now: datetime, difficulty: int) -> str:
    body = f"{int(now.timestamp())}.{difficulty}.{secrets.token_hex(8)}"
    return f"{body}.{_mac(secret, body)}"


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def pow_digest(challenge: str, nonce: str) -> bytes:
    return hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()


def pow_valid(secret: bytes, challenge: str, nonce: str, now: datetime) -> bool:
    """True for an untampered, unexpired challenge solved at its difficulty. (Reuse is refused by
    the caller, which counts each challenge once.)"""
    parts = challenge.split(".")
    if len(parts) != 4 or not nonce or len(nonce) > 64:
        return False
    issued, difficulty, salt, mac = parts
    body = f"{issued}.{difficulty}.{salt}"
    if not (issued.isdigit() and difficulty.isdigit() and hmac.compare_digest(mac, _mac(secret, body))):
        return False
    age = now.timestamp() - int(issued)
    if not 0 <= age <= POW_MAX_AGE.total_seconds():
        return False
    return leading_zero_bits(pow_digest(challenge, nonce)) >= int(difficulty)


def solve(challenge: str) -> str:
    """What the browser's script does (used by tests and API clients)."""
    difficulty = int(challenge.split(".")[1])
    nonce = 0
    while leading_zero_bits(pow_digest(challenge, str(nonce))) < difficulty:
        nonce += 1
    return str(nonce)


def window_start(now: datetime, window: timedelta) -> datetime:
    """The start of the fixed rate-limit window ``now`` falls in."""
    seconds = int(window.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=now.tzinfo)


def token_hash(token: str) -> str:
    """Session, API and invitation tokens are stored only as this hash."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def sign(secret: bytes, purpose: str, value: str) -> str:
    """A signature binding ``value`` to ``purpose`` (CSRF tokens, unsubscribe links)."""
    return _mac(secret, f"{purpose}:{value}")


def signature_valid(secret: bytes, purpose: str, value: str, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, purpose, value), signature)


def lockout(failures: int, free: int, first: timedelta, longest: timedelta) -> timedelta | None:
    """How long to refuse further attempts after ``failures`` failures in a row: not at all for the
    first ``free - 1``, then ``first``, doubling with each further failure, up to ``longest``."""
    if failures < free:
        return None
    doubled: timedelta = first * (2 ** min(failures - free, 20))
    return min(doubled, longest)
