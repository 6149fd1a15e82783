"""What in words shared with families, partners or the public reaches a person directly: an email (also said aloud,
"x at y dot org", "lihua at qq.com", or "lihua@qq" with a known mail provider), a phone number (a run of 7 or more
digits with at most one separator, of any punctuation or spaces, between its groups: 138/0013/8000,
139~0013~8000, "one three nine, zero zero one three…" once spelled digits are read), a messenger's or social
site's handle (微信 lihua88, 加微 lihua88, 抖音号 lihua88, wei xin: lihua88, Q 123456, instagram @lihua_88, an
@handle, t.me/lihua88), "WeChat: same number" (vx同号), and a given contact (the reporter's, the family's) in any
writing: its words spelled out, its phone number without its country code, in any separators.

Read in text folded by ``domain.summary.fold``, which reads digits however they are written: Chinese numerals
(一三八…, 幺 for 1, 两 for 2, 洞 for 0, 拐 for 7 and 勾 for 9 among other digits said one by one), pinyin (yao san
ba), English words, as a phone number is said aloud too ("one three eight double oh…", "triple six", "oh" for
zero among other digits: ``spelled_numbers``). Dates (2018-05-03, 2024/05/01, and year first with its month and day
together: 2014 0314, 20140314), times (10:30), amounts (1,000,000; 100,000 - 200,000; 1 000 000 yuan), years
(2018, 2019), lists of short numbers (1, 2, 3; 110/56, 120/60) and report numbers (PR-2026-1101, report no.
2026-0417, student number 20140314, 学号 …) are no phone numbers: "ID bracelet reads 2014 0314" passes (a number
on a bracelet may help recognise a child; it reaches no one). The given contact is caught in any writing all the
same, a date-like one too.

A Chinese resident identity card's number (11010519491231002X: ``identity_number``) is no contact, but it is a
child's own number, which the public, partners and families are never given: ``summary.pinning`` finds it before
anything else, named as an identity number, whatever label stands before it (身份证号 …)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from reunite.domain.common_words import common

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DOT = r"(?:\s*(?:\bdot\b|点|\(dot\)|\[dot\])\s*)"
_EMAIL_SAID = re.compile(  # "reporter at x dot org", "x [at] y [dot] com", 艾特 … 点 …
    rf"[\w.+-]+\s*(?:\bat\b|艾特|\(at\)|\[at\])\s*[\w-]+{_DOT}[a-z]{{2,}}")
# "lihua at qq.com": a domain written as one, after "at"
_EMAIL_AT = re.compile(r"[\w.+-]+\s*(?:\bat\b|艾特|\(at\)|\[at\])\s*[\w-]+(?:\.[\w-]+)*"
                       r"\.(?:com|net|org|edu|gov|info|biz|io|me|co|cn|hk|mo|tw|jp|kr|sg|my|uk|de|fr|ru|us)(?![\w-])")
_MAIL_HOSTS = ("qq", "163", "126", "139", "189", "yeah", "sina", "sohu", "foxmail", "aliyun", "gmail", "googlemail",
               "hotmail", "outlook", "yahoo", "icloud", "protonmail", "proton", "yandex")
_EMAIL_HOST = re.compile(rf"[\w.+-]+@(?:{'|'.join(_MAIL_HOSTS)})(?![\w-])")  # lihua@qq: the provider is enough
_SEPARATOR = r"(?:\s*(?:[^\w\s]|_)\s*|\s+)"  # one punctuation mark or symbol (spaces around it), or spaces
_DIGIT_RUN = re.compile(rf"\+?\d+(?:{_SEPARATOR}\d+)*")
# what is written in digits and is no phone number: a date (2018-05-03, 03/05/2018), a time of day (10:30)
_NOT_PHONES = re.compile(
    r"(?<!\d)(?:19|20)\d\d\s*([-/.])\s*(?:0?[1-9]|1[0-2])\s*\1\s*(?:0?[1-9]|[12]\d|3[01])(?!\d)"
    r"|(?<!\d)(?:0?[1-9]|[12]\d|3[01])\s*([-/.])\s*(?:0?[1-9]|[12]\d|3[01])\s*\2\s*(?:19|20)\d\d(?!\d)"
    r"|(?<!\d)(?:[01]?\d|2[0-3])\s*:\s*[0-5]\d(?:\s*:\s*[0-5]\d)?(?!\d)")
# a report's or a file's number (PR-2026-1101, 报案号 2026-1101): letters and a dash before it, or its name
# (police report no. 2026-0417, case number 110108-2024-0501, student number 20140314, 学号 20140314)
_LABEL = re.compile(r"(?:(?<![a-z])[a-z]{1,4}[-_#/]|(?:报案|立案|案件|警情|回执|编|学|证|工|单)号?\s*[:#]?\s*"
                    r"|(?<![a-z])(?:no|nr|number|ref|report|case|file|student|order|#)\.?\s*[:#]?\s*)$")
# a phone's word before a label ("phone number 138…", "contact no. 138…"): the label names a phone number then
_PHONE_LABEL = re.compile(r"(?:phone|tel|mobile|cell|call|contact|whatsapp|wechat|fax|手机|电话|联系|号码)\W*\S*\s*$")
_MOBILE = re.compile(r"(?:86)?1[3-9]\d{9}")  # a Chinese mobile number, whatever names it
_PHONE_WORDS = frozenset(("tel", "ph", "mob", "cell", "call", "fax", "hp", "dh", "sj", "wa"))  # tel-138…: a phone
_YEAR = re.compile(r"(?:19|20)\d\d")
_THOUSANDS = re.compile(r"\d{1,3}(?:([,.])\d{3})(?:\1\d{3})*")  # 1,000,000: an amount
# amounts from one to another: 100,000 - 200,000, 50,000~80,000, 10.000/20.000
_AMOUNTS = re.compile(r"\d{1,3}([,.])\d{3}(?:\1\d{3})*(?:\s*[-~–—/]\s*\d{1,3}\1\d{3}(?:\1\d{3})*)+")
# an amount in thousands apart by spaces with its currency: ¥1 000 000, 1 000 000 yuan, 100 000 元
_CURRENCY = r"(?:[¥$€£￥]|\b(?:rmb|cny|usd|hkd|eur|yuan|dollars?|euros?)\b|元|块)"
_SPACED_AMOUNT = re.compile(rf"{_CURRENCY}\s?(?P<after>\d{{1,3}}(?: \d{{3}})+)(?!\d)"
                            rf"|(?<!\d)(?P<before>\d{{1,3}}(?: \d{{3}})+)(?=\s*{_CURRENCY})")
# a date written year first with its month and day together: 2014 0314, 2014-0314, 20140314
_YEAR_DAY = re.compile(r"(?:19|20)\d\d\W?(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")
# a resident identity card's number of mainland China: the place of registration (6 digits), the birth date
# (8), a sequence (3) and a check digit (or X); read whatever its check digit, a mistyped number identifies too
_ID_NUMBER = re.compile(r"(?<![\da-z])[1-9]\d{5}(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dx]"
                        r"(?![\da-z])")

# a messenger's or a social site's name, then what it is called there (号, ID, a colon, an @…), then a handle of 5
# or more ASCII letters, digits, _ and - (probe s22 V8, s23 W3: 微信 abc_123, 加微 lihua88, 抖音号 lihua88,
# wei xin: lihua88, QQ号 12345678, line id xyz123, instagram @lihua_88)
_CHINESE_NAMES = ("微信|威信|薇信|维信|v信|扣扣|企鹅号|微博|抖音|快手|小红书|加微(?!信)"
                  "|(?:加|\\+)\\s*(?:vx|wx|qq|v|q)(?![a-z])")  # 加V, +vx: add me on WeChat
# names that are ordinary words too ("in line", "x", "signal"): see ``_messenger``
_MESSENGER_WORDS = frozenset({"line", "tg", "x", "signal", "q"})
_LATIN_NAMES = ("wechat", "weixin", "wei\\s*xin", "wx", "vx", "qq", "telegram", "whatsapp", "skype", "kakaotalk",
                "kakao", "viber", "weibo", "wei\\s*bo", "douyin", "dou\\s*yin", "tiktok", "kuaishou", "xiaohongshu",
                "xhs", "instagram", "insta", "ig", "facebook", "fb", "twitter", "snapchat", "discord", "zalo")


def _names(latin: tuple[str, ...]) -> str:
    return rf"(?:(?<![a-z0-9])(?:{'|'.join(latin)})(?![a-z])|{_CHINESE_NAMES})"


_NAME = _names((*_LATIN_NAMES, *sorted(_MESSENGER_WORDS, key=len, reverse=True)))
_MESSENGER = re.compile(
    rf"(?P<name>{_NAME})"
    r"(?P<said>\s*(?:号码|账号|帐号|账户|号|id\b|no\.|account\b|handle\b|username\b|user\b)?\s*[:=@#]?\s*@?\s*)"
    r"(?P<handle>[a-z0-9_-]{5,}(?:\.[a-z0-9_-]+)*)(?![a-z0-9_-])")
# "WeChat: same number" (vx同号, 微信电话同号, wechat same as phone): the phone number given elsewhere
_SAME = re.compile(rf"{_names(_LATIN_NAMES)}\s*(?:号|id\b)?\s*[:=]?\s*(?:和?(?:电话|手机)号?\s*)?"
                   r"(?:同号|同手机|同电话|同上|same\s+(?:as\s+)?(?:the\s+|my\s+)?(?:above|number|phone|mobile|tel))")
_NEAR = re.compile(rf"{_NAME}|follow|\bdm\b|关注|私信|粉丝|主页")  # beside an @handle, it names a messenger or a site
_AT_HANDLE = re.compile(r"(?<![a-z0-9_@.+-])@(?P<handle>\w[\w.-]*)")  # not an email's (lihua@qq.com)
_LINK = re.compile(  # a messenger's or a social site's page of someone: t.me/lihua88, wa.me/…, instagram.com/lihua
    r"(?<![\w.-])(?:[a-z0-9-]+\.)*(?:t\.me|telegram\.me|wa\.me|m\.me|line\.me|qm\.qq\.com|(?:instagram|facebook|fb|"
    r"twitter|x|weibo|douyin|tiktok|kuaishou|xiaohongshu|xhslink|vk)\.(?:com|cn))/[\w@.~-]+")


def compact(text: str) -> str:
    """The text's letters and digits only."""
    return re.sub(r"[\W_]+", "", text)


