"""What of partners' PFIF records each reader sees: part of the one visibility policy, which ``domain.access``
re-exports (callers ask ``access``). A partner's record's contacts and the family's home, and partners' notes,
which name people and places, are for reviewers only, as ``access.case_view`` shows a case."""

from __future__ import annotations

from typing import Any

from reunite.domain.pfif import NOTE_CONTACTS, PERSON_CONTACTS
from reunite.domain.principals import P, Principal


def pfif_hidden(who: Principal) -> frozenset[str]:
    """The PFIF fields an export to ``who`` leaves out, as ``case_view`` hides them from this reader: a
    partner's record's contacts and the family's home for anyone but reviewers."""
    return frozenset() if who.can(P.SEE_CONTACTS) else frozenset(PERSON_CONTACTS)


def notes_shown(who: Principal) -> bool:
    """Partners' notes name people and places: only reviewers read them (on the case, in exports)."""
    return who.can(P.SEE_CONTACTS)


def note_view(note: dict[str, Any]) -> dict[str, Any]:
    """A partner's note on a case, with the contacts it came with (for reviewers: see case_view)."""
    sent = note.get("pfif") or {}
    return {**{k: v for k, v in note.items() if k != "pfif"},
            "contacts": {name: sent[name] for name in NOTE_CONTACTS if sent.get(name)}}
