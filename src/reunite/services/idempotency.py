"""Idempotent writes: a sender's key (the form's hidden one-time key, the phone's ``client_key``, the
API's ``Idempotency-Key`` header) names one intended write. The first success is remembered under the
key, in the write's own transaction, with a fingerprint of the request; a retry (the same request under
the same key) gets that first answer and stores nothing. The key sent again with a different request
is refused (422, as Stripe does): the sender reused a key, and answering the first receipt would
silently drop the second write. A report sent without a key is named by itself for a short while
(``same_request``): the same sender sending the same report again (a client's retry after a timeout)
is not stored twice. Who "the same sender" is (``holder``) is never an address alone: many people
share one (a carrier's NAT, a school's Wi-Fi), and a second person sending the same picture must get
their own receipt and private link, never the first person's.

The rule is: a retried request does not duplicate, and a second person never gets the first person's
receipt and private link. So the first answer's secrets (a report's receipt and private link) are given
again only to a request that carries what named that one write: its key, or an anonymous sender's
puzzle (spent on that one report). A key-less request known only by who sends it (a partner's token, an
account, a client's cookie) is known as a retry but told only that it was received (``Key.withholds``):
any of them may stand for many people (an NGO's app relays every person who reports through it), and
the identical report from its next person must not be answered with the first person's link. A sender
that wants the whole answer again sends a key. And a key only names one sender's write if nobody else
chooses it: an anonymous API sender, known by its address alone, must choose it at random
(``unguessable``); a plain one ("1", "retry") others behind the address could choose too is refused."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from reunite.domain import chance
from reunite.domain.access import Principal
from reunite.domain.errors import InvalidInput
from reunite.domain.model import Upload
from reunite.domain.ports import UnitOfWork
from reunite.services.deps import Deps

MAX_KEY = 200
REQUEST = "_request"  # where the fingerprint is kept inside the remembered answer


@dataclass(frozen=True)
class Key:
    name: str  # hex SHA-256 of actor, operation and the sender's key: 64 characters
    request: str  # hex SHA-256 of what was asked: the fields and the photos' bytes
    sealing: bytes = b""  # another digest of the sender's key, never stored: seals an answer shown once
    within: timedelta | None = None  # a key that names a write only this long (``same_request``)
    # a retry under this key is known (nothing stored twice) but not given the first answer's secrets: a
    # key-less request named by a sender who may stand for many people (``same_request``)
    withholds: bool = False


def fingerprint(fields: Iterable[tuple[str, object]], uploads: Sequence[Upload] = ()) -> str:
    digest = hashlib.sha256()
    for name, value in sorted((name, str(value)) for name, value in fields):
        digest.update(f"{name}\0{value}\0".encode())
    for upload in uploads:
        digest.update(hashlib.sha256(upload.data).digest())
    return digest.hexdigest()


def _valid(key: str) -> str:
    if len(key) > MAX_KEY or not key.isprintable():
        raise InvalidInput("the idempotency key must be at most {limit} printable characters",
                           field="idempotency_key", limit=MAX_KEY)
    return key


UNGUESSABLE_LENGTH = 16  # a UUID is 36 characters, 32 of them random hex digits
UNGUESSABLE_BITS = 64  # estimated entropy (``chance.bits``): a UUID holds ~122, a 32-digit hex token 128


def unguessable(key: str | None, field: str = "Idempotency-Key") -> str | None:
    """A key an anonymous sender chose, refused (422, naming ``field``) unless it looks chosen at random:
    at least ``UNGUESSABLE_LENGTH`` characters holding at least ``UNGUESSABLE_BITS`` of estimated entropy
    (``chance.bits``: the character classes it draws on, less what follows from what came before: runs,
    counting, a short pattern repeated; probe s19 S3: "abcdeabcdeabcdea", "report-000000001",
    "1234567890123456" passed a count of different characters). Known only by its address (``senders``),
    an anonymous sender shares its keys with everyone behind that address: two of them choosing
    "report-1" for the same report would share one answer, its private link included. A random key (a
    UUID, a hex or base64url token of 16 random bytes) is nobody else's; a plain one is refused before
    anything is read."""
    if key and (len(key) < UNGUESSABLE_LENGTH or chance.bits(key) < UNGUESSABLE_BITS):
        raise InvalidInput("{name} must be a key chosen at random, such as a UUID: at least {length} characters, without runs, counting or a repeated pattern. A short or plain key (1, 2, 3…, report-0001) may be chosen by someone else sending from your address",  # noqa: E501
                           field=field, name=field, length=UNGUESSABLE_LENGTH)
    return key


def senders(key: str | None, sender: str) -> str | None:
    """A key its sender chose (the API's ``Idempotency-Key``, the phone's ``client_key``, a form's), made
    theirs alone: ``sender`` names them (the account, the token; anyone else by their address and what
    their client holds: its pre-session cookie, the puzzle it spent), so that two anonymous senders
    choosing one key (a partner app counting 1, 2, 3 for its users, behind one address) never share an
    answer."""
    if not key:
        return None
    return hashlib.sha256(f"{sender}\n{_valid(key)}".encode()).hexdigest()


def holder(who: Principal, held: Iterable[str] = ()) -> str | None:
    """Who sends a request, as a write sent without a key knows them (``same_request``): the account or
    the token; anyone else only by what their client alone holds (``held``: the puzzle it solved and
    spent, the pre-session id of its cookie), never by their address, which many people share (a
    carrier's NAT, a school's Wi-Fi): two people there sending the same picture are two witnesses, each
    with their own receipt. None when the client holds nothing: its request is taken for no other."""
    if who.signed_in:
        return who.actor
    found = sorted(h for h in held if h)
    return "held:" + hashlib.sha256("\n".join(found).encode()).hexdigest() if found else None


def scoped(who: Principal, operation: str, key: str | None, fields: Iterable[tuple[str, object]] = (),
           uploads: Sequence[Upload] = ()) -> Key | None:
    """The key as stored: bound to who sends it and to what, with the request's fingerprint."""
    if not key:
        return None
    _valid(key)
    name = hashlib.sha256(f"{who.actor}\n{operation}\n{key}".encode()).hexdigest()
    sealing = hashlib.sha256(f"seal\n{who.actor}\n{operation}\n{key}".encode()).digest()
    return Key(name, fingerprint(fields, uploads), sealing)


SAME_REQUEST_WITHIN = timedelta(minutes=10)  # a client's retry after a timeout comes within minutes


def same_request(sender: str, operation: str, fields: Iterable[tuple[str, object]] = (),
                 uploads: Sequence[Upload] = (), within: timedelta = SAME_REQUEST_WITHIN, sole: bool = False) -> Key:
    """For a write sent without a key: the request itself as its key, for ``within``. The same ``sender``
    (``holder``: an account, a token, what an anonymous client holds) sending the identical request (every
    field, the photos' bytes) again that soon is its retry: nothing is stored twice; later, or from anyone
    else, it is a new write. The retry is given the first answer's secrets (a report's receipt and private
    link) only when ``sender`` is ``sole``: held for that one write alone (an anonymous sender's puzzle,
    spent on that one report). A token, an account or a cookie may stand for many people (an NGO's app
    relays every person who reports through it, with one token or one cookie jar): the next person's
    identical report would be answered with the first person's link, so its retry is told only that the
    write was received (``Key.withholds``); a sender wanting the whole answer again sends a key."""
    request = fingerprint(fields, uploads)
    return Key(hashlib.sha256(f"same\n{sender}\n{operation}\n{request}".encode()).hexdigest(), request,
               within=within, withholds=not sole)


def _stream(secret: bytes, key: Key, size: int) -> bytes:
    return hashlib.shake_256(secret + key.sealing).digest(size)


def seal(secret: bytes, key: Key | None, value: str) -> str:
    """A secret shown once (an API token), kept for a retry so that only that retry can read it: sealed
    with the site's secret and the sender's key, which is never stored."""
    if key is None:
        return ""
    data = value.encode()
    return base64.b64encode(bytes(a ^ b for a, b in zip(data, _stream(secret, key, len(data)), strict=True))).decode()


def unseal(secret: bytes, key: Key, sealed: str) -> str:
    data = base64.b64decode(sealed)
    return bytes(a ^ b for a, b in zip(data, _stream(secret, key, len(data)), strict=True)).decode()


def check(key: Key | None, remembered: dict[str, Any] | None) -> dict[str, Any] | None:
    """The first answer when this is a retry of the same request; 422 when the key named another."""
    if key is None or remembered is None:
        return None
    if remembered.pop(REQUEST, key.request) != key.request:
        message = "this idempotency key was already used for a different request: send a new request with a new key"
        raise InvalidInput(message, field="idempotency_key")
    return remembered


def earlier(deps: Deps, key: Key | None) -> dict[str, Any] | None:
    """The first answer given under this (scoped) key, if that write happened."""
    if key is None:
        return None
    with deps.uow() as uow:
        return check(key, uow.remembered_result(key.name, key.within))


def remember(uow: UnitOfWork, key: Key | None, answer: dict[str, Any]) -> dict[str, Any] | None:
    """Keep ``answer`` under ``key`` in the write's transaction; the first answer instead when a
    concurrent retry committed first (after waiting for it)."""
    if key is None or uow.remember_result(key.name, answer | {REQUEST: key.request}, key.within):
        return None
    return check(key, uow.remembered_result(key.name, key.within)) or {}


def done(deps: Deps, key: Key | None) -> bool:
    """Whether a state change that answers nothing (a case closed, a candidate decided) was already
    made under this key: a retry, answered as the first was, with nothing done again."""
    return earlier(deps, key) is not None


def first(uow: UnitOfWork, key: Key | None) -> bool:
    """For such a state change: remember it under ``key`` first thing in its transaction (a concurrent
    twin waits here until this one ends); False when a twin under this key committed first: do nothing."""
    return remember(uow, key, {"done": True}) is None


def earlier_id(deps: Deps, key: Key | None) -> int | None:
    """The id the first write under this key answered, for writes that answer an id."""
    found = earlier(deps, key)
    return None if found is None else int(found["id"])


def remember_id(uow: UnitOfWork, key: Key | None, new_id: int) -> int | None:
    """As ``remember`` for a write that answers an id: None when this write stands (commit it), else
    the first write's id (a concurrent retry won: roll this one back)."""
    won = remember(uow, key, {"id": new_id})
    return None if won is None else int(won.get("id", new_id))


def earlier_secret(deps: Deps, key: Key | None) -> tuple[int, str] | None:
    """The id and secret (shown once) the first write under this key answered, unsealed for this retry."""
    found = earlier(deps, key)
    return None if found is None or key is None else (int(found["id"]), unseal(deps.secret, key, str(found["secret"])))


def remember_secret(deps: Deps, uow: UnitOfWork, key: Key | None, new_id: int,
                    secret: str) -> tuple[int, str] | None:
    """As ``remember_id`` for a write that answers a secret shown once: kept sealed by the sender's key;
    None when this write stands, else the first write's id and secret."""
    won = remember(uow, key, {"id": new_id, "secret": seal(deps.secret, key, secret)})
    return None if won is None or key is None else (int(won.get("id", new_id)),
                                                     unseal(deps.secret, key, str(won["secret"])))
