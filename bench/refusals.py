"""How long a refusal takes (the outside probe's timing oracle): a record the asker may not see (a
pending report, a bystander's face, a case nobody has checked yet, their photos) against an id nobody
uses, asked alternately many times through the app in this process (no network in between). The
median of the paired differences (hidden minus missing) says what a patient attacker could learn.

    python bench/refusals.py                          # embedded PostgreSQL in a scratch folder
    python bench/refusals.py --against ../old/src     # the same database, another checkout's code too

Each checkout is measured in a child process of its own, this one's first, then ``--against``'s,
then this one's again, so that a change of load shows as a difference between its two runs. Exits 1
when a probe was not refused with 404 (the seeding failed: it would measure nothing)."""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

HERE = Path(__file__).resolve()
MISSING = 987_654  # an id nobody uses
SECRET = "refusals-bench-secret"


def _photo() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), (120, 140, 160)).save(out, format="JPEG")
    return out.getvalue()


def seed(container: Any) -> dict[str, Any]:
    """A verified family, a partner's read:cases token, and records hidden from them: a pending report
    (its photo and face), a bystander's face on an approved report, a case nobody checked (its photo
    and face). Returns the credentials and, per probe, the asker, the address and the hidden id."""
    from reunite.domain.access import OPERATOR, Role, Scope
    from reunite.domain.model import (
        BoundingBox,
        DetectedFace,
        GeoPoint,
        NewCase,
        NewSighting,
        PhotoOwner,
        SeenTime,
        Sex,
    )
    from reunite.services.accounts import issue_token, sign_in, sign_up

    deps = container.deps
    now = datetime.now(UTC)
    data = _photo()
    facts = deps.codec.inspect(data)
    boxes = [BoundingBox(20, 20, 120, 140), BoundingBox(180, 20, 280, 140)]
    found = [DetectedFace(box, (), 1.0, 0.8, tuple([1.0] + [0.0] * 127), "bench", "bench", "hog") for box in boxes]

    def photo(uow: Any, owner: PhotoOwner, owner_id: int, name: str) -> tuple[int, list[int]]:
        deps.photos.put(name, data)
        photo_id = uow.add_photo(owner, owner_id, facts, name, None)
        return photo_id, uow.replace_faces(photo_id, found, [f"{name}-{i}" for i in range(len(found))])

    account = sign_up(deps, "family@bench.example", "correct horse battery", "Family", role=Role.REPORTER)
    case = NewCase("Child", "Bench", Sex.FEMALE, date(2012, 1, 1), now - timedelta(days=800), GeoPoint(30.66, 104.06))
    seen = NewSighting(seen_at=now - timedelta(days=1), place=GeoPoint(30.6, 104.0))
    with deps.uow() as uow:
        own = uow.add_case(case, now)
        uow.add_case_owner(own, account)
        uow.mark_verified(own, "bench", now)
        unchecked = uow.add_case(replace(case, given_name="Other"), now)
        unchecked_photo, unchecked_faces = photo(uow, PhotoOwner.CASE, unchecked, "bench/case.jpg")
        pending = uow.add_sighting(seen, SeenTime(seen.seen_at), now, "pending", None)
        pending_photo, pending_faces = photo(uow, PhotoOwner.SIGHTING, pending, "bench/pending.jpg")
        approved = uow.add_sighting(seen, SeenTime(seen.seen_at), now, "approved", None)
        _, approved_faces = photo(uow, PhotoOwner.SIGHTING, approved, "bench/approved.jpg")
        uow.conn.exec_driver_sql("UPDATE sightings SET child_face_id = %s WHERE id = %s", (approved_faces[0], approved))
        uow.commit()
    return {
        "cookie": sign_in(deps, "family@bench.example", "correct horse battery"),
        "token": issue_token(deps, OPERATOR, "bench partner", [Scope.READ_CASES]),
        "probes": {
            "a pending report": ("family", "/api/sightings/{}", pending),
            "its photo": ("family", "/api/photos/{}", pending_photo),
            "its face": ("family", "/api/faces/{}/crop", pending_faces[0]),
            "a bystander's face": ("family", "/api/faces/{}/crop", approved_faces[1]),
            "an unchecked case": ("partner", "/api/cases/{}", unchecked),
            "its case photo": ("partner", "/api/photos/{}", unchecked_photo),
            "its case face": ("partner", "/api/faces/{}/crop", unchecked_faces[0]),
        },
    }


