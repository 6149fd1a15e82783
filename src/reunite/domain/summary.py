"""A sighting's words for families: written by a moderator for readers who may not read the
reporter's own words (those can name the exact place). What those words may not repeat of the place.

A net for a moderator's slip (copying a place into the words), not a reader of meaning: both texts are
folded first (full-width digits and letters, accents, case, traditional characters, Chinese numerals,
spaces between digits), and what pins the spot is looked for in them: the report's coordinates, every
number and proper name of the reporter's place words, two Chinese characters in a row of them, and the
capitalised names in the reporter's other words ("outside the Starbucks in Xintiandi")."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence

SUMMARY_LIMIT = 1000
_NUMBER = re.compile(r"\d+")
_DECIMAL = re.compile(r"\d+[.,]\d{2,}")  # a coordinate (31.2212), whoever's it is
_WORD = re.compile(r"[^\W\d_]{4,}")  # a word of letters (Latin, Cyrillic…), four or more
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]{3,}")  # a capitalised word not starting a sentence
HAN = re.compile(r"[\u3400-\u9fff]+")  # a run of Chinese characters (no spaces between words)
_SPACED_DIGITS = re.compile(r"(?<=\d)[\s\-–]+(?=\d)")
# words that name no place on their own: a summary may say "near a road", "at a hotel", "by a school"
GENERIC = frozenset((
    "road", "street", "avenue", "lane", "alley", "square", "station", "gate", "exit", "entrance", "bridge",
    "market", "park", "near", "outside", "inside", "beside", "opposite", "corner", "north", "south", "east",
    "west", "middle", "between", "behind", "front", "city", "town", "district", "village", "hotel", "shop",
    "store", "mall", "school", "hospital", "temple", "church", "bank", "metro", "subway", "train", "airport",
    "restaurant", "building", "tower", "garden", "plaza", "centre", "center", "walking", "pedestrian", "there",
    "where", "with", "from", "they", "them", "this", "that", "then", "when", "girl", "child", "children",
))
# Chinese characters of place words that pin nothing on their own (路 road, 门口 doorway, 附近 nearby…)
GENERIC_HAN = frozenset("路街道巷弄号门口附近旁边对面站广场市区县镇村省东西南北中里内外前后上下的在和与是了个大小新老")
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_HAN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千]+")


def _han_number(numeral: str) -> str:
    """八十八 → 88, 十二 → 12, 二〇二 → 202 (digit by digit where there is no unit)."""
    if not any(c in _UNITS for c in numeral):
        return "".join(str(_DIGITS[c]) for c in numeral)
    total, digit = 0, 0
    for c in numeral:
        if c in _UNITS:
            total += (digit or 1) * _UNITS[c]
            digit = 0
        else:
            digit = _DIGITS[c]
    return str(total + digit)


def fold(text: str, simplified: Callable[[str], str]) -> str:
    """The text as the check reads it: full-width forms and accents gone, lower case, simplified
    characters, Chinese numerals and digits split by spaces or dashes as one number."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _HAN_NUMBER.sub(lambda m: _han_number(m.group()), simplified(text).casefold())
    return _SPACED_DIGITS.sub("", text)


def _compact(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)


def _fragments(place: str, names: str, city_names: set[str]) -> Iterator[tuple[str, str]]:
    """(how it is looked for, how it is named) for each piece of the folded place words that pins a spot
    beyond the city, and the proper names of the reporter's other words."""
    for number in dict.fromkeys(_NUMBER.findall(place)):
        yield "number", number
    for word in dict.fromkeys([*_WORD.findall(place), *names.split()]):
        if word not in GENERIC and not any(word in name for name in city_names):
            yield "letters", word
    for run in HAN.findall(place):
        for i in range(len(run) - 1):
            pair = run[i:i + 2]
            if not set(pair) <= GENERIC_HAN and not any(pair in name for name in city_names):
                yield "letters", pair


def repeated_place(summary: str, reporter_words: Sequence[str], point: tuple[float, float] | None,
                   city_names: Callable[[str], set[str]], simplified: Callable[[str], str]) -> str | None:
    """The first piece of what pins the reported spot that ``summary`` repeats, None when it repeats none.
    ``reporter_words``: the place words first, then the reporter's other words (only their capitalised
    names count: a summary rightly repeats "red coat"); ``point``: the report's coordinates;
    ``city_names``: the names (folded) of the public city a text names, which every reader sees."""
    text = fold(summary, simplified)
    if (coordinate := _DECIMAL.search(text)) is not None:
        return coordinate.group()
    if point is not None:
        for value in point:
            whole = str(int(abs(value)))
            if re.search(rf"(?<!\d){whole}[.,]\d", text):
                return whole
    place = fold(reporter_words[0] if reporter_words else "", simplified)
    names = " ".join(m.group().casefold() for words in reporter_words[1:] for m in _NAME.finditer(words))
    known = city_names(reporter_words[0]) if reporter_words else set()
    compact = _compact(text)
    for kind, piece in _fragments(place, fold(names, simplified), known):
        found = (re.search(rf"(?<!\d){piece}(?!\d)", text) if kind == "number" else piece in compact)
        if found:
            return piece
    return None
