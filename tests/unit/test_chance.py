"""An anonymous sender's Idempotency-Key must be chosen at random (probe s19 S3): patterns, counters and
runs are refused however many different characters they hold; UUIDs, hex and base64url tokens of 16
random bytes are accepted, every time."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable

import pytest

from reunite.domain import chance
from reunite.domain.errors import InvalidInput
from reunite.services import idempotency

PLAIN = [
    "1", "retry", "aaaaaaaaaaaaaaaa", "0000000000000001",  # short, a run, a count
    "abcdeabcdeabcdea",  # a short pattern repeated
    "report-000000001", "report-000000123", "sighting_00000042",  # counters with a prefix
    "1234567890123456", "0000000000012345", "9876543210987654",  # counting up and down
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "retryretryretryretry", "abababababababababab",
    "2026-03-01-0001-0001",
]
RANDOM: list[Callable[[], str]] = [
    lambda: str(uuid.uuid4()), lambda: uuid.uuid4().hex, lambda: str(uuid.uuid4()).upper(),
    lambda: secrets.token_hex(16), lambda: secrets.token_urlsafe(16), lambda: secrets.token_urlsafe(24),
]


@pytest.mark.parametrize("key", PLAIN)
def test_a_plain_key_is_refused_naming_the_header(key: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        idempotency.unguessable(key)
    assert refused.value.field == "Idempotency-Key"


@pytest.mark.parametrize("make", RANDOM)
def test_keys_chosen_at_random_are_always_accepted(make: Callable[[], str]) -> None:
    for _ in range(500):
        key = make()
        assert idempotency.unguessable(key) == key, (key, chance.bits(key))


def test_the_estimate_counts_what_does_not_follow_from_what_came_before() -> None:
    assert chance.bits("5f0c2e9a-7b41-4d3c-8e26-1a9b7c3d4e50") == 128  # hyphens count nothing
    assert chance.bits("abcdeabcdeabcdea") < 20 and chance.bits("1234567890123456") < 20
    assert chance.bits("report-000000001") < idempotency.UNGUESSABLE_BITS
    assert idempotency.unguessable(None) is None and idempotency.unguessable("") == ""
