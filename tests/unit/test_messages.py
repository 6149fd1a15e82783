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

    from reunite.domain.ages import Age
    from reunite.domain.elapsed import since_missing
    from reunite.i18n import Language
    from reunite.wording import since_missing_words

    zh = Language("zh_CN")
    assert since_missing_words(zh, since_missing(2 * 365.25)) == "孩子失踪 2 年后"  # as a lead's words say it
    line = zh.gettext("{name}, {age}, missing since {date} in {place}", name="小明", age=zh.age(Age(7, "year")),
                      date=zh.date(date(2019, 6, 1)), place="北京")
    assert line == "小明，7 岁，2019年6月1日起在北京失踪"


def test_the_browsers_preferred_language_wins_by_its_weight_not_its_place_in_the_list() -> None:
    from reunite.language_tags import negotiate

    assert negotiate(None, None, "en;q=0.1,zh-CN;q=0.9") == "zh_CN"
    assert negotiate(None, None, "zh-CN;q=0.2, en-GB;q=0.8") == "en"
    assert negotiate(None, None, "fr, zh-TW;q=0.5, en;q=0.4") == "zh_TW"
    assert negotiate(None, None, "zh;q=0, en;q=0.1") == "en"  # q=0: not at all
    assert negotiate("en", None, "zh-CN") == "en"  # ?lang= first


def test_taiwan_and_hong_kong_readers_are_answered_in_traditional_chinese() -> None:
    from reunite.language_tags import negotiate

    assert [negotiate(None, None, tag) for tag in ("zh-TW", "zh-Hant", "zh-HK", "zh-Hant-MO", "zh-Hans-HK", "zh-SG")] \
        == ["zh_TW", "zh_TW", "zh_HK", "zh_HK", "zh_CN", "zh_CN"]
    assert negotiate("zh-tw", None, "en") == "zh_TW" and negotiate(None, "zh_HK", "en") == "zh_HK"
    # Cantonese is written as Hong Kong writes it, unless the tag says simplified (Guangzhou)
    assert [negotiate(None, None, tag) for tag in ("yue", "yue-HK", "yue-Hant", "zh-yue", "yue-Hans", "yue-CN")] \
        == ["zh_HK", "zh_HK", "zh_HK", "zh_HK", "zh_CN", "zh_CN"]
    assert negotiate(None, None, "fr, yue;q=0.8, en;q=0.5") == "zh_HK" and negotiate("yue", None, "en") == "zh_HK"
    # Mandarin written as BCP 47's macrolanguage form reads as ``zh`` does
    assert [negotiate(None, None, tag) for tag in ("cmn", "cmn-Hans-CN", "cmn-Hant-TW", "cmn-TW", "cmn-Hant-HK",
                                                   "zh-cmn-Hant")] \
        == ["zh_CN", "zh_CN", "zh_TW", "zh_TW", "zh_HK", "zh_TW"]
    assert negotiate(None, None, "fr, cmn-Hant-TW;q=0.8, en;q=0.5") == "zh_TW"


def test_a_sighting_is_never_called_a_lead_in_chinese() -> None:
    """A sighting (a report of a child seen) is 目击报告; 线索 means a lead (a candidate match): a message about a
    sighting that says nothing of a lead must not call it 线索, in simplified or traditional Chinese."""
    from reunite.i18n import translations

    for code, lead in (("zh_CN", "线索"), ("zh_TW", "線索"), ("zh_HK", "線索")):
        catalog = translations(code)
        wrong = [message for message in catalog._catalog  # type: ignore[attr-defined]
                 if isinstance(message, str) and "sighting" in message.lower() and "lead" not in message.lower()
                 and lead in catalog.gettext(message)]
        assert wrong == [], (code, wrong)


