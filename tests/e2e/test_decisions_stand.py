"""A decision taken stands, and four eyes are two people (probe s21 U1, U2, U5): the moderation page's bulk
dismissal leaves confirmed, first-confirmed and held candidates as they were and says so; a token counts as
the account that issued it, the command line's tokens as one reviewer; a first confirmation ends when its
case leaves "verified and open"; a family's timeline tells only confirmations that stand."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import timedelta

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Principal, Role, Scope
from reunite.domain.model import CandidateStatus
from reunite.domain.workbench import Action
from reunite.entrypoints.api.app import create_app
from reunite.services import accounts, moderation, reunion, workbench
from reunite.services.accounts import from_api_token, from_session
from tests.conftest import admin_token, session_for
from tests.e2e.test_safety import Later
from tests.e2e.test_staff_accounts import audited
from tests.e2e.test_workbench import _client, _form, loop


def four_eyes(container: Container) -> Container:
    """Four eyes asked for, with the deployment's 2-minute undo window."""
    limits = replace(container.deps.limits, four_eyes=True, undo_window=timedelta(minutes=2))
    return replace(container, deps=replace(container.deps, limits=limits))


def status(container: Container, candidate_id: int) -> str:
    return str(container.deps.read.workbench_item(candidate_id)["status"])


def test_bulk_dismissal_leaves_confirmed_first_confirmed_and_held_candidates_and_says_which(
    container: Container
) -> None:
    container = four_eyes(container)
    world = loop(container, apart=True)  # three reports in three cities: three workbench items
    deps = container.deps
    moderator = _client(container, session_for(container, Role.MODERATOR, "mod1@example.org")[1])
    ann, bo = (_client(container, session_for(container, Role.MODERATOR)[1]) for _ in range(2))
    holder = _client(container, session_for(container, Role.MODERATOR, "mod2@example.org")[1])
    page = moderator.get("/moderation")  # the page the moderator has open: every candidate with a box
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    held = int(holder.get("/workbench", follow_redirects=False).headers["location"].rsplit("/", 1)[1])
    confirmed, first = [c["id"] for c in deps.read.candidates(world.case_id, None) if c["id"] != held]
    for reviewer in (ann, bo):  # two reviewers agree: final, and the family is told once the window is over
        assert _form(reviewer, f"/candidates/{confirmed}/review", decision="confirm").status_code == 303
    assert _form(ann, f"/candidates/{first}/review", decision="confirm").status_code == 303  # waits for a second
    assert (status(container, confirmed), status(container, first)) == ("confirmed", "proposed")
    later = replace(container, deps=replace(deps, clock=Later(timedelta(minutes=3))))
    family = _client(later, world.family_token)
    assert [c["id"] for c in family.get(f"/api/cases/{world.case_id}/candidates").json()] == [confirmed]

    sent = moderator.post("/moderation/candidates?lang=en", follow_redirects=False, data={
        "csrf": csrf.group(1), "ids": [str(confirmed), str(first), str(held)], "reason": "a different child"})
    assert sent.status_code == 303
    told = moderator.get(sent.headers["location"]).text
    assert "0 candidates dismissed." in told
    for why, candidate_id in (("decided", confirmed), ("first_confirmed", first), ("held", held)):
        line = re.search(rf'data-left="{why}">(.*?)</p>', told)
        assert line and f'href="/workbench/{candidate_id}"' in line.group(1)
    words = html.unescape(told)
    assert "Not dismissed, already confirmed: a decision taken stands" in words
    assert "Not dismissed, another reviewer is looking at it now" in words
    assert [status(container, i) for i in (confirmed, first, held)] == ["confirmed", "proposed", "proposed"]
    assert deps.read.workbench_item(first)["first_confirmed_by"] is not None  # the first confirmation stands
    assert deps.read.workbench_item(held)["claimed_by"] is not None and not audited(container, "candidate.taken_over")
    assert [c["id"] for c in family.get(f"/api/cases/{world.case_id}/candidates").json()] == [confirmed]
    assert family.get(f"/cases/{world.case_id}").text.count("A reviewer confirmed") == 1

    # the reviewer holding a candidate dismisses it from the list; sent again, it was dismissed already
    csrf_holder = re.search(r'name="csrf" value="([^"]+)"', holder.get("/moderation").text)
    assert csrf_holder
    form = {"csrf": csrf_holder.group(1), "ids": [str(held)], "reason": "a different child"}
    done = holder.post("/moderation/candidates", data=form, headers={"Accept-Language": "zh-CN"})
    assert "已排除 1 个候选" in done.text and status(container, held) == "dismissed"
    again = holder.post("/moderation/candidates?lang=en", data=form)
    assert "0 candidates dismissed." in again.text and "Already dismissed." in again.text
    assert [d for _, i, d in audited(container, "candidate.dismissed") if i == held] == [
        {"case_id": world.case_id, "reason": "a different child", "bulk": True}]


