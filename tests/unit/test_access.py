"""The visibility policy and the offline throttles, on their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reunite.domain.abuse import (
    counted_from,
    free_at,
    pow_bits,
    pow_challenge,
    pow_valid,
    puzzle_bits,
    solve,
    window_start,
)
from reunite.domain.access import (
    ANONYMOUS,
    Permission,
    Principal,
    Role,
    Scope,
    candidate_visible,
    case_view,
    coarsen,
    require,
    ruled_out_faces,
    sighting_view,
    text_shown,
)
from reunite.domain.errors import Forbidden, NotSignedIn

NOW = datetime(2026, 11, 29, 8, tzinfo=UTC)
SECRET = b"test secret"
FAMILY = Principal(role=Role.FAMILY, account_id=1, own_cases=frozenset({5}), verified_cases=frozenset({5}))
UNVERIFIED = Principal(role=Role.FAMILY, account_id=2, own_cases=frozenset({6}))
POLICE = Principal(role=Role.POLICE, account_id=3)
ROW = {"id": 9, "lat": 31.2345678, "lon": 121.4567891, "reporter_contact": "+86 139", "child_face_id": 2,
       "faces": [{"id": 1}, {"id": 2}], "first_face_id": 1, "face_count": 2}


def test_families_see_places_within_a_kilometre_cell_and_no_reporter_contact() -> None:
    shown = sighting_view(FAMILY, ROW)
    assert shown["lat"] == 31.235 and shown["lon"] == 121.455
    assert abs(shown["lat"] - ROW["lat"]) < 0.01 and "reporter_contact" not in shown
    assert [f["id"] for f in shown["faces"]] == [2] and shown["first_face_id"] == 2
    # exact for police: to 6 decimals (about 0.1 m), as every exact place is given out
    assert sighting_view(POLICE, ROW)["lat"] == round(ROW["lat"], 6) and sighting_view(POLICE, ROW)["reporter_contact"]


def test_families_count_only_the_faces_they_are_shown_never_the_bystanders() -> None:
    """Probe s16 P8: two faces, the child's marked: a family is shown one and counts one (the report's and
    its photo's), police both; with no face known to be the child's, none."""
    row = ROW | {"faces": [{"id": 1, "photo_id": 7}, {"id": 2, "photo_id": 7}],
                 "photos": [{"id": 7, "face_count": 2, "processed_at": NOW, "failed_reason": None},
                            {"id": 8, "face_count": 0, "processed_at": NOW, "failed_reason": None}]}
    shown = sighting_view(FAMILY, row)
    assert shown["face_count"] == len(shown["faces"]) == 1
    assert [(p["id"], p["face_count"]) for p in shown["photos"]] == [(7, 1), (8, 0)]
    assert sighting_view(POLICE, row)["face_count"] == 2
    assert sighting_view(POLICE, row)["photos"][0]["face_count"] == 2
    unmarked = sighting_view(FAMILY, row | {"child_face_id": None})
    assert unmarked["face_count"] == 0 and [p["face_count"] for p in unmarked["photos"]] == [0, 0]
    listed = {k: v for k, v in ROW.items() if k != "faces"}  # a listing's row: no faces, the child's face id
    assert sighting_view(FAMILY, listed)["face_count"] == 1


def test_coarse_cells_do_not_shift_with_the_point_inside_them() -> None:
    assert coarsen(31.2301) == coarsen(31.2399) == 31.235
    assert coarsen(-0.001) == -0.005 and coarsen(None) is None


def test_family_contact_only_for_the_family_and_reviewers() -> None:
    case = {"id": 5, "given_name": "Lin", "family_contact": "+86 138", "police_report": "PR-1"}
    assert case_view(FAMILY, case)["family_contact"] == "+86 138"
    assert "family_contact" not in case_view(UNVERIFIED, case) and "police_report" not in case_view(ANONYMOUS, case)
    assert case_view(POLICE, case)["police_report"] == "PR-1"


def test_unverified_families_and_scopes_grant_only_what_they_say() -> None:
    assert FAMILY.can(Permission.BROWSE_SIGHTINGS) and not UNVERIFIED.can(Permission.BROWSE_SIGHTINGS)
    with pytest.raises(Forbidden, match="once a moderator has verified"):
        require(UNVERIFIED, Permission.SEARCH_BY_PHOTO)
    with pytest.raises(NotSignedIn):
        require(ANONYMOUS, Permission.BROWSE_SIGHTINGS)
    reader = Principal(role=Role.PARTNER, token_id=4, scopes=frozenset({Scope.READ_CASES}))
    assert reader.can(Permission.VIEW_ALL_CASES) and not reader.can(Permission.SEE_CONTACTS)
    assert not reader.can(Permission.REPORT_SIGHTING) and reader.actor == "token:4"
    now = datetime(2026, 12, 2, 12, tzinfo=UTC)
    lead = {"status": "confirmed", "sighting_status": "approved", "reviewed_at": now - timedelta(minutes=5)}
    assert candidate_visible(FAMILY, lead, now) and not candidate_visible(FAMILY, lead | {"status": "proposed"}, now)
    assert not candidate_visible(FAMILY, lead | {"sighting_status": "pending"}, now)  # no moderator has looked
    assert not candidate_visible(FAMILY, lead, now - timedelta(minutes=6))  # still within the undo window


def test_a_cases_description_reaches_others_only_as_a_moderator_approved_it() -> None:
    """Probe s20 T2: the family's words may say where the child lives; partners, the public and other families
    read the approved text (nothing before), the family and reviewers the family's own words and that text. The
    distinguishing marks by the same rule."""
    case = {"id": 5, "status": "open", "verified_at": NOW, "description": "home is 漕溪北路595号; red coat",
            "shared_description": "", "last_seen_text": "上海市漕溪北路", "last_seen_city": "Shanghai",
            "marks": "mole; school 漕溪小学", "shared_marks": ""}
    partner = Principal(role=Role.PARTNER, token_id=4, scopes=frozenset({Scope.READ_CASES}))
    other_family = Principal(role=Role.FAMILY, account_id=7, own_cases=frozenset({8}), verified_cases=frozenset({8}))
    for reader in (partner, ANONYMOUS, other_family):
        shown = case_view(reader, case)
        assert (shown["description"], shown["description_withheld"]) == ("", True)
        assert "shared_description" not in shown
        approved = case_view(reader, case | {"shared_description": "red coat"})
        assert (approved["description"], approved["description_withheld"]) == ("red coat", False)
        assert text_shown(reader, case | {"shared_description": "red coat"}, "description") == "red coat"
        assert (shown["marks"], shown["marks_withheld"], "shared_marks" in shown) == ("", True, False)
        assert text_shown(reader, case | {"shared_marks": "a mole"}, "marks") == "a mole"
    for reader in (FAMILY, POLICE):
        shown = case_view(reader, case | {"shared_description": "red coat"})
        assert (shown["description"], shown["shared_description"]) == (case["description"], "red coat")
        assert shown["description_withheld"] is False
        assert (shown["marks"], shown["marks_withheld"]) == (case["marks"], False)


def test_proof_of_work_is_checked_signed_and_expires() -> None:
    challenge = pow_challenge(SECRET, NOW, 8)
    nonce = solve(challenge)
    assert pow_valid(SECRET, challenge, nonce, NOW + timedelta(minutes=5))
    assert not pow_valid(b"other secret", challenge, nonce, NOW)
    assert not pow_valid(SECRET, challenge.replace(".8.", ".1.", 1), nonce, NOW)  # easier puzzle: bad signature
    assert not pow_valid(SECRET, challenge, nonce, NOW + timedelta(hours=3))
    wrong = next(str(n) for n in range(1000) if not pow_valid(SECRET, challenge, str(n), NOW))
    assert not pow_valid(SECRET, challenge, wrong, NOW)


def test_the_puzzle_doubles_its_work_with_each_report_past_an_addresss_free_ones_up_to_its_most() -> None:
    assert [puzzle_bits(14, 20, 10, sent) for sent in (0, 9, 10, 11, 15, 16, 500)] == [14, 14, 15, 16, 20, 20, 20]
    assert puzzle_bits(14, 10, 10, 30) == 14  # a most set below the base: the base
    challenge = pow_challenge(SECRET, NOW, puzzle_bits(4, 9, 2, 5))
    assert pow_bits(challenge) == 8 and pow_valid(SECRET, challenge, solve(challenge), NOW)
    assert pow_bits("no.challenge") == 0


def test_rate_windows_are_fixed_hours() -> None:
    assert window_start(NOW + timedelta(minutes=59), timedelta(hours=1)) == NOW


def test_a_sliding_window_frees_a_request_once_a_whole_window_has_passed_since_its_minute() -> None:
    hour, minute = timedelta(hours=1), timedelta(minutes=1)
    at = NOW + timedelta(minutes=26, seconds=30)
    assert counted_from(at, hour) == NOW + timedelta(minutes=26) - hour
    counts = [(NOW + timedelta(minutes=26), 3), (NOW + timedelta(minutes=40), 2)]
    assert free_at(counts, 5, hour) == NOW + timedelta(minutes=26) + minute + hour  # the oldest three leave
    assert free_at(counts, 4, hour) == NOW + timedelta(minutes=26) + minute + hour
    assert free_at(counts, 2, hour) == NOW + timedelta(minutes=40) + minute + hour  # all five must leave
    assert free_at(counts, 6, hour) is None  # one more fits now


def test_alert_radius_widens_with_time_since_the_disappearance() -> None:
    from reunite.domain.reach import DEFAULT_SCHEDULE, alert_radius, next_widening, parse_schedule

    steps = parse_schedule(DEFAULT_SCHEDULE)
    radii = [alert_radius(steps, timedelta(minutes=m)) for m in (0, 59, 60, 119, 150, 180, 10_000)]
    assert radii == [100, 100, 200, 200, 300, 500, 500]
    assert next_widening(steps, timedelta(minutes=20)) == timedelta(minutes=40)
    assert next_widening(steps, timedelta(hours=5)) is None
    with pytest.raises(Exception, match="end with"):
        parse_schedule("2h:100,1h:200")


def test_secrets_in_urls_never_reach_the_access_log() -> None:
    import logging

    from reunite.entrypoints.cli import RedactSecrets

    for path in ("/subscriptions/3/unsubscribe?t=f00dcafe", "/invite/s3cr3t-token", "/signup/s3cr3t.f00dcafe",
                 "/reports/R7K2/s3cr3tf00dcafe", "/reports/R7K2/s3cr3tf00dcafe/details"):
        record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
                                   ("1.2.3.4", "GET", path, "1.1", 200), None)
        assert RedactSecrets().filter(record)
        assert "f00dcafe" not in record.getMessage() and "s3cr3t" not in record.getMessage()
        assert "…" in record.getMessage()



def test_a_childs_face_rules_out_the_other_faces_of_its_photo_only() -> None:
    """Probe s28 B1: the other faces of the photo that shows the child are someone else's; a face of another
    photo of the report may be the child again; with no face marked, none is ruled out."""
    faces = [(1, 10), (2, 10), (3, 10), (4, 20)]  # (face, photo)
    assert ruled_out_faces(2, faces) == {1, 3}
    assert ruled_out_faces(4, faces) == set()
    assert ruled_out_faces(None, faces) == set()
    confirmed = {"status": "confirmed", "sighting_status": "approved", "reviewed_at": NOW}
    assert candidate_visible(FAMILY, confirmed, NOW, 5)
    assert not candidate_visible(FAMILY, confirmed | {"ruled_out": True}, NOW, 5)  # never a bystander as theirs
    assert candidate_visible(POLICE, confirmed | {"ruled_out": True}, NOW, 5)  # reviewers keep it as history
