"""An impostor "poses as a parent": another account registers a child its real family registered already, with
its own snapshot of the child and a birth date three years off. The duplicate check compares only children born
within a year of each other (widened to every pair it would flag different children too often), so no flag was
raised, nobody was told, and one click on Verify gave the impostor the child's sightings as leads. Now whoever
verifies reads, beside the Verify form, the other accounts' cases whose photos look most alike, whatever their
birth dates, with the disagreement said plainly; a moderator may flag the pair by hand, and verifying then waits
for the flag as for one the machine raises. Families and partners never read that list.

Real photos of fgnet-dev (REUNITE_CORPUS): subject 065 at 10 and at 13 (docs/benchmarks.md, "A child
registered twice")."""

from __future__ import annotations

import html
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.entrypoints.api.app import create_app
from reunite.entrypoints.cli import app as cli
from reunite.services import reunion
from reunite.services.accounts import issue_token
from tests.conftest import run_jobs
from tests.e2e.test_doubles_by_age import births, first_family, on
from tests.e2e.test_impostor import row_of, signed_in
from tests.e2e.test_journeys import csrf

pytestmark = pytest.mark.corpus

TITLE = "Cases of other accounts whose photos look most alike"
APART = "The two birth dates are more than a year apart ({this} on this case, {other} on case {id})"


def impostor_registers(container: Container, photo: bytes, birth: date, taken: date) -> tuple[TestClient, int]:
    """Another account registers the child on the page: its own photo of the child, a birth date of its own."""
    other, _ = signed_in(container, Role.REPORTER)
    missing = container.deps.clock.now() - timedelta(days=10)
    form = {"csrf": csrf(other, "/cases/new"), "given_name": "Ming", "family_name": "Zhang", "sex": "unknown",
            "birth_date": birth.isoformat(), "missing_since": missing.strftime("%Y-%m-%dT%H:%M"), "tz": "UTC",
            "police_report": "fake-123", "family_contact": "13000000000", "photo_dates": taken.isoformat()}
    sent = other.post("/cases/new", files=[("photos", ("kid.jpg", photo, "image/jpeg"))], data=form,
                      follow_redirects=False)
    assert sent.status_code == 303, sent.text
    run_jobs(container)  # its faces are found, and the duplicate check runs
    return other, int(sent.headers["location"].split("/")[2].split("?")[0])


def registered_twice(container: Container, fgnet: Path) -> tuple[int, TestClient, int, date, date]:
    """The real family's verified case (the child at 10), and the impostor's waiting one (the child at 13, its
    photo's real date, the birth date given three years later: no automatic flag)."""
    born, _ = births(container)
    claimed = born.replace(year=born.year + 3)
    real = first_family(container, (fgnet / "images/065a10.jpg").read_bytes(), born, 10)
    impostor, fake = impostor_registers(container, (fgnet / "images/065a13.jpg").read_bytes(), claimed,
                                        on(born, 13))
    return real, impostor, fake, born, claimed


def look_alikes_of(page: str, case_id: int) -> str:
    """The look-alikes section beside this case's Verify form."""
    start = page.index(f'id="look-alikes-{case_id}"')
    return page[start:page.index("</section>", start)]


