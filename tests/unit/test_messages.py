"""Every message a page can show has a Chinese translation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_every_message_is_translated() -> None:
    result = subprocess.run([sys.executable, "scripts/messages.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_chinese_spaces_numbers_from_words_not_words_from_words() -> None:
    """A span of time or a date set into a Chinese sentence takes no stray space before the next word."""
    from datetime import date

    from reunite.i18n import Language
    from reunite.wording import elapsed

    zh = Language("zh_CN")
    after = zh.gettext("{elapsed} after the child went missing", elapsed=elapsed(zh, 2 * 365.25))
    assert after == "孩子失踪 2 年后"
    line = zh.gettext("{name}, {age} years old, missing since {date} in {place}", name="小明", age=7,
                      date=zh.date(date(2019, 6, 1)), place="北京")
    assert line == "小明，7 岁，2019年6月1日起在北京失踪"


def test_the_browsers_preferred_language_wins_by_its_weight_not_its_place_in_the_list() -> None:
    from reunite.i18n import negotiate

    assert negotiate(None, None, "en;q=0.1,zh-CN;q=0.9") == "zh_CN"
    assert negotiate(None, None, "zh-CN;q=0.2, en-GB;q=0.8") == "en"
    assert negotiate(None, None, "fr, zh-TW;q=0.5, en;q=0.4") == "zh_CN"
    assert negotiate(None, None, "zh;q=0, en;q=0.1") == "en"  # q=0: not at all
    assert negotiate("en", None, "zh-CN") == "en"  # ?lang= first