def contact_in(text: str, loose: str, contact: str) -> str | None:
    """An email, a phone number, a messenger's or social site's handle or link in the folded words (``text``, digits
    split by spaces or dashes joined; ``loose``, as written), or ``contact`` (folded as ``loose``) in any writing;
    None when there is none."""
    for pattern in (_EMAIL, _EMAIL_SAID, _EMAIL_AT, _EMAIL_HOST):
        if (found := pattern.search(text)) is not None:
            return found.group()
    if (phone := _phone(loose)) is not None:
        return phone
    if (found := _LINK.search(text) or _SAME.search(text)) is not None:
        return found.group().strip()
    if (handle := _messenger(text) or _at_handle(text)) is not None:
        return handle
    local = contact.split("@", maxsplit=1)[0] if "@" in contact else ""
    pieces = [contact, *(p for p in re.split(r"[@\s]", contact)
                         if p != local and not common(compact(p)) and not p.isdigit()), *_national(contact)]
    if (piece := next((p for p in pieces if len(compact(p)) >= 4 and spelled_out(compact(p)).search(loose)),
                      None)) is not None:
        return piece
    local = compact(local)
    return _local_part(local, loose) if len(local) >= 4 and not common(local) else None


def _local_part(local: str, loose: str) -> str | None:
    """An email contact's name before its "@" (wangxiaoming of wangxiaoming@163.com) as a whole token: joined (of
    6 characters or more), spelled letter by letter ("a n o n", "A.N.O.N.") or before "@" or "at"; never as
    words that spell it ("Wang Xiaoming", "a red jersey")."""
    edge, after = r"(?<![^\W_])", r"(?![^\W_])"
    at = r"\s*(?:@|\bat\b|艾特|\(at\)|\[at\])"
    apart = r"[\W_]+".join(map(re.escape, local))
    forms = [rf"{edge}{re.escape(local)}{at}", rf"{edge}{apart}{after}"]
    forms += [rf"{edge}{re.escape(local)}{after}"] if len(local) >= 6 else []
    return next((found.group().strip() for form in forms if (found := re.search(form, loose)) is not None), None)


