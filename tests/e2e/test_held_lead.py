"""A reporter who answers the site's question "when did you see the child?" (or adds a photo) after a
reviewer confirmed a lead on their report: the report goes back to the moderators (nothing the reporter
adds reaches families unseen), but the family's confirmed lead stays listed, saying why its photos are not
shown for now, and the report comes back first in the moderators' queue, as every report held again does, whatever
its leads (probe s14 F11, probe s36 K3)."""

from __future__ import annotations

import html
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.domain.model import CandidateStatus, GeoPoint, NewCase, Sex, Upload
from reunite.services import intake, moderation, moderation_queues, review
from reunite.services.accounts import from_session, issue_token
from tests.conftest import as_read, newest_sighting, run_jobs, session_for
from tests.e2e.test_journeys import csrf
from tests.e2e.test_reports_and_places import csrf as report_csrf
from tests.e2e.test_reports_and_places import private_link
from tests.photos import portrait

CHECKED = ("sighting {id} is being checked again: something was added to it since it was approved, and moderators "
           "are checking the addition; it is shown again once they have")
HELD = "The person who sent this sighting added to it (a photo, words or the time they saw the child)."


def _confirmed_lead(anonymous: TestClient, container: Container) -> tuple[TestClient, int, int, int, str]:
    """A family's verified case and a passer-by's report with no time given, approved, its lead confirmed."""
    _, cookie = session_for(container, Role.REPORTER)
    owner = from_session(container.deps, cookie)
    assert owner is not None
    now = container.deps.clock.now()
    case = NewCase(given_name="Lili", family_name="Wang", sex=Sex.FEMALE, birth_date=date(now.year - 8, 3, 1),
                   missing_since=now - timedelta(days=20), last_seen_place=GeoPoint(31.23, 121.47))
    case_id = intake.register_case(container.deps, owner, case, [Upload(portrait("collins", 0), "c.jpg")],
                                   [None]).case_id
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report checked")
    thanks = anonymous.post("/report", files=[("photos", ("p.jpg", portrait("collins", 2), "image/jpeg"))],
                            data={"csrf": report_csrf(anonymous), "place_text": "People's Square", "lat": "31.23",
                                  "lon": "121.47", "tz": "Asia/Shanghai"})
    assert thanks.status_code == 200
    run_jobs(container)
    sighting_id = newest_sighting(container)
    assert container.deps.read.sighting(sighting_id)["seen_at_basis"] == "arrival"
    moderation.moderate_sightings(container.deps, OPERATOR, [sighting_id], approve=True)
    run_jobs(container)
    [candidate] = container.deps.read.candidates(case_id, None)
    review.review_candidate(container.deps, OPERATOR, candidate["id"], CandidateStatus.CONFIRMED, "same coat")
    family = TestClient(anonymous.app)
    family.cookies.set("reunite_session", cookie)
    assert [(c["id"], c["held_again"]) for c in family.get(f"/api/cases/{case_id}/candidates").json()] == [
        (candidate["id"], False)]
    return family, case_id, sighting_id, candidate["id"], private_link(thanks.text)


def test_a_confirmed_lead_stays_with_the_family_when_its_reporter_gives_the_time(
    anonymous: TestClient, container: Container
) -> None:
    family, case_id, sighting_id, candidate_id, link = _confirmed_lead(anonymous, container)
    seen = (container.deps.clock.now() - timedelta(hours=3)).astimezone(ZoneInfo("Asia/Shanghai"))
    given = anonymous.post(f"{link}/time", data={"csrf": csrf(anonymous, link), "seen_at": f"{seen:%Y-%m-%dT%H:%M}",
                                                 "tz": "Asia/Shanghai"}, follow_redirects=False)
    assert given.status_code == 303
    assert container.deps.read.sighting(sighting_id)["status"] == "pending"  # back with the moderators

    leads = family.get(f"/api/cases/{case_id}/candidates").json()
    assert [(c["id"], c["status"], c["held_again"]) for c in leads] == [(candidate_id, "confirmed", True)]
    page = html.unescape(family.get(f"/cases/{case_id}").text)
    assert HELD in page and f"/api/faces/{leads[0]['sighting_face_id']}/crop" not in page
    assert family.get(f"/api/faces/{leads[0]['sighting_face_id']}/crop").status_code == 404  # no face either
    zh = family.get(f"/cases/{case_id}", headers={"Accept-Language": "zh-CN"}).text
    assert "审核员的确认仍然有效" in zh
    _said_to_be_checked_again(anonymous, container, family, sighting_id)

    # the moderators read that a family waits on it; approved again, the lead is whole again
    moderator = TestClient(anonymous.app)
    moderator.cookies.set("reunite_session", session_for(container, Role.MODERATOR)[1])
    queue = html.unescape(moderator.get("/moderation/reports").text)
    assert "Leads a reviewer confirmed on this report: 1." in queue
    moderation.moderate_sightings(container.deps, OPERATOR, [sighting_id], approve=True,
                                  versions=as_read(container, sighting_id))
    leads = family.get(f"/api/cases/{case_id}/candidates").json()
    assert [(c["id"], c["held_again"]) for c in leads] == [(candidate_id, False)]
    assert family.get(f"/api/sightings/{sighting_id}").status_code == 200
    assert family.get(f"/api/faces/{leads[0]['sighting_face_id']}/crop").status_code == 200


