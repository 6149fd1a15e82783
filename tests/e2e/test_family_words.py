"""A family's words on a sighting it marked as possibly its child, or on a lead (probe s18 R6): every note is
kept with its time and reviewers read them all, the same note sent again changes nothing (no second notice,
no audit line), the family's case page and the sighting's page list what it sent and whether a reviewer
checked it, and a family that answered "not my child" may change its mind, both answers kept."""

from __future__ import annotations

from datetime import datetime

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.lifecycle import CaseAction
from reunite.domain.workbench import Action, FamilyWord, word_is_new
from reunite.services import retention, workbench
from tests.conftest import count_rows, session_for
from tests.e2e.test_workbench import _client, _form, loop

TOLD = "procrastinate_jobs WHERE task_name = 'reach.tell_reviewers'"


def _candidate(container: Container, case_id: int, sighting_id: int) -> dict:  # type: ignore[type-arg]
    found = [c for c in container.deps.read.candidates(case_id, None) if c["sighting_id"] == sighting_id]
    assert len(found) == 1
    return found[0]


def test_a_second_note_joins_the_first_and_the_same_note_again_changes_nothing(container: Container) -> None:
    world = loop(container, photos=(("collins", 1), ("hopper", 0)))
    deps = container.deps
    family = _client(container, world.family_token)
    other = world.sightings[1]  # another child's report, which the family thinks is theirs
    for c in deps.read.candidates(world.case_id, None):
        if c["sighting_id"] == other:  # the machine's proposal, dismissed: the family sends it back
            workbench.decide(deps, OPERATOR, c["id"], Action.DISMISS, "a different child")
    mine = f"/sightings/{other}/mine"
    assert _form(family, mine, case_id=str(world.case_id), note="she has a mole on her left ear").status_code == 303
    told, proposed = count_rows(container, TOLD), "audit_log WHERE action = 'candidate.family_proposed'"
    assert count_rows(container, proposed) == 1
    # the same note again (the page reloaded, a double tap), or nothing more to say: nothing changes
    for note in ("she has a mole on her left ear", ""):
        assert _form(family, mine, case_id=str(world.case_id), note=note).status_code == 303
    assert count_rows(container, proposed) == 1 and count_rows(container, TOLD) == told
    # a second note joins the first: nothing the family said is lost
    assert _form(family, mine, case_id=str(world.case_id), note="again").status_code == 303
    assert count_rows(container, proposed) == 2 and count_rows(container, TOLD) == told + 1
    lead = _candidate(container, world.case_id, other)
    assert [(w["answer"], w["note"]) for w in lead["family_words"]] == [
        ("maybe", "she has a mole on her left ear"), ("maybe", "again")]
    assert lead["status"] == "proposed"  # back with the reviewers for a second look

    reviewer = _client(container, session_for(container, Role.MODERATOR)[1])
    bench = reviewer.get(f"/workbench/{lead['id']}").text
    assert "she has a mole on her left ear" in bench and "again" in bench
    # the reviewer reads that it was dismissed once already (the machine's proposal above)
    assert "Already dismissed on " in bench and "the family wrote again." in bench
    api = {c["id"]: c for c in reviewer.get(f"/api/cases/{world.case_id}/candidates").json()}
    assert [w["note"] for w in api[lead["id"]]["family_words"]] == ["she has a mole on her left ear", "again"]
    assert api[lead["id"]]["family_note"] == "again"
    # and so does the API, when (the dismissal above); the family reads no dismissal (below)
    with container.engine.connect() as conn:
        dismissed = conn.exec_driver_sql("SELECT dismissed_before_at FROM candidates WHERE id = %s",
                                         (lead["id"],)).scalar_one()
    assert dismissed is not None and datetime.fromisoformat(api[lead["id"]]["dismissed_before_at"]) == dismissed
    assert "dismissed_before_at" in reviewer.get("/openapi.json").json()["components"]["schemas"]["CandidateOut"][
        "properties"]

    # the family reads what it sent, and that it waits for a reviewer, on its case page and the sighting's
    page = family.get(f"/cases/{world.case_id}").text
    assert "Sent to the reviewers (1)" in page and f'href="/sightings/{other}"' in page
    assert "she has a mole on her left ear" in page and "Waiting for a reviewer to compare the faces." in page
    seen = family.get(f"/sightings/{other}").text
    assert "You sent this sighting to the reviewers" in seen and "she has a mole on her left ear" in seen
    assert "Is this your child?" not in seen and "Something to add for the reviewers?" in seen
    chinese = family.get(f"/cases/{world.case_id}", headers={"Accept-Language": "zh-CN"}).text
    assert "已发给审核员 (1)" in chinese and "等待审核员比对面孔。" in chinese

    # checked: a reviewer dismissed it again (taking it over from the one whose workbench page opened it); the family
    # reads so, never the reviewer's reason
    workbench.decide(deps, OPERATOR, lead["id"], Action.DISMISS, "a different child", take_over=True)
    page = family.get(f"/cases/{world.case_id}").text
    assert "Checked: a reviewer compared the faces and did not confirm it." in page
    assert "a different child" not in page
    # the same note once more does not reopen it; a new one does
    assert _form(family, mine, case_id=str(world.case_id), note="again").status_code == 303
    assert _candidate(container, world.case_id, other)["status"] == "dismissed"
    # a new note within the cool-down after the family brought it back: kept and shown, not queued again
    told = count_rows(container, TOLD)
    assert _form(family, mine, case_id=str(world.case_id), note="the same red shoes").status_code == 303
    lead = _candidate(container, world.case_id, other)
    assert lead["status"] == "dismissed" and lead["family_words"][-1]["note"] == "the same red shoes"
    assert count_rows(container, TOLD) == told
    assert "the same red shoes" in reviewer.get(f"/cases/{world.case_id}").text
    assert "the same red shoes" in family.get(f"/cases/{world.case_id}").text
    # a day later, the first new note brings it back once more
    with container.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE candidates SET family_reopened_at = family_reopened_at - interval '25 hours'")
    assert _form(family, mine, case_id=str(world.case_id), note="she wore a blue cap").status_code == 303
    assert _candidate(container, world.case_id, other)["status"] == "proposed"
    assert count_rows(container, TOLD) == told + 1
    assert _form(family, mine, case_id=str(world.case_id), note="and a scarf").status_code == 303
    assert _candidate(container, world.case_id, other)["status"] == "proposed"  # in the queue already

    # confirmed after its second look: the family reads the lead, never that it was dismissed before
    workbench.decide(deps, OPERATOR, lead["id"], Action.CONFIRM)
    with container.engine.begin() as conn:  # the reviewer's undo window over
        conn.exec_driver_sql("UPDATE candidates SET reviewed_at = reviewed_at - interval '1 hour'")
    [told_family] = [c for c in family.get(f"/api/cases/{world.case_id}/candidates").json() if c["id"] == lead["id"]]
    assert told_family["status"] == "confirmed" and told_family["dismissed_before_at"] is None
    [staff] = [c for c in reviewer.get(f"/api/cases/{world.case_id}/candidates").json() if c["id"] == lead["id"]]
    assert staff["dismissed_before_at"] is not None

    # another family reads nothing of it
    _, stranger = session_for(container, Role.REPORTER)
    assert "she has a mole" not in _client(container, stranger).get(f"/cases/{world.case_id}").text


