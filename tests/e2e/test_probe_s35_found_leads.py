"""Probe s35: a found child's reports stayed another case's leads (J2): matched and proposed to a look-alike child's
case, with nothing in the workbench saying the child was found, and once confirmed read by that family on its case
page and emailed. A family's sighting page announced a reviewer's decision during its undo window (J4). And a lead's
words still counted, and fused, the report a reviewer dismissed for the case, which the family's trail leaves out
(J5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.errors import Conflict
from reunite.domain.model import CandidateStatus, GeoPoint, NewCase, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import families, grouping, intake, matching, moderation, reunion, review
from reunite.services.accounts import from_session
from tests.conftest import SettableClock, run_jobs, session_for
from tests.e2e.test_probe_s32_found import Found, _client, _report, _reunite, _setup
from tests.e2e.test_probe_s33_review import words_of
from tests.e2e.test_same_photo_again import FIRST, OTHER, _approved, _family_case, _lead_of
from tests.e2e.test_workbench import _form, with_undo
from tests.photos import another_shot, portrait

LEAD_KEYS = ("face_strength", "one_in", "bounded", "together")


def _look_alike(found: Found) -> tuple[int, TestClient]:
    """Another family's verified case whose photo is the found child's face (a look-alike, or the same child
    registered by someone else, born more than a year apart: no duplicate flag); its id and the family's client."""
    deps = found.container.deps
    _, token = session_for(found.container, Role.REPORTER)
    me = from_session(deps, token)
    assert me is not None
    case = NewCase(given_name="Hao", family_name="Alike", sex=Sex.MALE, birth_date=date(1999, 6, 1),
                   missing_since=datetime(2001, 6, 1, tzinfo=UTC), last_seen_place=GeoPoint(31.2, 121.4),
                   police_report="PR-ALIKE-1")
    case_id = intake.register_case(deps, me, case, [Upload(another_shot(portrait("collins", 0)), "h.jpg")],
                                   [date(2001, 1, 1)]).case_id
    moderation.verify_case(deps, OPERATOR, case_id, "police report checked")
    run_jobs(found.container)  # held: possibly the found child registered twice; a moderator rules it out
    for flag in found.police.get(f"/api/cases/{case_id}/look-alikes").json():
        if flag.get("flag_status") == "open":
            grouping.decide_duplicate(deps, OPERATOR, flag["flag_id"], "dismiss", "DNA on file differs", by="Li")
    moderation.verify_case(deps, OPERATOR, case_id, "police report checked")
    run_jobs(found.container)
    assert deps.read.case_head(case_id)["verified_at"] is not None
    return case_id, _client(found.container, token)


def _leads(found: Found, case_id: int) -> dict[int, dict[str, object]]:
    """The case's candidates as a reviewer reads them, by sighting."""
    return {c["sighting_id"]: c for c in found.container.deps.read.candidates(case_id, None)}


def test_a_found_childs_reports_are_no_other_familys_leads(container: Container) -> None:
    """J2: at the reunion the look-alike case's undecided proposals of the found child's reports go; one its
    family wrote on stays, says in the workbench that the child was found and cannot be confirmed; the one a
    reviewer confirmed before stays as history that family no longer reads; a report joining the found trail
    later, and the case matched again, propose nothing."""
    found = _setup(container)
    deps = container.deps
    alike, family = _look_alike(found)
    first, second, third = found.sightings
    before = _leads(found, alike)
    assert {second, third} <= set(before), "the found child's reports should be the look-alike case's leads"
    review.review_candidate(deps, OPERATOR, int(before[second]["id"]), CandidateStatus.CONFIRMED, "same ears")
    cookie = family.cookies.get("reunite_session")
    assert cookie is not None
    owner = from_session(deps, cookie)
    assert owner is not None
    families.propose_sighting(deps, owner, third, alike, "he looks like ours")
    confirmed_face = before[second]["sighting_face_id"]
    assert family.get(f"/api/faces/{confirmed_face}/crop").status_code == 200  # its lead, before the reunion
    assert f"/sightings/{second}" in family.get(f"/cases/{alike}").text

    _reunite(found)
    after = _leads(found, alike)
    assert after[second]["status"] == "confirmed"  # a reviewer's decision stays as history
    assert after[third]["status"] == "proposed" and after[third]["family_words"]  # the family wrote on it: kept
    assert [s for s, c in after.items() if c["status"] == "proposed" and not c["family_words"]] == []
    # the other family no longer reads the found child's report, its face, nor is it counted on its case
    assert [c["sighting_id"] for c in family.get(f"/api/cases/{alike}/candidates").json()] == []
    assert f"/sightings/{second}" not in family.get(f"/cases/{alike}").text
    assert family.get(f"/api/faces/{confirmed_face}/crop").status_code == 404

    # the reviewer is told, and cannot confirm it
    reviewer = _client(container, session_for(container, Role.MODERATOR)[1])
    page = words_of(reviewer.get(f"/workbench/{after[third]['id']}").text)
    assert f"This child was found (case {found.case_id} closed as reunited)" in page
    assert "Confirm: this is the child" not in page
    refused = _form(reviewer, f"/workbench/{after[third]['id']}", action="confirm", take_over="1")
    assert refused.status_code == 409, refused.text
    assert f"this child was found (case {found.case_id} closed as reunited)" in words_of(refused.text)
    with pytest.raises(Conflict, match="this report cannot be confirmed for another case"):
        review.review_candidate(deps, OPERATOR, int(after[third]["id"]), CandidateStatus.CONFIRMED, "", take_over=True)
    assert _leads(found, alike)[third]["status"] == "proposed"
    reviewer_lists = reviewer.get(f"/api/cases/{alike}/candidates").json()
    assert {c["sighting_id"]: c["found_for"] for c in reviewer_lists}[third] == [found.case_id]
    review.review_candidate(deps, OPERATOR, int(after[third]["id"]), CandidateStatus.DISMISSED, "the child was found",
                            take_over=True)  # dismissing stays open

    # a report joining the found trail later, and the look-alike case matched again: no lead
    later = _report(container, 5, 3).sighting_id  # take 0 is the case photo's picture
    run_jobs(container)
    assert deps.read.sighting(later)["group_id"] == deps.read.sighting(first)["group_id"]
    matching.match_case(deps, alike)
    run_jobs(container)
    assert {s for s, c in _leads(found, alike).items() if c["status"] == "proposed"} == set()
    assert later not in _leads(found, alike)


