"""Probe s28 B3: what a family says after a lead reached nobody. A "not my child" on a confirmed lead, a message,
and a lead confirmed that nobody has written to the family about made no queue item and no notice, while the
family's page promised a caseworker within two days. They now wait in the moderators' "Families waiting for an
answer" until someone writes to the family or records the check, and the hourly notice of work waiting counts them."""

from __future__ import annotations

import html

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.workbench import Action
from reunite.services import families, notices, reunion, workbench
from reunite.services.accounts import from_session
from tests.conftest import session_for
from tests.e2e.test_workbench import _client, loop


def test_a_familys_word_waits_for_a_person_until_someone_answers_it(container: Container) -> None:
    world = loop(container, photos=(("collins", 1),))
    deps = container.deps
    [lead] = deps.read.candidates(world.case_id, None)
    workbench.decide(deps, OPERATOR, lead["id"], Action.CONFIRM, "")
    _, cookie = session_for(container, Role.MODERATOR)
    moderator, staff = _client(container, cookie), from_session(deps, cookie)
    assert staff is not None

    def waiting() -> dict[int, list[str]]:
        return {w["case_id"]: w["kinds"] for w in moderator.get("/api/moderation/queues").json()["families"]}

    assert waiting() == {world.case_id: ["confirmed"]}  # confirmed: a caseworker is to write
    page = html.unescape(moderator.get("/moderation?lang=en").text)
    assert "Families waiting for an answer: 1" in page
    assert "a confirmed lead nobody has written to the family about" in page
    with container.engine.begin() as conn:  # this hour's notice (of the report matched above) counted out
        conn.exec_driver_sql("DELETE FROM rate_counters WHERE key LIKE %s", (notices.REVIEWERS_NOTICE + '%',))
    assert deps.read.queue_counts()["candidates"] == 0
    assert notices.tell_reviewers(deps)  # the hourly notice goes out for a family waiting, no candidate waiting

    reunion.send_message(deps, staff, world.case_id, "We are checking this lead with the police in Wuhan.")
    assert waiting() == {}
    families.answer_lead(deps, world.family, lead["id"], "not", "Not him: Lin has a scar on his forehead")
    assert waiting() == {world.case_id: ["answer_not"]}
    page = html.unescape(moderator.get("/moderation?lang=en").text)
    assert "<strong>“Not my child” on a confirmed lead</strong>" in page
    reunion.send_message(deps, world.family, world.case_id, "Please call us")
    assert waiting() == {world.case_id: ["answer_not", "message"]}
    reunion.record_verification(deps, OPERATOR, world.case_id, lead["id"], "interview", "no_match", "")
    assert waiting() == {}  # the check recorded answers them
