"""A required reason is words (``domain.reasons``): one rule for every reason the platform asks for."""

from __future__ import annotations

import pytest

from reunite.domain.errors import InvalidInput
from reunite.domain.reasons import require_why, says_why
from reunite.i18n import Language


@pytest.mark.parametrize("reason", ["x", ".", "  -  ", "ok", "??", "...", "1", "a.b", "不", "12345 !!",
                                    "xxx", "aaa", "AAA!!", "x x x", "sdf", "qwrt", "ÀÀÀ"])
def test_a_mark_is_no_reason(reason: str) -> None:
    assert not says_why(reason)
    with pytest.raises(InvalidInput) as refused:
        require_why(reason, "reason")
    assert refused.value.field == "reason"


@pytest.mark.parametrize("reason", [
    "asd", "qwe", "ASD", "Qwe!", "asdf", "qwerty", "QWERTY", "zxcv", "jkl", "poiu", "lkjh", "ewq", "dsa", "fdsa",
    "asdfghjkl", "yuiop", "azerty", "qsdf", "wxcvbn", "qwertz", "yxcv",  # keyboard rows, either way, any layout
    "abc", "abcdef", "xyz", "hij",  # the alphabet in order
    "asdasd", "qweqwe", "asdas", "abab", "sdfsdf", "jkjk", "hahaha", "lalala", "blablabla",  # a mash repeated
    "asd qwe", "asdf asdf", "a s d", "qwe 123", "asd!!! ???", "xxx yyy", "aaaa bbbb", "ab cd", "no no", "ok ok",
    "hmm", "brr", "zzz", "CCTV",  # Latin letters and no vowel
    "фыва", "йцукен", "ддд", "ЖЖЖ",  # Russian keys struck, one letter repeated
    "ㄅㄅㄅ", "ㄅㄆㄇ", "ㄅㄆㄇㄈ", "ㄆㄊㄍ", "ㄧㄛㄟ", "ㄅㄉˇˋㄓ",  # bopomofo: no vowel, one repeated, keys in a row
    "哈哈", "啊啊啊", "ㅋㅋㅋ", "。。。",  # one character repeated
])
def test_keys_struck_are_no_reason(reason: str) -> None:
    """Probe: ``asd``, ``qwe`` (a vowel among them) passed as words. Neighbouring keys, the alphabet, a piece
    of them repeated, a single letter however often, and an alphabet's letters without a vowel are no words,
    by the same rules in Latin, Cyrillic and Taiwan's bopomofo."""
    assert not says_why(reason)


@pytest.mark.parametrize("reason", ["a hoax", "DNA differs", "不同", "不是同一个孩子", "faux", "ID seen", "Ошибка",
                                    "bébé", "été vu", "fog", "Ух ты", "DNA 不同"])
def test_words_in_any_script_are_a_reason(reason: str) -> None:
    assert says_why(reason) and require_why(f"  {reason} ", "reason") == reason


@pytest.mark.parametrize("reason", [
    "dup", "spam", "no child", "blurry", "test", "fake", "scam", "adult", "too old", "wrong kid", "same child",
    "not her", "is ok", "DNA", "why", "gym", "ugh", "were", "tree", "err", "sad", "dusk", "mama", "Duplicate.",
    "ID 不同", "重复", "不是孩子", "太模糊", "重复报告", "同一人", "別人",  # Chinese: two different characters
    "ㄅㄨˋㄕˋ", "ㄔㄨㄥˊㄈㄨˋ", "ㄒㄧㄤˋ ㄆㄧㄢˋ", "ㄅㄨㄕ",  # bopomofo syllables (不是, 重复, 相片), tones or not
    "дубль", "не тот", "ちがう", "아니요", "خطأ", "Fehler", "erreur", "doublon", "gemelos", "ΛΑΘΟΣ",
])
def test_short_real_reasons_pass_in_english_chinese_and_other_scripts(reason: str) -> None:
    """A reason is checked by its letters, not a word list: short real words pass in any script (``test`` too:
    a report can be dismissed for being a test, and no rule of letters tells it from another word)."""
    assert says_why(reason) and require_why(reason, "reason") == reason


def test_the_refusal_names_the_field_in_the_readers_language() -> None:
    with pytest.raises(InvalidInput) as refused:
        require_why("x", "evidence")
    assert Language("en").error(refused.value).startswith("“What you checked” must be words, at least three")
    assert Language("zh_CN").error(refused.value).startswith("“依据”必须用文字写明")
    with pytest.raises(InvalidInput) as refused:
        require_why("aaa", "reason")
    assert Language("en").error(refused.value).startswith("“Reason” must be words")  # as the form names it
