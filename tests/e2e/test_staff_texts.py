"""Staff's typed texts (a token's name, the evidence a case was checked with, a reason, who decided) are read as
the public's are, whichever way they come in (a JSON body, the command line, a page's form): trimmed, without the
invisible control characters (ESC, BEL, backspace…) a paste from a terminal carries; half a character escaped in
JSON ("\\ud800") is refused naming its field, nothing stored."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.model import NewCase, Sex, Upload
from reunite.entrypoints.cli import app as cli
from reunite.services import intake
from tests.conftest import plain_photo
from tests.e2e.test_journeys import as_role, csrf


def stored(container: Container, sql: str) -> list[tuple[object, ...]]:
    with container.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql).fetchall()]


def waiting_case(container: Container, seed: int) -> int:
    """A case waiting to be checked (as a family's: registered by police it is checked at once)."""
    case_id = intake.register_case(container.deps, OPERATOR, NewCase(
        given_name="Jun", family_name=f"Li{seed}", sex=Sex.MALE, birth_date=date(2015, 1, 1),
        missing_since=datetime(2024, 5, seed % 28 + 1, tzinfo=UTC), last_seen_place=None),
        [Upload(plain_photo(seed=seed), "c.jpg")], [None]).case_id
    with container.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE cases SET verified_at = NULL WHERE id = {case_id}")
    return case_id


def test_a_control_character_is_left_out_of_staff_texts_whichever_way_they_come_in(
        client: TestClient, container: Container, cli_env: CliRunner) -> None:
    api = client.post("/api/tokens", json={"name": " Red\x1b[31m Cross\x07 ", "scopes": ["read:cases"]})
    assert api.status_code == 201, api.text
    typed = cli_env.invoke(cli, ["issue-token", "--name", "Blue\x08 Sky\x7f", "--scope", "read:cases"])
    assert typed.exit_code == 0, typed.output
    admin = as_role(container, Role.ADMIN)
    page = admin.post("/admin/tokens", data={"csrf": csrf(admin, "/admin"), "name": "Green\x1b Leaf",
                                             "scopes": "read:cases"}, follow_redirects=False)
    assert page.status_code in (200, 303), page.text
    names = {name for (name,) in stored(container, "SELECT name FROM api_tokens")}
    assert {"Red[31m Cross", "Blue Sky", "Green Leaf"} <= names, names
    case_id = waiting_case(container, 41)
    checked = client.post(f"/api/cases/{case_id}/verify", json={"evidence": "police report\x1b[0m 12 checked\x07"})
    assert checked.status_code == 204, checked.text
    by_hand = waiting_case(container, 42)
    said = cli_env.invoke(cli, ["verify-case", str(by_hand), "--by", "Officer\x07 Wu", "--evidence", "docs\x1b seen"])
    assert said.exit_code == 0, said.output
    evidence = {case: stored(container, "SELECT detail->>'evidence' FROM audit_log WHERE action = 'case.verified' "
                             f"AND subject_id = {case} ORDER BY id DESC LIMIT 1") for case in (case_id, by_hand)}
    assert evidence == {case_id: [("police report[0m 12 checked",)], by_hand: [("docs seen (checked by Officer Wu)",)]}


def test_a_lone_surrogate_in_a_staff_json_text_is_refused_naming_the_field(
        client: TestClient, container: Container) -> None:
    case_id = waiting_case(container, 43)
    checked = client.post(f"/api/cases/{case_id}/verify", content='{"evidence": "police\\ud800 report"}',
                          headers={"Content-Type": "application/json"})
    assert checked.status_code == 422 and checked.json()["field"] == "evidence", checked.text
    token = client.post("/api/tokens", content='{"name": "Half\\udc00", "scopes": ["read:cases"]}',
                        headers={"Content-Type": "application/json"})
    assert token.status_code == 422 and token.json()["field"] == "name", token.text
    assert stored(container, "SELECT count(*) FROM api_tokens WHERE left(name, 4) = 'Half'") == [(0,)]
    assert stored(container, f"SELECT verified_at IS NULL FROM cases WHERE id = {case_id}") == [(True,)]
