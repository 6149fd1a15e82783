"""Probe s34 H2-H4: decisions taken on what a page or a read showed, against what happened meanwhile. A stale
"Reject" (or "Close") of a case verified meanwhile by another moderator is refused, naming what happened (H2); a
token revoked while its long import runs either waits for it (and "withdraw imports" then finds its cases) or
the import writes nothing (H3); a report's "say when/where you saw the child" is answered once when answers come
at once (H4)."""

from __future__ import annotations

import html
import re

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.services import moderation
from tests.conftest import admin_token, run_jobs, session_for
from tests.e2e.test_case_photo_faces import _client, _family
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
    verified = first.post(f"/cases/{case_id}/verify", follow_redirects=False, data=dict(
        re.findall(r'name="([^"]+)" value="([^"]*)"', verify_form.group(1))) | {"evidence": "police report 123 checked"})
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