def test_a_family_that_said_not_my_child_may_change_its_mind_and_both_answers_are_kept(
    container: Container
) -> None:
    world = loop(container, photos=(("collins", 1),))
    deps = container.deps
    family = _client(container, world.family_token)
    lead = _candidate(container, world.case_id, world.sightings[0])
    workbench.decide(deps, OPERATOR, lead["id"], Action.CONFIRM)
    assert _form(family, f"/candidates/{lead['id']}/answer", answer="not", note="his ears differ").status_code == 303
    told = count_rows(container, TOLD)
    mine = f"/sightings/{world.sightings[0]}/mine"
    assert _form(family, mine, case_id=str(world.case_id), note="the scar, after all").status_code == 303
    row = _candidate(container, world.case_id, world.sightings[0])
    assert row["status"] == "confirmed"  # the reviewer's confirmation stands
    assert [(w["answer"], w["note"]) for w in row["family_words"]] == [
        ("not", "his ears differ"), ("maybe", "the scar, after all")]
    assert (row["family_answer"], row["family_note"]) == ("maybe", "the scar, after all")
    assert count_rows(container, TOLD) == told + 1  # the reviewers are told it changed
    # the same answer again with no note: nothing new
    assert _form(family, f"/candidates/{lead['id']}/answer", answer="maybe", note="").status_code == 303
    assert len(_candidate(container, world.case_id, world.sightings[0])["family_words"]) == 2
    page = family.get(f"/cases/{world.case_id}").text
    assert "his ears differ" in page and "the scar, after all" in page
    assert "Checked: a reviewer confirmed it. It is listed with the confirmed sightings." in page
    reviewer = _client(container, session_for(container, Role.MODERATOR)[1])
    shown = reviewer.get(f"/cases/{world.case_id}").text
    assert "The family&#39;s words, oldest first" in shown
    assert shown.index("his ears differ") < shown.index("the scar, after all")
    # a case taken down is blanked: the family's notes about the child go with it, its answers stay as a record
    with deps.uow() as uow:
        retention.blank_case(deps, uow, world.case_id, CaseAction.TAKE_DOWN)
        uow.commit()
    words = _candidate(container, world.case_id, world.sightings[0])["family_words"]
    assert [(w["answer"], w["note"]) for w in words] == [("not", ""), ("maybe", "")]
    assert count_rows(container, "candidates WHERE family_note <> ''") == 0


def test_a_word_is_new_when_it_changes_the_answer_or_says_something_not_said_before() -> None:
    from datetime import UTC, datetime

    at = datetime(2026, 1, 1, tzinfo=UTC)
    said = [FamilyWord("maybe", "mole", at), FamilyWord("maybe", "", at)]
    assert word_is_new([], "maybe", "")
    assert not word_is_new(said, "maybe", "") and not word_is_new(said, "maybe", "mole")
    assert word_is_new(said, "maybe", "scar") and word_is_new(said, "not", "")
    assert word_is_new([*said, FamilyWord("not", "", at)], "maybe", "mole")  # changed its mind back