def test_the_traditional_catalogs_keep_every_sentences_values() -> None:
    """Converted from the simplified one: each message keeps the values it names (``{field}``), so none
    fails or reads wrong in traditional Chinese; and the words are each place's own."""
    import re

    from reunite.i18n import Language, translations

    names = re.compile(r"\{[^{}]*\}")
    simplified = translations("zh_CN")
    for code in ("zh_TW", "zh_HK"):
        traditional = translations(code)
        for message in simplified._catalog:  # type: ignore[attr-defined]
            if isinstance(message, str) and message:
                said = simplified.gettext(message)
                assert sorted(names.findall(traditional.gettext(message))) == sorted(names.findall(said)), message
    assert [Language(code).gettext("Sign in") for code in ("zh_CN", "zh_TW", "zh_HK")] == ["登录", "登入", "登入"]
    assert Language("zh_TW").field_name("lat") == "「緯度」" and Language("zh_HK").html_lang == "zh-HK"
    assert Language("zh_TW").field_name("no_such_field") == "「no such field」"  # quoted as the catalog quotes


def test_an_hour_reads_as_a_span_in_every_language_also_across_midnight() -> None:
    """A report dated by its arrival is read to the hour: every language shows that hour (Taiwan's and Hong
    Kong's clocks, which Babel cannot cut into intervals, included), and one across midnight names both days."""
    from datetime import UTC, datetime

    from reunite.i18n import Language
    from reunite.language_tags import LANGUAGES

    at = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)  # 02:00 in Shanghai, 23:30 in Kolkata
    for code in LANGUAGES:
        shown = Language(code, "Asia/Shanghai").hour(at)
        assert "2" in shown and "3" in shown and shown.count("2026") == 1, (code, shown)
    assert Language("zh_TW", "Asia/Shanghai").hour(at).startswith("2026年12月4日")
    across = Language("en", "Asia/Kolkata").hour(at)
    assert " ".join(across.replace("\u202f", " ").replace("\u2009", " ").split()) == (
        "Dec 3, 2026, 11:30 PM – 12:30 AM (Dec 4, 2026) India Standard Time")


def test_taiwan_reads_its_own_words_where_opencc_keeps_the_mainlands() -> None:
    """OpenCC's s2twp keeps 賬戶 and 電子郵箱 (probe s18 R11): Taiwan writes 帳戶, 電子郵件信箱. No message reads
    a mainland word in Taiwan's catalog (``test_no_converted_catalog_reads_a_mainland_only_word``)."""
    from reunite.i18n import Language, translations

    tw = Language("zh_TW")
    assert tw.gettext("Finish making your Reunite account") == "完成您的 Reunite 帳戶註冊"
    assert tw.gettext("Email") == "電子郵件信箱" and tw.gettext("My account") == "我的帳戶"
    assert tw.gettext("enter a valid email address") == "請輸入有效的電子郵件地址"
    assert Language("zh_HK").gettext("My account") == "我的帳户"
    # 采 left from the simplified script, 当前 where Taiwan says 目前, reviewers as auditors (稽核: OpenCC's 审核)
    assert "沒有採用" in tw.gettext("The reviewers did not take this report up: it is not used to look for a child, "
                                   "and nobody but the reviewers sees it. Thank you for sending it.")
    assert tw.gettext("Current password") == "目前密碼" and tw.gettext("moderator") == "審核員"
    catalog = translations("zh_TW")
    mainland = ("賬戶", "賬號", "郵箱", "鏈接", "采", "稽核", "當前密碼")
    wrong = [catalog.gettext(m) for m in catalog._catalog  # type: ignore[attr-defined]
             if isinstance(m, str) and m and any(word in catalog.gettext(m) for word in mainland)]
    assert wrong == []


# words only the mainland writes, which OpenCC's conversion leaves (s2hk changes characters only): Taiwan and
# Hong Kong write 電腦 (計算機 is a calculator there), 資訊, 列印, 檔案, 預設, 伺服器, 連結, 登入 …
MAINLAND_ONLY = ("計算機", "視頻", "信息", "打印", "文件", "質量", "默認", "鼠標", "服務器", "賬", "郵箱", "鏈接",
                 "登錄", "菜單", "字符", "搜索", "設置", "刷新", "加載", "字節", "創建", "信號", "運行", "回復",
                 "UTF-8 文本", "通過此", "通過平")
TAIWAN_ONLY_NOT = ("軟件", "網絡", "數據", "用戶", "帖子", "獲取", "消息", "稽核", "采")  # Hong Kong writes these


