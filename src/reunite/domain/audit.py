"""Reading the audit log: what a question to it may ask (who, about what, which action, when) and how a
page of answers is cut. Admins and police read it (``Permission.READ_AUDIT``, ``services/audit.py``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reunite.domain.errors import InvalidInput

PAGE = 50  # entries on a page unless asked otherwise
MAX_PAGE = 200  # and at most
# a listing or a search records the ids of the sightings it showed: "who saw sighting 12" finds them too
LISTINGS = ("sightings.listed", "sightings.searched")
SUBJECT = re.compile(r"[a-z][a-z_]{0,31}")
# the kinds of record the log names (``uow.audit``'s subject; tests/e2e/test_probe_s34_cli.py reads the code for
# every one): a filter on another kind can only find nothing, and is refused as one the log cannot read
SUBJECTS = frozenset({"account", "api_token", "audit", "candidate", "case", "face_engine", "invitation", "photo",
                      "sighting", "sighting_group", "source", "subscription", "system", "verification"})
ACTION = re.compile(r"[a-z][a-z_.]{0,63}")
# account:12, token:3, source:4, operator, system, reporter, anonymous …; or an account's email
ACTOR = re.compile(r"[a-z][a-z_]{0,31}(:\d{1,18})?|[^@\s\x00-\x1f]{1,200}@[^@\s\x00-\x1f]{1,200}")
LARGEST_ID = 2**63 - 1


@dataclass(frozen=True)
class AuditQuery:
    """One question to the audit log; every part optional. ``actor``: ``account:12``, ``token:3``,
    ``operator``, ``system``, ``source:4`` … or an account's email; ``action``: a prefix (``sighting.`` or
    ``sighting.viewed``); ``before``: the id of the last entry of the page before (newest first)."""

    actor: str = ""
    subject: str = ""
    subject_id: int | None = None
    action: str = ""
    since: datetime | None = None
    until: datetime | None = None
    before: int | None = None
    limit: int = PAGE

    def __post_init__(self) -> None:
        if self.actor and not ACTOR.fullmatch(self.actor):
            raise InvalidInput(
                "the actor must be a name the log uses, such as account:12, token:3 or operator, or an account's email",
                field="actor")
        if self.subject and (not SUBJECT.fullmatch(self.subject) or self.subject not in SUBJECTS):
            raise InvalidInput("the subject must be a kind of record such as sighting, case or account",
                               field="subject")
        for name, number in (("subject_id", self.subject_id), ("before", self.before)):
            if number is not None and not 0 <= number <= LARGEST_ID:
                raise InvalidInput("no record has this number", field=name)
        if self.subject_id is not None and not self.subject:
            raise InvalidInput("a subject id needs its kind of record (subject), such as sighting",
                               field="subject_id")
        if self.action and not ACTION.fullmatch(self.action):
            raise InvalidInput("the action must be the start of an action's name, such as sighting.viewed",
                               field="action")
        if self.since and self.until and self.until < self.since:
            raise InvalidInput("the end of the time range is before its start", field="until")
        if not 1 <= self.limit <= MAX_PAGE:
            raise InvalidInput("limit must be between 1 and {most}", field="limit", most=MAX_PAGE)

    def described(self) -> dict[str, Any]:
        """The question as the audit log records it (``audit.viewed``): only what was asked."""
        asked = {"actor": self.actor, "subject": self.subject, "subject_id": self.subject_id, "action": self.action,
                 "since": self.since.isoformat() if self.since else None,
                 "until": self.until.isoformat() if self.until else None, "before": self.before}
        return {k: v for k, v in asked.items() if v not in ("", None)}


def logged_actor(actor: str) -> str:
    """The actor as the log writes it: ``account:03`` is ``account:3``."""
    kind, colon, number = actor.partition(":")
    return f"{kind}:{int(number)}" if colon and number.isdigit() else actor


def parse_subject(text: str) -> tuple[str, int | None]:
    """``sighting:12`` or ``sighting`` (every sighting), as the command line and the page take it."""
    kind, _, number = text.strip().partition(":")
    if number and not number.strip().isdigit():
        raise InvalidInput("the subject must be a kind of record and its id, such as sighting:12", field="subject")
    return kind.strip(), int(number) if number else None
