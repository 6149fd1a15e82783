"""Numbers in public, and the reviewers' dashboard. Public numbers are counts only, by province at
most, with every count under 5 shown as "fewer than 5" and the others rounded to 5, so that no child
can be singled out (``domain.sources.public_count``)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from reunite.domain.access import Permission, Principal, require
from reunite.domain.sources import SMALL_COUNT, healthy, public_count
from reunite.services.deps import Deps

HOAX = "rejected"  # a case verified as a false report
REGIONS_SHOWN = 12


def public_statistics(deps: Deps) -> dict[str, Any]:
    """What the statistics page shows anyone: open and reunited cases, median days to reunion, sightings
    received and reviewed per week, hoaxes and removed reports, cases and sightings by province."""
    raw = deps.read.statistics(deps.clock.now())
    cases: Counter[str] = Counter()
    regions: dict[str, Counter[str]] = {"cases": Counter(), "sightings": Counter()}
    for row in raw["cases"]:
        cases[row["status"]] += row["n"]
        if row["status"] == "open":
            regions["cases"][deps.places.region(row["place"])] += row["n"]
    sightings: Counter[str] = Counter()
    for row in raw["sightings"]:
        sightings[row["status"]] += row["n"]
        regions["sightings"][deps.places.region(row["place"])] += row["n"]
    median: dict[str, Any] = raw["median_days"][0] if raw["median_days"] else {"days": None, "n": 0}
    return {
        "open_cases": public_count(cases["open"]),
        "reunited": public_count(cases["reunited"]),
        "median_days_to_reunion": round(median["days"]) if median["days"] is not None and int(median["n"] or 0)
        >= SMALL_COUNT else None,
        "hoaxes": public_count(cases[HOAX]),
        "sightings": public_count(sum(sightings.values())),
        "removed_reports": public_count(sightings["removed"] + sightings["rejected"]),
        "weeks": [{"week": row["week"].date(), "label": row["week"].date().isoformat(),
                   "received": public_count(row["received"]),
                   "reviewed": public_count(row["reviewed"])} for row in raw["weeks"]],
        "regions": {kind: [{"region": region, "count": public_count(n)}
                           for region, n in counts.most_common(REGIONS_SHOWN) if region]
                    for kind, counts in regions.items()},
    }


def review_dashboard(deps: Deps, who: Principal) -> dict[str, Any]:
    """For reviewers: each queue's size and oldest item, decisions per day this week, sources' health."""
    require(who, Permission.MODERATE)
    now = deps.clock.now()
    raw = deps.read.review_dashboard(now)
    sources = [row | {"healthy": healthy(row["failures"], row["last_ok_at"], timedelta(seconds=row["interval_s"]),
                                         now)} for row in deps.read.sources()]
    return {"queues": [q | {"age": now - q["oldest"] if q["oldest"] else None} for q in raw["queues"]],
            "throughput": raw["throughput"], "sources": sources}