def test_no_converted_catalog_reads_a_mainland_only_word() -> None:
    """Probe s26 Z9a: the thank-you page told Taiwan and Hong Kong that "a calculator (計算機) never decides
    alone". Every message of the zh_CN catalog as converted for each reads none of these words."""
    from reunite.i18n import Language, translations

    said = ("If a face looks like a missing child, trained reviewers compare them carefully. "
            "A computer never decides alone.")
    for code, words in (("zh_TW", MAINLAND_ONLY + TAIWAN_ONLY_NOT), ("zh_HK", MAINLAND_ONLY)):
        assert "電腦從不單獨作決定" in Language(code).gettext(said)
        catalog = translations(code)
        texts = [catalog.gettext(m) if isinstance(m, str) else catalog.ngettext(*m[:1], m[0], 2)
                 for m in catalog._catalog if m]  # type: ignore[attr-defined]
        wrong = {word: text for text in texts for word in words if word in text}
        assert wrong == {}, code
    hong_kong = Language("zh_HK")
    assert hong_kong.gettext("Sign in") == "登入" and hong_kong.gettext("Email") == "電郵地址"
    assert hong_kong.gettext("Search") == "搜尋"



def test_taiwan_and_hong_kong_read_their_own_quotes_and_taiwan_its_own_words_in_every_message() -> None:
    """Probe s30 D8: Taiwan read 高階 for "advanced" (OpenCC's s2twp; Taiwan writes 進階) and 身份證 (Taiwan writes
    身分證, as on the card), and both Taiwan and Hong Kong read the mainland's quotation marks “ ” (they write
    「」). "{days} 天后" (a goddess, for "days after") and 地圖示記 (OpenCC's cut of 地图标记) were wrong in both or
    in Taiwan. Every converted message, each plural form too, is read."""
    from reunite.i18n import Language, translations

    wrong_in = {"zh_TW": ("高階", "身份", "“", "”", "‘", "’", "天后", "圖示記"),
                "zh_HK": ("“", "”", "‘", "’", "天后", "圖示記")}
    simplified = translations("zh_CN")
    for code, words in wrong_in.items():
        catalog = translations(code)
        texts = [catalog.gettext(m) if isinstance(m, str) else catalog.ngettext(m[0], m[0], 2)
                 for m in simplified._catalog if m]  # type: ignore[attr-defined]
        wrong = {word: text for text in texts for word in words if word in text}
        assert wrong == {}, code
        quoted = [text for text in texts if "「" in text]
        assert quoted and all(text.count("「") == text.count("」") for text in quoted), code
    tw, hk = Language("zh_TW"), Language("zh_HK")
    assert tw.gettext("Exact coordinates (advanced)") == "精確座標（進階）"
    assert tw.gettext("document") == "身分證件" and hk.gettext("document") == "身份證件"
    assert "我們不認識「{region}」這個地方" in tw.gettext("“{region}” is not a place we know: name a city, province or "
                                                 "country, or choose a place on the map")

# pairs OpenCC's segmentation reads across a word's edge (probe s40 A3): 上复制 as 上覆制, 被发送 as 被髮送 (hair),
# 声明了 as 聲明瞭 (clear), and 采 kept in 没有采用 (adopt: 採用), in both Taiwan's and Hong Kong's catalogs
MISREAD = ("覆制", "覆製", "髮送", "被髮", "聲明瞭", "采用", "采")


def test_no_converted_catalog_reads_a_pair_opencc_cut_across_words() -> None:
    from reunite.i18n import Language, translations

    for code in ("zh_TW", "zh_HK"):
        catalog = translations(code)
        texts = [catalog.gettext(m) if isinstance(m, str) else catalog.ngettext(*m[:1], m[0], 2)
                 for m in catalog._catalog if m]  # type: ignore[attr-defined]
        wrong = {word: text for text in texts for word in MISREAD if word in text}
        assert wrong == {}, code
        language = Language(code)
        assert "沒有採用這份報告" in language.gettext(
            "The reviewers did not take this report up: it is not used to look for a child, and nobody but the "
            "reviewers sees it. Thank you for sending it.")
        assert "被發送了 3 次" in language.gettext("one photo sent {n} times: see the trail", n=3)
