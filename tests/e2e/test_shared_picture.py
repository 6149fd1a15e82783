"""A picture two reports share joins them into one child's trail only as their child faces do: a reporter
who sends a picture circulating in a chat group beside their own snapshot of another child does not make
the two children "the same child seen 2 times" (probe s14 F10); a plain repost of the same child's
picture still joins the trail."""

from __future__ import annotations

from datetime import UTC, datetime

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.model import GeoPoint, NewSighting, Upload
from reunite.services import intake, moderation
from reunite.services.accounts import from_session
from tests.conftest import run_jobs, session_for
from tests.e2e.test_staff_accounts import audited
from tests.photos import portrait

CIRCULATING = portrait("hopper", 2)  # a boy's picture forwarded from one chat group to another


def _report(container: Container, hour: int, *photos: bytes) -> int:
    reporter = from_session(container.deps, session_for(container, Role.REPORTER)[1])
    assert reporter is not None
    seen = NewSighting(seen_at=datetime(2026, 11, 2, hour, tzinfo=UTC), place=GeoPoint(31.23, 121.47),
                       place_text="People's Square")
    uploads = [Upload(photo, f"p{n}.jpg") for n, photo in enumerate(photos)]
    sighting_id = intake.report_sighting(container.deps, reporter, seen, uploads).sighting_id
    run_jobs(container)
    return sighting_id


def _group(container: Container, sighting_id: int) -> int | None:
    return container.deps.read.sighting(sighting_id)["group_id"]


def test_a_shared_picture_does_not_join_two_children(container: Container) -> None:
    boy = _report(container, 8, CIRCULATING)
    moderation.moderate_sightings(container.deps, OPERATOR, [boy], approve=True)
    girl = _report(container, 10, portrait("collins", 2), CIRCULATING)  # her snapshot, and the boy's picture
    shown = container.deps.read.sighting(girl)
    faces, first_photo = shown["faces"], shown["photos"][0]["id"]  # her snapshot, sent first
    her_face = next(f["id"] for f in faces if f["photo_id"] == first_photo)
    moderation.moderate_sightings(container.deps, OPERATOR, [girl], approve=True, child_faces={girl: her_face})
    run_jobs(container)
    assert _group(container, girl) is None and _group(container, boy) is None  # two children, two reports
    assert [s for _, s, _ in audited(container, "sighting.grouped")] == []

    # the same boy's picture sent by another witness: one child, one trail
    again = _report(container, 12, CIRCULATING)
    moderation.moderate_sightings(container.deps, OPERATOR, [again], approve=True)
    run_jobs(container)
    assert _group(container, again) is not None and _group(container, again) == _group(container, boy)
    assert _group(container, girl) is None
