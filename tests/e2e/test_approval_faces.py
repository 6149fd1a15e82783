"""A report whose photo shows several faces, none marked as the child's, is approved only once its
moderator says which face is the child's, or that the child's face is not among them: approved
otherwise it would have no child face (obscured for families, not searched, grouped nor matched)
without anybody having chosen so. Pages (keeping what was chosen) and API alike."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.domain.model import GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import intake, moderation
from reunite.services.accounts import from_session, issue_token
from tests.conftest import admin_token, run_jobs, session_for
from tests.e2e.test_journeys import csrf
from tests.e2e.test_staff_accounts import audited
from tests.e2e.world import two_faces
from tests.photos import another_shot, portrait


def _pending(container: Container, photo: bytes, hour: int = 12) -> int:
    """A reporter's report, its faces found, waiting for a moderator."""
    reporter = from_session(container.deps, session_for(container, Role.REPORTER)[1])
    assert reporter is not None
    seen = NewSighting(seen_at=datetime(2006, 6, 1, hour, tzinfo=UTC), place=GeoPoint(30.6, 114.3), place_text="Hankou")
    sighting_id = intake.report_sighting(container.deps, reporter, seen, [Upload(photo, "p.jpg")]).sighting_id
    run_jobs(container)
    return sighting_id


def _moderator(container: Container) -> TestClient:
    client = TestClient(create_app(container))
    client.cookies.set("reunite_session", session_for(container, Role.MODERATOR)[1])
    return client


def _state(container: Container, sighting_id: int) -> tuple[str, int | None]:
    found = container.deps.read.sighting(sighting_id)
    return found["status"], found["child_face_id"]


