"""Probe s27 A2-A5: a verified case guarded against a swap of its child. A photo its family adds (registering the
child "again") waits for a moderator before the poster shows it or a sighting is matched with it; a Verify refuses a
case changed since the verifier read it; the moderators' queue compares a correction with what was verified and says
what was corrected since; a correction replacing one still waiting says so; a write-only partner token corrects the
case it registered."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Principal, Role, Scope
from reunite.domain.model import GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.services import intake, moderation
from reunite.services.accounts import issue_token
from tests.conftest import admin_token, run_jobs, session_for
from tests.e2e.test_case_photo_faces import _client, _family
from tests.photos import portrait

CASE = NewCase(given_name="Xiaoyu", family_name="Lin", sex=Sex.FEMALE, birth_date=date(2016, 3, 1),
               missing_since=datetime(2025, 6, 1, 10, tzinfo=UTC), last_seen_place=GeoPoint(30.59, 114.30),
               last_seen_text="Wuhan, Hankou station", family_contact="+86 139 0000 0001")


def _register(container: Container, family: Principal, person: str = "collins") -> int:
    return intake.register_case(container.deps, family, CASE, [Upload(portrait(person, 0), "c.jpg")],
                                [date(2024, 5, 1)]).case_id


def _csrf(client: TestClient, path: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)  # type: ignore[union-attr]


def _correct(client: TestClient, case_id: int, **values: str) -> str:
    """The family's correction form sent as the page fills it, with ``values`` changed: where it leads."""
    page = client.get(f"/cases/{case_id}/correct").text
    fields = dict(re.findall(r'<input type="(?:hidden|text|date|time|number)"[^>]* name="([^"]+)"[^>]*value="([^"]*)"',
                             page))
    fields |= dict(re.findall(r'<textarea name="([^"]+)"[^>]*>([^<]*)</textarea>', page))
    fields["sex"] = re.search(r'<option value="(\w+)" selected', page).group(1)  # type: ignore[union-attr]
    sent = client.post(f"/cases/{case_id}/correct", follow_redirects=False,
                       data={name: html.unescape(value) for name, value in fields.items()} | values)
    assert sent.status_code == 303, sent.text
    return str(sent.headers["location"])


def test_a_photo_added_to_a_verified_case_waits_for_a_moderator_before_the_poster_or_matching_use_it(
        container: Container) -> None:
    family, session = _family(container)
    case_id = _register(container, family)
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report checked")
    run_jobs(container)
    public = _client(container)
    poster = public.get(f"/p/{case_id}/photo.jpg").content
    # whoever holds the family's session registers the child "again" with another child's photo
    again = intake.register_case(container.deps, family, CASE, [Upload(portrait("hopper", 0), "h.jpg")], [None])
    assert again.known and again.case_id == case_id and len(again.photo_ids) == 1
    intake.report_sighting(container.deps, OPERATOR, NewSighting(seen_at=datetime(2025, 9, 1, 8, tzinfo=UTC),
                                                                 place=None), [Upload(portrait("hopper", 1), "s.jpg")])
    run_jobs(container)
    desk = _client(container, token=admin_token(container))
    assert public.get(f"/p/{case_id}/photo.jpg").content == poster  # the poster still shows the verified child
    added = {f for p in desk.get(f"/api/cases/{case_id}").json()["photos"] if p["id"] in again.photo_ids
             for f in p["face_ids"]}
    assert added  # its face is found, for the moderator to see, but no sighting is matched with it
    assert not [lead for lead in desk.get(f"/api/cases/{case_id}/candidates").json() if lead["case_face_id"] in added]
    page = html.unescape(_client(container, session).get(f"/cases/{case_id}?known=1").text)
    assert "The case is verified: they wait for a moderator" in page
    assert "Photos added, shown to nobody else and not searched for until a moderator accepts them: 1" in page
    waiting = desk.get("/api/moderation/queues").json()["corrections"]
    assert [(w["case_id"], w["held_photo_ids"]) for w in waiting] == [(case_id, again.photo_ids)]
    moderator = _client(container, session_for(container, Role.MODERATOR)[1])
    assert "Photos added to the verified case, published and matched only once you accept: 1" in html.unescape(
        moderator.get("/moderation").text)

    decide = f"/api/moderation/corrections/{waiting[0]['id']}"  # another face than the case's (probe s35 J1)
    assert desk.post(decide, json={"decision": "accept"}).status_code == 422  # not without saying it was checked
    assert desk.post(decide, json={"decision": "accept", "checked": True}).status_code == 204
    run_jobs(container)
    assert public.get(f"/p/{case_id}/photo.jpg").content != poster  # accepted: published, the newest photo
    assert [lead["case_face_id"] in added for lead in desk.get(f"/api/cases/{case_id}/candidates").json()] == [True]


