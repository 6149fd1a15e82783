"""Staff's typed texts (a token's name, the evidence a case was checked with, a reason, who decided) are read as
the public's are, whichever way they come in (a JSON body, the command line, a page's form): trimmed, without the
invisible control characters (ESC, BEL, backspace…) a paste from a terminal carries; half a character escaped in
JSON ("\\ud800") is refused naming its field, nothing stored."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.model import NewCase, Sex, Upload
from reunite.domain.text_limits import TEXT_LIMITS
from reunite.entrypoints.cli import app as cli
from reunite.entrypoints.web import pages as pages_module
from reunite.services import intake
from tests.conftest import newest_sighting, plain_photo, run_jobs
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


NAMED = {"reason": "reason", "evidence": "evidence", "note": "note", "notes": "notes", "body": "message",
         "family_summary": "family_summary", "relation": "relation", "requester": "requester", "details": "details",
         "actor": "actor", "subject": "subject", "action": "action", "region": "region", "url": "source_url",
         "domains": "token_domains"}


def maxlengths(page: str) -> list[tuple[str, int]]:
    """Each text field of a page by its name, with the characters its ``maxlength`` lets the reader type."""
    found = []
    for tag in re.findall(r"<(?:input|textarea)\b[^>]*>", page):
        name, most = re.search(r'name="([^"]+)"', tag), re.search(r'maxlength="(\d+)"', tag)
        if name and most:
            found.append((name.group(1), int(most.group(1))))
    return found


def test_every_staff_form_field_takes_as_many_characters_as_the_server(
        anonymous: TestClient, client: TestClient, container: Container) -> None:
    waiting = waiting_case(container, 44)
    sent = anonymous.post("/api/sightings", files=[("photos", ("s.jpg", plain_photo(seed=45), "image/jpeg"))])
    assert sent.status_code == 202, sent.text
    run_jobs(container)
    report = newest_sighting(container)
    moderator, admin = as_role(container, Role.MODERATOR), as_role(container, Role.ADMIN)
    pages = {(admin, "/admin"): "token_name", (admin, "/audit"): None, (moderator, "/moderation"): None,
             (moderator, "/moderation/sources"): "source_name", (moderator, f"/cases/{waiting}"): None,
             (moderator, f"/sightings/{report}"): None, (moderator, "/workbench"): None,
             (anonymous, "/subscribe"): None, (anonymous, "/takedown"): None}
    seen: set[str] = set()
    for (reader, path), name_is in pages.items():
        page = reader.get(path)
        assert page.status_code == 200, (path, page.status_code)
        for name, most in maxlengths(page.text):
            limit = TEXT_LIMITS[name_is if name == "name" and name_is else NAMED.get(name, name)]
            assert most == limit, (path, name, most, limit)
            seen.add(name)
    assert {"reason", "evidence", "family_summary", "name", "domains", "url", "actor", "body"} <= seen, seen
    # the server takes as long a reason as the form lets a moderator type, and no longer
    typed = "不同的孩子" * (TEXT_LIMITS["reason"] // 5)
    refused = client.post(f"/api/cases/{waiting}/reject", json={"reason": typed + "x"})
    assert refused.status_code == 422 and refused.json()["field"] == "reason", refused.text
    rejected = client.post("/api/moderation/sightings", json={"ids": [report], "approve": False, "reason": typed})
    assert rejected.status_code in (200, 204), rejected.text
    assert stored(container, f"SELECT length(moderation_reason) FROM sightings WHERE id = {report}") \
        == [(TEXT_LIMITS["reason"],)]  # whole: never cut to fewer characters than the form let them type


def test_no_page_writes_a_maxlength_of_its_own() -> None:
    """Every form's maxlength is a limit the server enforces (``text_limits``, the case's and a report's), never a
    number written into a page, which drifts from the server's."""
    folder = Path(pages_module.__file__).parent / "templates"
    written = {path.name: re.findall(r'maxlength="\d+"', path.read_text()) for path in folder.glob("*.html")}
    assert {name: found for name, found in written.items() if found} == {}
