"""Every service and entry point imports on its own, first, in a fresh interpreter: an import cycle that works only
in the order the test suite happens to import modules (``reunite serve`` and ``reunite worker`` failed to start
while every test importing the app in-process passed) fails here, naming the module."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import reunite.entrypoints
import reunite.services

ROOTS = ("reunite.__main__", "reunite.bootstrap")


def _modules() -> list[str]:
    found = list(ROOTS)
    for package in (reunite.services, reunite.entrypoints):
        found += [m.name for m in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")]
    return found


def _imported_alone(module: str) -> tuple[str, str]:
    run = subprocess.run([sys.executable, "-c", f"import {module}"], check=False, capture_output=True, text=True,
                         timeout=300)
    return module, "" if run.returncode == 0 else run.stderr.strip().splitlines()[-1]


def test_every_service_and_entry_point_imports_first_on_its_own() -> None:
    modules = [m for m in _modules() if m != "reunite.__main__"] + ["reunite.entrypoints.cli"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        failed = {module: why for module, why in pool.map(_imported_alone, sorted(set(modules))) if why}
    assert len(modules) > 50  # the walk found the package's modules
    assert failed == {}
