"""Probe s34 H2-H4: decisions taken on what a page or a read showed, against what happened meanwhile. A stale
"Reject" (or "Close") of a case verified meanwhile by another moderator is refused, naming what happened (H2); a
token revoked while its long import runs either waits for it (and "withdraw imports" then finds its cases) or
the import writes nothing (H3); a report's "say when/where you saw the child" is answered once when answers come
at once (H4)."""

from __future__ import annotations

import html
import re
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from reunite.bootstrap import Container
from reunite.domain.access import ANONYMOUS, OPERATOR, Principal, Role, Scope
from reunite.domain.errors import InvalidInput, NotSignedIn
from reunite.domain.model import GeoPoint, NewSighting, Upload
from reunite.services import exchange, intake, moderation, throttle, where_seen
from reunite.services import pfif as pfif_service
from reunite.services.accounts import from_api_token, issue_token, revoke_token
from reunite.services.reports import give_time, link_token
from tests.conftest import admin_token, plain_photo, run_jobs, session_for
from tests.e2e.test_case_photo_faces import _client, _family
from tests.e2e.test_import_bounds import children, sheet
from tests.e2e.test_pfif_sync import rows
from tests.e2e.test_verified_case_guard import _register


def _queue_reject_form(page: str, case_id: int) -> dict[str, str]:
    """The moderation queue's Reject form of this case, as the page filled it."""
    found = re.search(rf'action="/cases/{case_id}/reject"[^>]*>((?:<input type="hidden"[^>]*>)+)', page)
    assert found, "no Reject form for the case"
    return dict(re.findall(r'name="([^"]+)" value="([^"]*)"', found.group(1)))


def _waiting_case(container: Container) -> int:
    family, _ = _family(container)
    case_id = _register(container, family)
    run_jobs(container)
    return case_id


def test_a_reject_sent_from_a_page_read_before_another_moderator_verified_the_case_is_refused(
        container: Container) -> None:
    case_id = _waiting_case(container)
    first = _client(container, session_for(container, Role.MODERATOR)[1])
    second = _client(container, session_for(container, Role.MODERATOR)[1])
    seen_by_second = second.get("/moderation").text  # both have the queue open on the waiting case
    verify_form = re.search(rf'action="/cases/{case_id}/verify"[^>]*>((?:<input type="hidden"[^>]*>)+)',
                            first.get("/moderation").text)
    assert verify_form
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', verify_form.group(1)))
    verified = first.post(f"/cases/{case_id}/verify", follow_redirects=False,
                          data=fields | {"evidence": "police report 123 checked"})
    assert verified.status_code == 303

    stale = second.post(f"/cases/{case_id}/reject", follow_redirects=False,
                        data=_queue_reject_form(seen_by_second, case_id) | {"reason": "Not a real case, spam"})
    assert stale.status_code == 409
    assert f"case {case_id} was verified meanwhile by another moderator: look at it again" in html.unescape(stale.text)
    desk = _client(container, token=admin_token(container))
    case = desk.get(f"/api/cases/{case_id}").json()
    assert case["status"] == "open" and case["verified_at"] is not None  # the verification stands

    # read again, the page offers no Reject form on the verified case's queue; the API rejects it knowingly
    assert f'action="/cases/{case_id}/reject"' not in second.get("/moderation").text
    assert desk.post(f"/api/cases/{case_id}/reject", json={"reason": "Not a real case, spam",
                                                          "version": case["version"]}).status_code == 204
    assert desk.get(f"/api/cases/{case_id}").json()["status"] == "rejected"


def test_two_moderators_rejecting_the_same_waiting_case_are_both_answered_done(container: Container) -> None:
    case_id = _waiting_case(container)
    first = _client(container, session_for(container, Role.MODERATOR)[1])
    second = _client(container, session_for(container, Role.MODERATOR)[1])
    pages = [first.get("/moderation").text, second.get("/moderation").text]
    for client, page in zip((first, second), pages, strict=True):
        sent = client.post(f"/cases/{case_id}/reject", follow_redirects=False,
                           data=_queue_reject_form(page, case_id) | {"reason": "Not a real case, spam"})
        assert sent.status_code == 303  # the same decision: nothing overturned
    assert _client(container, token=admin_token(container)).get(f"/api/cases/{case_id}").json()["status"] == "rejected"


