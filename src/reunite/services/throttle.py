"""Rate limits (sliding windows counted in PostgreSQL, so every server and worker shares them: "at most 5 in
60 minutes" is what happens, and the wait a refusal names is when one more fits) and the proof-of-work that
lets an anonymous reporter send more than a handful of reports an hour: a solved puzzle buys a report whatever
others at the same address sent, the puzzle growing harder with each report past the address's free ones."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn, Protocol

from reunite.domain.abuse import (
    BUCKET,
    counted_from,
    free_at,
    lockout,
    pow_bits,
    pow_challenge,
    pow_valid,
    puzzle_bits,
    window_start,
)
from reunite.domain.access import Principal
from reunite.domain.errors import InvalidInput, PayloadTooLarge, TooManyRequests, UnsupportedMedia
from reunite.domain.ports import UnitOfWork
from reunite.services import idempotency
from reunite.services.deps import Deps

HOUR = timedelta(hours=1)
Counted = tuple[str, datetime]  # a counter's key and the minute it counted in
Counts = list[tuple[datetime, int]]  # a key's minutes still in its window, each with its count
FORGET_FAILURES = timedelta(hours=24)  # a day without failures starts the count again


def who_key(who: Principal, ip: str) -> str:
    """Signed-in people and partners are counted by account or token; everyone else by address."""
    return who.actor if who.signed_in else f"ip:{ip}"


def in_window(uow: UnitOfWork, key: str, now: datetime, window: timedelta = HOUR) -> Counts:
    """What ``key`` counted in the sliding window ending ``now`` (``abuse.counted_from``), minute by minute."""
    return uow.counts_since(key, counted_from(now, window))


def recent(uow: UnitOfWork, key: str, now: datetime, window: timedelta = HOUR) -> int:
    """How many times ``key`` was counted in the sliding window ending ``now``."""
    return sum(n for _, n in in_window(uow, key, now, window))


def count(uow: UnitOfWork, key: str, now: datetime, window: timedelta = HOUR, n: int = 1) -> tuple[Counted, Counts]:
    """Count ``n`` (one) more for ``key`` now: where it was counted, and the window's counts with it."""
    minute = window_start(now, BUCKET)
    uow.count_hit(key, minute, n)
    return (key, minute), in_window(uow, key, now, window)


def wait_seconds(deps: Deps, counts: Counts, limit: int, window: timedelta = HOUR, need: int = 1) -> int:
    """Seconds until ``need`` (one) more fit under ``limit`` (at least 1)."""
    free = free_at(counts, limit, window, need)
    return max(1, math.ceil((free - deps.clock.now()).total_seconds())) if free else 1