def test_a_family_never_reads_a_confirmation_a_dismissal_overturned(container: Container) -> None:
    """What a bulk dismissal once did (probe s21 U1): the confirmation stayed in the family's timeline."""
    world = loop(container, apart=True)
    deps = container.deps
    reviewer = Principal(role=Role.MODERATOR, account_id=901)
    kept, overturned = [c["id"] for c in deps.read.candidates(world.case_id, None)][:2]
    for candidate_id in (kept, overturned):
        assert workbench.decide(deps, reviewer, candidate_id, Action.CONFIRM) == "confirmed"
    with deps.uow() as uow:  # as the old bulk dismissal wrote it
        uow.set_candidate_status(overturned, CandidateStatus.DISMISSED, "other", "account:902", deps.clock.now())
        uow.audit("account:902", "candidate.dismissed", "candidate", overturned, case_id=world.case_id, bulk=True)
        uow.commit()
    family = _client(container, world.family_token)
    assert [c["id"] for c in family.get(f"/api/cases/{world.case_id}/candidates").json()] == [kept]
    assert family.get(f"/cases/{world.case_id}").text.count("A reviewer confirmed") == 1  # the one it was told of
    staff = _client(container, session_for(container, Role.MODERATOR)[1]).get(f"/cases/{world.case_id}").text
    assert staff.count("A reviewer confirmed") == 2 and "A reviewer dismissed" in staff  # reviewers read it all


def test_four_eyes_are_two_people_not_an_account_and_its_token_nor_two_command_line_tokens(
    container: Container
) -> None:
    container = four_eyes(container)
    world = loop(container, apart=True)
    deps = container.deps
    one, two = [c["id"] for c in deps.read.candidates(world.case_id, None)][:2]
    admin_id, session = session_for(container, Role.ADMIN, "admin@example.org")
    admin = _client(container, session)
    admin_principal = from_session(deps, session)
    assert admin_principal is not None
    assert _form(admin, f"/candidates/{one}/review", decision="confirm").status_code == 303  # first confirmation
    own_id, own = accounts.issue(deps, admin_principal, "my own integration", [Scope.ADMIN])
    api = TestClient(create_app(container), headers={"Authorization": f"Bearer {own}"})
    refused = api.post(f"/api/candidates/{one}/review?lang=en", json={"decision": "confirm"})
    assert refused.status_code == 409
    assert "first confirmation came from you: an API token counts as the account that issued it" in refused.text
    in_chinese = api.post(f"/api/candidates/{one}/review?lang=zh-CN", json={"decision": "confirm"})
    assert in_chinese.status_code == 409 and "第一次确认来自您本人" in in_chinese.text
    assert status(container, one) == "proposed"
    token_principal = from_api_token(deps, own)
    assert token_principal is not None
    issued_by_token, _ = accounts.issue(deps, token_principal, "a partner it provisions", [Scope.READ_CASES])
    with deps.uow() as uow:  # a token issued by a token counts as the account at the start of its line
        assert uow.person_of(f"token:{issued_by_token}") == uow.person_of(f"token:{own_id}") == f"account:{admin_id}"
    moderator = _client(container, session_for(container, Role.MODERATOR)[1])
    assert _form(moderator, f"/candidates/{one}/review", decision="confirm").status_code == 303
    assert status(container, one) == "confirmed"  # another person

    # two tokens the command line issued: one reviewer, the operator's
    first_cli, second_cli = (TestClient(create_app(container), headers={
        "Authorization": f"Bearer {admin_token(container)}"}) for _ in range(2))
    assert first_cli.post(f"/api/candidates/{two}/review", json={"decision": "confirm"}).status_code == 204
    assert second_cli.post(f"/api/candidates/{two}/review", json={"decision": "confirm"}).status_code == 409
    assert first_cli.post(f"/api/candidates/{two}/review", json={"decision": "confirm"}).status_code == 204  # a retry
    assert status(container, two) == "proposed"
    assert api.post(f"/api/candidates/{two}/review", json={"decision": "confirm"}).status_code == 204  # the admin's
    assert status(container, two) == "confirmed"
    assert [d["first_confirmed_by"] for _, i, d in audited(container, "candidate.confirmed") if i == two] == [
        audited(container, "candidate.first_confirmed")[-1][0]]


