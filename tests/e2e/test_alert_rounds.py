"""A case's alert rounds (``reach.alert_round``: the radius widening with the hours since the child went missing) are
one chain per case: a removal undone before the next round was due, again and again, leaves one round waiting,
not one more for each restore, and every subscriber still hears of the case once."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.model import GeoPoint, NewCase, Sex, Upload
from reunite.services import intake, moderation, reach, removals, retention
from reunite.services.accounts import from_session
from tests.conftest import SettableClock, run_jobs_settled, session_for
from tests.e2e.test_probe_s21_reach import Recorder
from tests.photos import portrait

WUHAN = GeoPoint(30.59, 114.30)
FAMILY = "family@example.org"
NEAR, FAR = "https://near.example/hook", "https://far.example/hook"  # inside the first hour's 100 km; 150 km out


def _rounds_waiting(container: Container, case_id: int) -> int:
    with container.engine.connect() as conn:
        return int(conn.exec_driver_sql(
            "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'reach.alert_round' AND status = 'todo' "
            "AND (args ->> 'case_id')::bigint = %s", (case_id,)).scalar_one())


def run_jobs(container: Container) -> None:
    """Every job due run (the next round, planned for later, waits), none of them failed."""
    run_jobs_settled(container)
    with container.engine.connect() as conn:
        failed = conn.exec_driver_sql("SELECT task_name, status FROM procrastinate_jobs "
                                      "WHERE status NOT IN ('succeeded', 'todo')").fetchall()
    assert not failed, failed


def _alerts(receiver: Recorder, address: str) -> int:
    return sum(1 for to, payload in receiver.sent if to == address and payload["event"] == "case.alert")


def test_a_case_removed_and_restored_twice_before_its_next_round_keeps_one_chain_of_rounds(
    container: Container
) -> None:
    receiver = Recorder()
    container.deps = replace(container.deps, webhooks=receiver)
    deps = container.deps
    reach.subscribe(deps, OPERATOR, "webhook", NEAR, GeoPoint(30.6, 114.3), 50)
    session = session_for(container, Role.REPORTER, FAMILY)[1]
    family = from_session(deps, session)
    assert family is not None
    went = deps.clock.now() - timedelta(minutes=30)  # its radius widens in half an hour
    case = NewCase(given_name="Xiaoyu", family_name="Lin", sex=Sex.FEMALE, birth_date=date(2016, 3, 1),
                   missing_since=went, last_seen_place=WUHAN, last_seen_text="Wuhan, Hankou station")
    case_id = intake.register_case(deps, family, case, [Upload(portrait("collins", 0), "c.jpg")],
                                   [date(2024, 5, 1)]).case_id
    moderation.verify_case(deps, OPERATOR, case_id, "police report checked")
    run_jobs(container)
    assert _alerts(receiver, NEAR) == 1 and _rounds_waiting(container, case_id) == 1
    family = from_session(deps, session)  # its case verified: the family's own now
    assert family is not None

    for _ in range(2):  # removed by the family, restored by a moderator, before the next round is due
        asked = retention.request_takedown(deps, "case", case_id, FAMILY, "mother", "she is home", who=family)
        run_jobs(container)
        removals.undo(deps, OPERATOR, asked, "the mother called back: asked by mistake")
        run_jobs(container)
        assert _rounds_waiting(container, case_id) == 1
    assert _alerts(receiver, NEAR) == 1  # the restores told it the case is back (case.restored), never again

    # the hour passes: the round waiting widens the radius, once, and plans the next
    reach.subscribe(deps, OPERATOR, "webhook", FAR, GeoPoint(WUHAN.lat + 150 / 111.2, WUHAN.lon), 1)
    container.deps = replace(deps, clock=SettableClock(went + timedelta(minutes=90)))
    with container.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE task_name = "
                             "'reach.alert_round' AND status = 'todo'")
    run_jobs(container)
    assert (_alerts(receiver, NEAR), _alerts(receiver, FAR)) == (1, 1)
    assert _rounds_waiting(container, case_id) == 1
    with container.engine.connect() as conn:
        planned = conn.exec_driver_sql("SELECT scheduled_at FROM procrastinate_jobs WHERE task_name = "
                                       "'reach.alert_round' AND status = 'todo'").scalar_one()
    assert planned == went + timedelta(hours=2)  # when the radius widens next
