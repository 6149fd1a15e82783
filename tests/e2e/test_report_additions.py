"""What a reporter adds through the private link: held for moderation when the report was approved
(families never see words or photos no moderator has seen)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR
from reunite.services import moderation
from tests.conftest import plain_photo, run_jobs
from tests.e2e.test_probe_places import verified_family
from tests.e2e.test_reports_and_places import csrf, private_link, send

SCAM = "REWARD: WeChat SCAMMER-ID-999, send 5000 yuan"


def approved_report(anonymous: TestClient, container: Container) -> tuple[str, int, TestClient]:
    """A passer-by's report a moderator approved, its private link, and a family that browses reports."""
    _, thanks = send(anonymous, key="k-approved", place_text="People's Square", doing="blue coat")
    link = private_link(thanks)
    run_jobs(container)
    with container.engine.connect() as conn:
        sighting_id = int(conn.exec_driver_sql("SELECT id FROM sightings").scalar_one())
    moderation.moderate_sightings(container.deps, OPERATOR, [sighting_id], approve=True)
    family = TestClient(anonymous.app)
    family.cookies.set("reunite_session", verified_family(container)[0])
    seen = family.get(f"/api/sightings/{sighting_id}")
    assert seen.status_code == 200 and "blue coat" in seen.text
    return link, sighting_id, family


def test_details_added_to_an_approved_report_reach_families_only_once_a_moderator_approves(
    anonymous: TestClient, container: Container
) -> None:
    link, sighting_id, family = approved_report(anonymous, container)
    added = anonymous.post(link + "/details", data={"csrf": csrf(anonymous), "details": SCAM})
    assert added.status_code == 200
    assert family.get(f"/api/sightings/{sighting_id}").status_code == 404  # back with the moderators
    moderation.moderate_sightings(container.deps, OPERATOR, [sighting_id], approve=True)
    assert "WeChat" in family.get(f"/api/sightings/{sighting_id}").text  # seen and let through by a moderator


def test_a_photo_added_to_an_approved_report_reaches_families_only_once_a_moderator_approves(
    anonymous: TestClient, container: Container
) -> None:
    link, sighting_id, family = approved_report(anonymous, container)
    files = [("photos", ("other.jpg", plain_photo(seed=5), "image/jpeg"))]
    added = anonymous.post(link + "/photos", files=files, data={"csrf": csrf(anonymous)})
    assert added.status_code == 200
    assert family.get(f"/api/sightings/{sighting_id}").status_code == 404  # back with the moderators
    run_jobs(container)
    moderation.moderate_sightings(container.deps, OPERATOR, [sighting_id], approve=True)
    assert family.get(f"/api/sightings/{sighting_id}").status_code == 200
