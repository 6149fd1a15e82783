"""Dates as people and other systems write them: ``2016-07-08``, ``2016/07/08``, ``2016.7.8``,
``2024年5月1日``, partial dates (``2004-05``, ``2004``) with their precision, and spreadsheet serial
numbers (days since 1899-12-30, as Excel and LibreOffice count; a fraction is the time of day)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from reunite.domain.errors import InvalidInput
from reunite.domain.times import ISO_TIME, iso_time

NUMERIC = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?$")
CHINESE = re.compile(r"^(\d{4})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号])?)?$")
SERIAL_EPOCH = date(1899, 12, 30)
SERIAL_DIGITS = 5  # 10000 .. 99999: 1927 to 2173; shorter numbers are years, not serials
# a date written whole whose day the calendar does not have (2015-02-29, 2026-02-30, 2026-13-01): said so
# wherever a date is read (the API, the forms, PFIF), never "must be a date" nor "no date" (probe s34 H9)
NO_SUCH_DAY = "{name}: the date is not valid (no such day in the calendar)"
NO_SUCH_MONTH = "{name}: the month is not valid (a year has 12 months)"  # 2016-13-01 (probe s38 M4)
# a date's year, month and day as written before anything else (a time of day): 2025-02-30 08:00, 2025.2.29,
# 2025年2月29日上午8点, 20250230
_DATE_PARTS = re.compile(r"^\s*(\d{4})\s*(?:[-/.]\s*(\d{1,2})(?:\s*[-/.]\s*(\d{1,2}))?(?!\d)"
                         r"|年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号])?|(\d{2})(\d{2})(?!\d))")


def loose_date(text: str) -> tuple[date, str] | None:
    """(the first day it spans, "day" | "month" | "year"), or None when it is no date. A date and time
    in ISO 8601 gives its date."""
    text = text.strip()
    moment = iso_time(text) if len(text) > len("2016-07-08") else None  # a date and time (a day alone: below)
    if moment is not None:
        return moment.date(), "day"
    found = NUMERIC.match(text) or CHINESE.match(text)
    if not found:
        return None
    year, month, day = (int(g) if g else 0 for g in found.groups())
    try:
        return date(year, month or 1, day or 1), "day" if day else "month" if month else "year"
    except ValueError:
        return None


def calendar_fault(text: str) -> str | None:
    """What of a date written whole (alone or with a time of day after it) the calendar does not have: "month"
    (2016-13-01, 2025年13月1日), "day" (2025-02-30 08:00, 2025年2月29日上午8点), else None (probe s38 M4)."""
    found = _DATE_PARTS.match(text)
    if found is None:
        return None
    year, month, day = (next((g for g in pair if g), None) for pair in (
        (found[1],), (found[2], found[4], found[6]), (found[3], found[5], found[7])))
    if month is None:
        return None
    if not 1 <= int(month) <= 12:
        return "month"
    try:
        date(int(year or 0), int(month), int(day or 1))
    except ValueError:
        return "day"
    return None


def no_such_day(text: str) -> bool:
    """Whether ``text`` is a whole date, alone or with a time of day (``2015-02-29``, ``2015/2/29``,
    ``2015年2月29日``, ``2026-02-29T10:00+08:00``), naming a day the calendar does not have."""
    text = text.strip()
    iso = ISO_TIME.fullmatch(text)
    found = NUMERIC.match(text) or CHINESE.match(text)
    if iso is not None:
        day = iso["day"].replace("-", "")
        parts: tuple[str | None, ...] = (day[:4], day[4:6], day[6:])
    elif found is not None:
        parts = found.groups()
    else:
        return False
    if not all(parts):
        return False
    try:
        date(*(int(p or 0) for p in parts))
    except ValueError:
        return True
    return False


def serial_date(text: str) -> date | None:
    """A spreadsheet's serial day number (``45413`` is 2024-05-01)."""
    text = text.strip().removesuffix(".0")
    if not (text.isdigit() and len(text) == SERIAL_DIGITS):
        return None
    return SERIAL_EPOCH + timedelta(days=int(text))


SERIAL_MOMENT = re.compile(rf"^\d{{{SERIAL_DIGITS}}}(?:\.\d+)?$")


def serial_moment(text: str) -> datetime | None:
    """A spreadsheet's serial number with its fraction of a day, as a wall-clock time to the second
    (``46000.75`` is 2025-12-09 18:00; ``45413`` its midnight): a cell holding a date and time as a plain
    number. Naive: the caller reads it in the row's zone."""
    text = text.strip()
    if not SERIAL_MOMENT.match(text):
        return None
    return datetime.combine(SERIAL_EPOCH, datetime.min.time()) + timedelta(seconds=round(float(text) * 86400))


def calendar_day(text: str) -> date | None:
    """A whole date as people type it (2016-07-08, 2016/07/08, 2024年5月1日) or a spreadsheet's serial day;
    None when it is none (or only a month or year): the one reading of a birth date, wherever it comes in."""
    found = loose_date(text)
    return found[0] if found and found[1] == "day" else serial_date(text)


def birth_date(text: str) -> date:
    """A child's birth date as the API, the pages' form and the spreadsheets read it; refused, saying how
    to write it, when it is no whole date."""
    found = calendar_day(text)
    if found is None and calendar_fault(text) == "month":
        raise InvalidInput(NO_SUCH_MONTH, field="birth_date", name="birth_date")
    if found is None and no_such_day(text):
        raise InvalidInput(NO_SUCH_DAY, field="birth_date", name="birth_date")
    if found is None:
        raise InvalidInput("{name} must be a date such as 2016-07-08, 2016/07/08 or 2016年7月8日",
                           field="birth_date", name="birth_date")
    return found
