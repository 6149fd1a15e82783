"""A reporter's private link after a moderator approved the report (probe s40 A2): a time or place given then is
not used at once (a reviewer may have confirmed a lead on the report's time and place): it is added to the report's
details and the report goes back to the moderators, with the same answer for every approved report, so the link
never tells whether a lead was confirmed; once a child was found through the report, it is refused."""

from __future__ import annotations

import html
from datetime import timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR
from reunite.services import moderation, reunion
from tests.conftest import run_jobs
from tests.e2e.test_held_lead import _confirmed_lead, _report
from tests.e2e.test_journeys import csrf
from tests.photos import portrait

HELD = ("Your report was approved before, so what you gave was added to its details for the moderators, who check "
        "it before it is used. Thank you.")


def _give_time(anonymous: TestClient, link: str, when: str) -> str:
    given = anonymous.post(f"{link}/time", data={"csrf": csrf(anonymous, link), "seen_at": when,
                                                 "tz": "Asia/Shanghai"})
    assert given.status_code == 200, given.text
    return html.unescape(given.text)


def test_a_time_given_after_approval_goes_to_the_moderators_and_the_confirmed_lead_keeps_its_own(
    anonymous: TestClient, container: Container
) -> None:
    family, case_id, sighting_id, candidate_id, link = _confirmed_lead(anonymous, container)
    before = container.deps.read.sighting(sighting_id)
    [lead] = family.get(f"/api/cases/{case_id}/candidates").json()
    plain, plain_link = _report(anonymous, container, portrait("hopper", 1))  # another child: no lead
    moderation.moderate_sightings(container.deps, OPERATOR, [plain], approve=True)
    run_jobs(container)

    seen = (container.deps.clock.now() - timedelta(days=60)).astimezone(ZoneInfo("Asia/Shanghai"))
    answers = [_give_time(anonymous, target, f"{seen:%Y-%m-%dT%H:%M}") for target in (link, plain_link)]
    for page in answers:  # the same answer whether or not a lead was confirmed on the report
        assert HELD in page and "The time was added to your report" not in page
    run_jobs(container)

    after = container.deps.read.sighting(sighting_id)
    assert (after["seen_at"], after["seen_at_basis"]) == (before["seen_at"], before["seen_at_basis"])
    assert after["status"] == "pending"  # back with the moderators, who read the time in the details
    assert f"Time seen, given on the report's link: {seen:%Y-%m-%dT%H:%M}" in after["description"]
    [still] = family.get(f"/api/cases/{case_id}/candidates").json()  # not gone from the family
    assert (still["id"], still["status"]) == (candidate_id, "confirmed")
    assert (still["elapsed_days"], still["explanation"]) == (lead["elapsed_days"], lead["explanation"])


def test_a_report_that_helped_find_a_child_keeps_its_time_and_place(anonymous: TestClient,
                                                                    container: Container) -> None:
    _, case_id, sighting_id, _, link = _confirmed_lead(anonymous, container)
    reunion.record_verification(container.deps, OPERATOR, case_id, None, "dna", "match", "")
    reunion.close_case(container.deps, OPERATOR, case_id, reunited=True, keep_data=True)
    before = container.deps.read.sighting(sighting_id)
    seen = (container.deps.clock.now() - timedelta(days=60)).astimezone(ZoneInfo("Asia/Shanghai"))
    refused = anonymous.post(f"{link}/time", data={"csrf": csrf(anonymous, link),
                                                   "seen_at": f"{seen:%Y-%m-%dT%H:%M}", "tz": "Asia/Shanghai"})
    assert refused.status_code == 422
    page = html.unescape(refused.text)
    assert "time and place can no longer be changed" in page and "a child was found" in page
    offered = anonymous.get(link).text
    assert f'action="{link}/time"' not in offered and f'action="{link}/place"' not in offered
    place = anonymous.post(f"{link}/place", data={"csrf": csrf(anonymous, link), "place_text": "Chengdu"})
    assert place.status_code == 422 and "can no longer be changed" in html.unescape(place.text)
    after = container.deps.read.sighting(sighting_id)
    assert (after["seen_at"], after["status"], after["description"]) == (
        before["seen_at"], "approved", before["description"])
