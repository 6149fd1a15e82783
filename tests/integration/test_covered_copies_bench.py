"""bench/covered_copies.py measures what it says: on a few corpus photos, every covered copy (a sticker over the
mouth, a bar over the eyes) is made and read, its face found, and each measure reports a figure for every copy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.corpus]
BENCH = Path(__file__).resolve().parents[2] / "bench" / "covered_copies.py"


def test_the_covered_copies_bench_reads_every_copy_it_makes(fgnet: Path) -> None:
    run = subprocess.run([sys.executable, str(BENCH), str(fgnet), "--faces", "3", "--photos", "12"], check=False,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout[run.stdout.index("{"):])
    assert report["photos"] == 12 and report["one face"] >= 3
    measures = [value for value in report.values() if isinstance(value, dict)]
    assert measures  # at least one measure was run
    for measured in measures:
        for kind in ("mouth sticker", "eye bar"):
            assert measured[kind]["copies"] == 3
            assert measured[kind]["cosine median"] > 0.5  # the copy's face was found and read, not a placeholder
