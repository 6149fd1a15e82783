"""Sightings sent by email, for people who will not use a web form: the photos attached become a
report waiting for moderation, with the same checks and limits as the form, and the sender gets a
reply in their language saying what happens next (or, without a photo, how to send one)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from reunite.domain.access import Principal, Role
from reunite.domain.errors import ReuniteError
from reunite.domain.model import NewSighting, Provenance, Upload
from reunite.services import intake, throttle
from reunite.services.deps import Deps

log = logging.getLogger("reunite.mail")
MAX_TEXT = 2000
SENDER = Principal(role=Role.ANONYMOUS, name="email")  # reports like a passer-by: pending, never approved


def receive(deps: Deps, sender: str, subject: str, text: str, photos: Sequence[Upload], language: str,
            message_id: str = "") -> str:
    """Turn one email into a pending sighting; the reply's kind ("sighting_received",
    "sighting_needs_photo", "sighting_refused"), which has been sent when mail can be sent."""
    sender = sender.strip().lower()[:320]
    throttle.hit(deps, f"email:{sender}", deps.limits.reports_per_hour)
    if not photos:
        return _reply(deps, sender, "sighting_needs_photo", language, {})
    sighting = NewSighting(seen_at=None, place=None, description="\n".join(t for t in (subject, text) if t)[:MAX_TEXT],
                           reporter_contact=sender)
    try:
        receipt = intake.report_sighting(deps, SENDER, sighting, photos,
                                         Provenance("email", f"mailto:{sender}#{message_id}" if message_id else ""))
    except ReuniteError as exc:
        return _reply(deps, sender, "sighting_refused", language, {"reason": exc.message})
    return _reply(deps, sender, "sighting_received", language, {"number": receipt.sighting_id})


def _reply(deps: Deps, to: str, kind: str, language: str, context: dict[str, object]) -> str:
    if deps.mailer.configured:
        try:
            deps.mailer.send(to, kind, language, context | {"site": deps.site.base_url})
        except OSError as exc:  # the report is kept; only the reply failed
            log.warning("reply to an emailed sighting not sent: %s", exc)
    return kind
