"""Probe s21 U0: anyone could file a removal request for a family's verified, open case, and one moderator's
approval blanked it at once and for ever, the family neither asked nor told, the moderator never shown the
family's contact on file. Now (docs/decisions/0006) the registrant is told at once and may object or confirm,
the moderator reads who registered the case, an approved request waits for an objection while the child is
still searched for, and a removal of an open case is hidden and undoable before it is blanked."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Principal, Role
from reunite.domain.model import GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.i18n import Language
from reunite.services import intake, moderation, retention, reunion
from reunite.services.accounts import from_session
from tests.conftest import SettableClock, count_rows, run_jobs, session_for
from tests.photos import portrait

FAMILY_EMAIL, ON_FILE = "fam1@example.org", "+86 139 0000 0001"
STRANGER = "我是孩子的妈妈 13800000000"


def _client(container: Container, session: str | None = None, lang: str = "en") -> TestClient:
    test = TestClient(create_app(container), headers={"Accept-Language": lang})
    if session:
        test.cookies.set("reunite_session", session)
    return test


def _csrf(client: TestClient, page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(page).text)
    assert found, page
    return found.group(1)


def family_case(container: Container) -> tuple[int, str, Principal]:
    """A family account's verified, open case: (case id, the family's session, the family)."""
    deps = container.deps
    _, session = session_for(container, Role.REPORTER, FAMILY_EMAIL)
    family = from_session(deps, session)
    assert family is not None
    case = NewCase(given_name="Xiaoyu", family_name="Lin", sex=Sex.FEMALE, birth_date=date(2016, 3, 1),
                   missing_since=datetime(2025, 6, 1, 10, tzinfo=UTC), last_seen_place=GeoPoint(30.59, 114.30),
                   last_seen_text="Wuhan, Hankou station", family_contact=ON_FILE)
    case_id = intake.register_case(deps, family, case, [Upload(portrait("collins", 0), "c.jpg")],
                                   [date(2024, 5, 1)]).case_id
    moderation.verify_case(deps, OPERATOR, case_id, "police report checked")
    run_jobs(container)
    family = from_session(deps, session)
    assert family is not None
    return case_id, session, family


def later(container: Container, days: float) -> SettableClock:
    return SettableClock(datetime.now(UTC) + timedelta(days=days))


def removed_for_good(container: Container, case_id: int) -> None:
    """An anonymous request approved by a moderator, and nobody objecting: the days pass and the daily
    job removes the case, then blanks it once its undo window is over."""
    deps = container.deps
    asked = retention.request_takedown(deps, "case", case_id, "father@example.org", "father", "found him")
    retention.decide_takedown(deps, OPERATOR, asked, True, "identity card seen")
    wait, undo = deps.limits.case_removal_wait.days, deps.limits.case_removal_undo.days
    retention.expire(replace(deps, clock=later(container, wait + 1)))
    retention.expire(replace(deps, clock=later(container, wait + undo + 2)))


def _status(container: Container, case_id: int) -> tuple[str, str]:
    with container.engine.connect() as conn:
        row = conn.exec_driver_sql(f"SELECT status, given_name FROM cases WHERE id = {case_id}").one()
    return str(row[0]), str(row[1])


def _told(container: Container, address: str) -> int:
    return count_rows(container, f"outbox WHERE kind = 'removal_asked' AND recipient = '{address}'")


def test_a_strangers_request_approved_by_one_moderator_does_not_blank_a_familys_open_case(
    container: Container, anonymous: TestClient
) -> None:
    case_id, session, _ = family_case(container)
    sent = anonymous.post("/api/takedowns", json={"subject": "case", "subject_id": case_id, "requester": STRANGER,
                                                  "relation": "mother", "reason": "please remove my child's poster"})
    assert sent.status_code == 202
    run_jobs(container)
    assert _told(container, FAMILY_EMAIL) == 1  # the family hears of it at once

    moderator = _client(container, session_for(container, Role.MODERATOR)[1])
    page = moderator.get("/moderation").text
    assert STRANGER in page and ON_FILE in page and FAMILY_EMAIL in page  # both contacts, side by side
    assert "a family&#39;s account" in page or "a family's account" in page
    takedown_id = int(re.search(r'/moderation/takedowns/(\d+)"', page).group(1))  # type: ignore[union-attr]

    decided = moderator.post(f"/moderation/takedowns/{takedown_id}", data={
        "csrf": _csrf(moderator, "/moderation"), "decision": "approve", "evidence": "called the number given"},
        follow_redirects=False)
    assert decided.status_code == 303
    assert _status(container, case_id) == ("open", "Xiaoyu")  # still searched for: nothing blanked, nothing hidden
    assert anonymous.get(f"/p/{case_id}").status_code == 200
    run_jobs(container)
    assert _told(container, FAMILY_EMAIL) == 2  # and told of the approval, with the days it has to object

    # the family objects on its case page: the request is refused, the case stays
    family = _client(container, session)
    shown = family.get(f"/cases/{case_id}").text
    assert "I object: keep the case" in shown
    assert "please remove my child" not in shown and STRANGER not in shown  # neither words nor contact (s32 F1)
    objected = family.post(f"/cases/{case_id}/removals/{takedown_id}", follow_redirects=False,
                           data={"csrf": _csrf(family, f"/cases/{case_id}"), "answer": "object"})
    assert objected.status_code == 303
    with container.engine.connect() as conn:
        row = conn.exec_driver_sql(f"SELECT status, registrant_answer FROM takedowns WHERE id = {takedown_id}").one()
    assert tuple(row) == ("refused", "objected")
    retention.expire(replace(container.deps, clock=later(container, 30)))  # the days pass: nothing happens
    assert _status(container, case_id) == ("open", "Xiaoyu")


def test_an_approved_removal_nobody_objected_to_is_hidden_first_and_a_moderator_can_undo_it(
    container: Container, anonymous: TestClient
) -> None:
    case_id, _, _ = family_case(container)
    deps = container.deps
    asked = retention.request_takedown(deps, "case", case_id, STRANGER, "mother", "found her")
    retention.decide_takedown(deps, OPERATOR, asked, True, "called the number given")
    retention.expire(replace(deps, clock=later(container, deps.limits.case_removal_wait.days + 1)))
    assert _status(container, case_id) == ("closed", "Xiaoyu")  # hidden as a closed case is, nothing deleted
    assert anonymous.get(f"/p/{case_id}/photo.jpg").status_code == 404 and "Xiaoyu" not in anonymous.get(
        f"/p/{case_id}").text
    seen = NewSighting(seen_at=datetime.now(UTC) - timedelta(hours=2), place=GeoPoint(30.59, 114.30),
                       place_text="Hankou")
    intake.report_sighting(deps, OPERATOR, seen, [Upload(portrait("collins", 1), "s.jpg")])  # while it is hidden
    run_jobs(container)
    assert count_rows(container, f"candidates WHERE case_id = {case_id}") == 0

    moderator = _client(container, session_for(container, Role.MODERATOR)[1])
    page = moderator.get("/moderation").text
    assert f"/moderation/removals/{asked}/undo" in page
    undone = moderator.post(f"/moderation/removals/{asked}/undo", data={
        "csrf": _csrf(moderator, "/moderation"), "evidence": "the family says she is still missing"},
        follow_redirects=False)
    assert undone.status_code == 303
    assert _status(container, case_id) == ("open", "Xiaoyu")
    assert deps.read.case(case_id)["verified_at"] is not None  # verified as before: its poster is back
    assert anonymous.get(f"/p/{case_id}/photo.jpg").status_code == 200
    run_jobs(container)  # searched again: the child's sighting sent meanwhile is a lead now
    assert count_rows(container, f"candidates WHERE case_id = {case_id}") == 1
    retention.expire(replace(deps, clock=later(container, 60)))
    assert _status(container, case_id) == ("open", "Xiaoyu")


def test_nobody_objecting_the_case_is_blanked_once_its_window_passes(container: Container) -> None:
    case_id, _, _ = family_case(container)
    removed_for_good(container, case_id)
    assert _status(container, case_id) == ("expired", "")
    assert count_rows(container, f"audit_log WHERE action = 'case.removed_for_good' AND subject_id = {case_id}") == 1


def test_a_request_waiting_for_an_objection_whose_case_ended_meanwhile_removes_it_when_the_wait_is_over(
    container: Container
) -> None:
    """A removal approved and waiting for the registrant's objection, the case closed meanwhile: once the wait
    is over it is removed at once (nothing left to search for), not left waiting for ever."""
    case_id, _, _ = family_case(container)
    deps = container.deps
    asked = retention.request_takedown(deps, "case", case_id, STRANGER, "mother", "found her")
    retention.decide_takedown(deps, OPERATOR, asked, True, "called the number given")
    reunion.close_case(deps, OPERATOR, case_id, reunited=False, keep_data=True)
    retention.expire(replace(deps, clock=later(container, 1)))
    assert _status(container, case_id) == ("closed", "Xiaoyu")  # still within the wait: the registrant may object
    retention.expire(replace(deps, clock=later(container, deps.limits.case_removal_wait.days + 1)))
    assert _status(container, case_id) == ("expired", "")
    with container.engine.connect() as conn:
        assert conn.exec_driver_sql(f"SELECT status FROM takedowns WHERE id = {asked}").scalar_one() == "done"


def test_the_familys_own_signed_in_request_removes_its_case_at_once_and_restorably(
    container: Container, anonymous: TestClient
) -> None:
    case_id, session, _ = family_case(container)
    family = _client(container, session)
    family.cookies.set("tz", "Europe/Berlin")
    sent = family.post("/takedown", data={"csrf": _csrf(family, "/takedown"), "subject": "case",
                                         "subject_id": str(case_id), "requester": FAMILY_EMAIL,
                                         "relation": "mother", "reason": "she is home, thank you"})
    assert sent.status_code == 200
    assert _status(container, case_id) == ("closed", "Xiaoyu")  # hidden at once, kept for the undo window
    # and told so (probe s23 W5), not that moderators will check first: until when, in its zone, and how to keep it
    page = html.unescape(sent.text)
    with container.engine.connect() as conn:
        due = conn.exec_driver_sql(f"SELECT due_at FROM takedowns WHERE subject_id = {case_id}").scalar_one()
    assert "Your request is with the moderators" not in page
    assert "Your case is hidden now from everyone" in page
    assert f"deleted for good on {Language('en', 'Europe/Berlin').datetime(due)}" in page and "Central European" in page
    assert "I object: keep the case" in page and f'href="/cases/{case_id}#removals"' in page
    assert anonymous.get(f"/p/{case_id}/photo.jpg").status_code == 404
    run_jobs(container)
    assert _told(container, FAMILY_EMAIL) == 0  # nobody to warn: it was theirs
    retention.expire(replace(container.deps, clock=later(container, container.deps.limits.case_removal_undo.days + 1)))
    assert _status(container, case_id) == ("expired", "")


def test_the_family_confirming_a_strangers_request_removes_it_now(container: Container) -> None:
    case_id, session, _ = family_case(container)
    asked = retention.request_takedown(container.deps, "case", case_id, "aunt@example.org", "aunt", "she was found")
    family = _client(container, session)
    confirmed = family.post(f"/cases/{case_id}/removals/{asked}", follow_redirects=False,
                            data={"csrf": _csrf(family, f"/cases/{case_id}"), "answer": "confirm"})
    assert confirmed.status_code == 303 and _status(container, case_id) == ("closed", "Xiaoyu")
    # someone else's account cannot answer for the family
    other = _client(container, session_for(container, Role.REPORTER)[1])
    later_ask = retention.request_takedown(container.deps, "case", case_id, "x@example.org", "x", "remove it")
    refused = other.post(f"/cases/{case_id}/removals/{later_ask}",
                         data={"csrf": _csrf(other, "/takedown"), "answer": "object"}, follow_redirects=False)
    assert refused.status_code == 404


def test_a_sightings_removal_request_still_removes_it_at_once(container: Container, client: TestClient) -> None:
    from tests.conftest import newest_sighting, plain_photo

    sent = client.post("/api/sightings", files=[("photos", ("s.jpg", plain_photo(seed=5), "image/jpeg"))],
                       data={"lat": "30.59", "lon": "114.30", "seen_at": "2026-01-02T10:00:00+08:00"})
    assert sent.status_code in (201, 202), sent.text
    sighting_id = newest_sighting(container)
    asked = retention.request_takedown(container.deps, "sighting", sighting_id, "me@example.org", "me", "my photo")
    retention.decide_takedown(container.deps, OPERATOR, asked, True, "face compared with the photo")
    with container.engine.connect() as conn:
        status = conn.exec_driver_sql(f"SELECT status FROM sightings WHERE id = {sighting_id}").scalar_one()
    assert status == "removed"


def test_a_partner_that_registered_a_case_objects_through_the_api(
    client: TestClient, anonymous: TestClient, container: Container
) -> None:
    from tests.conftest import plain_photo

    case_id = int(client.post("/api/cases", files=[("photos", ("a.jpg", plain_photo(), "image/jpeg"))], data={
        "given_name": "Mei", "sex": "female", "birth_date": "2016-01-01", "missing_since": "2021-06-01T08:00:00Z"}
    ).json()["id"])
    assert anonymous.post("/api/takedowns", json={"subject": "case", "subject_id": case_id, "requester": STRANGER,
                                                  "reason": "remove the poster"}).status_code == 202
    row = client.get("/api/moderation/queues").json()["takedowns"][0]
    assert row["registrant"]["kind"] == "partner" and row["registrant_answer"] == ""
    assert anonymous.post(f"/api/takedowns/{row['id']}/answer", json={"answer": "object"}).status_code in (401, 403)
    assert client.post(f"/api/takedowns/{row['id']}/answer", json={"answer": "object"}).status_code == 204
    assert client.get("/api/moderation/queues").json()["takedowns"] == []
    approve = client.post(f"/api/takedowns/{row['id']}/decision", json={"approve": True, "evidence": "called her"})
    assert approve.status_code == 409 and _status(container, case_id) == ("open", "Mei")


def test_webhooks_told_a_removed_case_ended_are_told_it_is_back_once_a_moderator_restores_it(
    container: Container
) -> None:
    """Probe s23 W4: a restored case was dead for partners for good (told ``case.ended``, never that it was back),
    and its alert rounds never resumed."""
    from reunite.services import reach
    from tests.e2e.test_probe_s21_reach import Recorder

    receiver = Recorder()
    container.deps = replace(container.deps, webhooks=receiver)
    reach.subscribe(container.deps, OPERATOR, "webhook", "https://partner.example/hook", GeoPoint(30.6, 114.3), 50)
    case_id, _, family = family_case(container)
    assert [payload["event"] for _, payload in receiver.sent] == ["case.alert"]
    alerted = receiver.sent[0][1]["alert_id"]
    asked = retention.request_takedown(container.deps, "case", case_id, FAMILY_EMAIL, "mother", "she is home",
                                       who=family)
    run_jobs(container)
    assert [payload["event"] for _, payload in receiver.sent] == ["case.alert", "case.ended"]
    # a partner subscribing while the case is hidden hears of it once it is back: the alert rounds resume
    reach.subscribe(container.deps, OPERATOR, "webhook", "https://other.example/hook", GeoPoint(30.5, 114.2), 50)
    receiver.sent.clear()

    moderator = _client(container, session_for(container, Role.MODERATOR)[1])
    undone = moderator.post(f"/moderation/removals/{asked}/undo", data={
        "csrf": _csrf(moderator, "/moderation"), "evidence": "the mother called back: asked by mistake"},
        follow_redirects=False)
    assert undone.status_code == 303
    run_jobs(container)
    told = dict(receiver.sent)
    assert len(receiver.sent) == 2
    assert sorted(told) == ["https://other.example/hook", "https://partner.example/hook"]
    back = told["https://partner.example/hook"]
    assert back["event"] == "case.restored" and back["alert_id"] == alerted  # the alert it ended, as it knows it
    assert back["case"]["id"] == case_id and back["case"]["given_name"] == "Xiaoyu"  # what to show again
    assert told["https://other.example/hook"]["event"] == "case.alert"
    receiver.sent.clear()
    run_jobs(container)
    assert receiver.sent == []  # told once


def test_a_registrants_own_request_is_answered_with_what_happened_in_its_language(
    container: Container, client: TestClient, anonymous: TestClient
) -> None:
    """Probe s23 W5, through the API and in Chinese: the registrant's own request says the case is hidden now,
    until when it can be kept, and how; anyone else's says it is with the moderators."""
    from tests.conftest import plain_photo

    case_id = int(client.post("/api/cases", files=[("photos", ("a.jpg", plain_photo(), "image/jpeg"))], data={
        "given_name": "Mei", "sex": "female", "birth_date": "2016-01-01", "missing_since": "2021-06-01T08:00:00Z"}
    ).json()["id"])
    asked = {"subject": "case", "subject_id": case_id, "requester": STRANGER, "reason": "remove the poster"}
    stranger = anonymous.post("/api/takedowns", json=asked, headers={"Accept-Language": "zh-CN"})
    assert stranger.status_code == 202 and stranger.json()["status"] == "pending" and "id" not in stranger.json()
    assert "审核员" in stranger.json()["status_text"]
    own = client.post("/api/takedowns", json=asked | {"reason": "found her, thank you"},
                      headers={"Accept-Language": "zh-CN"})
    assert own.status_code == 202 and own.json()["status"] == "removed"
    assert _status(container, case_id) == ("closed", "Mei")
    deleted = datetime.fromisoformat(own.json()["deleted_at"])
    said = own.json()["status_text"]
    assert "对所有人隐藏" in said and Language("zh_CN").datetime(deleted) in said and "中国标准时间" in said
    kept = client.post(f"/api/takedowns/{own.json()['id']}/answer", json={"answer": "object"})  # as it says
    assert kept.status_code == 204 and _status(container, case_id) == ("open", "Mei")


