"""Ingest side by side with the peer: the `face_recognition` CLI and Reunite on the same photos and cores.

    python bench/ingest.py CORPUS [--rounds 2] [--cpus 2] [--subjects N] [--out FILE]

The corpus protocol's photos (shared/corpus/README.md): each subject's youngest photo is a case, every
later photo a sighting. The peer is what a volunteer would script: ``face_recognition --cpus 2 cases/
sightings/`` (HOG upsampled once, 5 landmarks, one embedding per face, every sighting compared with
every case photo). Reunite does its whole job: the cases and then the sightings are uploaded through
the API (``TestClient``, in this process) while ``reunite worker --processes CPUS`` detects, embeds,
stores and matches until its queue is empty. The clock runs from the first upload (or the peer's
start) to the last job done; CPU counts every process involved: this one, the worker processes and,
for Reunite, the PostgreSQL server; not the bench's own watching (the peer's is in no process
counted; for Reunite this thread's CPU in the queue and memory checks is taken out, while the
database's part of the queue check still counts against Reunite). Runs alternate (peer, Reunite,
Reunite, peer, ...) so load from other work falls on both; the ratios are per round and their median.

Leads, for a sense of accuracy on the side (bench/accuracy.py is the measure): the peer "names" a case
when its distance is within tolerance 0.6; Reunite proposes candidates at its operating point.

The peer is installed apart, since it is a script and not a dependency:
``pip install --no-deps face_recognition`` (`make bench` does it); without it only Reunite runs."""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import REPLAY_YEARS, machine, scratch_instance
from bench.corpus import Photo, load, split
from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Scope
from reunite.domain.model import DetectedFace
from reunite.services.accounts import issue_token

PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h
BIRTH = date(1950, 1, 1)  # every subject's; FG-NET ages then give the times (the latest sighting: 2019)


class NoFaces:
    """The web process never detects faces (the worker processes do): no models loaded here."""

    model = version = "none"

    def detect(self, data: bytes, thorough: bool = False) -> list[DetectedFace]:
        raise AssertionError("faces are found by the worker processes")

    def preload(self) -> None:
        pass


@dataclass
class Run:
    wall: float
    cpu: float
    memory_mb: float

    def row(self, photos: int) -> dict[str, float]:
        return {"seconds": round(self.wall, 1), "photos_per_second": round(photos / self.wall, 3),
                "cpu_seconds": round(self.cpu, 1), "cpu_per_photo": round(self.cpu / photos, 3),
                "face_processes_pss_mb": round(self.memory_mb)}


class Memory:
    """The largest proportional set size (shared pages split between sharers) of a process and its
    descendants, sampled every few seconds (reading it costs CPU that would count)."""

    def __init__(self, pid: int, every: float = 5.0) -> None:
        self.root, self.every, self.last, self.peak = psutil.Process(pid), every, 0.0, 0.0

    def sample(self) -> None:
        if time.monotonic() - self.last < self.every:
            return
        self.last = time.monotonic()
        with contextlib.suppress(psutil.Error):
            tree = [self.root, *self.root.children(recursive=True)]
            self.peak = max(self.peak, sum(p.memory_full_info().pss for p in tree) / 2**20)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def tree_cpu(pid: int) -> float:
    """CPU of a process that is not ours (the PostgreSQL server): itself, its ended and its live children."""
    root = psutil.Process(pid)
    times = root.cpu_times()
    live = sum(sum(c.cpu_times()[:2]) for c in root.children(recursive=True) if c.is_running())
    return times.user + times.system + times.children_user + times.children_system + live


def peer_command() -> str | None:
    beside = Path(sys.executable).with_name("face_recognition")
    return str(beside) if beside.exists() else shutil.which("face_recognition")


def folders(cases: dict[str, Photo], sightings: list[Photo]) -> Path:
    """The peer's two folders, of links to the corpus (a case photo is named after its subject)."""
    root = Path(tempfile.mkdtemp(prefix="reunite-peer-"))
    (root / "cases").mkdir()
    (root / "sightings").mkdir()
    for subject, photo in cases.items():
        (root / "cases" / f"{subject}{photo.path.suffix}").symlink_to(photo.path)
    for photo in sightings:
        (root / "sightings" / photo.path.name).symlink_to(photo.path)
    return root


