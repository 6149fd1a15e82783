"""The reviewers' workbench and families in the loop, through the pages and the API with the real
worker: claims, four eyes, undo, a rejected report leaving every queue, families' answers and
marks, browse filters that keep unknown ages."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from bench import reviewer_effort
from bench.corpus import load
from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Principal, Role
from reunite.domain.errors import Conflict, NotFound
from reunite.domain.model import GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.domain.workbench import Action
from reunite.entrypoints.api.app import create_app
from reunite.entrypoints.web import cases
from reunite.services import intake, moderation, notices, stats, workbench
from reunite.services.accounts import from_session
from tests.conftest import admin_token, as_read, count_rows, run_jobs, session_for
from tests.e2e.test_safety import Later
from tests.e2e.test_staff_accounts import audited
from tests.e2e.world import two_faces
from tests.photos import another_shot, portrait


@dataclass
class Loop:
    container: Container
    case_id: int
    sightings: list[int]
    family: Principal
    family_token: str


def _client(container: Container, token: str) -> TestClient:
    client = TestClient(create_app(container))
    client.cookies.set("reunite_session", token)
    return client


def _form(client: TestClient, url: str, **data: str) -> Response:
    csrf = re.findall(r'name="csrf" value="([^"]+)"', client.get("/report").text)[0]  # bound to this session
    return client.post(url, data={"csrf": csrf, **data}, follow_redirects=False)


# three cities no child travels between in an hour: reports seen there an hour apart are separate trails
APART = ((GeoPoint(30.5, 114.3), "Hankou station"), (GeoPoint(31.23, 121.47), "People's Square"),
         (GeoPoint(39.9, 116.4), "Beijing West"))


def loop(container: Container, photos: tuple[tuple[str, int], ...] = (("collins", 1), ("collins", 2), ("collins", 3)),
         ages: bool = True, apart: bool = False) -> Loop:
    """A family's verified case (a boy, played by a public-domain portrait: tests/photos.py) and approved
    reports of him (or, where a test says so, of someone else) from the street: days apart at one station
    (one trail: one workbench item), or with ``apart`` an hour apart in three cities (one item each)."""
    deps = container.deps
    _, token = session_for(container, Role.REPORTER)
    family = from_session(deps, token)
    assert family is not None
    case = NewCase(given_name="Lin", family_name="Family", sex=Sex.MALE, birth_date=date(1998, 1, 1),
                   missing_since=datetime(2000, 6, 1, tzinfo=UTC), last_seen_place=GeoPoint(31.2, 121.4))
    data = another_shot(portrait())  # the family's own photo of him, no copy of a report's picture
    case_id = intake.register_case(deps, family, case, [Upload(data, "a.jpg")], [date(2000, 1, 1)]).case_id
    moderation.verify_case(deps, OPERATOR, case_id, "police report seen")
    sightings = []
    for number, (person, take) in enumerate(photos):
        place, place_text = APART[number] if apart else (GeoPoint(30.5, 114.3), "Hankou station")
        at = datetime(2006, 6, 1, number, tzinfo=UTC) if apart else datetime(2006, 6, 1 + number, tzinfo=UTC)
        seen = NewSighting(seen_at=at, place=place, place_text=place_text)
        upload = [Upload(portrait(person, take), f"{person}-{take}.jpg")]
        sightings.append(intake.report_sighting(deps, OPERATOR, seen, upload).sighting_id)
    run_jobs(container)
    family = from_session(deps, token)  # now with a verified case
    assert family is not None
    return Loop(container, case_id, sightings, family, token)


def with_undo(container: Container) -> Container:
    """The deployment's default: a decision may be undone for 2 minutes, and the family waits that long."""
    limits = replace(container.deps.limits, undo_window=timedelta(minutes=2))
    return replace(container, deps=replace(container.deps, limits=limits))


