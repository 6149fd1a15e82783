"""A child's age as people say it, the one rule for every age shown to the public and families (the poster, its
PDF and Open Graph text, feeds, alert and digest emails, the ages of a case's photos, a lead's expected age):
whole years from 2 years old ("7 years old", never "7.6"), whole months under that ("9 months old", "23 months
old": an infant's poster never reads "0 years old"), whole days under a month, and "newborn" on the day of birth.
The words themselves are the reader's language's (``Language.age``, with its plural forms)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Literal

MONTHS_UNTIL = 24  # under this many months an age is told in months, as posters and paediatricians tell it
Unit = Literal["newborn", "day", "month", "year"]


@dataclass(frozen=True)
class Age:
    """An age as it is told: ``n`` whole ``unit``s ("newborn": ``n`` is 0)."""

    n: int
    unit: Unit


def age_told(birth: date, when: date) -> Age:
    """The age on ``when`` of a child born on ``birth``, by the calendar: a month is completed on the same day of
    the month as the birth (a birth on the 31st completes a month on the 1st after a shorter month, as
    ``model.age_in_years`` counts a 29 February birthday on 1 March). A ``when`` before the birth reads as newborn."""
    months = (when.year - birth.year) * 12 + when.month - birth.month - (when.day < birth.day)
    return _told(months, (when - birth).days)


def age_of_years(years: float) -> Age:
    """An age known only as a decimal number of years (a ranking's expected age on the day a child was seen),
    told by the same rule: its completed months, or its days under a month."""
    return _told(math.floor(years * 12 + 1e-9), math.floor(years * 365.25 + 1e-9))


def _told(months: int, days: int) -> Age:
    if months >= MONTHS_UNTIL:
        return Age(months // 12, "year")
    if months >= 1:
        return Age(months, "month")
    if days >= 1:
        return Age(days, "day")
    return Age(0, "newborn")