def test_the_api_refuses_a_reject_or_close_sent_with_the_version_of_a_case_verified_since(container: Container) -> None:
    case_id = _waiting_case(container)
    desk = _client(container, token=admin_token(container))
    read = desk.get(f"/api/cases/{case_id}").json()["version"]
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report 123 checked")  # another moderator

    refused = desk.post(f"/api/cases/{case_id}/reject", json={"reason": "Not a real case, spam", "version": read})
    assert refused.status_code == 409
    assert f"case {case_id} was verified meanwhile by another moderator" in refused.json()["detail"]
    zh = desk.post(f"/api/cases/{case_id}/reject", json={"reason": "Not a real case, spam", "version": read},
                   headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 409 and "另一位" in zh.json()["detail"]
    closed = desk.post(f"/api/cases/{case_id}/close", json={"reunited": False, "keep_data": True, "version": read})
    assert closed.status_code == 409
    older = desk.post(f"/api/cases/{case_id}/reject", json={"reason": "Not a real case, spam",
                                                           "version": read.split(".")[1]})  # a page from before
    assert older.status_code == 409 and "changed since you opened it" in older.json()["detail"]
    case = desk.get(f"/api/cases/{case_id}").json()
    assert case["status"] == "open" and case["verified_at"] is not None


def test_a_close_sent_from_the_case_page_read_before_the_case_was_verified_is_refused(container: Container) -> None:
    case_id = _waiting_case(container)
    police = _client(container, session_for(container, Role.POLICE)[1])
    page = police.get(f"/cases/{case_id}").text
    form = re.search(rf'action="/cases/{case_id}/close"[^>]*>((?:<input type="hidden"[^>]*>)+)', page)
    assert form
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(1)))
    assert "version" in fields
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report 123 checked")
    sent = police.post(f"/cases/{case_id}/close", follow_redirects=False,
                       data=fields | {"outcome": "closed", "keep_data": "yes", "confirm": "yes"})
    assert sent.status_code == 409
    assert f"case {case_id} was verified meanwhile by another moderator" in html.unescape(sent.text)
    assert _client(container, token=admin_token(container)).get(f"/api/cases/{case_id}").json()["status"] == "open"


def test_a_reopen_sent_from_a_page_read_before_the_case_was_reopened_and_rejected_again_is_refused(
        container: Container) -> None:
    case_id = _waiting_case(container)
    moderation.reject_case(container.deps, OPERATOR, case_id, "Not a real case, spam")
    stale = _client(container, session_for(container, Role.MODERATOR)[1])
    form = re.search(rf'action="/cases/{case_id}/reopen"[^>]*>((?:<input type="hidden"[^>]*>)+)',
                     stale.get(f"/cases/{case_id}").text)
    assert form
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(1)))
    assert "version" in fields
    # meanwhile another moderator reopens it, looks again, and rejects it for good reason
    moderation.reopen_case(container.deps, OPERATOR, case_id, "Rejected by mistake, the family called")
    moderation.reject_case(container.deps, OPERATOR, case_id, "The family says it was a misunderstanding")
    sent = stale.post(f"/cases/{case_id}/reopen", follow_redirects=False,
                      data=fields | {"reason": "Rejected by mistake, the family called"})
    assert sent.status_code == 409
    assert f"case {case_id} is rejected since you opened it, by another decision" in html.unescape(sent.text)
    desk = _client(container, token=admin_token(container))
    case = desk.get(f"/api/cases/{case_id}").json()
    assert case["status"] == "rejected"
    assert desk.post(f"/api/cases/{case_id}/reopen", json={"reason": "Rejected by mistake, the family called",
                                                          "version": case["version"]}).status_code == 204


def _partner(container: Container) -> tuple[Principal, str]:
    """A partner's write token, as a request holding it is granted: its principal, and its secret."""
    secret = issue_token(container.deps, OPERATOR, "partner b", [Scope.WRITE], ["partnerb.org"])
    who = from_api_token(container.deps, secret)
    assert who is not None and who.token_id is not None
    return who, secret


def test_an_import_whose_token_is_revoked_before_it_writes_writes_nothing(
        container: Container, monkeypatch: pytest.MonkeyPatch) -> None:
    who, _ = _partner(container)
    counted = throttle.records_limit

    def revoked_meanwhile(deps: Any, sender: Principal, *args: Any, **kwargs: Any) -> None:
        counted(deps, sender, *args, **kwargs)
        revoke_token(deps, OPERATOR, int(sender.token_id or 0))  # the admin revokes it while the file is read

    monkeypatch.setattr(throttle, "records_limit", revoked_meanwhile)
    with pytest.raises(NotSignedIn, match="revoked while the request ran: nothing was written"):
        exchange.import_cases_table(container.deps, who, sheet(["Bo", "Yu", "Fei"])["file"][1], dry_run=False)
    assert rows(container, "SELECT count(*) FROM cases") == [(0,)]

    writer = _client(container, token=_partner(container)[1])
    answer = writer.post("/api/pfif", headers={"Content-Type": "application/xml", "Accept-Language": "zh-CN"},
                         content=children(0, 3))
    assert answer.status_code == 401 and "未写入任何内容" in answer.json()["detail"]
    assert rows(container, "SELECT count(*) FROM cases") == [(0,)]