def test_the_verify_form_shows_another_accounts_look_alike_and_says_the_births_disagree(
    client: TestClient, container: Container, fgnet: Path
) -> None:
    real, impostor, fake, born, claimed = registered_twice(container, fgnet)
    assert client.get("/api/moderation/duplicates").json() == []  # born 3 years apart: never compared

    moderator, _ = signed_in(container, Role.MODERATOR)
    said = APART.format(this=f"{claimed:%b} {claimed.day}, {claimed.year}", other=f"{born:%b} {born.day}, {born.year}",
                        id=real)
    row = html.unescape(row_of(moderator.get("/moderation?lang=en").text, fake))  # in the queue, beside Verify
    listed = look_alikes_of(row, fake)
    assert TITLE in listed and f'href="/cases/{real}"' in listed and said in listed
    assert "registered by a family's account" in listed and "verified" in listed
    assert "Strong lead" in listed or "Possible lead" in listed or "Weak lead" in listed
    assert 'action="/moderation/duplicates"' in listed and f'name="other_case_id" value="{real}"' in listed

    page = html.unescape(moderator.get(f"/cases/{fake}?lang=en").text)  # and on the case page's Verify form
    assert said in look_alikes_of(page, fake) and f'href="/cases/{real}"' in look_alikes_of(page, fake)
    zh = html.unescape(moderator.get(f"/cases/{fake}?lang=zh-CN").text)
    assert "其他账户登记的、照片最相像的案件" in zh and "两个出生日期相差一年以上" in zh

    [alike] = client.get(f"/api/cases/{fake}/look-alikes").json()
    assert alike["case_id"] == real and alike["births_disagree"] and alike["births_apart_years"] == 3
    assert alike["registered_by"] == "family" and alike["verified"] and alike["flag_id"] is None
    assert alike["lead"]["strength"] != "none" and alike["lead_words"]
    [queued] = [r for r in client.get("/api/moderation/queues").json()["cases"] if r["id"] == fake]
    assert [a["case_id"] for a in queued["look_alikes"]] == [real]

    with container.engine.connect() as conn:  # every reading of them is audited, with what was shown
        audited = conn.exec_driver_sql(
            "SELECT subject_id, detail->'shown' FROM audit_log WHERE action = 'look_alikes.viewed'").all()
    assert (fake, {str(fake): [real]}) in [(s, d) for s, d in audited]
    assert (0, {str(fake): [real]}) in [(s, d) for s, d in audited]  # the queue's

    # neither the family nor a partner ever reads the list
    own = html.unescape(impostor.get(f"/cases/{fake}?lang=en").text)
    assert TITLE not in own and "look-alike" not in own and f"case {real}" not in own.lower()
    assert impostor.get(f"/api/cases/{fake}/look-alikes").status_code == 403
    partner = TestClient(create_app(container), headers={
        "Authorization": f"Bearer {issue_token(container.deps, OPERATOR, 'an NGO', [Scope.READ_CASES])}"})
    assert partner.get(f"/api/cases/{fake}/look-alikes").status_code == 403
    assert partner.get("/api/moderation/queues").status_code == 403


def test_a_moderator_flags_the_look_alike_by_hand_and_verifying_waits_until_it_is_resolved(
    client: TestClient, container: Container, fgnet: Path
) -> None:
    real, impostor, fake, _, _ = registered_twice(container, fgnet)
    moderator, account = signed_in(container, Role.MODERATOR)
    form = {"csrf": csrf(moderator, f"/cases/{fake}"), "case_id": str(fake), "other_case_id": str(real),
            "back": f"/cases/{fake}"}
    flagged = moderator.post("/moderation/duplicates", data=form, follow_redirects=False)
    assert flagged.status_code == 303 and flagged.headers["location"].startswith(f"/cases/{fake}")

    [flag] = client.get("/api/moderation/duplicates").json()  # as a flag the machine raises
    assert {flag["case_id"], flag["other_case_id"]} == {real, fake} and flag["verification_waits"] == [fake]
    again = client.post("/api/moderation/duplicates", json={"case_id": real, "other_case_id": fake})
    assert again.status_code == 200 and again.json() == {"id": flag["id"], "raised": False}  # a retry: the same
    page = html.unescape(moderator.get(f"/cases/{fake}?lang=en").text)
    assert "Possibly the same child as case" in page and "Flagged already as possibly the same child" in page

    refused = client.post(f"/api/cases/{fake}/verify", json={"evidence": "police report seen"})
    assert refused.status_code == 409 and f"possibly the same child as case {real}" in refused.json()["detail"]
    on_page = moderator.post(f"/cases/{fake}/verify?lang=en", data={
        "csrf": csrf(moderator, f"/cases/{fake}"), "evidence": "fake-123 seen", "back": f"/cases/{fake}"},
        follow_redirects=False)
    assert on_page.status_code == 409
    assert container.deps.read.case(fake)["verified_at"] is None
    assert impostor.get("/api/sightings").status_code == 403  # no browsing, no leads

    with container.engine.connect() as conn:
        audited = conn.exec_driver_sql(
            "SELECT subject_id, actor, detail->>'other_case_id', detail->>'by_hand' FROM audit_log "
            "WHERE action = 'case.duplicate_flagged'").all()
    actor = f"account:{account}"
    assert sorted(audited) == sorted([(fake, actor, str(real), "true"), (real, actor, str(fake), "true")])

    # resolved by a moderator who checked: then it may be verified
    decided = client.post(f"/api/moderation/duplicates/{flag['id']}",
                          json={"decision": "dismiss", "reason": "DNA on file differs"})
    assert decided.status_code == 204
    assert client.post(f"/api/cases/{fake}/verify", json={"evidence": "police report seen"}).status_code == 204
    decided_again = client.post("/api/moderation/duplicates", json={"case_id": fake, "other_case_id": real})
    assert decided_again.status_code == 409 and "reopen that flag" in decided_again.json()["detail"]