def wait_minutes(seconds: int, window: timedelta | None = HOUR) -> int:
    """The wait a refusal names, in whole minutes: the seconds rounded up, never more than the window the
    message names (a request counts for 60 to 61 minutes in a 60-minute window, ``abuse.BUCKET``: "try again in
    61 minutes" for "at most 5 in 60 minutes" read as a mistake, probe s21 U7). Every rate limit's message says
    its wait through this. ``window`` None: no window is named (a sign-in lock's own length)."""
    minutes = max(1, math.ceil(seconds / 60))
    return minutes if window is None else min(minutes, max(1, int(window.total_seconds() // 60)))


class Refusal(Protocol):
    """The 429 for a request past its limit (``counts``: the window's, without it)."""

    def __call__(self, deps: Deps, counts: Counts, window: timedelta, limit: int) -> NoReturn: ...


def _too_many(deps: Deps, counts: Counts, window: timedelta, limit: int) -> NoReturn:
    minutes = int(window.total_seconds() // 60)
    wait = wait_seconds(deps, counts, limit, window)
    raise TooManyRequests("too many requests: at most {limit} in {minutes} minutes; try again in {wait} min",
                          retry_after=wait, limit=limit, minutes=minutes, wait=wait_minutes(wait, window))


def hit(deps: Deps, key: str, limit: int, window: timedelta = HOUR, refusal: Refusal = _too_many) -> Counted:
    """Count one request; 429 (``refusal``) once ``key`` passes ``limit`` in the sliding ``window`` ending
    now. Counted in a transaction of its own, so requests refused later (a wrong password, a bad form) count
    too; one refused here is not counted, so that the wait it is told is true (asking again sooner changes
    nothing)."""
    now = deps.clock.now()
    with deps.uow() as uow:
        counted, counts = count(uow, key, now, window)
        if sum(n for _, n in counts) > limit:
            uow.uncount_hit(*counted)
            uow.commit(durable=False)
            refusal(deps, [(start, n - (start == counted[1])) for start, n in counts], window, limit)
        uow.commit(durable=False)  # a counter: not worth a wait for the disk on every request
    return counted


def uncount(deps: Deps, counted: Counted) -> None:
    """Take back one counted by ``hit``: what it counted for did not happen (an email that could not go)."""
    with deps.uow() as uow:
        uow.uncount_hit(*counted)
        uow.commit(durable=False)


def _network_busy(deps: Deps, counts: Counts, window: timedelta, limit: int) -> NoReturn:
    """An anonymous report with a solved puzzle past its address's ceiling: the words say it was the
    network (many people may share the address), never "at most N", which blames a witness for reports
    others sent."""
    wait = wait_seconds(deps, counts, limit, window)
    raise TooManyRequests("many reports were sent from your network in the last hour (many phones, or a shared Wi-Fi, may use one internet address): this report could not be taken now; send it again in {wait} min",  # noqa: E501
                          retry_after=wait, wait=wait_minutes(wait, window))


def _network_busy_without_puzzle(deps: Deps, counts: Counts, window: timedelta, limit: int) -> NoReturn:
    """An anonymous report without a solved puzzle (no JavaScript) past its address's smaller limit."""
    wait = wait_seconds(deps, counts, limit, window)
    raise TooManyRequests("many reports without the report page's script were sent from your network in the last hour (many phones, or a shared Wi-Fi, may use one internet address): this report could not be taken now; send it again in {wait} min, or now from a browser with JavaScript on",  # noqa: E501
                          retry_after=wait, wait=wait_minutes(wait, window))


def records_limit(deps: Deps, who: Principal, records: int, counted: bool = True) -> None:
    """An import of ``records`` records (PFIF persons and notes, a sheet's rows) by an API token or an account:
    refused whole past ``import_records_per_request`` (413), or when it would take ``who`` past
    ``imported_records_per_hour`` (429, with the wait); counted otherwise (unless not ``counted``: a dry run).
    The command line has no limit."""
    if not who.signed_in:
        return
    most = deps.limits.import_records_per_request
    if records > most:
        raise PayloadTooLarge("too many records in one import: {count}; at most {limit} per request: send them in several parts",  # noqa: E501
                              field="file", count=records, limit=most)
    limit, now = deps.limits.imported_records_per_hour, deps.clock.now()
    if not counted:  # a dry run writes nothing
        return
    with deps.uow() as uow:
        (key, minute), counts = count(uow, f"import:{who.actor}", now, HOUR, records)
        if sum(n for _, n in counts) > limit:
            uow.uncount_hit(key, minute, records)
            uow.commit(durable=False)
            left = [(start, n - (records if start == minute else 0)) for start, n in counts]
            wait = wait_seconds(deps, left, limit, HOUR, min(records, limit))
            raise TooManyRequests("too many records imported: at most {limit} an hour; this import holds {count}; try again in {wait} min",  # noqa: E501
                                  retry_after=wait, limit=limit, count=records, wait=wait_minutes(wait))
        uow.commit(durable=False)


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


def _bits_needed(deps: Deps, uow: UnitOfWork, ip: str) -> int:
    """The difficulty ``ip``'s next anonymous report needs: it grows with the reports the address sent with a
    puzzle in the last hour (``abuse.puzzle_bits``)."""
    limits = deps.limits
    sent = recent(uow, f"report:ip:{ip}", deps.clock.now())
    return puzzle_bits(limits.proof_of_work_bits, limits.proof_of_work_max_bits, limits.reports_per_hour, sent)


def challenge(deps: Deps, ip: str) -> str:
    """A puzzle for ``ip``'s next anonymous report, as hard as its address's reports of the hour ask."""
    with deps.uow() as uow:
        bits = _bits_needed(deps, uow, ip)
    return pow_challenge(deps.secret, deps.clock.now(), bits)


# a puzzle sent with a report: solved and never used before, used already, or solved but easier than its
# address now needs (served before others there sent theirs: a fresh one is fetched and solved)
FRESH, USED, EASY = "fresh", "used", "easy"


def _puzzle_count(proof: tuple[str, str]) -> tuple[str, datetime]:
    """Where a puzzle's uses are counted: its challenge, in the day it was issued."""
    issued = datetime.fromtimestamp(int(proof[0].split(".")[0]), tz=UTC)
    return f"pow:{proof[0]}", window_start(issued, timedelta(days=1))


def spend_puzzle(deps: Deps, proof: tuple[str, str] | None, ip: str) -> str:
    """FRESH when ``proof`` is a solved, unexpired puzzle never sent before, as hard as ``ip`` now needs
    (spent now: each one buys one report, accepted or refused), USED when it was sent before, EASY when it
    is easier than the address now needs (not spent), "" when there is none or it is not solved."""
    if proof is None or not pow_valid(deps.secret, proof[0], proof[1], deps.clock.now()):
        return ""
    with deps.uow() as uow:
        if uow.hits(*_puzzle_count(proof)) == 0 and pow_bits(proof[0]) < _bits_needed(deps, uow, ip):
            return EASY
        sent = uow.count_hit(*_puzzle_count(proof))
        uow.commit(durable=False)
    return FRESH if sent == 1 else USED


def fresh_puzzle(deps: Deps, proof: tuple[str, str] | None, ip: str) -> bool:
    """Whether ``proof`` is a solved, unexpired puzzle never sent before, as hard as ``ip`` now needs
    (nothing spent: the report's attempt spends it)."""
    if proof is None or not pow_valid(deps.secret, proof[0], proof[1], deps.clock.now()):
        return False
    with deps.uow() as uow:
        return uow.hits(*_puzzle_count(proof)) == 0 and pow_bits(proof[0]) >= _bits_needed(deps, uow, ip)


def address_flooded(deps: Deps, ip: str) -> Counts | None:
    """An address's refused reports (without a fresh puzzle) in the last hour, when they are as many as an
    hour allows (else None)."""
    with deps.uow() as uow:
        spent = in_window(uow, f"report-refused:ip:{ip}", deps.clock.now())
    return spent if sum(n for _, n in spent) >= deps.limits.refused_reports_per_hour else None


def flooded_address_error(deps: Deps, spent: Counts) -> TooManyRequests:
    """429 for an anonymous report past its address's limit of refused reports, saying how to get through."""
    wait = wait_seconds(deps, spent, deps.limits.refused_reports_per_hour)
    return TooManyRequests("too many refused reports from this address: send the report with a solved puzzle (GET /api/pow; the report page solves one itself), or try again in {wait} min",  # noqa: E501
                           retry_after=wait, wait=wait_minutes(wait))


def refused_too_often(deps: Deps, who: Principal, refused: Counts) -> TooManyRequests | None:
    """For a partner's token, past its limit of refused reports in the last hour: the 429 its refused reports
    get until they are fewer again (its well-formed reports are still accepted: one careless user of a
    partner's app does not shut out every witness using it). None below the limit, and for everyone else."""
    limit = deps.limits.refused_reports_per_hour
    if who.token_id is None or sum(n for _, n in refused) <= limit:
        return None
    wait = wait_seconds(deps, refused, limit)  # until one more refused report is within the limit again
    return TooManyRequests("too many refused reports from this token: more than {limit} in 60 minutes; this report was refused too. Well-formed reports are still accepted: check what your app sends (its refused reports in the last 60 minutes fall below the limit in {wait} min)",  # noqa: E501
                           retry_after=wait, limit=limit, wait=wait_minutes(wait))


class ReportAttempt:
    """One report being sent. An anonymous sender's puzzle is checked and spent as the attempt starts,
    before the report is read; ``count`` counts it against the hourly limit once it is read and well formed:
    signed in, by account or token; with a fresh puzzle (as hard as the address's reports of the hour ask),
    only a very high ceiling per address (``puzzle_reports_per_hour``), so that nobody's flood from a shared
    address keeps a witness who solves the puzzle out; without one (no JavaScript, or a script that skips
    it), a small limit per address."""

    def __init__(self, deps: Deps, who: Principal, ip: str, proof: tuple[str, str] | None) -> None:
        self.deps, self.who, self.ip = deps, who, ip
        self.puzzle = "" if who.signed_in else spend_puzzle(deps, proof, ip)
        self.counted: Counted | None = None

    @property
    def solved(self) -> bool:
        """Whether the sender sent a solved puzzle of this site's (fresh, or spent by this very request
        sent before): what only that client holds, which names its retry (``idempotency.holder``)."""
        return self.puzzle in (FRESH, USED)

    @property
    def refused_key(self) -> str | None:
        """Where this attempt's refusal is counted: the account or token's own count, an address's for
        anonymous senders without a fresh puzzle; none with one (the refusal cost its sender the puzzle)."""
        return None if self.puzzle == FRESH else f"report-refused:{who_key(self.who, self.ip)}"

    def refuse_if_flooded(self) -> None:
        """429 at once (one small query) past the limit of refused reports; never with a fresh puzzle, so
        that nobody else's bad reports from a shared address keep a witness out, and never for a partner's
        token, whose well-formed reports are accepted whatever its refused ones (``refused_too_often``).
        A puzzle easier than the address now needs is refused first, before the report is read (it was
        never spent, so nothing else bounds its reuse): "fetch a new one", which the page does at once."""
        if self.puzzle == EASY:  # not a wait: a fresh puzzle, as hard as the address now needs, lets it through
            self.refused()
            raise TooManyRequests("this puzzle is too easy now: more reports were sent from your network since it was given, and each one past the first few needs a harder puzzle; fetch a new one (GET /api/pow; the report page fetches one itself) and send again",  # noqa: E501
                                  retry_after=1, field="pow_challenge")
        limit = self.deps.limits.refused_reports_per_hour
        if self.refused_key is None or self.who.token_id is not None:
            return
        with self.deps.uow() as uow:
            spent = in_window(uow, self.refused_key, self.deps.clock.now())
        if sum(n for _, n in spent) < limit:
            return
        if not self.who.signed_in:
            raise flooded_address_error(self.deps, spent)
        wait = wait_seconds(self.deps, spent, limit)
        raise TooManyRequests("too many refused reports from this account: at most {limit} in 60 minutes; try again in {wait} min",  # noqa: E501
                              retry_after=wait, limit=limit, wait=wait_minutes(wait))

    def count(self, once: str | None = None) -> None:
        """Count the report against the hourly limit; ``once``: the request's key (``idempotency.Key.name``),
        so that copies of one request sent at once (a double tap, a phone's resend) count once between them
        (probe s40 A6): the first copy's count is marked in the same transaction, which the others wait for
        (a copy refused 429 marks nothing, so the next copy is counted and refused alike)."""
        if once is None:
            self._count()
            return
        with self.deps.uow() as uow:
            if not uow.remember_result(f"report-counted:{once}", {"counted": True}):
                return  # a copy of this very request was counted already
            self._count()
            uow.commit(durable=False)

    def _count(self) -> None:
        deps, who, ip = self.deps, self.who, self.ip
        if who.signed_in:
            self.counted = action_limit(deps, who, "report", ip, deps.limits.reports_per_hour)
        elif self.puzzle == FRESH:
            self.counted = hit(deps, f"report:ip:{ip}", deps.limits.puzzle_reports_per_hour, refusal=_network_busy)
        elif self.puzzle == USED:  # not a day's wait: a fresh puzzle lets the report through at once
            self.refused()
            raise TooManyRequests("this puzzle was used already: each one buys one report; fetch a new one (GET /api/pow; the report page fetches one itself) and send again",  # noqa: E501
                                  retry_after=1, field="pow_challenge")
        else:
            self.counted = hit(deps, f"report-unproved:ip:{ip}", deps.limits.reports_per_hour_without_proof,
                               refusal=_network_busy_without_puzzle)

    def refused(self) -> Counts:
        """The report was refused: what it counted against the hourly limit is taken back, and the refusal
        counted where ``refused_key`` says. The refusals counted there in the last hour (none: not counted)."""
        refusals: Counts = []
        with self.deps.uow() as uow:
            if self.counted is not None:
                uow.uncount_hit(*self.counted)
                self.counted = None
            if self.refused_key is not None:
                _, refusals = count(uow, self.refused_key, self.deps.clock.now())
            uow.commit(durable=False)
        return refusals


@contextmanager
def report_attempt(deps: Deps, who: Principal, ip: str, proof: tuple[str, str] | None) -> Iterator[ReportAttempt]:
    """A report that is refused for its input (422, 413, 415) does not count against the sender's hourly
    limit of reports: what it counted is taken back, so that the corrected report goes through. What bounds
    refused reports instead: an anonymous sender's puzzle is spent before the report is read, so each
    refused report with a puzzle costs a solved puzzle; the others count against a limit of refused
    reports (``refused_reports_per_hour``) per account or token, or per address for anonymous senders
    without a fresh puzzle, checked before any work: past it, such reports are answered 429 at once
    (before their body is read: ``entrypoints.api.flood``). A sender with a fresh puzzle is never held back
    by what others at the same address sent, and a partner's token only in its refused reports: past its
    limit they are answered 429 (saying so), its well-formed reports accepted."""
    attempt = ReportAttempt(deps, who, ip, proof)
    attempt.refuse_if_flooded()
    try:
        yield attempt
    except (InvalidInput, PayloadTooLarge, UnsupportedMedia) as exc:
        if (too_many := refused_too_often(deps, who, attempt.refused())) is not None:
            raise too_many from exc
        raise


def refused_before_read(deps: Deps, who: Principal, ip: str) -> TooManyRequests | None:
    """A report the framework refused before the route read it (a field of the wrong type, a time
    without its zone): counted among the refused reports of its sender (by address when anonymous);
    for a token past its limit, the 429 to answer instead (``refused_too_often``)."""
    with deps.uow() as uow:
        _, refusals = count(uow, f"report-refused:{who_key(who, ip)}", deps.clock.now())
        uow.commit(durable=False)
    return refused_too_often(deps, who, refusals)


def refuse_while_locked(deps: Deps, keys: Sequence[str]) -> None:
    """429 (with how long to wait) while any of ``keys`` is locked after failures in a row. Checked
    before any costly work, so a locked attacker costs one small query per attempt."""
    now = deps.clock.now()
    with deps.uow() as uow:
        until = max((row[1] for key in keys if (row := uow.backoff(key)) and row[1] and row[1] > now), default=None)
    if until is not None:
        seconds = math.ceil((until - now).total_seconds())
        raise TooManyRequests("too many failed sign-ins: wait {minutes} min and try again",
                              retry_after=seconds, minutes=wait_minutes(seconds, None))


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
