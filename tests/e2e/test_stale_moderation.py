"""A moderator's decision names the report as their page showed it: a report changed since (a photo added
through the reporter's private link, decided by another moderator meanwhile, its child's face marked) is
refused (409) with a clear message and the queue shown again as it is now; nothing is decided unseen, and
no decision is overturned from a page drawn before it. API clients sending no version may only decide a
report still waiting with the photos it came with."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.model import CandidateStatus, GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.services import intake, moderation, review
from reunite.services.accounts import from_session
from tests.conftest import admin_token, newest_sighting, run_jobs, session_for
from tests.e2e.test_journeys import csrf
from tests.e2e.test_reports_and_places import csrf as report_csrf
from tests.e2e.test_reports_and_places import private_link, send
from tests.e2e.test_staff_accounts import audited
from tests.photos import portrait


def _pending(anonymous: TestClient, container: Container, key: str) -> tuple[int, str]:
    """A passer-by's report of a child seen from behind (its photo shows no face), waiting; its link."""
    _, thanks = send(anonymous, key=key, seed=len(key), place_text="Hankou station")
    run_jobs(container)
    sighting_id = newest_sighting(container)
    return sighting_id, private_link(thanks)


def _page(client: TestClient, sighting_id: int) -> dict[str, str]:
    """The reports page's form for one report, as drawn now."""
    page = client.get("/moderation/reports").text
    version = re.search(rf'name="version_{sighting_id}" value="([^"]+)"', page)
    assert version, page[:3000]
    return {"csrf": csrf(client, "/moderation/reports"), "one": str(sighting_id),
            f"version_{sighting_id}": version.group(1), "reason": "not relevant"}


def _signed_in(anonymous: TestClient, container: Container, role: Role = Role.MODERATOR) -> TestClient:
    client = TestClient(anonymous.app)
    client.cookies.set("reunite_session", session_for(container, role)[1])
    return client


