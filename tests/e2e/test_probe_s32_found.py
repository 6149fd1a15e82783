"""Probe s32 F2 and F4: a found child's reports left every family's and partner's view on the day of the reunion, then
came back for good when the case expired (or was removed), when the confirmed report was withdrawn, and for days
when its reporter added a detail (its report answering "being checked again" meanwhile), because "found" was read
anew from the case's, the candidate's and the trail's state at every query. It is recorded now, when the case is
closed as reunited. And another family's "Sent to the reviewers" kept listing them, with times and places, even
after that family's own case was rejected."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.domain.model import CandidateStatus, GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import families, intake, moderation, queries, reports, retention, reunion, review
from reunite.services.accounts import from_session, issue_token
from reunite.services.intake import SightingReceipt
from tests.conftest import SettableClock, run_jobs, session_for
from tests.photos import another_shot, portrait

STATION = (GeoPoint(30.5, 114.3), "Hankou station")


@dataclass
class Found:
    container: Container
    case_id: int
    sightings: list[int]  # the child's trail, the first confirmed for the case
    receipts: list[str]
    lead: int  # the confirmed candidate
    family: TestClient  # another family, its own case verified
    family_case: int
    partner: TestClient  # a read:sightings token
    police: TestClient


def _client(container: Container, cookie: str = "", bearer: str = "") -> TestClient:
    client = TestClient(create_app(container))
    if cookie:
        client.cookies.set("reunite_session", cookie)
    if bearer:
        client.headers["Authorization"] = f"Bearer {bearer}"
    return client


def _report(container: Container, day: int, take: int, person: str = "collins",
            where: tuple[GeoPoint, str] = STATION) -> SightingReceipt:
    seen = NewSighting(seen_at=datetime(2006, 6, day, tzinfo=UTC), place=where[0], place_text=where[1])
    return intake.report_sighting(container.deps, OPERATOR, seen, [Upload(portrait(person, take), f"c{take}.jpg")])


def _setup(container: Container) -> Found:
    """A verified case of a boy and three approved reports of him at one station days apart (one trail), the
    first confirmed; another family with its own verified case; a partner; police."""
    deps = container.deps
    _, token = session_for(container, Role.REPORTER)
    owner = from_session(deps, token)
    assert owner is not None
    case = NewCase(given_name="Lin", family_name="Found", sex=Sex.MALE, birth_date=date(1998, 1, 1),
                   missing_since=datetime(2000, 6, 1, tzinfo=UTC), last_seen_place=GeoPoint(31.2, 121.4))
    photo = another_shot(portrait())  # the family's own photo: no copy of the reports' pictures
    case_id = intake.register_case(deps, owner, case, [Upload(photo, "a.jpg")], [date(2000, 1, 1)]).case_id
    moderation.verify_case(deps, OPERATOR, case_id, "police report seen")
    sent = [_report(container, 1 + n, 1 + n) for n in range(3)]
    _, cookie = session_for(container, Role.REPORTER)
    other = from_session(deps, cookie)
    assert other is not None
    theirs = NewCase(given_name="Wen", family_name="Other", sex=Sex.MALE, birth_date=date(2001, 1, 1),
                     missing_since=datetime(2003, 6, 1, 8, tzinfo=UTC), last_seen_place=GeoPoint(31.2, 121.4),
                     police_report="PR-OTHER-1")
    family_case = intake.register_case(deps, other, theirs, [Upload(portrait("hopper", 2), "c.jpg")],
                                       [date(2003, 1, 1)]).case_id
    moderation.verify_case(deps, OPERATOR, family_case, "police report checked")
    run_jobs(container)
    sightings = [r.sighting_id for r in sent]
    groups = {deps.read.sighting(s)["group_id"] for s in sightings}
    assert len(groups) == 1 and None not in groups, "the three reports should make one trail"
    [lead] = [c["id"] for c in deps.read.candidates(case_id, None) if c["sighting_id"] == sightings[0]]
    review.review_candidate(deps, OPERATOR, lead, CandidateStatus.CONFIRMED, "")
    partner = issue_token(deps, OPERATOR, "partner", [Scope.READ_SIGHTINGS])
    police = session_for(container, Role.POLICE)[1]
    return Found(container, case_id, sightings, [r.receipt for r in sent], lead, _client(container, cookie),
                 family_case, _client(container, bearer=partner), _client(container, police))


def _reunite(found: Found) -> None:
    deps = found.container.deps
    reunion.record_verification(deps, OPERATOR, found.case_id, found.lead, "dna", "match", "")
    reunion.close_case(deps, OPERATOR, found.case_id, reunited=True, keep_data=True)


def _shown(found: Found, client: TestClient, sighting_ids: list[int]) -> dict[str, set[int]]:
    """Which of these reports the client opens (API and page), whose photo and face crop it gets, which it
    lists, and which a search with another photo of the child finds."""
    deps = found.container.deps
    listed = {s["id"] for s in client.get("/api/sightings", params={"limit": 200}).json()["items"]}
    hits = client.post("/api/search", files={"photo": ("s.jpg", portrait("collins", 0), "image/jpeg")}).json()
    seen: dict[str, set[int]] = {"api": set(), "page": set(), "photo": set(), "crop": set()}
    for sighting_id in sighting_ids:
        row = deps.read.sighting(sighting_id)
        paths = {"api": f"/api/sightings/{sighting_id}", "page": f"/sightings/{sighting_id}",
                 "photo": f"/api/photos/{row['photos'][0]['id']}" if row["photos"] else "",
                 "crop": f"/api/faces/{row['faces'][0]['id']}/crop" if row["faces"] else ""}
        for what, path in paths.items():
            if path and client.get(path).status_code == 200:
                seen[what].add(sighting_id)
    return seen | {"listed": listed & set(sighting_ids),
                   "searched": {h["sighting_id"] for h in hits if isinstance(h, dict)} & set(sighting_ids)}


def _hidden(found: Found, sighting_ids: list[int]) -> None:
    """Neither the other family nor the partner opens, lists or finds any of them (a family searches by photo for
    its own child only: ``test_probe_s32_search``); police still do."""
    for who in (found.family, found.partner):
        assert _shown(found, who, sighting_ids) == {k: set() for k in
                                                   ("api", "page", "photo", "crop", "listed", "searched")}
    police = _shown(found, found.police, sighting_ids)
    assert police["api"] == set(sighting_ids) and police["listed"] == set(sighting_ids)


def test_before_the_reunion_every_report_of_the_trail_is_shown(container: Container) -> None:
    found = _setup(container)
    shown = _shown(found, found.partner, found.sightings)
    assert shown["api"] == shown["listed"] == shown["searched"] == set(found.sightings)
    _reunite(found)
    _hidden(found, found.sightings)


def test_a_found_childs_reports_stay_hidden_once_the_case_expires(container: Container) -> None:
    """A: every reunion expires after 180 days (``blank_case``): the case is no longer 'reunited'."""
    found = _setup(container)
    _reunite(found)
    deps = container.deps
    later = SettableClock(datetime.now(UTC) + deps.limits.closed_case_retention + timedelta(days=1))
    retention.expire(replace(deps, clock=later))
    assert deps.read.case_head(found.case_id)["status"] == "expired"
    _hidden(found, found.sightings)


def test_a_found_childs_reports_stay_hidden_once_the_confirmed_report_is_withdrawn(container: Container) -> None:
    """B: the confirmed report's reporter withdraws it; its candidate and the check go with it."""
    found = _setup(container)
    _reunite(found)
    receipt = found.receipts[0]
    reports.withdraw(container.deps, receipt, reports.link_token(container.deps, receipt), sure=True)
    assert container.deps.read.sighting_head(found.sightings[0])["status"] == "withdrawn"
    _hidden(found, found.sightings[1:])


