"""Probe s16, P5: someone with a photo of a missing child (the public poster's is enough) registers the
child again from another account, with a made-up police report. The duplicate check noticed, but the
queue row and the case page said nothing and Verify went through in one click: the impostor then browsed
every sighting, and the real child's sightings became leads of their case with no word that one was a
confirmed lead of the other family. Now verifying waits until a moderator resolves the flag, the row and
the page say so next to Verify, the workbench names the case a sighting was confirmed for, and a flag
found only after both were verified holds the later registration."""

from __future__ import annotations

import html
from datetime import date, timedelta

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.model import CandidateStatus, GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.entrypoints.cli import app as cli
from reunite.services import intake, moderation, review
from reunite.services.accounts import from_session
from tests.conftest import run_jobs, session_for
from tests.e2e.test_journeys import csrf
from tests.photos import portrait

PHOTO = portrait("collins", 0)  # the poster's photo: the impostor sends the very same bytes
WAITS = "Possibly the same child as case {other}, registered by another account and verified: resolve that first"


def signed_in(container: Container, role: Role) -> tuple[TestClient, int]:
    account, cookie = session_for(container, role)
    client = TestClient(create_app(container))
    client.cookies.set("reunite_session", cookie)
    return client, account


def first_family(container: Container, seen: bool = True) -> tuple[TestClient, int, int, int]:
    """Family 1's verified case, a sighting of the child and its lead, confirmed by a reviewer (``seen``; else 0, 0:
    a case registered later with the report's picture would be a copy of the report, probe s36 K1)."""
    family, _ = signed_in(container, Role.REPORTER)
    owner = from_session(container.deps, str(family.cookies["reunite_session"]))
    assert owner is not None
    now = container.deps.clock.now()
    case = NewCase(given_name="浩然", family_name="王", sex=Sex.MALE, birth_date=date(now.year - 8, 3, 1),
                   missing_since=now - timedelta(days=30), last_seen_place=GeoPoint(30.66, 104.06),
                   police_report="PR-2026-0417")
    case_id = intake.register_case(container.deps, owner, case, [Upload(PHOTO, "a.jpg")], [None]).case_id
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report PR-2026-0417 confirmed by phone")
    if not seen:
        run_jobs(container)
        return family, case_id, 0, 0
    return family, case_id, *seen_and_confirmed(container, case_id)


def seen_and_confirmed(container: Container, case_id: int) -> tuple[int, int]:
    """A sighting of case ``case_id``'s child (the same face: one picture with the case's photo) and its lead for
    the case, confirmed by a reviewer."""
    now = container.deps.clock.now()
    seen = NewSighting(seen_at=now - timedelta(days=3), place=GeoPoint(30.66, 104.07), place_text="Chengdu")
    sighting_id = intake.report_sighting(container.deps, OPERATOR, seen,
                                         [Upload(portrait("collins", 2), "s.jpg")]).sighting_id
    run_jobs(container)
    [lead] = [c for c in container.deps.read.candidates(case_id, None) if c["sighting_id"] == sighting_id]
    review.review_candidate(container.deps, OPERATOR, lead["id"], CandidateStatus.CONFIRMED, "same scar")
    return sighting_id, lead["id"]


def impostor_registers(container: Container, real_id: int) -> tuple[TestClient, int]:
    """Another account registers the same child on the page: the same photo, names and dates, a fake report."""
    impostor, _ = signed_in(container, Role.REPORTER)
    real = container.deps.read.case(real_id)
    form = {"csrf": csrf(impostor, "/cases/new"), "given_name": "浩然", "family_name": "王", "sex": "male",
            "birth_date": str(real["birth_date"]), "missing_since": real["missing_since"].strftime("%Y-%m-%dT%H:%M"),
            "tz": "UTC", "police_report": "PR-FAKE-999", "family_contact": "scammer@example.net"}
    sent = impostor.post("/cases/new", files=[("photos", ("kid.jpg", PHOTO, "image/jpeg"))], data=form,
                         follow_redirects=False)
    assert sent.status_code == 303, sent.text
    run_jobs(container)  # its faces are found, and the duplicate flagged
    return impostor, int(sent.headers["location"].split("/")[2].split("?")[0])


