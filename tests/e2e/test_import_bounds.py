"""Probe s21 U4: one `write` token flooded the verification queue with 20,000 invented children in one PFIF
request (the same through a sheet), and revoking it left them all. Imports are bounded per request and per
token per hour; revoking a token, or an admin alone, withdraws the cases it imported that nobody verified.
And (U7) a real sheet import answers each row's case number. Probe s22 V6: cases a token registers one by one
through POST /api/cases count against the same hourly limit and are withdrawn with its imports; V7: the wait
a refusal names is never longer than its hour."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.config import Settings
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.services import moderation
from tests.conftest import FLOW_OPERATING_POINT, plain_photo
from tests.e2e.test_bad_input import page_client
from tests.e2e.test_pfif_sync import doc, person, rows
from tests.e2e.test_probe_pfif import PERSON, token_client

XML = {"Content-Type": "application/xml"}


@pytest.fixture
def settings(tmp_path: Path, database_uri: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_uri,  # type: ignore[call-arg]
                    _env_file=None, propose_one_in=FLOW_OPERATING_POINT, import_records_per_request=5,
                    imported_records_per_hour=8)


def children(start: int, n: int) -> bytes:
    return doc("".join(person(f"partnerb.org/big{i}", **PERSON) for i in range(start, start + n)))


def sheet(names: list[str]) -> dict[str, tuple[str, bytes, str]]:
    body = "given_name,family_name,sex,birth_date,missing_since\n" + "".join(
        f"{name},Li,f,2018-05-03,2024-05-01\n" for name in names)
    return {"file": ("c.csv", body.encode(), "text/csv")}


def token_id(container: Container, name: str) -> int:
    return int(rows(container, f"SELECT id FROM api_tokens WHERE name = '{name}'")[0][0])


@pytest.fixture
def writer(container: Container) -> Iterator[TestClient]:
    yield token_client(container, Scope.WRITE, domains=("partnerb.org",))


def test_an_import_is_bounded_per_request_and_per_token_per_hour(container: Container, writer: TestClient) -> None:
    too_big = writer.post("/api/pfif", headers=XML | {"Accept-Language": "zh-CN"}, content=children(0, 6))
    assert too_big.status_code == 413 and "5" in too_big.json()["detail"] and "6" in too_big.json()["detail"]
    assert "每次请求最多" in too_big.json()["detail"]
    assert writer.post("/api/cases/import?dry_run=true", files=sheet([f"A{i}" for i in range(6)])).status_code == 413
    assert rows(container, "SELECT count(*) FROM cases") == [(0,)]
    assert writer.post("/api/pfif", headers=XML, content=children(0, 4)).json()["created"] == 4
    assert writer.post("/api/cases/import?dry_run=false", files=sheet(["Bo", "Yu", "Fei", "Lan"])).json()[
        "created"] == 4
    again = writer.post("/api/pfif", headers=XML | {"Accept-Language": "zh-CN"}, content=children(10, 1))
    assert again.status_code == 429 and int(again.headers["Retry-After"]) > 0
    assert "每小时最多 8 条" in again.json()["detail"], again.json()
    # a dry run writes nothing and is not counted against the hour; another token has its own hour
    assert writer.post("/api/cases/import?dry_run=true", files=sheet(["Qi"])).status_code == 200
    other = token_client(container, Scope.WRITE, domains=("partnerc.org",))
    assert other.post("/api/cases/import?dry_run=false", files=sheet(["Qi"])).status_code == 200
    assert rows(container, "SELECT count(*) FROM cases") == [(9,)]


def test_a_sheet_import_answers_each_rows_case(container: Container, writer: TestClient) -> None:
    answer = writer.post("/api/cases/import?dry_run=false", files=sheet(["Bo", "Yu"])).json()
    shown = {r["row"]: r["case"] for r in answer["registered"]}
    assert sorted(shown) == [2, 3]
    assert {given: case for case, given in rows(container, "SELECT id, given_name FROM cases")} == {
        "Bo": shown[2], "Yu": shown[3]}
    pfif_answer = writer.post("/api/pfif", headers=XML, content=children(0, 1)).json()
    [case_id] = [r[0] for r in rows(container, "SELECT id FROM cases WHERE record_id = 'partnerb.org/big0'")]
    assert pfif_answer["registered"] == [{"row": 0, "case": case_id, "record": "partnerb.org/big0"}]


def test_revoking_a_token_withdraws_the_cases_it_imported_that_nobody_verified(
        container: Container, client: TestClient, writer: TestClient) -> None:
    writer.post("/api/pfif", headers=XML, content=children(0, 3))
    checked = int(rows(container, "SELECT id FROM cases WHERE record_id = 'partnerb.org/big0'")[0][0])
    moderation.verify_case(container.deps, OPERATOR, checked, "called the partner")
    b = token_id(container, "partner write")
    [listed] = [t for t in client.get("/api/tokens").json() if t["id"] == b]
    assert listed["pending_imports"] == 2
    # the admin is offered it on /admin when revoking
    admin = page_client(container, Role.ADMIN)
    page = admin.get("/admin").text
    assert "also withdraw the 2 cases it imported that nobody verified yet" in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    refused = admin.post(f"/admin/tokens/{b}/revoke", data={"csrf": csrf.group(1), "withdraw": "1", "reason": ""})
    assert refused.status_code == 422 and rows(container, f"SELECT revoked_at IS NULL FROM api_tokens WHERE id = {b}"
                                               ) == [(True,)]
    done = admin.post(f"/admin/tokens/{b}/revoke", data={"csrf": csrf.group(1), "withdraw": "1",
                                                         "reason": "invented children from a leaked key"},
                      follow_redirects=False)
    assert done.status_code == 303
    assert writer.post("/api/pfif", headers=XML, content=children(5, 1)).status_code == 401
    assert sorted(rows(container, "SELECT record_id, status FROM cases")) == [
        ("partnerb.org/big0", "open"), ("partnerb.org/big1", "rejected"), ("partnerb.org/big2", "rejected")]
    assert rows(container, "SELECT count(*) FROM audit_log WHERE action = 'case.rejected' "
                           "AND detail->>'reason' = 'invented children from a leaked key'") == [(2,)]


def test_an_admin_withdraws_a_tokens_unverified_imports_through_the_api(container: Container, client: TestClient,
                                                                        writer: TestClient) -> None:
    writer.post("/api/cases/import?dry_run=false", files=sheet(["Bo", "Yu", "Fei"]))
    b = token_id(container, "partner write")
    assert client.delete(f"/api/tokens/{b}").status_code == 204  # revoked first, without withdrawing
    assert rows(container, "SELECT count(*) FROM cases WHERE status = 'open'") == [(3,)]
    assert client.post(f"/api/tokens/{b}/withdraw-imports", json={"reason": ""}).status_code == 422
    answer = client.post(f"/api/tokens/{b}/withdraw-imports", json={"reason": "a flood of invented children"})
    assert answer.status_code == 200 and answer.json() == {"withdrawn": 3}
    assert rows(container, "SELECT count(*) FROM cases WHERE status = 'rejected'") == [(3,)]
    assert rows(container, f"SELECT detail->>'cases' FROM audit_log WHERE action = 'token.imports_withdrawn' "
                           f"AND subject_id = {b}") == [("3",)]
    assert client.post("/api/tokens/999999/withdraw-imports", json={"reason": "nothing"}).status_code == 404


def one_case(client: TestClient, n: int) -> int:
    sent = client.post("/api/cases", files=[("photos", (f"kid{n}.jpg", plain_photo(seed=n), "image/jpeg"))], data={
        "given_name": f"Flood{n}", "family_name": "Li", "sex": "female", "birth_date": "2018-05-03",
        "missing_since": "2024-05-01"}, headers={"Accept-Language": "zh-CN"})
    return sent.status_code


def test_cases_a_token_registers_one_by_one_count_and_are_withdrawn_with_its_imports(
        container: Container, client: TestClient, writer: TestClient) -> None:
    assert writer.post("/api/pfif", headers=XML, content=children(0, 5)).json()["created"] == 5
    assert [one_case(writer, n) for n in range(3)] == [201, 201, 201]
    refused = writer.post("/api/cases", files=[("photos", ("k.jpg", plain_photo(seed=9), "image/jpeg"))], data={
        "given_name": "Flood9", "family_name": "Li", "sex": "female", "birth_date": "2018-05-03",
        "missing_since": "2024-05-01"}, headers={"Accept-Language": "zh-CN"})
    assert refused.status_code == 429, refused.text
    assert "每小时最多 8 条" in refused.json()["detail"]
    assert rows(container, "SELECT count(*) FROM cases") == [(8,)]
    b = token_id(container, "partner write")
    [listed] = [t for t in client.get("/api/tokens").json() if t["id"] == b]
    assert listed["pending_imports"] == 8
    answer = client.post(f"/api/tokens/{b}/withdraw-imports", json={"reason": "a flood of invented children"})
    assert answer.status_code == 200 and answer.json() == {"withdrawn": 8}
    assert rows(container, "SELECT count(*) FROM cases WHERE status = 'rejected'") == [(8,)]


def test_the_wait_an_import_refusal_names_is_never_longer_than_its_hour(container: Container,
                                                                          writer: TestClient) -> None:
    assert writer.post("/api/pfif", headers=XML, content=children(0, 5)).json()["created"] == 5
    assert writer.post("/api/pfif", headers=XML, content=children(5, 3)).json()["created"] == 3
    again = writer.post("/api/pfif", headers=XML, content=children(10, 1))
    assert again.status_code == 429 and int(again.headers["Retry-After"]) > 3600  # counted for 60 to 61 minutes
    assert "try again in 60 min" in again.json()["detail"], again.json()