def _card(page: str, words: str) -> str:
    """The moderation page's card (a removal request, a removal to undo) that shows these words."""
    return next(card for card in html.unescape(page).split('<div class="card-row">') if words in card)


def test_the_moderators_read_whether_the_registrant_was_told_or_could_not_be(
    container: Container, anonymous: TestClient
) -> None:
    """Probe s23 W6: the queue said "the registrant was told" when no email could go (no SMTP server, the
    family's account disabled): a moderator approved believing the family warned."""
    from tests.e2e.test_probe_auth import KeptMail

    case_id, _, _ = family_case(container)
    moderator = _client(container, session_for(container, Role.MODERATOR)[1])

    def asked(reason: str) -> None:
        sent = anonymous.post("/api/takedowns", json={"subject": "case", "subject_id": case_id,
                                                      "requester": STRANGER, "relation": "mother", "reason": reason})
        assert sent.status_code == 202
        run_jobs(container)

    asked("no email: remove the poster")  # this site sends no email: an outbox row warns nobody
    card = _card(moderator.get("/moderation").text, "no email: remove the poster")
    assert "The registrant could not be told: this site sends no email." in card and "was told" not in card
    chinese = _client(container, session_for(container, Role.MODERATOR)[1], "zh-CN")
    assert "无法通知登记人：本站不发送电子邮件" in _card(chinese.get("/moderation").text, "no email: remove the poster")

    container.deps = replace(container.deps, mailer=KeptMail())
    asked("with email: she is home")
    card = _card(moderator.get("/moderation").text, "with email: she is home")
    assert "The registrant was told and has not answered." in card and "could not be told" not in card
    told = int(re.search(r'/moderation/takedowns/(\d+)"', card).group(1))  # type: ignore[union-attr]
    retention.decide_takedown(container.deps, OPERATOR, told, False, "the family asked for nothing")  # so that
    # the next request has an email of its own (within a day of a request emailed about, it would not: s32 F1)

    with container.engine.begin() as conn:  # the family's account disabled: nobody to email
        conn.exec_driver_sql("UPDATE accounts SET disabled_at = now() WHERE email = %s", (FAMILY_EMAIL,))
    asked("disabled: please take it down")
    card = _card(moderator.get("/moderation").text, "disabled: please take it down")
    assert "The registrant could not be told: no address on file" in card and "was told" not in card

    # approved regardless, it waits: the removals to undo say the registrant was not told of the approval either
    takedown_id = int(re.search(r'/moderation/takedowns/(\d+)"', card).group(1))  # type: ignore[union-attr]
    retention.decide_takedown(container.deps, OPERATOR, takedown_id, True, "called the number given")
    run_jobs(container)
    waiting = _card(moderator.get("/moderation").text, f"/moderation/removals/{takedown_id}/undo")
    assert "The registrant could not be told: no address on file" in waiting
