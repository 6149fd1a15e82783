"""Sightings sent by email, for people who will not use a web form: the photos attached become a
report waiting for moderation, with the same checks and limits as the form, and the sender gets a
reply in their language saying what happens next (or, without a photo, how to send one). The time
and place the words name are read as a feed post's are. Only a sender the receiving server vouched
for (SPF, DKIM or DMARC pass for the From domain) gets a reply; anyone else's report is kept, with
the contact marked as not verified for reviewers: a forged From gets no mail and is not trusted."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from reunite.domain.access import Principal, Role
from reunite.domain.errors import ReuniteError
from reunite.domain.model import NewSighting, Provenance, Upload
from reunite.domain.sources import time_in_text
from reunite.services import intake, throttle
from reunite.services.deps import Deps

log = logging.getLogger("reunite.mail")
MAX_TEXT = 2000
SENDER = Principal(role=Role.ANONYMOUS, name="email")  # reports like a passer-by: pending, never approved
UNVERIFIED = " (sender not verified: the address may be forged)"


def receive(deps: Deps, sender: str, subject: str, text: str, photos: Sequence[Upload], language: str,
            message_id: str = "", verified: bool = False) -> str:
    """Turn one email into a pending sighting; the reply's kind ("sighting_received",
    "sighting_needs_photo", "sighting_refused"), sent when mail can be sent and the sender is ``verified``."""
    sender = sender.strip().lower()[:320]
    throttle.hit(deps, f"email:{sender}", deps.limits.reports_per_hour)
    to = sender if verified else ""
    if not photos:
        return _reply(deps, to, "sighting_needs_photo", language, {})
    words = "\n".join(t for t in (subject, text) if t)[:MAX_TEXT]
    sighting = NewSighting(seen_at=time_in_text(words, deps.clock.now(), deps.site.zone), place=None,
                           place_text=deps.places.words(words)[:500], description=words,
                           reporter_contact=sender if verified else (sender + UNVERIFIED)[:500])
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
