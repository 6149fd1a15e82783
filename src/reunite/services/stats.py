"""Numbers in public, and the reviewers' dashboard. Public numbers are counts only, by province at
most, with every count under 5 shown as "fewer than 5" and the others rounded to 5, so that no child
can be singled out (``domain.sources.public_count``); counted only of what anyone may read, a province
named only with at least 5 records (``sources.public_regions``), each record in the province of its public
city (its words, in any script, and its pin's ~1 km cell; never finer). The figures are taken every few minutes
and recorded; each day (``access.public_as_of``) shows the last taken before it began, so that no
decision of the day (a rejection, a withdrawal, a case closed) can be read from a change in them."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from reunite.domain import access
from reunite.domain.access import Permission, Principal, require
from reunite.domain.sources import SMALL_COUNT, healthy, public_count, public_regions
from reunite.domain.times import local_days
from reunite.services.deps import Deps

REGIONS_SHOWN = 12
OBSERVE_EVERY = timedelta(minutes=10)
WEEKS_SHOWN = 13  # this week and the 12 before
OBSERVED, PUBLISHED = "public_figures.taken", "public_figures.today"


def public_statistics(deps: Deps) -> dict[str, Any]:
    """What the statistics page shows anyone today: open and reunited cases, median days to reunion,
    reports approved per week, open cases and approved reports by province, as they were last taken
    before the start of the site's day (``as_of``: when). The same all day, whatever is done today (a
    report rejected, withdrawn or held again, a case closed): that shows tomorrow, among many changes."""
    now = deps.clock.now()
    day = access.public_as_of(now, deps.site.zone)
    with deps.uow() as uow:
        published, observed = uow.figures(PUBLISHED), uow.figures(OBSERVED)
    if not (_for_day(published, day) and _fresh(observed, now)):
        published = observe(deps)
    assert published is not None
    return _loaded(published, deps)


def observe(deps: Deps) -> dict[str, Any]:
    """Once a new day has begun, publish for it the figures last taken before it (a site that has taken
    none yet: what stood at the start of the day); then take the figures again (to be published
    tomorrow) if they were last taken ``OBSERVE_EVERY`` ago or more. The worker calls this as often, so
    that a day's figures are those of its eve's last minutes; the statistics page, too."""
    now = deps.clock.now()
    day = access.public_as_of(now, deps.site.zone)
    with deps.uow() as uow:
        published, observed = uow.figures(PUBLISHED, lock=True), uow.figures(OBSERVED)
        if not _for_day(published, day):
            taken = observed if observed and datetime.fromisoformat(observed["as_of"]) < day else None
            published = (taken or _figures(deps, day)) | {"day": day.isoformat()}
            uow.record_figures(PUBLISHED, published)
        if not _fresh(observed, now):
            uow.record_figures(OBSERVED, _figures(deps, now))
        uow.commit()
    assert published is not None
    return published


def _for_day(published: dict[str, Any] | None, day: datetime) -> bool:
    return published is not None and datetime.fromisoformat(published["day"]) == day


def _fresh(observed: dict[str, Any] | None, now: datetime) -> bool:
    return observed is not None and timedelta(0) <= now - datetime.fromisoformat(observed["as_of"]) < OBSERVE_EVERY


def _loaded(figures: dict[str, Any], deps: Deps) -> dict[str, Any]:
    """Recorded figures (JSON) as the page and the API give them."""
    shown = {key: value for key, value in figures.items() if key != "day"}
    weeks = [week | {"week": date.fromisoformat(week["week"])} for week in figures["weeks"]]
    return shown | {"as_of": datetime.fromisoformat(figures["as_of"]).astimezone(deps.site.zone), "weeks": weeks}


def _figures(deps: Deps, as_of: datetime) -> dict[str, Any]:
    """The figures fit to publish (as JSON) of reports and cases as they stand now, up to ``as_of``."""
    weeks = local_days(as_of, deps.site.zone, WEEKS_SHOWN, weeks=True)  # from Monday, in the site's zone
    raw = deps.read.statistics(as_of, access.PUBLIC_REPORTS, access.PUBLIC_CASES,
                               [(start, stop) for _, start, stop in weeks])
    cases: Counter[str] = Counter()
    regions: dict[str, Counter[str]] = {"cases": Counter(), "sightings": Counter()}
    for row in raw["cases"]:
        cases[row["status"]] += row["n"]
        if row["status"] == "open":
            regions["cases"][_province(deps, row)] += row["n"]
    for row in raw["sightings"]:
        regions["sightings"][_province(deps, row)] += row["n"]
    median: dict[str, Any] = raw["median_days"][0] if raw["median_days"] else {"days": None, "n": 0}
    return {
        "as_of": as_of.isoformat(),
        "open_cases": public_count(cases["open"]),
        "reunited": public_count(cases["reunited"]),
        "median_days_to_reunion": round(median["days"]) if median["days"] is not None and int(median["n"] or 0)
        >= SMALL_COUNT else None,
        "sightings": public_count(sum(row["n"] for row in raw["sightings"])),
        "weeks": [{"week": first.isoformat(), "label": first.isoformat(), "approved": public_count(row["approved"])}
                  for (first, _, _), row in zip(weeks, raw["weeks"], strict=True)],
        "regions": {kind: [{"region": region, "count": public_count(n)}
                           for region, n in public_regions(counts, REGIONS_SHOWN)]
                    for kind, counts in regions.items()},
    }


def _province(deps: Deps, row: dict[str, Any]) -> str:
    """The province of a record's public city: the one its place words and its pin's ~1 km cell name, as the
    poster and the browse page read them (``access.public_pin``), in any script (成都, Chengdu and "Guangzhou,
    Guangdong" alike); '' for none, or a place outside mainland China, Hong Kong and Macau."""
    return deps.places.region(row["place"] or "", access.public_pin(row["lat"], row["lon"]))


def review_dashboard(deps: Deps, who: Principal, where: tzinfo) -> dict[str, Any]:
    """For reviewers: each queue's size and oldest item, decisions in each of the last 7 days (the
    reader's days, in the reader's zone ``where``), sources' health."""
    require(who, Permission.MODERATE)
    now = deps.clock.now()
    days = local_days(now, where, 7)
    raw = deps.read.review_dashboard([(start, stop) for _, start, stop in days])
    sources = [row | {"healthy": healthy(row["failures"], row["last_ok_at"], timedelta(seconds=row["interval_s"]),
                                         now)} for row in deps.read.sources()]
    return {"queues": [q | {"age": now - q["oldest"] if q["oldest"] else None} for q in raw["queues"]],
            "throughput": [row | {"day": day} for (day, _, _), row in zip(days, raw["throughput"], strict=True)],
            "sources": sources}
