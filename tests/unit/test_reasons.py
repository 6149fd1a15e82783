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


@pytest.mark.parametrize("reason", ["a hoax", "DNA differs", "不同", "不是同一个孩子", "faux", "ID seen", "Ошибка",
                                    "bébé", "été vu", "fog", "Ух ты", "DNA 不同"])
def test_words_in_any_script_are_a_reason(reason: str) -> None:
    assert says_why(reason) and require_why(f"  {reason} ", "reason") == reason


def test_the_refusal_names_the_field_in_the_readers_language() -> None:
    with pytest.raises(InvalidInput) as refused:
        require_why("x", "evidence")
    assert Language("en").error(refused.value).startswith("“What you checked” must be words, at least three")
    assert Language("zh_CN").error(refused.value).startswith("“依据”必须用文字写明")
    with pytest.raises(InvalidInput) as refused:
        require_why("aaa", "reason")
    assert Language("en").error(refused.value).startswith("“Reason” must be words")  # as the form names it
