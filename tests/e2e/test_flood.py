"""The review queue does not flood: a report's photos of one child, its reposts and a trail of sightings
of one child are one workbench item per case, and a decision on it applies as a moderator expects."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Principal, Role
from reunite.domain.model import GeoPoint, NewSighting, Upload
from reunite.domain.workbench import Action
from reunite.entrypoints.api.app import create_app
from reunite.entrypoints.cli import app as cli
from reunite.services import intake, moderation, reports, workbench
from reunite.services.matching import rematch_all
from tests.conftest import admin_token, as_read, run_jobs, session_for
from tests.e2e.test_workbench import _client, _form, loop, with_undo
from tests.photos import portrait

ANN = Principal(role=Role.MODERATOR, account_id=901)


def _approve_unmarked(container: Container, sightings: list[int]) -> None:
    """Reports approved on arrival (the operator's) that show several faces, none marked, wait again once
    their faces are found (``moderation.settle_child_face``): the moderator approves them saying the
    child's face is not among them."""
    assert {container.deps.read.sighting(s)["status"] for s in sightings} == {"pending"}
    moderation.moderate_sightings(container.deps, ANN, sightings, True, child_faces=dict.fromkeys(sightings))


def test_a_report_with_two_photos_of_one_child_is_one_candidate_and_one_item(container: Container) -> None:
    world = loop(container, photos=())
    deps = container.deps
    seen = NewSighting(seen_at=datetime(2006, 6, 1, tzinfo=UTC), place=GeoPoint(30.5, 114.3), place_text="Hankou")
    uploads = [Upload(portrait("collins", 1), "a.jpg"), Upload(portrait("collins", 2), "b.jpg")]
    sighting_id = intake.report_sighting(deps, OPERATOR, seen, uploads).sighting_id
    run_jobs(container)
    _approve_unmarked(container, [sighting_id])
    assert len(container.deps.read.sighting(sighting_id)["photos"]) == 2
    rows = deps.read.candidates(world.case_id, None)
    assert [r["sighting_id"] for r in rows] == [sighting_id]  # one candidate for the report and the case
    first = workbench.next_candidate(deps, ANN)
    assert first is not None
    shown = workbench.item(deps, ANN, first)
    assert len(shown["sighting"]["photos"]) == 2  # the moderator sees both photos
    assert shown["progress"]["left"] == 1


def test_a_closer_photo_added_to_a_dismissed_report_does_not_ask_the_moderator_again(container: Container) -> None:
    world = loop(container, photos=())
    deps = container.deps
    seen = NewSighting(seen_at=datetime(2006, 6, 1, tzinfo=UTC), place=GeoPoint(30.5, 114.3), place_text="Hankou")
    sent = intake.report_sighting(deps, OPERATOR, seen, [Upload(portrait("collins", 1), "far.jpg")])
    sighting_id, receipt = sent.sighting_id, sent.receipt
    run_jobs(container)
    first = workbench.next_candidate(deps, ANN)
    assert first is not None
    assert workbench.decide(deps, ANN, first, Action.DISMISS, "1") == "dismissed"
    added = intake.add_report_photos(deps, receipt, reports.link_token(deps, receipt),
                                     [Upload(portrait("collins", 2), "closer.jpg")])
    assert added == 1
    run_jobs(container)
    closer = max(f["id"] for f in deps.read.sighting(sighting_id)["faces"])  # two faces now: the closer one's
    moderation.moderate_sightings(deps, OPERATOR, [sighting_id], approve=True, child_faces={sighting_id: closer},
                                  versions=as_read(container, sighting_id))  # read with the closer photo
    run_jobs(container)
    rows = deps.read.candidates(world.case_id, None)
    assert [(r["sighting_id"], r["status"]) for r in rows] == [(sighting_id, "dismissed")]  # the decision stands
    assert workbench.next_candidate(deps, ANN) is None  # and nobody is asked again


def _audited(container: Container, action: str) -> list[int]:
    with container.engine.connect() as conn:
        return [int(i) for i in conn.exec_driver_sql(
            "SELECT subject_id FROM audit_log WHERE action = %(a)s ORDER BY subject_id", {"a": action}).scalars()]


def test_a_trail_is_one_item_newest_first_and_a_dismissal_covers_it_member_by_member(container: Container) -> None:
    container = with_undo(container)
    world = loop(container)  # three reports of the boy at one station, days apart: one trail
    deps = container.deps
    assert len({deps.read.sighting(s)["group_id"] for s in world.sightings}) == 1
    account, token = session_for(container, Role.MODERATOR)
    reviewer, other = _client(container, token), _client(container, session_for(container, Role.MODERATOR)[1])
    shown = reviewer.get("/workbench", follow_redirects=False).headers["location"]
    assert other.get("/workbench", follow_redirects=False).status_code == 200  # nothing left for a second reviewer
    page = reviewer.get(shown).text
    assert "1 of 1 left" in page and "3 sightings for this case, newest first" in page
    dates = [m.group(1) for m in re.finditer(r"Jun (\d), 2006", page.split("newest first", 1)[1].split("</ol>")[0])]
    assert dates == ["3", "2", "1"]
    done = _form(reviewer, shown, action="dismiss", reason="1")
    assert done.headers["location"] == "/workbench?done=dismissed"
    rows = deps.read.candidates(world.case_id, None)
    assert [r["status"] for r in rows] == ["dismissed"] * 3
    assert _audited(container, "candidate.dismissed") == sorted(r["id"] for r in rows)  # one record per sighting
    now = deps.clock.now()
    assert deps.read.workbench_progress(f"account:{account}", now, now - timedelta(hours=1))["done"] == 1
    _form(reviewer, "/workbench/undo")  # the whole item comes back, as it was
    assert [r["status"] for r in deps.read.candidates(world.case_id, None)] == ["proposed"] * 3


def _trail_shown(container: Container) -> tuple[TestClient, str, int, list[int], str]:
    """A moderator at the workbench: the item shown, its lead candidate, its trail's members and a csrf."""
    reviewer = _client(container, session_for(container, Role.MODERATOR)[1])
    shown = reviewer.get("/workbench", follow_redirects=False).headers["location"]
    lead = int(shown.rsplit("/", 1)[1])
    members = [m["id"] for m in workbench.item(container.deps, ANN, lead)["members"]]
    csrf = re.findall(r'name="csrf" value="([^"]+)"', reviewer.get("/report").text)[0]
    return reviewer, shown, lead, members, csrf


def test_confirming_a_trail_covers_the_ticked_sightings_and_keeps_each_ones_decision(container: Container) -> None:
    world = loop(container)
    deps = container.deps
    reviewer, shown, lead, members, csrf = _trail_shown(container)
    kept_back = next(m for m in members if m != lead)
    ticked = [m for m in members if m != kept_back]
    done = reviewer.post(shown, data={"csrf": csrf, "action": "confirm", "trail": "1", "member": ticked},
                         follow_redirects=False)
    assert done.headers["location"] == "/workbench?done=confirmed"
    status = {r["id"]: r["status"] for r in deps.read.candidates(world.case_id, None)}
    assert status == {**dict.fromkeys(ticked, "confirmed"), kept_back: "proposed"}
    again = reviewer.get("/workbench", follow_redirects=False).headers["location"]
    assert again == f"/workbench/{kept_back}"  # the sighting left unticked waits, with its trail beside it
    assert "confirmed" in reviewer.get(again).text
    _form(reviewer, again, action="dismiss", reason="1")
    status = {r["id"]: r["status"] for r in deps.read.candidates(world.case_id, None)}
    assert status == {**dict.fromkeys(ticked, "confirmed"), kept_back: "dismissed"}  # confirmations stand


def test_a_confirmation_naming_a_sighting_outside_the_trail_is_refused_and_nothing_is_confirmed(
    container: Container,
) -> None:
    world = loop(container)
    deps = container.deps
    reviewer, shown, lead, members, csrf = _trail_shown(container)
    stranger = max(members) + 1000  # no candidate of this trail (another case's, or none at all)
    sent = {"csrf": csrf, "action": "confirm", "trail": "1", "member": [*members, stranger]}
    refused = reviewer.post(shown, data=sent, follow_redirects=False)
    assert refused.status_code == 422
    said = html.unescape(refused.text)
    assert f"candidate {stranger} is not on this item's trail" in said and "nothing was confirmed" in said
    assert "3 sightings for this case, newest first" in refused.text  # the item is shown again, to tick again
    zh = reviewer.post(shown, data=sent, headers={"Accept-Language": "zh-CN"}, follow_redirects=False)
    assert zh.status_code == 422 and f"候选 {stranger} 不在此条目的行踪上" in zh.text
    assert {r["status"] for r in deps.read.candidates(world.case_id, None)} == {"proposed"}  # nothing stored
    _form(reviewer, shown, action="skip")  # the page's reviewer lets go of the item

    api = TestClient(create_app(container), headers={"Authorization": f"Bearer {admin_token(container)}"})
    by_api = api.post(f"/api/candidates/{lead}/review", json={"decision": "confirm", "members": [stranger, lead]})
    assert by_api.status_code == 422 and f"candidate {stranger} is not on this item's trail" in by_api.json()["detail"]
    assert {r["status"] for r in deps.read.candidates(world.case_id, None)} == {"proposed"}
    assert _audited(container, "candidate.confirmed") == []
    both = api.post(f"/api/candidates/{lead}/review", json={"decision": "confirm", "members": members})
    assert both.status_code == 204  # the trail's own sightings are confirmed with it, as the page's ticks
    assert {r["status"] for r in deps.read.candidates(world.case_id, None)} == {"confirmed"}


def test_the_same_pictures_reported_twice_are_one_item(container: Container) -> None:
    world = loop(container, photos=())
    deps = container.deps
    pictures = [Upload(portrait("collins", 1), "a.jpg"), Upload(portrait("collins", 2), "b.jpg")]
    sent: list[int] = []
    for hour, text in ((12, "Hankou"), (15, "Jianghan road")):
        # two faces in each report, none marked as the child's: no face groups them, the pictures do
        seen = NewSighting(seen_at=datetime(2006, 6, 1, hour, tzinfo=UTC), place=GeoPoint(30.6, 114.3), place_text=text)
        sent.append(intake.report_sighting(deps, OPERATOR, seen, pictures).sighting_id)
    run_jobs(container)
    _approve_unmarked(container, sent)
    assert len(deps.read.candidates(world.case_id, None)) == 2
    first = workbench.next_candidate(deps, ANN)
    assert first is not None
    assert workbench.item(deps, ANN, first)["progress"]["left"] == 1
    assert len(workbench.item(deps, ANN, first)["members"]) == 2
    assert workbench.decide(deps, ANN, first, Action.DISMISS, "1") == "dismissed"
    assert workbench.next_candidate(deps, ANN) is None


def _groups(container: Container, sightings: list[int]) -> list[int | None]:
    return [container.deps.read.sighting(s)["group_id"] for s in sightings]


def test_regroup_mends_groups_made_under_other_rules_keeps_decisions_and_changes_nothing_run_again(
    container: Container, cli_env: CliRunner
) -> None:
    world = loop(container, photos=(("collins", 1), ("collins", 2), ("hopper", 0)))
    deps = container.deps
    boy, again, other = world.sightings
    group = _groups(container, [boy])[0]
    assert group is not None and _groups(container, world.sightings) == [group, group, None]
    with container.engine.begin() as conn:  # as rules of an earlier version grouped them
        conn.exec_driver_sql(f"UPDATE sightings SET group_id = NULL WHERE id = {again}")
        conn.exec_driver_sql(f"UPDATE sightings SET group_id = {group} WHERE id = {other}")
    mine = next(r["id"] for r in deps.read.candidates(world.case_id, None) if r["sighting_id"] == again)
    assert workbench.decide(deps, ANN, mine, Action.CONFIRM) == "confirmed"
    done = cli_env.invoke(cli, ["regroup"])
    assert done.exit_code == 0, done.output
    assert "approved sightings regrouped: 3; groups now: 1; sightings whose trail changed: 3" in done.output
    assert _groups(container, world.sightings) == [group, group, None]  # the boy's trail, its id kept
    run_jobs(container)  # the sightings whose trail changed, matched again
    status = {r["sighting_id"]: r["status"] for r in deps.read.candidates(world.case_id, None)}
    assert status[again] == "confirmed" and status[boy] == "proposed"  # the decision stands
    lead = next(r["id"] for r in deps.read.candidates(world.case_id, None) if r["sighting_id"] == boy)
    shown = workbench.item(deps, ANN, lead)
    assert [(m["sighting_id"], m["status"]) for m in shown["members"]] == [(again, "confirmed"), (boy, "proposed")]
    assert "sightings whose trail changed: 0" in cli_env.invoke(cli, ["regroup"]).output  # run again: nothing moves
    rematch_all(deps, actor="test")
    run_jobs(container)  # a rematch matches again without regrouping in the order its jobs run
    assert _groups(container, world.sightings) == [group, group, None]
