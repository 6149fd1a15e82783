"""A child's birth date as every way in reads it (the API, sheets, PFIF's ``date_of_birth``; probe s46 P10): a whole
date (``2016-07-08``, ``2016/07/08``, ``2016年7月8日``, a sheet's serial day) is that day; a month or a year alone
(``2015-03``, ``2015年3月``, ``2015``: an adult searching for the family lost as a child may know no more, and
this site's own exports write such a birth date so) is kept as the middle of what it spans, with its precision,
so that it is shown as that month or year, never an invented day."""

from __future__ import annotations

from datetime import date

from reunite.domain.dates import birth_date
from reunite.domain.errors import InvalidInput
from reunite.domain.pfif import date_of_birth

DAY = "day"


def birth_given(text: str) -> tuple[date, str]:
    """The birth date ``text`` gives and how precise it is ("day", "month", "year"); refused as
    ``dates.birth_date`` refuses it (naming ``birth_date``, with an example in the past) when it is none."""
    partial = date_of_birth(text) if len(text.strip()) <= len("2015年12月") else None
    if partial is not None and partial.precision != DAY:
        return partial.day, partial.precision
    try:
        return birth_date(text), DAY
    except InvalidInput as exc:
        if exc.template.startswith("{name} must be a date such as"):  # no date at all: every shape read said
            raise InvalidInput("{name} must be a date such as 2016-07-08, 2016/07/08 or 2016年7月8日, or a month or a year alone: 2015-03, 2015",  # noqa: E501
                               field="birth_date", name="birth_date") from None
        raise
