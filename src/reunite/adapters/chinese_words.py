"""Chinese words that are not place names, from jieba (MIT): its dictionary of general Chinese (``jieba/dict.txt``,
349,000 words, inside the package) and its segmentation of a text into words by that dictionary's frequencies.

Chinese is written without spaces, and a place's name often stands inside other words: 今天门口 (today, at the
door) holds 天门 (Tianmen), 大连锁店 (a big chain store) 大连 (Dalian), 三明治 (a sandwich) 三明 (Sanming), 邓小平
小平 (Kodaira, Tokyo), 自由市场 (a market) 自由市 (Freetown). GeoNames also gives many a small town abroad a Chinese
name that is an everyday word (South Gate, Los Angeles: 南门, a south gate; Fountain, Colorado: 喷泉). These rules
keep words words (``adapters.places`` applies them):

- a name counts only as written: whole words of the text, or the start of one word whose rest ends as a place's
  part or landmark does (北京西站, 上海市浦东新区, 武汉长江大桥), never across two words nor inside one otherwise
  (``as_written``; a word made of names back to back, 英国伦敦, is those names: ``names_apart``);
- a name that is itself an everyday word names a town abroad only weakly (``WEAK``: beside another name of its
  region or country), as a common English word does (Bay, Central: ``COMMON_PLACE_WORDS``): ``common_words``;
- a name ending in a direction that goes on as a word (小河|南边: ``direction_after``) names its place only weakly,
  and a city abroad a word or two before a shop's name (维也纳|国际|酒店: ``shop_after``) likewise."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from functools import cache
from importlib.resources import files
from typing import Any

EVERYDAY = 2500  # characters in everyday use (as many as the list of common characters schools teach first)
PROPER = ("ns", "nr", "nrt", "nrfg", "nz", "nt")  # jieba's tags of names: places, people, organisations, others
# how a word that begins with a place's name may end and still be that place's: a part of it, a station, a
# bridge, a park (上海市浦东新区, 北京西站, 武汉长江大桥, 中山公园); not a sandwich (三明治), a co-op (合作社)
PLACE_ENDINGS = ("市", "省", "县", "区", "州", "镇", "乡", "村", "站", "广场", "机场", "园", "桥", "街", "路", "港",
                 "湾", "岛", "山", "湖", "中心", "大学", "医院", "码头", "大厦", "馆", "院", "局", "所", "宫", "寺",
                 "塔")


@cache
def _tokenizer() -> Any:
    """jieba's segmenter on its own dictionary, loaded once per process (about 1.5 s, 90 MB)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def word_spans(text: str) -> list[tuple[int, int]]:
    """Where each word of ``text`` begins and ends, as jieba cuts it by its dictionary alone (no guessing of new
    words)."""
    return [(start, end) for _, start, end in _tokenizer().tokenize(text, HMM=False)]


def names_apart(words: Sequence[tuple[int, int]], names: Mapping[int, int]) -> list[tuple[int, int]]:
    """The ``words``, but a word made wholly of place names back to back (``names``: where each name found begins,
    and ends) cut into those names: 英国伦敦 and 美国纽约 are a country and its city, one word to jieba."""
    cut: list[tuple[int, int]] = []
    for first, last in words:
        pieces, at = [], first
        while at < last and (end := names.get(at)) is not None and end <= last:
            pieces.append((at, end))
            at = end
        cut.extend(pieces if at == last and len(pieces) > 1 else [(first, last)])
    return cut


def as_written(text: str, words: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    """Whether a name at ``text[start:end]`` stands as written among the text's ``words`` (``word_spans``)."""
    for first, last in words:
        if first < start < last:  # begins inside a word: 今天门口's 天门, 邓小平's 小平
            return False
        if first < end < last:  # ends inside a word: a place only as the start of its longer name
            return first == start and text[end:last].endswith(PLACE_ENDINGS)
    return True


# a name ending in a direction that goes on as a word of place (小河|南边, 山|东边, 湖|北岸, 东|方向): "south of the
# little river", not Henan; the name only beside another name of its region
DIRECTIONS = (*(f"{side}{word}" for side in "东西南北" for word in "边面岸侧头"), "方向")
# a word that ends a shop's, a hotel's or a studio's name (维也纳|国际|酒店, 首尔|炸鸡店, 米兰|婚纱摄影)
SHOP_ENDINGS = ("酒店", "宾馆", "饭店", "餐厅", "店", "铺", "摊", "超市", "百货", "摄影", "面馆", "饭馆", "菜馆",
                "酒馆", "茶馆", "专卖")
NOT_A_NAME = ("的", "家", "一家", "这家", "那家", "附近", "旁边", "门口")  # between a city and a shop: 成都|一家|店


def direction_after(text: str, end: int) -> bool:
    """Whether a name ending at ``end`` ends in a direction that goes on as a word of place (河南|边: 南边)."""
    return end > 0 and text.startswith(DIRECTIONS, end - 1)


def shop_after(text: str, words: Sequence[tuple[int, int]], end: int) -> bool:
    """Whether a name ending at ``end`` goes on as a shop's or a hotel's name: one of the next three words (six
    characters at most) ends or begins as one does (维也纳|国际|酒店, 维也纳|3|好|酒店, 首尔|炸鸡|店门口), no word
    before it that says it is not one (成都|一家|店)."""
    for first, last in [(f, e) for f, e in words if end <= f < end + 6][:3]:
        word = text[first:last]
        if word in NOT_A_NAME:
            return False
        if word.endswith(SHOP_ENDINGS) or word.startswith(SHOP_ENDINGS):
            return True
    return False


def _dictionary() -> dict[str, tuple[int, str]]:
    """Every word of jieba's dictionary with its frequency and part-of-speech tag (read when the index is built,
    not kept)."""
    words: dict[str, tuple[int, str]] = {}
    with (files("jieba") / "dict.txt").open(encoding="utf-8") as lines:
        for line in lines:
            word, times, tag = line.split()
            words[word] = (int(times), tag)
    return words


def common_words(names: frozenset[str], sounds: Collection[str]) -> frozenset[str]:
    """Those of ``names`` (Chinese names of places abroad) that are everyday words: words of the dictionary
    written in everyday characters (the ``EVERYDAY`` most used), two of them or tagged as no proper name (南门, 喷泉,
    十字路口); not a name that spells only foreign sounds (``sounds``: 伯克利, Berkeley), one with a rarer character
    (槟城, Penang's George Town) nor a longer proper name (安克雷奇, Anchorage)."""
    dictionary = _dictionary()
    used: Counter[str] = Counter()
    for word, (times, _) in dictionary.items():
        for character in word:
            used[character] += times
    everyday = {c for c, _ in used.most_common(EVERYDAY)}
    return frozenset(name for name in names if name in dictionary and set(name) <= everyday
                     and not set(name) <= set(sounds) and (len(name) == 2 or dictionary[name][1] not in PROPER))
