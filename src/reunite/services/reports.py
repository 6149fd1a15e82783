"""A reporter's hold on their own report: a receipt number and a private link. The link's secret is
derived from the receipt with the site's key (never stored), so it can be shown again when a phone
resends a report it queued offline, and it opens the report to add details or withdraw it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from reunite.domain.errors import InvalidInput, NotFound, bounded
from reunite.domain.model import SeenAtBasis, SeenTime, SightingStatus
from reunite.domain.ports import UnitOfWork
from reunite.domain.quality import report_verdict
from reunite.domain.spelling import without_controls
from reunite.domain.text_limits import TEXT_LIMITS
from reunite.domain.times import CLOCK_SKEW, earliest_given
from reunite.services import idempotency
from reunite.services.deps import Deps
from reunite.services.grouping import leave_group
from reunite.services.place_days import sighting_day_zone
from reunite.services.retention import blank_sighting

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud or typed from a screen
OPEN = (SightingStatus.PENDING, SightingStatus.APPROVED)  # the reporter may add to these
# ... and withdraw these too: a report the moderators did not take up is kept a short while (a mistaken
# rejection can be undone), and is still its sender's to delete at once
WITHDRAWABLE = (*OPEN, SightingStatus.REJECTED)
MAX_DESCRIPTION = 8000


def new_receipt() -> str:
    code = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


def link_token(deps: Deps, receipt: str) -> str:
    digest = hmac.new(deps.secret, f"report-receipt:{receipt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def private_path(deps: Deps, receipt: str) -> str:
    return f"/reports/{receipt}/{link_token(deps, receipt)}"


def issue(uow: UnitOfWork, sighting_id: int, client_key: str | None) -> str:
    """Give a new report its receipt (inside the transaction that stores it)."""
    receipt = new_receipt()
    uow.set_receipt(sighting_id, receipt, client_key)
    return receipt


def already_sent(deps: Deps, client_key: str | None) -> dict[str, Any] | None:
    """The report a phone already sent under this key (a queued report sent again), if any."""
    if not client_key:
        return None
    with deps.uow() as uow:
        return uow.report_by_client_key(client_key[:64])


def open_report(deps: Deps, receipt: str, token: str) -> dict[str, Any]:
    """The report behind a private link; 404 for a wrong receipt or secret alike, and by the same work:
    the link's token is checked (it signs the receipt) before anything is read."""
    receipt = receipt.upper()[:16]
    if not hmac.compare_digest(token.encode(), link_token(deps, receipt).encode()):
        raise NotFound("this report link is not valid")
    with deps.uow() as uow:
        row = uow.report_by_receipt(receipt)
        if row is not None:  # where it stands, in plain words (``stage``): never which case, child or family
            row["stage"] = _stage(row["status"], lambda: uow.report_helped(int(row["id"])),
                                  lambda: uow.report_found(int(row["id"])))
    if row is None:
        raise NotFound("this report link is not valid")
    row["open"] = row["status"] in OPEN
    row["withdrawable"] = row["status"] in WITHDRAWABLE
    row["not_taken_up"] = row["status"] == SightingStatus.REJECTED.value
    # deleted by the daily expiry as promised (rejected: a month after; approved: when its retention ended):
    # blanking keeps its date in moderated_at (``blank_sighting``); the page says so, not "withdrawn or removed"
    row["expired_on"] = row["moderated_at"] if row["status"] == SightingStatus.EXPIRED.value else None
    if row["not_taken_up"]:  # deleted by the daily expiry once this is past (``retention.expire``)
        row["deleted_by"] = row["moderated_at"] + deps.limits.rejected_sighting_retention + timedelta(days=1)
    return row


