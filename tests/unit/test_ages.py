"""Ages follow the calendar: on the Nth birthday a child is exactly N, so a case photo taken on the
child's 5th birthday is read against the 5-and-over calibration cell, as the workbench shows "age 5.0"."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import pairwise

import pytest

from reunite.domain.leads import Calibration, fit_band
from reunite.domain.model import Sex, age_in_years, years_between
from reunite.domain.scoring import CaseFacts, FaceHit, MatchPolicy, SightingFacts, read_stored, score_pair


@pytest.mark.parametrize(("birth", "when", "age"), [
    (date(2014, 6, 1), date(2019, 6, 1), 5.0),
    (date(2014, 6, 1), date(2014, 6, 1), 0.0),
    (date(2016, 2, 29), date(2020, 2, 29), 4.0),
    (date(2016, 2, 29), date(2017, 3, 1), 1.0),  # a 29 February birthday falls on 1 March in common years
    (date(2015, 12, 31), date(2016, 12, 31), 1.0),
])
def test_on_a_birthday_the_age_is_whole(birth: date, when: date, age: float) -> None:
    assert age_in_years(birth, when) == age


def test_the_day_before_a_birthday_is_still_the_year_before() -> None:
    assert 4.99 < age_in_years(date(2014, 6, 1), date(2019, 5, 31)) < 5.0
    assert 0.99 < age_in_years(date(2016, 2, 29), date(2017, 2, 28)) < 1.0
    assert 3.99 < age_in_years(date(2016, 2, 29), date(2020, 2, 28)) < 4.0
    half = age_in_years(date(2014, 1, 1), date(2019, 7, 2))  # 182 of 365 days into the year of age
    assert half == pytest.approx(5 + 182 / 365)


def test_ages_grow_with_the_day_and_gaps_are_symmetric() -> None:
    birth = date(2016, 2, 29)
    days = [date.fromordinal(birth.toordinal() + n) for n in range(0, 3000)]
    ages = [age_in_years(birth, day) for day in days]
    assert all(a < b for a, b in pairwise(ages))
    assert years_between(date(2020, 5, 1), date(2018, 5, 1)) == years_between(date(2018, 5, 1), date(2020, 5, 1)) == 2


CELLS = Calibration((
    fit_band((0, 5), None, [0.3] * 2000 + [0.6] * 1000),
    fit_band((5, 200), None, [0.3] * 3000),
))


@pytest.mark.parametrize(("taken", "cell"), [(date(2019, 6, 1), (5, 200)), (date(2019, 5, 31), (0, 5))])
def test_the_photo_is_read_against_the_cell_of_the_age_shown(taken: date, cell: tuple[int, int]) -> None:
    case = CaseFacts(1, date(2014, 6, 1), Sex.FEMALE, datetime(2019, 7, 1, tzinfo=UTC), None)
    sighting = SightingFacts(2, datetime(2024, 3, 9, tzinfo=UTC), None, None, Sex.UNKNOWN)
    policy = MatchPolicy(calibration=CELLS)
    score = score_pair(policy, case, sighting, [FaceHit(7, 0.8, taken)])
    assert score.photo_age == age_in_years(date(2014, 6, 1), taken)
    photo_age = score.expected_age - score.gap_years if score.gap_years is not None else None  # as stored
    assert photo_age == score.photo_age
    assert CELLS.cell(0.5, photo_age, score.gap_years).case_age == cell
    stored = read_stored(policy, 0.5, score.expected_age, score.gap_years)
    assert stored.share == CELLS.cell(0.5, photo_age, score.gap_years).share(0.5)
