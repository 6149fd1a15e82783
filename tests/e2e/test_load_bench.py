"""bench/load.py run tiny: `reunite serve --workers 2` and `reunite worker` as separate processes
against a seeded database, locust driving it. It must have measured every endpoint without an
error, so the load figures in docs/benchmarks.md can never silently measure nothing (or 429s)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
BENCH = Path(__file__).parents[2] / "bench" / "load.py"


def test_the_load_bench_measures_every_endpoint_without_errors(database_uri: str, tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    run = subprocess.run(
        [sys.executable, str(BENCH), "--clients", "3", "--duration", "4", "--warmup", "1", "--think", "0.2,0.5",
         "--sightings", "30", "--web-workers", "2", "--database-url", database_uri, "--out", str(out)],
        capture_output=True, text=True, timeout=900, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    [level] = json.loads(out.read_text())["results"]
    assert level["clients"] == 3 and not level["errors"]
    for name in ("browse page", "sightings API", "face crop"):
        measured = level["endpoints"][name]
        assert measured["requests"] > 0 and measured["errors"] == 0, (name, measured)
        assert 0 < measured["p50"] <= measured["p95"] <= measured["p99"], (name, measured)


def test_the_load_bench_fails_when_it_measured_nothing() -> None:
    from bench.load import report

    nothing = {"server": "this", "clients": 10, "face_jobs_done": 0, "load_1min": [0.0, 0.0], "errors": {},
               "web_cpu_ms": 0.0,
               "endpoints": {"browse page": {"requests": 0, "errors": 0, "rps": 0, "p50": 0, "p95": 0, "p99": 0}}}
    refused = {**nothing, "errors": {"429": 12},
               "endpoints": {"browse page": {"requests": 12, "errors": 12, "rps": 1, "p50": 5, "p95": 9, "p99": 9}}}
    assert len(report([nothing])) == 1 and len(report([refused])) == 2