def test_the_reports_page_asks_which_face_is_the_childs_and_keeps_what_was_chosen(container: Container) -> None:
    crowded = _pending(container, two_faces())
    alone = _pending(container, portrait("collins", 2), hour=13)
    faces = container.deps.read.sighting(crowded)["faces"]
    assert len(faces) == 2
    child = min(faces, key=lambda f: f["box_left"])["id"]  # the child is on the left
    moderator = _moderator(container)
    page = moderator.get("/moderation/reports").text
    assert f'name="child_face_{crowded}" value="{child}"' in page
    assert f'name="child_face_{crowded}" value="none"' in page
    assert f'type="radio" name="child_face_{alone}"' not in page  # one face: the child's, nothing to choose
    assert f'type="checkbox" name="child_face_{alone}" value="none"' in page  # unless it is not the child's

    sent = {"csrf": csrf(moderator, "/moderation/reports"), "ids": [str(crowded), str(alone)], "reason": "duplicate"}
    refused = moderator.post("/moderation/reports/approve", data=sent, follow_redirects=False)
    assert refused.status_code == 422
    said = html.unescape(refused.text)
    assert (f"report {crowded} shows 2 faces and none is marked as the child's: choose the child's face, or say "
            "that the child's face is not among them, then approve it again") in said
    assert _state(container, crowded) == ("pending", None) and _state(container, alone)[0] == "pending"  # none approved
    assert f'value="{crowded}" checked' in refused.text and f'value="{alone}" checked' in refused.text  # still chosen
    assert '<option value="duplicate" selected>' in refused.text
    zh = moderator.post("/moderation/reports/approve", data=sent, headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 422 and f"报告 {crowded} 的照片中有 2 张脸" in zh.text

    done = moderator.post("/moderation/reports/approve", data=sent | {f"child_face_{crowded}": str(child)},
                          follow_redirects=False)
    assert done.status_code == 303
    assert _state(container, crowded) == ("approved", child) and _state(container, alone)[0] == "approved"
    assert [s for _, s, d in audited(container, "sighting.child_face_marked") if d == {"face": child}] == [crowded]


def test_the_moderation_page_keeps_the_choice_and_approves_knowingly_without_a_child_face(container: Container) -> None:
    crowded = _pending(container, two_faces())
    moderator = _moderator(container)
    shown = moderator.get(f"/sightings/{crowded}").text  # the report's own page asks in its approval form too
    assert shown.count(f'name="child_face_{crowded}"') == 3 and "This is the child" in shown
    sent = {"csrf": csrf(moderator, "/moderation"), "ids": str(crowded), "action": "approve", "reason": "seen twice"}
    refused = moderator.post("/moderation/sightings", data=sent)
    assert refused.status_code == 422 and "none is marked as the child&#39;s" in refused.text
    assert re.search(rf'name="ids" value="{crowded}" aria-label="[^"]*" checked>', refused.text)  # still chosen
    assert 'value="seen twice"' in refused.text and _state(container, crowded) == ("pending", None)

    done = moderator.post("/moderation/sightings", data=sent | {f"child_face_{crowded}": "none"},
                          follow_redirects=False)
    assert done.status_code == 303 and _state(container, crowded) == ("approved", None)
    assert [d for _, s, d in audited(container, "sighting.approved") if s == crowded] == [
        {"child_face": "not among the faces"}]  # approved without a child face, knowingly


def test_the_api_refuses_an_approval_without_the_choice_and_takes_either_answer(container: Container) -> None:
    first, second = _pending(container, two_faces()), _pending(container, two_faces(), hour=14)
    api = TestClient(create_app(container), headers={"Authorization": f"Bearer {admin_token(container)}"})
    refused = api.post("/api/moderation/sightings", json={"ids": [first, second], "approve": True})
    assert refused.status_code == 422
    assert f"report {first} shows 2 faces and none is marked as the child's" in refused.json()["detail"]
    assert _state(container, first)[0] == _state(container, second)[0] == "pending"
    other = max(container.deps.read.sighting(second)["faces"], key=lambda f: f["box_left"])["id"]
    wrong = api.post("/api/moderation/sightings", json={"ids": [first], "approve": True,
                                                        "child_faces": {str(first): other}})
    assert wrong.status_code == 422 and _state(container, first) == ("pending", None)  # another report's face
    face = container.deps.read.sighting(first)["faces"][0]["id"]
    done = api.post("/api/moderation/sightings", json={"ids": [first, second], "approve": True,
                                                       "child_faces": {str(first): face, str(second): None}})
    assert done.status_code == 204
    assert _state(container, first) == ("approved", face) and _state(container, second) == ("approved", None)


def test_a_stale_approval_never_replaces_the_face_another_moderator_marked(container: Container) -> None:
    """Two moderators on one report (probe s11 F4, s12 F15): one marks the child's face; the other's page,
    opened before, still offers the choice and approves with another face, or with "not among them".
    Neither undoes the mark unseen: 409 saying why, in the reader's language, nothing changed."""
    crowded = _pending(container, two_faces())
    faces = sorted(container.deps.read.sighting(crowded)["faces"], key=lambda f: f["box_left"])
    child, bystander = faces[0]["id"], faces[1]["id"]
    stale = _moderator(container)
    sent = {"csrf": csrf(stale, "/moderation/reports"), "ids": [str(crowded)]}  # the page shows the choice
    api = TestClient(create_app(container), headers={"Authorization": f"Bearer {admin_token(container)}"})
    assert api.post(f"/api/sightings/{crowded}/child-face", json={"face_id": child}).status_code == 204
    for choice in (str(bystander), "none"):
        refused = stale.post("/moderation/reports/approve", data=sent | {f"child_face_{crowded}": choice},
                             follow_redirects=False)
        assert refused.status_code == 409
        assert "another moderator marked the child's face since this page was opened" in html.unescape(refused.text)
        assert _state(container, crowded) == ("pending", child)
    zh = api.post("/api/moderation/sightings", json={"ids": [crowded], "approve": True,
                                                     "child_faces": {str(crowded): bystander}},
                  headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 409 and "另一位审核员已标出孩子的脸" in zh.json()["detail"]
    same = api.post("/api/moderation/sightings", json={"ids": [crowded], "approve": True,
                                                       "child_faces": {str(crowded): child}})
    assert same.status_code == 204 and _state(container, crowded) == ("approved", child)  # the mark it saw


def test_a_staff_report_showing_several_faces_waits_for_the_childs_face_once_they_are_found(
        container: Container) -> None:
    """Probe s11, finding 2: a report sent with an admin's (or police) token is approved on arrival, before
    its faces are found. Once they are, a photo showing several faces, none marked as the child's, goes
    back to the reports queue, saying why, until a moderator chooses; a one-face photo stays approved
    (the staff's fast path)."""
    api = TestClient(create_app(container), headers={"Authorization": f"Bearer {admin_token(container)}"})
    sent = {"seen_at": "2006-06-01T12:00:00+00:00", "lat": "30.6", "lon": "114.3"}
    crowded = api.post("/api/sightings", data=sent, files=[("photos", ("two.jpg", two_faces(), "image/jpeg"))])
    alone = api.post("/api/sightings", data=sent | {"seen_at": "2006-06-01T13:00:00+00:00"},
                     files=[("photos", ("one.jpg", portrait("collins", 2), "image/jpeg"))])
    assert crowded.status_code == alone.status_code == 202
    crowded_id, alone_id = crowded.json()["id"], alone.json()["id"]
    run_jobs(container)
    assert _state(container, crowded_id) == ("pending", None)
    assert _state(container, alone_id)[0] == "approved"
    assert [s for _, s, _ in audited(container, "sighting.held_for_moderation")] == [crowded_id]
    partner = TestClient(create_app(container), headers={"Authorization": "Bearer " + issue_token(
        container.deps, OPERATOR, "a partner", [Scope.READ_SIGHTINGS])})
    shown = [s["id"] for s in partner.get("/api/sightings").json()["items"]]
    assert alone_id in shown and crowded_id not in shown  # not shown until a moderator chooses

    moderator = _moderator(container)
    page = html.unescape(moderator.get("/moderation/reports").text)
    assert f'name="child_face_{crowded_id}"' in page
    assert "its photos show several faces: choose the child's face, or say that it is not among them" in page
    zh = moderator.get("/moderation/reports", headers={"Accept-Language": "zh-CN"}).text
    assert "照片中有多张脸：请选出孩子的脸" in zh
    child = min(container.deps.read.sighting(crowded_id)["faces"], key=lambda f: f["box_left"])["id"]
    done = api.post("/api/moderation/sightings", json={"ids": [crowded_id], "approve": True,
                                                         "child_faces": {str(crowded_id): child}})
    assert done.status_code == 204
    run_jobs(container)
    assert _state(container, crowded_id) == ("approved", child)  # chosen: not held again
    assert crowded_id in [s["id"] for s in partner.get("/api/sightings").json()["items"]]


def test_an_only_face_that_is_an_adults_can_be_told_so_and_is_then_neither_shown_nor_found(
        container: Container) -> None:
    """A street photo whose only face found is the adult's who led the child away, the child turned
    away (probe s12 F20): the only face is taken as the child's when found, shown on the moderator's
    page as such, and the moderator says it is not (approving, or on the report's page): families and
    partners then see it blurred, never its crop, and a photo of that adult finds nothing."""
    adult_photo = portrait("hopper", 3)
    one, two = _pending(container, adult_photo), _pending(container, adult_photo, hour=14)
    moderator = _moderator(container)
    page = moderator.get("/moderation/reports").text
    assert f'name="child_face_{one}" value="none"' in page  # "its one face is not the child's"
    sent = {"csrf": csrf(moderator, "/moderation/reports"), "ids": [str(one)], f"child_face_{one}": "none"}
    assert moderator.post("/moderation/reports/approve", data=sent, follow_redirects=False).status_code == 303
    assert _state(container, one) == ("approved", None)
    said = html.unescape(moderator.get(f"/sightings/{two}?lang=en").text)
    assert "The only face found is taken as the child's" in said
    unmark = {"csrf": csrf(moderator, f"/sightings/{two}"), "face_id": "", "back": f"/sightings/{two}"}
    assert moderator.post(f"/sightings/{two}/child-face", data=unmark, follow_redirects=False).status_code == 303
    moderation_api = TestClient(create_app(container), headers={"Authorization": f"Bearer {admin_token(container)}"})
    assert moderation_api.post("/api/moderation/sightings", json={"ids": [two], "approve": True}).status_code == 204
    assert _state(container, two) == ("approved", None)
    token = issue_token(container.deps, OPERATOR, "partner", [Scope.READ_SIGHTINGS])
    partner = TestClient(create_app(container), headers={"Authorization": f"Bearer {token}"})
    for sighting_id in (one, two):
        shown = partner.get(f"/api/sightings/{sighting_id}").json()
        assert shown["first_face_id"] is None
        face = container.deps.read.sighting(sighting_id)["faces"][0]["id"]
        assert partner.get(f"/api/faces/{face}/crop").status_code == 404
    found = partner.post("/api/search", files={"photo": ("a.jpg", portrait("hopper", 1), "image/jpeg")})
    assert found.status_code == 200 and not {h["sighting_id"] for h in found.json()} & {one, two}
    assert [d for _, s, d in audited(container, "sighting.child_face_marked") if s == one][-1] == {"face": None}


def test_an_only_face_is_the_childs_once_found_and_a_family_sees_it(container: Container) -> None:
    """What a reporter photographs is the child: a report's only face is marked as the child's when its
    faces are found (audited as the system's), so families see it and a photo of the child finds it."""
    alone = _pending(container, portrait("collins", 2))
    face = container.deps.read.sighting(alone)["faces"][0]["id"]
    assert _state(container, alone) == ("pending", face)
    assert [d for _, s, d in audited(container, "sighting.child_face_marked") if s == alone] == [
        {"face": face, "only_face": True}]
    api = TestClient(create_app(container), headers={"Authorization": f"Bearer {admin_token(container)}"})
    assert api.post("/api/moderation/sightings", json={"ids": [alone], "approve": True}).status_code == 204
    token = issue_token(container.deps, OPERATOR, "partner", [Scope.READ_SIGHTINGS])
    partner = TestClient(create_app(container), headers={"Authorization": f"Bearer {token}"})
    assert partner.get(f"/api/sightings/{alone}").json()["first_face_id"] == face
    assert partner.get(f"/api/faces/{face}/crop").status_code == 200



def test_an_only_face_said_not_the_childs_leaves_every_list_of_leads_and_makes_none(container: Container) -> None:
    """Probe s13 F1: ruling a report's only face out (an adult's) blurred it, but the leads already made
    on it stayed in the queue, could be confirmed, and gave the family that adult's face; a case
    registered later was matched to it too. Now its untouched leads leave at once, no case is matched to
    it afterwards, and marked again it is matched again."""
    deps = container.deps

    def register(name: str) -> int:
        case = NewCase(given_name=name, family_name="Adult", sex=Sex.MALE, birth_date=date(2000, 1, 1),
                       missing_since=datetime(2002, 6, 1, 8, tzinfo=UTC), last_seen_place=GeoPoint(30.6, 114.3))
        # another shot each: a case photo that is the report's picture (the same synthetic face) is a copy of it
        photo = another_shot(portrait("hopper", 1)) if name == "Second" else portrait("hopper", 1)
        case_id = intake.register_case(deps, OPERATOR, case, [Upload(photo, "c.jpg")],
                                       [date(2002, 1, 1)]).case_id
        run_jobs(container)
        return case_id

    def leads_on(face: int) -> set[int]:
        with container.engine.connect() as conn:
            return set(conn.exec_driver_sql("SELECT case_id FROM candidates WHERE sighting_face_id = %s",
                                            (face,)).scalars())

    first = register("First")
    report = _pending(container, portrait("hopper", 3))
    face = deps.read.sighting(report)["faces"][0]["id"]
    assert leads_on(face) == {first}  # the only face, marked as the child's when found, is matched
    moderation.mark_child_face(deps, OPERATOR, report, None)
    assert leads_on(face) == set()  # at once, before any job runs
    run_jobs(container)
    register("Second")
    assert leads_on(face) == set()
    moderation.mark_child_face(deps, OPERATOR, report, face)
    run_jobs(container)
    assert len(leads_on(face)) == 2
