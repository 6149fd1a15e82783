"""How long after the child went missing a child was seen, said no more precisely than both times are known
(``domain.elapsed``, ``wording.since_missing_words``): a case's date given alone is a whole day (month, year),
counted in calendar days where it was given, never in hours from a midnight nobody gave; a time seen that is an
hour long, or a camera's clock read in an assumed zone, is a span too; and "before the child went missing" is
said only when the ranking rules the pair out (``scoring.contradictions``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from reunite.domain.elapsed import since_missing
from reunite.domain.model import AgeRange, GeoPoint, SeenAtBasis, Sex
from reunite.domain.scoring import CaseFacts, FaceHit, MatchPolicy, SightingFacts, contradictions, score_pair
from reunite.i18n import Language
from reunite.wording import contradiction_words, since_missing_words, why

EN, ZH = Language("en"), Language("zh_CN")
SHANGHAI, BERLIN = ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/Berlin")
EAST8 = timezone(timedelta(hours=8))


def said(missing: datetime, precision: str, seen: datetime, zone: ZoneInfo = SHANGHAI, doubt_hours: float = 0.0,
         lang: Language = EN) -> str:
    days = (seen - missing) / timedelta(days=1)
    return since_missing_words(lang, since_missing(days, doubt_hours, "instant", missing, precision, zone))


def test_a_day_given_alone_is_counted_in_its_calendar_days_not_in_hours_from_its_midnight() -> None:
    """Missing "2026-11-20" (kept as midnight in Shanghai): seen at 15:00 that day is "the same day" (before:
    "15 hours after the child went missing", though she may have gone missing at 14:00); 01:00 the next day is
    the next day (not "10 hours"), a week later 7 days, in Chinese too."""
    day = datetime(2026, 11, 20, tzinfo=EAST8)
    assert said(day, "day", datetime(2026, 11, 20, 15, tzinfo=EAST8)) == "the same day the child went missing"
    assert said(day, "day", datetime(2026, 11, 20, 23, 59, tzinfo=EAST8)) == "the same day the child went missing"
    assert said(day, "day", datetime(2026, 11, 21, 1, tzinfo=EAST8)) == "1 day after the day the child went missing"
    assert said(day, "day", datetime(2026, 11, 27, 9, tzinfo=EAST8)) == "7 days after the day the child went missing"
    assert said(day, "day", datetime(2026, 11, 18, 22, tzinfo=EAST8)) == "2 days before the day the child went missing"
    assert said(day, "day", datetime(2026, 11, 20, 15, tzinfo=EAST8), lang=ZH) == "孩子失踪当天"
    assert said(day, "day", datetime(2026, 11, 27, 9, tzinfo=EAST8), lang=ZH) == "孩子失踪那天的 7 天后"
    # months on, a day's width is lost in the rounding: said as any span
    assert said(day, "day", datetime(2027, 11, 25, tzinfo=EAST8)) == "12 months after the child went missing"
    # a time given is said in hours, as before
    assert said(day.replace(hour=10), "instant", datetime(2026, 11, 20, 15, tzinfo=EAST8)) == \
        "5 hours after the child went missing"


def test_days_are_those_of_the_zone_the_date_was_given_in_summer_time_too() -> None:
    """The days of the zone where the date was given (its date as the case's page shows it): 01:00 on the 21st
    in Shanghai is the 20th in UTC, yet the next day. In Berlin, a date given in winter (+01:00) and a sighting
    at 00:30 summer time a week later (still the day before at +01:00) is counted in Berlin's own days; a date
    kept at an offset the site's zone did not have then (a partner's UTC) is counted at that offset."""
    shanghai_day = datetime(2026, 11, 20, tzinfo=EAST8)
    assert said(shanghai_day, "day", datetime(2026, 11, 20, 17, tzinfo=UTC)) == \
        "1 day after the day the child went missing"
    winter = datetime(2026, 3, 28, tzinfo=timezone(timedelta(hours=1)))
    summer_night = datetime(2026, 4, 5, 0, 30, tzinfo=timezone(timedelta(hours=2)))
    assert said(winter, "day", summer_night, BERLIN) == "8 days after the day the child went missing"
    utc_day = datetime(2026, 11, 20, tzinfo=UTC)
    assert said(utc_day, "day", datetime(2026, 11, 21, 1, tzinfo=EAST8)) == "the same day the child went missing"


def test_a_month_or_a_year_given_alone_is_counted_in_months_or_years() -> None:
    month = datetime(2026, 11, 1, tzinfo=EAST8)
    assert said(month, "month", datetime(2026, 11, 29, tzinfo=EAST8)) == "in the month the child went missing"
    assert said(month, "month", datetime(2027, 1, 3, tzinfo=EAST8)) == "2 months after the month the child went missing"
    assert said(month, "month", datetime(2026, 10, 30, tzinfo=EAST8)) == \
        "1 month before the month the child went missing"
    year = datetime(2026, 1, 1, tzinfo=EAST8)
    assert said(year, "year", datetime(2026, 12, 30, tzinfo=EAST8)) == "in the year the child went missing"
    assert said(year, "year", datetime(2029, 2, 1, tzinfo=EAST8)) == "3 years after the year the child went missing"
    assert said(year, "year", datetime(2029, 2, 1, tzinfo=EAST8), lang=ZH) == "孩子失踪那年的 3 年后"


def test_a_time_seen_that_is_a_span_is_said_as_one() -> None:
    """A camera's zone-less clock read in an assumed zone may be 14 hours off either way: 4 hours "before" is
    within 18 hours of the time the child went missing, never "before"; 20 hours after is 6–34 hours after. A
    family reads a report's arrival to its hour: the hour is not cut to its first minute."""
    assert since_missing_words(EN, since_missing(-4 / 24, 14)) == "within 18 hours of the time the child went missing"
    assert since_missing_words(EN, since_missing(20 / 24, 14)) == "6–34 hours after the child went missing"
    assert since_missing_words(EN, since_missing(-30 / 24, 14)) == "16–44 hours before the child went missing"
    assert since_missing_words(EN, since_missing(4.5 / 24, 0, "hour")) == "5 hours after the child went missing"
    seen_soon = since_missing(0.25 / 24, 0)  # seen 15 minutes after: never "0 hours"
    assert since_missing_words(EN, seen_soon) == "less than an hour after the child went missing"
    assert since_missing_words(ZH, seen_soon) == "孩子失踪 不到一小时后"
    assert since_missing_words(EN, since_missing(0.1 / 24, 0.2)) == "within 1 hour of the time the child went missing"
    assert since_missing_words(ZH, since_missing(-4 / 24, 14)) == "孩子失踪时间前后 18 小时以内"
    arrival = {"distance_km": None, "elapsed_days": 15 / 24, "expected_age": 9.0, "seen_at_basis": "arrival",
               "since_missing": since_missing(15 / 24, 0, "hour", datetime(2026, 11, 20, tzinfo=EAST8), "day",
                                              SHANGHAI)}
    assert "time seen not given: reported the same day the child went missing" in why(EN, arrival)
    assert "未提供看到的时间：报告于孩子失踪当天" in why(ZH, arrival)
    camera = {"distance_km": None, "elapsed_days": -4 / 24, "expected_age": 9.0,
              "seen_at_basis": "camera_zone_assumed"}  # a row read without the case's date: its basis still counts
    assert not any("before" in words for words in why(EN, camera))
    older = {"distance_km": None, "elapsed_days": 400.0, "expected_age": 8.74}  # 8 years 9 months: 8, as posters say
    assert "expected age: 8 years old" in why(EN, older) and "推算年龄：8 岁" in why(ZH, older)


