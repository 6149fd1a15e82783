"""Probe s37, K7: the daily jobs ran at fixed UTC times whatever ``REUNITE_TIMEZONE`` said: the digest at 16:07
and expiry (the largest delete the site runs) at 11:17 in China. They now run at quiet hours of the site's own
clocks: the digest at 08:07 in the morning, expiry at 03:17 at night, at the offset the zone keeps when the
worker starts (docs/deploy.md, "The daily jobs")."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from reunite.bootstrap import Container
from reunite.entrypoints.worker.tasks import make_app
from tests.conftest import SettableClock
from tests.e2e.test_times import in_zone


def next_runs(container: Container, now: datetime) -> dict[str, datetime]:
    """When the worker's periodic deferrer, started at ``now``, next defers each daily job (as procrastinate
    reads its cron line), on the site's clocks."""
    deps = replace(container.deps, clock=SettableClock(now))
    app = make_app(container.database_uri, deps)
    tasks = app.periodic_registry.periodic_tasks.values()
    return {task.periodic_id: datetime.fromtimestamp(task.croniter.get_next(ret_type=float, start_time=now.timestamp()),
                                                     deps.site.zone)
            for task in tasks if task.periodic_id.startswith("daily-")}


def test_the_daily_digest_goes_out_in_the_sites_morning_and_expiry_runs_at_its_night(container: Container) -> None:
    """In China (the default zone) the digest came at 16:07 and expiry at 11:17, a late-morning peak (before).
    Now 08:07 and 03:17 China time; an operator in Los Angeles gets them at 08:07 and 03:17 Pacific time, in
    winter and, after a restart, in summer; a zone half an hour off UTC as well."""
    winter, summer = datetime(2026, 12, 5, 12, tzinfo=UTC), datetime(2026, 7, 1, 12, tzinfo=UTC)
    for zone, now in (("Asia/Shanghai", winter), ("America/Los_Angeles", winter), ("America/Los_Angeles", summer),
                      ("Asia/Kolkata", winter)):
        runs = next_runs(in_zone(container, zone), now)
        assert {name: at.strftime("%H:%M") for name, at in runs.items()} == {
            "daily-digest": "08:07", "daily-expiry": "03:17"}, zone
        assert all(at.tzinfo == ZoneInfo(zone) and at > now for at in runs.values())
