"""The review queue does not flood: a report's photos of one child, its reposts and a trail of sightings
of one child are one workbench item per case, and a decision on it applies as a moderator expects."""

from __future__ import annotations

from datetime import UTC, datetime

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Principal, Role
from reunite.domain.model import GeoPoint, NewSighting, Upload
from reunite.domain.workbench import Action
from reunite.services import intake, moderation, reports, workbench
from tests.conftest import run_jobs
from tests.e2e.test_workbench import loop
from tests.photos import portrait

ANN = Principal(role=Role.MODERATOR, account_id=901)


def test_a_report_with_two_photos_of_one_child_is_one_candidate_and_one_item(container: Container) -> None:
    world = loop(container, photos=())
    deps = container.deps
    seen = NewSighting(seen_at=datetime(2006, 6, 1, tzinfo=UTC), place=GeoPoint(30.5, 114.3), place_text="Hankou")
    uploads = [Upload(portrait("collins", 1), "a.jpg"), Upload(portrait("collins", 2), "b.jpg")]
    sighting_id = intake.report_sighting(deps, OPERATOR, seen, uploads).sighting_id
    run_jobs(container)
    assert len(container.deps.read.sighting(sighting_id)["photos"]) == 2
    rows = deps.read.candidates(world.case_id, None)
    assert [r["sighting_id"] for r in rows] == [sighting_id]  # one candidate for the report and the case
    first = workbench.next_candidate(deps, ANN)
    assert first is not None
    shown = workbench.item(deps, ANN, first)
    assert len(shown["sighting"]["photos"]) == 2  # the moderator sees both photos
    assert shown["progress"]["left"] == 1


def test_a_closer_photo_added_to_a_dismissed_report_does_not_ask_the_moderator_again(container: Container) -> None:
    world = loop(container, photos=())
    deps = container.deps
    seen = NewSighting(seen_at=datetime(2006, 6, 1, tzinfo=UTC), place=GeoPoint(30.5, 114.3), place_text="Hankou")
    sent = intake.report_sighting(deps, OPERATOR, seen, [Upload(portrait("collins", 1), "far.jpg")])
    sighting_id, receipt = sent.sighting_id, sent.receipt
    run_jobs(container)
    first = workbench.next_candidate(deps, ANN)
    assert first is not None
    assert workbench.decide(deps, ANN, first, Action.DISMISS, "1") == "dismissed"
    added = intake.add_report_photos(deps, receipt, reports.link_token(deps, receipt),
                                     [Upload(portrait("collins", 2), "closer.jpg")])
    assert added == 1
    run_jobs(container)
    moderation.moderate_sightings(deps, OPERATOR, [sighting_id], approve=True)
    run_jobs(container)
    rows = deps.read.candidates(world.case_id, None)
    assert [(r["sighting_id"], r["status"]) for r in rows] == [(sighting_id, "dismissed")]  # the decision stands
    assert workbench.next_candidate(deps, ANN) is None  # and nobody is asked again
