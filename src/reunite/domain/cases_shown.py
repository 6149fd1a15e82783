"""What of a case each reader sees (part of the one visibility policy, re-exported by ``domain.access``, which
callers ask): whether a case exists for them at all, its status as they read it (a case found false or blanked
reads ``withdrawn``), its placeholder once it is no longer active, its contacts, last-seen place and free texts,
its history (the family's side), and who corrects it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reunite.domain.pfif import PERSON_CONTACTS
from reunite.domain.pfif_shown import note_view, notes_shown
from reunite.domain.photos_shown import case_photos_listed
from reunite.domain.places_shown import coarsen, exact_places
from reunite.domain.principals import ACTIVE_CASE_STATUSES, P, Principal


def case_checked_for(who: Principal, case: dict[str, Any]) -> bool:
    """A case nobody has checked yet, one found to be false, or one expired (a placeholder: retention or
    a takedown blanked it) exists only for its family and for those who check cases (moderators,
    police): a partner's token sees verified cases only, never a placeholder."""
    if who.owns(int(case["id"])) or who.can(P.VERIFY_CASE):
        return True
    return case.get("verified_at") is not None and case.get("status") not in ("rejected", "expired")


WITHDRAWN = "withdrawn"  # a case found false or taken down, as anyone but its family and checkers reads it


def case_status_shown(who: Principal, case: dict[str, Any]) -> str:
    """A case's status as ``who`` reads it wherever it is shown (the API, CSV and PFIF exports): as it is
    for its family and those who check cases; for anyone else a case found false (``rejected``) or
    blanked by retention or a takedown (``expired``) reads ``withdrawn``: the API answers it as a case
    that does not exist (``case_checked_for``), and an export, which must tell a partner that mirrored it
    to delete its copy, says only that it was withdrawn, never why."""
    status = str(case.get("status"))
    if who.owns(int(case["id"])) or who.can(P.VERIFY_CASE) or status not in ("rejected", "expired"):
        return status
    return WITHDRAWN


def exported_in_full(case: dict[str, Any]) -> bool:
    """Whether the exports (CSV, PFIF) give a case in full: only while it is verified and open. Every other case
    they list (ended, expired, or verified once and waiting for verification again: held as a possible second
    registration, reopened) is a placeholder, so that a partner that mirrored it deletes its copy."""
    return case.get("status") in ACTIVE_CASE_STATUSES and case.get("verified_at") is not None


def exported_status(who: Principal, case: dict[str, Any]) -> str:
    """A placeholder's status in an export: ``case_status_shown``; a case still open there waits for verification
    again, which reads ``withdrawn`` to whoever reads it (as a case found false does for partners: never why); one
    withdrawn so and closed while it waited (rejected, closed by its family) reads ``withdrawn`` still to anyone
    but those who check cases: what happened to it since was never exported (probe s44 P2)."""
    if case.get("status") in ACTIVE_CASE_STATUSES or (case.get("verified_at") is None and not who.can(P.VERIFY_CASE)):
        return WITHDRAWN
    return case_status_shown(who, case)


def case_in_full(who: Principal, case: dict[str, Any]) -> bool:
    """Whether ``who`` reads more of a case than its placeholder (id, dates, status): its family and
    those who check cases always; anyone else (the public, partners' tokens) only while it is active.
    A closed, reunited or taken-down case reads as the placeholder the exports show, its photos as
    missing: rights follow the case's status on every request."""
    if who.owns(int(case["id"])) or who.can(P.VERIFY_CASE):
        return case.get("status") != "expired"
    return case.get("status") in ACTIVE_CASE_STATUSES


CASE_PRIVATE = ("family_contact", "police_report")
# all that is left of an expired case, for anyone: the rest was deleted (services.retention.blank_case)
CASE_PLACEHOLDER = ("id", "status", "created_at", "verified_at", "closed_at")


def case_view(who: Principal, row: dict[str, Any]) -> dict[str, Any]:
    """A case as this principal may see it: the family's contact and the police report number only
    for the family itself and for reviewers; what a partner registry's record said about contacts and
    the family's home, and its notes (they name people and places), only for reviewers; the place last
    seen to its grid cell for anyone but the family and those who see exact places, and for them the
    words the family typed about it reduced to the city they name (``last_seen_city``, which the caller
    reads from the offline gazetteer; nothing when it is not given), and its free texts (description,
    distinguishing marks) only as a moderator approved them for sharing (``text_shown``). Of an expired case, only its
    placeholder (id, dates, status), whoever asks; of a case no longer active, the same for anyone but
    its family and reviewers (``case_in_full``)."""
    if not case_in_full(who, row):
        return {**{k: row.get(k) for k in CASE_PLACEHOLDER}, "status": case_status_shown(who, row), "photos": []}
    shown = exact_places({k: v for k, v in row.items() if k not in ("pfif", "notes", "notes_aside", "last_seen_city")})
    mine = who.owns(int(row["id"]))
    if "photos" in row:  # a photo of several faces, none chosen as the child's, is not published (domain.case_faces)
        shown["photos"] = case_photos_listed(who, int(row["id"]), row["photos"])
    contacts = notes_shown(who)
    if contacts:
        sent = row.get("pfif") or {}
        shown["imported_contacts"] = {name: sent[name] for name in PERSON_CONTACTS if sent.get(name)}
        shown["notes"] = [note_view(note) for note in row.get("notes", [])]
        # another registry's notes on this case, kept aside (not attached): a moderator decides
        shown["notes_aside"] = [note_view(note) for note in row.get("notes_aside", [])]
    if not (contacts or mine):
        for name in CASE_PRIVATE:
            shown.pop(name, None)
    if not exact_last_seen(who, int(row["id"])):
        shown["last_seen_lat"], shown["last_seen_lon"] = coarsen(row.get("last_seen_lat")), coarsen(
            row.get("last_seen_lon"))
        shown["last_seen_text"] = row.get("last_seen_city") or ""
        for shared in (*SHARED_TEXTS.values(), "sharing_review_since"):  # what they read as the text itself
            shown.pop(shared, None)
    for name in SHARED_TEXTS:
        if name in row:
            shown[name] = text_shown(who, row, name)
            shown[f"{name}_withheld"] = text_withheld(who, row, name)
    return shown