def _stage(status: str, helped: Callable[[], bool], found: Callable[[], bool]) -> str:
    """Where a report stands for its reporter (probe s28 B7: the page read "with the reviewers" long after it was
    used): ``waiting`` for a moderator (a report added to goes back to them), ``approved`` (shown to the families
    of verified cases, who compare it with their child), ``helped`` once a lead a reviewer confirmed on it belongs to
    a case closed as reunited (docs/privacy.md: only that a child was found, never which child, case or family,
    and nothing before the reunion: a confirmed lead on an open case is never told, as it would tell whoever holds
    a child that the child is looked for); ``found``: a report of a found child's trail no reviewer confirmed, no
    longer shown to families (probe s32 F4: never which child); anything else: ``closed`` (the page says why from
    the status)."""
    if status == SightingStatus.PENDING.value:
        return "waiting"
    if status == SightingStatus.APPROVED.value:
        return "helped" if helped() else "found" if found() else "approved"
    return "closed"


def locked_report(uow: UnitOfWork, row: dict[str, Any], field: str) -> dict[str, Any]:
    """The report ``row`` (``open_report``'s) read again in the transaction that writes, its row locked until the
    commit, still open (``require_open``): what the reporter's answer is checked against. Answers sent at once (a
    double tap, a phone's queue resending, probe s34 H4) then come one after another, each reading what the one
    before wrote: one is kept, and the others are answered as a second answer is."""
    fresh = uow.report_by_receipt(str(row["receipt"]), lock=True)
    if fresh is None:
        raise NotFound("this report link is not valid")
    now = row | fresh | {"open": fresh["status"] in OPEN,
                         "not_taken_up": fresh["status"] == SightingStatus.REJECTED.value}
    require_open(now, field)
    return now


def require_open(row: dict[str, Any], field: str) -> None:
    """Refuse an addition to a report that takes none: withdrawn, removed, expired, or not taken up by
    the moderators (withdrawing it still works; a new sighting is a new report)."""
    if row["not_taken_up"]:
        raise InvalidInput("the reviewers did not take this report up, so nothing can be added to it: if you see the child again, send a new report",  # noqa: E501
                           field=field)
    if not row["open"]:
        raise InvalidInput("this report was withdrawn or removed: nothing can be added", field=field)


def face_check(deps: Deps, receipt: str, token: str) -> str:
    """Whether the report's photos show a face fit to match (``domain.quality.report_verdict``)."""
    row = open_report(deps, receipt, token)
    if not row["open"]:
        return "closed"
    with deps.uow() as uow:
        return report_verdict(uow.report_photos(row["id"]))


MAX_DETAILS = TEXT_LIMITS["details"]
REPEAT_WINDOW = timedelta(minutes=15)  # the same words again this soon: a page reloaded and sent again
ADDED = re.compile(r"(?:^|\n)\[(\d{4}-\d\d-\d\dT\d\d:\d\dZ)\] ")