def test_two_reviewers_never_hold_the_same_candidate_and_a_held_one_is_refused(
    container: Container
) -> None:
    container = with_undo(container)
    world = loop(container, apart=True)
    first, second = (_client(container, session_for(container, Role.MODERATOR)[1]) for _ in range(2))
    one = first.get("/workbench", follow_redirects=False).headers["location"]
    other = second.get("/workbench", follow_redirects=False).headers["location"]
    assert one.startswith("/workbench/") and other.startswith("/workbench/") and one != other
    assert first.get("/workbench", follow_redirects=False).headers["location"] == one  # still mine
    page = first.get(one)
    free = len(world.sightings) - 1  # the other reviewer holds one
    assert "Lin" in page.text and f"{free} of {free} left" in page.text
    refused = _form(second, one, action="confirm")
    assert refused.status_code == 409 and "is looking at this candidate until" in refused.text
    done = _form(first, one, action="dismiss", reason="1")  # one key: "a different child"
    assert done.headers["location"] == "/workbench?done=dismissed"
    candidate_id = int(one.rsplit("/", 1)[1])
    row = container.deps.read.workbench_item(candidate_id)
    assert row["status"] == "dismissed" and row["review_reason"] == "a different child"
    undone = _form(first, "/workbench/undo")
    assert undone.headers["location"] == f"{one}?done=undone"
    assert container.deps.read.workbench_item(candidate_id)["status"] == "proposed"


def test_skip_and_later_pass_a_candidate_on_and_four_eyes_wait_for_a_second_reviewer(
    container: Container
) -> None:
    world = loop(container, photos=(("collins", 1), ("collins", 2)), apart=True)
    deps = replace(container.deps, limits=replace(container.deps.limits, four_eyes=True))
    ann, bo = (Principal(role=Role.MODERATOR, account_id=n) for n in (901, 902))
    first = workbench.next_candidate(deps, ann)
    assert first is not None
    assert workbench.decide(deps, ann, first, Action.LATER) == "later"
    later = workbench.next_candidate(deps, ann)
    assert later is not None and later != first  # the other one first; the passed one comes back in an hour
    assert workbench.decide(deps, ann, later, Action.CONFIRM) == "first_confirmed"
    # sent again (a double tap): the same answer, still waiting for a second reviewer, recorded once
    assert workbench.decide(deps, ann, later, Action.CONFIRM) == "first_confirmed"
    assert count_rows(container, f"audit_log WHERE action = 'candidate.first_confirmed' AND subject_id = {later}") == 1
    assert deps.read.workbench_item(later)["status"] == "proposed"
    assert workbench.next_candidate(deps, bo) == later  # the second look comes first
    assert workbench.decide(deps, bo, later, Action.CONFIRM) == "confirmed"
    assert workbench.decide(deps, bo, later, Action.CONFIRM) == "confirmed"  # a retry: told once, audited once
    assert count_rows(container, f"audit_log WHERE action = 'candidate.confirmed' AND subject_id = {later}") == 1
    assert count_rows(container, "procrastinate_jobs WHERE task_name = 'reach.candidate_confirmed'") == 1
    with pytest.raises(Conflict):  # the other decision on a decided candidate is refused
        workbench.decide(deps, bo, later, Action.DISMISS, "1")
    assert deps.read.workbench_item(later)["status"] == "confirmed"
    assert world.case_id == deps.read.workbench_item(later)["case_id"]
    assert workbench.decide(deps, bo, first, Action.SKIP) == "skipped"
    assert workbench.next_candidate(deps, bo) is None  # skipped: never again for bo
    assert workbench.next_candidate(deps, Principal(role=Role.MODERATOR, account_id=903)) == first