def test_a_familys_sighting_page_reads_a_decision_only_once_its_undo_window_is_over(container: Container) -> None:
    """J4: the case page lists a confirmation once the reviewer's 2 minutes to undo it are over; the sighting page
    said "A reviewer confirmed this sighting for your case" at once, and dropped a dismissed report from the trail."""
    container = with_undo(container)
    case_id, token = _family_case(container)
    first = _approved(container, FIRST, 10)
    other = _approved(container, OTHER, 15)
    reviewer = _client(container, session_for(container, Role.MODERATOR)[1])
    review.review_candidate(container.deps, OPERATOR, _lead_of(reviewer, case_id, first)["id"],
                            CandidateStatus.CONFIRMED, "her coat")
    review.review_candidate(container.deps, OPERATOR, _lead_of(reviewer, case_id, other)["id"],
                            CandidateStatus.DISMISSED, "the time or place does not fit")

    def family_at(minutes: int) -> TestClient:
        clock = SettableClock(datetime.now(UTC) + timedelta(minutes=minutes))
        client = TestClient(create_app(replace(container, deps=replace(container.deps, clock=clock))))
        client.cookies.set("reunite_session", token)
        return client

    now = family_at(0)
    page = words_of(now.get(f"/sightings/{first}").text)
    assert "A reviewer confirmed this sighting for your case" not in page
    assert [t["id"] for t in now.get(f"/api/sightings/{first}").json()["trail"]] == [first, other]
    assert now.get(f"/api/cases/{case_id}/candidates").json() == []  # the case page's rule, the same
    later = family_at(3)
    page = words_of(later.get(f"/sightings/{first}").text)
    assert "A reviewer confirmed this sighting for your case" in page
    assert [t["id"] for t in later.get(f"/api/sightings/{first}").json()["trail"]] == [first]
    assert [c["sighting_id"] for c in later.get(f"/api/cases/{case_id}/candidates").json()] == [first]


def test_a_confirmed_leads_words_count_and_read_only_the_reports_its_family_is_shown(container: Container) -> None:
    """J5: a trail of three; a reviewer dismissed the third for the case. The family's trail shows two, and now so
    do the lead's words ("seen 2 times", "these 2 sightings' faces together"), and its figure is the two faces'
    (as the lead read before the third report came), not one resting on the face the reviewer rejected."""
    case_id, token = _family_case(container)
    first = _approved(container, FIRST, 10)
    other = _approved(container, OTHER, 15)
    reviewer = _client(container, session_for(container, Role.MODERATOR)[1])
    two = _lead_of(reviewer, case_id, first)
    assert two["lead"]["together"] == 2 and two["group_size"] == 2
    third = _approved(container, portrait("collins", 3), 20)
    three = _lead_of(reviewer, case_id, first)
    assert three["lead"]["together"] == 3 and three["group_size"] == 3, "the third report should join the trail"
    assert {k: three["lead"][k] for k in LEAD_KEYS} != {k: two["lead"][k] for k in LEAD_KEYS}
    deps = container.deps
    for sighting_id in (first, other):
        review.review_candidate(deps, OPERATOR, _lead_of(reviewer, case_id, sighting_id)["id"],
                                CandidateStatus.CONFIRMED, "her coat")
    review.review_candidate(deps, OPERATOR, _lead_of(reviewer, case_id, third)["id"], CandidateStatus.DISMISSED,
                            "the time or place does not fit")
    family = TestClient(reviewer.app)
    family.cookies.set("reunite_session", token)
    leads = {c["sighting_id"]: c for c in family.get(f"/api/cases/{case_id}/candidates").json()}
    assert set(leads) == {first, other}
    for lead in leads.values():
        assert lead["group_size"] == 2 and lead["lead"]["together"] == 2
    assert {k: leads[first]["lead"][k] for k in LEAD_KEYS} == {k: two["lead"][k] for k in LEAD_KEYS}
    page = words_of(family.get(f"/cases/{case_id}").text)
    assert "one child seen 2 times" in page and "one child seen 3 times" not in page
    assert "these 3 sightings' faces together" not in page and "these 2 sightings' faces together" in page
    # reviewers read the trail whole, as stored
    assert _lead_of(reviewer, case_id, first)["lead"]["together"] == 3
    assert "these 3 sightings' faces together" in words_of(reviewer.get(f"/cases/{case_id}").text)


