"""Issue 11, finding 2: only the status changes the lifecycle table allows succeed, over the API, the
web forms and the command line; the timeline says what happened; a moderator can reopen a case."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.entrypoints.cli import app as cli
from reunite.services import moderation, reunion
from tests.conftest import count_rows
from tests.e2e.test_journeys import as_role, csrf
from tests.e2e.test_poster_and_cli import register


def jobs(container: Container) -> int:
    with container.engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM procrastinate_jobs").scalar_one())


def status(container: Container, case_id: int) -> str:
    with container.engine.connect() as conn:
        return str(conn.exec_driver_sql(f"SELECT status FROM cases WHERE id = {case_id}").scalar_one())


def reunited(client: TestClient, container: Container) -> int:
    case_id = register(client, person="hopper")  # another child than ``register``'s
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report seen")
    reunion.record_verification(container.deps, OPERATOR, case_id, None, "dna", "match", "")
    reunion.close_case(container.deps, OPERATOR, case_id, reunited=True, keep_data=True)
    return case_id


def test_an_ended_case_is_neither_rejected_nor_verified_again(client: TestClient, container: Container) -> None:
    found = reunited(client, container)
    refused = client.post(f"/api/cases/{found}/reject", json={"reason": "a false report"})
    assert refused.status_code == 409 and "is reunited" in refused.json()["detail"]
    assert status(container, found) == "reunited"
    assert "Found" in client.get(f"/p/{found}").text  # the "found, thank you" poster stays

    rejected = register(client)
    assert client.post(f"/api/cases/{rejected}/reject", json={"reason": "a false report"}).status_code == 204
    before = jobs(container)
    again = client.post(f"/api/cases/{rejected}/verify", json={"evidence": "seen"}, headers={"Accept-Language": "zh"})
    assert again.status_code == 409 and "已驳回" in again.json()["detail"]
    assert jobs(container) == before  # no face search, no alerts queued for a rejected case
    assert client.get(f"/p/{rejected}").status_code == 404


def test_moderator_forms_refuse_what_the_page_does_not_offer_and_reopen_a_case(
    client: TestClient, container: Container
) -> None:
    case_id = register(client)
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report seen")
    police = as_role(container, Role.POLICE)
    token = csrf(police, f"/cases/{case_id}")
    bogus = police.post(f"/cases/{case_id}/close", data={"csrf": token, "outcome": "bogus", "keep_data": "yes",
                                                          "confirm": "yes"}, follow_redirects=False)
    assert bogus.status_code == 422 and "choose how the case ended" in bogus.text
    assert status(container, case_id) == "open"
    closed = police.post(f"/cases/{case_id}/close", data={"csrf": token, "outcome": "closed", "keep_data": "yes",
                                                           "confirm": "yes"}, follow_redirects=False)
    assert closed.status_code == 303 and status(container, case_id) == "closed"

    moderator = as_role(container, Role.MODERATOR)
    page = moderator.get(f"/cases/{case_id}").text
    assert f'action="/cases/{case_id}/reject"' not in page and 'id="reopen"' in page
    token = csrf(moderator, f"/cases/{case_id}")
    for action, field in (("reject", "reason"), ("verify", "evidence")):
        sent = moderator.post(f"/cases/{case_id}/{action}", data={"csrf": token, field: "checked it"},
                              follow_redirects=False)
        assert sent.status_code == 409 and f"case {case_id} is closed" in sent.text
    assert status(container, case_id) == "closed"

    reopened = moderator.post(f"/cases/{case_id}/reopen", data={"csrf": token, "reason": "closed by mistake"},
                              follow_redirects=False)
    assert reopened.status_code == 303 and status(container, case_id) == "open"
    page = moderator.get(f"/cases/{case_id}").text
    with container.engine.connect() as conn:
        report = conn.exec_driver_sql("SELECT police_report FROM cases WHERE id = %s", (case_id,)).scalar()
    # verified again before it is matched; a police report is named only where there is one
    waiting = "check the police report" if report else "verify the case (a police report or other documents)"
    assert f"Waiting for a moderator to {waiting}" in page
    for line in ("Case verified by a caseworker", "Case closed", "Case reopened by a moderator"):
        assert line in page
    assert moderator.post(f"/cases/{case_id}/reopen", data={"csrf": token, "reason": "again"},
                          follow_redirects=False).status_code == 409
    moderation.reject_case(container.deps, OPERATOR, case_id, "no such report at the station")
    assert "Case rejected by a moderator" in moderator.get(f"/cases/{case_id}").text
    family = as_role(container, Role.FAMILY)
    assert family.post(f"/cases/{case_id}/reopen", data={"csrf": csrf(family, "/cases/new"), "reason": "x"},
                       follow_redirects=False).status_code == 403


def test_the_command_line_refuses_in_one_line_and_offers_only_valid_roles(
    cli_env: CliRunner, client: TestClient, container: Container, tmp_path: Path
) -> None:
    case_id = register(client)
    moderation.reject_case(container.deps, OPERATOR, case_id, "a false report")
    refused = cli_env.invoke(cli, ["verify-case", str(case_id), "--by", "nobody@x", "--evidence", "police report seen"])
    assert refused.exit_code == 1 and "poster" not in refused.output
    assert refused.output.strip() == f"error: case {case_id} is rejected: only a case waiting for verification " \
                                     "can be verified"
    huge = cli_env.invoke(cli, ["verify-case", "99999999999999999999", "--by", "x", "--evidence", "e"])
    assert huge.exit_code == 2 and "Traceback" not in huge.output and "╭" not in huge.output
    assert "Error: Invalid value for 'case_id'" in huge.output and "9223372036854775807" in huge.output

    usage = cli_env.invoke(cli, ["create-account", "--help"])
    assert "reporter" in usage.output and "anonymous" not in usage.output and "partner" not in usage.output
    partner = cli_env.invoke(cli, ["create-account", "--email", "p@example.org", "--role", "partner"],
                             env={"REUNITE_NEW_PASSWORD": "correct horse battery"})
    assert partner.exit_code == 2 and "'partner' is not one of" in partner.output

    xml = tmp_path / "partner.xml"
    xml.write_text('<?xml version="1.0"?>\n<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">\n'
                   + "<pfif:person></pfif:person>\n" * 40 + "</pfif:pfif>\n")
    wrong = cli_env.invoke(cli, ["import-cases", str(xml)])
    assert wrong.exit_code == 1 and wrong.output.strip() == "error: not a CSV or XLSX file (this looks like XML, " \
                                                            "HTML, JSON or PDF)"
    sheet = tmp_path / "other.csv"
    sheet.write_text("name,age\nLin,4\n" * 3)
    other = cli_env.invoke(cli, ["import-cases", str(sheet)])
    assert other.exit_code == 1 and "row 2" not in other.output  # one error for the file, none per row
    assert "error: not a table of cases: its first row names the columns name, age, but a case sheet names its " \
        "columns given_name, birth_date, missing_since" in " ".join(other.output.split())


def audits(container: Container, action: str, case_id: int) -> int:
    return count_rows(container, f"audit_log WHERE action = '{action}' AND subject_id = {case_id}")


def form_once(page: str, action: str) -> str:
    """The one-time key of the form posting to ``action`` on a page."""
    found = re.search(rf'action="{re.escape(action)}"[^>]*>.*?name="idempotency_key" value="([^"]+)"', page, re.S)
    assert found, action
    return found.group(1)


def test_a_case_closed_twice_is_closed_once_and_ended_otherwise_is_refused_in_the_readers_language(
    client: TestClient, container: Container
) -> None:
    """A double tap on "Close the case" (the same form sent twice) and an API client's retry without a key
    answer as the first did: one closing, one timeline line; a case ended otherwise is 409, in Chinese too."""
    case_id = register(client)
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report seen")
    police = as_role(container, Role.POLICE)
    page = police.get(f"/cases/{case_id}").text
    form = {"csrf": csrf(police, f"/cases/{case_id}"), "idempotency_key": form_once(page, f"/cases/{case_id}/close"),
            "outcome": "closed", "keep_data": "yes"}
    unsure = police.post(f"/cases/{case_id}/close", data=form, follow_redirects=False)  # the box not ticked
    assert unsure.status_code == 422 and "tick the box" in unsure.text and status(container, case_id) == "open"
    taps = [police.post(f"/cases/{case_id}/close", data=form | {"confirm": "yes"}, follow_redirects=False)
            for _ in range(2)]
    assert [t.status_code for t in taps] == [303, 303]
    assert taps[0].headers["location"] == taps[1].headers["location"] == f"/cases/{case_id}#reunion"
    again = client.post(f"/api/cases/{case_id}/close", json={"reunited": False, "keep_data": True})
    assert again.status_code == 204  # a retry without a key: the case is closed so already
    assert status(container, case_id) == "closed" and audits(container, "case.closed", case_id) == 1
    assert police.get(f"/cases/{case_id}").text.count("Case closed") == 1

    chinese = {"Accept-Language": "zh-CN"}
    reunion.record_verification(container.deps, OPERATOR, case_id, None, "dna", "match", "")
    other = client.post(f"/api/cases/{case_id}/close", json={"reunited": True, "keep_data": True}, headers=chinese)
    assert other.status_code == 409 and other.json()["detail"].startswith(f"案件 {case_id}")
    assert status(container, case_id) == "closed"
    deleting = client.post(f"/api/cases/{case_id}/close", json={"reunited": False, "keep_data": False}, headers=chinese)
    assert deleting.status_code == 409 and "照片已保留" in deleting.json()["detail"]
    assert count_rows(container, f"photos WHERE case_id = {case_id}") > 0  # nothing deleted

    found = reunited(client, container)
    closing = client.post(f"/api/cases/{found}/close", json={"reunited": False, "keep_data": True}, headers=chinese)
    assert closing.status_code == 409 and "只有进行中的案件才能结案" in closing.json()["detail"]
    assert status(container, found) == "reunited"


def test_verify_reject_and_reopen_sent_twice_are_done_once(client: TestClient, container: Container) -> None:
    case_id = register(client)
    before = jobs(container)
    for _ in range(2):  # an API client's retry without a key
        assert client.post(f"/api/cases/{case_id}/verify", json={"evidence": "seen"}).status_code == 204
    assert audits(container, "case.verified", case_id) == 1 and jobs(container) == before + 2  # one search, one alert
    for _ in range(2):
        assert client.post(f"/api/cases/{case_id}/reject", json={"reason": "false"}).status_code == 204
    assert audits(container, "case.rejected", case_id) == 1

    moderator = as_role(container, Role.MODERATOR)
    page = moderator.get(f"/cases/{case_id}").text
    form = {"csrf": csrf(moderator, f"/cases/{case_id}"), "reason": "rejected by mistake",
            "idempotency_key": form_once(page, f"/cases/{case_id}/reopen")}
    taps = [moderator.post(f"/cases/{case_id}/reopen", data=form, follow_redirects=False) for _ in range(2)]
    assert [t.status_code for t in taps] == [303, 303] and audits(container, "case.reopened", case_id) == 1
    resent = client.post(f"/api/cases/{case_id}/reopen", json={"reason": "by mistake"},
                         headers={"Idempotency-Key": "r-1"})
    assert resent.status_code == 409  # a new request (no earlier one under this key): the case is not ended
    assert "is waiting for verification" in resent.json()["detail"]