def test_a_claim_says_whose_it_is_until_when_and_another_reviewer_may_take_it_over(container: Container) -> None:
    """Probe s14 F16: merely opening the workbench held a candidate for 10 minutes, and another reviewer's
    decision was refused without saying by whom or until when."""
    loop(container, apart=True)
    first = _client(container, session_for(container, Role.MODERATOR, "ana@example.org")[1])
    second = _client(container, session_for(container, Role.MODERATOR, "bo@example.org")[1])
    held = first.get("/workbench", follow_redirects=False).headers["location"]
    candidate_id = int(held.rsplit("/", 1)[1])
    until = container.deps.read.workbench_item(candidate_id)["claim_expires_at"]
    assert until - container.deps.clock.now() <= timedelta(minutes=5)  # a short lease, not ten minutes

    refused = second.post(f"/api/candidates/{candidate_id}/review", json={"decision": "dismiss", "reason": "1"},
                          headers={"Authorization": f"Bearer {admin_token(container)}"})
    assert refused.status_code == 409 and "(ana@example.org) is looking at this candidate until" in refused.text
    page = second.get(held)
    assert "(ana@example.org) is looking at this candidate until" in page.text
    assert 'name="take_over" value="1"' in page.text  # deciding from this page takes it over, knowingly
    taken = _form(second, held, action="dismiss", reason="1", take_over="1")
    assert taken.status_code == 303 and container.deps.read.workbench_item(candidate_id)["status"] == "dismissed"
    assert [(a, s) for a, s, _ in audited(container, "candidate.taken_over")] == [
        (second_actor(container, "bo@example.org"), candidate_id)]


def second_actor(container: Container, email: str) -> str:
    with container.engine.connect() as conn:
        return f"account:{conn.exec_driver_sql('SELECT id FROM accounts WHERE email = %s', (email,)).scalar_one()}"


def test_a_rejected_report_leaves_every_queue(container: Container) -> None:
    world = loop(container, photos=(("collins", 1), ("collins", 2)))
    deps = container.deps
    _, token = session_for(container, Role.MODERATOR)
    reviewer = _client(container, token)
    family = _client(container, world.family_token)
    candidates = deps.read.candidates(world.case_id, None)
    assert len(candidates) == 2
    gone, kept = (c for c in sorted(candidates, key=lambda c: c["sighting_id"]))
    workbench.decide(deps, OPERATOR, gone["id"], Action.CONFIRM)
    workbench.decide(deps, OPERATOR, kept["id"], Action.CONFIRM)
    assert len(family.get(f"/api/cases/{world.case_id}/candidates").json()) == 2

    moderation.moderate_sightings(deps, OPERATOR, [gone["sighting_id"]], approve=False, reason="abusive",
                                  versions=as_read(container, gone["sighting_id"]))

    queue = reviewer.get("/api/moderation/queues").json()
    assert all(c["id"] != gone["id"] for c in queue["candidates"])
    for who in (reviewer, family):
        shown = who.get(f"/api/cases/{world.case_id}/candidates").json()
        assert [c["id"] for c in shown] == [kept["id"]]
        assert f'id="candidate-{gone["id"]}"' not in who.get(f"/cases/{world.case_id}").text
    assert family.get(f"/api/faces/{gone['sighting_face_id']}/crop").status_code == 404
    assert reviewer.get(f"/workbench/{gone['id']}").status_code == 404
    with pytest.raises(NotFound):
        workbench.decide(deps, OPERATOR, gone["id"], Action.DISMISS, "x")


