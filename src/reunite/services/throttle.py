"""Rate limits (fixed windows counted in PostgreSQL, so every server and worker shares them) and the
proof-of-work that lets an anonymous reporter send more than a handful of reports an hour."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

from reunite.domain.abuse import lockout, pow_challenge, pow_valid, window_start
from reunite.domain.access import Principal
from reunite.domain.errors import InvalidInput, PayloadTooLarge, TooManyRequests, UnsupportedMedia
from reunite.services import idempotency
from reunite.services.deps import Deps

HOUR = timedelta(hours=1)
Counted = tuple[str, datetime]  # a counter's key and window, as counted
FORGET_FAILURES = timedelta(hours=24)  # a day without failures starts the count again


def who_key(who: Principal, ip: str) -> str:
    """Signed-in people and partners are counted by account or token; everyone else by address."""
    return who.actor if who.signed_in else f"ip:{ip}"


def hit(deps: Deps, key: str, limit: int, window: timedelta = HOUR, at: datetime | None = None) -> Counted:
    """Count one request (in the window holding ``at``, default now); 429 once ``key`` passes
    ``limit`` there. Counted in a transaction of its own, so refused attempts count too."""
    start = window_start(at or deps.clock.now(), window)
    with deps.uow() as uow:
        count = uow.count_hit(key, start)
        uow.commit(durable=False)  # a counter: not worth a wait for the disk on every request
    if count > limit:
        _too_many(deps, start, window, limit)
    return key, start


def _too_many(deps: Deps, start: datetime, window: timedelta, limit: int) -> NoReturn:
    minutes = int(window.total_seconds() // 60)
    wait = (start + window - deps.clock.now()).total_seconds()
    raise TooManyRequests("too many requests: at most {limit} in {minutes} minutes; try again in {wait} min",
                          retry_after=math.ceil(wait), limit=limit, minutes=minutes, wait=max(1, math.ceil(wait / 60)))


def action_limit(deps: Deps, who: Principal, action: str, ip: str, per_hour: int) -> Counted:
    limit = deps.limits.partner_requests_per_hour if who.token_id is not None else per_hour
    return hit(deps, f"{action}:{who_key(who, ip)}", limit)


def retry_or_count(deps: Deps, key: idempotency.Key | None, who: Principal, action: str, ip: str,
                   per_hour: int) -> dict[str, Any] | None:
    """The first answer under ``key`` when this request is its retry: a replay, which no limit counts.
    Otherwise None, once the request is counted as ``action_limit`` counts it (429 past the limit)."""
    if (first := idempotency.earlier(deps, key)) is None:
        action_limit(deps, who, action, ip, per_hour)
    return first


def challenge(deps: Deps) -> str:
    return pow_challenge(deps.secret, deps.clock.now(), deps.limits.proof_of_work_bits)


def report_limit(deps: Deps, who: Principal, ip: str, proof: tuple[str, str] | None) -> Counted:
    """Reports: the normal hourly limit with a solved, unused puzzle (or when signed in); a much
    smaller one for anonymous senders without it (no JavaScript, or a script that skips it).
    The count it made (for ``report_attempt`` to take back if the report is refused)."""
    if who.signed_in:
        return action_limit(deps, who, "report", ip, deps.limits.reports_per_hour)
    solved = proof is not None and pow_valid(deps.secret, proof[0], proof[1], deps.clock.now())
    if solved and proof is not None:
        issued = datetime.fromtimestamp(int(proof[0].split(".")[0]), tz=UTC)
        try:
            hit(deps, f"pow:{proof[0]}", 1, timedelta(days=1), at=issued)  # each puzzle buys one report
        except TooManyRequests:  # not a day's wait: a fresh puzzle lets the report through at once
            raise TooManyRequests("this puzzle was used already: each one buys one report; fetch a new one (GET /api/pow; the report page fetches one itself) and send again",  # noqa: E501
                                  retry_after=1, field="pow_challenge") from None
        return hit(deps, f"report:ip:{ip}", deps.limits.reports_per_hour)
    return hit(deps, f"report-unproved:ip:{ip}", deps.limits.reports_per_hour_without_proof)


class ReportAttempt:
    """One report being sent: ``count`` it against the hourly limit once it is read and well formed."""

    def __init__(self, deps: Deps, who: Principal, ip: str) -> None:
        self.deps, self.who, self.ip = deps, who, ip
        self.counted: Counted | None = None

    def count(self, proof: tuple[str, str] | None) -> None:
        self.counted = report_limit(self.deps, self.who, self.ip, proof)


@contextmanager
def report_attempt(deps: Deps, who: Principal, ip: str) -> Iterator[ReportAttempt]:
    """A report that is refused for its input (422, 413, 415) does not count against the sender's hourly
    limit of reports: what it counted is taken back, so that the corrected report goes through. It
    counts instead against a larger limit of refused reports (``refused_reports_per_hour``), checked
    before any work: past it, a sender's reports are answered 429 at once, so a flood of bad reports
    costs one small query each (and, anonymously with a script, a solved puzzle each)."""
    refused_key, limit = f"report-refused:{who_key(who, ip)}", deps.limits.refused_reports_per_hour
    start = window_start(deps.clock.now(), HOUR)
    with deps.uow() as uow:
        spent = uow.hits(refused_key, start)
    if spent >= limit:
        _too_many(deps, start, HOUR, limit)
    attempt = ReportAttempt(deps, who, ip)
    try:
        yield attempt
    except (InvalidInput, PayloadTooLarge, UnsupportedMedia):
        with deps.uow() as uow:
            if attempt.counted is not None:
                uow.uncount_hit(*attempt.counted)
            uow.count_hit(refused_key, start)
            uow.commit(durable=False)
        raise


def refuse_while_locked(deps: Deps, keys: Sequence[str]) -> None:
    """429 (with how long to wait) while any of ``keys`` is locked after failures in a row. Checked
    before any costly work, so a locked attacker costs one small query per attempt."""
    now = deps.clock.now()
    with deps.uow() as uow:
        until = max((row[1] for key in keys if (row := uow.backoff(key)) and row[1] and row[1] > now), default=None)
    if until is not None:
        seconds = math.ceil((until - now).total_seconds())
        raise TooManyRequests("too many failed sign-ins: wait {minutes} min and try again",
                              retry_after=seconds, minutes=math.ceil(seconds / 60))


def failed(deps: Deps, keys: Sequence[tuple[str, int]]) -> None:
    """One more failure in a row for each (key, failures allowed before a lock)."""
    now, limits = deps.clock.now(), deps.limits
    with deps.uow() as uow:
        for key, free in keys:
            row = uow.backoff(key)
            failures = row[0] + 1 if row and now - row[2] < FORGET_FAILURES else 1
            lock = lockout(failures, free, limits.sign_in_lockout, limits.sign_in_lockout_max)
            uow.set_backoff(key, failures, now + lock if lock else None, now)
        uow.commit()


def succeeded(deps: Deps, keys: Sequence[str]) -> None:
    """A success ends the run of failures for each key: counts are of failures in a row."""
    with deps.uow() as uow:
        for key in keys:
            uow.clear_backoff(key)
        uow.commit()
