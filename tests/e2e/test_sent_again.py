"""Probe s12, findings 4 and 10: a case, a sheet of cases or a report sent again without an
Idempotency-Key registers nothing again; a child's name is kept in one spelling however it came in, and the
API reads a sex and a birth date as the spreadsheets do."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from reunite.bootstrap import Container
from reunite.entrypoints.cli import app as cli
from tests.conftest import count_rows, plain_photo

SHEET = ("given_name,family_name,sex,birth_date,missing_since\n"
         "小红,李,女,2019-02-03,2024-05-01\n"
         "Ming,Wang,m,2016年7月8日,2023-01-02\n").encode()


def test_a_sheet_imported_again_registers_nobody_again_and_says_which_case_each_row_is(
    client: TestClient, cli_env: CliRunner, container: Container, tmp_path: Path
) -> None:
    sheet = {"file": ("c.csv", SHEET, "text/csv")}
    first = client.post("/api/cases/import?dry_run=false", files=sheet).json()
    assert first["created"] == 2 and first["already"] == []
    again = client.post("/api/cases/import?dry_run=false", files=sheet, headers={"Accept-Language": "zh-CN"}).json()
    assert again["created"] == 0 and again["unchanged"] == 2
    assert [row["case"] for row in again["already"]] == [row["case"] for row in first_cases(container)]
    assert all(str(row["case"]) in row["reason"] and "已" in row["reason"] for row in again["already"])
    dry = client.post("/api/cases/import?dry_run=true", files=sheet).json()
    assert dry["created"] == 0 and [r["reason"] for r in dry["already"]] == [
        f"already registered: case {r['case']}" for r in again["already"]]
    assert count_rows(container, "cases") == 2

    path = tmp_path / "one.csv"  # the command line (another sender: its own cases), twice
    path.write_bytes(SHEET)
    assert "2 created" in cli_env.invoke(cli, ["import-cases", str(path)]).output
    second = cli_env.invoke(cli, ["import-cases", str(path)])
    assert second.exit_code == 0, second.output
    fourth = first_cases(container)[3]["case"]  # the command line's second row
    assert "0 created" in second.output and f"row 3: already registered: case {fourth}" in second.output
    assert count_rows(container, "cases") == 4


def first_cases(container: Container) -> list[dict[str, int]]:
    with container.engine.connect() as conn:
        return [{"case": i} for i in conn.exec_driver_sql("SELECT id FROM cases ORDER BY created_at, id").scalars()]


def test_a_row_twice_in_one_sheet_is_registered_once(client: TestClient, container: Container) -> None:
    twice = SHEET + b"ming, WANG ,male,2016-07-08,2023-01-02T18:00:00+08:00\n"
    for dry_run in ("true", "false"):
        report = client.post(f"/api/cases/import?dry_run={dry_run}", files={"file": ("c.csv", twice)}).json()
        assert report["created"] == 2 and [r["reason"] for r in report["already"]] == [
            "the same child as row 3: registered once"]
    assert count_rows(container, "cases") == 2


def test_a_case_sent_again_without_a_key_answers_the_first_case(client: TestClient, container: Container) -> None:
    form = {"given_name": "Lin", "family_name": "Chen", "sex": "female", "birth_date": "2015-01-01",
            "missing_since": "2020-06-01T08:00:00+08:00"}
    files = [("photos", ("a.jpg", plain_photo(), "image/jpeg"))]
    first = client.post("/api/cases", files=files, data=form)
    again = client.post("/api/cases", files=files, data=form | {"given_name": "LIN"},
                        headers={"Accept-Language": "zh-CN"})
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again.json()["already_registered"] is True
    assert str(first.json()["id"]) in again.json()["message"] and "已" in again.json()["message"]
    assert count_rows(container, "cases") == 1 and count_rows(container, "photos") == 1
    other_day = client.post("/api/cases", files=files, data=form | {"missing_since": "2020-07-01T08:00:00+08:00"})
    assert other_day.status_code == 201 and count_rows(container, "cases") == 2


def test_a_report_sent_again_without_a_key_is_one_report(client: TestClient, container: Container) -> None:
    report = {"seen_at": "2026-01-02T15:00:00+08:00", "place_text": "Wuhan", "description": "red coat"}
    files = [("photos", ("a.jpg", plain_photo(seed=3), "image/jpeg"))]
    answers = [client.post("/api/sightings", files=files, data=report) for _ in range(2)]
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].json()["id"] == answers[1].json()["id"] and count_rows(container, "sightings") == 1
    other_photo = [("photos", ("a.jpg", plain_photo(seed=4), "image/jpeg"))]
    assert client.post("/api/sightings", files=other_photo, data=report).json()["id"] != answers[0].json()["id"]
    later = {**report, "seen_at": "2026-01-02T15:30:00+08:00"}
    assert client.post("/api/sightings", files=files, data=later).json()["id"] != answers[0].json()["id"]
    with container.engine.begin() as conn:  # the window passes: the same report is a new one (another witness)
        conn.exec_driver_sql("UPDATE idempotency_keys SET created_at = created_at - interval '11 minutes'")
    assert client.post("/api/sightings", files=files, data=report).json()["id"] != answers[0].json()["id"]
    assert count_rows(container, "sightings") == 4


def test_names_are_kept_in_one_spelling_and_the_api_reads_what_the_sheet_reads(
    client: TestClient, container: Container
) -> None:
    files = [("photos", ("a.jpg", plain_photo(), "image/jpeg"))]
    form = {"family_name": "Li", "missing_since": "2020-06-01T08:00:00+08:00"}
    sent = client.post("/api/cases", files=files, data=form | {
        "given_name": "\u202eilil", "sex": "女", "birth_date": "2018年5月1日"})
    assert sent.status_code == 201, sent.text
    case = client.get(f"/api/cases/{sent.json()['id']}").json()
    assert case["given_name"] == "ilil" and case["sex"] == "female" and case["birth_date"] == "2018-05-01"
    for given, sex, kept in (("丽\u200b丽", "F", "丽丽"), ("Ａｎｎａ", "m", "Anna")):
        made = client.post("/api/cases", files=files, data=form | {"given_name": given, "sex": sex,
                                                                   "birth_date": "2018/05/02"})
        assert client.get(f"/api/cases/{made.json()['id']}").json()["given_name"] == kept
    refused = client.post("/api/cases", files=files, data=form | {"given_name": "Lu", "sex": "x", "birth_date": "May"},
                          headers={"Accept-Language": "zh-CN"})
    assert refused.status_code == 422
    said = {tuple(e["loc"]): e["detail"] for e in refused.json()["problems"]}
    assert set(said) == {("body", "sex"), ("body", "birth_date")} and all("必须" in m for m in said.values())
    blank = client.post("/api/cases", files=files, data=form | {"given_name": "\u200b\u202e", "sex": "女",
                                                                "birth_date": "2018-05-01"})
    assert blank.status_code == 422 and blank.json()["field"] == "given_name"

    sheet = "given_name,family_name,sex,birth_date,missing_since\nＡｎｎａ,Ｌｉ\u200d,f,2018-05-03,2024-05-01\n"
    client.post("/api/cases/import?dry_run=false", files={"file": ("c.csv", sheet.encode())})
    with container.engine.connect() as conn:
        names = conn.exec_driver_sql(
            "SELECT given_name || ' ' || family_name FROM cases ORDER BY created_at, id").scalars().all()
    assert names[-1] == "Anna Li"
    seen = client.post("/api/sightings", files=[("photos", ("s.jpg", plain_photo(seed=8), "image/jpeg"))],
                       data={"place_text": "人民\u200b公园\u202e东门", "apparent_sex": "female"})
    assert client.get(f"/api/sightings/{seen.json()['id']}").json()["place_text"] == "人民公园东门"
