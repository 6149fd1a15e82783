"""Issue 11, finding 8: a forgotten password is reset through a single-use, time-limited link sent by
email (the answer never says whether the address has an account); the owner changes it on /account.
Either way every other session of the account is signed out."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import Role
from reunite.entrypoints.api.app import create_app
from reunite.services import accounts, recovery
from tests.conftest import SettableClock, run_jobs, session_for
from tests.e2e.test_probe_auth import PASSWORD, csrf_of
from tests.e2e.test_reach import Inbox, inbox, local, mailing, text_of  # noqa: F401

NEW = "a brand new passphrase"


def signed_in(container: Container, email: str, password: str) -> TestClient:
    browser = TestClient(create_app(container), base_url="https://testserver")
    browser.cookies.set("reunite_session", accounts.sign_in(container.deps, email, password))
    return browser


def test_a_forgotten_password_is_reset_once_by_a_link_and_other_sessions_end(
    mailing: Container, inbox: Inbox  # noqa: F811
) -> None:
    accounts.sign_up(mailing.deps, "mother@example.org", PASSWORD, "Mother")
    elsewhere = signed_in(mailing, "mother@example.org", PASSWORD)
    assert elsewhere.get("/account").status_code == 200
    browser = TestClient(create_app(mailing), base_url="https://testserver")
    assert 'href="/reset"' in browser.get("/login").text
    answers = []
    for email in ("mother@example.org", "nobody@example.org"):
        answer = browser.post("/reset", data={"csrf": csrf_of(browser.get("/reset").text), "email": email})
        answers.append((answer.status_code, answer.text.replace(email, "EMAIL")))
    assert answers[0] == answers[1] and answers[0][0] == 200  # nothing says which address has an account
    run_jobs(mailing)
    assert inbox.to("nobody@example.org") == []
    link = re.search(r"https://reunite\.test/reset/\S+", text_of(inbox.to("mother@example.org")[0]))
    assert link
    page = browser.get(local(link.group(0)))
    assert page.status_code == 200 and "mother@example.org" in page.text
    short = browser.post(local(link.group(0)), data={"csrf": csrf_of(page.text), "password": "short"})
    assert short.status_code == 422 and "at least 10 characters" in short.text
    done = browser.post(local(link.group(0)), data={"csrf": csrf_of(page.text), "password": NEW},
                        follow_redirects=False)
    assert done.status_code == 303 and browser.get("/account").status_code == 200  # signed in here
    assert elsewhere.get("/account", follow_redirects=False).status_code in (303, 401)  # signed out there
    assert accounts.sign_in(mailing.deps, "mother@example.org", NEW)
    again = browser.get(local(link.group(0)))
    assert again.status_code == 422 and "it was used already" in again.text  # single use
    assert browser.post(local(link.group(0)), data={"csrf": csrf_of(browser.get("/account").text),
                                                    "password": PASSWORD}).status_code == 422


def test_a_link_expires_after_an_hour(container: Container) -> None:
    accounts.sign_up(container.deps, "father@example.org", PASSWORD, "Father")
    with container.deps.uow() as uow:
        account = uow.account_by_email("father@example.org")
    assert account is not None
    token = recovery.link_token(container.deps, account)
    assert recovery.email_of(container.deps, token) == "father@example.org"
    later = SettableClock(container.deps.clock.now() + timedelta(minutes=61))
    browser = TestClient(create_app(replace(container, deps=replace(container.deps, clock=later))))
    assert browser.get(f"/reset/{token}").status_code == 422


def test_the_owner_changes_the_password_with_the_current_one(container: Container) -> None:
    accounts.sign_up(container.deps, "aunt@example.org", PASSWORD, "Aunt")
    here = signed_in(container, "aunt@example.org", PASSWORD)
    there = signed_in(container, "aunt@example.org", PASSWORD)
    page = here.get("/account").text
    assert 'action="/account/password"' in page
    wrong = here.post("/account/password", data={"csrf": csrf_of(page), "current": "not it at all",
                                                  "password": NEW})
    assert wrong.status_code == 422 and "the current password is not right" in wrong.text
    changed = here.post("/account/password", data={"csrf": csrf_of(page), "current": PASSWORD, "password": NEW},
                        follow_redirects=False)
    assert changed.status_code == 303
    assert "Your password is changed" in here.get(changed.headers["location"]).text  # this session stays
    assert there.get("/account", follow_redirects=False).status_code in (303, 401)  # the other one ended
    assert accounts.sign_in(container.deps, "aunt@example.org", NEW)


def test_without_mail_the_reset_page_says_no_link_can_arrive(container: Container) -> None:
    page = TestClient(create_app(container)).get("/reset", headers={"Accept-Language": "zh-CN"}).text
    assert "本站无法发送电子邮件" in page


def _key_of(page: str) -> str:
    found = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert found, "the form carries its one-time key"
    return found.group(1)


def test_a_password_form_sent_twice_is_one_change_and_both_answers_say_it_is_done(container: Container) -> None:
    """A double tap on 'reset' or 'change password', or on 'sign out', answers the second as the first:
    the person is never told a change failed that was made."""
    accounts.sign_up(container.deps, "uncle@example.org", PASSWORD, "Uncle")
    with container.deps.uow() as uow:
        account = uow.account_by_email("uncle@example.org")
    assert account is not None
    link = f"/reset/{recovery.link_token(container.deps, account)}"
    browser = TestClient(create_app(container), base_url="https://testserver")
    page = browser.get(link).text
    sent = {"csrf": csrf_of(page), "idempotency_key": _key_of(page), "password": NEW}
    twin = TestClient(create_app(container), base_url="https://testserver", cookies=dict(browser.cookies))
    # the twin sends before the first answer's cookie arrives, as a second tap does
    answers = [client.post(link, data=sent, follow_redirects=False) for client in (twin, browser)]
    assert [a.status_code for a in answers] == [303, 303]
    assert {a.headers["location"] for a in answers} == {"/account?reset=1"}
    assert browser.get("/account", follow_redirects=False).status_code == 200  # signed in by the second answer

    page = browser.get("/account").text
    sent = {"csrf": csrf_of(page), "idempotency_key": _key_of(page), "current": NEW, "password": "another passphrase"}
    answers = [browser.post("/account/password", data=sent, follow_redirects=False) for _ in range(2)]
    assert [(a.status_code, a.headers["location"]) for a in answers] == [(303, "/account?changed=1#password")] * 2
    assert accounts.sign_in(container.deps, "uncle@example.org", "another passphrase")
    with container.engine.connect() as conn:
        made = conn.exec_driver_sql("SELECT action, count(*) FROM audit_log WHERE action IN "
                                    "('account.password_reset', 'account.password_changed') GROUP BY action").all()
    assert sorted(made) == [("account.password_changed", 1), ("account.password_reset", 1)]

    page = browser.get("/account").text
    answers = [browser.post("/logout", data={"csrf": csrf_of(page)}, follow_redirects=False) for _ in range(2)]
    assert [(a.status_code, a.headers["location"]) for a in answers] == [(303, "/")] * 2
    assert browser.get("/account", follow_redirects=False).status_code in (303, 401)


def test_the_account_page_names_the_role_in_words_not_its_code_word(container: Container) -> None:
    """Probe s19 S7: "My account · family" showed the role's code word."""
    client = TestClient(create_app(container))
    client.cookies.set("reunite_session", session_for(container, Role.FAMILY)[1])
    english = client.get("/account", headers={"Accept-Language": "en"}).text
    assert " · Family</p>" in english and " · family</p>" not in english
    assert " · 家属</p>" in client.get("/account", headers={"Accept-Language": "zh-CN"}).text
    client.cookies.set("reunite_session", session_for(container, Role.MODERATOR)[1])
    assert " · 審核員</p>" in client.get("/account", headers={"Accept-Language": "zh-TW"}).text