def _phone(loose: str) -> str | None:
    """The first run of digits that reads as a phone number: 7 digits or more, at most one separator between its
    groups, never a date, a time, an amount, a list of years, a list of short numbers (1, 2, 3; 110/56, 120/60) or
    a report's number."""
    masked = _NOT_PHONES.sub(lambda found: "d" * len(found.group()), loose)
    for whole in _DIGIT_RUN.finditer(masked):
        for start, end in _pieces(whole):
            if (phone := _phone_piece(loose, masked, start, end)) is not None:
                return phone
    return None


def _pieces(found: re.Match[str]) -> Iterator[tuple[int, int]]:
    """A run of digits cut where punctuation stands beside a group of 1 or 2 digits (but its first): a list of
    numbers ("1, 2, 3", "98, 95, 100", "1/5, 3/5") is no phone number's groups (138/0013/8000, 139, 0013, 8000)."""
    groups = list(re.finditer(r"\d+", found.group()))
    start = found.start()
    for before, after in itertools.pairwise(groups):
        separator = found.group()[before.end():after.start()]
        short = len(after.group()) <= 2 or (len(before.group()) <= 2 and before is not groups[0])
        if short and re.search(r"[^\w\s]|_", separator):
            yield start, found.start() + before.end()
            start = found.start() + after.start()
    yield start, found.end()