@contextmanager
def subreaper() -> Iterator[None]:
    """Descendants orphaned meanwhile (the peer's forkserver and pool processes) become this process's
    children, so waiting for them adds their CPU to ours: else it would be lost with their parent."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    try:
        yield
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if not pid:
                time.sleep(0.05)
    finally:
        libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)


def run_peer(command: str, root: Path, cpus: int, cases: dict[str, Photo], sightings: list[Photo]) -> dict[str, Any]:
    before, start = children_cpu(), time.perf_counter()
    with subreaper(), tempfile.TemporaryFile("w+") as stdout:
        proc = subprocess.Popen([command, "--cpus", str(cpus), str(root / "cases"), str(root / "sightings")],
                                stdout=stdout, stderr=subprocess.DEVNULL, text=True)
        memory = Memory(proc.pid)
        while proc.poll() is None:
            memory.sample()
            time.sleep(0.25)
        wall = time.perf_counter() - start
        if proc.returncode:
            raise RuntimeError(f"the peer failed ({proc.returncode})")
        stdout.seek(0)
        out = stdout.read()
    run = Run(wall, children_cpu() - before, memory.peak)
    subject_of = {p.path.name: p.subject for p in sightings}
    names: dict[str, set[str]] = {name: set() for name in subject_of}
    for line in out.splitlines():
        path, _, name = line.rpartition(",")
        if Path(path).name in names:
            names[Path(path).name].add(name)
    no_face = sum(1 for found in names.values() if found == {"no_persons_found"})
    right = sum(1 for name, found in names.items() if subject_of[name] in found)
    leads = sum(len(found - {"no_persons_found", "unknown_person"}) for found in names.values())
    return {"side": "peer", **run.row(len(cases) + len(sightings)), "sightings_without_face": no_face,
            "true_case_named": right, "leads": leads}


def years(age: int | None) -> timedelta:
    return timedelta(days=round(365.25 * (age or 0)))


def upload_cases(client: Any, cases: dict[str, Photo]) -> dict[int, str]:
    subject_of = {}
    for subject, photo in cases.items():
        taken = BIRTH + years(photo.age)
        missing = datetime.combine(min(taken, BIRTH + years(17)) + timedelta(days=1), datetime.min.time(), UTC)
        response = client.post("/api/cases", files={"photos": (photo.path.name, photo.path.read_bytes(),
                                                               "image/jpeg")},
                               data={"given_name": subject, "sex": "unknown", "birth_date": BIRTH.isoformat(),
                                     "missing_since": missing.isoformat(), "photo_dates": [taken.isoformat()]})
        response.raise_for_status()
        subject_of[int(response.json()["id"])] = photo.subject
    return subject_of


def upload_sightings(client: Any, sightings: list[Photo]) -> dict[int, str]:
    subject_of = {}
    for photo in sightings:
        seen = datetime.combine(BIRTH + years(photo.age) + timedelta(days=30), datetime.min.time(), UTC)
        response = client.post("/api/sightings", data={"seen_at": seen.isoformat()},
                               files={"photos": (photo.path.name, photo.path.read_bytes(), "image/jpeg")})
        response.raise_for_status()
        subject_of[int(response.json()["id"])] = photo.subject
    return subject_of


def queue_empty(container: Container) -> bool:
    with container.engine.connect() as conn:
        return not conn.exec_driver_sql(
            "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
            " AND (scheduled_at IS NULL OR scheduled_at <= now())").scalar_one()


@contextmanager
def worker(container: Container, processes: int) -> Iterator[subprocess.Popen[bytes]]:
    env = os.environ | {"REUNITE_DATA_DIR": str(container.settings.data_dir),
                        "REUNITE_DATABASE_URL": container.database_uri, "REUNITE_IN_PROCESS_WORKER": "false"}
    with tempfile.TemporaryFile() as log:  # a file, not a pipe: a full pipe would stop the worker mid-log
        proc = subprocess.Popen([sys.executable, "-m", "reunite", "worker", "--processes", str(processes)],
                                env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            yield proc
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
            if proc.returncode not in (0, -signal.SIGTERM):
                log.seek(0)
                raise RuntimeError(f"the worker failed ({proc.returncode}): {log.read().decode()[-2000:]}")


def run_reunite(container: Container, cases: dict[str, Photo], sightings: list[Photo], processes: int,
                postmaster: int | None) -> dict[str, Any]:
    """Reunite's side on a fresh database; ``postmaster``: the PostgreSQL server's process, whose CPU counts."""
    from fastapi.testclient import TestClient

    from reunite.entrypoints.api.app import create_app

    # reports as old as the corpus's photos (BIRTH + their ages), whatever the container was set up to take
    container.deps = replace(container.deps, limits=replace(container.deps.limits, sighting_years=REPLAY_YEARS))
    token = issue_token(container.deps, OPERATOR, "bench", [Scope.ADMIN])  # a partner: not throttled per hour
    with TestClient(create_app(container), headers={"Authorization": f"Bearer {token}"}) as client:
        database = (lambda: tree_cpu(postmaster)) if postmaster else (lambda: 0.0)
        before = children_cpu() + self_cpu() + database()
        start = time.perf_counter()
        watching = 0.0  # this thread's CPU spent watching (the queue, memory): the bench's, not Reunite's
        with worker(container, processes) as proc:
            memory = Memory(proc.pid)
            case_of = upload_cases(client, cases)
            sighting_of = upload_sightings(client, sightings)
            while True:
                watch = time.thread_time()
                empty = queue_empty(container)
                memory.sample()
                watching += time.thread_time() - watch
                if empty:
                    break
                if proc.poll() is not None:
                    raise RuntimeError("the worker stopped before the queue was empty")
                time.sleep(0.25)
            wall = time.perf_counter() - start
        run = Run(wall, children_cpu() + self_cpu() + database() - before - watching, memory.peak)
    return {"side": "reunite", **run.row(len(cases) + len(sightings)), **leads(container, case_of, sighting_of)}


def reunite_on_scratch(cases: dict[str, Photo], sightings: list[Photo], processes: int) -> dict[str, Any]:
    container = scratch_instance(NoFaces())
    try:
        postmaster = int((container.settings.pgdata_path() / "postmaster.pid").read_text().split()[0])
        return run_reunite(container, cases, sightings, processes, postmaster)
    finally:
        container.close()


def leads(container: Container, case_of: dict[int, str], sighting_of: dict[int, str]) -> dict[str, int]:
    with container.engine.connect() as conn:
        pairs = conn.exec_driver_sql("SELECT case_id, sighting_id FROM candidates WHERE status <> 'withdrawn'").all()
        no_face = conn.exec_driver_sql(
            "SELECT count(*) FROM photos p WHERE p.sighting_id IS NOT NULL AND NOT EXISTS"
            " (SELECT 1 FROM faces f WHERE f.photo_id = p.id)").scalar_one()
        unprocessed = conn.exec_driver_sql("SELECT count(*) FROM photos WHERE processed_at IS NULL").scalar_one()
    right = {s for c, s in pairs if case_of.get(c) == sighting_of.get(s)}
    return {"sightings_without_face": int(no_face), "true_case_named": len(right), "leads": len(pairs),
            "unprocessed_photos": int(unprocessed)}


def ratios(peer: dict[str, Any], ours: dict[str, Any]) -> dict[str, float]:
    """Above 1 is Reunite faster; below 1 is Reunite cheaper."""
    return {"photos_per_second": round(ours["photos_per_second"] / peer["photos_per_second"], 3),
            "cpu_per_photo": round(ours["cpu_per_photo"] / peer["cpu_per_photo"], 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cpus", type=int, default=2, help="the peer's --cpus and Reunite's worker processes")
    parser.add_argument("--subjects", type=int, default=0, help="only the first N subjects (0: all)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    cases, sightings = split(load(args.corpus.resolve()))
    if args.subjects:
        cases = dict(list(cases.items())[: args.subjects])
        sightings = [p for p in sightings if p.subject in cases]
    peer = peer_command()
    if peer is None:
        print("the peer is not installed (pip install --no-deps face_recognition): measuring Reunite alone",
              file=sys.stderr)
    root = folders(cases, sightings)
    rounds = []
    for number in range(args.rounds):
        order = ["peer", "reunite"] if number % 2 == 0 else ["reunite", "peer"]
        load_before = os.getloadavg()[0]
        results = {side: run_peer(peer, root, args.cpus, cases, sightings) if side == "peer" else
                   reunite_on_scratch(cases, sightings, args.cpus) for side in order if side == "reunite" or peer}
        row: dict[str, Any] = {"round": number + 1, "load_1min": [load_before, os.getloadavg()[0]], **results}
        if peer:
            row["ratio"] = ratios(results["peer"], results["reunite"])
        rounds.append(row)
        print(json.dumps(row), file=sys.stderr)
    summary: dict[str, Any] = {"machine": machine(), "cases": len(cases), "sightings": len(sightings),
                               "cpus": args.cpus, "rounds": rounds}
    if peer:
        summary["median_ratio"] = {key: statistics.median(r["ratio"][key] for r in rounds)
                                   for key in ("photos_per_second", "cpu_per_photo")}
    text = json.dumps(summary, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text)
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