def _repeated(description: str, details: str, now: datetime) -> bool:
    """Whether ``details`` are the words last added, and added within ``REPEAT_WINDOW``: what a reloaded
    page (a new key on every load) sends when the reporter taps "Add" again."""
    marks = list(ADDED.finditer(description or ""))
    last = marks[-1] if marks else None
    if last is None or description[last.end():] != details:
        return False
    added = datetime.strptime(last.group(1), "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
    return now - added <= REPEAT_WINDOW


def add_details(deps: Deps, receipt: str, token: str, details: str, contact: str,
                key: idempotency.Key | None = None) -> None:
    """The reporter adds to the description (appended, marked with the instant it was added, which pages
    show in the reader's zone) and may leave or change a contact. The same form sent twice (``key``), or
    the same words as the last added sent again soon after (from a reloaded page), is added once; too
    long a text is refused, never cut."""
    row = open_report(deps, receipt, token)
    require_open(row, "details")
    if idempotency.earlier(deps, key) is not None:
        return  # a double tap or a resend: added already
    details, contact = without_controls(details), bounded(contact, TEXT_LIMITS["contact"], "contact")
    if len(details) > MAX_DETAILS:
        raise InvalidInput("at most {limit} characters can be added at a time: this text has {count}",
                           field="details", limit=MAX_DETAILS, count=len(details))
    if not details and not contact:
        raise InvalidInput("write what you want to add", field="details")
    now: datetime = deps.clock.now()
    description = row["description"]
    if details and _repeated(description, details, now):
        details = ""
        if contact in ("", row["reporter_contact"]):
            return  # answered as the first time: nothing new to add
    if details:
        description = f"{description}\n[{now.astimezone(UTC):%Y-%m-%dT%H:%MZ}] {details}".strip()
        if len(description) > MAX_DESCRIPTION:
            raise InvalidInput("this report has no room for more details", field="details")
    with deps.uow() as uow:
        if idempotency.remember(uow, key, {"added": True}) is not None:
            return  # a concurrent resend was added first
        uow.add_report_details(row["id"], description, contact or row["reporter_contact"])
        uow.audit("reporter", "sighting.details_added", "sighting", row["id"], contact=bool(contact))
        held_again(deps, uow, row)
        uow.commit()


class Given(NamedTuple):
    """A time or place the reporter gave: the report's id, and whether it was kept for the moderators (``held``:
    a report approved once, whose time and place stay until a moderator reads the change) rather than used."""
    id: int
    held: bool = False


def moderated_once(row: dict[str, Any]) -> bool:
    """Whether a moderator approved the report once (approved, or held again since): families may have compared it,
    and a reviewer may have confirmed a lead on it (decided on its time and place). Its time and place then change
    only through the moderators, the same for every such report, so the private link never tells whether a lead
    was confirmed (probe s40 A2)."""
    return row["moderated_at"] is not None and row["status"] in (s.value for s in OPEN)


def require_changeable(row: dict[str, Any], field: str) -> None:
    """Refuse a change of time or place on a report whose part is over (``stage`` helped or found: a child was
    found), whose record stays as it was when the case ended; a correction goes in the details, for staff."""
    if row.get("stage") in ("helped", "found"):
        raise InvalidInput("this report's time and place can no longer be changed: write a correction in the details",
                           field=field)


def kept_for_moderators(deps: Deps, uow: UnitOfWork, row: dict[str, Any], said: str, field: str) -> None:
    """A time or place the reporter gives for a report approved once (``moderated_once``): not used, but added to
    the report's details, marked with the instant, and the report held for the moderators again (``held_again``),
    so that a lead decided on the report keeps the time and place it was decided on."""
    now: datetime = deps.clock.now()
    description = f"{row['description'] or ''}\n[{now.astimezone(UTC):%Y-%m-%dT%H:%MZ}] {said}".strip()
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput("this report has no room for more details", field=field)
    uow.add_report_details(row["id"], description, row["reporter_contact"])
    held_again(deps, uow, row)


def give_time(deps: Deps, receipt: str, token: str, when: datetime | None,
              key: idempotency.Key | None = None, read_in: str = "") -> Given:
    """The reporter says when they saw the child, for a report that had no time (none given, or the photo's
    clock implausible: dated by its arrival, ``SeenAtBasis.ARRIVAL``) or whose time is the photo's clock
    (a camera set wrong): it becomes the time seen, given by the reporter, once, and the report is matched
    again on it. A time the reporter gave is kept (a correction goes in the details, for the moderators); a
    time after the report arrived, or before any child in it can have been seen (``times.earliest_given``), is
    refused. The same time sent again (a retry without a key) is answered as given. A report approved once keeps
    its time: the one given goes to the moderators in its details (``kept_for_moderators``, ``held``); one whose
    part is over is refused (``require_changeable``). ``read_in``: the zone a time read from the reporter's words
    (an email's) was read in (``SeenTime.zone``)."""
    row = open_report(deps, receipt, token)
    require_open(row, "seen_at")
    require_changeable(row, "seen_at")
    held = moderated_once(row)
    if idempotency.earlier(deps, key) is not None:
        return Given(int(row["id"]), held)  # a double tap or a resend: given already
    if when is None:
        raise InvalidInput("say when you saw the child", field="seen_at")
    if when.tzinfo is None:
        raise InvalidInput("the time needs a time zone", field="seen_at")
    if _time_given(deps, row, when):
        return Given(int(row["id"]))  # this very time is the report's: nothing to change
    with deps.uow() as uow:
        row = locked_report(uow, row, "seen_at")  # checked again, locked: answers sent at once, one after another
        held = moderated_once(row)
        if _time_given(deps, row, when) or idempotency.remember(uow, key, {"given": True}) is not None:
            return Given(int(row["id"]), held)  # given meanwhile, or a concurrent resend was given first
        if held:
            kept_for_moderators(deps, uow, row, f"Time seen, given on the report's link: "
                                f"{when.isoformat(timespec='minutes')}", "seen_at")
            uow.audit("reporter", "sighting.time_proposed", "sighting", row["id"], was=row["seen_at"].isoformat(),
                      given=when.isoformat())
            uow.commit()
            return Given(int(row["id"]), held)
        given = row | {"seen_at": when, "seen_at_basis": SeenAtBasis.GIVEN.value}
        # a time's offset may date it
        uow.set_seen_time(row["id"], SeenTime(when, zone=read_in), sighting_day_zone(deps, given))
        uow.audit("reporter", "sighting.time_given", "sighting", row["id"], was=row["seen_at"].isoformat(),
                  was_basis=row["seen_at_basis"], given=when.isoformat())
        held_again(deps, uow, row)
        uow.enqueue("faces.process_sighting", lock=f"sighting-{row['id']}", sighting_id=row["id"])
        uow.commit()
    return Given(int(row["id"]))


def _time_given(deps: Deps, row: dict[str, Any], when: datetime) -> bool:
    """Whether ``when`` is the report's time already, given by its reporter (nothing to change); refused when the report
    has its time (given, or from its photos or the phone), or ``when`` is after it was sent or too long before."""
    if row["seen_at_basis"] == SeenAtBasis.GIVEN.value and row["seen_at"] == when:
        return True
    if row["seen_at_basis"] not in (SeenAtBasis.ARRIVAL.value, SeenAtBasis.CAMERA.value,
                                    SeenAtBasis.CAMERA_ZONE_ASSUMED.value):
        raise InvalidInput("this report has its time already: write a correction in the details", field="seen_at")
    if when > row["created_at"] + CLOCK_SKEW:
        raise InvalidInput("{when} is after your report was sent: when did you see the child?", field="seen_at",
                           when=when)
    if when < earliest_given(row["created_at"], deps.limits.sighting_years):  # as a report's own time (intake)
        raise InvalidInput("{when} is too long before your report was sent: when did you see the child?",
                           field="seen_at", when=when)
    return False


def held_again(deps: Deps, uow: UnitOfWork, row: dict[str, Any]) -> None:
    """An approved report the reporter adds to (words or a photo) goes back to the moderators' queue:
    families see it again only once a moderator has approved it with what was added (anyone holding the
    link could otherwise reach families with words or pictures no moderator has seen)."""
    if row["status"] != SightingStatus.APPROVED.value:
        return
    uow.moderate_sighting(row["id"], SightingStatus.PENDING.value, "changed by the reporter", "reporter",
                          deps.clock.now())
    uow.audit("reporter", "sighting.held_for_moderation", "sighting", row["id"])
    leave_group(deps, uow, row["id"])  # pending again: in no group until a moderator approves it again


def withdraw(deps: Deps, receipt: str, token: str, sure: bool) -> None:
    """The reporter takes the report back (``sure``: they ticked the box saying it cannot be undone):
    its photos, faces and words are deleted at once, whether it waits, was approved or was not taken up."""
    row = open_report(deps, receipt, token)
    if not row["withdrawable"]:
        return  # withdrawn already: the same answer again
    if not sure:
        raise InvalidInput("tick the box to confirm that your report and its photos should be deleted",
                           field="sure")
    with deps.uow() as uow:
        unused = blank_sighting(deps, uow, row["id"], SightingStatus.WITHDRAWN.value)
        uow.audit("reporter", "sighting.withdrawn", "sighting", row["id"])
        uow.commit()
    for key in unused:
        deps.photos.delete(key)
