"""A sighting's words for families: written by a moderator for readers who may not read the
reporter's own words (those can name the exact place). What those words may not repeat of the place."""

from __future__ import annotations

import re
from collections.abc import Iterator

SUMMARY_LIMIT = 1000
_NUMBER = re.compile(r"\d+")
_WORD = re.compile(r"[^\W\d_]{4,}")  # a word of letters (Latin, Cyrillic…), four or more
_HAN = re.compile(r"[\u3400-\u9fff]+")  # a run of Chinese characters (no spaces between words)
# words that name no place on their own: a summary may say "near a road" or "at a station"
GENERIC = frozenset((
    "road", "street", "avenue", "lane", "alley", "square", "station", "gate", "exit", "entrance", "bridge",
    "market", "park", "near", "outside", "inside", "beside", "opposite", "corner", "north", "south", "east",
    "west", "middle", "between", "behind", "front", "city", "town", "district", "village"))


def _fragments(place: str, city: str) -> Iterator[tuple[re.Pattern[str], str]]:
    """What of the reporter's place words pins a spot beyond the city: each number (a house, a lane, an
    exit), each proper name of four letters or more, and each three Chinese characters in a row."""
    city_words = {w.casefold() for w in _WORD.findall(city)}
    for number in dict.fromkeys(_NUMBER.findall(place)):
        yield re.compile(rf"(?<!\d){number}(?!\d)"), number
    for word in dict.fromkeys(w.casefold() for w in _WORD.findall(place)):
        if word not in city_words and word not in GENERIC:
            yield re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE), word
    for run in _HAN.findall(place):
        for i in range(len(run) - 2):
            if (three := run[i:i + 3]) not in city:
                yield re.compile(re.escape(three)), three


def repeated_place(summary: str, place: str, city: str) -> str | None:
    """The first piece of the reporter's place words (beyond the city they name, which every reader
    sees) that ``summary`` repeats; None when it repeats none."""
    return next((shown for pattern, shown in _fragments(place, city) if pattern.search(summary)), None)
