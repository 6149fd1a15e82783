"""Probe s30 D6: a family was never emailed when its case was verified, held back or rejected: the poster sat
unshared until they happened to reload the page. Now each of those changes sends the family the same short,
sign-in-only notice as a confirmed lead, in the family's language, once per change (a retried job, a double tap
on Verify or Reject sends nothing more), and nothing to a case nobody's account registered."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Principal, Role
from reunite.domain.model import NewCase, Sex, Upload
from reunite.services import case_notices, intake, look_alikes, moderation
from reunite.services.accounts import from_session, sign_in, sign_up
from tests.conftest import a_case, count_rows, run_jobs
from tests.e2e.test_days_where import Rendered
from tests.photos import portrait


def family(container: Container, email: str, language: str) -> Principal:
    sign_up(container.deps, email, "correct horse battery", "Family", language=language)
    who = from_session(container.deps, sign_in(container.deps, email, "correct horse battery"))
    assert who is not None
    return who


def register(container: Container, who: Principal, name: str, person: str = "hopper") -> int:
    now = container.deps.clock.now()
    case = NewCase(given_name=name, family_name="Wang", sex=Sex.MALE, birth_date=date(now.year - 6, 3, 3),
                   missing_since=now - timedelta(days=3), last_seen_place=None, last_seen_text="台北市大安區",
                   police_report="PR-2026-0042")
    return intake.register_case(container.deps, who, case, [Upload(portrait(person), "k.jpg")], [None]).case_id


def notices(mail: Rendered, kind: str) -> list[tuple[str, str]]:
    return [(to, body) for to, sent, body in mail.sent if sent == kind]


def test_a_family_is_emailed_once_in_its_language_when_its_case_is_verified_with_the_posters_link(
    container: Container
) -> None:
    mail = Rendered(container.deps.site.timezone)
    container.deps = replace(container.deps, mailer=mail)
    taiwan = family(container, "famtw@example.org", "zh_TW")
    case_id = register(container, taiwan, "浩然")
    run_jobs(container)
    assert notices(mail, "case_verified") == []  # registered: nothing yet
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report PR-2026-0042 checked by phone")
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report PR-2026-0042 checked by phone")  # again
    assert count_rows(container, "procrastinate_jobs WHERE task_name = 'reach.case_changed'") == 1
    run_jobs(container)
    [(to, body)] = notices(mail, "case_verified")
    assert to == "famtw@example.org"
    assert "浩然" in body and "已核實" in body and "尋人啟事" in body  # traditional characters, as the family reads
    assert f"/p/{case_id}" in body and f"/cases/{case_id}" in body
    assert "PR-2026" not in body and "大安" not in body  # what the family knows, behind sign-in
    # the job run again (a retry after a failure elsewhere): each address is told once per change
    with container.engine.connect() as conn:
        change = conn.exec_driver_sql("SELECT args->>'change' FROM procrastinate_jobs "
                                      "WHERE task_name = 'reach.case_changed'").scalar_one()
    assert case_notices.tell_family(container.deps, case_id, "case_verified", change) == 0
    assert len(notices(mail, "case_verified")) == 1


def test_a_family_is_told_its_case_was_rejected_without_the_moderators_reason(container: Container) -> None:
    mail = Rendered(container.deps.site.timezone)
    container.deps = replace(container.deps, mailer=mail)
    who = family(container, "fam-en@example.org", "en")
    case_id = register(container, who, "Hao")
    moderation.reject_case(container.deps, OPERATOR, case_id, "the police station has no such report number")
    moderation.reject_case(container.deps, OPERATOR, case_id, "the police station has no such report number")
    run_jobs(container)
    [(to, body)] = notices(mail, "case_rejected")
    assert to == "fam-en@example.org"
    assert "A moderator rejected the case of Hao: sightings are not compared with it." in body
    assert "no such report number" not in body  # the case page gives the family no reason either
    assert f"/cases/{case_id}" in body and "/p/" not in body
    assert notices(mail, "case_verified") == []


def test_a_case_held_back_as_a_possible_second_registration_tells_its_family_without_the_other_case(
    container: Container
) -> None:
    mail = Rendered(container.deps.site.timezone)
    container.deps = replace(container.deps, mailer=mail)
    first = register(container, family(container, "first@example.org", "en"), "Ming")
    moderation.verify_case(container.deps, OPERATOR, first, "police report checked")
    later = register(container, family(container, "later@example.org", "zh_CN"), "小明", person="collins")
    moderation.verify_case(container.deps, OPERATOR, later, "police report checked")
    run_jobs(container)
    assert sorted(to for to, _ in notices(mail, "case_verified")) == ["first@example.org", "later@example.org"]
    moderator = Principal(role=Role.MODERATOR, account_id=901)
    look_alikes.flag_by_hand(container.deps, moderator, later, first)  # the later one is held back
    run_jobs(container)
    [(to, body)] = notices(mail, "case_held")
    assert to == "later@example.org"
    assert "小明" in body and "再次核查" in body and "可能已被登记过" in body
    assert str(first) not in body and "Ming" not in body  # nothing of the other family's case
    assert len(notices(mail, "case_verified")) == 2  # the notice of the earlier change is not sent again


def test_a_case_nobody_registered_by_account_sends_no_notice(container: Container) -> None:
    mail = Rendered(container.deps.site.timezone)
    container.deps = replace(container.deps, mailer=mail)
    a_case(container)  # registered (and so verified) by the command line: no family account to tell
    run_jobs(container)
    assert [kind for _, kind, _ in mail.sent if kind.startswith("case_")] == []
