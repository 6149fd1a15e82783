"""Idempotent writes: a sender's key (the form's hidden one-time key, the API's ``Idempotency-Key``
header) names one intended write. The first success is remembered under the key, in the write's own
transaction; a retry with the same key gets that first answer, and stores nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from reunite.domain.access import Principal
from reunite.domain.errors import InvalidInput
from reunite.domain.model import Upload
from reunite.services.deps import Deps

MAX_KEY = 200


def scoped(who: Principal, operation: str, key: str | None, uploads: Sequence[Upload] = ()) -> str | None:
    """The key as stored: bound to who sends it, to what, and to the photos sent with it. Everyone
    anonymous is one actor, so the photos are what tells a retry (the same bytes again) from someone
    else's report under a guessed or reused key: that one is a new write, never the first answer."""
    if not key:
        return None
    if len(key) > MAX_KEY or not key.isprintable():
        raise InvalidInput("the idempotency key must be at most {limit} printable characters",
                           field="idempotency_key", limit=MAX_KEY)
    digest = hashlib.sha256()
    for upload in uploads:
        digest.update(hashlib.sha256(upload.data).digest())
    return hashlib.sha256(f"{who.actor}\n{operation}\n{key}\n{digest.hexdigest()}".encode()).hexdigest()


def earlier(deps: Deps, key: str | None) -> dict[str, Any] | None:
    """The first answer given under this (scoped) key, if that write happened."""
    if key is None:
        return None
    with deps.uow() as uow:
        return uow.remembered_result(key)