def test_a_case_page_lists_unapproved_reports_candidates_last_with_the_report_to_approve(
    container: Container
) -> None:
    """Probe s12 F12: the case page listed the candidates of reports nobody had approved first, each with
    a "Confirm" button that always ended on an error page, and counted 27 candidates to review where the
    queue counted 4. Now they come last, marked, with a link to the report instead of the buttons, and
    the page, the queue and the dashboard count alike (a rejected report's candidates in none)."""
    world = loop(container, photos=(("collins", 1),))
    deps = container.deps
    waiting = intake.report_sighting(deps, Principal(), NewSighting(
        seen_at=datetime(2006, 7, 1, tzinfo=UTC), place=GeoPoint(39.9, 116.4), place_text="Beijing West"),
        [Upload(portrait("collins", 3), "a.jpg")]).sighting_id  # nobody approved it yet
    run_jobs(container)
    reviewer = _client(container, session_for(container, Role.MODERATOR)[1])
    machine = {c["sighting_id"]: c for c in deps.read.candidates(world.case_id, None)}
    unchecked, lead = machine[waiting], machine[world.sightings[0]]

    def counted() -> tuple[str, int, int]:
        queue = reviewer.get("/api/moderation/queues").json()["counts"]["candidates"]
        dashboard = next(q["waiting"] for q in stats.review_dashboard(deps, OPERATOR, UTC)["queues"]
                         if q["queue"] == "candidates")
        return reviewer.get(f"/cases/{world.case_id}").text, queue, dashboard

    page, queue, dashboard = counted()
    assert queue == dashboard == 1 and "Candidates to review (1 to decide:" in page
    marked = page.split(f'id="candidate-{unchecked["id"]}"')[1].split('<li id="candidate-')[0]
    assert "Report waiting for approval" in marked and f'href="/sightings/{waiting}"' in marked
    assert f'action="/candidates/{unchecked["id"]}/review"' not in page
    assert f'action="/candidates/{lead["id"]}/review"' in page
    assert page.index(f'id="candidate-{lead["id"]}"') < page.index(f'id="candidate-{unchecked["id"]}"')

    moderation.moderate_sightings(deps, OPERATOR, [waiting], approve=True)
    page, queue, dashboard = counted()
    assert f'action="/candidates/{unchecked["id"]}/review"' in page and "Report waiting for approval" not in page
    assert queue == dashboard and f"Candidates to review ({queue} to decide:" in page

    moderation.moderate_sightings(deps, OPERATOR, [waiting], approve=False, reason="abusive",
                                  versions=as_read(container, waiting))
    page, queue, dashboard = counted()
    assert f'id="candidate-{unchecked["id"]}"' not in page
    assert queue == dashboard == 1 and "Candidates to review (1 to decide:" in page


def test_a_lead_reaches_the_family_only_approved_and_once_it_can_no_longer_be_undone(
    container: Container
) -> None:
    container = with_undo(container)
    world = loop(container, photos=(("collins", 1), ("collins", 2)))
    deps = container.deps
    waiting = intake.report_sighting(deps, Principal(), NewSighting(
        seen_at=datetime(2006, 7, 1, tzinfo=UTC), place=GeoPoint(30.5, 114.3), place_text="Hankou station"),
        [Upload(portrait("collins", 3), "a.jpg")]).sighting_id  # a passer-by's, pending
    run_jobs(container)
    family = _client(container, world.family_token)
    reviewer = _client(container, session_for(container, Role.MODERATOR)[1])
    machine = {c["sighting_id"]: c for c in deps.read.candidates(world.case_id, None)}
    unchecked = machine[waiting]
    refused = _form(reviewer, f"/candidates/{unchecked['id']}/review", decision="confirm")
    assert refused.status_code == 409 and "approve" in refused.text
    assert deps.read.workbench_item(unchecked["id"])["status"] == "proposed"
    assert family.get(f"/api/faces/{unchecked['sighting_face_id']}/crop").status_code == 404

    lead = machine[world.sightings[0]]
    assert _form(reviewer, f"/candidates/{lead['id']}/review", decision="confirm").status_code == 303
    assert family.get(f"/api/cases/{world.case_id}/candidates").json() == []  # it may still be undone
    assert "A reviewer confirmed" not in family.get(f"/cases/{world.case_id}").text
    assert _form(reviewer, "/workbench/undo").status_code == 303
    assert deps.read.workbench_item(lead["id"])["status"] == "proposed"
    later = replace(container, deps=replace(deps, clock=Later(timedelta(minutes=3))))
    assert _client(later, world.family_token).get(f"/api/cases/{world.case_id}/candidates").json() == []
    notices.candidate_confirmed(later.deps, world.case_id, lead["id"])  # the delayed notice, run after the undo
    assert count_rows(container, "outbox WHERE kind = 'candidate_confirmed'") == 0

    assert _form(reviewer, f"/candidates/{lead['id']}/review", decision="confirm").status_code == 303  # again
    settled = _client(later, world.family_token)
    assert [c["id"] for c in settled.get(f"/api/cases/{world.case_id}/candidates").json()] == [lead["id"]]
    assert settled.get(f"/cases/{world.case_id}").text.count("A reviewer confirmed") == 1
    from tests.e2e.test_probe_s37_operator import Outbox  # it imports this module's helpers

    mails = Outbox()
    notices.candidate_confirmed(replace(later.deps, mailer=mails), world.case_id, lead["id"])
    assert count_rows(container, "outbox WHERE kind = 'candidate_confirmed'") == 1  # told once, after the window
    # the moment scammers call a family: the email says Reunite never asks for money (probe s45 P7)
    assert "Reunite never asks for money" in mails.sent[0][1]

    # a dismissal never reaches the family: not the lead, not the timeline, not even once settled
    other = machine[world.sightings[1]]
    for _ in range(2):  # a double tap: one dismissal
        assert _form(reviewer, f"/candidates/{other['id']}/review", decision="dismiss", reason="1").status_code == 303
    assert count_rows(container, f"audit_log WHERE action = 'candidate.dismissed' AND subject_id = {other['id']}") == 1
    assert "A reviewer dismissed" in reviewer.get(f"/cases/{world.case_id}").text
    assert "A reviewer dismissed" not in _client(later, world.family_token).get(f"/cases/{world.case_id}").text