@pytest.mark.parametrize("precision", ["instant", "day", "month", "year"])
@pytest.mark.parametrize("basis", [SeenAtBasis.GIVEN, SeenAtBasis.CAMERA_ZONE_ASSUMED])
def test_before_is_said_exactly_when_the_ranking_rules_the_pair_out(precision: str, basis: SeenAtBasis) -> None:
    """For every hour from two days before to two days after the span began (in Berlin, across the night the
    clocks go back), the words say "before" exactly when the ranking's time term is 0 (``contradictions``:
    "time"), and the contradiction's words say it the same way."""
    policy = MatchPolicy()
    missing = {"instant": datetime(2026, 10, 25, 1, 15, tzinfo=BERLIN), "day": datetime(2026, 10, 25, tzinfo=BERLIN),
               "month": datetime(2026, 10, 1, tzinfo=BERLIN), "year": datetime(2026, 1, 1, tzinfo=BERLIN)}[precision]
    case = CaseFacts(1, date(2017, 1, 1), Sex.FEMALE, missing, GeoPoint(52.5, 13.4), precision)
    for hour in range(-48, 49):
        seen_at = missing + timedelta(hours=hour, minutes=30)
        sighting = SightingFacts(2, seen_at, GeoPoint(52.5, 13.4), AgeRange(8, 11), Sex.FEMALE, basis)
        score = score_pair(policy, case, sighting, [FaceHit(7, 0.9, date(2025, 1, 1))])
        elapsed = since_missing(score.elapsed_days, score.time_doubt_h, "instant", missing, precision, BERLIN)
        ruled_out = "time" in contradictions(Sex.FEMALE, Sex.FEMALE, score.expected_age, AgeRange(8, 11), score.time)
        assert elapsed.before is ruled_out, (precision, basis, hour)
        words = since_missing_words(EN, elapsed)
        assert ("before" in words) is ruled_out, (precision, basis, hour, words)
        facts = {"elapsed_days": score.elapsed_days, "since_missing": elapsed}
        assert bool(contradiction_words(EN, ["time"] if ruled_out else [], facts)) is ruled_out