def test_a_refused_photo_is_deleted_from_the_case_and_its_storage(container: Container) -> None:
    family, session = _family(container)
    case_id = _register(container, family)
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report checked")
    run_jobs(container)
    again = intake.register_case(container.deps, family, CASE, [Upload(portrait("hopper", 0), "h.jpg")], [None])
    run_jobs(container)
    desk = _client(container, token=admin_token(container))
    stored = {p["id"]: p for p in container.deps.read.case(case_id)["photos"]}
    files = {container.deps.read.photo(i)["storage_key"] for i in again.photo_ids}
    assert set(again.photo_ids) <= set(stored) and all(container.deps.photos.get(key) for key in files)
    waiting = desk.get("/api/moderation/queues").json()["corrections"]
    assert desk.post(f"/api/moderation/corrections/{waiting[0]['id']}",
                     json={"decision": "refuse", "reason": "another child's photo"}).status_code == 204
    left = [p["id"] for p in desk.get(f"/api/cases/{case_id}").json()["photos"]]
    assert left and not set(again.photo_ids) & set(left)  # the verified photo stays, the refused one is gone
    page = html.unescape(_client(container, session).get(f"/cases/{case_id}").text)
    assert "Photos added, shown to nobody else" not in page
    assert not files & set(container.deps.photos.list_keys())  # its file is gone from storage too


def test_photos_added_while_the_case_waits_for_verification_or_by_police_apply_at_once(container: Container) -> None:
    family, _ = _family(container)
    case_id = _register(container, family)
    intake.register_case(container.deps, family, CASE, [Upload(portrait("collins", 1), "c2.jpg")], [None])
    desk = _client(container, token=admin_token(container))
    assert desk.get("/api/moderation/queues").json()["counts"]["corrections"] == 0
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report checked")
    run_jobs(container)
    partner = _client(container, token=issue_token(container.deps, OPERATOR, "partner", [Scope.READ_CASES]))
    assert len(partner.get(f"/api/cases/{case_id}").json()["photos"]) == 2
    # police vouch for the photos they add to the case they registered (verified at once)
    theirs = intake.register_case(container.deps, OPERATOR, CASE, [Upload(portrait("hopper", 0), "p.jpg")],
                                  [None]).case_id
    intake.register_case(container.deps, OPERATOR, CASE, [Upload(portrait("hopper", 1), "p2.jpg")], [None])
    run_jobs(container)
    assert len(partner.get(f"/api/cases/{theirs}").json()["photos"]) == 2
    assert desk.get("/api/moderation/queues").json()["counts"]["corrections"] == 0


