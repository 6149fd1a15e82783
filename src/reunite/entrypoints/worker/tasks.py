"""The background jobs. Each task takes ids only and calls one service; all are idempotent."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import procrastinate
from procrastinate import BaseRetryStrategy, PsycopgConnector, RetryDecision, RetryStrategy
from procrastinate.jobs import Job
from sqlalchemy.exc import SQLAlchemyError

from reunite.adapters.db.uow import DELIVERY_QUEUE, QUEUE
from reunite.domain.errors import FaceEngineUnavailable, PhotoStoreUnavailable
from reunite.domain.model import PhotoOwner
from reunite.domain.times import daily_cron
from reunite.entrypoints.logs import ENGINE_FAILURES
from reunite.services import (
    case_events,
    case_notices,
    notices,
    reach,
    recipes,
    recovery,
    retention,
    signup,
    sources,
    stats,
)
from reunite.services.deps import Deps
from reunite.services.matching import match_sighting, process_and_match, rescore_group

log = logging.getLogger("reunite.worker")
RETRY = RetryStrategy(max_attempts=5, exponential_wait=2)
# emails and webhooks: retried 2, 4, 8 … 1024 s apart (about half an hour in all); the outbox keeps each try
DELIVERY_RETRY = RetryStrategy(max_attempts=10, exponential_wait=2)
ENGINE_WAIT_MAX = 3600  # seconds
DELIVERY_CONCURRENCY = 4  # webhook deliveries at once in each worker process, beside its other jobs (each ≤ 10 s)


class EndedRetry(BaseRetryStrategy):
    """``case.ended`` (what takes a child's photo down from a partner's site) is retried 2, 4, 8 … seconds apart,
    then hourly, for about three days (``ENDED_TRIES``): a receiver down for a weekend is still told (probe s29
    C4), where an alert's tries end after about half an hour."""

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if job.attempts >= ENDED_TRIES:
            return None
        return RetryDecision(retry_in={"seconds": min(3600, 2 ** (job.attempts + 1))})


ENDED_TRIES = 82  # 2 s … 2048 s (about an hour in all), then 71 hours


ENDED_RETRY = EndedRetry()


class FaceJobRetry(BaseRetryStrategy):
    """Face jobs: a face engine that cannot load or run (``FaceEngineUnavailable``) is the
    installation's fault, mended by the operator in minutes or days, and a photo store that cannot be
    reached (``PhotoStoreUnavailable``: S3 restarting or failing over, a mount gone) comes back by itself
    or is mended: their jobs are retried 2, 4, 8 … seconds apart, then hourly, for as long as it takes,
    and never given up (their photos wait, unprocessed, and the moderators' queue says so; /metrics counts
    the engine's failures). Any other failure: ``RETRY``."""

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if isinstance(exception, FaceEngineUnavailable | PhotoStoreUnavailable):
            return RetryDecision(retry_in={"seconds": min(ENGINE_WAIT_MAX, 2 ** min(job.attempts + 1, 12))})
        return RETRY.get_retry_decision(exception=exception, job=job)


FACE_RETRY = FaceJobRetry()


class OutdatedFacesCheck:
    """Once per process: the engine's recipe recorded (for /metrics) and one warning line when stored
    faces were embedded with another. Called as a worker starts (loading the engine, as its first photo
    would); when the engine cannot be built then, tried again, quietly, after each face job that
    succeeds, so that a model file mended without a restart is recorded too."""

    def __init__(self, deps: Deps) -> None:
        self.deps, self.done = deps, False
        self._lock = threading.Lock()

    def __call__(self, quiet: bool = False) -> None:
        with self._lock:
            if self.done:
                return
            try:
                line = recipes.warning(self.deps, record=True)
            except (FaceEngineUnavailable, SQLAlchemyError) as exc:  # its face jobs say so too, and wait
                if not quiet:
                    log.warning("could not compare the stored faces with the face engine's recipe (%s)", exc)
                return
            self.done = True
        if line:
            log.warning(line)


def _webhook_tasks(app: procrastinate.App, deps: Deps) -> None:
    """Alerts to deliver; a case ended, verified and open again, or changed: the webhooks alerted to it are told,
    each by a delivery of its own (``case_events``)."""
    @app.task(name="reach.deliver_alert", queue=DELIVERY_QUEUE, retry=DELIVERY_RETRY)
    def deliver_alert(alert_id: int) -> None:
        reach.deliver_alert(deps, alert_id)

    @app.task(name="reach.case_ended", queue=QUEUE, retry=RETRY)
    def case_ended(case_id: int) -> None:
        log.info("case %d ended: %d webhooks told", case_id, case_events.case_ended(deps, case_id))

    @app.task(name="reach.deliver_ended", queue=DELIVERY_QUEUE, retry=ENDED_RETRY)
    def deliver_ended(alert_id: int) -> None:
        case_events.deliver_ended(deps, alert_id)

    @app.task(name="reach.deliver_restored", queue=DELIVERY_QUEUE, retry=DELIVERY_RETRY)
    def deliver_restored(alert_id: int) -> None:
        case_events.deliver_restored(deps, alert_id)

    @app.task(name="reach.case_updated", queue=QUEUE, retry=RETRY)
    def case_updated(case_id: int) -> None:
        log.info("case %d updated: %d webhooks told", case_id, case_events.case_updated(deps, case_id))

    @app.task(name="reach.deliver_updated", queue=DELIVERY_QUEUE, retry=DELIVERY_RETRY)
    def deliver_updated(alert_id: int) -> None:
        case_events.deliver_updated(deps, alert_id)


