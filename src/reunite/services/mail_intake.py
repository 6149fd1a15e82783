"""Sightings sent by email, for people who will not use a web form: the photos attached become a
report waiting for moderation, with the same checks and limits as the form, and the sender gets a
reply in their language saying what happens next (or, without a photo, how to send one). The time
and place the words name are read as a feed post's are, against the message's own Date (its sending time,
in the sender's offset). Only a sender the receiving server vouched
for (SPF, DKIM or DMARC pass for the From domain) gets a reply; anyone else's report is kept, with
the contact marked as not verified for reviewers: a forged From gets no mail and is not trusted."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo

from reunite.domain.access import Principal, Role
from reunite.domain.errors import ReuniteError
from reunite.domain.mailboxes import read_mailbox
from reunite.domain.model import NewSighting, Provenance, Upload
from reunite.domain.said_time import time_in_text, zone_read_in
from reunite.domain.times import CLOCK_SKEW
from reunite.services import intake, throttle
from reunite.services.deps import Deps

log = logging.getLogger("reunite.mail")
MAX_TEXT = 2000
SENDER = Principal(role=Role.ANONYMOUS, name="email")  # reports like a passer-by: pending, never approved
UNVERIFIED = " (sender not verified: the address may be forged)"
DATE_TRUSTED = timedelta(days=7)  # a Date header older than this (or in the future) is not the sending time


def sent_when(deps: Deps, date: datetime | None) -> tuple[datetime, tzinfo]:
    """When the message was sent, and the zone its words are read in: its Date header, in the sender's offset,
    when plausible (a header of ``+0000`` or ``-0000`` names no zone: the site's); else now, in the site's zone."""
    now = deps.clock.now()
    if date is not None and date.tzinfo is None:  # "-0000": a UTC instant, its sender's zone unknown
        date = date.replace(tzinfo=UTC)
    if date is None or not now - DATE_TRUSTED <= date <= now + CLOCK_SKEW:
        return now, deps.site.zone
    return date, date.tzinfo if date.utcoffset() and date.tzinfo else deps.site.zone


def receive(deps: Deps, sender: str, subject: str, text: str, photos: Sequence[Upload], language: str,
            message_id: str = "", verified: bool = False, date: datetime | None = None) -> str:
    """Turn one email into a pending sighting; the reply's kind ("sighting_received",
    "sighting_needs_photo", "sighting_refused"), sent when mail can be sent and the sender is ``verified``."""
    mailbox = read_mailbox(sender)  # the one mailbox a From names; an address not written plainly gets no reply
    sender = (mailbox or sender.strip().rstrip(".")).lower()[:320]
    throttle.hit(deps, f"email:{sender}", deps.limits.reports_per_hour)
    verified = verified and mailbox is not None
    to = sender if verified else ""
    if not photos:
        return _reply(deps, to, "sighting_needs_photo", language, {})
    words = "\n".join(t for t in (subject, text) if t)[:MAX_TEXT]
    sent, zone = sent_when(deps, date)
    said = time_in_text(words, sent, zone)
    sighting = NewSighting(seen_at=said, place=None, place_text=deps.places.words(words)[:500], description=words,
                           reporter_contact=sender if verified else (sender + UNVERIFIED)[:500],
                           seen_at_read_in=zone_read_in(zone, said) if said else "", sent_at=sent)
    try:
        receipt = intake.report_sighting(deps, SENDER, sighting, photos,
                                         Provenance("email", f"mailto:{sender}#{message_id}" if message_id else ""))
    except ReuniteError as exc:
        return _reply(deps, to, "sighting_refused", language, {"reason": exc.message})
    return _reply(deps, to, "sighting_received", language, {"number": receipt.sighting_id})


def _reply(deps: Deps, to: str, kind: str, language: str, context: dict[str, object]) -> str:
    if to and deps.mailer.configured:
        try:
            deps.mailer.send(to, kind, language, context | {"site": deps.site.base_url})
        except OSError as exc:  # the report is kept; only the reply failed
            log.warning("reply to an emailed sighting not sent: %s", exc)
    return kind