def test_the_command_line_lists_the_look_alikes_and_flags_them_by_hand(
    cli_env: CliRunner, client: TestClient, container: Container, fgnet: Path
) -> None:
    real, _, fake, _, _ = registered_twice(container, fgnet)
    listed = cli_env.invoke(cli, ["doubles", "alike", str(fake)], env={"LANG": "C.UTF-8"})
    assert listed.exit_code == 0, listed.output
    assert f"case {real}: registered by a family's account, verified, born" in listed.output
    assert "more than a year apart" in listed.output
    assert f"reunite doubles flag {fake} {real} --by NAME" in listed.output
    listed_zh = cli_env.invoke(cli, ["doubles", "alike", str(fake)], env={"LANG": "zh_CN.UTF-8"})
    assert f"案件 {real}：由家庭账户登记，已核实" in listed_zh.output and "两个出生日期相差一年以上" in listed_zh.output

    flagged = cli_env.invoke(cli, ["doubles", "flag", str(fake), str(real), "--by", "officer Wang"],
                             env={"LANG": "C.UTF-8"})
    assert flagged.exit_code == 0 and f"cases {fake} and {real} flagged as possibly one child" in flagged.output
    verify = ["verify-case", str(fake), "--by", "officer Wang", "--evidence", "police report fake-123 seen"]
    refused = cli_env.invoke(cli, verify, env={"LANG": "C.UTF-8"})
    assert refused.exit_code == 1 and f"possibly the same child as case {real}" in refused.output
    with container.engine.connect() as conn:
        by = conn.exec_driver_sql("SELECT DISTINCT detail->>'by' FROM audit_log "
                                  "WHERE action = 'case.duplicate_flagged'").scalars().all()
    assert by == ["officer Wang"]

    [flag] = client.get("/api/moderation/duplicates").json()
    resolve = ["doubles", "resolve", str(flag["id"]), "--decision", "dismiss", "--by", "moderator Li",
               "--reason", "DNA on file differs"]
    assert cli_env.invoke(cli, resolve, env={"LANG": "C.UTF-8"}).exit_code == 0
    verified = cli_env.invoke(cli, verify, env={"LANG": "C.UTF-8"})  # verified, still saying whom it resembles
    assert verified.exit_code == 0 and f"case {fake} verified" in verified.output
    assert f"case {real}: registered by a family's account" in verified.output
    assert "A moderator said they are different children." in verified.output
    assert verified.output.endswith("\n")  # the next command's words start on a line of their own (probe s23 W10)


def test_a_child_registered_again_after_its_case_was_closed_is_shown_with_the_ended_case(
    client: TestClient, container: Container, fgnet: Path
) -> None:
    """Probe s43 E6: another account registering a child whose case had just ended (found, reunited) was shown
    nothing beside Verify: the look-alikes read open cases only. Someone posing as a parent to find a child found is
    the harm; the ended case is listed, marked so, with what to check (no flag form: there is nothing to link)."""
    real, _, fake, _, _ = registered_twice(container, fgnet)
    reunion.close_case(container.deps, OPERATOR, real, reunited=False, keep_data=True)
    moderator, _ = signed_in(container, Role.MODERATOR)
    listed = look_alikes_of(html.unescape(moderator.get(f"/cases/{fake}?lang=en").text), fake)
    assert f'href="/cases/{real}"' in listed and "<strong>closed</strong>" in listed
    assert "someone posing as a parent to find a child found" in listed
    assert f'name="other_case_id" value="{real}"' not in listed
    [alike] = client.get(f"/api/cases/{fake}/look-alikes").json()
    assert alike["case_id"] == real and alike["status"] == "closed"
