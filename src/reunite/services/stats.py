"""Numbers in public, and the reviewers' dashboard. Public numbers are counts only, by province at
most, with every count under 5 shown as "fewer than 5" and the others rounded to 5, so that no child
can be singled out (``domain.sources.public_count``); counted only of what anyone may read, as it stood
at the start of the site's day, a province named only with at least 5 records
(``access.public_as_of``, ``sources.public_regions``)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from reunite.domain import access
from reunite.domain.access import Permission, Principal, require
from reunite.domain.sources import SMALL_COUNT, healthy, public_count, public_regions
from reunite.services.deps import Deps

REGIONS_SHOWN = 12


def public_statistics(deps: Deps) -> dict[str, Any]:
    """What the statistics page shows anyone: open and reunited cases, median days to reunion, reports
    approved per week, open cases and approved reports by province; ``as_of``: the instant counted up to."""
    as_of = access.public_as_of(deps.clock.now(), deps.site.zone)
    raw = deps.read.statistics(as_of, access.PUBLIC_REPORTS, access.PUBLIC_CASES)
    cases: Counter[str] = Counter()
    regions: dict[str, Counter[str]] = {"cases": Counter(), "sightings": Counter()}
    for row in raw["cases"]:
        cases[row["status"]] += row["n"]
        if row["status"] == "open":
            regions["cases"][deps.places.region(row["place"])] += row["n"]
    for row in raw["sightings"]:
        regions["sightings"][deps.places.region(row["place"])] += row["n"]
    median: dict[str, Any] = raw["median_days"][0] if raw["median_days"] else {"days": None, "n": 0}
    return {
        "as_of": as_of,
        "open_cases": public_count(cases["open"]),
        "reunited": public_count(cases["reunited"]),
        "median_days_to_reunion": round(median["days"]) if median["days"] is not None and int(median["n"] or 0)
        >= SMALL_COUNT else None,
        "sightings": public_count(sum(row["n"] for row in raw["sightings"])),
        "weeks": [{"week": row["week"].date(), "label": row["week"].date().isoformat(),
                   "approved": public_count(row["approved"])} for row in raw["weeks"]],
        "regions": {kind: [{"region": region, "count": public_count(n)}
                           for region, n in public_regions(counts, REGIONS_SHOWN)]
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