def test_a_family_answers_on_a_lead_and_marks_a_sighting_as_possibly_theirs(
    container: Container
) -> None:
    world = loop(container, photos=(("collins", 1), ("hopper", 0)))
    deps = container.deps
    family = _client(container, world.family_token)
    machine = {c["sighting_id"]: c for c in deps.read.candidates(world.case_id, None)}
    lead = machine[world.sightings[0]]
    workbench.decide(deps, OPERATOR, lead["id"], Action.CONFIRM)
    page = family.get(f"/cases/{world.case_id}").text
    # where: to about a kilometre, and the reporter's words as the city they name (Hankou is in Wuhan)
    assert "What happens next" in page and "Wuhan" in page and "to about 1 km" in page
    assert "Hankou station" not in page
    # the cell's centre, written as the API gives it (probe s10: the page said 30.59 where the API said 30.595)
    api = family.get(f"/api/sightings/{world.sightings[0]}").json()
    cell = f"{api['lat']:.3f}, {api['lon']:.3f}"
    assert str(api["lat"]) in cell and str(api["lon"]) in cell
    assert cell in page and cell in family.get(f"/sightings/{world.sightings[0]}").text
    answered = _form(family, f"/candidates/{lead['id']}/answer", answer="maybe", note="his ears")
    assert answered.status_code == 303
    assert _form(family, f"/candidates/{lead['id']}/answer", answer="maybe", note="his ears").status_code == 303
    said = f"audit_log WHERE action = 'candidate.family_answered' AND subject_id = {lead['id']}"
    assert count_rows(container, said) == 1  # a double tap: one answer, reviewers told once
    row = deps.read.workbench_item(lead["id"])
    assert (row["family_answer"], row["family_note"]) == ("maybe", "his ears")
    _, stranger = session_for(container, Role.REPORTER)
    not_theirs = _form(_client(container, stranger), f"/candidates/{lead['id']}/answer", answer="not")
    assert not_theirs.status_code == 404  # as if it did not exist

    other = world.sightings[1]  # another child's report: the family thinks it is theirs
    for c in deps.read.candidates(world.case_id, None):
        if c["sighting_id"] == other:
            workbench.decide(deps, OPERATOR, c["id"], Action.DISMISS, "a different child")
    assert "Is this your child?" in family.get(f"/sightings/{other}").text
    sent = _form(family, f"/sightings/{other}/mine", case_id=str(world.case_id), note="same jacket")
    assert sent.headers["location"] == f"/sightings/{other}?sent=1"
    proposed = [c for c in deps.read.candidates(world.case_id, None) if c["sighting_id"] == other]
    assert [(c["status"], c["family_note"]) for c in proposed] == [("proposed", "same jacket")]
    _, token = session_for(container, Role.MODERATOR)
    reviewer = _client(container, token)
    shown = reviewer.get("/workbench")
    assert "same jacket" in shown.text and "The family" in shown.text


