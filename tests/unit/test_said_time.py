"""The time a report's words name (an e-mail's, a post's): read against when the message was sent, in the
sender's zone; no time at all rather than a wrong one."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from reunite.domain.said_time import dated_time, time_in_text

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
AFTER_MIDNIGHT = datetime(2026, 12, 4, 0, 37, tzinfo=SHANGHAI)  # a Friday, 37 minutes into it
LATE = datetime(2026, 12, 3, 23, 50, tzinfo=SHANGHAI)  # a Thursday evening
POSTED = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday 17:00 in Shanghai


def local(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("words", "sent", "seen"), [
    # midnight is not noon
    ("今天晚上12点在上海市黄浦区看到一个穿红衣服的女孩", AFTER_MIDNIGHT, local(4, 0)),
    ("Saw a girl of about 8 at 12am near Shanghai 黄浦区", AFTER_MIDNIGHT, local(4, 0)),
    ("at 12am", LATE, local(3, 0)), ("at 12:30 am", LATE, local(3, 0, 30)), ("at midnight", LATE, local(3, 0)),
    ("昨天晚上12点", LATE, local(3, 0)), ("昨晚1点", LATE, local(3, 1)),
    # and noon is noon
    ("at 12pm", LATE, local(3, 12)), ("昨天中午12点", LATE, local(2, 12)), ("中午1点", LATE, local(3, 13)),
    ("the day before yesterday at noon", LATE, local(1, 12)),
    # half and quarter hours
    ("前天下午3点半在上海市黄浦区人民广场看到她", AFTER_MIDNIGHT, local(2, 15, 30)),
    ("今天下午3点半", LATE, local(3, 15, 30)), ("下午3点一刻", LATE, local(3, 15, 15)),
    ("下午三点二十分", LATE, local(3, 15, 20)), ("15时20分", LATE, local(3, 15, 20)),
    # the day named
    ("前天下午3点", LATE, local(1, 15)), ("大前天晚上8点", LATE, local(30, 20, month=11)),
    ("上周六下午4点", LATE, local(28, 16, month=11)), ("星期天下午5点", LATE, local(29, 17, month=11)),
    ("at 5pm on Monday", LATE, local(30, 17, month=11)), ("last Monday 9am", LATE, local(30, 9, month=11)),
    ("yesterday at 3:15pm", LATE, local(2, 15, 15)), ("12月1日下午2点", LATE, local(1, 14)),
    ("凌晨2点", LATE, local(3, 2)), ("this morning at 9:30", LATE, local(3, 9, 30)),
    ("around 10.30pm", LATE, local(3, 22, 30)), ("at 22h15", LATE, local(3, 22, 15)),
    ("tonight at 11pm", LATE, local(3, 23)),
    # a time later than the message, no day named: the day before
    ("seen at 9pm", POSTED, local(29, 21, month=11)), ("今天下午3点在春熙路", POSTED, local(30, 15, month=11)),
    ("昨天晚上8:30看到", POSTED, local(29, 20, 30, month=11)),
])
def test_common_phrasings_are_read_as_people_mean_them(words: str, sent: datetime, seen: datetime) -> None:
    found = time_in_text(words, sent, SHANGHAI)
    assert found == seen, (words, found)
    assert found is not None and found.utcoffset() == seen.utcoffset()  # the sender's offset kept


@pytest.mark.parametrize("words", [
    "bus 11:30 to Pudong, girl about 7",  # morning or night, and maybe not the time seen at all
    "at 3", "3点看到", "about 3 children", "门牌号 12号",
    "Dec 1 at 2pm", "12/1 2pm",  # a day in a form not read: not today's 2pm
    "今天晚上12点",  # still to come when sent at 23:50
    "这周六下午4点",  # this week's Saturday is still to come
    "前天下午3点 昨天晚上8点",  # two days: which?
])
def test_what_cannot_be_read_for_sure_is_no_time(words: str) -> None:
    assert time_in_text(words, LATE, SHANGHAI) is None


def test_wall_times_summer_time_skipped_or_repeated_are_no_time() -> None:
    assert time_in_text("at 2:30am", datetime(2026, 3, 8, 12, 0, tzinfo=NEW_YORK), NEW_YORK) is None
    assert time_in_text("at 1:30am", datetime(2026, 11, 1, 12, 0, tzinfo=NEW_YORK), NEW_YORK) is None
    assert time_in_text("at 3:30am", datetime(2026, 3, 8, 12, 0, tzinfo=NEW_YORK), NEW_YORK) == datetime(
        2026, 3, 8, 3, 30, tzinfo=NEW_YORK)


@pytest.mark.parametrize(("words", "seen"), [  # sent Thursday 2026-12-03 23:50 in Shanghai
    ("三天前下午4点", local(30, 16, month=11)), ("3天前下午4点", local(30, 16, month=11)),
    ("两天前下午4点", local(1, 16)), ("2 days ago at 4pm", local(1, 16)),
    ("a week ago at 4pm", local(26, 16, month=11)), ("一周前下午4点", local(26, 16, month=11)),
    ("girl aged 7-9 seen 3 days ago at 4pm", local(30, 16, month=11)),
    ("上上周六下午4点", local(21, 16, month=11)),
    ("去年12月2日下午3点", datetime(2025, 12, 2, 15, 0, tzinfo=SHANGHAI)),
    ("12.2 下午3点", local(2, 15)), ("12-02 15:00", local(2, 15)),
    ("12.4 下午3点", datetime(2025, 12, 4, 15, 0, tzinfo=SHANGHAI)),  # a day still to come this year: last year's
])
def test_days_said_in_other_words_place_the_time_on_that_day(words: str, seen: datetime) -> None:
    assert time_in_text(words, LATE, SHANGHAI) == seen


@pytest.mark.parametrize("words", [
    "明天下午3点", "tomorrow at 3pm", "I will call you tomorrow at 3pm. I saw her today",  # a day to come
    "下周一下午3点", "next Monday at 3pm",  # not last Monday
    "I saw her this morning. Call me at 6pm",  # the call-back time, and "morning" says otherwise
    "前天下午3点看到她，请晚上8点前给我回电话",  # two times of day: which is the sighting's?
    "几天前下午4点", "a few days ago at 4pm",  # how many days?
])
def test_days_to_come_or_several_times_give_no_time(words: str) -> None:
    assert time_in_text(words, LATE, SHANGHAI) is None


@pytest.mark.parametrize("words", ["2026/11/20 10:00 +08:00", "2026/11/20 10:00 -00:00",
                                   "2026年11月20日上午10点 +08:00", "2026/11/20 10:00 UTC+8"])
def test_a_utc_offset_is_never_read_as_the_time_of_day(words: str) -> None:
    assert dated_time(words, SHANGHAI) is None  # not 08:00 or 00:00, nor 10:00 with the offset dropped
    assert time_in_text(words.replace("2026/11/20", "yesterday"), LATE, SHANGHAI) is None
