"""A group of sightings of one child is matched as one fused face (``domain.grouping.fuse_group``): when
the group changes (another sighting of the child joins it, a member is rejected, its child's face is
marked), the group's stored candidates are scored again, so a reviewer, the family searching by photo and
a partner's API read the same pair's band at the same time, and a reviewer's decision stays as it was."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Principal, Role
from reunite.domain.model import CandidateStatus, GeoPoint, NewCase, NewSighting, PhotoOwner, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import intake, moderation, review, search
from reunite.services.accounts import from_session
from reunite.services.grouping import group_changed
from reunite.services.matching import process_and_match, rescore_group
from tests.conftest import as_read, run_jobs, session_for
from tests.photos import another_shot, portrait, side_by_side


def case_photo() -> bytes:
    """The family's own photo of the child: another shot, no copy of the reports' pictures (``another_shot``)."""
    return another_shot(portrait("collins", 0))


def _reading(lead: dict[str, Any]) -> tuple[Any, ...]:
    return lead["strength"], lead["one_in"], lead["bounded"], lead["gap_years"], lead["long_gap"]


def _candidates(container: Container) -> dict[int, tuple[Any, ...]]:
    """Every stored candidate: id → (case, sighting face, status, reviewer, score)."""
    with container.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT id, case_id, sighting_face_id, status, reviewed_by, score "
                                    "FROM candidates ORDER BY id").all()
    return {int(r[0]): tuple(r[1:]) for r in rows}


def _group_of(container: Container, sighting_id: int) -> int | None:
    with container.engine.connect() as conn:
        value = conn.exec_driver_sql("SELECT group_id FROM sightings WHERE id = %s", (sighting_id,)).scalar()
    return None if value is None else int(value)


NEAR = GeoPoint(31.24, 121.48)  # Nanjing road, a kilometre from where the child was last seen


def _sighting(container: Container, photo: bytes, hour: int, place: GeoPoint | None = NEAR) -> int:
    seen = NewSighting(seen_at=datetime(2005, 3, 1, hour, tzinfo=UTC), place=place, place_text="Nanjing road")
    sighting = intake.report_sighting(container.deps, OPERATOR, seen, [Upload(photo, "s.jpg")]).sighting_id
    run_jobs(container)
    # approved on arrival; one showing several faces waits again once they are found, and is approved with
    # none marked as the child's (the moderator says it is not among them; a test marks it later); an only
    # face is the child's
    several = len(container.deps.read.sighting(sighting)["faces"]) > 1
    moderation.moderate_sightings(container.deps, OPERATOR, [sighting], approve=True,
                                  child_faces={sighting: None} if several else {})
    run_jobs(container)
    return sighting


class Family:
    def __init__(self, container: Container) -> None:
        _, self.token = session_for(container, Role.REPORTER)
        case = NewCase(given_name="Lin", family_name="Family", sex=Sex.FEMALE, birth_date=date(2000, 1, 1),
                       missing_since=datetime(2002, 6, 1, 8, tzinfo=UTC), last_seen_place=GeoPoint(31.23, 121.47))
        me = from_session(container.deps, self.token)
        assert me is not None
        self.case_id = intake.register_case(container.deps, me, case, [Upload(case_photo(), "c.jpg")],
                                            [date(2002, 1, 1)]).case_id
        moderation.verify_case(container.deps, OPERATOR, self.case_id, "police report seen")
        run_jobs(container)
        self.container = container

    @property
    def principal(self) -> Principal:
        found = from_session(self.container.deps, self.token)  # with the case verified
        assert found is not None
        return found

    def client(self) -> TestClient:
        client = TestClient(create_app(self.container))
        client.cookies.set("reunite_session", self.token)
        return client


def _everyone_reads(client: TestClient, family: Family, candidate_id: int, face_id: int) -> dict[str, Any]:
    """The pair as a reviewer reads it on the case's shortlist and in a search, as the family reads it
    there (once confirmed) and in a search by its child's photo for its case (no raw score: the band,
    "1 in N" and words), and as a partner's API search reads it."""
    container, case_id = family.container, family.case_id
    photo = case_photo()
    read = {"reviewer": next(c for c in client.get(f"/api/cases/{case_id}/candidates").json()
                             if c["id"] == candidate_id)}
    with family.client() as own:
        shown = [c for c in own.get(f"/api/cases/{case_id}/candidates").json() if c["id"] == candidate_id]
    if shown:
        read["family"] = shown[0]
    searched = search.search_by_photo(container.deps, family.principal, photo, 50, case_id)
    partner = client.post(f"/api/search?case_id={case_id}", files={"photo": ("c.jpg", photo, "image/jpeg")})
    assert partner.status_code == 200, partner.text
    read["family search"] = next(h for h in searched if h["face_id"] == face_id)
    assert read["family search"]["score"] is None  # a raw score is for reviewers only
    reviewed = search.search_by_photo(container.deps, OPERATOR, photo, 50, case_id)
    read["reviewer search"] = next(h for h in reviewed if h["face_id"] == face_id)
    read["partner search"] = next(h for h in partner.json() if h["face_id"] == face_id)
    return read