def test_a_found_childs_reports_stay_hidden_when_the_confirmed_reports_reporter_adds_to_it(
    container: Container
) -> None:
    """C: the confirmed report goes back to the moderators, out of its trail; it reads as one that does not exist
    (404), not "being checked again" (409), and the rest of its trail stays hidden, then and once approved again."""
    found = _setup(container)
    _reunite(found)
    deps = container.deps
    receipt, confirmed = found.receipts[0], found.sightings[0]
    reports.add_details(deps, receipt, reports.link_token(deps, receipt), "He was wearing a yellow cap", "")
    assert deps.read.sighting(confirmed)["group_id"] is None and deps.read.sighting_head(confirmed)["held_again"]
    for who in (found.family, found.partner):
        assert who.get(f"/api/sightings/{confirmed}").status_code == 404
    _hidden(found, found.sightings[1:])
    moderation.moderate_sightings(deps, OPERATOR, [confirmed], approve=True)
    run_jobs(container)
    _hidden(found, found.sightings)


def test_a_report_joining_a_found_childs_trail_later_is_hidden_and_a_reopened_case_shows_the_trail_again(
    container: Container
) -> None:
    found = _setup(container)
    _reunite(found)
    later = _report(container, 5, 3).sighting_id  # the child seen again (take 0 is the case photo's picture)
    run_jobs(container)
    deps = container.deps
    assert deps.read.sighting(later)["group_id"] == deps.read.sighting(found.sightings[0])["group_id"]
    _hidden(found, [*found.sightings, later])
    moderation.reopen_case(deps, OPERATOR, found.case_id, "closed as reunited by mistake: another child")
    shown = _shown(found, found.partner, [*found.sightings, later])
    assert shown["api"] == shown["listed"] == {*found.sightings, later}