def exact_last_seen(who: Principal, case_id: int) -> bool:
    """Whether ``who`` reads the words the family typed about where the child was last seen (else only
    the city they name): the family itself and those who see exact places."""
    return who.can(P.SEE_EXACT_PLACES) or who.owns(case_id)


# A case's free texts the family types (beside height and clothes: where the child lives, a school, a teacher's
# phone), each with the text a moderator approved for everyone who may not read the family's words (migrations
# 0034, 0035): one rule for both, wherever they go.
SHARED_TEXTS = {"description": "shared_description", "marks": "shared_marks"}


def text_shown(who: Principal, case: dict[str, Any], name: str) -> str:
    """A case's free text ``name`` (``SHARED_TEXTS``: its description, its distinguishing marks) as ``who`` reads
    it, wherever it goes (the API, the poster, its PDF and feeds, alerts and webhooks, PFIF and CSV exports): the
    family's own words for the family and those who see exact places (``exact_last_seen``: who read the
    last-seen words as typed too); for anyone else only the text a moderator approved for sharing
    (``shared_description``, ``shared_marks``), nothing until one has. Families write where the child lives or
    was last seen beside height and clothes ("home is 漕溪北路595号"), a school or a phone beside a mole, and
    free words are read as the place words are: exact places and contacts only for police and moderators."""
    if exact_last_seen(who, int(case["id"])):
        return str(case.get(name) or "")
    return str(case.get(SHARED_TEXTS[name]) or "")


def text_withheld(who: Principal, case: dict[str, Any], name: str) -> bool:
    """Whether the family wrote a free text ``name`` that ``who`` does not read because no moderator has approved
    a text of it for sharing yet (the API's ``description_withheld``, ``marks_withheld``; the pages say why)."""
    return bool(case.get(name)) and not text_shown(who, case, name)


def case_history_shown(who: Principal, case_id: int) -> bool:
    """Whether ``who`` reads a case's family side: its history (timeline: a reviewer's confirmation, a lead its
    reporter withdrew, photos added, corrections and a moderator's words refusing one), its leads and what its
    family sent, its messages: the family itself and those who review (reviewers, moderators, police). A
    partner's token reads a case as ``case_view`` gives it, never its history (probe s36 K2)."""
    return who.owns(case_id) or who.can(P.REVIEW_CANDIDATES)


def may_correct(who: Principal, case_id: int, registrant: Mapping[str, Any] | None) -> bool:
    """Whether ``who`` may correct a case's facts (docs/decisions/0007), read from its registrant now: the family's
    own accounts (``case_owners``), else the account or partner token that registered or imported it (``registrant``:
    ``kind``, ``actor``), and moderators and police (every case). Whether its state allows a correction is the
    lifecycle's (``CaseAction.CORRECT``); whether its identity facts wait for a moderator, ``corrections.waits``."""
    if who.can(P.MODERATE):
        return True
    if not who.can(P.REGISTER_CASE):
        return False
    if who.owns(case_id):
        return True
    return registered_by(who, registrant)


def registered_by(who: Principal, registrant: Mapping[str, Any] | None) -> bool:
    """Whether ``who`` is the case's registrant (``registrant``: ``kind``, ``actor``, ``token_domains``), a family
    aside: the account or token that registered or imported it, or another token of the same partner organisation,
    one sharing a PFIF domain with it (its key rotated: probe s41 D4), as a PFIF record is updated by any token of
    its domain. A token that names no domain is its own organisation."""
    if registrant is None or registrant.get("kind") == "family":
        return False
    if registrant.get("actor") == who.actor:
        return True
    return who.token_id is not None and registrant.get("kind") == "partner" and \
        bool(who.domains & frozenset(registrant.get("token_domains") or ()))


def corrections_decided(who: Principal) -> bool:
    """Who accepts or refuses a correction of a verified case's identity that waits: moderators (and police)."""
    return who.can(P.MODERATE)
