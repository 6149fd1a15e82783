"""Load on the read path (issue 13, item 2): p50/p95/p99 of the browse page, the sightings API and a
face-crop rendition at 10, 50 and 100 concurrent clients, with a job worker busy in another process.

    python bench/load.py                          # embedded PostgreSQL in a scratch folder
    python bench/load.py --database-url postgresql://…  # an (empty, migrated or not) external server
    python bench/load.py --web-workers 1          # `reunite serve --workers 1`, for a before/after

What it does, all on loopback: seeds a database (verified cases, each with a family account signed in;
some hundreds of approved sightings whose photos show the public-domain astronaut portrait, a third of
them beside a mirrored bystander, with synthetic embeddings), starts `reunite serve` as a separate
process and `reunite worker` as another, keeps the worker busy with real face jobs (sightings reported
with a face photo) for the whole run, then drives the server with locust (headless, as a library, in a
child process: its gevent patches stay out of this one). Each simulated client is one family with its
own account (so the per-account listing limit is not what is measured), and waits 1–3 s between
requests as a person reading a page does (``--think``; ``--think 0,0`` measures capacity instead).
Exits 1 when a level measured nothing or saw errors."""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ENDPOINTS = ("browse page", "sightings API", "face crop")
HERE = Path(__file__).resolve()


# -- the driver (a child process: locust patches the standard library with gevent on import) --------
def drive(host: str, users: int, seconds: float, warmup: float, think: tuple[float, float], clients: Path) -> None:
    import gevent
    from locust import FastHttpUser, between, task
    from locust.env import Environment

    seeded = json.loads(clients.read_text())
    cookies, faces, pages = iter(seeded["cookies"] * 10), seeded["faces"], seeded["pages"]

    class Family(FastHttpUser):
        wait_time = between(*think)

        def on_start(self) -> None:
            self.headers = {"Cookie": f"reunite_session={next(cookies)}"}

        @task
        def browse(self) -> None:
            self.client.get(f"/sightings?page={random.randint(1, pages)}", headers=self.headers, name=ENDPOINTS[0])

        @task
        def api(self) -> None:
            offset = random.randint(0, pages - 1) * 24
            self.client.get(f"/api/sightings?limit=24&offset={offset}", headers=self.headers, name=ENDPOINTS[1])

        @task
        def crop(self) -> None:
            self.client.get(f"/api/faces/{random.choice(faces)}/crop", headers=self.headers, name=ENDPOINTS[2])

    env = Environment(user_classes=[Family], host=host)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=max(users / max(warmup, 1.0), 1.0))
    gevent.sleep(warmup)
    ramp = env.stats.total.num_requests
    env.stats.reset_all()
    started = time.monotonic()
    gevent.sleep(seconds)
    elapsed = time.monotonic() - started
    out = {}
    for name in ENDPOINTS:
        entry = env.stats.get(name, "GET")
        out[name] = {"requests": entry.num_requests, "errors": entry.num_failures, "rps": entry.num_requests / elapsed,
                     **{f"p{q}": entry.get_response_time_percentile(q / 100) for q in (50, 95, 99)}}
    errors = {str(e.error)[:200]: e.occurrences for e in env.stats.errors.values()}
    runner.quit()
    print(json.dumps({"endpoints": out, "errors": errors, "all_requests": ramp + env.stats.total.num_requests}))


# -- the instance ----------------------------------------------------------------------------------
@dataclass
class Seeded:
    cookies: list[str]
    faces: list[int]
    pages: int


def face_photos() -> tuple[bytes, bytes]:
    """A ~1 MP photo of one face, and one of the child beside a mirrored bystander."""
    import io

    from PIL import Image

    from tests.photos import face_jpeg

    one = Image.open(io.BytesIO(face_jpeg(960)))
    two = Image.new("RGB", (one.width * 2, one.height))
    two.paste(one, (0, 0))
    two.paste(one.transpose(Image.Transpose.FLIP_LEFT_RIGHT), (one.width, 0))
    out = io.BytesIO()
    two.save(out, format="JPEG", quality=88)
    return face_jpeg(960), out.getvalue()


