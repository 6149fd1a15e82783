"""Printable posters under a burst (probe s14 F5): a case in the news, volunteers printing its PDF
poster at once. Side by side in one run: posters kept (made once per language) against posters made
anew at every request (the code before, with a cache that keeps nothing), alone and under
``--concurrent`` anonymous requests at once, through the app in this process (no network in between).

    python bench/posters.py [--concurrent 12] [--out result.json]

Exits 1 when a request was not answered with a PDF, or when the kept run made the poster more than
once per language (it would be timing the renderer, not the kept copies), or the other run less than
once per request."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def seed(container: Any) -> int:
    """A verified, open case with a photo: what a poster shows."""
    import io

    from PIL import Image

    from reunite.domain.access import OPERATOR
    from reunite.domain.model import NewCase, Sex, Upload
    from reunite.services import intake
    from reunite.services.moderation import verify_case

    photo = io.BytesIO()
    Image.new("RGB", (600, 800), (150, 120, 110)).save(photo, format="JPEG")
    case = intake.register_case(container.deps, OPERATOR, NewCase(
        given_name="Lili", family_name="Wang", sex=Sex.FEMALE, birth_date=date(2018, 3, 1),
        missing_since=datetime(2026, 6, 1, 2, tzinfo=UTC), last_seen_place=None, last_seen_text="上海市黄浦区",
        family_contact="+86 138 0000 0001", description="red coat"), [Upload(photo.getvalue())], [None])
    verify_case(container.deps, OPERATOR, case.case_id, "police report seen")
    return case.case_id


class Forgetful:
    """A rendition cache that keeps nothing: every poster made anew, as before posters were kept."""

    def get(self, key: str) -> bytes | None:
        return None

    def put(self, key: str, data: bytes) -> None:
        pass


def measure(container: Any, case_id: int, concurrent: int, rounds: int, anew: bool = False) -> dict[str, Any]:
    """Seconds per request: the first (made), then ``rounds`` alone (kept), then ``concurrent`` at
    once; the same for a second language (made once more). ``made``: how many times the PDF was made.
    ``anew``: with nothing kept (the peer: the code before)."""
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from reunite.entrypoints.api.app import create_app

    if anew:
        container = replace(container, deps=replace(container.deps, renditions=Forgetful()))
    posters = container.deps.posters
    real, made = posters.render, []
    posters.render = lambda *args: made.append(1) or real(*args)
    client = TestClient(create_app(container))
    url = f"/p/{case_id}/poster.pdf"
    statuses: list[tuple[int, bool]] = []

    def get(params: dict[str, str]) -> float:
        start = time.perf_counter()
        answer = client.get(url, params=params)
        statuses.append((answer.status_code, answer.content.startswith(b"%PDF")))
        return time.perf_counter() - start

    result: dict[str, Any] = {}
    try:
        for language in ("en", "zh_CN"):
            asked = {"lang": language}
            first = get(asked)
            alone = [get(asked) for _ in range(rounds)]
            with ThreadPoolExecutor(concurrent) as pool:
                burst = list(pool.map(get, [asked] * concurrent))
            result[language] = {"made_s": round(first, 3), "again_median_ms": round(statistics.median(alone) * 1000, 2),
                                "burst_max_s": round(max(burst), 3),
                                "burst_median_s": round(statistics.median(burst), 3)}
    finally:
        posters.render = real
    return result | {"made": len(made), "statuses": sorted(set(statuses)), "requests": len(statuses)}


def problems(measured: dict[str, Any], anew: bool = False) -> list[str]:
    found = []
    if measured["statuses"] != [(200, True)]:
        found.append(f"answers other than a PDF: {measured['statuses']}")
    if (measured["made"] != measured["requests"]) if anew else (measured["made"] != 2):
        found.append(f"the poster was made {measured['made']} times for {measured['requests']} requests")
    return found


def main(argv: list[str] | None = None) -> int:
    from bench.common import emit, machine, scratch_instance

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrent", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    container = scratch_instance(faces=object())  # type: ignore[arg-type]
    try:
        case_id = seed(container)
        kept = measure(container, case_id, args.concurrent, args.rounds)
        anew = measure(container, case_id, args.concurrent, args.rounds, anew=True)
    finally:
        container.close()
    emit({"machine": machine(), "concurrent": args.concurrent, "kept": kept, "anew": anew}, args.out)
    found = problems(kept) + problems(anew, anew=True)
    for problem in found:
        print(problem, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
