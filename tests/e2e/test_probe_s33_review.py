"""Probe s33: what reviewers and families read of reports and leads. A report placed by its photo's position with no
words showed "—" as its place in the moderators' queues and the workbench, though its reporter was told the city
(G3); the queue card left out the sex the reporter saw and who was with the child, which the moderator needs before
approving."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.leads import reading
from reunite.domain.model import AgeRange, CandidateStatus, GeoPoint, NewSighting, Upload
from reunite.services import intake, moderation, review
from tests.conftest import run_jobs
from tests.e2e.test_place_said import CHENGDU_EAST, gps_photo, report, signed_in, text_of
from tests.e2e.test_same_photo_again import FIRST, OTHER, _approved, _client, _family_case, _lead_of


def words_of(page: str) -> str:
    """A page as read: its text without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text_of(page))).replace(" )", ")").replace("( ", "(")


def test_a_report_placed_by_its_photo_shows_its_city_and_what_the_reporter_saw_in_the_queues(
    anonymous: TestClient, container: Container
) -> None:
    seen = {"sex": "male", "with": "和两个大人在一起"}
    thanks = report(anonymous, gps_photo(*CHENGDU_EAST), client_key="gps", **seen)
    assert "near Chengdu, Sichuan, from your photo's location" in thanks
    moderator = signed_in(anonymous, container, Role.MODERATOR)
    queue = words_of(moderator.get("/moderation/reports").text)
    assert "Place Chengdu, Sichuan (from the photo's location) · 30.62850, 104.13750" in queue
    assert "Sex, as the reporter saw it Boy" in queue and "Who was with the child 和两个大人在一起" in queue
    overview = words_of(moderator.get("/moderation").text)
    assert "Chengdu, Sichuan (from the photo's location)" in overview and "和两个大人在一起" in overview
    in_chinese = words_of(moderator.get("/moderation/reports", params={"lang": "zh_CN"}).text)
    assert "四川省成都市 (根据照片的位置)" in in_chinese


def test_one_trails_faces_read_together_give_one_figure_whatever_age_one_reporter_typed(
    container: Container
) -> None:
    """G4: the faces of a trail fused together were read against the cell of each report's typed apparent age, so
    one set of faces read "1 in 36,000" on five leads and "1 in 7,400" on the sixth."""
    case_id, _ = _family_case(container)
    first = _approved(container, FIRST, 10)
    seen = NewSighting(seen_at=datetime(2005, 3, 1, 15, tzinfo=UTC), place=GeoPoint(31.25, 121.49),
                       place_text="Nanjing road", apparent_age=AgeRange(2, 4))
    aged = intake.report_sighting(container.deps, OPERATOR, seen, [Upload(OTHER, "s.jpg")]).sighting_id
    run_jobs(container)
    moderation.moderate_sightings(container.deps, OPERATOR, [aged], approve=True)
    run_jobs(container)
    reviewer = _client(container, Role.MODERATOR)
    one, other = _lead_of(reviewer, case_id, first), _lead_of(reviewer, case_id, aged)
    assert one["lead"]["together"] == other["lead"]["together"] == 2
    assert one["face_score"] == pytest.approx(other["face_score"], abs=1e-9)
    # the trail's fused face read at a score where the typed age's cell and the photo's age cell disagree (these
    # photos are so alike that both cells bound them alike)
    calibration = container.deps.policy.calibration
    assert calibration is not None
    with container.engine.begin() as conn:
        expected, gap = conn.exec_driver_sql("SELECT expected_age, gap_years FROM candidates WHERE case_id = %s "
                                             "AND sighting_id = %s", (case_id, first)).one()
    photo_age = expected - gap
    policy = container.deps.policy.leads
    score = next(x / 1000 for x in range(300, 1000)
                 if reading(calibration, policy, x / 1000, photo_age, gap).lead.one_in
                 != reading(calibration, policy, x / 1000, photo_age, gap, sighting_age=3.0).lead.one_in)
    with container.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE candidates SET face_score = %s, hubness = 0 WHERE case_id = %s",
                             (score, case_id))
    one, other = _lead_of(reviewer, case_id, first), _lead_of(reviewer, case_id, aged)
    keys = ("face_strength", "one_in", "bounded", "strength")
    assert {k: one["lead"][k] for k in keys} == {k: other["lead"][k] for k in keys}, (one["lead"], other["lead"])


def test_a_family_reads_its_confirmed_sighting_as_confirmed_and_no_dismissed_one_in_its_childs_trail(
    container: Container
) -> None:
    """G6: a family's view of its child's trail listed a report a reviewer had dismissed for its case as fitting in
    time and place, and a sighting confirmed for its case still asked "Is this your child?"."""
    case_id, token = _family_case(container)
    first = _approved(container, FIRST, 10)
    other = _approved(container, OTHER, 15, GeoPoint(31.25, 121.49))
    reviewer = _client(container, Role.MODERATOR)
    review.review_candidate(container.deps, OPERATOR, _lead_of(reviewer, case_id, first)["id"],
                            CandidateStatus.CONFIRMED, "her coat")
    review.review_candidate(container.deps, OPERATOR, _lead_of(reviewer, case_id, other)["id"],
                            CandidateStatus.DISMISSED, "the time or place does not fit")
    family = TestClient(reviewer.app)
    family.cookies.set("reunite_session", token)
    page = words_of(family.get(f"/sightings/{first}").text)
    assert "A reviewer confirmed this sighting for your case" in page and "Is this your child?" not in page
    assert "The same child seen 2 times" not in page  # the dismissed report is no part of the child's trail
    trail = family.get(f"/api/sightings/{first}").json()["trail"]
    assert [t["id"] for t in trail] == [first]
    assert "The same child seen 2 times" in words_of(reviewer.get(f"/sightings/{first}").text)  # reviewers: all