def row_of(page: str, case_id: int) -> str:
    """The "Cases to verify" row of this case on the moderation page."""
    [row] = [r for r in page.split('<div class="card-row">') if f'action="/cases/{case_id}/verify"' in r]
    return row


def test_a_second_registration_of_a_verified_child_waits_until_a_moderator_resolves_the_flag(
    client: TestClient, container: Container, cli_env: CliRunner
) -> None:
    family, real, _, _ = first_family(container, seen=False)  # the child seen after both registered
    impostor, fake = impostor_registers(container, real)
    [flag] = client.get("/api/moderation/duplicates").json()
    assert {flag["case_id"], flag["other_case_id"]} == {real, fake} and flag["verification_waits"] == [fake]

    moderator, _ = signed_in(container, Role.MODERATOR)
    waits = WAITS.format(other=real)
    row = row_of(moderator.get("/moderation?lang=en").text, fake)  # next to its Verify button
    assert waits in html.unescape(row) and f'href="/cases/{real}"' in row and f'href="#duplicate-{flag["id"]}"' in row
    page = html.unescape(moderator.get(f"/cases/{fake}?lang=en").text)
    assert waits in page and f'href="/cases/{real}"' in page and f"/cases/{fake}/verify" in page
    assert f'action="/moderation/duplicates/{flag["id"]}"' in page  # resolved from the case page too
    assert f"case {real}" not in impostor.get(f"/cases/{fake}?lang=en").text.lower()  # the family reads nothing of it

    # refused everywhere, in the reader's language, naming case 1; nothing verified
    refused = client.post(f"/api/cases/{fake}/verify", json={"evidence": "police report seen"})
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith(  # the same photo as the real family's, whose poster shows it
        f"case {fake} is possibly the same child as case {real}: its photo is the one on the public poster of case "
        f"{real}, which another account registered and had verified. Resolve that first")
    chinese = client.post(f"/api/cases/{fake}/verify", json={"evidence": "police report seen"},
                          headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 409 and f"案件 {fake} 可能与案件 {real} 是同一个孩子" in chinese.json()["detail"]
    form = {"csrf": csrf(moderator, f"/cases/{fake}"), "evidence": "PR-FAKE-999 seen", "back": f"/cases/{fake}"}
    on_page = moderator.post(f"/cases/{fake}/verify?lang=en", data=form, follow_redirects=False)
    assert on_page.status_code == 409
    assert f"case {fake} is possibly the same child as case {real}" in html.unescape(on_page.text)
    on_page_zh = moderator.post(f"/cases/{fake}/verify?lang=zh-CN", data=form, follow_redirects=False)
    assert on_page_zh.status_code == 409 and f"可能与案件 {real} 是同一个孩子" in html.unescape(on_page_zh.text)
    by_cli = cli_env.invoke(cli, ["verify-case", str(fake), "--by", "mod2", "--evidence", "PR-FAKE-999"])
    assert by_cli.exit_code == 1 and f"possibly the same child as case {real}" in by_cli.output
    assert container.deps.read.case(fake)["verified_at"] is None
    assert impostor.get("/api/sightings").status_code == 403  # no browsing
    assert container.deps.read.candidates(fake, None) == []  # and not matched

    # resolved as different children: a reason is required, kept in both cases' audit; then verifying works
    bare = client.post(f"/api/moderation/duplicates/{flag['id']}", json={"decision": "dismiss"})
    assert bare.status_code == 422 and bare.json()["field"] == "reason"
    resolved = moderator.post(f"/moderation/duplicates/{flag['id']}",
                              data={"csrf": csrf(moderator, f"/cases/{fake}"), "decision": "dismiss",
                                    "reason": "DNA on file differs", "back": f"/cases/{fake}"},
                              follow_redirects=False)
    assert resolved.status_code == 303 and resolved.headers["location"].startswith(f"/cases/{fake}")
    with container.engine.connect() as conn:
        audited = conn.exec_driver_sql(
            "SELECT subject_id, detail->>'reason', detail->>'other_case_id' FROM audit_log "
            "WHERE action = 'case.duplicate_dismissed' ORDER BY subject_id").all()
    why = "DNA on file differs"
    assert sorted(audited) == sorted([(real, why, str(fake)), (fake, why, str(real))])
    assert WAITS.format(other=real) not in html.unescape(moderator.get(f"/cases/{fake}?lang=en").text)
    assert client.post(f"/api/cases/{fake}/verify", json={"evidence": "police report seen"}).status_code == 204

    # matched now: the real child's confirmed sighting comes to the workbench saying whose lead it is
    sighting, lead = seen_and_confirmed(container, real)
    run_jobs(container)
    [candidate] = [c for c in client.get(f"/api/cases/{fake}/candidates").json() if c["sighting_id"] == sighting]
    assert candidate["confirmed_for"] == [real]
    bench = html.unescape(moderator.get(f"/workbench/{candidate['id']}?lang=en").text)
    assert f"This sighting is already confirmed for case {real}" in bench and f'href="/cases/{real}"' in bench
    bench_zh = html.unescape(moderator.get(f"/workbench/{candidate['id']}?lang=zh-CN").text)
    assert f"这次目击已被确认属于案件 {real}" in bench_zh
    case_page = html.unescape(moderator.get(f"/cases/{fake}?lang=en").text)
    assert f"This sighting is already confirmed for case {real}" in case_page
    # a reviewer fooled anyway (taking over the lead the page above opened): a family never learns whose other case
    # its lead was confirmed for
    assert review.review_candidate(container.deps, OPERATOR, candidate["id"], CandidateStatus.CONFIRMED, "",
                                   take_over=True) is None
    [staff_view] = [c for c in client.get(f"/api/cases/{real}/candidates").json() if c["id"] == lead]
    [family_view] = [c for c in family.get(f"/api/cases/{real}/candidates").json() if c["id"] == lead]
    assert staff_view["confirmed_for"] == [fake] and family_view["confirmed_for"] == []
    assert "already confirmed for case" not in family.get(f"/cases/{real}?lang=en").text


def test_a_duplicate_found_only_after_verification_holds_the_later_registration(
    client: TestClient, container: Container
) -> None:
    """A moderator quicker than the face job verified the second registration before any flag existed:
    once found, it waits for verification again (no browsing, no leads, no poster) until resolved."""
    _, real, _, _ = first_family(container)
    impostor, _ = signed_in(container, Role.REPORTER)
    owner = from_session(container.deps, str(impostor.cookies["reunite_session"]))
    assert owner is not None
    original = container.deps.read.case(real)
    case = NewCase(given_name="浩然", family_name="王", sex=Sex.MALE, birth_date=original["birth_date"],
                   missing_since=original["missing_since"], last_seen_place=None, police_report="PR-FAKE-999")
    fake = intake.register_case(container.deps, owner, case, [Upload(PHOTO, "kid.jpg")], [None]).case_id
    moderation.verify_case(container.deps, OPERATOR, fake, "police report seen")  # before its faces are known
    assert impostor.get("/api/sightings").status_code == 200
    run_jobs(container)

    state = container.deps.read.case(fake)
    assert state["status"] == "open" and state["verified_at"] is None  # held: waiting for verification again
    assert container.deps.read.case(real)["verified_at"] is not None  # the first family keeps its case
    assert impostor.get("/api/sightings").status_code == 403 and client.get(f"/p/{fake}").status_code == 404
    assert not [c for c in container.deps.read.candidates(fake, None) if c["status"] == "proposed"]
    timeline = impostor.get(f"/cases/{fake}?lang=en").text
    assert "Waiting for verification again: a moderator checks the case once more" in html.unescape(timeline)
    assert f"case {real}" not in timeline.lower()
    again = client.post(f"/api/cases/{fake}/verify", json={"evidence": "police report seen"})
    assert again.status_code == 409 and f"possibly the same child as case {real}" in again.json()["detail"]
    with container.engine.connect() as conn:
        [(actor, detail)] = conn.exec_driver_sql(
            f"SELECT actor, detail FROM audit_log WHERE action = 'case.held' AND subject_id = {fake}").all()
    assert actor == "system" and detail["other_case_id"] == real
