"""One child's name as two registrations may write it: in any order (family name first or last), in
traditional or simplified characters, in upper or lower case, spaced or joined, with accents or without, in
look-alike letters of other alphabets (a Cyrillic е in "Chеn"), or in pinyin for all or some of the characters
(李华, 李 華, Li Hua, HUA LI, lǐ huá, 陈 Siyuan). The duplicate check flags two open cases of other accounts born
within a year of each other under one name (``services.grouping.flag_duplicates``): an impostor who copies a
missing child's poster or record (its name, its age) with photos of another child, or none a face is found in,
is caught by what they copied. Placeholders ("unknown", 不详) name no child."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import product

from reunite.domain.summary import fold

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
MIN_LETTERS = 4  # a name shorter (Li, 华: a character counts as two letters) says too little to flag two children
MAX_SPELLINGS = 256  # a name's pinyin spellings compared (each character's readings); beyond, as written only
# what registrations write for a child whose name nobody knows (a found child, a partner's empty field)
PLACEHOLDERS = frozenset({
    "unknown", "unnamed", "noname", "none", "na", "child", "kid", "boy", "girl", "baby", "infant", "anonymous",
    "test", "xxx", "不详", "未知", "无名", "无名氏", "不明", "佚名", "孩子", "小孩", "男孩", "女孩", "儿童", "宝宝",
    "婴儿", "某某", "无"})


def _folded(text: str, simplified: Callable[[str], str]) -> str:
    """Lower case, simplified, without accents, marks, spaces or invisible characters, look-alike letters as Latin."""
    return re.sub(r"[\W_]+", "", fold(text, simplified, numerals=False)).replace("ü", "v")


def name_forms(family: str, given: str, simplified: Callable[[str], str]) -> set[str]:
    """The name's folded forms: both orders (nothing for a placeholder)."""
    if {_folded(family, simplified), _folded(given, simplified)} <= PLACEHOLDERS | {""}:
        return set()
    return {_folded(first + second, simplified) for first, second in ((family, given), (given, family))} - {""}


def _spellings(form: str, readings: Callable[[str], frozenset[str]]) -> set[str]:
    """The form as written, and spelled in pinyin wherever it has Chinese characters (each of their readings)."""
    choices = [sorted(readings(c)) or [c] if HAN.match(c) else [c] for c in form]
    count = 1
    for each in choices:
        count *= len(each)
    return {form} | ({"".join(p) for p in product(*choices)} if count <= MAX_SPELLINGS else set())


def _long_enough(form: str) -> bool:
    return len(form) + len(HAN.findall(form)) >= MIN_LETTERS


def same_name(one: tuple[str, str], other: tuple[str, str], simplified: Callable[[str], str],
              readings: Callable[[str], frozenset[str]]) -> bool:
    """Two (family, given) names are one child's: one folded form, or one spelling of both in pinyin (any reading
    of each character, ``readings``: ü also as v or u), whatever is written in characters and what in letters;
    never a name too short to tell (a character alone, fewer than four letters) nor a placeholder."""
    mine, theirs = name_forms(*one, simplified), name_forms(*other, simplified)
    if not any(_long_enough(form) for form in mine) or not any(_long_enough(form) for form in theirs):
        return False
    if mine & theirs:
        return True
    said = {s for form in mine for s in _spellings(form, readings)}
    return any(s in said for form in theirs for s in _spellings(form, readings))