def _said_to_be_checked_again(anonymous: TestClient, container: Container, family: TestClient,
                              sighting_id: int) -> None:
    """The sighting's page and its API answer the family, and a partner's token that read it approved, that it
    is being checked again (it answered 404, as a report that never existed), in their language, and nothing
    of it: no place, no words, no time, no photo."""
    partner = TestClient(anonymous.app, headers={"Authorization": "Bearer " + issue_token(
        container.deps, OPERATOR, "partner", [Scope.READ_SIGHTINGS])})
    for reader in (family, partner):
        api = reader.get(f"/api/sightings/{sighting_id}")
        assert api.status_code == 409, api.text
        assert api.json() == {"detail": CHECKED.format(id=sighting_id), "field": None, "problems": []}
        zh = reader.get(f"/api/sightings/{sighting_id}", headers={"Accept-Language": "zh-CN"}).json()["detail"]
        assert zh.startswith(f"目击报告 {sighting_id} 正在重新审核")
    page = html.unescape(family.get(f"/sightings/{sighting_id}").text)
    assert CHECKED.format(id=sighting_id) in page and "People's Square" not in page and "/api/photos/" not in page
    zh_page = family.get(f"/sightings/{sighting_id}", headers={"Accept-Language": "zh-CN"}).text
    assert f"目击报告 {sighting_id} 正在重新审核" in zh_page
    hong_kong = family.get(f"/sightings/{sighting_id}", headers={"Accept-Language": "zh-HK"}).text
    assert "正在重新審核" in hong_kong and f"線索 {sighting_id}" not in hong_kong  # a sighting, never a lead
    never_approved = anonymous.post("/report", files=[("photos", ("n.jpg", portrait("hopper", 2), "image/jpeg"))],
                                    data={"csrf": report_csrf(anonymous), "place_text": "Hankou"})
    assert never_approved.status_code == 200
    waiting = newest_sighting(container)  # pending, never approved: as if it did not exist, as before
    for reader in (family, partner):
        assert reader.get(f"/api/sightings/{waiting}").status_code == 404


def _report(anonymous: TestClient, container: Container, photo: bytes) -> tuple[int, str]:
    """A passer-by's report, its faces found, waiting for a moderator: its id and private link."""
    thanks = anonymous.post("/report", files=[("photos", ("o.jpg", photo, "image/jpeg"))],
                            data={"csrf": report_csrf(anonymous), "place_text": "Hankou"})
    assert thanks.status_code == 200
    run_jobs(container)
    return newest_sighting(container), private_link(thanks.text)


def test_reports_held_again_come_first_by_how_long_they_waited_whatever_their_leads(
    anonymous: TestClient, container: Container
) -> None:
    """Probe s36 K3: a report with a confirmed lead jumped the queue when its reporter added to it, so that how
    soon it came back approved told the reporter it was confirmed for a child. Every report held again comes
    before new ones (a family may wait on it), first the one held longest; the moderator still reads its leads."""
    family, case_id, sighting_id, _, link = _confirmed_lead(anonymous, container)
    plain, plain_link = _report(anonymous, container, portrait("hopper", 1))  # no lead: another child
    moderation.moderate_sightings(container.deps, OPERATOR, [plain], approve=True)
    run_jobs(container)
    assert "confirmed" not in {c["status"] for c in container.deps.read.candidates(None, None, plain)}
    new, _ = _report(anonymous, container, portrait("hopper", 2))  # waiting before both additions below
    for added in (plain_link, link):  # the report without a lead is added to first
        told = anonymous.post(added + "/details", data={"csrf": report_csrf(anonymous), "details": "a yellow cap"})
        assert told.status_code == 200
    run_jobs(container)
    assert [c["held_again"] for c in family.get(f"/api/cases/{case_id}/candidates").json()] == [True]
    queue = moderation_queues.queue_overview(container.deps, OPERATOR)["sightings"]
    assert [r["id"] for r in queue] == [plain, sighting_id, new]  # the lead does not jump the report held before
    assert [r["confirmed_leads"] for r in queue] == [0, 1, 0]  # the moderator reads who waits on it
    moderator = TestClient(anonymous.app)
    moderator.cookies.set("reunite_session", session_for(container, Role.MODERATOR)[1])
    assert "Leads a reviewer confirmed on this report: 1." in html.unescape(moderator.get("/moderation/reports").text)