def _family_notices(app: procrastinate.App, deps: Deps) -> None:
    """The emails to a case's family (or whoever registered it): a lead confirmed, a message, a removal asked, the
    case verified, held back or rejected."""

    @app.task(name="reach.candidate_confirmed", queue=QUEUE, retry=DELIVERY_RETRY)
    def candidate_confirmed(candidate_id: int, case_id: int) -> None:
        notices.candidate_confirmed(deps, case_id, candidate_id)

    @app.task(name="reach.case_changed", queue=QUEUE, retry=DELIVERY_RETRY)
    def case_changed(case_id: int, notice: str, change: str) -> None:
        case_notices.tell_family(deps, case_id, notice, change)

    @app.task(name="reach.message_sent", queue=QUEUE, retry=DELIVERY_RETRY)
    def message_sent(message_id: int, case_id: int) -> None:
        notices.message_sent(deps, message_id, case_id)

    @app.task(name="takedowns.tell_registrant", queue=QUEUE, retry=DELIVERY_RETRY)
    def tell_registrant(takedown_id: int, stage: str) -> None:
        notices.removal_asked(deps, takedown_id, stage)


# the daily jobs' hour and minute on the site's clocks (REUNITE_TIMEZONE; docs/deploy.md, "The daily jobs"): the
# digest in the morning, before the day's searching begins; expiry, the largest delete the site runs, at night
DAILY = {"daily-digest": (8, 7), "daily-expiry": (3, 17)}


def daily_crons(deps: Deps) -> dict[str, str]:
    """Each daily job's cron line in UTC (procrastinate reads cron in UTC) for its hour on the site's clocks, at
    their offset when the worker starts (probe s37 K7): a change to or from summer time is followed at the next
    start."""
    return {name: daily_cron(hour, minute, deps.site.zone, deps.clock.now()) for name, (hour, minute) in DAILY.items()}


def make_app(database_uri: str, deps: Deps, periodic: bool = True,
             outdated: OutdatedFacesCheck | None = None) -> procrastinate.App:
    """The procrastinate app with Reunite's tasks bound to ``deps``; ``outdated``: this process's check,
    tried again after face jobs until it is done."""
    # procrastinate's pool checks each connection when it is taken (a restarted database costs no job)
    app = procrastinate.App(connector=PsycopgConnector(conninfo=database_uri))
    logging.getLogger("procrastinate.worker").addFilter(ENGINE_FAILURES)  # once: the same filter is not added twice

    def faces_done() -> None:
        if outdated is not None and not outdated.done:
            outdated(quiet=True)

    @app.task(name="faces.process_sighting", queue=QUEUE, retry=FACE_RETRY)
    def process_sighting(sighting_id: int, reembed: bool = False) -> None:
        new = process_and_match(deps, PhotoOwner.SIGHTING, sighting_id, reembed)
        log.info("sighting %d processed, %d new candidates", sighting_id, new)
        faces_done()

    @app.task(name="faces.process_case", queue=QUEUE, retry=FACE_RETRY)
    def process_case(case_id: int, reembed: bool = False) -> None:
        new = process_and_match(deps, PhotoOwner.CASE, case_id, reembed)
        log.info("case %d processed, %d new candidates", case_id, new)
        faces_done()

    @app.task(name="matching.rescore_group", queue=QUEUE, retry=RETRY)
    def rescore(group_id: int) -> None:
        log.info("group %d scored again, %d new candidates", group_id, rescore_group(deps, group_id))

    @app.task(name="matching.rescore_sighting", queue=QUEUE, retry=RETRY)
    def rescore_sighting(sighting_id: int) -> None:  # it left its group (``reunite regroup``)
        log.info("sighting %d scored again, %d new candidates", sighting_id, match_sighting(deps, sighting_id))

    @app.task(name="reach.case_activated", queue=QUEUE, retry=RETRY)
    def case_activated(case_id: int) -> None:
        log.info("case %d active: %d alerts", case_id, reach.alert_round(deps, case_id))

    @app.task(name="reach.alert_round", queue=QUEUE, retry=RETRY)
    def alert_round(case_id: int) -> None:
        log.info("case %d: %d more alerts", case_id, reach.alert_round(deps, case_id))

    _webhook_tasks(app, deps)

    @app.task(name="reach.confirm_subscription", queue=QUEUE, retry=DELIVERY_RETRY)
    def confirm_subscription(subscription_id: int) -> None:
        reach.send_confirmation(deps, subscription_id)

    _family_notices(app, deps)

    @app.task(name="accounts.sign_up_link", queue=QUEUE, retry=DELIVERY_RETRY)
    def sign_up_link(email: str, language: str) -> None:
        signup.send_link(deps, email, language)

    @app.task(name="accounts.reset_link", queue=QUEUE, retry=DELIVERY_RETRY)
    def reset_link(email: str, language: str) -> None:
        recovery.send_link(deps, email, language)

    @app.task(name="reach.tell_reviewers", queue=QUEUE, retry=DELIVERY_RETRY)
    def tell_reviewers() -> None:
        notices.tell_reviewers(deps)

    @app.task(name="reach.digests", queue=QUEUE, retry=DELIVERY_RETRY)
    def digests(timestamp: int) -> None:
        log.info("digests: %d sent", reach.send_digests(deps))

    @app.task(name="retention.expire", queue=QUEUE, retry=RETRY)
    def expire(timestamp: int) -> None:
        sightings, cases = retention.expire(deps)
        log.info("expiry: %d sightings and %d cases blanked", sightings, cases)

    @app.task(name="sources.poll", queue=QUEUE, retry=RETRY)
    def poll_sources(timestamp: int) -> None:
        log.info("sources: %d new sightings", sources.poll_due(deps))

    @app.task(name="stats.observe", queue=QUEUE, retry=RETRY)
    def observe_figures(timestamp: int) -> None:
        stats.observe(deps)

    if periodic:  # daily, at quiet hours of the site's zone (tests run without them); sources every minute
        for periodic_id, cron in daily_crons(deps).items():
            app.periodic(cron=cron, periodic_id=periodic_id)(digests if periodic_id == "daily-digest" else expire)
        app.periodic(cron="* * * * *", periodic_id="poll-sources")(poll_sources)
        app.periodic(cron="*/10 * * * *", periodic_id="public-figures")(observe_figures)  # stats.OBSERVE_EVERY

    return app


