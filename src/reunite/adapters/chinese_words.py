"""Chinese words that are not place names, from jieba's dictionary (``jieba/dict.txt``: 349,000 words of
general Chinese; MIT, inside the package; read as a file, jieba itself never runs).

Chinese is written without spaces, and GeoNames gives many a small town abroad a Chinese name that is an
everyday word (South Gate, a town of Los Angeles: 南门, a south gate; Fountain, Colorado: 喷泉; The Crossings:
十字路口; Kaminoyama: 上山). Read as any other name, 人民公园南门 (the People's Park's south gate) put a child
seen in China in Los Angeles. Two rules keep such words words (``adapters.places``):

- a name that is itself a word of the dictionary names a town abroad only weakly (``WEAK``: beside another
  name of its region or country), as a common English word does (Bay, Central: ``COMMON_PLACE_WORDS``);
- a name inside a longer word of the text that is no proper name (自由市, Freetown's, inside 自由市场, a
  market) is no mention at all, as York inside New York is none."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from functools import cache
from importlib.resources import files

EVERYDAY = 2500  # characters in everyday use (as many as the list of common characters schools teach first)
LONGEST_WORD = 8  # characters of the longest word looked for around a name
PROPER = ("ns", "nr", "nrt", "nrfg", "nz", "nt")  # jieba's tags of names: places, people, organisations, others


@cache
def _dictionary() -> dict[str, tuple[int, str]]:
    """Every word of jieba's dictionary with its frequency and part-of-speech tag."""
    words: dict[str, tuple[int, str]] = {}
    with (files("jieba") / "dict.txt").open(encoding="utf-8") as lines:
        for line in lines:
            word, times, tag = line.split()
            words[word] = (int(times), tag)
    return words


@cache
def _everyday_characters() -> frozenset[str]:
    """The ``EVERYDAY`` characters most used in the dictionary's words, each word counted by its frequency."""
    used: Counter[str] = Counter()
    for word, (times, _) in _dictionary().items():
        for character in word:
            used[character] += times
    return frozenset(c for c, _ in used.most_common(EVERYDAY))


def common_words(names: frozenset[str], sounds: Collection[str]) -> frozenset[str]:
    """Those of ``names`` (Chinese names of places abroad) that are everyday words: words of the dictionary
    written in everyday characters, two of them or tagged as no proper name (南门, 喷泉, 十字路口); not a name that
    spells only foreign sounds (``sounds``: 伯克利, Berkeley), one with a rarer character (槟城, Penang's George
    Town) nor a longer proper name (安克雷奇, Anchorage)."""
    dictionary, everyday = _dictionary(), _everyday_characters()
    return frozenset(name for name in names if name in dictionary and set(name) <= everyday
                     and not set(name) <= set(sounds) and (len(name) == 2 or dictionary[name][1] not in PROPER))


def longer_words(names: frozenset[str]) -> frozenset[str]:
    """The dictionary's words, no proper names, that hold one of ``names`` inside a longer word (自由市场 holds
    自由市)."""
    found = set()
    for word, (_, tag) in _dictionary().items():
        if tag in PROPER or not 2 < len(word) <= LONGEST_WORD:
            continue
        if any(word[i:j] in names for i in range(len(word)) for j in range(i + 2, len(word) + 1) if j - i < len(word)):
            found.add(word)
    return frozenset(found)


def inside_word(text: str, start: int, end: int, words: Collection[str]) -> bool:
    """Whether ``text[start:end]`` lies inside a longer word of ``words`` as written in ``text``."""
    for first in range(max(0, start - LONGEST_WORD), start + 1):
        for last in range(end, min(len(text), first + LONGEST_WORD) + 1):
            if last - first > end - start and text[first:last] in words:
                return True
    return False