def test_verify_refuses_a_case_its_family_corrected_since_the_verifier_read_it(container: Container) -> None:
    family, session = _family(container)
    case_id = _register(container, family)
    run_jobs(container)
    moderator = _client(container, session_for(container, Role.MODERATOR)[1])
    opened = moderator.get(f"/cases/{case_id}").text
    shown = re.search(r'name="version" value="([^"]+)"', opened).group(1)  # type: ignore[union-attr]
    queue = moderator.get("/moderation").text
    assert f'name="version" value="{shown}"' in queue  # the queue's Verify form reads the same
    desk = _client(container, token=admin_token(container))
    read = desk.get(f"/api/cases/{case_id}").json()["version"]
    assert read == shown

    family_page = _client(container, session)
    assert _correct(family_page, case_id, given_name="Jun", family_name="Zhou") == f"/cases/{case_id}?corrected=1"
    token = re.search(r'name="csrf" value="([^"]+)"', opened).group(1)  # type: ignore[union-attr]
    sent = moderator.post(f"/cases/{case_id}/verify", data={
        "csrf": token, "version": shown, "back": f"/cases/{case_id}", "evidence": "report for Xiaoyu Lin checked"})
    assert sent.status_code == 409
    assert "changed since you opened it (corrected, or a photo added): read it again" in html.unescape(sent.text)
    refused = desk.post(f"/api/cases/{case_id}/verify", json={"evidence": "checked", "version": read})
    assert refused.status_code == 409 and "changed since you opened it" in refused.text
    assert desk.get(f"/api/cases/{case_id}").json()["verified_at"] is None
    zh = desk.post(f"/api/cases/{case_id}/verify", json={"evidence": "checked", "version": read},
                   headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 409 and "请重新阅读后再核实" in zh.text

    now = desk.get(f"/api/cases/{case_id}").json()["version"]
    assert now != read
    assert desk.post(f"/api/cases/{case_id}/verify", json={"evidence": "police report for Jun Zhou checked",
                                                           "version": now}).status_code == 204
    assert desk.get(f"/api/cases/{case_id}").json()["given_name"] == "Jun"


def test_the_corrections_queue_compares_with_what_was_verified_and_a_replaced_correction_is_said(
        container: Container) -> None:
    family, session = _family(container)
    case_id = _register(container, family)
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report checked")
    page = _client(container, session)
    desk = _client(container, token=admin_token(container))
    assert _correct(page, case_id, birth_date="2016-02-01") == f"/cases/{case_id}?corrected=waiting"
    # a second correction replaces the first: the family is told, and its timeline lists the one dropped
    assert _correct(page, case_id, family_name="Li") == f"/cases/{case_id}?corrected=replaced"
    shown = html.unescape(page.get(f"/cases/{case_id}?corrected=replaced").text)
    assert "in place of the one that was waiting: that one's values are dropped" in shown
    assert "It replaces the correction that was waiting, whose values are dropped: Birth date" in shown
    first = desk.get("/api/moderation/queues").json()["corrections"]
    assert [(w["was"], w["became"]) for w in first] == [({"family_name": "Lin"}, {"family_name": "Li"})]
    assert desk.post(f"/api/moderation/corrections/{first[0]['id']}", json={"decision": "accept"}).status_code == 204

    assert _correct(page, case_id, given_name="Ming") == f"/cases/{case_id}?corrected=waiting"
    second = desk.get("/api/moderation/queues").json()["corrections"]
    assert second[0]["verified_facts"]["family_name"] == "Lin" and second[0]["changed_since_verified"] == [
        "family_name"]
    moderator = _client(container, session_for(container, Role.MODERATOR)[1])
    queue = html.unescape(moderator.get("/moderation").text.split('id="corrections"')[1])
    assert "Corrected since it was verified: Family name" in queue
    assert "<td>Xiaoyu</td><td>as verified</td><td>Ming</td>" in queue


def test_a_write_only_partner_token_corrects_the_case_it_registered(container: Container) -> None:
    writer = _client(container, token=issue_token(container.deps, OPERATOR, "charity", [Scope.WRITE]))
    made = writer.post("/api/cases", files=[("photos", ("c.jpg", portrait("collins", 0), "image/jpeg"))],
                       data={"given_name": "Xioa", "sex": "female", "birth_date": "2016-03-01",
                             "missing_since": "2025-06-01"})
    assert made.status_code == 201, made.text
    case_id = made.json()["id"]
    fixed = writer.patch(f"/api/cases/{case_id}", json={"given_name": "Xiao"})
    assert fixed.status_code == 200, fixed.text
    desk = _client(container, token=admin_token(container))
    assert desk.get(f"/api/cases/{case_id}").json()["given_name"] == "Xiao"
    other = _client(container, token=issue_token(container.deps, OPERATOR, "other", [Scope.WRITE]))
    assert other.patch(f"/api/cases/{case_id}", json={"given_name": "Xiaoo"}).status_code == 404
