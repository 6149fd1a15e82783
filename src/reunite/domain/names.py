"""One child's name as two registrations may write it: in any order (family name first or last), in
traditional or simplified characters, in upper or lower case, spaced or joined, with accents or without, in
look-alike letters of other alphabets (a Cyrillic е in "Chеn"), or in pinyin for all or some of the characters
(李华, 李 華, Li Hua, HUA LI, lǐ huá, 陈 Siyuan). The duplicate check flags two open cases born within a year of
each other under one name (``services.grouping.flag_duplicates``): an impostor who copies a missing child's
poster or record (its name, its age) with photos of another child, or none a face is found in, is caught by what
they copied. Placeholders ("unknown", 不详) name no child."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache

from reunite.domain.summary import fold

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
MIN_LETTERS = 4  # a name shorter (Li, 华: a character counts as two letters) says too little to flag two children
# what registrations write for a child whose name nobody knows (a found child, a partner's empty field), folded
PLACEHOLDERS = frozenset({
    "unknown", "unnamed", "noname", "nameunknown", "unknownname", "none", "na", "child", "kid", "boy", "girl",
    "baby", "infant", "anonymous", "anon", "test", "xxx", "doe", "john", "jane", "found", "lost", "missing",
    "foundchild", "lostchild", "lostkid", "missingchild", "unknownchild",
    "不详", "未知", "无名", "无名氏", "不明", "佚名", "孩子", "小孩", "男孩", "女孩", "儿童", "宝宝", "婴儿", "某某",
    "无", "不知道", "姓名不详", "未知姓名", "走失儿童", "流浪儿童", "走失", "男童", "女童", "小朋友"})
# a part that says the name is not known, whatever the other part says ("Unknown Zhang", 张 不详)
UNKNOWN = frozenset({"unknown", "unnamed", "noname", "nameunknown", "unknownname", "anonymous", "不详", "未知", "无名",
                     "不明", "不知道", "佚名", "某某", "姓名不详", "未知姓名"})
# letters of other alphabets that look like Latin ones, by the name Unicode gives them where it does not say which
# Latin letter they look like (ɑ LATIN SMALL LETTER ALPHA, ı DOTLESS I, ᴄ SMALL CAPITAL C: the last word is it)
_NAMED = {"ALPHA": "a", "BETA": "b", "EPSILON": "e", "ETA": "n", "IOTA": "i", "KAPPA": "k", "NU": "v",
          "OMICRON": "o", "RHO": "p", "TAU": "t", "UPSILON": "u", "CHI": "x", "OMEGA": "w"}
_LETTER = re.compile(r"LETTER (?:SMALL CAPITAL |CAPITAL |SMALL |DOTLESS |SCRIPT |TURNED )*(\w+)(?: WITH .*)?$")


def _latin(c: str) -> str:
    """A letter that is no Latin letter nor a Chinese character as the Latin letter it looks like, if Unicode's
    name for it says (ɑ → a, ı → i, ɡ → g, ᴄ → c); else itself."""
    if c.isascii() or HAN.match(c) or not c.isalpha():
        return c
    found = _LETTER.search(unicodedata.name(c, ""))
    if found is None:
        return c
    word = found.group(1)
    return word.lower() if len(word) == 1 else _NAMED.get(word, c)


def _folded(text: str, simplified: Callable[[str], str]) -> str:
    """Lower case, simplified, without accents, marks, spaces or invisible characters, look-alike letters as Latin."""
    folded = re.sub(r"[\W_]+", "", fold(text, simplified, numerals=False)).replace("ü", "v")
    return "".join(map(_latin, folded))


def _placeholder(family: str, given: str) -> bool:
    """A name that names no child: placeholders alone or together ("John Doe", 不详), or a 某 (张某, 某某)."""
    both = family + given
    return {family, given} <= PLACEHOLDERS | {""} or bool({family, given} & UNKNOWN) or both in PLACEHOLDERS \
        or (given + family) in PLACEHOLDERS or "某" in both


def name_forms(family: str, given: str, simplified: Callable[[str], str]) -> set[str]:
    """The name's folded forms: both orders (nothing for a placeholder)."""
    family, given = _folded(family, simplified), _folded(given, simplified)
    if _placeholder(family, given):
        return set()
    return {first + second for first, second in ((family, given), (given, family))} - {""}


def _long_enough(form: str) -> bool:
    return len(form) + len(HAN.findall(form)) >= MIN_LETTERS


def _said(one: str, other: str, readings: Callable[[str], frozenset[str]]) -> bool:
    """The two forms spell one name: character for the same character, a Latin letter for the same letter, and
    a character for its pinyin written in letters (any of its readings) on the other side; never one character
    for another that only sounds alike (张伟 and 章玮 are two names)."""
    @cache
    def match(i: int, j: int) -> bool:
        if i == len(one) or j == len(other):
            return i == len(one) and j == len(other)
        a, b = one[i], other[j]
        if HAN.match(a) and not HAN.match(b):
            return any(other.startswith(r, j) and match(i + 1, j + len(r)) for r in readings(a))
        if HAN.match(b) and not HAN.match(a):
            return any(one.startswith(r, i) and match(i + len(r), j + 1) for r in readings(b))
        return a == b and match(i + 1, j + 1)
    return match(0, 0)


def same_name(one: tuple[str, str], other: tuple[str, str], simplified: Callable[[str], str],
              readings: Callable[[str], frozenset[str]]) -> bool:
    """Two (family, given) names are one child's: one folded form, or the same name with characters written
    on one side in pinyin on the other (any reading of each character, ``readings``: ü also as v or u); never a
    name too short to tell (a character alone, fewer than four letters) nor a placeholder."""
    mine, theirs = name_forms(*one, simplified), name_forms(*other, simplified)
    if not any(_long_enough(form) for form in mine) or not any(_long_enough(form) for form in theirs):
        return False
    return bool(mine & theirs) or any(_said(a, b, readings) for a in mine for b in theirs)
