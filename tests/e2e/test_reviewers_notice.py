"""Reviewers are emailed when work waits for them, at most once an hour: a report of a child seen waiting alone for
its approval, a family's case waiting for its check and a removal asked are work as much as a lead is (a family
sees nothing of a report before its approval), so each brings the hourly notice, in each reviewer's language."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

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
        conn.exec_driver_sql("DELETE FROM rate_counters WHERE key = %s", (notices.REVIEWERS_NOTICE,))


def test_a_report_waiting_alone_for_its_approval_brings_the_reviewers_notice(container: Container) -> None:
    session_for(container, Role.MODERATOR, "moderator@example.org")
    assert not notices.tell_reviewers(container.deps)  # nothing waits: nobody is written to
    seen = NewSighting(seen_at=datetime(2026, 12, 1, 9, tzinfo=UTC), place=None, place_text="Hankou station")
    intake.report_sighting(container.deps, Principal(), seen, [Upload(portrait("hopper", 0), "s.jpg")])
    assert count_rows(container, TOLD) == 0  # the report's faces are read first
    [body] = _told(container)
    assert "- reports to review: 1" in body and "- candidates to review: 0" in body
    # a second report within the hour: no second email, and none queued to send one
    intake.report_sighting(container.deps, Principal(), seen, [Upload(portrait("collins", 0), "t.jpg")])
    assert _told(container) == []


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
