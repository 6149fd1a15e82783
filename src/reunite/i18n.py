"""Languages: English and Chinese, from Babel message catalogs (``locale/*/messages.po``), compiled in
memory when first used so no binary file lives in the repository. Traditional Chinese (Taiwan, Hong Kong)
is the simplified catalog converted with OpenCC (its dictionaries are inside its wheel: nothing is
downloaded), with each place's own words (``s2twp``: 登入, 軟體; ``s2hk``); a Cantonese reader (``yue``) reads
Hong Kong's."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from datetime import date as Day
from datetime import datetime as Instant
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton, format_time, get_timezone_name
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from opencc import OpenCC

from reunite.domain.access import ACTION_WORDS, Permission
from reunite.domain.ages import Age
from reunite.domain.errors import InvalidInputs, ReuniteError
from reunite.domain.lifecycle import CaseState
from reunite.domain.times import DEFAULT_ZONE, WallTime, ZoneName, zone
from reunite.domain.typed_time import TypedTime
from reunite.language_tags import TRADITIONAL

ADDED_AT = re.compile(r"\[(\d{4}-\d\d-\d\dT\d\d:\d\dZ)\]")  # an instant marked in a text (services.reports)

LOCALE_DIR = Path(__file__).parent / "locale"
# words Taiwan and Hong Kong both write otherwise than the mainland, which OpenCC leaves: 计算机 (a computer
# there is 電腦; 計算機 is a calculator), 回复 (回覆), 通过 meaning "by way of" (透過; "passed", 通過审核, stays),
# an app (應用程式), text (文字), a file (檔案), "{days} 天後" (OpenCC writes 天后)
TRADITIONAL_WORDS = (("計算機", "電腦"), ("回復", "回覆"), ("您的應用", "您的應用程式"), ("UTF-8 文本", "UTF-8 文字"),
                     ("文件夾", "資料夾"), ("文件", "檔案"), ("天后", "天後"),
                     # OpenCC's segmentation reads a pair across a word's edge (probe s40 A3): 上复制 as 上覆 制, 被发送
                     # as 被髮 送, 声明了 as 聲明瞭 (clear); and it keeps 采 in 没有采用 (adopt: 採用)
                     ("覆制", "複製"), ("髮送", "發送"), ("聲明瞭", "聲明了"), ("采用", "採用"),
                     *((f"通過{after}", f"透過{after}") for after in (
                         "平", "帳", "此", "報告的", "電子郵件", "電郵", "命令", "合作", "登記")))
# words Taiwan writes otherwise that OpenCC's s2twp keeps as the mainland writes them (its phrase tables
# lack them), put right after its conversion, longest first: 账户 reads 帳戶, 电子邮箱 電子郵件信箱, 审核员 審核員
TAIWAN_WORDS = (("電子郵箱地址", "電子郵件地址"), ("郵箱地址", "電子郵件地址"), ("電子郵箱", "電子郵件信箱"),
                ("郵箱", "信箱"), ("賬戶", "帳戶"), ("賬號", "帳號"), ("鏈接", "連結"), ("退出登入", "登出"),
                # OpenCC writes 审核 (review) as 稽核 (audit): Taiwan's sites say 審核員
                ("稽核", "審核"), ("當前密碼", "目前密碼"), ("帖子", "貼文"), ("獲取", "取得"),
                # OpenCC writes 高级 (advanced) as 高階 and cuts 地图标记 as 地圖示記; Taiwan writes 進階, 地圖標記,
                # and 身分 (身分證, as on the card itself) where the mainland and Hong Kong write 身份
                ("高階", "進階"), ("圖示記", "圖標記"), ("身份", "身分"),
                *TRADITIONAL_WORDS)
# Hong Kong's own words: OpenCC's s2hk changes characters only (no phrase table), so every mainland word
# stays (账户 賬户, 链接 鏈接, 登录 登錄, 邮箱 郵箱, 信息, 设置 設置 …); Hong Kong writes them as below. Its own
# words that differ from Taiwan's (軟件, 網絡, 數據, 互聯網, 端口) are kept
HONG_KONG_WORDS = (("電子郵箱地址", "電郵地址"), ("郵箱地址", "電郵地址"), ("電子郵箱", "電郵地址"), ("郵箱", "電郵"),
                   ("賬", "帳"), ("鏈接", "連結"), ("退出登錄", "登出"), ("登錄", "登入"), ("菜單", "選單"),
                   ("打印", "列印"), ("字符", "字元"), ("信息", "資訊"), ("搜索", "搜尋"), ("設置", "設定"),
                   ("服務器", "伺服器"), ("默認", "預設"), ("刷新", "重新載入"), ("加載", "載入"), ("消息", "訊息"),
                   ("創建", "建立"), ("信號", "訊號"), ("字節", "位元組"), ("運行", "執行"), ("聯繫", "聯絡"),
                   ("導出", "匯出"), ("視頻", "影片"), ("質量", "質素"), ("鼠標", "滑鼠"), ("短信", "短訊"),
                   ("屏幕", "螢幕"), ("激活", "啟用"), ("當前密碼", "目前密碼"), *TRADITIONAL_WORDS)
OWN_WORDS = {"zh_TW": TAIWAN_WORDS, "zh_HK": HONG_KONG_WORDS}
# Taiwan and Hong Kong quote with corner brackets (「」, 『』 inside), the mainland with curly quotes (“”, ‘’)
CORNER_QUOTES = str.maketrans({"“": "「", "”": "」", "‘": "『", "’": "』"})


@cache
def _converter(language: str) -> Callable[[str], str]:
    """Simplified Chinese as this language writes it (OpenCC, then the words it misses: ``OWN_WORDS``, and its
    quotation marks: ``CORNER_QUOTES``): itself for any but Taiwan's and Hong Kong's."""
    if language not in TRADITIONAL:
        return str
    convert, own = OpenCC(TRADITIONAL[language]).convert, OWN_WORDS.get(language, ())

    def written(text: str) -> str:
        text = convert(text)
        for mainland, local in own:
            text = text.replace(mainland, local)
        return text.translate(CORNER_QUOTES)
    return written


@cache
def translations(language: str) -> NullTranslations:
    po = LOCALE_DIR / ("zh_CN" if language in TRADITIONAL else language) / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=language)
    if language in TRADITIONAL:
        convert = _converter(language)
        for message in catalog:
            if message.id and isinstance(message.string, str):
                message.string = convert(message.string)
            elif message.id and isinstance(message.string, tuple):  # a message with plural forms
                message.string = tuple(convert(form) for form in message.string)
    mo = io.BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    return Translations(mo)


FIELD_CONTEXT = "field"  # the catalogs' context of fields' names (scripts/messages.py)
ENGLISH_FIELDS = {  # fields whose name is not the English words for them (others: "birth_date" is “birth date”)
    "lat": "latitude", "lon": "longitude", "photo_lat": "photo's latitude", "photo_lon": "photo's longitude",
    "last_seen_lat": "latitude last seen", "last_seen_lon": "longitude last seen", "tz": "time zone",
    "tz_offset": "time zone offset",
    "age_low": "youngest age", "age_high": "oldest age", "apparent_age_low": "youngest apparent age",
    "apparent_age_high": "oldest apparent age", "radius_km": "radius in km", "seen_at": "time seen",
    "seen_to": "seen until", "pow_challenge": "puzzle", "pow_nonce": "puzzle's answer", "query": "address's query",
    "doing": "what the child was doing", "with": "who the child was with", "family_contact": "family's contact",
    "max_side": "largest side", "interval_minutes": "interval in minutes", "family_summary": "words for families",
    "before_entry": "id of the last entry of the page before", "audit_subject": "record or kind of record",
    "current": "current password", "next": "page to open after signing in", "sure": "confirmation",
    "t": "link's key", "csrf": "form's security key", "idempotency_key": "form's one-time key",
    "client_key": "report's key on this phone", "copies": "photo copies", "photo_taken_at": "photo's time",
    "photo_zone_assumed": "photo's time zone, assumed", "missing_since_time": "time missing",
    "known_only": "only known age and sex", "back": "page to go back to", "member": "trail's reports",
    "one": "report", "all": "reports shown", "scope": "reports chosen", "username": "email",
    "child_face": "child's face", "photo_clock": "photo's clock",
    # the words of the forms' labels ("Reason (required to reject)", "What you checked"), never the code's
    "reason": "Reason", "evidence": "What you checked",
}
WORDS = frozenset(p.value for p in Permission) | frozenset(s.value for s in CaseState) | ACTION_WORDS


ZoneKey = ZoneName  # an IANA zone's name inside a message, shown as the reader's language names the zone

@dataclass(frozen=True)
class Language:
    """What a template needs to speak the reader's language."""

    code: str
    zone: str = DEFAULT_ZONE  # the reader's IANA time zone: every time is shown in it, named

    @property
    def latin(self) -> bool:
        """Whether this language is written in Latin letters (place names are shown in them)."""
        return not self.code.startswith("zh")

    def script(self, text: str) -> str:
        """Words the platform holds in simplified Chinese (a place's name) as this reader writes them:
        广东省广州市 reads 廣東省廣州市 in Taiwan's and Hong Kong's characters; other text unchanged."""
        return _converter(self.code)(text)

    @property
    def html_lang(self) -> str:
        return self.code.replace("_", "-")

    def gettext(self, message: str, **params: Any) -> str:
        text = translations(self.code).gettext(message)
        return text.format(**params) if params else text

    def ngettext(self, singular: str, plural: str, count: int, **params: Any) -> str:
        """The message for ``count`` things in this language's plural forms ("1 sighting", "2 sightings";
        Chinese has one form), its values ``params`` (``n``: the count, unless given)."""
        return translations(self.code).ngettext(singular, plural, count).format(**({"n": count} | params))

    def age(self, age: Age) -> str:
        """A child's age as ``ages.age_told`` tells it, in words: "9 months old", "7 years old", "9 个月大"
        ("newborn" on the day of birth), the same words on posters, feeds, emails and pages."""
        if age.unit == "year":
            return self.ngettext("{n} year old", "{n} years old", age.n)
        if age.unit == "month":
            return self.ngettext("{n} month old", "{n} months old", age.n)
        if age.unit == "day":
            return self.ngettext("{n} day old", "{n} days old", age.n)
        return self.gettext("newborn")

    def field_name(self, name: str) -> str:
        """A field as the reader calls it ("lat": "“纬度”", "“latitude”"): the catalog's name, else its
        English words (``ENGLISH_FIELDS``, else the name with spaces), quoted as the catalogs quote."""
        found = str(translations(self.code).pgettext(FIELD_CONTEXT, name))
        base, _, number = name.rpartition("_")
        if found == name and base and number.isdigit():  # one of a list's fields (``version_12``): as its kind
            return self.field_name(base)
        return found if found != name else self.script(f"“{ENGLISH_FIELDS.get(name, name.replace('_', ' '))}”")

    def one_of(self, items: list[str]) -> str:
        """"a, b or c" with this language's joiner ("a、b或c")."""
        return str(format_list(items, style="or", locale=self.code)) if items else ""

    def value(self, value: object, field: str | None = None) -> object:
        """A value inside a message: a time or a zone as ``_timed`` shows it; a word translated; the name of the
        field in error as the reader calls it."""
        if (timed := self._timed(value)) is not None:
            return timed
        if isinstance(value, str) and value in WORDS:
            return self.gettext(value)
        if isinstance(value, str) and value == field:
            return self.field_name(value)
        return value

    def _timed(self, value: object) -> str | None:
        """An instant in the reader's zone, zone named; a day; a typed time as precisely as it was given
        (``domain.typed_time``: a day, month or year alone as that date); a wall time as the reader writes one;
        a zone as their language names it. None for any other value."""
        if isinstance(value, TypedTime):  # a date given alone as that date, never a midnight nobody gave
            return self.when(value.at, value.precision)
        if isinstance(value, Instant):
            return self.datetime(value)
        if isinstance(value, Day):
            return self.date(value)
        if isinstance(value, WallTime):  # a wall time in the zone the message names: the reader's format, no zone
            return self.wall(value.at)
        return self.zone_called_generic(value) if isinstance(value, ZoneName) else None

    def error(self, exc: ReuniteError) -> str:
        """The error in this language; its values as ``value`` shows them; every problem of a form at once."""
        if isinstance(exc, InvalidInputs):
            return self.gettext("; ").join(self.error(problem) for problem in exc.problems)
        params = {k: self.value(v, exc.field) for k, v in exc.params.items()}
        text = self.gettext(exc.template, **params)
        if exc.context:
            template, params = exc.context
            text = self.gettext(template, **params) + text
        return text

    @property
    def tzinfo(self) -> ZoneInfo:
        return zone(self.zone) or ZoneInfo(DEFAULT_ZONE)

    def datetime(self, value: datetime | None) -> str:
        """The instant in the reader's zone, zone named: "Jun 1, 2026, 10:30 AM British Summer Time"."""
        if not value:
            return ""
        try:
            local = value.astimezone(self.tzinfo)
        except OverflowError:  # at the calendar's ends (year 1, year 9999) the zone cannot be reached
            return value.isoformat(sep=" ", timespec="minutes")  # as given, with its offset
        locale = Locale.parse(self.code)
        shown = str(locale.datetime_formats["medium"]).format(
            format_time(local, "short", tzinfo=self.tzinfo, locale=locale), format_date(local, "medium", locale=locale))
        return f"{shown} {self.zone_name(local)}"

    def wall(self, value: Instant) -> str:
        """A wall-clock time as the reader writes a date and a time, in no zone ("Mar 8, 2026, 2:30 AM")."""
        locale = Locale.parse(self.code)
        return str(locale.datetime_formats["medium"]).format(
            format_time(value, "short", locale=locale), format_date(value, "medium", locale=locale))

    def hour(self, value: Instant, dated: bool = True) -> str:
        """The hour that begins at ``value``, in the reader's zone, zone named: "Dec 4, 2026, 12:00 – 1:00 AM
        China Standard Time" (in a zone half an hour off UTC, "9:30 – 10:30 PM": never one minute); without its
        date when not ``dated``."""
        local = value.astimezone(self.tzinfo)
        end = (value + timedelta(hours=1)).astimezone(self.tzinfo)
        locale = Locale.parse(self.code)
        clock = "hm" if "h" in str(locale.time_formats["short"].pattern) else "Hm"
        try:
            span = format_interval(local, end, clock, tzinfo=self.tzinfo, locale=locale)
        except NotImplementedError:  # Babel cannot cut some clocks into intervals (zh_Hant's 上午/下午: "B")
            span = " – ".join(format_time(each, "short", tzinfo=self.tzinfo, locale=locale) for each in (local, end))
        if end.date() != local.date():  # an hour across midnight names the day it ends on too
            span += f" ({format_date(end, 'medium', locale=locale)})"
        if not dated:
            return f"{span} {self.zone_name(local)}"
        shown = str(locale.datetime_formats["medium"]).format(span, format_date(local, "medium", locale=locale))
        return f"{shown} {self.zone_name(local)}"

    def dated(self, text: str) -> str:
        """A text with instants marked in it (``[2026-12-03T05:40Z]``: what a reporter added, and when)
        with each shown in the reader's zone, zone named."""
        return ADDED_AT.sub(lambda m: f"[{self.datetime(Instant.fromisoformat(m.group(1).replace('Z', '+00:00')))}]",
                            text or "")

    def zone_name(self, value: Instant | None = None) -> str:
        """The reader's zone as people say it ("China Standard Time", "中国标准时间")."""
        local = (value or Instant.now(self.tzinfo)).astimezone(self.tzinfo)
        return str(get_timezone_name(local, "long", locale=Locale.parse(self.code)))

    def zone_called_generic(self, name: str) -> str:
        """A zone (an IANA name) as this reader's language names it at any time of year ("Central European
        Time"); the name itself when this server does not know it."""
        there = zone(name)
        return str(get_timezone_name(there, "long", locale=Locale.parse(self.code))) if there else name

    def zone_name_of(self, name: str, value: Instant) -> str:
        """Another zone (an IANA name) as this reader's language says it at that instant."""
        return replace(self, zone=name).zone_name(value) if zone(name) else name

    def date(self, value: date | None) -> str:
        """A day; an instant's day is the one in the reader's zone."""
        if isinstance(value, Instant):
            instant = value
            try:
                value = instant.astimezone(self.tzinfo).date()
            except OverflowError:  # at the calendar's ends: the day as given
                value = instant.date()
        return format_date(value, "medium", locale=Locale.parse(self.code)) if value else ""

    def day(self, value: Instant | None) -> str:
        """A time's date at the offset it carries, in no zone: what a camera's clock read (``wording.clock_said``).
        The day something happened at a place is ``day_at``'s."""
        return format_date(value.date(), "medium", locale=Locale.parse(self.code)) if value else ""

    def partial_date(self, value: Day | None, precision: str = "day") -> str:
        """A date as precisely as it is known: "Mar 15, 2015", "March 2015", "2015", or "about 2015" (a
        birth year from an age)."""
        if not value:
            return ""
        locale = Locale.parse(self.code)
        if precision == "month":
            return str(format_skeleton("yMMMM", value, locale=locale))
        if precision in ("year", "age"):
            year = str(format_skeleton("y", value, locale=locale))
            return self.gettext("about {year}", year=year) if precision == "age" else year
        return str(format_date(value, "medium", locale=locale))

    def when(self, value: Instant | None, precision: str = "instant") -> str:
        """A time given (``domain.typed_time``'s precision "instant") in the reader's zone, zone named; a date
        given alone as given: the day (month, year) where it was given (``value`` its first instant there, at
        the offset it was given with), never with a time nobody gave."""
        if not value or precision == "instant":
            return self.datetime(value)
        return self.partial_date(value.date(), precision)

    def day_at(self, value: Instant | None, where: str, precision: str = "instant") -> str:
        """The day something happened at a place, as it was there: ``where`` is the place's zone (``services.
        place_days.day_zone``: its ~1 km cell's, else the site's), never the zone of whoever typed the time. The
        same day for every reader, its zone named to a reader whose clock reads another time then ("Dec 1, 2025
        (China Time)" in Los Angeles; "Dec 1, 2025" in Shanghai or Hong Kong): a poster's, a feed's, an alert's
        "missing since", a sighting card's day. A day, month or year given alone is shown as given, with no
        zone: a date nobody gave a time to is the day where it was given."""
        if not value:
            return ""
        if precision != "instant":
            return self.partial_date(value.date(), precision)
        there = zone(where) or self.tzinfo
        try:
            shown = format_date(value.astimezone(there).date(), "medium", locale=Locale.parse(self.code))
        except OverflowError:  # at the calendar's ends: the day as given
            return self.day(value)
        if not self.elsewhere(there, value):
            return shown
        return self.gettext("{date} ({zone})", date=shown, zone=self.zone_called(there, value))

    def there(self, value: Instant, where: str, precision: str = "instant") -> str:
        """An instant (an hour, with ``precision`` "hour") as the clock read at a place, ``where`` its zone (``services.
        place_days.day_zone``), zone named, for a reader whose clock reads another time then: "5:30 PM China Standard
        Time", with its date too when the day there is not the reader's ("Oct 1, 2026, 8:15 AM China Standard
        Time" beside "Sep 30, 2026, 5:15 PM Pacific Daylight Time"); '' where the reader's clock reads the same."""
        place = zone(where)
        if place is None or not self.elsewhere(place, value):
            return ""
        local = replace(self, zone=place.key)
        try:
            dated = value.astimezone(place).date() != value.astimezone(self.tzinfo).date()
        except OverflowError:  # at the calendar's ends: as given
            return value.isoformat(sep=" ", timespec="minutes")
        if precision == "hour":
            return local.hour(value, dated)
        if dated:
            return local.datetime(value)
        clock = format_time(value.astimezone(place), "short", tzinfo=place, locale=Locale.parse(self.code))
        return f"{clock} {local.zone_name(value)}"

    def elsewhere(self, there: ZoneInfo | str, at: Instant | None = None) -> bool:
        """Whether this reader's clock reads another time than that zone's at that instant (now, if none):
        a day there is then named with its zone (Hong Kong's reader reads Shanghai's days as their own)."""
        place = zone(there) if isinstance(there, str) else there
        moment = at or Instant.now(self.tzinfo)
        try:
            return place is not None and moment.astimezone(place).utcoffset() != moment.astimezone(
                self.tzinfo).utcoffset()
        except OverflowError:
            return True

    def zone_called(self, there: ZoneInfo | str, at: Instant | None = None) -> str:
        """A zone as people name it for a date ("China Time", "中国时间", "Pacific Time"); one named by its offset
        alone (the sea's ``Etc/GMT-8``, ``UTC``) by that ("GMT+08:00")."""
        place = zone(there) if isinstance(there, str) else there
        if place is None:
            return str(there)
        locale = Locale.parse(self.code)
        if str(get_timezone_name(place, "long", locale="en")).startswith("Unknown"):  # no region: by its offset
            return self.zone_name_of(place.key, at or Instant.now(place))
        return str(get_timezone_name(place, "long", locale=locale))

    def number(self, value: float, digits: int = 0) -> str:
        return format_decimal(round(value, digits), locale=Locale.parse(self.code))
