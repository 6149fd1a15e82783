"""Probe s34 H6–H8: the operator's command line run again, given bad values, and restoring a backup.

H6: ``import-sightings`` run again (after Ctrl-C, or twice) reports no photo twice, and ``rematch`` run twice
queues no job twice. H7: every command given a bad value answers in one line (exit 1) or with its usage (exit
2, a mistyped command line), never a traceback or a raw OS error; a backup cut short leaves nothing behind;
a port out of range is refused. H8: a restore deletes the photos stored since the backup (no restored record
refers to them) and never hands out an id again."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
import typer.main
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from reunite.adapters.photos.local import LocalPhotoStore
from reunite.bootstrap import Container
from reunite.domain.audit import SUBJECTS
from reunite.entrypoints.cli import app as cli
from tests.conftest import count_rows, newest_sighting, plain_photo, run_jobs
from tests.e2e.test_cli_errors_and_jobs import one_line_error
from tests.photos import face_jpeg

SOURCE = Path(__file__).resolve().parents[2] / "src" / "reunite"


def photos_folder(tmp_path: Path, *seeds: int) -> Path:
    folder = tmp_path / "batch"
    folder.mkdir(exist_ok=True)
    for seed in seeds:
        (folder / f"p{seed}.jpg").write_bytes(plain_photo(seed=seed))
    return folder


def test_import_sightings_run_again_reports_no_photo_twice(
    cli_env: CliRunner, container: Container, tmp_path: Path
) -> None:
    folder = photos_folder(tmp_path, 1, 2)
    where = ["--place-text", "Hangzhou", "--seen-at", "2026-12-03T09:00+08:00"]
    first = cli_env.invoke(cli, ["import-sightings", str(folder), "--moderate", *where])
    assert first.exit_code == 0 and "2 sightings accepted, 0 refused" in first.output, first.output
    again = cli_env.invoke(cli, ["import-sightings", str(folder), "--moderate", *where])  # run again after Ctrl-C
    assert again.exit_code == 0, again.output
    assert "0 sightings accepted, 2 already imported (not reported again), 0 refused" in again.output
    assert count_rows(container, "sightings") == 2

    # the same instant written at another offset, the same place in other case and spacing (probe s35 J9)
    same = cli_env.invoke(cli, ["import-sightings", str(folder), "--moderate", "--place-text", " hangzhou ",
                                "--seen-at", "2026-12-03T01:00Z"])
    assert "0 sightings accepted, 2 already imported" in same.output and count_rows(container, "sightings") == 2

    photos_folder(tmp_path, 3)  # the rest of the folder, imported after the interruption
    rest = cli_env.invoke(cli, ["import-sightings", str(folder), "--moderate", *where])
    assert "1 sightings accepted, 2 already imported" in rest.output and count_rows(container, "sightings") == 3
    # the same photos seen at another time are other reports
    later = cli_env.invoke(cli, ["import-sightings", str(folder), "--moderate", "--place-text", "Hangzhou",
                                 "--seen-at", "2026-12-04T09:00+08:00"])
    assert "3 sightings accepted, 0 refused" in later.output and count_rows(container, "sightings") == 6


def waiting(container: Container, task: str) -> int:
    with container.engine.connect() as conn:
        return int(conn.exec_driver_sql(
            "SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo' AND task_name = %(t)s", {"t": task},
        ).scalar_one())


def test_rematch_run_twice_queues_each_job_once(cli_env: CliRunner, container: Container, tmp_path: Path) -> None:
    assert cli_env.invoke(cli, ["import-sightings", str(photos_folder(tmp_path, 1, 2))]).exit_code == 0
    run_jobs(container)
    first = cli_env.invoke(cli, ["rematch"])
    assert first.exit_code == 0 and "2 matching jobs queued;" in first.output, first.output
    again = cli_env.invoke(cli, ["rematch"])
    assert again.exit_code == 0 and "0 matching jobs queued (2 already waiting, not queued again)" in again.output
    assert waiting(container, "faces.process_sighting") == 2
    reembed = cli_env.invoke(cli, ["rematch", "--reembed"])  # another job: embedding again is not what waits
    assert "2 matching jobs queued;" in reembed.output and waiting(container, "faces.process_sighting") == 4
    run_jobs(container)
    assert "2 matching jobs queued;" in cli_env.invoke(cli, ["rematch"]).output  # nothing waits: queued again


def test_backup_into_an_existing_folder_or_cut_short_leaves_the_next_one_free(
    cli_env: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backups = tmp_path / "backups"
    taken = backups / "bk"
    taken.mkdir(parents=True)
    refused = cli_env.invoke(cli, ["backup", str(taken)])
    assert refused.exit_code == 1
    assert one_line_error(refused.output) == (f"error: {taken} exists already: name a new folder (a backup never "
                                              "writes into another folder), or move that one away")
    chinese = cli_env.invoke(cli, ["--lang", "zh-CN", "backup", str(taken)])
    assert chinese.exit_code == 1 and "已存在" in one_line_error(chinese.output)

    def interrupted(self: LocalPhotoStore, key: str) -> bytes:
        raise KeyboardInterrupt  # Ctrl-C while the photos are copied

    monkeypatch.setattr(LocalPhotoStore, "list_keys", lambda self: ["one.jpg"])
    monkeypatch.setattr(LocalPhotoStore, "get", interrupted)
    target = backups / "nightly"
    cut = cli_env.invoke(cli, ["backup", str(target)])
    assert cut.exit_code != 0 and "Traceback" not in cut.output
    assert sorted(p.name for p in backups.iterdir()) == ["bk"]  # neither the folder nor a half-written one
    monkeypatch.undo()
    again = cli_env.invoke(cli, ["backup", str(target)])
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in target.iterdir()) == ["database.dump", "manifest.json", "secret_key"]
    assert sorted(p.name for p in backups.iterdir()) == ["bk", "nightly"]


def test_restore_of_a_folder_that_is_no_backup_is_refused_in_one_line_before_asking(
    cli_env: CliRunner, tmp_path: Path
) -> None:
    missing = cli_env.invoke(cli, ["restore", str(tmp_path / "nowhere"), "--yes"])
    assert missing.exit_code == 1
    assert one_line_error(missing.output) == f"error: {tmp_path / 'nowhere'} does not exist: name a folder " \
                                             "`reunite backup` wrote"
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "database.dump").write_bytes(b"PGDMP")  # a backup cut short, as an older version left it
    asked = cli_env.invoke(cli, ["restore", str(partial)])  # refused before the question: nothing to confirm
    assert asked.exit_code == 1 and "is not a Reunite backup (no manifest.json)" in one_line_error(asked.output)
    chinese = cli_env.invoke(cli, ["--lang", "zh-CN", "restore", str(partial), "--yes"])
    assert chinese.exit_code == 1 and "不是 Reunite 备份" in one_line_error(chinese.output)


def report(client: TestClient, mirror: bool) -> int:
    sent = client.post("/api/sightings", files=[("photos", ("s.jpg", face_jpeg(mirror=mirror), "image/jpeg"))],
                       data={"seen_at": "2025-03-01T10:00:00Z"})
    assert sent.status_code == 202, sent.text
    return int(sent.json()["id"])


def test_restore_deletes_photos_stored_since_the_backup_and_never_hands_an_id_out_again(
    cli_env: CliRunner, client: TestClient, container: Container, tmp_path: Path
) -> None:
    report(client, mirror=False)
    run_jobs(container)
    kept = set(container.deps.photos.list_keys())
    assert cli_env.invoke(cli, ["backup", str(tmp_path / "bk")]).exit_code == 0

    lost = report(client, mirror=True)  # after the backup: a webhook or a partner may have learnt its id
    run_jobs(container)
    with container.engine.connect() as conn:
        lost_photos = {int(i) for i in conn.exec_driver_sql(
            "SELECT id FROM photos WHERE sighting_id = %(s)s", {"s": lost}).scalars()}
    written = set(container.deps.photos.list_keys()) - kept
    assert any(key.startswith("faces/") for key in written) and lost_photos  # its photo and its face crop

    container.engine.dispose()  # no connection of this test's open while the database is replaced
    done = cli_env.invoke(cli, ["restore", str(tmp_path / "bk"), "--yes"])
    assert done.exit_code == 0, done.output
    assert f"{len(written)} photos stored since the backup, which no restored record refers to, deleted" \
        in done.output
    assert set(container.deps.photos.list_keys()) == kept  # the store matches the restored database
    assert client.get(f"/api/sightings/{lost}").status_code == 404

    container.engine.dispose()
    new = report(client, mirror=True)
    assert new != lost and newest_sighting(container) == new
    with container.engine.connect() as conn:
        new_photos = {int(i) for i in conn.exec_driver_sql(
            "SELECT id FROM photos WHERE sighting_id = %(s)s", {"s": new}).scalars()}
    assert new_photos and not new_photos & lost_photos


BAD = [  # one bad value for each command that takes one; exit 1: one line; exit 2: the usage (mistyped)
    (["serve", "--port", "99999"], 2), (["serve", "--port", "0"], 2), (["serve", "--workers", "0"], 2),
    (["worker", "--concurrency", "0"], 2), (["worker", "--heartbeat", "-1"], 2),
    (["backup", "{tmp}"], 1), (["restore", "{tmp}/nowhere", "--yes"], 1), (["jobs", "--wait", "--stall", "-1"], 2),
    (["verify-case", "1", "--by", "me", "--evidence", "seen", "--case-version", "garbage"], 1),
    (["verify-case", "0", "--by", "me", "--evidence", "seen"], 2),
    (["rematch", "--stall", "0"], 2),
    (["create-account", "--email", "not-an-email", "--password", "Passw0rd!probe34"], 1),
    (["disable-account", "--email", "nobody@example.org"], 1),
    (["enable-account", "--email", "nobody@example.org"], 1),
    (["set-role", "--email", "nobody@example.org", "--role", "police"], 1),
    (["issue-token", "--name", "P", "--scope", "everything"], 2),
    (["import-sightings", "{tmp}", "--lat", "95", "--lon", "0"], 1),
    (["import-sightings", "{tmp}/nowhere"], 2),
    (["import-cases", "{tmp}/sheet.csv"], 1),
    (["import-pfif", "{tmp}/sheet.csv"], 2),
    (["export-pfif", "{tmp}"], 2),
    (["mail-intake", "--port", "70000"], 2),
    (["audit", "--subject", "nonsense"], 2), (["audit", "--since", "yesterday"], 2),
    (["regroup", "--stall", "0"], 2),
    (["doubles", "resolve", "99", "--decision", "link", "--by", "me"], 1),
    (["doubles", "alike", "99"], 1), (["doubles", "flag", "99", "98", "--by", "me"], 1),
]
NO_VALUES = {"expire", "accounts", "db upgrade", "doubles list"}  # they take nothing one could get wrong


def commands(group: Any, prefix: str = "") -> set[str]:
    found: set[str] = set()
    for name, command in group.commands.items():  # a group's commands, by their whole name: "doubles list"
        found |= commands(command, f"{prefix}{name} ") if hasattr(command, "commands") else {prefix + name}
    return found


def test_every_command_given_a_bad_value_answers_without_a_traceback(
    cli_env: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "sheet.csv").write_bytes(b"\x00\x01not a sheet\xff")
    (tmp_path / "a.jpg").write_bytes(plain_photo(seed=9))
    every = commands(typer.main.get_command(cli))
    tried = {" ".join(args[:2]) if " ".join(args[:2]) in every else args[0] for args, _ in BAD}
    assert every - NO_VALUES <= tried  # a new command joins the sweep
    for args, code in BAD:
        result = cli_env.invoke(cli, [a.replace("{tmp}", str(tmp_path)) for a in args])
        assert result.exit_code == code and "Traceback" not in result.output, (args, result.output)
        assert "[Errno" not in result.output, (args, result.output)
        if code == 1 or "Usage:" not in result.output:  # import-pfif: a file that is no PFIF, exit 2, one line
            one_line_error(result.output)


def test_a_port_setting_out_of_range_is_refused_in_one_line(
    cli_env: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve = cli_env.invoke(cli, ["serve", "--port", "99999", "--workers", "1"])
    assert serve.exit_code == 2 and "Reunite is serving" not in serve.output and "65535" in serve.output
    monkeypatch.setenv("REUNITE_PORT", "99999")
    refused = cli_env.invoke(cli, ["expire"])
    assert refused.exit_code == 1 and "REUNITE_PORT: " in one_line_error(refused.output)


def test_verify_case_with_a_version_it_never_had_says_so(
    cli_env: CliRunner, client: TestClient, container: Container
) -> None:
    form = {"given_name": "Lin", "sex": "female", "birth_date": "2015-01-01", "missing_since": "2024-06-01"}
    case_id = client.post("/api/cases", files=[("photos", ("k.jpg", face_jpeg(), "image/jpeg"))],
                          data=form).json()["id"]
    run_jobs(container)
    garbage = cli_env.invoke(cli, ["verify-case", str(case_id), "--by", "op", "--evidence", "police report 55",
                                   "--case-version", "garbage"])
    assert garbage.exit_code == 1
    assert one_line_error(garbage.output) == (f"error: this is not a version of case {case_id}: copy the version "
                                              f"its page or GET /api/cases/{case_id} gives "
                                              "(such as waiting.3f9a0c1d2b4e6f70)")
    api = client.post(f"/api/cases/{case_id}/verify", json={"evidence": "police report 55", "version": "garbage"})
    assert api.status_code == 422
    version = client.get(f"/api/cases/{case_id}").json()["version"]
    done = cli_env.invoke(cli, ["verify-case", str(case_id), "--by", "op", "--evidence", "police report 55",
                                "--case-version", version])
    assert done.exit_code == 0, done.output


def test_audit_refuses_a_kind_of_record_the_log_never_names_as_the_page_and_api_do(
    cli_env: CliRunner, client: TestClient
) -> None:
    cli_says = cli_env.invoke(cli, ["audit", "--subject", "nonsense"])
    assert cli_says.exit_code == 2 and "the subject must be a kind of record" in cli_says.output
    assert client.get("/api/audit", params={"subject": "nonsense"}).status_code == 422
    assert client.get("/audit", params={"subject": "nonsense"}).status_code == 422
    assert cli_env.invoke(cli, ["audit", "--subject", "sighting"]).exit_code == 0


def test_every_kind_of_record_the_code_audits_can_be_asked_for() -> None:
    named: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
                called = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
                at = {"audit": 2, "audit_read": 3}.get(called)
                if at is not None and len(node.args) > at and isinstance(node.args[at], ast.Constant):
                    named.add(str(node.args[at].value))
    assert {"sighting", "case", "account"} <= named and named <= SUBJECTS
