"""Reviewers are emailed when work waits for them, at most once an hour: a report of a child seen waiting alone for
its approval, a family's case waiting for its check and a removal asked are work as much as a lead is (a family
sees nothing of a report before its approval), so each brings the hourly notice, in each reviewer's language."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from reunite.bootstrap import Container
from reunite.domain.access import Principal, Role
from reunite.domain.model import NewCase, NewSighting, Sex, Upload
from reunite.services import intake, notices, retention
from reunite.services.accounts import from_session
from tests.conftest import count_rows, run_jobs, session_for
from tests.e2e.test_probe_s37_operator import Outbox
from tests.photos import portrait

TOLD = "procrastinate_jobs WHERE task_name = 'reach.tell_reviewers' AND status = 'todo'"


def _told(container: Container) -> list[str]:
    """The notices reviewers got from the jobs waiting now (run with an outbox): their bodies."""
    outbox = Outbox()
    deps = replace(container.deps, mailer=outbox)
    container = replace(container, deps=deps)
    run_jobs(container)
    return [body for subject, body in outbox.sent if subject == "Reunite: work waiting for reviewers"]


def _hour_over(container: Container) -> None:
    with container.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM rate_counters WHERE key LIKE %s", (notices.REVIEWERS_NOTICE + '%',))


def test_a_report_waiting_alone_for_its_approval_brings_the_reviewers_notice(container: Container) -> None:
    session_for(container, Role.MODERATOR, "moderator@example.org")
    assert not notices.tell_reviewers(container.deps)  # nothing waits: nobody is written to
    seen = NewSighting(seen_at=datetime(2026, 12, 1, 9, tzinfo=UTC), place=None, place_text="Hankou station")
    intake.report_sighting(container.deps, Principal(), seen, [Upload(portrait("hopper", 0), "s.jpg")])
    assert count_rows(container, TOLD) == 0  # the report's faces are read first
    [body] = _told(container)
    assert "- reports to review: 1" in body and "- candidates to review: 0" in body
    # a second report within the hour: no second email now; one notice waits for the hour to be over (s43 E2)
    intake.report_sighting(container.deps, Principal(), seen, [Upload(portrait("collins", 0), "t.jpg")])
    assert _told(container) == []
    with container.engine.connect() as conn:
        [later] = conn.exec_driver_sql(f"SELECT scheduled_at FROM {TOLD}").scalars()
    assert later - container.deps.clock.now() > timedelta(minutes=58)


class Refusing(Outbox):
    """A mail server that refuses one address."""

    def __init__(self, refused: str) -> None:
        super().__init__()
        self.refused = refused

    def send(self, to: str, kind: str, language: str, context: dict[str, Any],
             headers: dict[str, str] | None = None) -> str:
        if to == self.refused:
            raise OSError("550 mailbox unavailable")
        return super().send(to, kind, language, context, headers)


def test_one_reviewer_whose_email_fails_holds_back_no_other_and_is_told_on_the_retry(container: Container) -> None:
    """Probe s43 E2: the hour was counted before the emails went, so the job's retry after one failed delivery sent
    nothing, and the reviewers after the failing address were never tried."""
    for address in ("a@example.org", "b@example.org"):
        session_for(container, Role.MODERATOR, address)
    seen = NewSighting(seen_at=datetime(2026, 12, 1, 9, tzinfo=UTC), place=None, place_text="Hankou station")
    intake.report_sighting(container.deps, Principal(), seen, [Upload(portrait("hopper", 0), "s.jpg")])
    refusing = Refusing("a@example.org")
    deps = replace(container.deps, mailer=refusing)
    with pytest.raises(OSError):
        notices.tell_reviewers(deps)
    assert len(refusing.sent) == 1  # b was told
    fixed = Outbox()
    assert notices.tell_reviewers(replace(container.deps, mailer=fixed))  # the retry: a, and only a
    assert len(fixed.sent) == 1
    assert not notices.tell_reviewers(replace(container.deps, mailer=Outbox()))  # both told this hour


def test_a_case_waiting_for_its_check_and_a_removal_asked_bring_it_too(container: Container) -> None:
    session_for(container, Role.MODERATOR, "moderator@example.org")
    _, token = session_for(container, Role.REPORTER)
    family = from_session(container.deps, token)
    assert family is not None
    case = NewCase(given_name="Lin", family_name="Family", sex=Sex.MALE, birth_date=date(2015, 1, 1),
                   missing_since=datetime(2026, 11, 30, 8, tzinfo=UTC), last_seen_place=None)
    case_id = intake.register_case(container.deps, family, case, [Upload(portrait(), "c.jpg")],
                                   [date(2026, 1, 1)]).case_id
    [body] = _told(container)
    assert "- cases to check: 1" in body
    _hour_over(container)
    retention.request_takedown(container.deps, "case", case_id, "aunt@example.org", "aunt", "not missing")
    assert count_rows(container, TOLD) == 1
    [body] = _told(container)
    assert "- removal requests: 1" in body
