"""Reviewer effort: decisions and key presses per true match found, at the default matching policy,
through the real flow (intake, worker, reports queue, workbench pages) on a corpus.

    python bench/reviewer_effort.py CORPUS [--cases 20] [--sightings 300] [--two-photos] [--reposts N] [--out FILE]

Cases: the first subjects (by id) photographed under 17 and later; each holds the youngest photo.
Sightings: every later photo of those subjects (the true sightings), then other subjects' photos as
distractors up to ``--sightings``; reported by a passer-by without age, sex or place, as most are.
A moderator clears the reports page by page with "*" then "a" (select all, approve); then an oracle
reviewer works the workbench until it is empty, one item (a case and one child's trail of sightings)
at a time: "c" with the case's child's sightings ticked, "1" ("a different child") when none is.
One decision is one key press; page loads are not counted. ``candidates_waiting`` is what the
workbench showed before it grouped a trail into one item (one item per candidate)."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import re
import sys
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import REPLAY_YEARS, machine, scratch_instance
from bench.corpus import Photo, by_subject, load
from bench.embed import engine
from reunite.adapters.faces.dlib_engine import DlibOptions
from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.model import NewCase, NewSighting, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.entrypoints.worker.tasks import make_app, run_worker
from reunite.services import intake
from reunite.services.accounts import from_session, sign_in, sign_up
from reunite.services.deps import Deps

BIRTH = date(1970, 1, 1)


def on(age: int | None, days: int = 0) -> datetime:
    start = datetime(BIRTH.year + (age or 0), 1, 1, tzinfo=UTC)
    return start + timedelta(days=days)


def world(photos: list[Photo], cases: int, sightings: int) -> tuple[list[list[Photo]], list[Photo]]:
    """The case subjects' photos (youngest first), and the sightings (true ones, then distractors)."""
    subjects = [sorted(p, key=lambda x: x.order) for _, p in sorted(by_subject(photos).items())]
    chosen = [s for s in subjects if len(s) > 1 and s[-1].order[0] > s[0].order[0] and s[0].order[0] < 17][:cases]
    true = [p for s in chosen for p in s[1:] if p.order[0] > s[0].order[0]]
    names = {s[0].subject for s in chosen}
    others = [p for s in subjects if s[0].subject not in names for p in s]
    return chosen, (true + others)[:sightings]


def client_for(container: Container, role: Role, name: str) -> TestClient:
    email = f"{name}@bench.example.org"
    sign_up(container.deps, email, "correct horse battery", role.value, role=role)
    client = TestClient(create_app(container))
    client.cookies.set("reunite_session", sign_in(container.deps, email, "correct horse battery"))
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/report").text)  # form token, bound to the session
    assert found, "the page carries no CSRF token"
    CSRF[id(client)] = found.group(1)
    return client


CSRF: dict[int, str] = {}


def post(client: TestClient, url: str, **data: Any) -> Any:
    return client.post(url, data={"csrf": CSRF[id(client)], **data}, follow_redirects=False)


def largest_face(deps: Deps, sighting_id: int) -> int:
    faces = deps.read.sighting(sighting_id)["faces"]
    return int(max(faces, key=lambda f: (f["box_right"] - f["box_left"]) * (f["box_bottom"] - f["box_top"]))["id"])


def run(corpus: Path, cases: int, sightings: int, two_photos: bool = False, reposts: int = 0) -> dict[str, Any]:
    chosen, seen = world(load(corpus), cases, sightings)
    container = scratch_instance(engine(DlibOptions()))
    try:
        return measure(container, chosen, seen, two_photos, reposts) | {"two_photos": two_photos, "reposts": reposts,
                                                                         "machine": machine(),
                                                    "date": datetime.now(UTC).date().isoformat()}
    finally:
        container.close()


