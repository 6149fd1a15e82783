"""How much chance a key holds (probe s19 S3): an estimate of the bits of entropy in a key someone chose,
from the characters it is made of and how little of it follows from what came before. A counter with a
prefix ("report-000000001"), a run ("aaaa…"), a repeated short pattern ("abcdeabcde…") or counting
("1234567890…") holds little chance however long; a UUID (with or without its hyphens), a hex token or a
base64url token of 16 random bytes holds about 128 bits. Pure: no I/O."""

from __future__ import annotations

import math
import string

HEX = frozenset(string.hexdigits)
LONGEST_PERIOD = 8  # a pattern repeated with a period up to this long is told apart from chance


def alphabet(char: str, hex_only: bool = False) -> int:
    """How many characters one position could have been drawn from, judged by its class: 16 in a key of
    hex digits alone; else 10 for a digit, 26 for a letter of either case, 2 for ``-`` and ``_``
    (base64url's), 32 for any other. Judged per character, a word before a counter ("sighting_00042")
    counts as letters and its counter as digits, never as base64."""
    if hex_only:
        return 16
    if char.isdigit():
        return 10
    if char.isalpha():
        return 26
    return 2 if char in "-_" else 32


def _follows(chars: str, i: int) -> bool:
    """Whether the character at ``i`` follows from those before: a run or counting (up or down by one)
    that the two before it began, or a pattern of a short period repeated (its character and the one before
    both as one period earlier)."""
    if i >= 2:
        step = ord(chars[i]) - ord(chars[i - 1])
        if abs(step) <= 1 and step == ord(chars[i - 1]) - ord(chars[i - 2]):
            return True
    return any(chars[i] == chars[i - p] and chars[i - 1] == chars[i - 1 - p]
               for p in range(1, min(LONGEST_PERIOD, i - 1) + 1))


def bits(key: str) -> float:
    """The estimated entropy of ``key`` in bits: each character that does not follow from those before
    (``_follows``) counts log2 of its ``alphabet``. A UUID's hyphens (the key hex once they are taken out)
    count nothing."""
    bare = key.replace("-", "")
    hex_only = bool(bare) and set(bare) <= HEX and not (set(bare) & set("abcdef") and set(bare) & set("ABCDEF"))
    chars = bare if hex_only else key
    return sum(math.log2(alphabet(c, hex_only)) for i, c in enumerate(chars) if not _follows(chars, i))
