"""Reasons people must give: one rule for every one that is required (rejecting a report or a case,
dismissing a lead, reopening a case, what was checked to verify one, deciding a removal request, saying
two registrations are different children). A reason is read later by someone who was not there (another
moderator, an auditor, the police): ``-``, ``x``, ``...`` or ``??`` tell them nothing, nor do keys struck
at random, so a required reason is words: two different Chinese characters (``不同``, ``重复``: Chinese says
in two what English says in a word), or three letters or more in words that look like words.

A word (a run of letters of one alphabet: Latin, Cyrillic, Greek, bopomofo, or any other script's) looks
like one unless it is a mark or keys struck (``says_why``'s rules, the same in every alphabet, none a list of
words): a single letter, however often repeated (``xxx``, ``aaa``, ``ㄅㄅㄅ``); in an alphabet with vowels, no
vowel (``sdf``, ``ㄅㄆㄇ``: bopomofo's vowels are its medials and finals, so a syllable of Taiwan's phonetic
script, ``ㄅㄨˋ``, has one); a run of neighbouring keys on a keyboard row (QWERTY, AZERTY, QWERTZ, Russian
ЙЦУКЕН, Taiwan's bopomofo layout) or of the Latin alphabet, three letters or more (``asd``, ``qwe``, ``poiu``,
``abc``, ``фыва``, ``ㄧㄛㄟ``); a piece repeated that is itself such a run (``asdasd``, ``abab``) or repeated three
times or more (``hahaha``). A word counts once however often it is written (``no no`` is two letters).
Short real words pass (``dup``, ``spam``, ``fog``, ``DNA``, ``no child``, ``is ok``); so does ``test``: a word,
and a reason a report can be dismissed for (it was a test), which no rule of letters could tell from another.
A reason is read, not understood: "blah" or a real word that explains nothing still passes."""

from __future__ import annotations

import unicodedata

from reunite.domain.errors import InvalidInput, bounded
from reunite.domain.text_limits import REASON_LIMIT, TEXT_LIMITS

REASON_LETTERS = 3  # a reason says why in words: at least this many letters (two Chinese characters)
CHINESE_LETTERS = 2
RUN = 3  # neighbouring keys (or letters of the alphabet) struck in a row: keys, not a word, from this many

# the vowels of the alphabets that write them: a word of these alphabets has one (y: "why", "spy", "gym")
VOWELS = frozenset("aeiouyæœøı" "аеёиоуыэюяіїє" "αεηιουω" "ㄧㄨㄩㄚㄛㄜㄝㄞㄟㄠㄡㄢㄣㄤㄥㄦ")
VOWELLED = ("LATIN", "CYRILLIC", "GREEK", "BOPOMOFO")
# keyboard rows, as keys lie on them (a run reads forwards or backwards), and the Latin alphabet (forwards only:
# "fed", "cba"): QWERTY, AZERTY, QWERTZ, Russian ЙЦУКЕН, Taiwan's bopomofo layout (its number row's tone keys left
# out: tones are no letters here)
ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "azertyuiop", "qsdfghjklm", "wxcvbn", "qwertzuiop", "yxcvbnm",
        "йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю",
        "ㄅㄉㄓㄚㄞㄢㄦ", "ㄆㄊㄍㄐㄔㄗㄧㄛㄟㄣ", "ㄇㄋㄎㄑㄕㄘㄨㄜㄠㄤ", "ㄈㄌㄏㄒㄖㄙㄩㄝㄡㄥ")
ALPHABET = "abcdefghijklmnopqrstuvwxyz"
BOPOMOFO_TONES = frozenset("ˉˊˇˋ˙")  # spacing modifier letters written after a syllable: part of its word


def _chinese(c: str) -> bool:
    return "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff"


def _letter(c: str) -> bool:
    return unicodedata.category(c).startswith("L") and not _chinese(c)


def _key(c: str) -> str:
    """A letter as the rules compare it: without its accents, lower case (``É``: ``e``, ``Ё``: ``ё``)."""
    base = unicodedata.normalize("NFKD", c)[0] if "LATIN" in unicodedata.name(c, "") else c
    return base.lower()


def words(reason: str) -> list[str]:
    """The words of a reason: runs of letters (Chinese characters and everything else apart), as the rules
    compare them (``_key``), a bopomofo syllable's tone marks left out."""
    found: list[str] = []
    word: list[str] = []
    for c in [*reason, " "]:
        if c in BOPOMOFO_TONES:
            continue
        if _letter(c) or (word and unicodedata.category(c).startswith("M")):  # a combining accent stays on
            word.append(c)
            continue
        if word:
            found.append("".join(_key(letter) for letter in unicodedata.normalize("NFC", "".join(word))))
            word = []
    return found


def _run(letters: str) -> bool:
    """Whether letters are neighbouring keys of one keyboard row (either way) or of the alphabet, in order."""
    return any(letters in row or letters[::-1] in row for row in ROWS) or letters in ALPHABET


def _period(word: str) -> int:
    """The length of the shortest piece the word repeats (``asdas``: 3, ``hahaha``: 2; a word repeating
    nothing: its length)."""
    return next(p for p in range(1, len(word) + 1) if all(word[i] == word[i - p] for i in range(p, len(word))))


def looks_like_a_word(word: str) -> bool:
    """Whether a word (as ``words`` gives it) looks like one, not a mark or keys struck (the module's rules)."""
    if len(set(word)) < 2:
        return False
    if all(any(script in unicodedata.name(c, "") for script in VOWELLED) for c in word) and not VOWELS & set(word):
        return False
    period = _period(word)
    if period == len(word):
        return not (len(word) >= RUN and _run(word))
    piece = word[:period]
    return not (_run(piece) or len(word) >= 3 * period)


def says_why(reason: str) -> bool:
    """Whether a reason is words: two different Chinese characters (``不同``; not ``哈哈``), or three letters or
    more in different words that look like words (``looks_like_a_word``): ``-``, ``...``, ``ok``, ``xxx``,
    ``asd``, ``qwerty``, ``asdf qwe`` are not; ``dup``, ``DNA differs``, ``no child``, ``ㄅㄨˋㄕˋ`` are."""
    if len({c for c in reason if _chinese(c)}) >= CHINESE_LETTERS:
        return True
    return sum(len(w) for w in set(words(reason)) if looks_like_a_word(w)) >= REASON_LETTERS


def require_why(reason: str, field: str) -> str:
    """A required reason, trimmed; InvalidInput (422, naming ``field`` in the reader's language) when it is
    not words, or longer than ``text_limits`` lets it be (refused, never cut). The caller says first what it asks
    for when nothing at all was given."""
    reason = bounded(reason, TEXT_LIMITS.get(field, REASON_LIMIT), field)
    if not says_why(reason):
        raise InvalidInput("{name} must be words, at least three letters or two Chinese characters: a mark tells whoever reads it later nothing",  # noqa: E501
                           field=field, name=field)
    return reason