def _phone_piece(loose: str, masked: str, start: int, end: int) -> str | None:
    run = masked[start:end]
    groups = re.findall(r"\d+", run)
    if sum(map(len, groups)) < 7 or (_THOUSANDS.fullmatch(run) and sum(map(len, groups)) <= 10):
        return None
    if len(groups) > 1 and all(len(g) == 4 and _YEAR.fullmatch(g) for g in groups):
        return None  # 2018, 2019, 2020
    if len(groups) <= 2 and _YEAR_DAY.fullmatch(run.lstrip("+")):
        return None  # 2014 0314: a date
    if _AMOUNTS.fullmatch(run) or any((start, end) in (m.span("after"), m.span("before"))
                                      for m in _SPACED_AMOUNT.finditer(masked)):
        return None  # 100,000 - 200,000; 1 000 000 yuan: amounts
    label = _LABEL.search(masked, 0, start)
    if (label is not None and not run.startswith("+") and re.sub(r"\W", "", label.group()) not in _PHONE_WORDS
            and not _MOBILE.fullmatch("".join(groups)) and not _PHONE_LABEL.search(masked, 0, label.start())):
        return None
    return loose[start:end]


def identity_number(text: str) -> str | None:
    """A Chinese resident identity card's number (18 characters: 11010519491231002X) in the folded, digits joined
    ``text``; None when there is none. No contact, but it names a child as surely as a name does: words others
    read never give it (the refusal names it an identity number)."""
    found = _ID_NUMBER.search(text)
    return found.group() if found is not None else None


def _national(contact: str) -> list[str]:
    """A given contact's phone numbers also as dialled at home: without the country code (+86, 0086, 86…), with
    the trunk 0 some countries dial before it (+49 30… as 030…)."""
    numbers: list[str] = []
    for found in _DIGIT_RUN.finditer(contact):
        digits = compact(found.group())
        international = found.group().startswith(("+", "00")) or (digits.startswith("86") and len(digits) == 13)
        digits = digits[2:] if digits.startswith("00") else digits
        numbers += [digits] if len(digits) >= 7 else []
        if len(digits) >= 7 and international:
            numbers += [f"{trunk}{digits[size:]}" for size in (1, 2, 3) for trunk in ("", "0")
                        if len(digits) - size >= 6]
    return numbers


def _messenger(text: str) -> str | None:
    """A messenger's handle in the folded text, with the messenger's name ("微信号:li-hua88", "qq 12345678"): after
    a Chinese name (微信, 加微) any handle; after a Latin one, a handle labelled so (ID, 号, ":", "@") or one holding a
    figure, _ or - (never "WeChat every day"); after a name that is an ordinary word too ("line", "x"), a handle
    only after "id" or "@", or labelled and holding a figure; after "Q", a QQ number. The name alone ("QQ",
    "微信群") is no contact."""
    for found in _MESSENGER.finditer(text):
        name, said, handle = re.sub(r"\s+", "", found["name"]), found["said"], found["handle"]
        labelled, plain = re.search(r"id|号|[:=@#]|account|handle|user", said) is not None, handle.isalpha()
        if name == "q" and handle.isdigit():
            return found.group().strip()
        if ("id" in said or "@" in said or (labelled and not plain)) if name in _MESSENGER_WORDS else (
                not name.isascii() or labelled or re.search(r"[\d_]", handle) is not None):
            return found.group().strip()
    return None


def _at_handle(text: str) -> str | None:
    """An @handle (4 characters or more): one holding a figure or _ always, one of letters only beside a
    messenger's or a social site's name (微博, Weibo, follow…); never "@ the station"."""
    for found in _AT_HANDLE.finditer(text):
        handle = found["handle"].rstrip(".-")
        if len(handle) < 2 or (len(handle) < 4 and handle.isascii()):
            continue
        near = text[max(0, found.start() - 30):found.end() + 30]
        if re.search(r"[\d_]", handle) or _NEAR.search(near.replace(found.group(), " ")):
            return "@" + handle
    return None


def spelled_out(piece: str) -> re.Pattern[str]:
    """A piece as a whole word, its letters together or spaced out ("anon", "a n o n", "a.n.o.n"), never
    inside another word ("anonymous")."""
    return re.compile(r"(?<![^\W_])" + r"[\W_]*".join(map(re.escape, piece)) + r"(?![^\W_])")