def test_another_familys_sent_list_drops_a_found_child_and_follows_its_own_cases_rights(container: Container) -> None:
    """F4: the other family marked two of the child's reports as possibly its own; once the child is found they
    leave its "Sent to the reviewers"; once its own case is rejected, no report's time or place stays there."""
    found = _setup(container)
    deps = container.deps
    cookie = found.family.cookies.get("reunite_session")
    assert cookie is not None
    family = from_session(deps, cookie)
    assert family is not None
    unrelated = _report(container, 20, 1, "hopper", (GeoPoint(39.9, 116.4), "Beijing West"))  # another child
    run_jobs(container)
    for sighting_id in (*found.sightings[:2], unrelated.sighting_id):
        families.propose_sighting(deps, family, sighting_id, found.family_case, "the same ears")

    def sent() -> list[dict[str, object]]:
        return queries.family_sent(deps, from_session(deps, cookie) or family, found.family_case)

    rows = {r["sighting_id"]: r for r in sent()}
    assert set(rows) == {*found.sightings[:2], unrelated.sighting_id}
    city = str(rows[unrelated.sighting_id]["place_text"])  # the public city the family reads
    page = found.family.get(f"/cases/{found.family_case}").text
    assert "Sent to the reviewers (3)" in page and city in page and f"/sightings/{found.sightings[0]}" in page
    _reunite(found)
    assert [r["sighting_id"] for r in sent()] == [unrelated.sighting_id]
    page = found.family.get(f"/cases/{found.family_case}").text
    assert "Sent to the reviewers (1)" in page and f"/sightings/{found.sightings[0]}" not in page
    moderation.reject_case(deps, OPERATOR, found.family_case, "a false report")
    [left] = sent()
    assert left["seen_at"] is None and left["place_text"] is None and not left["open"] and left["words"]
    page = found.family.get(f"/cases/{found.family_case}").text
    assert "Sent to the reviewers (1)" in page and "it is no longer shown" in page
    assert city not in page and f"/sightings/{unrelated.sighting_id}" not in page


def test_the_private_page_of_a_found_childs_report_no_reviewer_confirmed_no_longer_says_families_compare_it(
    container: Container
) -> None:
    found = _setup(container)
    deps = container.deps
    receipt = found.receipts[1]
    page = TestClient(create_app(container)).get(reports.private_path(deps, receipt)).text
    assert "can now compare it" in page
    _reunite(found)
    page = TestClient(create_app(container)).get(reports.private_path(deps, receipt)).text
    assert "can now compare it" not in page and "no longer shown to the families" in page
    assert "a child was found" not in page
    confirmed = TestClient(create_app(container)).get(reports.private_path(deps, found.receipts[0])).text
    assert "a child was found" in confirmed
