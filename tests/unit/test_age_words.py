"""Probe s30 D7: an infant's poster read "Age 0", "0 years old" and "aged 0", and a one-year-old "1 years old".
Under 2 years an age is told in months, with each language's plural forms, and one rule (``ages.age_told``,
worded by ``Language.age``) serves posters, feeds, emails and a lead's words alike."""

from __future__ import annotations

from datetime import date

import pytest

from reunite.domain.ages import Age, age_of_years, age_told
from reunite.i18n import Language
from reunite.wording import lead_words, why

EN, ZH, TW = Language("en"), Language("zh_CN"), Language("zh_TW")
BIRTH = date(2024, 5, 15)


@pytest.mark.parametrize(("when", "en", "zh", "tw"), [
    (date(2024, 6, 14), "30 days old", "30 天大", "30 天大"),  # not yet a month
    (date(2024, 6, 15), "1 month old", "1 个月大", "1 個月大"),
    (date(2024, 10, 15), "5 months old", "5 个月大", "5 個月大"),
    (date(2025, 5, 14), "11 months old", "11 个月大", "11 個月大"),  # the day before the first birthday
    (date(2025, 5, 15), "12 months old", "12 个月大", "12 個月大"),  # 1 year: still months
    (date(2026, 4, 15), "23 months old", "23 个月大", "23 個月大"),
    (date(2026, 5, 14), "23 months old", "23 个月大", "23 個月大"),
    (date(2026, 5, 15), "2 years old", "2 岁", "2 歲"),  # 24 months: years from here on
    (date(2031, 5, 14), "6 years old", "6 岁", "6 歲"),  # the years completed, never rounded up
])
def test_an_age_is_told_in_months_under_two_years_and_in_years_after(when: date, en: str, zh: str, tw: str) -> None:
    told = age_told(BIRTH, when)
    assert (EN.age(told), ZH.age(told), TW.age(told)) == (en, zh, tw)


def test_a_child_taken_on_the_day_of_birth_is_a_newborn_and_days_have_plural_forms() -> None:
    assert age_told(BIRTH, BIRTH) == Age(0, "newborn")
    assert (EN.age(age_told(BIRTH, BIRTH)), ZH.age(age_told(BIRTH, BIRTH))) == ("newborn", "刚出生")
    assert (EN.age(age_told(BIRTH, date(2024, 5, 16))), EN.age(age_told(BIRTH, date(2024, 5, 20)))) \
        == ("1 day old", "5 days old")


def test_every_unit_has_its_singular_in_english() -> None:
    assert [EN.age(Age(1, unit)) for unit in ("day", "month", "year")] == ["1 day old", "1 month old", "1 year old"]
    assert [EN.age(Age(2, unit)) for unit in ("day", "month", "year")] == ["2 days old", "2 months old",
                                                                          "2 years old"]


def test_a_month_is_completed_on_the_birth_day_of_the_month_a_short_month_on_the_first_after_it() -> None:
    born = date(2026, 1, 31)
    assert age_told(born, date(2026, 2, 28)) == Age(28, "day")
    assert age_told(born, date(2026, 3, 1)) == Age(1, "month")
    assert age_told(date(2024, 2, 29), date(2026, 2, 28)) == Age(23, "month")  # 29 February: 1 March
    assert age_told(date(2024, 2, 29), date(2026, 3, 1)) == Age(2, "year")


def test_an_age_known_in_years_reads_by_the_same_rule() -> None:
    """A lead's expected age (a decimal number of years) is told as the poster tells it."""
    assert age_of_years(0.75) == Age(9, "month") and age_of_years(1.0) == Age(12, "month")
    assert age_of_years(1.99) == Age(23, "month") and age_of_years(2.0) == Age(2, "year")
    assert age_of_years(8.74) == Age(8, "year")
    infant = {"distance_km": None, "elapsed_days": 30.0, "expected_age": 0.75, "apparent_age_low": 0,
              "apparent_age_high": 1}
    assert "apparent age 0–1, expected 9 months old" in why(EN, infant)
    assert "看起来 0–1 岁，推算应为 9 个月大" in why(ZH, infant)
    assert "expected age: 2 years old" in why(EN, {"distance_km": None, "elapsed_days": 30.0, "expected_age": 2.3})


def test_photos_a_year_apart_read_in_the_singular() -> None:
    lead = {"strength": "weak", "one_in": 50, "long_gap": True, "gap_years": 1.2}
    assert lead_words(EN, lead)[-1].startswith("photos 1 year apart: ")
    assert lead_words(EN, lead | {"gap_years": 7.4})[-1].startswith("photos 7 years apart: ")
    assert lead_words(ZH, lead)[-1].startswith("照片相隔 1 年：")
