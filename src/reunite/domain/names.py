"""One child's name as two registrations may write it: in any order (family name first or last), in
traditional or simplified characters, in upper or lower case, spaced or joined, with accents or without,
or in pinyin for the characters (李华, 李 華, Li Hua, HUA LI, lǐ huá). The duplicate check flags two open
cases of other accounts born the same day with one name (``services.grouping.flag_duplicates``): an
impostor who copies a missing child's poster (its name and birth date) with photos of another child, or no
usable face, is caught by what they copied."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
MIN_LETTERS = 4  # a Latin name this short (Li Li) says too little to flag two children as one
MIN_HAN = 2


def name_forms(family: str, given: str, simplified: Callable[[str], str]) -> set[str]:
    """The name's folded forms: both orders, each lower case, simplified, without accents, spaces or marks."""
    return {_folded(first + second, simplified) for first, second in ((family, given), (given, family))} - {""}


def _folded(text: str, simplified: Callable[[str], str]) -> str:
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "", simplified(text).casefold()).replace("ü", "v")


def same_name(one: tuple[str, str], other: tuple[str, str], simplified: Callable[[str], str],
              readings: Callable[[str], frozenset[str]]) -> bool:
    """Two (family, given) names are one child's: the same folded form, or one in Chinese characters and the
    other that name's pinyin (any reading of each character, ``readings``: ü also as v or u); never a name too short to
    tell (fewer than two characters, four letters)."""
    mine, theirs = name_forms(*one, simplified), name_forms(*other, simplified)
    if not any(_long_enough(form) for form in mine | theirs):
        return False
    if mine & theirs:
        return True
    return any(_said(han, latin, readings) for han, latin in _pairs(mine, theirs))


def _long_enough(form: str) -> bool:
    han = len(HAN.findall(form))
    return han >= MIN_HAN if han else len(form) >= MIN_LETTERS


def _pairs(mine: set[str], theirs: set[str]) -> Iterable[tuple[str, str]]:
    for a in mine:
        for b in theirs:
            if _all_han(a) and b.isascii() and len(a) >= MIN_HAN:
                yield a, b
            elif _all_han(b) and a.isascii() and len(b) >= MIN_HAN:
                yield b, a


def _all_han(text: str) -> bool:
    return bool(text) and all(HAN.match(c) for c in text)


def _said(han: str, latin: str, readings: Callable[[str], frozenset[str]]) -> bool:
    """The Latin letters spell the characters in pinyin, one reading per character, all of them."""
    sounds = [readings(c) for c in han]
    if not all(sounds):
        return False
    pattern = "".join("(?:" + "|".join(map(re.escape, sorted(each, key=len, reverse=True))) + ")" for each in sounds)
    return re.fullmatch(pattern, latin) is not None
