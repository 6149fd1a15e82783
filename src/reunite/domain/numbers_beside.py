"""Where a small number of a reporter's words is repeated in words for families: a number of one or two digits
pins nothing on its own ("within 3 days", "10 photos", "2 samples matched"); it pins a spot beside the word the
reporter wrote beside it ("exit 3", "bus 41", "No. 12", "12号"). ``repeated_beside`` finds it said so, as digits
or spelled out (in English or in Chinese numerals) alike (probe s38 M2)."""

from __future__ import annotations

import re
from collections.abc import Sequence

_CLAUSE = re.compile(r"[,;!?，。；！？()（）\n]")
_TOKEN = re.compile(r"[^\W\d_\u3400-\u9fff]+|[\u3400-\u9fff]|#")
_STOP = frozenset(("a", "an", "the", "of", "and", "or", "to", "in", "on", "at", "by", "for", "is", "was", "are",
                   "were", "be", "it", "he", "she", "we", "you", "they", "his", "her", "our", "your", "their",
                   "s", "的", "了", "在", "和", "是", "有", "我", "你", "他", "她", "们", "个"))
_SAME = {"number": "no", "nr": "no", "#": "no", "num": "no"}
_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_HAN_ONES = "零一二三四五六七八九"


def _said_forms(number: str) -> list[str]:
    """A number of one or two digits as digits, spelled out in English and in Chinese numerals (patterns)."""
    n = int(number)
    english = _ONES[n] if n < 20 else _TENS[n // 10] + (rf"[\s-]*{_ONES[n % 10]}" if n % 10 else "")
    tens = "" if n < 20 else _HAN_ONES[n // 10]
    han = _HAN_ONES[n] if n < 10 else tens + "十" + (_HAN_ONES[n % 10] if n % 10 else "")
    return [rf"(?<!\d)(?<!\d[.,]){number}(?!\d|[.,]\d)", rf"(?<![a-z]){english}(?![a-z])",
            rf"(?<![{_HAN_ONES}十百千两]){han}(?![{_HAN_ONES}十百千两])"]


def _beside(text: str, start: int, end: int) -> set[str]:
    """The words beside a number standing at ``start``-``end`` in ``text``, in its clause: three before, two after
    (without the little words), "number", "nr" and "#" read as "no"."""
    clause_start = max((m.end() for m in _CLAUSE.finditer(text, 0, start)), default=0)
    after = _CLAUSE.search(text, end)
    before = _TOKEN.findall(text, clause_start, start)[-3:]
    following = _TOKEN.findall(text, end, after.start() if after else len(text))[:2]
    return {_SAME.get(w, w) for w in [*before, *following] if w not in _STOP}


def _in_context(texts: Sequence[str], number: str) -> list[set[str]]:
    """The words beside each time ``number`` (one or two digits, as digits or spelled out) stands in ``texts``."""
    return [_beside(text, m.start(), m.end()) for text in texts for form in _said_forms(number)
            for m in re.finditer(form, text)]


# words that say a number is a place's (a house's, a gate's, a bus's): a number of two digits beside one of them,
# or beside no word at all ("at 88"), is refused though the reporter wrote another word beside it
_PLACE_WORDS = frozenset(("no", "numbered", "gate", "exit", "entrance", "door", "house", "building", "block", "bus",
                          "line", "route", "bench", "platform", "room", "floor", "unit", "lane", "road", "street",
                          "stop", "menpai", "hao", "lu",
                          "号", "门", "牌", "楼", "栋", "幢", "路", "室", "弄", "巷", "座"))


def repeated_beside(said: str, number: str, texts: Sequence[str]) -> str | None:
    """``number`` (of one or two digits) when any of ``texts`` (the words read, folded) say it beside a word the
    reporter's folded words ``said`` write beside it ("exit 3"), or, of two digits, beside a word that makes it a
    place's number or beside none ("No. 88", "at 88"); None when none does."""
    theirs = [*_in_context(texts, number)]
    if not theirs or not re.search(rf"(?<!\d){number}(?!\d)", said):
        return None
    reporters: set[str] = set().union(*(_beside(said, m.start(), m.end())
                                        for m in re.finditer(rf"(?<!\d){number}(?!\d)", said)))
    two_digits = len(number.lstrip("0")) >= 2
    if any(words & reporters or (two_digits and (not words or words & _PLACE_WORDS)) for words in theirs):
        return number
    return None