def test_a_face_added_after_the_page_was_drawn_is_not_approved_unseen(
    anonymous: TestClient, container: Container
) -> None:
    sighting_id, link = _pending(anonymous, container, "behind")
    moderator = _signed_in(anonymous, container)
    stale = _page(moderator, sighting_id)
    files = [("photos", ("closer.jpg", portrait("collins", 2), "image/jpeg"))]
    assert anonymous.post(link + "/photos", files=files, data={"csrf": report_csrf(anonymous)}).status_code == 200
    run_jobs(container)
    assert container.deps.read.sighting(sighting_id)["child_face_id"] is not None  # its only face, taken as the child's

    refused = moderator.post("/moderation/reports/approve", data=stale, follow_redirects=False)
    assert refused.status_code == 409
    assert (f"report {sighting_id} changed since this page was opened (its reporter added to it, or its faces "
            "changed): look at it again before deciding") in html.unescape(refused.text)
    assert container.deps.read.sighting(sighting_id)["status"] == "pending"
    photos = [p["id"] for p in container.deps.read.sighting(sighting_id)["photos"]]
    assert f"/api/photos/{photos[-1]}?" in refused.text  # shown again, with the photo added
    zh = moderator.post("/moderation/reports/approve", data=stale, headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 409 and "请重新查看" in zh.text

    # an API client that sends no version cannot approve what the reporter added later either
    api = {"Authorization": f"Bearer {admin_token(container)}"}
    blind = anonymous.post("/api/moderation/sightings", json={"ids": [sighting_id], "approve": True}, headers=api)
    assert blind.status_code == 409 and container.deps.read.sighting(sighting_id)["status"] == "pending"

    fresh = moderator.post("/moderation/reports/approve", data=_page(moderator, sighting_id), follow_redirects=False)
    assert fresh.status_code == 303 and container.deps.read.sighting(sighting_id)["status"] == "approved"


def test_a_stale_page_does_not_overturn_another_moderators_rejection(
    anonymous: TestClient, container: Container
) -> None:
    sighting_id, _ = _pending(anonymous, container, "doll")
    moderator = _signed_in(anonymous, container)
    stale = _page(moderator, sighting_id)
    moderation.moderate_sightings(container.deps, OPERATOR, [sighting_id], approve=False, reason="a doll, not a child")

    refused = moderator.post("/moderation/reports/approve", data=stale, follow_redirects=False)
    assert refused.status_code == 409
    assert (f"report {sighting_id} was rejected meanwhile by another moderator (“a doll, not a child”): look at it "
            "again, nothing was changed") in html.unescape(refused.text)
    assert container.deps.read.sighting(sighting_id)["status"] == "rejected"
    on_queue = moderator.post("/moderation/sightings", data={**stale, "ids": str(sighting_id), "action": "approve",
                                                             "csrf": csrf(moderator, "/moderation")})
    assert on_queue.status_code == 409 and container.deps.read.sighting(sighting_id)["status"] == "rejected"

    # the API without a version: only a waiting report is decided; with the version read, a rejection is undone
    api = {"Authorization": f"Bearer {admin_token(container)}"}
    body = {"ids": [sighting_id], "approve": True}
    unread = anonymous.post("/api/moderation/sightings", json=body, headers=api | {"Accept-Language": "zh-CN"})
    # probe s15, N5: nothing happened meanwhile; the caller sent no version of what it read
    assert unread.status_code == 409 and "另一位审核员" not in unread.text
    assert unread.json()["detail"] == (f"报告 {sighting_id} 已有决定：更改决定需要附上"
                                       "您所读报告的版本（在“versions”中发送）；未做任何更改")
    assert unread.json()["field"] == "versions"
    version = anonymous.get(f"/api/sightings/{sighting_id}", headers=api).json()["version"]
    assert version.startswith("rejected.")
    again = anonymous.post("/api/moderation/sightings", json=body | {"versions": {str(sighting_id): version}},
                           headers=api)
    assert again.status_code == 204 and container.deps.read.sighting(sighting_id)["status"] == "approved"


def test_a_stale_page_does_not_reject_a_report_whose_lead_was_confirmed_meanwhile(
    anonymous: TestClient, container: Container
) -> None:
    case_id = intake.register_case(container.deps, OPERATOR, NewCase(
        given_name="Lin", family_name="Zhang", sex=Sex.FEMALE, birth_date=date(1990, 1, 1),
        missing_since=datetime(2004, 6, 1, tzinfo=UTC), last_seen_place=GeoPoint(30.6, 114.3)),
        [Upload(portrait("collins", 0), "c.jpg")], [None]).case_id
    reporter = from_session(container.deps, session_for(container, Role.REPORTER)[1])
    assert reporter is not None
    seen = NewSighting(seen_at=datetime(2005, 6, 1, 8, tzinfo=UTC), place=GeoPoint(30.6, 114.3))
    sighting_id = intake.report_sighting(container.deps, reporter, seen, [Upload(portrait("collins", 2), "s.jpg")]
                                         ).sighting_id
    run_jobs(container)
    moderator = _signed_in(anonymous, container)
    stale = _page(moderator, sighting_id)
    moderation.moderate_sightings(container.deps, OPERATOR, [sighting_id], approve=True)
    run_jobs(container)
    candidate = container.deps.read.candidates(case_id, None)[0]["id"]
    review.review_candidate(container.deps, OPERATOR, candidate, CandidateStatus.CONFIRMED, "same coat")

    refused = moderator.post("/moderation/reports/reject", data=stale, follow_redirects=False)
    assert refused.status_code == 409
    assert (f"report {sighting_id} was approved meanwhile by another moderator: look at it again, nothing was "
            "changed") in html.unescape(refused.text)
    assert container.deps.read.sighting(sighting_id)["status"] == "approved"
    assert [c["status"] for c in container.deps.read.candidates(case_id, None)] == ["confirmed"]
    # the same decision from the stale page (two moderators agreeing) is answered as done
    agreed = moderator.post("/moderation/reports/approve", data=stale, follow_redirects=False)
    assert agreed.status_code == 303
    # probe s15, N5: an API reject without a version was told of another moderator; none had been there
    api = {"Authorization": f"Bearer {admin_token(container)}"}
    unread = anonymous.post("/api/moderation/sightings", json={"ids": [sighting_id], "approve": False,
                                                               "reason": "not her"}, headers=api)
    assert unread.status_code == 409 and unread.json()["detail"] == (
        f"report {sighting_id} was decided already: changing a decision needs the version of the report you read "
        "(send it in “versions”); nothing was changed")
    assert container.deps.read.sighting(sighting_id)["status"] == "approved"


def test_marking_the_childs_face_from_a_stale_page_is_refused(anonymous: TestClient, container: Container) -> None:
    sighting_id, link = _pending(anonymous, container, "mark")
    files = [("photos", ("closer.jpg", portrait("collins", 2), "image/jpeg"))]
    anonymous.post(link + "/photos", files=files, data={"csrf": report_csrf(anonymous)})
    run_jobs(container)
    moderator = _signed_in(anonymous, container)
    page = moderator.get(f"/sightings/{sighting_id}").text
    version = re.search(r'name="version" value="([^"]+)"', page)
    assert version
    files = [("photos", ("third.jpg", portrait("hopper", 1), "image/jpeg"))]
    anonymous.post(link + "/photos", files=files, data={"csrf": report_csrf(anonymous)})
    run_jobs(container)
    sent = {"csrf": csrf(moderator, f"/sightings/{sighting_id}"), "face_id": "", "version": version.group(1),
            "back": f"/sightings/{sighting_id}"}
    refused = moderator.post(f"/sightings/{sighting_id}/child-face", data=sent, follow_redirects=False)
    assert refused.status_code == 409
    assert f"report {sighting_id} changed since this page was opened" in html.unescape(refused.text)
    assert [d for a, s, d in audited(container, "sighting.child_face_marked") if s == sighting_id and a != "system"
            ] == []  # nobody's mark: the report now shows two faces the moderator has not seen
