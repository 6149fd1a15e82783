"""Probe s37 K1, K2, K8: what an operator reads from the command line and the reviewers' notice. A worker says
where its emails' links point while REUNITE_PUBLIC_URL is unset, and that processes sharing a database need one
REUNITE_SECRET_KEY; the reviewers' notice names its queues in words; create-account takes the spellings of the
global --lang; `accounts` with none says so."""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Any

import pytest
from typer.testing import CliRunner

from reunite.adapters.notify.mail import render
from reunite.bootstrap import Container
from reunite.domain.access import Role
from reunite.entrypoints.cli import app as cli
from reunite.services import notices
from tests.conftest import session_for
from tests.e2e.test_workbench import _client


def test_a_worker_warns_where_its_links_point_and_that_every_process_needs_the_key(
        cli_env: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    started = cli_env.invoke(cli, ["worker", "--until-empty"])
    assert started.exit_code == 0, started.output
    said = [line for line in started.output.splitlines() if line.startswith("warning: ")]
    assert any("REUNITE_PUBLIC_URL is not set" in line and "http://127.0.0.1:8000" in line for line in said), said
    assert any("REUNITE_SECRET_KEY is not set" in line and "workers" in line for line in said), said

    monkeypatch.setenv("REUNITE_PUBLIC_URL", "https://reunite.example.org")
    monkeypatch.setenv("REUNITE_SECRET_KEY", "one-key-for-every-process")
    quiet = cli_env.invoke(cli, ["worker", "--until-empty"])
    assert quiet.exit_code == 0 and "warning: " not in quiet.output, quiet.output


def test_the_worker_help_says_what_its_default_is() -> None:
    shown = " ".join(CliRunner().invoke(cli, ["worker", "--help"]).output.split())
    assert "one per core [default: 1]" not in shown and "more than one per core gains nothing" in shown


def test_create_account_takes_the_global_lang_spellings_and_accounts_says_when_there_are_none(
        cli_env: CliRunner, container: Container) -> None:
    empty = cli_env.invoke(cli, ["accounts"])
    assert empty.exit_code == 0 and "no staff account yet" in empty.output
    for n, spelling in enumerate(("zh-CN", "zh_CN")):
        made = cli_env.invoke(cli, ["create-account", "--email", f"mod{n}@example.org", "--role", "moderator",
                                    "--lang", spelling], env={"REUNITE_NEW_PASSWORD": "correct horse battery"})
        assert made.exit_code == 0 and "emails in zh_CN" in made.output, made.output
    wrong = cli_env.invoke(cli, ["create-account", "--email", "x@example.org", "--lang", "fr"],
                           env={"REUNITE_NEW_PASSWORD": "correct horse battery"})
    assert wrong.exit_code == 2 and "en, zh-CN, zh-TW or zh-HK" in wrong.output
    listed = cli_env.invoke(cli, ["accounts"]).output
    assert "mod0@example.org" in listed and "no staff account" not in listed
    chinese = cli_env.invoke(cli, ["--lang", "zh-CN", "set-role", "--email", "mod0@example.org", "--role", "police"])
    assert chinese.exit_code == 0 and "mod0@example.org 现在是 police" in chinese.output  # probe s45 P7's class


class Outbox:
    configured = True

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, to: str, kind: str, language: str, context: dict[str, Any],
             headers: dict[str, str] | None = None) -> str:
        self.sent.append(render(kind, language, context))
        return self.sent[-1][0]


def test_the_reviewers_notice_names_every_queue_in_words(cli_env: CliRunner, container: Container,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    for address, spelling in (("en@example.org", "en"), ("zh@example.org", "zh-CN")):
        assert cli_env.invoke(cli, ["create-account", "--email", address, "--role", "moderator", "--lang",
                                    spelling], env={"REUNITE_NEW_PASSWORD": "correct horse battery"}).exit_code == 0
    outbox = Outbox()
    deps = replace(container.deps, mailer=outbox)
    waiting = dict.fromkeys(deps.read.queue_counts(), 0) | {"candidates": 3}  # a family waits for nothing
    monkeypatch.setattr(type(deps.read), "queue_counts", lambda _self: waiting)
    assert notices.tell_reviewers(deps)
    bodies = dict(outbox.sent)
    english = bodies["Reunite: work waiting for reviewers"]
    assert "- candidates to review: 3" in english and "- families waiting for an answer: 0" in english
    assert "- case words a partner registry changed: 0" in english
    for key in waiting:  # no queue's key alone on a line
        assert f"- {key}:" not in english
    [chinese] = [body for subject, body in outbox.sent if subject != "Reunite: work waiting for reviewers"]
    assert "- 待审核的候选: 3" in chinese and "- 等待答复的家庭: 0" in chinese


def test_a_queue_alarm_on_the_moderation_page_names_its_queue_in_words(container: Container,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    waiting = dict.fromkeys(container.deps.read.queue_counts(), 0) | {"sharing": 3}
    monkeypatch.setattr(type(container.deps.read), "queue_counts", lambda _self: waiting)
    container.deps = replace(container.deps, limits=replace(container.deps.limits, reviews_per_day=1))
    reviewer = _client(container, session_for(container, Role.MODERATOR)[1])
    english = html.unescape(reviewer.get("/moderation?lang=en").text)
    assert "case words a partner registry changed: 3 waiting" in english and "sharing: 3" not in english
    assert "合作登记处改动、待重新核准的案件文字" in html.unescape(reviewer.get("/moderation?lang=zh-CN").text)