def test_a_case_reopened_from_its_reunion_gives_the_withdrawn_proposals_back_without_a_rematch(
        container: Container) -> None:
    """The reunion withdrew the found child's reports' undecided proposals from a look-alike child's case; reopened
    (the reunion recorded in error), those reports are matched again by the reopen's own jobs: the look-alike case's
    reviewers read its proposals again, and its family its confirmed lead, with no operator running ``reunite
    rematch``. The decisions reviewers took stand."""
    found = _setup(container)
    deps = container.deps
    alike, family = _look_alike(found)
    first, second, third = found.sightings
    before = _leads(found, alike)
    assert {second, third} <= set(before), "the found child's reports should be the look-alike case's leads"
    review.review_candidate(deps, OPERATOR, int(before[second]["id"]), CandidateStatus.CONFIRMED, "same ears")
    dismissed = first in before
    if dismissed:
        review.review_candidate(deps, OPERATOR, int(before[first]["id"]), CandidateStatus.DISMISSED, "not his coat")
    _reunite(found)
    run_jobs(container)
    assert third not in _leads(found, alike), "the reunion should withdraw the undecided proposal"
    assert family.get(f"/api/cases/{alike}/candidates").json() == []

    moderation.reopen_case(deps, OPERATOR, found.case_id, "closed as reunited by mistake: another child")
    run_jobs(container)
    after = _leads(found, alike)
    assert after[third]["status"] == "proposed", "the reopened case's reports should be the look-alike's leads again"
    assert after[second]["status"] == "confirmed" and after[second]["id"] == before[second]["id"]
    if dismissed:
        assert after[first]["status"] == "dismissed"
    reviewer = _client(container, session_for(container, Role.MODERATOR)[1])
    assert third in {c["sighting_id"] for c in reviewer.get(f"/api/cases/{alike}/candidates").json()}
    assert [c["sighting_id"] for c in family.get(f"/api/cases/{alike}/candidates").json()] == [second]


def test_a_case_closed_without_its_photos_shows_no_figure_read_from_the_deleted_photos(container: Container) -> None:
    """A trail of three, two confirmed and the third dismissed for the case; the case closed, its family's photos
    deleted. The family's record of its leads read "these 3 sightings' faces together: about 1 in N", a figure of
    faces it no longer keeps (and of a report it was told is not its child's). Now the lead says the photos were
    deleted at the close and gives no figure, on the page and in the API; reviewers read the same."""
    case_id, token = _family_case(container)
    first = _approved(container, FIRST, 10)
    other = _approved(container, OTHER, 15)
    third = _approved(container, portrait("collins", 3), 20)
    reviewer = _client(container, session_for(container, Role.MODERATOR)[1])
    deps = container.deps
    for sighting_id in (first, other):
        review.review_candidate(deps, OPERATOR, _lead_of(reviewer, case_id, sighting_id)["id"],
                                CandidateStatus.CONFIRMED, "her coat")
    review.review_candidate(deps, OPERATOR, _lead_of(reviewer, case_id, third)["id"], CandidateStatus.DISMISSED,
                            "the time or place does not fit")
    family = TestClient(reviewer.app)
    family.cookies.set("reunite_session", token)
    assert "these 2 sightings' faces together" in words_of(family.get(f"/cases/{case_id}").text)

    reunion.close_case(deps, OPERATOR, case_id, reunited=False, keep_data=False)
    removed = "the family's photos were deleted when the case closed: how alike the faces are is no longer read"
    for client in (family, reviewer):
        leads = {c["sighting_id"]: c for c in client.get(f"/api/cases/{case_id}/candidates").json()}
        assert {first, other} <= set(leads)
        for sighting_id in (first, other):
            lead = leads[sighting_id]["lead"]
            assert lead["photos_removed"] and lead["one_in"] is None and not lead["bounded"], lead
            assert lead["when_decided"] is None
        page = words_of(client.get(f"/cases/{case_id}").text)
        assert removed in page
        assert "faces together" not in page and "different children" not in page, page
