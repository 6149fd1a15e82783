"""The time a report's own words name ("前天下午3点半", "晚上12点", "at 12am on Monday"), read against the moment
the message was sent, in the sender's zone. Only a reading that leaves no doubt is returned: an hour that may be
morning or evening ("at 3", "11:30" without am/pm), a day it cannot place (a date in another form), a wall time
summer time skipped or repeated, or a day later than the message, give None: no time is better than a wrong one
taken for the reporter's."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from reunite.domain.times import offset_name

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_NUMBER = "[零〇一二两三四五六七八九十]{1,3}"
WEEKDAYS_CN = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
WEEKDAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAYS_BACK = {"大前天": 3, "前天": 2, "the day before yesterday": 2, "昨天": 1, "昨日": 1, "昨晚": 1, "昨夜": 1,
             "昨早": 1, "yesterday": 1, "last night": 1, "今天": 0, "今日": 0, "今晚": 0, "今早": 0, "今夜": 0,
             "today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0}
# the part of the day a day word itself names, when no other is said beside the hour
DAY_PERIOD = {"昨晚": "晚上", "昨夜": "晚上", "今晚": "晚上", "今夜": "晚上", "last night": "晚上", "tonight": "晚上",
              "this evening": "晚上", "昨早": "早上", "今早": "早上", "this morning": "早上", "this afternoon": "下午"}
# period → how an hour 1–12 said with it is read: (hours taken as they are, hours 12 is added to, 12 read as)
PERIODS = {
    "凌晨": (range(1, 7), range(0), 0),
    "早上": (range(4, 12), range(0), None), "上午": (range(1, 12), range(0), None),  # 上午1点: 01:00 (s46 P9)
    "中午": (range(11, 12), range(1, 3), 12),
    "下午": (range(0), range(1, 12), 12), "傍晚": (range(0), range(4, 9), None),
    "晚上": (range(0), range(5, 12), 24), "半夜": (range(0), range(10, 12), 24),
    "am": (range(1, 12), range(0), 0), "pm": (range(0), range(1, 12), 12),
}
PERIOD_WORDS = {"凌晨": "凌晨", "清晨": "早上", "早晨": "早上", "早上": "早上", "上午": "上午", "中午": "中午",
                "下午": "下午", "午后": "下午", "傍晚": "傍晚", "晚上": "晚上", "夜里": "晚上", "夜间": "晚上",
                "半夜": "半夜", "深夜": "半夜", "午夜": "半夜"}
EARLY_AFTER_EVENING = range(1, 4)  # "晚上1点", "半夜2点", "last night at 1am": the small hours after that evening
ALIASES = {"a.m.": "am", "p.m.": "pm", "in the morning": "am", "in the afternoon": "pm", "in the evening": "pm",
           "at night": "晚上"}

_period = "|".join(sorted(PERIOD_WORDS, key=len, reverse=True))
_day = "|".join(sorted(DAY_PERIOD.keys() | DAYS_BACK.keys(), key=len, reverse=True))
CN_CLOCK = re.compile(
    rf"(?:(?P<day>{_day})\s*)?(?:(?P<period>{_period})\s*)?(?:大概|大约|约)?\s*"
    rf"(?P<hour>\d{{1,2}}|{CN_NUMBER})\s*[点點时時](?:钟|鐘)?\s*"
    rf"(?P<minute>半|一刻|三刻|\d{{1,2}}(?=\s*分|\D|$)|{CN_NUMBER}(?=分))?")
EN_CLOCK = re.compile(  # digits beside Chinese words too ("晚上8:30看到"), where \b sees no word boundary
    r"(?<![\d.:])(?P<hour>\d{1,2})(?:\s*[:.h]\s*(?P<minute>\d{2}))?\s*(?P<half>am|pm|a\.m\.|p\.m\.)(?![a-z])"
    r"|(?<![\d.:+−])(?<![\s(]-)"  # not a UTC offset's "+08:00", " -05:00"
    r"(?P<hour24>\d{1,2})\s*[:：h]\s*(?P<minute24>\d{2})(?![\d:])(?:\s*(?P<after>in the morning|"
    r"in the afternoon|in the evening|at night))?"
    r"|(?<![a-z])(?P<word>noon|midday|midnight)(?![a-z])", re.IGNORECASE)
CN_WEEKDAY = re.compile(r"(?P<which>上上个?|上个?|这个?|本|下个?)?(?:周|星期|礼拜)(?P<day>[一二三四五六日天])")
EN_WEEKDAY = re.compile(rf"(?<![a-z])(?P<which>last |this |on |past )?(?P<day>{'|'.join(WEEKDAYS_EN)})(?![a-z])",
                        re.IGNORECASE)
CN_DATE = re.compile(r"(?:(?P<year>\d{4})年|(?P<years_back>去年|前年|今年))?"
                     r"(?P<month>\d{1,2})月(?P<day>\d{1,2})[日号號]")
ISO_DATE = re.compile(r"(?<!\d)(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})(?!\d)")
_months = ("january|february|march|april|may|june|july|august|september|october|november|december|"
           "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
OTHER_DATE = re.compile(rf"(?<!\d)\d{{1,2}}/\d{{1,2}}(?!\d)|(?<![a-z])(?:{_months})\.?\s*\d{{1,2}}(?!\d)"
                        rf"|(?<!\d)\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_months})(?![a-z])", re.IGNORECASE)
# "12.2 下午3点", "12-02 15:00": a month and day in figures, read as a date only when a time of day follows
# ("aged 7-9", "1.2 m" are no dates)
NUMBER_DATE = re.compile(rf"(?<![\d.:/-])(?P<month>\d{{1,2}})[.-](?P<day>\d{{1,2}})(?![\d.:/-])(?=\s*(?:{_period}"
                         r"|at\s+\d|\d{1,2}\s*(?:[:：点點时時h]|am|pm|a\.m\.|p\.m\.)))", re.IGNORECASE)
YEARS_BACK = {"去年": 1, "前年": 2, "今年": 0}
NUMBERS_EN = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
              "eight": 8, "nine": 9, "ten": 10}
# "3天前", "两天前", "一周前", "一个星期前"; "3 days ago", "a week ago" ("几天前", "a few days ago": no number)
CN_AGO = re.compile(rf"(?P<n>\d{{1,2}}|{CN_NUMBER}|几)\s*个?\s*(?P<unit>天|日|周|星期|礼拜)之?前")
EN_AGO = re.compile(r"(?<![a-z\d])(?P<n>\d{1,2}|[a-z]+)\s+(?P<unit>days?|weeks?)\s+ago(?![a-z])", re.IGNORECASE)
# a day still to come: the time said with it is no time seen ("明天下午3点", "next Monday", "3天后")
FUTURE_DAY = re.compile(r"明天|明日|明早|明晚|大?后天|下个?(?:周|星期|礼拜)|\d+\s*天[以之]?后|tomorrow"
                        rf"|(?<![a-z])next\s+(?:week|weekend|{'|'.join(WEEKDAYS_EN)})|(?<![a-z])in\s+\w+\s+days?(?![a-z])",
                        re.IGNORECASE)
UTC_OFFSET = re.compile(r"(?<![\w:.])[+−-]\d{2}:?\d{2}(?!\d)|(?:UTC|GMT)\s*[+−-]\s*\d", re.IGNORECASE)
TODAY_UNTIL = 6  # a message sent before 06:00 may call the evening before "today" ("今天晚上12点" at 00:37)


@dataclass(frozen=True)
class _Clock:
    hour: int  # 0–24 (24: the midnight that ends the day)
    minute: int
    period: str | None  # the part of the day said with it (a key of PERIODS), if any
    day_word: str | None  # a day word said just before it ("昨晚"), if any


def cn_number(words: str) -> int | None:
    """0–99 written in Chinese numerals ("十二", "二十五", "零五"), or digits."""
    if words.isdigit():
        return int(words)
    if "十" in words:
        tens, _, ones = words.partition("十")
        high = CN_DIGITS.get(tens, -1) if tens else 1
        low = CN_DIGITS.get(ones, -1) if ones else 0
        return None if high < 0 or low < 0 else high * 10 + low
    if all(c in CN_DIGITS for c in words):
        return int("".join(str(CN_DIGITS[c]) for c in words))
    return None


def _hour_of_day(hour: int, period: str | None) -> int | None:
    """The hour on a 0–27 clock an hour said with a part of the day stands for; None when unsure."""
    if period is None:
        return hour if hour == 0 or 13 <= hour <= 23 else None  # "11:30" may be morning or night
    kept, added, twelve = PERIODS[period]
    if hour == 12:
        return twelve
    readings = {  # "下午15点": said twice
        hour: hour in kept or (13 <= hour <= 23 and period not in ("am", "凌晨", "早上", "上午")),
        hour + 12: hour in added,
        24 + hour: period in ("晚上", "半夜") and hour in EARLY_AFTER_EVENING,
    }
    return next((reading for reading, fits in readings.items() if fits), None)


def _clocks(text: str) -> list[_Clock]:
    found = []
    for m in CN_CLOCK.finditer(text):
        hour, said = cn_number(m["hour"]), m["minute"] or ""
        minute = {"": 0, "半": 30, "一刻": 15, "三刻": 45}.get(said, cn_number(said) if said else 0)
        period = PERIOD_WORDS.get(m["period"] or "") or DAY_PERIOD.get(m["day"] or "")
        if hour is not None and minute is not None:
            found.append((m.start(), _Clock(hour, minute, period, m["day"])))
    for m in EN_CLOCK.finditer(text):
        if m["word"]:
            word = m["word"].lower()
            found.append((m.start(), _Clock(24 if word == "midnight" else 12, 0, "noon", None)))
        elif m["half"]:
            half = ALIASES.get(m["half"].lower(), m["half"].lower())
            found.append((m.start(), _Clock(int(m["hour"]), int(m["minute"] or 0), half, None)))
        else:
            before = text[:m.start()].rstrip(" 约大概在于")  # "昨天晚上8:30", "下午 约3:15"
            said_before = next((PERIOD_WORDS[w] for w in PERIOD_WORDS if before.endswith(w)), None)
            after = (ALIASES.get((m["after"] or "").lower()) or said_before
                     or ("24h" if m["hour24"].startswith("0") else None))
            found.append((m.start(), _Clock(int(m["hour24"]), int(m["minute24"]), after, None)))
    return [clock for _, clock in sorted(found, key=lambda pair: pair[0])]


def _wall_clock(clock: _Clock, day_word_period: str | None) -> tuple[int, int] | None:
    """(hour 0–27, minute) of a clock, or None when unsure."""
    if clock.minute > 59:
        return None
    if clock.period in ("noon", "24h"):
        return (clock.hour, clock.minute) if clock.hour <= 24 else None
    hour = _hour_of_day(clock.hour, clock.period or day_word_period)
    return None if hour is None else (hour, clock.minute)


def _fits(clock: _Clock, day_word_period: str | None) -> bool:
    """Whether a clock said with its own part of the day ("6pm") agrees with the part a day word names
    ("this morning"); "last night at 1am" does (the small hours after that evening)."""
    if day_word_period is None or clock.day_word or clock.period not in PERIODS:
        return True
    own, by_day_word = _hour_of_day(clock.hour, clock.period), _hour_of_day(clock.hour, day_word_period)
    return own is None or by_day_word in (own, own + 24)


def _days(text: str, today: date) -> tuple[list[tuple[date, int | None]], bool]:
    """The days the words name (a day word, a weekday, a date), each with how many days before it the time
    is when it is still to come on that day (None: then it is no time seen); and whether one was said that
    cannot be placed (a date in another form, "this Saturday" still to come)."""
    lowered = text.lower()
    words = [w for w in DAYS_BACK if w in lowered and not any(w != o and w in o and o in lowered for o in DAYS_BACK)]
    days: list[tuple[date, int | None]] = [(today - timedelta(days=DAYS_BACK[w]), None) for w in words]
    unsure = False
    weekday = today.weekday()
    for m in CN_WEEKDAY.finditer(text):
        target = WEEKDAYS_CN[m["day"]]
        if (m["which"] or "").startswith("上"):  # last week's, or (上上) the week before's (weeks start on Monday)
            weeks_back = 2 if m["which"].startswith("上上") else 1
            days.append((today - timedelta(days=weekday + 7 * weeks_back - target), None))
        elif m["which"]:  # 这周六 / 本周六
            unsure |= target > weekday
            days.append((today - timedelta(days=weekday - target), None))
        else:
            days.append((today - timedelta(days=(weekday - target) % 7), 7))
    for m in EN_WEEKDAY.finditer(text):
        target, which = WEEKDAYS_EN.index(m["day"].lower()), (m["which"] or "").lower().strip()
        back = (weekday - target) % 7
        if which in ("last", "past") and back == 0:
            back = 7
        unsure |= which == "this" and target > weekday
        days.append((today - timedelta(days=back), 7 if which in ("", "on") else None))
    ago, unsure_ago = _days_ago(text, today)
    dates, unsure_date = _dates(text, today)
    unsure |= unsure_ago or unsure_date or bool(FUTURE_DAY.search(text))
    return days + ago + dates, unsure or bool(OTHER_DATE.search(ISO_DATE.sub("", text)))


def _days_ago(text: str, today: date) -> tuple[list[tuple[date, int | None]], bool]:
    """The days "N天前", "N days ago", "一周前", "a week ago" name; and whether one was said without a number."""
    days: list[tuple[date, int | None]] = []
    unsure = False
    for m in (*CN_AGO.finditer(text), *EN_AGO.finditer(text)):
        said = m["n"].lower()
        count = NUMBERS_EN.get(said) if said.isalpha() and said.isascii() else cn_number(said)
        if count is None:
            unsure = True
            continue
        days.append((today - timedelta(days=count * (1 if m["unit"].lower()[0] in "d天日" else 7)), None))
    return days, unsure


def _dates(text: str, today: date) -> tuple[list[tuple[date, int | None]], bool]:
    """The dates said (one later than ``today`` with its year stays so: no time seen); and whether one of them
    does not exist."""
    days: list[tuple[date, int | None]] = []
    unsure = False
    for m in (*CN_DATE.finditer(text), *ISO_DATE.finditer(text), *NUMBER_DATE.finditer(text)):
        named = m.groupdict()
        back = named.get("years_back") or ""
        given_year = bool(named.get("year") or back)
        year = int(named["year"]) if named.get("year") else today.year - YEARS_BACK.get(back, 0)
        try:
            said = date(year, int(m["month"]), int(m["day"]))
            days.append((said if given_year or said <= today else said.replace(year=year - 1), None))
        except ValueError:
            unsure = True
    return days, unsure


def time_in_text(text: str, sent_at: datetime, zone: tzinfo) -> datetime | None:
    """The time the words name for the sighting, in ``zone`` (the sender's) with its offset, read against
    ``sent_at`` (when the message was sent): a day word, weekday or date places it, else it is the latest
    such time before the message; None when the words name none, or none for sure (see the module's note)."""
    local = sent_at.astimezone(zone)
    days, unsure = _days(text, local.date())
    if unsure or len({day for day, _ in days}) > 1 or UTC_OFFSET.search(text):
        return None  # (an offset said: this reader does not apply one)
    said_period = next((DAY_PERIOD[w] for w in DAY_PERIOD if w in text.lower()), None)
    clocks = _clocks(text)
    walls = {w for w in (_wall_clock(c, said_period) for c in clocks) if w is not None}
    if len(walls) != 1 or not all(_fits(c, said_period) for c in clocks):
        return None  # none, several ("… this morning. Call me at 6pm"), or one the day's part contradicts
    wall = walls.pop()
    day, step = days[0] if days else (local.date(), 1)
    if days and day == local.date() and local.hour < TODAY_UNTIL and any(DAYS_BACK.get(w) == 0 for w in DAYS_BACK
                                                                          if w in text.lower()):
        step = 1  # "今天晚上12点" sent at 00:37: the evening the sender has not yet slept on
    moment = _at(day, wall, zone)
    if moment is not None and moment > local:
        moment = _at(day - timedelta(days=step), wall, zone) if step else None
    return moment if moment is not None and moment <= local else None


def _at(day: date, wall: tuple[int, int], zone: tzinfo) -> datetime | None:
    """``day`` at the wall time (hours past 23 run into the next day) in ``zone``; None when summer time
    skipped that wall time or it came twice."""
    hour, minute = wall
    naive = datetime.combine(day, time()) + timedelta(hours=hour, minutes=minute)
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        return None  # a repeated hour, or one that did not exist there
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        return None
    return first


def zone_read_in(zone: tzinfo, when: datetime) -> str:
    """The zone words were read in, as stored beside the time (``SeenTime.zone``): its IANA name, else the
    offset ("UTC+08:00", an e-mail's Date header's)."""
    return getattr(zone, "key", "") or offset_name(when)


def dated_wall(text: str) -> datetime | None:
    """A date with its year and a time of day said in words ("2026年11月20日上午10点", "2026-11-20 3pm") as the wall
    clock it names (no zone: the reader places it, saying so when summer time skipped or repeated it there: probe
    s46 P9); None unless exactly one such date and a time of day that leaves no doubt are said."""
    if UTC_OFFSET.search(text):
        return None  # "10:00 +08:00": an offset this reader does not apply (never its "08:00" as the time)
    dates = [m for m in (*CN_DATE.finditer(text), *ISO_DATE.finditer(text)) if m["year"]]
    wall = next((w for w in (_wall_clock(c, None) for c in _clocks(CN_DATE.sub(" ", ISO_DATE.sub(" ", text))))
                 if w is not None), None)
    if len(dates) != 1 or wall is None:
        return None
    try:
        day = date(int(dates[0]["year"]), int(dates[0]["month"]), int(dates[0]["day"]))
    except ValueError:
        return None
    return datetime.combine(day, time()) + timedelta(hours=wall[0], minutes=wall[1])


def dated_time(text: str, zone: tzinfo) -> datetime | None:
    """``dated_wall`` in ``zone``; None too when summer time skipped that wall time there or it came twice."""
    wall = dated_wall(text)
    return None if wall is None else _at(wall.date(), (wall.hour, wall.minute), zone)
