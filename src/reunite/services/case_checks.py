"""A missing child's facts checked as a registration, a correction, an import or a partner's record gives them:
every problem at once, in the reader's language (the form says them all; the API refuses them together, 422)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from reunite.domain.errors import InvalidInput, Problems
from reunite.domain.model import BIRTH_YEARS, NewCase, age_in_years, earliest_birth
from reunite.domain.times import today_somewhere
from reunite.services.when_seen import check_time


def check_case(case: NewCase, taken: Sequence[date | None], now: datetime, numbers: Sequence[int] = ()) -> None:
    """A case's facts checked: every problem at once (``case_problems``), refused together (422)."""
    problems = Problems()
    case_problems(problems, now, case.given_name, case.birth_date, (case.missing_since, case.missing_since_precision),
                  taken, numbers)
    problems.raise_all()


def case_problems(problems: Problems, now: datetime, given_name: str | None, birth: date | None,
                  missing: tuple[datetime, str] | None, taken: Sequence[date | None],
                  numbers: Sequence[int] = ()) -> None:
    """Each problem of a case's facts into ``problems`` (a form says them all at once): the time last seen (with
    its precision), each photo's date taken (the photo named by ``numbers``, else by its place). A fact None (refused
    as typed) is left out of the checks needing it, as is a time last seen refused here; the birth date's first."""
    if missing is not None:
        before, (at, precision) = len(problems.found), missing
        problems.check(lambda: check_time(at, now, "missing_since", precision))
        missing = missing if len(problems.found) == before else None
    if given_name is not None and not given_name.strip():
        problems.add(InvalidInput("the child's given name is required", field="given_name"))
    if birth is not None and (found := _birth_problem(birth, missing[0].date() if missing else None, now)):
        problems.add(found)
    for index, day in enumerate(taken):
        if day is not None and not (birth or day) <= day <= today_somewhere(now):
            dated = InvalidInput("the date taken must lie between birth and today", field="photo_dates")
            dated.within("photo {number}: ", number=numbers[index] if index < len(numbers) else index + 1)
            problems.add(dated)


def _birth_problem(birth: date, missing: date | None, now: datetime) -> InvalidInput | None:
    if birth > today_somewhere(now):
        return InvalidInput("the birth date is in the future", field="birth_date")
    if birth < earliest_birth(now.date()):
        return InvalidInput("the birth date {day} is more than {years} years ago: check its year", field="birth_date",
                            day=birth, years=BIRTH_YEARS)
    if missing is not None and birth > missing:
        return InvalidInput("the child went missing before the birth date", field="missing_since")
    if missing is not None and age_in_years(birth, missing) >= 18:
        return InvalidInput("Reunite registers children: the child must have been under 18 when missing",
                            field="birth_date")
    return None