def test_the_workbench_never_offers_a_person_the_candidate_they_confirmed_first_through_their_token(
    container: Container
) -> None:
    """Probe s22: an account's token gave a first confirmation; the account's own workbench then offered that
    candidate first (what a second reviewer waits on), and confirming it was refused (409) at the last click."""
    container = four_eyes(container)
    world = loop(container, apart=True)
    deps = container.deps
    one = next(c["id"] for c in deps.read.candidates(world.case_id, None))
    _, session = session_for(container, Role.ADMIN, "admin@example.org")
    admin = from_session(deps, session)
    assert admin is not None
    _, own = accounts.issue(deps, admin, "my own integration", [Scope.ADMIN])
    api = TestClient(create_app(container), headers={"Authorization": f"Bearer {own}"})
    assert api.post(f"/api/candidates/{one}/review", json={"decision": "confirm"}).status_code == 204
    assert status(container, one) == "proposed"  # a first confirmation

    offered = set()
    while (found := workbench.next_candidate(deps, admin)) is not None and found not in offered:
        offered.add(found)
        workbench.decide(deps, admin, found, Action.LATER)
    assert offered and one not in offered
    another = Principal(role=Role.MODERATOR, account_id=903)
    assert workbench.next_candidate(deps, another) == one  # the second person's, first


def test_a_first_confirmation_ends_when_its_case_leaves_verified_and_open(container: Container) -> None:
    container = four_eyes(container)
    world = loop(container, apart=True)
    deps = container.deps
    ann, bo = (Principal(role=Role.MODERATOR, account_id=n) for n in (901, 902))
    police = Principal(role=Role.POLICE, account_id=903)
    rejected, closed, _ = (c["id"] for c in deps.read.candidates(world.case_id, None))
    for candidate_id in (rejected, closed):
        assert workbench.decide(deps, ann, candidate_id, Action.CONFIRM) == "first_confirmed"
    moderation.reject_case(deps, OPERATOR, world.case_id, "police say the report number is false")
    moderation.reopen_case(deps, OPERATOR, world.case_id, "the family brought the police report")
    moderation.verify_case(deps, OPERATOR, world.case_id, "police report seen again")
    # the confirmation given before the case was found false no longer counts: bo's is a first one
    assert workbench.decide(deps, bo, rejected, Action.CONFIRM) == "first_confirmed"
    assert status(container, rejected) == "proposed"
    cleared = audited(container, "candidate.first_confirmation_cleared")
    assert {(actor, i, d["was_given_by"], d["case_change"]) for actor, i, d in cleared} == {
        ("operator", rejected, "account:901", "reject"), ("operator", closed, "account:901", "reject")}
    assert workbench.decide(deps, ann, rejected, Action.CONFIRM) == "confirmed"  # now a second person

    assert workbench.decide(deps, ann, closed, Action.CONFIRM) == "first_confirmed"
    reunion.close_case(deps, police, world.case_id, reunited=False, keep_data=True)
    moderation.reopen_case(deps, OPERATOR, world.case_id, "closed in error")
    moderation.verify_case(deps, OPERATOR, world.case_id, "police report seen again")
    assert workbench.decide(deps, bo, closed, Action.CONFIRM) == "first_confirmed"
    assert (police.actor, closed, "close") in {(a, i, d["case_change"]) for a, i, d in
                                              audited(container, "candidate.first_confirmation_cleared")}
