"""One child's name as two registrations write it (``domain.names``): order, script, spelling, case."""

from __future__ import annotations

import pytest

from reunite.adapters.place_names import readings
from reunite.domain.names import same_name


def simplified(text: str) -> str:
    return text.replace("華", "华").replace("張", "张").replace("陳", "陈").replace("遠", "远")


@pytest.mark.parametrize(("one", "other"), [
    (("李", "华"), ("李", "華")),  # traditional and simplified
    (("李", "华"), ("Li", "Hua")),  # pinyin
    (("李", "华"), ("HUA", "li")),  # swapped, upper case
    (("李", "华"), ("", "lǐ huá")),  # tone marks, all in one box
    (("Zhang", "Xiaoming"), ("xiao ming", "ZHANG")),
    (("张", "小明"), ("Zhang", "Xiao-Ming")),
    (("陈", "思远"), ("Chеn", "Siyuan")),  # a Cyrillic е
    (("陈", "思远"), ("陈", "Siyuan")),  # characters and pinyin mixed
    (("Chen", "思远"), ("陳", "思遠")),
    (("", "Wang Xiaoming"), ("王", "小明")),
    (("王", "小\u200b明"), ("王", "小明")),  # an invisible character
    (("Ｗａｎｇ", "Ｘｉａｏｍｉｎｇ"), ("王", "小明")),  # full width
    (("Chen", "Siyuɑn"), ("陈", "思远")),  # a Latin alpha (probe s24 X1)
    (("Chen", "Sıyuan"), ("陈", "思远")),  # a dotless i
    (("ᴄʜᴇɴ", "ꜱɪʏᴜᴀɴ"), ("陈", "思远")),  # small capitals
])
def test_one_name_in_other_writing_is_the_same_name(one: tuple[str, str], other: tuple[str, str]) -> None:
    assert same_name(one, other, simplified, readings)
    assert same_name(other, one, simplified, readings)


@pytest.mark.parametrize(("one", "other"), [
    (("李", "华"), ("王", "华")),
    (("李", "华"), ("Li", "Huan")),
    (("李", "华"), ("Li", "Hua Hua")),
    (("Li", ""), ("Li", "")),  # too short to tell two children apart
    (("", "华"), ("", "华")),
    (("", "不详"), ("", "不详")),  # placeholders name no child
    (("Unknown", "Child"), ("unknown", "child")),
    (("", "思远"), ("陈", "思远")),  # the given name alone says too little
    (("张", "伟"), ("章", "玮")),  # characters that only sound alike: two names (probe s24 X3)
    (("王", "小明"), ("汪", "晓鸣")),
    (("张", "某"), ("张", "某")),  # placeholders
    (("张", "某某"), ("张", "某某")),
    (("Zhang", "Unknown"), ("Zhang", "Unknown")),
    (("Doe", "John"), ("Doe", "John")),
    (("", "走失儿童"), ("", "走失儿童")),
    (("", "found child"), ("", "found child")),
])
def test_other_names_or_names_too_short_are_not_the_same(one: tuple[str, str], other: tuple[str, str]) -> None:
    assert not same_name(one, other, simplified, readings)
