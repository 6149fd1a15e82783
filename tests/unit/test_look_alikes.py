"""The look-alikes shown beside a Verify form (``domain.doubles.most_alike``): per case, the other cases whose
best pair of faces reads most alike, at most three, only those a lead would be, whatever the birth dates, and
whether the birth dates disagree by more than the year the automatic duplicate check compares."""

from __future__ import annotations

from datetime import date, timedelta

from reunite.domain.doubles import BIRTH_WINDOW_DAYS, FacePair, most_alike
from reunite.domain.leads import Calibration, fit_band
from reunite.domain.scoring import MatchPolicy

# different children's pairs score evenly from 0 to 1: a pair's share is about 1 − its score
POLICY = MatchPolicy(calibration=Calibration((fit_band((0, 200), None, [i / 10000 for i in range(10000)]),)))
BORN = date(2012, 3, 1)


def pair(other: int, similarity: float, other_born: date = BORN, face: int = 1) -> FacePair:
    return FacePair(1, face, BORN, date(2020, 3, 1), 0.0, other, other * 10 + face, other_born, date(2021, 3, 1), 0.0,
                    similarity)


def test_the_most_alike_few_by_their_best_faces_whatever_the_birth_dates() -> None:
    found = most_alike(POLICY, [
        pair(2, 0.9990), pair(2, 0.9999, face=2),  # its best face pair counts
        pair(3, 0.9995, BORN + timedelta(days=3 * 365)),  # born three years later: compared all the same
        pair(4, 0.9992), pair(5, 0.9991),
        pair(6, 0.90),  # no lead by the face: not worth a verifier's look
    ])
    shown = found[1]
    assert [a.pair.other_case_id for a in shown] == [2, 3, 4]  # most alike first, three at most
    assert shown[0].pair.face_id == 2
    assert [a.births_disagree for a in shown] == [False, True, False]
    assert all(a.reading.share is not None and a.reading.share <= POLICY.leads.propose_share for a in shown)


def test_births_a_year_apart_agree_and_a_day_more_disagree() -> None:
    [within] = most_alike(POLICY, [pair(2, 0.9999, BORN + timedelta(days=BIRTH_WINDOW_DAYS))])[1]
    [beyond] = most_alike(POLICY, [pair(2, 0.9999, BORN - timedelta(days=BIRTH_WINDOW_DAYS + 1))])[1]
    assert not within.births_disagree and beyond.births_disagree


def test_without_a_calibration_the_nearest_are_shown_unread() -> None:
    shown = most_alike(MatchPolicy(), [pair(2, 0.5), pair(3, 0.7)])[1]
    assert [a.pair.other_case_id for a in shown] == [3, 2] and shown[0].reading.share is None