def test_a_familys_word_on_a_face_that_is_no_lead_says_so_and_waits_behind_the_machines_leads(
    container: Container
) -> None:
    """A family marks another child's report as theirs (probe s16 P6): by the face alone it is no lead (its
    share above the operating point), so it never reads "Weak lead", as a proposal does, but says it is only
    the family's word, in English and Chinese; and the machine's lead by the face comes first in the
    workbench, the family's word after it (still there, marked as theirs)."""
    world = loop(container, photos=(("collins", 1), ("hopper", 0)), apart=True)
    deps = container.deps
    family = _client(container, world.family_token)
    other = world.sightings[1]
    sent = _form(family, f"/sightings/{other}/mine", case_id=str(world.case_id), note="same jacket")
    assert sent.status_code == 303
    rows = {c["sighting_id"]: c for c in deps.read.candidates(world.case_id, None)}
    lead, word = rows[world.sightings[0]], rows[other]
    assert word["family_answer"] == "maybe" and lead["impostor_share"] < word["impostor_share"]
    # the operating point between them: the boy's own report a lead by the face, the other child's not
    point = (lead["impostor_share"] * word["impostor_share"]) ** 0.5
    shipped = deps.policy.leads
    leads = replace(shipped, propose_share=point, possible_share=min(point, shipped.possible_share),
                    strong_share=min(point, shipped.strong_share))
    container = replace(container, deps=replace(deps, policy=replace(deps.policy, leads=leads)))
    reviewer = _client(container, session_for(container, Role.MODERATOR)[1])
    assert reviewer.get("/workbench", follow_redirects=False).headers["location"] == f"/workbench/{lead['id']}"
    english = reviewer.get(f"/workbench/{word['id']}", headers={"Accept-Language": "en"}).text
    assert "Not a lead by the face: only the family&#39;s word" in english and "Weak lead" not in english
    assert "same jacket" in english  # marked as the family's word
    chinese = reviewer.get(f"/workbench/{word['id']}", headers={"Accept-Language": "zh-CN"}).text
    assert "仅看脸不算线索：只是家属的说法" in chinese and "微弱线索" not in chinese
    api = {c["id"]: c for c in reviewer.get(f"/api/cases/{world.case_id}/candidates").json()}
    assert api[word["id"]]["lead"]["strength"] == "none"
    assert api[word["id"]]["lead_words"][0] == "Not a lead by the face: only the family's word"
    assert api[lead["id"]]["lead"]["strength"] != "none"
    assert _form(reviewer, f"/workbench/{lead['id']}", action="later").status_code == 303
    assert reviewer.get("/workbench", follow_redirects=False).headers["location"] == f"/workbench/{word['id']}"


def test_browse_keeps_unknown_ages_and_sexes_and_names_the_filter_that_emptied_it(
    container: Container
) -> None:
    world = loop(container, photos=(("collins", 1), ("collins", 2)))  # reported without age or sex
    family = _client(container, world.family_token)
    found = family.get("/sightings", params={"age": "10", "sex": "male"})
    assert "2 sightings" in found.text and "age unknown" in found.text and "sex unknown" in found.text
    api = family.get("/api/sightings", params={"age": 10, "sex": "male"}).json()
    assert api["total"] == 2
    strict = family.get("/sightings", params={"age": "10", "sex": "male", "known_only": "1"})
    assert "0 sightings" in strict.text and "only known age and sex" in strict.text
    assert family.get("/api/sightings", params={"age": 10, "include_unknown": False}).json()["total"] == 0
    alone = family.get("/sightings", params={"known_only": "1"}).text  # the box alone leaves out the unknown too
    assert "0 sightings" in alone and "2 sightings" in family.get("/sightings").text
    past = family.get("/sightings", params={"page": "999"}).text  # not an empty gallery that says nothing
    assert 'id="past-the-end"' in past and "the last is page 1" in past and "page=1" in past
    nowhere = family.get("/sightings", params={"place": "Chengdu"}).text
    assert "Each of these, left out, would find sightings" in nowhere and "<strong>place</strong>" in nowhere
    both = family.get("/sightings", params={"place": "Chengdu", "known_only": "1"}).text  # each alone still empties it
    assert "No sighting yet" not in both and "no one of them left out would find any" in both


