"""A sighting's time as the ranking and the words read it (probe s12 F8, F9): a camera clock reset to 1970
is no time, and a time nobody gave (the report's arrival) can make no pair impossible nor unlikely."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from reunite.domain.access import coarse_score
from reunite.domain.model import GeoPoint, SeenAtBasis, Sex
from reunite.domain.scoring import CaseFacts, FaceHit, MatchPolicy, SightingFacts, score_pair
from reunite.domain.times import camera_plausible, offset_name
from reunite.i18n import Language
from reunite.wording import clock_said, seen_when, why

POLICY = MatchPolicy()
SHANGHAI, URUMQI = GeoPoint(31.23, 121.47), GeoPoint(43.8, 87.6)  # 3,300 km apart
MISSING = datetime(2026, 11, 1, 16, tzinfo=UTC)
NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


def test_a_camera_clock_is_a_time_only_between_2000_or_25_years_back_and_now() -> None:
    assert not camera_plausible(datetime(1970, 1, 1, tzinfo=UTC), NOW)
    assert not camera_plausible(datetime(1999, 12, 31, tzinfo=UTC), datetime(2010, 1, 1, tzinfo=UTC))
    assert camera_plausible(datetime(2000, 1, 2, tzinfo=UTC), datetime(2010, 1, 1, tzinfo=UTC))
    assert not camera_plausible(NOW - timedelta(days=365.25 * 25 + 1), NOW)
    assert camera_plausible(NOW - timedelta(days=365.25 * 24), NOW)
    assert not camera_plausible(NOW + timedelta(hours=1), NOW)
    assert camera_plausible(NOW + timedelta(minutes=10), NOW)  # a clock a little ahead


def test_a_report_dated_by_its_arrival_is_never_ruled_out_by_the_time_it_arrived() -> None:
    """Seen 3,300 km away and reported 2 hours after she went missing: as a time the reporter gave, it could
    hardly be her; as the arrival of a report that gave none, it says nothing of when she was seen."""
    case = CaseFacts(1, date(2017, 1, 1), Sex.FEMALE, MISSING, SHANGHAI)
    hits = [FaceHit(1, 0.95, date(2025, 1, 1))]
    seen = MISSING + timedelta(hours=2)
    given = score_pair(POLICY, case, SightingFacts(1, seen, URUMQI, None, Sex.UNKNOWN), hits)
    arrival = score_pair(POLICY, case, SightingFacts(1, seen, URUMQI, None, Sex.UNKNOWN, SeenAtBasis.ARRIVAL), hits)
    assert given.time is not None and given.time < 0.05
    assert arrival.time is None and arrival.total > given.total
    coarse = coarse_score(POLICY, arrival, SHANGHAI, URUMQI)  # as a family reads it: still no time term
    assert coarse.time is None and abs(coarse.total - arrival.total) < 0.001


def test_words_say_a_time_was_not_given_and_how_a_camera_time_was_read() -> None:
    lang = Language("en", "Asia/Shanghai")
    at = datetime(2026, 12, 3, 5, 40, tzinfo=UTC)
    assert seen_when(lang, at, "arrival").replace("\u202f", " ") == \
        "time not given (report received Dec 3, 2026, 1:40 PM China Standard Time)"
    assert seen_when(lang, at, "camera_zone_assumed", "UTC+09:00").endswith("read as UTC+09:00)")
    assert seen_when(lang, at, "given").replace("\u202f", " ") == "Dec 3, 2026, 1:40 PM China Standard Time"
    assert clock_said(lang, "1970-01-01 00:00") == "Jan 1, 1970"
    assert offset_name(datetime(2026, 1, 1, tzinfo=UTC).astimezone(UTC)) == "UTC"
    words = why(lang, {"distance_km": None, "elapsed_days": 3.0, "expected_age": 9.0, "seen_at_basis": "arrival"})
    assert "time seen not given: reported 3 days after the child went missing" in words
    assert "3 days after the child went missing" in why(lang, {"distance_km": None, "elapsed_days": 3.0,
                                                               "expected_age": 9.0})


def test_a_camera_time_read_in_an_assumed_zone_counts_as_off_by_up_to_a_zone() -> None:
    """A zone-less camera time read in an assumed zone may be up to 14 hours off: 4 hours before she went
    missing is possible (not a contradiction), 20 hours before is not; travel is read at the latest time."""
    from reunite.domain.grouping import GroupPolicy, Seen, reachable
    from reunite.domain.scoring import contradictions
    from reunite.domain.times import ZONE_DOUBT

    case = CaseFacts(1, date(2017, 1, 1), Sex.FEMALE, MISSING, SHANGHAI)
    hits = [FaceHit(1, 0.95, date(2025, 1, 1))]

    def scored(hours: float, basis: SeenAtBasis, place: GeoPoint = SHANGHAI) -> float | None:
        facts = SightingFacts(1, MISSING + timedelta(hours=hours), place, None, Sex.UNKNOWN, basis)
        return score_pair(POLICY, case, facts, hits).time

    assert scored(-4, SeenAtBasis.GIVEN) == 0.0 and scored(-4, SeenAtBasis.CAMERA) == 0.0
    assert scored(-4, SeenAtBasis.CAMERA_ZONE_ASSUMED) == 1.0
    assert "time" not in contradictions(Sex.FEMALE, Sex.UNKNOWN, 9.0, None, scored(-4, SeenAtBasis.CAMERA_ZONE_ASSUMED))
    assert scored(-20, SeenAtBasis.CAMERA_ZONE_ASSUMED) == 0.0
    far = scored(2, SeenAtBasis.CAMERA_ZONE_ASSUMED, URUMQI)
    assert far is not None and far > (scored(2, SeenAtBasis.GIVEN, URUMQI) or 0.0)
    facts = SightingFacts(1, MISSING - timedelta(hours=4), URUMQI, None, Sex.UNKNOWN, SeenAtBasis.CAMERA_ZONE_ASSUMED)
    coarse = coarse_score(POLICY, score_pair(POLICY, case, facts, hits), SHANGHAI, URUMQI)  # as a family reads it
    assert coarse.time is not None and coarse.time > 0.0
    assert facts.latest_seen == facts.seen_at + ZONE_DOUBT
    day = Seen(1, MISSING, URUMQI)
    assert not reachable(GroupPolicy(), day, Seen(2, MISSING + timedelta(hours=20), SHANGHAI))
    assert reachable(GroupPolicy(), day, Seen(2, MISSING + timedelta(hours=20), SHANGHAI, ZONE_DOUBT))