def _same_for_everyone(read: dict[str, Any]) -> None:
    assert len({_reading(row["lead"]) for row in read.values()}) == 1, read


def test_a_second_sighting_joining_the_group_rescores_its_candidates_for_everyone_alike(
    client: TestClient, container: Container
) -> None:
    family = Family(container)
    first = _sighting(container, portrait("collins", 1), 10)
    [(candidate_id, (case_id, face_id, _, _, alone))] = [
        (i, row) for i, row in _candidates(container).items() if row[0] == family.case_id]
    review.review_candidate(container.deps, OPERATOR, candidate_id, CandidateStatus.CONFIRMED, "her coat")

    second = _sighting(container, portrait("collins", 2), 15, GeoPoint(31.25, 121.49))
    group = _group_of(container, second)
    assert group is not None and _group_of(container, first) == group, "the same child, an hour apart"
    after = _candidates(container)
    kept = after[candidate_id]
    assert kept[:4] == (case_id, face_id, "confirmed", OPERATOR.actor), "the reviewer's decision stays"
    assert kept[4] != pytest.approx(alone, abs=1e-6), "scored again with the group's fused face"

    _same_for_everyone(_everyone_reads(client, family, candidate_id, face_id))

    assert rescore_group(container.deps, group) == 0  # the jobs run again: nothing new, nothing moved
    assert process_and_match(container.deps, PhotoOwner.SIGHTING, second) == 0
    assert _candidates(container) == after

    # the group changing again and again before the job runs queues one job, not one per change
    for _ in range(3):
        with container.deps.uow() as uow:
            group_changed(container.deps, uow, first)
            uow.commit()
    with container.engine.connect() as conn:
        waiting = conn.exec_driver_sql("SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo' "
                                       "AND task_name = 'matching.rescore_group'").scalar()
    assert waiting == 1


def test_a_waiting_proposal_reads_as_in_the_familys_search_while_its_group_grows_and_shrinks(
    client: TestClient, container: Container
) -> None:
    """Before a reviewer confirms it, the family does not see the candidate, but a search by its child's
    photo reads the same pair: the same number as the reviewer's (the sightings have no place, so the
    family's reading of places by grid cell changes nothing), when the group grows and when a member is
    rejected from it (the others then read their own score again)."""
    family = Family(container)
    _sighting(container, portrait("collins", 1), 10, None)
    [(candidate_id, (_, face_id, _, _, alone))] = [
        (i, row) for i, row in _candidates(container).items() if row[0] == family.case_id]
    second = _sighting(container, portrait("collins", 2), 15, None)
    grouped = _everyone_reads(client, family, candidate_id, face_id)
    assert "family" not in grouped and grouped["reviewer"]["status"] == "proposed"
    assert grouped["reviewer"]["score"] != pytest.approx(alone, abs=1e-4), "scored with the group's fused face"
    assert grouped["reviewer search"]["score"] == pytest.approx(grouped["reviewer"]["score"], abs=1e-4)
    _same_for_everyone(grouped)

    moderation.moderate_sightings(container.deps, OPERATOR, [second], approve=False, reason="not a child",
                                  versions=as_read(container, second))
    run_jobs(container)
    assert _candidates(container)[candidate_id][4] == pytest.approx(alone, abs=1e-9)
    again = _everyone_reads(client, family, candidate_id, face_id)
    assert again["reviewer search"]["score"] == pytest.approx(alone, abs=1e-4)
    _same_for_everyone(again)


