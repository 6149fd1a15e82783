"""Probe s28 B7, the smaller defects of the review loop: a stale family form says what is true (the case ended,
or the lead is not final yet) instead of "does not exist"; the reporter's private page says where the report
stands; email subscribers are told, once, that an appeal they were alerted to ended; opening a candidate by its
address claims it, and the case page says who holds one; a check whose sighting was withdrawn says so, and waits
for police and moderators."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reunite.adapters.notify.mail import render
from reunite.bootstrap import Container
from reunite.domain.access import ANONYMOUS, OPERATOR, Role
from reunite.domain.errors import Conflict, NotFound
from reunite.domain.model import NewSighting, Upload
from reunite.domain.workbench import Action
from reunite.entrypoints.api.app import create_app
from reunite.services import case_events, families, intake, reach, reports, reunion, workbench
from reunite.services.accounts import from_session
from reunite.services.moderation import reopen_case, verify_case
from tests.conftest import session_for
from tests.e2e.test_probe_s21_reach import _jobs
from tests.e2e.test_reach import WUHAN, missing_case, north
from tests.e2e.test_workbench import _client, _form, loop, with_undo
from tests.photos import portrait


class Mailbox:
    """A mailer that keeps each email as it would read (subject and body, in its language)."""

    configured = True

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str, str]] = []

    def send(self, to: str, kind: str, language: str, context: dict[str, Any],
             headers: dict[str, str] | None = None) -> str:
        subject, body = render(kind, language, context)
        self.sent.append((to, kind, subject, body))
        return subject


def _subscriber(container: Container, address: str, language: str) -> int:
    deps = container.deps
    subscription_id, _ = reach.subscribe(deps, OPERATOR, "email", address, north(3), 10, language=language)
    token = reach.link(deps, subscription_id, "confirm").split("t=")[1]
    reach.set_status(deps, subscription_id, "confirm", token)
    return subscription_id


def test_email_subscribers_alerted_to_a_case_are_told_once_that_its_appeal_ended(container: Container) -> None:
    mail = Mailbox()
    deps = container.deps = replace(container.deps, mailer=mail)
    _subscriber(container, "watcher@example.org", "zh_CN")
    _subscriber(container, "english@example.org", "en")
    gone = _subscriber(container, "gone@example.org", "en")
    case_id = missing_case(container, place=WUHAN)
    verify_case(deps, OPERATOR, case_id, "police report checked")
    assert reach.alert_round(deps, case_id) == 3
    with container.engine.connect() as conn:
        for alert_id in conn.exec_driver_sql("SELECT id FROM alerts WHERE case_id = %s", (case_id,)).scalars():
            reach.deliver_alert(deps, alert_id)
    assert sorted(kind for _, kind, _, _ in mail.sent) == ["case_alert"] * 3
    mail.sent.clear()
    reach.set_status(deps, gone, "unsubscribe", reach.link(deps, gone, "unsubscribe").split("t=")[1])

    reunion.close_case(deps, OPERATOR, case_id, reunited=False, keep_data=True)
    queued = _jobs(container, "reach.deliver_ended")  # queued with the closing itself, one per email alert
    assert len(queued) == 2
    for args in queued:
        case_events.deliver_ended(deps, args["alert_id"])
    told = {to: (subject, body) for to, kind, subject, body in mail.sent if kind == "case_ended"}
    assert set(told) == {"watcher@example.org", "english@example.org"}  # not the one who unsubscribed
    subject, body = told["english@example.org"]
    assert subject == "Reunite: an appeal for a missing child has ended"
    assert "has ended" in body and "please take it down" in body and f"/p/{case_id}" in body
    assert "小林" not in body and "closed" not in body and "found" not in body.lower()  # never who, never why
    zh_subject, zh_body = told["watcher@example.org"]
    assert "已结束" in zh_subject and "请将其取下" in zh_body

    # closed by mistake: reopened and verified again, those told it ended are told it is open again, once
    reopen_case(deps, OPERATOR, case_id, "closed by mistake")
    verify_case(deps, OPERATOR, case_id, "police report checked again")
    mail.sent.clear()
    for args in _jobs(container, "reach.deliver_restored"):
        case_events.deliver_restored(deps, args["alert_id"])
        case_events.deliver_restored(deps, args["alert_id"])  # a retried job tells nobody twice
    back = {to: body for to, kind, _, body in mail.sent if kind == "case_restored"}
    assert set(back) == {"watcher@example.org", "english@example.org"} and len(mail.sent) == 2
    assert "is open again" in back["english@example.org"] and f"/p/{case_id}" in back["english@example.org"]
    assert "重新开启" in back["watcher@example.org"]

    # and closed again: told again that it ended, once more
    mail.sent.clear()
    reunion.close_case(deps, OPERATOR, case_id, reunited=False, keep_data=True)
    again = _jobs(container, "reach.deliver_ended")
    assert len(again) == 4
    for args in again[2:]:
        case_events.deliver_ended(deps, args["alert_id"])
    assert sorted(to for to, kind, _, _ in mail.sent if kind == "case_ended") == [
        "english@example.org", "watcher@example.org"]


def test_an_appeal_back_before_its_subscribers_were_told_it_ended_tells_them_nothing(container: Container) -> None:
    mail = Mailbox()
    deps = container.deps = replace(container.deps, mailer=mail)
    _subscriber(container, "watcher@example.org", "en")
    case_id = missing_case(container, place=WUHAN)
    verify_case(deps, OPERATOR, case_id, "police report checked")
    assert reach.alert_round(deps, case_id) == 1
    with container.engine.connect() as conn:
        reach.deliver_alert(deps, conn.exec_driver_sql("SELECT id FROM alerts WHERE case_id = %s", (case_id,)).scalar())
    assert [kind for _, kind, _, _ in mail.sent] == ["case_alert"]
    mail.sent.clear()
    reunion.close_case(deps, OPERATOR, case_id, reunited=False, keep_data=True)
    reopen_case(deps, OPERATOR, case_id, "closed by mistake")
    verify_case(deps, OPERATOR, case_id, "police report checked again")
    for args in _jobs(container, "reach.deliver_ended"):  # its jobs run in order: the ending, then the return
        case_events.deliver_ended(deps, args["alert_id"])
    for args in _jobs(container, "reach.deliver_restored"):
        case_events.deliver_restored(deps, args["alert_id"])
    assert mail.sent == []  # neither "ended" for an appeal that is open, nor "open again" for one never said ended


def test_a_stale_answer_on_a_lead_says_what_is_true_to_the_family_and_nothing_to_anyone_else(
    container: Container
) -> None:
    container = with_undo(container)
    world = loop(container, photos=(("collins", 1),))
    deps = container.deps
    [lead] = deps.read.candidates(world.case_id, None)
    workbench.decide(deps, OPERATOR, lead["id"], Action.CONFIRM, "")
    family = _client(container, world.family_token)
    family.headers["Accept-Language"] = "zh-CN"
    answer = f"/candidates/{lead['id']}/answer"
    # during the reviewer's undo window: not final yet, in the family's language; nothing stored
    early = _form(family, answer, case_id=str(world.case_id), answer="not", note="不是他")
    assert early.status_code == 409 and "这条线索尚未最终确定" in html.unescape(early.text)
    with pytest.raises(Conflict, match="not final yet"):
        families.answer_lead(deps, world.family, lead["id"], "not", "")
    # another family, and a stranger, learn nothing: the lead "does not exist" for them
    other = from_session(deps, session_for(container, Role.REPORTER)[1])
    assert other is not None
    with pytest.raises(NotFound, match="does not exist"):
        families.answer_lead(deps, other, lead["id"], "not", "")
    assert deps.read.workbench_item(lead["id"])["family_words"] == []

    with container.engine.begin() as conn:  # the window passed
        conn.exec_driver_sql("UPDATE candidates SET reviewed_at = reviewed_at - interval '3 minutes'")
    page = html.unescape(family.get(f"/cases/{world.case_id}").text)  # the form, loaded while the case is open
    assert f'action="{answer}"' in page
    reunion.close_case(deps, OPERATOR, world.case_id, reunited=False, keep_data=True)
    late = _form(family, answer, case_id=str(world.case_id), answer="not", note="不是他")
    assert late.status_code == 409 and "此案件已结束：不再接收对其线索的回复" in html.unescape(late.text)
    ended_family = from_session(deps, world.family_token)
    assert ended_family is not None
    with pytest.raises(Conflict, match="this case has ended"):
        families.answer_lead(deps, ended_family, lead["id"], "maybe", "")
    with pytest.raises(NotFound, match="does not exist"):
        families.answer_lead(deps, other, lead["id"], "maybe", "")
    assert deps.read.workbench_item(lead["id"])["family_words"] == []


def test_opening_a_candidate_by_its_address_claims_it_and_the_case_page_says_who_holds_it(
    container: Container
) -> None:
    world = loop(container, photos=(("collins", 1),))
    deps = container.deps
    [lead] = deps.read.candidates(world.case_id, None)
    first = _client(container, session_for(container, Role.MODERATOR, "first@example.org")[1])
    second = _client(container, session_for(container, Role.MODERATOR, "second@example.org")[1])
    assert first.get(f"/workbench/{lead['id']}").status_code == 200  # the case page's "Open in the workbench"
    held = deps.read.workbench_item(lead["id"])
    assert held["claimed_by"] and held["claim_expires_at"] > deps.clock.now()
    # the other reviewer's queue does not serve it, and their case page says whose it is
    assert second.get("/workbench", follow_redirects=False).status_code == 200
    page = html.unescape(second.get(f"/cases/{world.case_id}?lang=en").text)
    assert "first@example.org) is looking at this candidate in the workbench until" in page
    refused = _form(second, f"/candidates/{lead['id']}/review", case_id=str(world.case_id), decision="dismiss",
                    reason="a different child")
    assert refused.status_code == 409 and "first@example.org" in html.unescape(refused.text)
    assert deps.read.workbench_item(lead["id"])["status"] == "proposed"
    # opened by its address by the second: still the first's, and the page says so
    opened = html.unescape(second.get(f"/workbench/{lead['id']}?lang=en").text)
    assert "first@example.org) is looking at this candidate until" in opened
    assert deps.read.workbench_item(lead["id"])["claimed_by"] == held["claimed_by"]
    # the holder's own case page names nobody; their decision goes through
    assert "is looking at this candidate" not in first.get(f"/cases/{world.case_id}?lang=en").text
    done = _form(first, f"/workbench/{lead['id']}", action="confirm")
    assert done.status_code == 303 and deps.read.workbench_item(lead["id"])["status"] == "confirmed"
    family_page = html.unescape(_client(container, world.family_token).get(f"/cases/{world.case_id}").text)
    assert "first@example.org" not in family_page


def test_the_reporters_private_page_says_where_the_report_stands_and_never_which_child(
    container: Container
) -> None:
    world = loop(container, photos=(("collins", 1),))
    deps = container.deps
    anonymous = TestClient(create_app(container))
    with container.engine.connect() as conn:
        receipt = conn.exec_driver_sql("SELECT receipt FROM sightings WHERE id = %s",
                                       (world.sightings[0],)).scalar_one()

    def state(language: str = "en") -> str:
        page = html.unescape(anonymous.get(reports.private_path(deps, receipt) + f"?lang={language}").text)
        found = re.search(r'id="report-state"[^>]*>(.*?)</p>', page, re.S)
        assert found
        return found.group(1)

    assert "A moderator approved your report" in state() and "with the reviewers" not in state()
    [lead] = deps.read.candidates(world.case_id, None)
    workbench.decide(deps, OPERATOR, lead["id"], Action.CONFIRM, "")
    assert "A moderator approved your report" in state()  # a confirmed lead is never told: the child is looked for
    reunion.record_verification(deps, OPERATOR, world.case_id, lead["id"], "dna", "match", "")
    reunion.close_case(deps, OPERATOR, world.case_id, reunited=True, keep_data=False)
    helped = state()
    assert helped.startswith("Thank you: a child was found.")
    assert "Lin" not in helped and str(world.case_id) not in helped and "Family" not in helped
    assert "一名孩子已被找到" in state("zh-CN")

    # a report waiting for a moderator says so
    sent = intake.report_sighting(deps, ANONYMOUS, NewSighting(seen_at=datetime(2006, 6, 9, tzinfo=UTC),
                                                                 place=WUHAN, place_text="Hankou station"),
                                  [Upload(portrait("collins", 2), "c.jpg")])
    receipt = sent.receipt
    assert "Your report is with the reviewers" in state()


def test_a_check_whose_sighting_its_reporter_withdrew_says_so_and_waits_for_police_and_moderators(
    container: Container
) -> None:
    world = loop(container, photos=(("collins", 1),))
    deps = container.deps
    [lead] = deps.read.candidates(world.case_id, None)
    workbench.decide(deps, OPERATOR, lead["id"], Action.CONFIRM, "")
    police = _client(container, session_for(container, Role.POLICE)[1])
    _form(police, f"/cases/{world.case_id}/verifications", candidate_id=str(lead["id"]), method="dna",
          result="pending", notes="DNA sample sent to lab", idempotency_key="check-1")
    moderator = _client(container, session_for(container, Role.MODERATOR)[1])

    def waiting() -> dict[int, list[str]]:
        return {w["case_id"]: w["kinds"] for w in moderator.get("/api/moderation/queues").json()["families"]}

    assert "check_orphaned" not in waiting().get(world.case_id, [])
    with container.engine.connect() as conn:
        receipt = conn.exec_driver_sql("SELECT receipt FROM sightings WHERE id = %s",
                                       (world.sightings[0],)).scalar_one()
        notices = conn.exec_driver_sql("SELECT count(*) FROM procrastinate_jobs "
                                       "WHERE task_name = 'reach.tell_reviewers'").scalar_one()
    reports.withdraw(deps, receipt, reports.link_token(deps, receipt), True)

    for reader in (police, _client(container, world.family_token)):
        page = html.unescape(reader.get(f"/cases/{world.case_id}?lang=en").text)
        assert "DNA sample sent to lab" in page
        assert "The sighting this check was about was withdrawn by its reporter on" in page
    zh = html.unescape(_client(container, world.family_token).get(f"/cases/{world.case_id}?lang=zh-CN").text)
    assert "这项核查所针对的目击已于" in zh and "被报告人撤回" in zh
    assert waiting() == {world.case_id: ["check_orphaned"]}
    page = html.unescape(moderator.get("/moderation?lang=en").text)
    assert "<strong>a check under way whose sighting was withdrawn or removed: tell the family and the police" \
           "</strong>" in page
    with container.engine.connect() as conn:
        audited = conn.exec_driver_sql("SELECT actor, detail->>'why' FROM audit_log "
                                       "WHERE action = 'verification.lead_removed'").all()
        told = conn.exec_driver_sql("SELECT count(*) FROM procrastinate_jobs "
                                    "WHERE task_name = 'reach.tell_reviewers'").scalar_one()
    assert audited == [("reporter", "withdrawn")] and told == notices + 1
    # the police record what became of the check: nothing waits any more
    _form(police, f"/cases/{world.case_id}/verifications", method="dna", result="no_match",
          notes="lab: no match", idempotency_key="check-2")
    assert waiting() == {}