def test_queue_alarm_scales_with_the_reviewers_and_case_pages_stay_short(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = loop(container, photos=(("collins", 1),))
    deps = container.deps
    real = cases.queries.with_lead(deps, deps.read.candidates(world.case_id, None))[0]  # as the page shows it
    many = [real | {"id": real["id"] + n} for n in range(25)]  # a case with 25 candidates
    monkeypatch.setattr(cases.queries, "case_candidates", lambda *_args, **_named: many)
    reviewer = _client(container, session_for(container, Role.MODERATOR)[1])
    first = reviewer.get(f"/cases/{world.case_id}").text
    assert first.count('class="candidate ') == 10 and f"/cases/{world.case_id}?cp=3" in first
    assert reviewer.get(f"/cases/{world.case_id}?cp=3").text.count('class="candidate ') == 5
    monkeypatch.undo()
    loads = {load.name: load for load in workbench.queue_loads(deps)}
    assert loads["candidates"].waiting == 1 and not loads["candidates"].alarm
    few = replace(deps, limits=replace(deps.limits, reviews_per_day=1, queue_max_wait_hours=0.5))
    assert {load.name for load in workbench.queue_loads(few) if load.alarm} == {"candidates"}


def test_the_reviewer_effort_benchmark_measures_real_decisions(container: Container, fgnet: Path) -> None:
    chosen, seen = reviewer_effort.world(load(fgnet), cases=1, sightings=4)
    result = reviewer_effort.measure(container, chosen, seen, two_photos=True, reposts=1)  # 5 reports, 10 photos
    # "*" and "a", and in each of the 5 reports the child's face chosen: two photos, two faces, none marked
    assert result["report_pages"] == 1 and result["report_keys"] == 2 + 5
    assert 0 < result["true_matches_confirmed"] <= result["candidates_waiting"]
    assert 0 < result["workbench_items_waiting"] <= result["candidate_decisions"] <= result["candidates_waiting"]
    assert result["workbench_items_waiting"] < result["candidates_waiting"]  # the repost's pair is one item
    assert result["true_sightings"] == sum(p.subject == chosen[0][0].subject for p in seen) + 1


def test_a_confirmed_face_reaches_the_family_only_once_the_confirmation_can_no_longer_be_undone(
    container: Container
) -> None:
    """Polling a face crop tells no more than the candidates list: 404 while the confirmation may still
    be undone, and again after an undo (attacker probe, finding 2)."""
    container = with_undo(container)
    world = loop(container, photos=())
    deps = container.deps
    both = intake.report_sighting(deps, OPERATOR, NewSighting(seen_at=datetime(2006, 7, 1, tzinfo=UTC), place=None),
                                  [Upload(two_faces(), "two.jpg")]).sighting_id  # the boy and a stranger
    run_jobs(container)  # its faces found: it waits for a moderator's choice, who approves it with none marked
    moderation.moderate_sightings(deps, OPERATOR, [both], approve=True, child_faces={both: None})
    lead = next(c for c in deps.read.candidates(world.case_id, None) if c["sighting_id"] == both)
    crop = f"/api/faces/{lead['sighting_face_id']}/crop"
    family = _client(container, world.family_token)
    later = _client(replace(container, deps=replace(deps, clock=Later(timedelta(minutes=3)))), world.family_token)
    reviewer = _client(container, session_for(container, Role.MODERATOR)[1])
    assert family.get(crop).status_code == 404  # two faces, neither marked: not shown as the child's

    assert _form(reviewer, f"/candidates/{lead['id']}/review", decision="confirm").status_code == 303
    assert family.get(f"/api/cases/{world.case_id}/candidates").json() == []  # it may still be undone
    assert family.get(crop).status_code == 404  # and the face does not tell otherwise
    assert [c["id"] for c in later.get(f"/api/cases/{world.case_id}/candidates").json()] == [lead["id"]]
    assert later.get(crop).status_code == 200  # once settled, both at once

    assert _form(reviewer, "/workbench/undo").status_code == 303
    assert later.get(f"/api/cases/{world.case_id}/candidates").json() == []
    assert later.get(crop).status_code == 404
