"""Idempotent writes: a sender's key (the form's hidden one-time key, the API's ``Idempotency-Key``
header) names one intended write. The first success is remembered under the key, in the write's own
transaction; a retry with the same key gets that first answer, and stores nothing."""

from __future__ import annotations

import hashlib
from typing import Any

from reunite.domain.access import Principal
from reunite.domain.errors import InvalidInput
from reunite.services.deps import Deps

MAX_KEY = 200


def scoped(who: Principal, operation: str, key: str | None) -> str | None:
    """The key as stored: bound to who sends it and to what, so nobody can read another's answer."""
    if not key:
        return None
    if len(key) > MAX_KEY or not key.isprintable():
        raise InvalidInput("the idempotency key must be at most {limit} printable characters",
                           field="idempotency_key", limit=MAX_KEY)
    return hashlib.sha256(f"{who.actor}\n{operation}\n{key}".encode()).hexdigest()


def earlier(deps: Deps, key: str | None) -> dict[str, Any] | None:
    """The first answer given under this (scoped) key, if that write happened."""
    if key is None:
        return None
    with deps.uow() as uow:
        return uow.remembered_result(key)