def test_a_bystanders_look_alike_never_drags_the_childs_candidate(client: TestClient, container: Container) -> None:
    """A photo of the child beside a stranger never joins the group of the stranger's other sightings (by
    the stranger's face): neither while its two faces are unmarked nor once the moderator marks the child's;
    the child's candidate is never scored as the mean of two different people, and reads the same for the
    reviewer as in the family's search."""
    family = Family(container)
    stranger = _sighting(container, portrait("hopper", 1), 9)
    both = _sighting(container, side_by_side(portrait("collins", 1), portrait("hopper", 3), gap=40), 10)
    assert _group_of(container, both) is None and _group_of(container, stranger) is None
    face_id = min(container.deps.read.sighting(both)["faces"], key=lambda f: f["box_left"])["id"]  # the child's
    [(candidate_id, (_, _, _, _, alone))] = [
        (i, row) for i, row in _candidates(container).items() if row[:2] == (family.case_id, face_id)]
    review.review_candidate(container.deps, OPERATOR, candidate_id, CandidateStatus.CONFIRMED, "")
    moderation.mark_child_face(container.deps, OPERATOR, both, face_id)
    run_jobs(container)
    assert _group_of(container, both) is None and _group_of(container, stranger) is None
    assert _candidates(container)[candidate_id][4] == pytest.approx(alone, abs=1e-9)
    _same_for_everyone(_everyone_reads(client, family, candidate_id, face_id))


def test_a_confirmed_candidate_that_would_no_longer_be_proposed_is_scored_again_all_the_same(
    client: TestClient, container: Container
) -> None:
    """Matching keeps a reviewed candidate whatever its pair's score becomes: that score is refreshed too,
    though the pair is no longer among the sighting's proposals (here: an operator's stricter operating
    point, under which nothing is proposed)."""
    family = Family(container)
    first = _sighting(container, portrait("collins", 1), 10)
    [(candidate_id, (_, _, _, _, alone))] = [
        (i, row) for i, row in _candidates(container).items() if row[0] == family.case_id]
    review.review_candidate(container.deps, OPERATOR, candidate_id, CandidateStatus.CONFIRMED, "")
    policy = container.deps.policy
    strict = replace(policy, leads=replace(policy.leads, propose_share=1e-12))
    container = replace(container, deps=replace(container.deps, policy=strict))
    family.container = container

    second = _sighting(container, portrait("collins", 2), 15, GeoPoint(31.25, 121.49))
    assert _group_of(container, first) == _group_of(container, second) is not None
    after = _candidates(container)
    assert [i for i, row in after.items() if row[0] == family.case_id] == [candidate_id]  # none proposed
    assert after[candidate_id][2] == "confirmed" and after[candidate_id][4] != pytest.approx(alone, abs=1e-6)
    with TestClient(create_app(container), headers=client.headers) as reviewer:  # the same operating point
        read = {"reviewer": next(c for c in reviewer.get(f"/api/cases/{family.case_id}/candidates").json()
                                 if c["id"] == candidate_id)}
    with family.client() as own:
        read["family"] = next(c for c in own.get(f"/api/cases/{family.case_id}/candidates").json()
                              if c["id"] == candidate_id)
    assert read["reviewer"]["score"] == pytest.approx(after[candidate_id][4], abs=1e-9)
    assert _reading(read["reviewer"]["lead"]) == _reading(read["family"]["lead"])
