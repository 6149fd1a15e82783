"""Helpers shared by the benchmarks: a throw-away Reunite instance on the embedded PostgreSQL."""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reunite.bootstrap import Container, bootstrap
from reunite.config import Settings
from reunite.domain.ports import FaceEngine

# the corpus's people photographed over decades (FG-NET: ages 0 to 69) are reported as seen then: a replay
# takes reports of children seen that long before they are sent (``REUNITE_SIGHTING_YEARS``, 25 on a site)
REPLAY_YEARS = 100


def scratch_instance(faces: FaceEngine | None = None, folder: Path | None = None) -> Container:
    """A fresh data folder (or ``folder``, kept and reused), embedded PostgreSQL and migrated schema
    (a fresh one is deleted by the OS's tmp cleaning), taking reports as old as the corpus's photos
    (``REPLAY_YEARS``)."""
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="reunite-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o755)
    settings = Settings(data_dir=folder, database_url=None, _env_file=None,  # type: ignore[call-arg]
                        sighting_years=REPLAY_YEARS)
    return bootstrap(settings, faces=faces)


def peak_memory_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    system = f"{platform.system()} {platform.release()}"
    return f"{cpu}, {os.cpu_count()} cores, {system}, Python {platform.python_version()}"


def emit(result: dict, out: Path | None) -> None:
    """Print a bench's result as JSON (NaN refused) and write it to ``out`` when given."""
    text = json.dumps(result, indent=1, allow_nan=False)
    print(text)
    if out:
        out.write_text(text)