class QuickHashes:
    """The bench's accounts sign in once, here: no need for Argon2's deliberate slowness."""

    def hash(self, password: str) -> str:
        return "bench:" + password

    def verify(self, hashed: str, password: str) -> bool:
        return hashed == "bench:" + password

    def verify_dummy(self, password: str) -> bool:
        return False


def seed(container: object, families: int, sightings: int) -> Seeded:
    """Verified cases with a signed-in family each; approved sightings with processed photos."""
    import numpy as np

    from reunite.adapters.faces.dlib_engine import MODEL
    from reunite.domain.access import Role
    from reunite.domain.model import (
        AgeRange,
        BoundingBox,
        DetectedFace,
        GeoPoint,
        NewCase,
        NewSighting,
        PhotoOwner,
        SeenTime,
        Sex,
    )
    from reunite.services.accounts import sign_in, sign_up

    deps = container.deps = replace(container.deps, passwords=QuickHashes())  # type: ignore[attr-defined]
    rng = np.random.default_rng(13)
    now = datetime.now(UTC)
    cookies = []
    for n in range(families):
        email = f"family{n}@bench.example"
        account = sign_up(deps, email, "correct horse battery", f"Family {n}", role=Role.REPORTER)
        with deps.uow() as uow:
            case_id = uow.add_case(NewCase(f"Child{n}", "Bench", Sex.FEMALE, date(2012, 1, 1),
                                           now - timedelta(days=800), GeoPoint(30.66, 104.06)), now)
            uow.add_case_owner(case_id, account)
            uow.mark_verified(case_id, "bench", now)
            uow.commit()
        cookies.append(sign_in(deps, email, "correct horse battery"))
    single, double = face_photos()
    facts = {photo: deps.codec.inspect(photo) for photo in (single, double)}
    width = facts[single].width
    box = BoundingBox(width // 5, facts[single].height // 6, width * 4 // 5, facts[single].height * 5 // 6)
    faces = []
    for n in range(sightings):
        photo = double if n % 3 == 0 else single
        key = f"bench/sighting-{n}.jpg"
        deps.photos.put(key, photo)
        mirrored = replace(box, left=width * 2 - box.right, right=width * 2 - box.left)
        boxes = [box, mirrored] if photo is double else [box]
        found = []
        for face_box in boxes:
            vector = rng.normal(size=128)
            found.append(DetectedFace(face_box, (), 1.0, 0.8, tuple(float(v) for v in vector / np.linalg.norm(vector)),
                                      MODEL, "bench", "hog"))
        sighting = NewSighting(seen_at=now - timedelta(hours=int(rng.integers(1, 17_000))),
                               place=GeoPoint(30.5 + float(rng.random()), 103.9 + float(rng.random())),
                               place_text="成都 Chengdu", apparent_age=AgeRange(6, 9), apparent_sex=Sex.FEMALE)
        with deps.uow() as uow:
            sighting_id = uow.add_sighting(sighting, SeenTime(sighting.seen_at), now, "approved", None)
            photo_id = uow.add_photo(PhotoOwner.SIGHTING, sighting_id, facts[photo], key, None)
            ids = uow.replace_faces(photo_id, found, [f"bench/crop-{n}-{i}.jpg" for i in range(len(found))])
            # the child's face marked (an only face is when found; of two, as a moderator marks the child's)
            uow.conn.exec_driver_sql("UPDATE sightings SET child_face_id = %s WHERE id = %s", (ids[0], sighting_id))
            uow.commit()
        faces.append(ids[0])  # the child's face (the first): what a family's browse page shows
    return Seeded(cookies, faces, max(1, min(5, sightings // 24)))


class Feeder(threading.Thread):
    """Keeps the worker busy: real sightings with a face, reported whenever fewer than ``depth`` jobs wait."""

    def __init__(self, container: object, photo: bytes, depth: int = 4) -> None:
        super().__init__(daemon=True)
        self.container, self.photo, self.depth = container, photo, depth
        self.stop = threading.Event()

    def waiting(self) -> int:
        with self.container.engine.connect() as conn:  # type: ignore[attr-defined]
            return int(conn.exec_driver_sql(
                "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')").scalar_one())

    def done(self) -> int:
        with self.container.engine.connect() as conn:  # type: ignore[attr-defined]
            return int(conn.exec_driver_sql(
                "SELECT count(*) FROM procrastinate_jobs WHERE status = 'succeeded' "
                "AND task_name LIKE 'faces.%%'").scalar_one())

    def run(self) -> None:
        from reunite.domain.access import OPERATOR
        from reunite.domain.model import NewSighting, Upload
        from reunite.services import intake

        while not self.stop.is_set():
            for _ in range(max(0, self.depth - self.waiting())):
                intake.report_sighting(self.container.deps, OPERATOR,  # type: ignore[attr-defined]
                                       NewSighting(seen_at=None, place=None), [Upload(self.photo, "feed.jpg")])
            self.stop.wait(1.0)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    base: str
    pid: int  # `reunite serve`: its process and its children are the web's CPU


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU of a process and its living children (0 when it is gone)."""
    import psutil

    if pid is None:
        return 0.0
    try:
        tree = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for process in tree:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


@contextmanager
def processes(env: dict[str, str], web_workers: int | None, worker: bool, name: str) -> Iterator[Server]:
    """`reunite serve` (and `reunite worker`) as separate processes; the server's address once ready."""
    import httpx

    reunite, port = [sys.executable, "-m", "reunite"], free_port()
    serve = [*reunite, "serve", "--port", str(port)] + (["--workers", str(web_workers)] if web_workers else [])
    log = open(Path(env["REUNITE_DATA_DIR"]) / f"{name}.log", "wb")  # noqa: SIM115 - closed below
    started = [subprocess.Popen(serve, env=env, stdout=log, stderr=subprocess.STDOUT)]
    if worker:
        started.append(subprocess.Popen([*reunite, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(base + "/readyz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or started[0].poll() is not None:
                raise SystemExit(f"the server did not start; see {log.name}")
            time.sleep(0.5)
        yield Server(base, started[0].pid)
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


def level(name: str, server: Server, users: int, args: argparse.Namespace, clients: Path,
          feeder: Feeder) -> dict[str, object]:
    jobs_before, load_before = feeder.done(), os.getloadavg()[0]
    web_before = cpu_seconds(server.pid)
    base = server.base
    child = subprocess.run(
        [sys.executable, str(HERE), "drive", "--host", base, "--users", str(users), "--duration", str(args.duration),
         "--warmup", str(args.warmup), "--think", args.think, "--clients", str(clients)],
        capture_output=True, text=True, timeout=args.duration + args.warmup + 120, check=False)
    if child.returncode != 0:
        raise SystemExit(f"the load driver failed:\n{child.stderr[-3000:]}")
    result: dict[str, object] = json.loads(child.stdout.strip().splitlines()[-1])
    served = int(result["all_requests"]) or 1  # type: ignore[call-overload]  # ramp-up included, as the CPU is
    result.update(server=name, clients=users, face_jobs_done=feeder.done() - jobs_before,
                  load_1min=[load_before, os.getloadavg()[0]],
                  # CPU per request: what the server costs, whatever else the machine runs
                  web_cpu_ms=1000 * (cpu_seconds(server.pid) - web_before) / served)
    return result


def report(results: list[dict[str, object]]) -> list[str]:
    """The table, and every problem (a level with no request, or with errors)."""
    print(f"{'server':<8} {'clients':>7}  {'endpoint':<14} {'requests':>8} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'p99 ms':>7} {'errors':>6}  worker jobs  load   web CPU ms/request")
    problems = []
    for result in results:
        endpoints: dict[str, dict[str, float]] = result["endpoints"]  # type: ignore[assignment]
        for name, e in endpoints.items():
            print(f"{result['server']:<8} {result['clients']:>7}  {name:<14} {e['requests']:>8} {e['rps']:>6.1f} "
                  f"{e['p50']:>7.0f} {e['p95']:>7.0f} {e['p99']:>7.0f} {e['errors']:>6}  "
                  f"{result['face_jobs_done']:>11}  {result['load_1min'][1]:5.2f}  {result['web_cpu_ms']:.1f}")  # type: ignore[index]
            if not e["requests"] or e["errors"]:
                problems.append(f"{result['clients']} clients, {name}: {e['requests']} requests, {e['errors']} errors")
        if result["errors"]:
            problems.append(f"errors seen: {result['errors']}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", default="10,50,100", help="concurrent clients, one level each")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds measured per level")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of ramp-up before each measurement")
    parser.add_argument("--think", default="1,3", help="seconds a client waits between requests (min,max)")
    parser.add_argument("--sightings", type=int, default=400)
    parser.add_argument("--web-workers", type=int, default=None, help="`reunite serve --workers N` (default: its own)")
    parser.add_argument("--no-worker", action="store_true", help="no busy job worker beside the server")
    parser.add_argument("--database-url", default=None, help="an external PostgreSQL (default: embedded)")
    parser.add_argument("--against", type=Path, default=None, help=(
        "the src/ folder of another checkout: its server is measured too, level by level, interleaved "
        "(as `--against-workers`), against the same database and the same busy worker"))
    parser.add_argument("--against-workers", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    levels = [int(n) for n in args.clients.split(",")]

    from bench.common import machine
    from reunite.bootstrap import bootstrap
    from reunite.config import Settings

    data = Path(tempfile.mkdtemp(prefix="reunite-load-"))
    secret = "load-bench-secret"
    settings = Settings(data_dir=data, database_url=args.database_url, secret_key=secret,  # type: ignore[call-arg]
                        _env_file=None)
    container = bootstrap(settings, faces=object())  # type: ignore[arg-type]  # the bench itself finds no face
    env = dict(os.environ, REUNITE_DATABASE_URL=container.database_uri, REUNITE_DATA_DIR=str(data),
               REUNITE_SECRET_KEY=secret, REUNITE_IN_PROCESS_WORKER="false", PYTHONPATH=str(HERE.parents[1] / "src"))
    try:
        started = time.monotonic()
        seeded = seed(container, max(levels), args.sightings)
        print(f"seeded {max(levels)} families and {args.sightings} sightings in {time.monotonic() - started:.0f} s")
        clients = data / "clients.json"
        clients.write_text(json.dumps(seeded.__dict__))
        feeder = Feeder(container, face_photos()[0])
        with ExitStack() as stack:
            servers = {"this": stack.enter_context(processes(env, args.web_workers, not args.no_worker, "this"))}
            if args.against:
                servers["against"] = stack.enter_context(processes(
                    env | {"PYTHONPATH": str(args.against.resolve())}, args.against_workers, False, "against"))
            if not args.no_worker:
                feeder.start()
            print(f"machine: {machine()}; load before: {os.getloadavg()}")
            results = [level(name, server, users, args, clients, feeder) for users in levels
                       for name, server in servers.items()]
            feeder.stop.set()
    finally:
        container.close()
    problems = report(results)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"machine": machine(), "args": vars(args) | {"out": str(args.out)},
                                        "results": results}, indent=1, default=str))
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["drive"]:
        driver = argparse.ArgumentParser()
        for flag in ("--host", "--think", "--clients"):
            driver.add_argument(flag)
        driver.add_argument("--users", type=int)
        driver.add_argument("--duration", type=float)
        driver.add_argument("--warmup", type=float)
        a = driver.parse_args(sys.argv[2:])
        low, high = (float(v) for v in a.think.split(","))
        drive(a.host, a.users, a.duration, a.warmup, (low, high), Path(a.clients))
    else:
        sys.exit(main())
