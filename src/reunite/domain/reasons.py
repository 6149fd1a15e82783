"""Reasons people must give: one rule for every one that is required (rejecting a report or a case,
dismissing a lead, reopening a case, what was checked to verify one, deciding a removal request, saying
two registrations are different children). A reason is read later by someone who was not there (another
moderator, an auditor, the police): ``-``, ``x``, ``...`` or ``??`` tell them nothing, so a required reason
is words: three letters or more in any script, or two Chinese characters (``不同``: Chinese says in two
what English says in a word). Latin letters are words only with some variety: ``xxx``, ``aaa`` or ``sdf``
(one letter repeated, no vowel) are keys struck, not words."""

from __future__ import annotations

import unicodedata

from reunite.domain.errors import InvalidInput

REASON_LETTERS = 3  # a reason says why in words: at least this many letters (two Chinese characters)
CHINESE_LETTERS = 2


VOWELS = frozenset("aeiouy")


def _latin(letter: str) -> str | None:
    """A Latin letter without its accents, lower case (``É``: ``e``); None for another script's."""
    if "LATIN" not in unicodedata.name(letter, ""):
        return None
    return unicodedata.normalize("NFKD", letter)[0].lower()


def says_why(reason: str) -> bool:
    """Whether a reason is words: three letters or more (``-``, ``...``, ``??`` and ``ok`` are not), or two
    Chinese characters (``不同``). Written in Latin letters alone, words have two letters or more that differ
    and a vowel (``xxx``, ``aaa``, ``sdf`` are not; ``DNA differs`` is)."""
    letters = [c for c in reason if unicodedata.category(c).startswith("L")]
    chinese = sum(1 for c in letters if "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff")
    if chinese >= CHINESE_LETTERS:
        return True
    if len(letters) < REASON_LETTERS:
        return False
    latin = [_latin(c) for c in letters]
    if any(c is None for c in latin):  # another script (or a mix): its letters count as they are
        return True
    return len(set(latin)) >= 2 and bool(VOWELS & set(latin))


def require_why(reason: str, field: str) -> str:
    """A required reason, trimmed; InvalidInput (422, naming ``field`` in the reader's language) when it is
    not words. The caller says first what it asks for when nothing at all was given."""
    reason = reason.strip()
    if not says_why(reason):
        raise InvalidInput("{name} must be words, at least three letters or two Chinese characters: a mark tells whoever reads it later nothing",  # noqa: E501
                           field=field, name=field)
    return reason
