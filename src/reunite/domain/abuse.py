"""Throttles that work offline: a proof-of-work puzzle for anonymous reports, and rate-limit windows.

The puzzle: the server hands out ``challenge`` = issued-at, difficulty, random salt and an HMAC over
them; the browser finds a ``nonce`` such that sha256(challenge ":" nonce) starts with ``difficulty``
zero bits (about 2**difficulty hashes: the page's script hashes 0.4-2 million a second, so 2**20 in
a few seconds on a slow phone, docs/benchmarks.md). The difficulty grows with what the sender's address
sent in the last hour (``puzzle_bits``): one report costs a person a moment, a flood from one address
twice as much work with each report. It stays stateless: the difficulty is signed into the challenge,
and whether it is hard enough is asked when it is sent. Nothing leaves the server, no third party is
asked."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
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


def pow_bits(challenge: str) -> int:
    """The difficulty a challenge asks for (0 for what is no challenge; ``pow_valid`` checks it is signed)."""
    parts = challenge.split(".")
    return int(parts[1]) if len(parts) == 4 and parts[1].isdigit() else 0


def puzzle_bits(base: int, most: int, free: int, recent: int) -> int:
    """The difficulty of the puzzle an address must solve for one more report, having sent ``recent`` in the
    last hour: ``base`` for its first ``free``, then one bit more (twice the work) for each further one, at
    most ``most`` (what a slow phone's browser still solves in a few seconds)."""
    return min(max(base, most), base + max(0, recent - free + 1))


def solve(challenge: str) -> str:
    """What the browser's script does (used by tests and API clients): the first nonce, counting from 0,
    that meets the difficulty; the challenge's own bytes hashed once."""
    difficulty = pow_bits(challenge)
    prefix = hashlib.sha256(f"{challenge}:".encode())
    nonce = 0
    while True:
        digest = prefix.copy()
        digest.update(str(nonce).encode())
        if leading_zero_bits(digest.digest()) >= difficulty:
            return str(nonce)
        nonce += 1


def window_start(now: datetime, window: timedelta) -> datetime:
    """The start of the fixed window ``now`` falls in (a rate limit's minute, a puzzle's day)."""
    seconds = int(window.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=now.tzinfo)


# Rate limits are sliding windows, so that "at most 5 in 60 minutes" is what happens: never 5 at 10:59 and 5
# more at 11:00, nor a wait to the next clock hour. Requests are counted by the minute they came in (``BUCKET``)
# and each minute's requests count until a whole window has passed after that minute ended (a request is
# counted for 60 to 61 minutes: never less than the window its words name).
BUCKET = timedelta(minutes=1)


def counted_from(now: datetime, window: timedelta) -> datetime:
    """The oldest minute whose requests still count at ``now`` in a sliding window of ``window``."""
    return window_start(now, BUCKET) - window


def free_at(counts: Sequence[tuple[datetime, int]], limit: int, window: timedelta, need: int = 1) -> datetime | None:
    """When ``need`` more requests fit under ``limit``: once enough of the oldest minutes' requests (``counts``,
    each minute's start and its requests, of those still counted) have left the window. None: they fit now."""
    over = sum(n for _, n in counts) - limit + need  # requests that must leave the window first
    for start, n in sorted(counts):
        if over <= 0:
            break
        over -= n
        if over <= 0:
            return start + BUCKET + window
    return None


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