def measure(container: Any, seeded: dict[str, Any], rounds: int) -> dict[str, dict[str, Any]]:
    """Each probe asked ``rounds`` times for the hidden id and as often for the missing one, alternately
    (which goes first alternates too): medians and the median paired difference, in microseconds."""
    from fastapi.testclient import TestClient

    from reunite.entrypoints.api.app import create_app

    app = create_app(container)
    clients = {"family": TestClient(app), "partner": TestClient(app)}
    clients["family"].cookies.set("reunite_session", seeded["cookie"])
    clients["partner"].headers["Authorization"] = f"Bearer {seeded['token']}"
    results = {}
    for name, (who, path, hidden) in seeded["probes"].items():
        client = clients[who]
        client.get(path.format(MISSING))  # warm: the route's first call
        times: dict[str, list[float]] = {"hidden": [], "missing": []}
        statuses: set[int] = set()
        for n in range(rounds):
            order = (("hidden", hidden), ("missing", MISSING)) if n % 2 == 0 else (("missing", MISSING),
                                                                                   ("hidden", hidden))
            for kind, record_id in order:
                started = time.perf_counter()
                answer = client.get(path.format(record_id))
                times[kind].append((time.perf_counter() - started) * 1e6)
                statuses.add(answer.status_code)
        pairs = [h - m for h, m in zip(times["hidden"], times["missing"], strict=True)]
        results[name] = {"hidden_us": round(statistics.median(times["hidden"])),
                         "missing_us": round(statistics.median(times["missing"])),
                         "difference_us": round(statistics.median(pairs), 1),
                         "statuses": sorted(statuses), "requests": 2 * rounds}
    return results


def problems(runs: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    """What makes a run worthless: a probe not refused with 404 every time, or never asked."""
    return [f"{run}: {probe} answered {found['statuses']} in {found['requests']} requests"
            for run, measured in runs.items() for probe, found in measured.items()
            if found["statuses"] != [404] or not found["requests"]]


def _child(env: dict[str, str], src: Path, rounds: int, seeded: Path) -> dict[str, dict[str, Any]]:
    run = subprocess.run([sys.executable, str(HERE), "measure", str(rounds), str(seeded)],
                         env=env | {"PYTHONPATH": f"{src}{os.pathsep}{HERE.parents[1]}"},
                         capture_output=True, text=True, check=True)
    measured: dict[str, dict[str, Any]] = json.loads(run.stdout.splitlines()[-1])
    return measured


def _container(database_url: str | None, data: Path) -> Any:
    from reunite.bootstrap import bootstrap
    from reunite.config import Settings

    # the family's sighting reads count against its hourly browse limit: not what is measured here
    settings = Settings(data_dir=data, database_url=database_url, secret_key=SECRET,  # type: ignore[call-arg]
                        listings_per_hour=10**9, _env_file=None)
    return bootstrap(settings, run_migrations=database_url is None, faces=object())  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=1000, help="requests per probe and kind (hidden, missing)")
    parser.add_argument("--against", type=Path, default=None, help="the src/ folder of another checkout")
    parser.add_argument("--out", type=Path, default=None, help="also write the results as JSON here")
    args = parser.parse_args(argv)

    from bench.common import machine

    data = Path(tempfile.mkdtemp(prefix="reunite-refusals-"))
    container = _container(None, data)
    try:
        seeded = data / "seeded.json"
        seeded.write_text(json.dumps(seed(container) | {"database_url": container.database_uri}))
        env = dict(os.environ, REUNITE_DATA_DIR=str(data))
        this = HERE.parents[1] / "src"
        print(f"machine: {machine()}; load before: {os.getloadavg()}")
        runs = {"this": _child(env, this, args.rounds, seeded)}
        if args.against:
            runs["against"] = _child(env, args.against.resolve(), args.rounds, seeded)
            runs["this, again"] = _child(env, this, args.rounds, seeded)
        print(f"load after: {os.getloadavg()}")
    finally:
        container.close()
    print("| probe | " + " | ".join(f"{run}: hidden / missing / paired difference (µs)" for run in runs) + " |")
    print("|---|" + "---|" * len(runs))
    for probe in runs["this"]:
        cells = [f"{r[probe]['hidden_us']} / {r[probe]['missing_us']} / {r[probe]['difference_us']:+}"
                 for r in runs.values()]
        print(f"| {probe} | " + " | ".join(cells) + " |")
    if args.out:
        args.out.write_text(json.dumps({"machine": machine(), "rounds": args.rounds, "runs": runs}, indent=1))
    found = problems(runs)
    for problem in found:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["measure"]:
        given = json.loads(Path(sys.argv[3]).read_text())
        built = _container(given["database_url"], Path(os.environ["REUNITE_DATA_DIR"]))
        try:
            print(json.dumps(measure(built, given, int(sys.argv[2]))))
        finally:
            built.close()
    else:
        sys.exit(main())
