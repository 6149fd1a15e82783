"""Probe s23 W3: words shared with families, partners and the public gave contacts the check let through: phone
numbers split by "/", "~" or "*" (the family's own among them), spelled digits between commas, 洞 said for zero,
"x at y.com" emails, 加微 / wei xin / 抖音号 handles, @handles and t.me links. Each class is caught; dates, times,
heights, sizes, amounts and report numbers in ordinary descriptions still pass."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from reunite.adapters.sources.parse import Gazetteer
from reunite.domain.summary import CONTACT, ID_NUMBER, Repeated, pinning
from reunite.services.words import city_names

GAZETTEER = Gazetteer()
PLACE = ("上海市黄浦区南京东路步行街", "girl in a red coat", "")
FAMILY = "+86 138 0000 0000"  # the contact on file


def found(words: str, contact: str = "") -> Repeated | None:
    deps = SimpleNamespace(places=GAZETTEER)
    return pinning(words, list(PLACE), None, lambda place: city_names(deps, place),  # type: ignore[arg-type]
                   GAZETTEER.simplified, contact, readings=GAZETTEER.readings, spellings=GAZETTEER.spellings)


@pytest.mark.parametrize(("words", "named"), [
    ("联系电话 138/0013/8000", "138/0013/8000"), ("call 139~0013~8000", "139~0013~8000"),
    ("call 139*0013*8000", "139*0013*8000"), ("电话：138-0013-8000", "138-0013-8000"),
    ("手机 138.0013.8000", "138.0013.8000"), ("138#0013#8000", "138#0013#8000"),
    ("call 138 / 0013 / 8000 please", "138 / 0013 / 8000"), ("call 1 3 9 0 0 1 3 8 0 0 0", "1 3 9 0 0 1 3 8 0 0 0"),
    ("tel one three nine, zero zero one three, eight zero zero zero", None),  # spelled digits between commas
    ("幺三九 洞洞幺三 八洞洞洞", "幺三九 洞洞幺三 八洞洞洞"),  # 洞: zero as phone numbers are said
    ("tel-13800138000", "13800138000"), ("lihua at qq.com", "lihua at qq.com"), ("Tips: lihua at 163.com", None),
    ("lihua@qq", "lihua@qq"), ("mail lihua@gmail.", "lihua@gmail"),
    ("有线索请加微 lihua88，谢谢", "加微 lihua88"), ("加V lihua88", "加V lihua88"), ("+v lihua88", None),
    ("vx同号", "vx同号"), ("微信电话同号", "微信电话同号"), ("WeChat: same as phone", "WeChat: same as phone"),
    ("wei xin: lihua88", "wei xin: lihua88"), ("微博 @lihua88", "微博 @lihua88"), ("抖音号 lihua88", "抖音号 lihua88"),
    ("小红书号：li_hua", "小红书号：li_hua"), ("快手 lihua88", "快手 lihua88"), ("instagram @lihua_88", None),
    ("IG: lihua.88", "IG: lihua.88"), ("facebook: lihua88", "facebook: lihua88"), ("tiktok @lihua", "tiktok @lihua"),
    ("https://t.me/lihua88", "t.me/lihua88"), ("instagram.com/lihua", "instagram.com/lihua"),
    ("see @lihua_88 on X", None), ("call 139, 0013, 8000", "139, 0013, 8000"), ("(010) 6512 3456", None),
    ("+86 138-0013-8000", "+86 138-0013-8000"), ("call 1, 2, 13800138000", "13800138000"),
    ("phone number 138 0013 8000", "138 0013 8000"), ("report no. 13800138000", "13800138000"),
    ("instagram-pink88", None), ("Follow @lihuazhang on Weibo", None), ("关注@李华小号", None),
    ("Q 123456", "Q 123456"), ("X: @lihua", "X: @lihua"),
])
def test_a_phone_number_email_or_handle_in_any_writing_is_a_contact(words: str, named: str | None) -> None:
    """Named as written where it is written so (spelled or said numbers are named by their digits)."""
    hit = found(f"girl in a red coat; {words}")
    assert hit is not None and hit.kind == "contact", hit
    assert named is None or hit.words == named


@pytest.mark.parametrize("words", [
    "138/0000/0000", "138 // 0000 // 0000", "0086-138-0000-0000", "(86) 13800000000", "138.0000.0000",
    "one three eight, zero zero zero zero, zero zero zero zero", "幺三八 洞洞洞洞 洞洞洞洞",
])
def test_the_familys_own_number_is_caught_without_its_country_code_in_any_separators(words: str) -> None:
    hit = found(f"wears a red coat, {words}", FAMILY)
    assert hit is not None and hit.kind == "contact"


@pytest.mark.parametrize("words", [
    "born 2018-05-03, missing since 2024/05/01 (5/1)", "出生日期 2018-05-03，身高120cm，体重25kg",
    "born 2018.05.03 (03.05.2018), 她的生日是2018/5/3", "seen on 2024-05-01 at 14:30, again 10:30-11:45",
    "seen at 10:30, 11:45 and 12:10", "2024年5月1日上午10:30", "身高 120cm，约1.2m", "身高1.25米，体重25.5公斤",
    "height 1.25 m, 25.50 kg", "约6岁，身高约115-120cm", "衣服尺码 130/64，鞋码 32-33", "size 110/56, age 6",
    "boy of 6, 120 cm, 25 kg, size 130", "reward ¥1,000,000", "悬赏 50,000 元", "price 12.50 yuan",
    "police report PR-2026-1101", "报案号 2026-1101", "立案编号：20261101", "missing in 2018, 2019, 2020",
    "she uses WeChat every day", "a QQ penguin on her bag", "she is @ the station", "her shirt said @home",
    "an X-shaped scar", "3 x 4 metres", "the fb group of the school", "stood in line: waiting", "Q&A",
    "she sat at home.", "手机壳是粉色的", "在山洞里", "三洞桥附近", "wears glasses (-2.5/-3.0)", "#1 fan",
    "her toy 'Q 12' robot", "in the WeChat group, 200 members", "blood type A+ very shy", "family discord",
    "the same line as the shop", "line same as above",
    # probe s24 X2: lists of short numbers, labelled numbers, thousands, lenses, dates, hyphenated words
    "She counts 1, 2, 3, 4, 5, 6, 7 in English.", "Scores: 98, 95, 100.", "Clothes sizes 110/56, 120/60.",
    "尺码110/56，120/60", "Dates seen: 1/5, 3/5, 7/5, 9/5.", "Grades: 95/100, 88/100", "Teeth: 11, 12, 21, 22",
    "10, 130, 28", "Police report no. 2026-0417 filed.", "Police case number 110108-2024-0501.",
    "Case 2024-0501-0012 at the station.", "Report number 20240501001 at the station.",
    "School: Class 3, Grade 4, student number 20140314.", "学号 20140314", "student 2014031",
    "Missing since 2024-05-01; police report 2024-0501 at the station.", "Missing 2,190 days.",
    "About 1,500 posters were printed.", "Wears glasses (-3.50 / -3.75).", "Reported 2024-05-01T15:30:00+08:00.",
    "Last seen at 15:30, 1 May 2024, wearing a 120-130 cm coat.", "seen 1 May; 2 May; 3 May 2024",
    "She loves X-Men and wears an Instagram-pink hat.",
])
def test_ordinary_descriptions_pass(words: str) -> None:
    assert found(f"girl in a red coat, {words}", FAMILY) is None


@pytest.mark.parametrize(("words", "contact", "caught"), [  # probe s24 X2: an email's name only as a whole token
    ("Wang Xiaoming, 10, wearing a blue school uniform.", "wangxiaoming@163.com", False),
    ("He loves football and wears a red jersey.", "redjersey@163.com", False),
    ("write to wangxiaoming at 163", "wangxiaoming@163.com", True), ("ask redjersey", "redjersey@163.com", True),
    ("ask w a n g x i a o m i n g", "wangxiaoming@163.com", True),
])
def test_an_email_contacts_name_is_caught_only_as_a_whole_token(words: str, contact: str, caught: bool) -> None:
    assert (found(words, contact) is not None) is caught


def test_a_refusal_quotes_the_number_that_tripped_it_not_a_date_beside_it() -> None:
    hit = found("Missing since 2024-05-01; 6512-3456 at the station.")
    assert hit is not None and hit.words == "6512-3456"


@pytest.mark.parametrize("words", [  # a phone number as it is said aloud, in English and in Chinese
    "call one three eight double oh one three eight double oh oh",
    "one three eight double-oh one three eight zero zero zero",
    "one three eight oh oh one three eight triple oh", "ring one three eight o o one three eight o o o",
    "one three eight, double oh one three, eight triple oh", "double six double six double six six",
    "1 double 3 8 0 0 1 3 8 triple 0", "one three eight treble oh one three eight oh double oh",
    "幺三八拐拐幺三八勾勾勾", "幺三八 洞洞拐拐 八洞洞勾", "两三八零零一三八零零零", "一三八 0013 8000",
    "1三8零零13八000",
    "一 三 八 零 零 一 三 八 零 零 零", "幺叁捌零零幺叁捌零零零", "yao san ba ling ling yao san ba ling ling ling",
])
def test_a_phone_number_said_aloud_is_a_contact(words: str) -> None:
    hit = found(f"girl in a red coat; {words}")
    assert hit is not None and hit.kind == CONTACT, hit


@pytest.mark.parametrize("words", [
    # words of "oh", "double", "triple", 拐 and 勾 that say no digit
    "she said oh no, one of them ran", "oh one more thing: she is shy", "seen at six o'clock", "a double bed",
    "triple jump champion", "agent double-oh seven fan", "孩子被拐三年了", "一瘸一拐地走", "在拐角处等", "左拐三百米",
    "勾选了三项", "born nineteen oh five? no, 2018",
    # amounts, and a date year first with its month and day together (a bracelet's number reaches no one)
    "reward 100,000 yuan", "reward: 100,000.", "悬赏100,000元", "reward 100,000 - 200,000 yuan", "reward ¥1 000 000",
    "reward 1 000 000 yuan", "reward 100.000 euro", "50,000 - 80,000 元", "ID bracelet reads 2014 0314",
    "bracelet 2014-0314", "engraved 20140314",
])
def test_words_that_say_no_phone_number_pass(words: str) -> None:
    assert found(f"girl in a red coat, {words}", FAMILY) is None


@pytest.mark.parametrize(("words", "named"), [  # what is still a phone number beside a date or an amount
    ("call 021 2014 0314", "021 2014 0314"), ("138 2014 0314", "138 2014 0314"), ("2014 1399", "2014 1399"),
    ("100,000 then 13800138000", "13800138000"), ("1 000 000", "1 000 000"),
])
def test_a_phone_number_beside_a_date_or_an_amount_is_still_caught(words: str, named: str) -> None:
    hit = found(f"girl in a red coat; {words}")
    assert hit is not None and hit.kind == CONTACT and hit.words == named, hit


def test_the_familys_own_number_is_caught_even_when_it_reads_as_a_date() -> None:
    hit = found("girl in a red coat, 2014 0314", "2014 0314")
    assert hit is not None and hit.kind == CONTACT


@pytest.mark.parametrize(("words", "named"), [
    ("11010519491231002X", "11010519491231002X"), ("身份证号 11010519491231002X", "11010519491231002X"),
    ("ID no. 110105194912310021", "110105194912310021"), ("证号：110105 19491231 002x", "110105 19491231 002x"),
    ("身份证 一一〇一〇五二〇一八〇五〇三〇〇二一", None),
])
def test_an_identity_card_number_is_refused_as_one_whatever_labels_it(words: str, named: str | None) -> None:
    """No contact, but a child's own number: named an identity number, never let through by its label."""
    hit = found(f"girl in a red coat; {words}")
    assert hit is not None and hit.kind == ID_NUMBER, hit
    assert named is None or hit.words == named