def closer(data: bytes) -> bytes:
    """The photo cropped to its middle 85%: a second shot of the same child a moment later."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    w, h = image.size
    out = io.BytesIO()
    image.crop((w * 15 // 200, h * 15 // 200, w - w * 15 // 200, h - h * 15 // 200)).save(out, "JPEG", quality=92)
    return out.getvalue()


def measure(container: Container, chosen: list[list[Photo]], seen: list[Photo], two_photos: bool = False,
            reposts: int = 0) -> dict[str, Any]:
    """Register, report, moderate and review on this instance; the counts. With ``two_photos`` every
    report holds two shots of its child; the first ``reposts`` reports are sent twice (the same picture).
    Reports are as old as the corpus's photos (``REPLAY_YEARS``), whatever ``container`` takes."""
    deps = replace(container.deps, limits=replace(container.deps.limits, sighting_years=REPLAY_YEARS))
    start = time.perf_counter()
    subject_of_case: dict[int, str] = {}
    for photos in chosen:
        youngest = photos[0]
        case = NewCase(given_name=youngest.subject, family_name="", sex=Sex.UNKNOWN, birth_date=BIRTH,
                       last_seen_place=None,
                       missing_since=on(youngest.age, 30))
        upload = [Upload(youngest.path.read_bytes(), youngest.path.name)]
        case_id = intake.register_case(deps, OPERATOR, case, upload, [on(youngest.age).date()]).case_id  # verified
        subject_of_case[case_id] = youngest.subject
    reporter_email = "reporter@bench.example.org"
    sign_up(deps, reporter_email, "correct horse battery", "reporter", role=Role.REPORTER)
    reporter = from_session(deps, sign_in(deps, reporter_email, "correct horse battery"))
    assert reporter is not None
    subject_of_sighting: dict[int, str] = {}
    for number, photo in enumerate(seen):
        when = on(photo.age, 60) if photo.subject in {c[0].subject for c in chosen} else on(45, number)
        uploads = [Upload(photo.path.read_bytes(), photo.path.name)]
        if two_photos:  # a second shot of the same moment: the photo a little closer
            uploads.append(Upload(closer(uploads[0].data), "closer.jpg"))
        for copy in range(2 if number < reposts else 1):  # the same picture sent again by someone else
            receipt = intake.report_sighting(deps, reporter, NewSighting(seen_at=when + timedelta(days=copy),
                                                                         place=None), uploads)
            subject_of_sighting[receipt.sighting_id] = photo.subject
    asyncio.run(run_worker(make_app(container.database_uri, deps, periodic=False), 1, wait=False,
                           install_signal_handlers=False))
    ingest_s = time.perf_counter() - start

    moderator = client_for(container, Role.MODERATOR, "moderator")
    report_keys = report_pages = 0
    while True:
        page = moderator.get("/moderation/reports").text
        ids = re.findall(r'name="all" value="(\d+)"', page)
        if not ids:
            break
        # a report showing several faces, none marked, asks which is the child's: the moderator taps the
        # largest (the portrait's subject), one key more each
        asked = [int(i) for i in re.findall(r'name="child_face_(\d+)" value="none"', page)]
        choices = {f"child_face_{i}": str(largest_face(deps, i)) for i in asked}
        approved = post(moderator, "/moderation/reports/approve", scope="all", all=ids, **choices)
        assert approved.status_code == 303, f"approving the reports was refused ({approved.status_code})"
        report_keys, report_pages = report_keys + 2 + len(asked), report_pages + 1  # "*", the faces chosen, "a"
    # the matching each approval enqueued (a report's child face chosen: matched with that face alone), as the
    # deployment's worker runs it
    asyncio.run(run_worker(make_app(container.database_uri, deps, periodic=False), 1, wait=False,
                           install_signal_handlers=False))

    waiting = deps.read.queue_counts()["candidates"]  # workbench items now (one per case and trail)
    candidates = sum(1 for c in subject_of_case for r in deps.read.candidates(c, None) if r["status"] == "proposed")
    decisions = 0
    reviewer = client_for(container, Role.MODERATOR, "reviewer")
    while True:
        location = reviewer.get("/workbench", follow_redirects=False).headers.get("location", "")
        match = re.match(r"/workbench/(\d+)", location)
        if not match:
            break
        answer, _ = oracle(deps, reviewer.get(location).text, int(match.group(1)), subject_of_case,
                           subject_of_sighting)
        assert post(reviewer, location, **answer).status_code == 303
        decisions += 1
    confirmed = len({(r["case_id"], r["sighting_id"]) for case_id in subject_of_case  # sightings, not candidates
                     for r in deps.read.candidates(case_id, None) if r["status"] == "confirmed"})
    true_pairs = sum(1 for s in subject_of_sighting.values() if s in subject_of_case.values())
    return {
        "cases": len(chosen), "sightings": len(seen), "true_sightings": true_pairs, "ingest_s": round(ingest_s),
        "report_pages": report_pages, "report_keys": report_keys, "candidates_waiting": candidates,
        "workbench_items_waiting": waiting, "candidate_decisions": decisions,
        "true_matches_confirmed": confirmed, "share_of_true_sightings_found": round(confirmed / true_pairs, 3),
        "decisions_per_true_match": round(decisions / max(1, confirmed), 2),
        "keys_per_true_match": round((decisions + report_keys) / max(1, confirmed), 2),
        "candidates_per_case": round(decisions / max(1, len(chosen)), 1),
    }


def oracle(deps: Any, page: str, candidate_id: int, subject_of_case: dict[int, str],
           subject_of_sighting: dict[int, str]) -> tuple[dict[str, Any], int]:
    """What a reviewer who knows the truth presses on a workbench item, and how many true matches it
    confirms: with a trail listed, the sightings of the case's child ticked and confirmed ("c"; the others
    come back as an item of their own), or the whole trail dismissed ("1") when none is; alone, "c" or "1"."""
    members = [int(m) for m in re.findall(r'name="member" value="(\d+)"', page)] or [candidate_id]
    true = []
    for member in members:
        row = deps.read.workbench_item(member)
        if subject_of_case[row["case_id"]] == subject_of_sighting[row["sighting_id"]]:
            true.append(member)
    if not true:
        return {"action": "dismiss", "reason": "1"}, 0
    return {"action": "confirm", "trail": "1", "member": true}, len(true)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--sightings", type=int, default=300)
    parser.add_argument("--two-photos", action="store_true", help="every report holds two shots of its child")
    parser.add_argument("--reposts", type=int, default=0, help="the first N reports are sent twice")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    result = run(args.corpus, args.cases, args.sightings, args.two_photos, args.reposts)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    main()
