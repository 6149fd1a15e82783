"""The command line as an operator meets it: one-line errors, imports with time, place and contact,
following background jobs, and warnings where a setting is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from reunite.bootstrap import Container
from reunite.entrypoints.cli import app as cli
from tests.conftest import plain_photo, run_jobs
from tests.e2e.world import two_faces


def one_line_error(output: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in output, output
    return lines[0]


def test_bad_input_and_bad_settings_give_one_clear_line(cli_env: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = cli_env.invoke(cli, ["verify-case", "999", "--by", "me", "--evidence", "seen"])
    assert missing.exit_code == 1 and one_line_error(missing.output) == "error: case 999 does not exist"
    monkeypatch.setenv("REUNITE_TIMEZONE", "Mars/Olympus")
    zone = cli_env.invoke(cli, ["expire"])
    assert zone.exit_code == 1 and "REUNITE_TIMEZONE: " in one_line_error(zone.output)
    monkeypatch.delenv("REUNITE_TIMEZONE")
    monkeypatch.setenv("REUNITE_DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none")
    down = cli_env.invoke(cli, ["expire"])
    assert down.exit_code == 1 and "cannot reach the database" in one_line_error(down.output)


def test_import_sightings_sets_time_place_and_contact_and_says_it_skips_moderation(
    cli_env: CliRunner, container: Container, tmp_path: Path
) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a.jpg").write_bytes(plain_photo(seed=1))
    result = cli_env.invoke(cli, ["import-sightings", str(folder), "--seen-at", "2026-05-04T09:15",
                                  "--lat", "30.6", "--lon", "114.3", "--contact", "+86 27 1234"])
    assert result.exit_code == 0, result.output
    assert "imports skip moderation" in result.output and "reunite jobs --wait" in result.output
    # what it says is true of a photo with several faces too: it waits for a moderator
    assert "photo shows several faces waits for a moderator to choose the child's face" in result.output
    with container.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT seen_at, seen_at_offset, lat, lon, reporter_contact, status "
                                   "FROM sightings").one()
    assert row.seen_at.isoformat() == "2026-05-04T01:15:00+00:00" and row.seen_at_offset == 480  # REUNITE_TIMEZONE
    assert (row.lat, row.lon, row.reporter_contact, row.status) == (30.6, 114.3, "+86 27 1234", "approved")

    (folder / "a.jpg").write_bytes(plain_photo(seed=2))
    queued = cli_env.invoke(cli, ["import-sightings", str(folder), "--moderate"])
    assert queued.exit_code == 0 and "waiting in the moderation queue" in queued.output
    half = cli_env.invoke(cli, ["import-sightings", str(folder), "--lat", "30.6"])
    assert half.exit_code == 2 and "--lon" in half.output

    (folder / "a.jpg").write_bytes(two_faces())
    crowded = cli_env.invoke(cli, ["import-sightings", str(folder), "--seen-at", "2026-05-04T09:15"])
    assert crowded.exit_code == 0 and "several faces waits for a moderator" in crowded.output
    run_jobs(container)
    with container.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT status FROM sightings ORDER BY created_at DESC LIMIT 1").scalar_one() \
            == "pending"


def test_import_sightings_takes_seen_at_with_an_hours_only_offset_and_keeps_it(
    cli_env: CliRunner, container: Container, tmp_path: Path
) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    for seed, seen_at in ((3, "2026-05-04T09:15+09"), (4, "2026-05-04T09:15+0900")):  # hours alone, or no colon
        (folder / "a.jpg").write_bytes(plain_photo(seed=seed))  # another photo: the same one is not imported twice
        result = cli_env.invoke(cli, ["import-sightings", str(folder), "--seen-at", seen_at, "--moderate"])
        assert result.exit_code == 0, result.output
    with container.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT seen_at, seen_at_offset FROM sightings ORDER BY created_at").fetchall()
    assert [(row.seen_at.isoformat(), row.seen_at_offset) for row in rows] == [("2026-05-04T00:15:00+00:00", 540)] * 2
    wrong = cli_env.invoke(cli, ["import-sightings", str(folder), "--seen-at", "May 4th"])
    assert wrong.exit_code == 2 and "not an ISO 8601 date and time" in wrong.output


def test_jobs_are_followed_until_done_and_a_missing_worker_is_named(
    cli_env: CliRunner, container: Container, tmp_path: Path
) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a.jpg").write_bytes(plain_photo(seed=3))
    stalled = cli_env.invoke(cli, ["import-sightings", str(folder), "--wait", "--stall", "1"])
    assert stalled.exit_code == 1 and "no worker is running" in stalled.output  # nobody processes the queue here
    assert "1 jobs waiting" in cli_env.invoke(cli, ["jobs"]).output
    with container.engine.begin() as conn:  # a worker's heartbeat, as procrastinate records it, but a stuck one
        conn.exec_driver_sql("INSERT INTO procrastinate_workers DEFAULT VALUES")
    stuck = cli_env.invoke(cli, ["jobs", "--wait", "--stall", "1"])
    assert stuck.exit_code == 1 and "none moved for 1 s, although a worker is running" in stuck.output
    with container.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM procrastinate_workers")
    run_jobs(container)
    done = cli_env.invoke(cli, ["jobs", "--wait"])
    assert done.exit_code == 0 and "0 jobs waiting" in done.output and "(0 failed)" in done.output


def test_export_pfif_warns_when_the_public_address_is_unset(cli_env: CliRunner, tmp_path: Path) -> None:
    result = cli_env.invoke(cli, ["export-pfif", str(tmp_path / "out.xml")])
    assert result.exit_code == 0 and "REUNITE_PUBLIC_URL is not set" in result.output


def test_import_sightings_says_each_refusal_and_its_summary_in_the_operators_language(
    cli_env: CliRunner, container: Container, tmp_path: Path
) -> None:
    """Probe s45 P7: under ``--lang zh-CN`` a photo refused and the summary read in Chinese, as the form says them."""
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "081a10.jpg").write_bytes(plain_photo(seed=3))
    (folder / "broken.jpg").write_bytes(b"not a photo at all")
    result = cli_env.invoke(cli, ["--lang", "zh-CN", "import-sightings", str(folder), "--seen-at", "2099-12-05T10:00",
                                  "--place-text", "臺北市"])
    assert result.exit_code == 1
    assert "已接收 0 份目击报告，拒收 2 份" in result.output and "已直接通过" in result.output
    assert "是将来的时间" in result.output and "这个文件不是照片" in result.output
    assert "in the future" not in result.output and "sightings accepted" not in result.output
    half = cli_env.invoke(cli, ["--lang", "zh-CN", "import-sightings", str(folder), "--lat", "30.6"])
    assert half.exit_code == 2 and "请同时给出 --lat 和 --lon" in half.output
    (folder / "broken.jpg").unlink()
    taken = cli_env.invoke(cli, ["--lang", "zh-CN", "import-sightings", str(folder), "--seen-at", "2026-05-04T09:15"])
    assert taken.exit_code == 0 and "已接收 1 份目击报告，拒收 0 份" in taken.output
    assert "面孔识别和比对在后台进行" in taken.output and "run in the background" not in taken.output
    assert "个任务等待中" in cli_env.invoke(cli, ["--lang", "zh-CN", "jobs"]).output
    assert "条记录，时间按 Asia/Shanghai" in cli_env.invoke(cli, ["--lang", "zh-CN", "audit"]).output
    nothing = cli_env.invoke(cli, ["--lang", "zh-CN", "export-pfif", str(tmp_path / "out.xml")])
    assert "没有可导出的内容" in nothing.output