async def recover_stalled_jobs(app: procrastinate.App, timeout: float, every: float) -> None:
    """Jobs left 'doing' by a worker that died (kill -9, power loss) go back to the queue.
    Safe because every task is idempotent."""
    while True:
        for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=timeout):
            log.warning("retrying job %s left by a stalled worker", job.id)
            await app.job_manager.retry_job(job)
        await asyncio.sleep(every)


async def run_worker(
    app: procrastinate.App, concurrency: int = 1, *, heartbeat: float = 10.0, stalled_after: float = 30.0,
    wait: bool = True, install_signal_handlers: bool = True, deliveries: int = DELIVERY_CONCURRENCY,
) -> None:
    """Run jobs until cancelled (or, with ``wait=False``, until the queue is empty). Webhook deliveries have a
    queue and a worker of their own (``deliveries`` at once) beside the one for everything else
    (``concurrency``), so that receivers answering slowly never hold back faces, matching or alerts (probe s29
    C3); until empty, one worker takes from both, so that a job one queue's job defers on the other runs too."""
    options: dict[str, Any] = {"wait": wait, "update_heartbeat_interval": heartbeat,
                               "stalled_worker_timeout": stalled_after}
    async with app.open_async():
        recovery = asyncio.create_task(recover_stalled_jobs(app, stalled_after, max(heartbeat, 1.0)))
        try:
            if not wait:
                await app.run_worker_async(queues=[QUEUE, DELIVERY_QUEUE], concurrency=concurrency,
                                           install_signal_handlers=install_signal_handlers, **options)
                return
            workers = [
                asyncio.create_task(app.run_worker_async(queues=[QUEUE], concurrency=concurrency,
                                                         install_signal_handlers=install_signal_handlers, **options)),
                asyncio.create_task(app.run_worker_async(queues=[DELIVERY_QUEUE], concurrency=deliveries,
                                                         install_signal_handlers=False, **options))]
            try:  # either stopping (a signal, a failure) stops both
                done, _ = await asyncio.wait(workers, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for worker in workers:
                    worker.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
            for worker in done:
                worker.result()
        finally:
            recovery.cancel()


async def run_worker_until_cancelled(app: procrastinate.App, concurrency: int = 1, *, retry_after: float = 2.0,
                                     **options: float | bool) -> None:
    """``run_worker`` that outlives database outages: when the worker fails or stops by itself (the
    server was restarted, the network dropped) it starts again a few seconds later, instead of leaving
    jobs unprocessed until someone restarts the process. Only cancelling it ends it."""
    while True:
        try:
            await run_worker(app, concurrency, **options)  # type: ignore[arg-type]
            log.warning("worker stopped by itself; starting again in %.0f s", retry_after)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # any failure: log it, wait, start again
            log.warning("worker stopped (%s: %s); starting again in %.0f s", exc.__class__.__name__, exc, retry_after)
        await asyncio.sleep(retry_after)
