"""Probe s20, T1: another account registered an already registered child with its own, different photo
of the child (taken three years later), and no duplicate flag was raised, although the pair read "Strong
lead" everywhere else: the check read the two faces without the photos' ages, in the most cautious age
cell (toddlers'). Verified, the second registration got the first family's child's whole trail. The check
now reads a pair of case photos as a lead reads a case photo against a sighting (the younger photo's
age, the older's hubness, the gap): the second registration is flagged and waits for a moderator; two
different children of about one age, a pair that would be no strong lead, are not flagged.

Real photos of fgnet-dev (REUNITE_CORPUS): subject 065 at 10 and at 13 (a strong pair by its ages, far
from one in the most cautious cell: docs/benchmarks.md, "A child registered twice"); subjects 075 at 3
and 077 at 4, the most alike pair of two children of about one age that the reading leaves unflagged."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.model import GeoPoint, NewCase, Sex, Upload
from reunite.services import intake, moderation
from reunite.services.accounts import from_session
from tests.conftest import run_jobs
from tests.e2e.test_impostor import signed_in
from tests.e2e.test_journeys import csrf

pytestmark = pytest.mark.corpus


def on(birth: date, years: int, days: int = 40) -> date:
    """A day some ``days`` after the child's birthday at ``years``."""
    return birth.replace(year=birth.year + years) + timedelta(days=days)


def first_family(container: Container, photo: bytes, birth: date, age: int) -> int:
    """A family's verified case, its photo taken at ``age``."""
    family, _ = signed_in(container, Role.REPORTER)
    owner = from_session(container.deps, str(family.cookies["reunite_session"]))
    assert owner is not None
    case = NewCase(given_name="Lin", family_name="Chen", sex=Sex.UNKNOWN, birth_date=birth,
                   missing_since=container.deps.clock.now() - timedelta(days=20),
                   last_seen_place=GeoPoint(31.23, 121.47), police_report="PR-2026-1101")
    case_id = intake.register_case(container.deps, owner, case, [Upload(photo, "a.jpg")], [on(birth, age)]).case_id
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report PR-2026-1101 confirmed by phone")
    run_jobs(container)
    return case_id


def second_registration(container: Container, photo: bytes, birth: date, age: int) -> tuple[TestClient, int]:
    """Another account registers a child on the page, with its own photo taken at ``age`` and its date."""
    other, _ = signed_in(container, Role.REPORTER)
    missing = container.deps.clock.now() - timedelta(days=10)
    form = {"csrf": csrf(other, "/cases/new"), "given_name": "Ming", "family_name": "Zhang", "sex": "unknown",
            "birth_date": birth.isoformat(), "missing_since": missing.strftime("%Y-%m-%dT%H:%M"), "tz": "UTC",
            "police_report": "fake-123", "family_contact": "13000000000", "photo_dates": on(birth, age).isoformat()}
    sent = other.post("/cases/new", files=[("photos", ("kid.jpg", photo, "image/jpeg"))], data=form,
                      follow_redirects=False)
    assert sent.status_code == 303, sent.text
    run_jobs(container)  # its faces are found, and the check runs
    return other, int(sent.headers["location"].split("/")[2].split("?")[0])


def births(container: Container) -> tuple[date, date]:
    """Two births 100 days apart (the check compares cases born within a year), 15 years ago."""
    first = container.deps.clock.now().date().replace(month=1, day=10) - timedelta(days=365 * 15)
    return first, first + timedelta(days=100)


def test_the_same_child_registered_again_with_another_photo_years_later_waits_for_a_moderator(
    client: TestClient, container: Container, fgnet: Path
) -> None:
    born, claimed = births(container)
    real = first_family(container, (fgnet / "images/065a10.jpg").read_bytes(), born, 10)
    impostor, fake = second_registration(container, (fgnet / "images/065a13.jpg").read_bytes(), claimed, 13)

    [flag] = client.get("/api/moderation/duplicates").json()
    assert {flag["case_id"], flag["other_case_id"]} == {real, fake} and flag["verification_waits"] == [fake]
    assert flag["lead"]["strength"] == "strong"
    [row] = [r for r in client.get("/api/moderation/queues").json()["cases"] if r["id"] == fake]
    assert [d["other_case_id"] for d in row["doubles"]] == [real]  # said next to Verify
    refused = client.post(f"/api/cases/{fake}/verify", json={"evidence": "police report seen"})
    assert refused.status_code == 409 and f"possibly the same child as case {real}" in refused.json()["detail"]
    assert container.deps.read.case(fake)["verified_at"] is None
    assert impostor.get("/api/sightings").status_code == 403  # no browsing, no leads

    # a moderator who checked says they are different children: then it may be verified
    decided = client.post(f"/api/moderation/duplicates/{flag['id']}",
                          json={"decision": "dismiss", "reason": "DNA on file differs"})
    assert decided.status_code == 204
    assert client.post(f"/api/cases/{fake}/verify", json={"evidence": "police report seen"}).status_code == 204


def test_a_later_registration_verified_before_its_photo_was_read_is_held_once_the_double_is_found(
    client: TestClient, container: Container, fgnet: Path
) -> None:
    """A moderator quicker than the face job verified the second registration: once its other photo of
    the child is read as a double, the registration waits for verification again."""
    born, claimed = births(container)
    real = first_family(container, (fgnet / "images/065a10.jpg").read_bytes(), born, 10)
    impostor, _ = signed_in(container, Role.REPORTER)
    owner = from_session(container.deps, str(impostor.cookies["reunite_session"]))
    assert owner is not None
    case = NewCase(given_name="Ming", family_name="Zhang", sex=Sex.UNKNOWN, birth_date=claimed,
                   missing_since=container.deps.clock.now() - timedelta(days=10), last_seen_place=None,
                   police_report="fake-123")
    fake = intake.register_case(container.deps, owner, case, [Upload((fgnet / "images/065a13.jpg").read_bytes(),
                                                                     "kid.jpg")], [on(claimed, 13)]).case_id
    moderation.verify_case(container.deps, OPERATOR, fake, "police report seen")  # before its faces are known
    assert impostor.get("/api/sightings").status_code == 200
    run_jobs(container)

    state = container.deps.read.case(fake)
    assert state["status"] == "open" and state["verified_at"] is None  # held
    assert container.deps.read.case(real)["verified_at"] is not None
    assert impostor.get("/api/sightings").status_code == 403
    again = client.post(f"/api/cases/{fake}/verify", json={"evidence": "police report seen"})
    assert again.status_code == 409 and f"possibly the same child as case {real}" in again.json()["detail"]


def test_two_children_of_about_one_age_are_not_flagged(
    client: TestClient, container: Container, fgnet: Path
) -> None:
    """Two different children born within a year, as alike as a weak lead would be (about 1 in 1,300
    different children), not as a strong one: the second family's case is verified without waiting."""
    born, other_born = births(container)
    first = first_family(container, (fgnet / "images/075a03.jpg").read_bytes(), born, 3)
    _, second = second_registration(container, (fgnet / "images/077a04.jpg").read_bytes(), other_born, 4)

    assert client.get("/api/moderation/duplicates").json() == []
    [row] = [r for r in client.get("/api/moderation/queues").json()["cases"] if r["id"] == second]
    assert row["doubles"] == []
    assert client.post(f"/api/cases/{second}/verify", json={"evidence": "police report seen"}).status_code == 204
    assert container.deps.read.case(first)["verified_at"] is not None
