"""Moderators' and admins' forms come back as the public forms do: refused, the page the form was on is shown
again with the form as typed, the error beside the field it is about (``aria-invalid``, ``aria-describedby``)
as well as at the top, in the reader's language, and only in the form that was sent (a queue holds one form
per case, per request, per flag)."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import ANONYMOUS, Role
from reunite.domain.model import GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import intake
from reunite.services.accounts import from_session
from tests.conftest import plain_photo, run_jobs, session_for

WORDS = {  # what the reader is told beside the reason: words, in their language
    "en": "“Reason” must be words, at least three letters",
    "zh-CN": "“理由”必须用文字写明",
}


def staff(container: Container, role: Role, language: str) -> TestClient:
    client = TestClient(create_app(container), headers={"Accept-Language": language})
    client.cookies.set("reunite_session", session_for(container, role)[1])
    return client


def csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found, path
    return found.group(1)


def waiting_cases(container: Container, names: tuple[str, ...]) -> list[int]:
    """Cases a family registered, waiting for a moderator to verify them."""
    family = TestClient(create_app(container))
    family.cookies.set("reunite_session", session_for(container, Role.REPORTER)[1])
    owner = from_session(container.deps, str(family.cookies["reunite_session"]))
    assert owner is not None
    now = container.deps.clock.now()
    made = []
    for n, name in enumerate(names):
        born = now.date().replace(year=now.year - 8)
        case = NewCase(given_name=name, family_name="Li", sex=Sex.MALE, birth_date=born,
                       missing_since=now - timedelta(days=30), last_seen_place=GeoPoint(30.66, 104.06),
                       police_report=f"PR-{n}")
        made.append(intake.register_case(container.deps, owner, case, [Upload(plain_photo(seed=n), "a.jpg")],
                                         [None]).case_id)
    return made


def form_of(page: str, action: str) -> str:
    """The form posting to ``action``, as the page shows it."""
    found = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', page, re.S)
    assert found, f"the page has the form {action}"
    return found.group(0)


def beside(form: str, field: str) -> str:
    """The error said beside ``field`` in the form, which the field names as its description."""
    assert re.search(rf'name="{field}"[^>]*aria-invalid="true"[^>]*aria-describedby="error-{field}', form), form
    found = re.search(rf'<span class="field-error" id="error-{field}">([^<]*)</span>', form)
    assert found, form
    return html.unescape(found.group(1))


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_a_refused_rejection_in_the_queue_is_said_beside_that_cases_reason(container: Container,
                                                                           language: str) -> None:
    first, second = waiting_cases(container, ("Ming", "Hao"))
    moderator = staff(container, Role.MODERATOR, language)
    answer = moderator.post(f"/cases/{first}/reject", data={
        "csrf": csrf(moderator, "/moderation"), "reason": "ok", "idempotency_key": "k" * 20})
    assert answer.status_code == 422, answer.text[-800:]
    refused = form_of(answer.text, f"/cases/{first}/reject")
    assert beside(refused, "reason").startswith(WORDS[language])
    assert 'value="ok"' in refused  # as typed
    other = form_of(answer.text, f"/cases/{second}/reject")
    assert "aria-invalid" not in other and "field-error" not in other  # only the form that was sent
    assert "aria-invalid" not in form_of(answer.text, f"/cases/{first}/verify")
    assert container.deps.read.case(first)["status"] == "open"


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_a_refused_verification_from_the_case_page_comes_back_on_the_case_page(container: Container,
                                                                               language: str) -> None:
    """It came back as the moderation queue, the words typed on the case page gone."""
    (case_id,) = waiting_cases(container, ("Ming",))
    moderator = staff(container, Role.MODERATOR, language)
    answer = moderator.post(f"/cases/{case_id}/verify", data={
        "csrf": csrf(moderator, f"/cases/{case_id}"), "evidence": "x", "back": f"/cases/{case_id}",
        "idempotency_key": "v" * 20})
    assert answer.status_code == 422
    assert "<h1>Ming Li</h1>" in answer.text or "<h1>Li Ming</h1>" in answer.text  # the case's own page
    refused = form_of(answer.text, f"/cases/{case_id}/verify")
    said = beside(refused, "evidence")
    assert said.startswith("“依据”" if language == "zh-CN" else "“What you checked”"), said
    assert 'value="x"' in refused
    assert re.search(r'id="form-error">[^<]*' + re.escape(said[:6]), answer.text)  # and at the top
    assert container.deps.read.case(case_id)["verified_at"] is None


def test_a_refused_rejection_on_a_reports_page_comes_back_there_as_typed(container: Container) -> None:
    seen = NewSighting(seen_at=container.deps.clock.now() - timedelta(hours=2), place=None, place_text="Chengdu")
    report = intake.report_sighting(container.deps, ANONYMOUS, seen, [Upload(plain_photo(seed=3), "s.jpg")])
    run_jobs(container)
    moderator = staff(container, Role.MODERATOR, "zh-CN")
    page = f"/sightings/{report.sighting_id}"
    version = re.search(r'name="version_\d+" value="([^"]*)"', moderator.get(page).text)
    assert version
    answer = moderator.post("/moderation/sightings", data={
        "csrf": csrf(moderator, page), "ids": str(report.sighting_id), "back": page, "action": "reject",
        "reason": "??", f"version_{report.sighting_id}": version.group(1)})
    assert answer.status_code == 422
    assert 'id="family-summary"' in answer.text  # the report's page, not the queue
    refused = form_of(answer.text, "/moderation/sightings")
    assert beside(refused, "reason").startswith(WORDS["zh-CN"]) and 'value="??"' in refused


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_an_admins_refused_invitation_and_token_keep_what_was_typed_beside_the_error(container: Container,
                                                                                    language: str) -> None:
    admin = staff(container, Role.ADMIN, language)
    invited = admin.post("/admin/invitations", data={"csrf": csrf(admin, "/admin"), "email": "no-at-sign",
                                                     "role": "police", "idempotency_key": "i" * 20})
    assert invited.status_code == 422
    form = form_of(invited.text, "/admin/invitations")
    told = "请输入有效的电子邮箱地址" if language == "zh-CN" else "enter a valid email"
    assert beside(form, "email").startswith(told)
    assert 'value="no-at-sign"' in form and re.search(r'<option value="police" selected>', form)
    issued = admin.post("/admin/tokens", data={"csrf": csrf(admin, "/admin"), "name": "Baby Come Home",
                                               "domains": "bch.example.org", "idempotency_key": "t" * 20})
    assert issued.status_code == 422
    form = form_of(issued.text, "/admin/tokens")
    assert re.search(r'<span class="field-error" id="error-scopes">[^<]+</span>', form)
    assert 'value="Baby Come Home"' in form and 'value="bch.example.org"' in form
    assert "field-error" not in form_of(issued.text, "/admin/invitations")


@pytest.mark.parametrize(("language", "said"), [("en", "the date is not valid"), ("zh-CN", "日期无效")])
def test_an_audit_filter_that_cannot_be_read_is_said_beside_its_box(container: Container, language: str,
                                                                   said: str) -> None:
    admin = staff(container, Role.ADMIN, language)
    page = admin.get("/audit?actor=operator&from=31-12-2026")
    assert page.status_code == 422
    box = re.search(r'<input type="date" name="from"[^>]*>\s*<span class="field-error" id="error-from">([^<]*)<',
                    page.text)
    assert box and 'aria-invalid="true" aria-describedby="error-from"' in box.group(0)
    assert said in html.unescape(box.group(1))
    assert 'value="operator"' in page.text and 'value="31-12-2026"' in page.text  # the filters as typed