def test_a_token_revoked_while_its_import_writes_waits_for_it_and_withdraws_what_it_wrote(
        container: Container, monkeypatch: pytest.MonkeyPatch) -> None:
    who, _ = _partner(container)
    writing, order = threading.Event(), []
    linked = pfif_service._links

    def slow_links(*args: Any) -> int:  # the import's last step, inside its write transaction
        writing.set()
        time.sleep(0.5)
        order.append("import written")
        return linked(*args)

    monkeypatch.setattr(pfif_service, "_links", slow_links)
    withdrawn: list[int] = []

    def admin() -> None:
        writing.wait(30)
        withdrawn.append(revoke_token(container.deps, OPERATOR, int(who.token_id or 0),
                                      withdraw_reason="token leaked, withdrawing everything it imported"))
        order.append("revoked")

    revoking = threading.Thread(target=admin)
    revoking.start()
    report = pfif_service.import_pfif(container.deps, who, children(0, 3))
    revoking.join(30)
    assert report.created == 3
    assert order == ["import written", "revoked"] and withdrawn == [3]  # the revocation waited, and found them
    assert rows(container, "SELECT status, count(*) FROM cases GROUP BY status") == [("rejected", 3)]


def _at_once(calls: list[Callable[[], int]]) -> list[str]:
    """Each call made at the same moment, in a thread of its own: what each was answered ("given", or the refusal)."""
    start, answers = threading.Barrier(len(calls)), [""] * len(calls)

    def run(n: int) -> None:
        start.wait(30)
        try:
            calls[n]()
            answers[n] = "given"
        except InvalidInput as exc:
            answers[n] = exc.message

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def _unplaced_report(container: Container, seed: int) -> tuple[int, str, str]:
    """A report sent with no time and no place: its id, and its private link's receipt and secret."""
    sent = intake.report_sighting(container.deps, ANONYMOUS, NewSighting(None, None),
                                  [Upload(plain_photo(seed=seed), "s.jpg")])
    return sent.sighting_id, sent.receipt, link_token(container.deps, sent.receipt)


def test_when_and_where_answered_several_times_at_once_keep_one_answer_and_refuse_the_others(
        container: Container) -> None:
    sighting_id, receipt, secret = _unplaced_report(container, 41)
    [(arrived,)] = rows(container, f"SELECT created_at FROM sightings WHERE id = {sighting_id}")
    times = [arrived - timedelta(days=days) for days in (1, 2, 3)]
    places = [("", GeoPoint(31.2, 121.4)), ("", GeoPoint(39.9, 116.4)), ("Chengdu", None)]
    answers = _at_once([(lambda when=when: give_time(container.deps, receipt, secret, when)) for when in times]
                       + [(lambda words=words, point=point: where_seen.give_place(container.deps, receipt, secret,
                                                                                  words, point))
                          for words, point in places])
    time_answers, place_answers = answers[:3], answers[3:]
    refused = "this report has its {} already: write a correction in the details"
    assert sorted(time_answers) == ["given", refused.format("time"), refused.format("time")]
    assert sorted(place_answers) == ["given", refused.format("place"), refused.format("place")]

    [(seen_at, lat, lon, place_text)] = rows(container, "SELECT seen_at, lat, lon, place_text FROM sightings "
                                                        f"WHERE id = {sighting_id}")
    assert seen_at == times[time_answers.index("given")]  # the answer the reporter was thanked for is the one kept
    words, point = places[place_answers.index("given")]
    assert (lat, lon) == ((point.lat, point.lon) if point else (None, None))
    assert place_text == words
    audit = rows(container, "SELECT action, detail FROM audit_log WHERE subject = 'sighting' AND subject_id = "
                            f"{sighting_id} AND action IN ('sighting.time_given', 'sighting.place_given')")
    assert sorted(action for action, _ in audit) == ["sighting.place_given", "sighting.time_given"]
    [said] = [detail for action, detail in audit if action == "sighting.place_given"]
    assert said["position"] is (point is not None)  # the audit says what the record holds


def test_the_same_answer_sent_several_times_at_once_is_thanked_each_time_and_given_once(container: Container) -> None:
    sighting_id, receipt, secret = _unplaced_report(container, 42)
    [(arrived,)] = rows(container, f"SELECT created_at FROM sightings WHERE id = {sighting_id}")
    when = arrived - timedelta(hours=5)
    answers = _at_once([lambda: give_time(container.deps, receipt, secret, when)] * 3
                       + [lambda: where_seen.give_place(container.deps, receipt, secret, "Chengdu", None)] * 3)
    assert answers == ["given"] * 6
    given = rows(container, f"SELECT action, count(*) FROM audit_log WHERE subject = 'sighting' AND subject_id = "
                            f"{sighting_id} AND action IN ('sighting.time_given', 'sighting.place_given') "
                            "GROUP BY action ORDER BY action")
    assert given == [("sighting.place_given", 1), ("sighting.time_given", 1)]
