"""A case corrected by whoever registered it (docs/decisions/0007): a birth date typed a day off, a name misspelt,
words to add. Who may is read on every request (``access.may_correct``), and only while the case is open
(``CaseAction.CORRECT``). The family's words are taken at once, by the rules of a registration; of a verified case,
the facts its verification vouched for and matching reads (``corrections.IDENTITY``) wait for a moderator when their
author may not verify cases, shown in the moderators' queue beside the values they would replace. Every change is
audited old → new, re-runs what depends on it (the case's faces job: the name-doubles check, then matching and every
stored lead scored again), and asked again changes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from reunite.domain import access
from reunite.domain.access import Permission, Principal, require
from reunite.domain.corrections import (
    FIELDS,
    LAST_SEEN,
    as_registered,
    changes,
    corrected,
    descriptive,
    given,
    identity,
    kept,
    kept_time,
    published,
    reruns,
    waits,
)
from reunite.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, bounded
from reunite.domain.lifecycle import CaseAction
from reunite.domain.model import CASE_TEXT_LIMITS, NICKNAMES_LIMIT, NewCase
from reunite.domain.pfif import birth_written
from reunite.domain.places_shown import public_pin
from reunite.domain.ports import PlaceNames, UnitOfWork
from reunite.domain.reasons import require_why
from reunite.services import added_check, queries, sharing
from reunite.services.case_checks import check_case
from reunite.services.case_moves import changed_for_partners, move_case
from reunite.services.deps import Deps


@dataclass(frozen=True)
class Corrected:
    """What a correction did: the fields changed now, those waiting for a moderator (and that request's id)."""

    case_id: int
    applied: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    correction_id: int | None = None
    replaced: bool = False  # it replaced a correction still waiting, whose values are dropped
    changed: dict[str, list[str]] = field(default_factory=dict)  # the fields applied: old → new, as written


def _bounded(values: Mapping[str, Any]) -> dict[str, Any]:
    """The texts given, trimmed and each refused beyond the length a registration takes (``CASE_TEXT_LIMITS``)."""
    out = dict(values)
    for name, limit in CASE_TEXT_LIMITS.items():
        if isinstance(out.get(name), str):
            out[name] = bounded(out[name], limit, name)
    if "nicknames" in out and len(", ".join(out["nicknames"])) > NICKNAMES_LIMIT:
        raise InvalidInput("{name} is too long (at most {limit} characters)", field="nicknames", name="nicknames",
                           limit=NICKNAMES_LIMIT)
    if "given_name" in out and not out["given_name"]:
        raise InvalidInput("the child's given name is required", field="given_name")
    return out


def correct_case(deps: Deps, who: Principal, case_id: int, values: Mapping[str, Any],
                 shared: Mapping[str, str] | None = None) -> Corrected:
    """Correct case ``case_id`` with ``values`` (by name, ``corrections.FIELDS``; ``missing_since`` with its
    ``missing_since_precision``; those left out unchanged). ``shared``: the texts approved for sharing (police and
    moderators only), refused as when they verify (``sharing.checked``). 404 for a case the reader may not see,
    403 for one they did not register, 409 for one that is not open, 422 for a value a registration refuses."""
    _reached(deps, who, case_id)  # a case the reader may neither see nor correct answers as a missing one
    if shared and not who.can(Permission.VERIFY_CASE):
        raise Forbidden("only police and moderators approve the words partners and the public read")
    unknown = sorted(set(values) - set(FIELDS) - {"missing_since_precision", "birth_date_precision"})
    if unknown:
        raise InvalidInput("{name} cannot be corrected", field=unknown[0], name=unknown[0])
    values = _bounded(values)
    # a birth date known to the month or year kept so, as at registration (probe s46 P10): with the case at once,
    # or with the correction waiting for a moderator, given back when one accepts it
    precision = values.pop("birth_date_precision", "day")
    born = {"pfif": {"date_of_birth": birth_written(values["birth_date"], precision)}} \
        if "birth_date" in values and precision != "day" else None
    approved = sharing.checked(deps, case_id, shared or {})
    now = deps.clock.now()
    with deps.uow() as uow:
        if not access.may_correct(who, case_id, uow.registrant(case_id)):
            raise Forbidden("only the family or the partner who registered case {id} may correct it", id=case_id)
        state = move_case(uow, case_id, CaseAction.CORRECT, who.actor)  # 409 unless open; its row locked
        result = corrects(uow, who, case_id, state.verified, values, now, also_kept=born, places=deps.places)
        if born and "birth_date" not in result.waiting:
            uow.merge_pfif(case_id, born["pfif"])
        if shared:
            sharing.write(uow, who.actor, case_id, approved, now)
        uow.commit()
    return result


def corrects(uow: UnitOfWork, who: Principal, case_id: int, verified: bool, values: Mapping[str, Any], now: datetime,
             action: str | None = "case.corrected", also: Mapping[str, tuple[str, str]] | None = None,
             also_kept: Mapping[str, Any] | None = None, record: str | None = None, *,
             places: PlaceNames) -> Corrected:
    """``values`` written over the case's facts (its row locked by the caller), by decision 0007's one rule,
    whoever sends them (a registrant's PATCH or form, a partner's newer PFIF record: ``services.pfif_versions``):
    the family's words at once; of a verified case, the identity facts wait for a moderator when ``who`` may not
    verify cases, the case keeping its verified values (searched, matched and compared for doubles with them) until
    one accepts.
    ``also``: more facts that changed (by name, old → new as written) that wait with the identity facts, kept with
    the correction as ``also_kept`` (a partner record's photo link and its fields as sent: ``pfif_versions``).
    Audited old → new as ``action`` (None: the caller audits, reading ``Corrected.changed``); ``record``: the
    partner's record that sent them, named when its words go back to the moderators (``sharing.source_changed``);
    ``places`` reads the place last seen as partners do (``public_place``)."""
    row = uow.case_facts_row(case_id)
    before = as_registered(row)
    after = kept_time(before, corrected(before, values))
    check_case(after, [], now)
    changed = changes(before, after)
    may_verify = who.can(Permission.VERIFY_CASE)
    held = waits(verified, may_verify, changed) or bool(verified and not may_verify and also)
    now_fields = descriptive(changed) + ([] if held else identity(changed))
    said = {name: list(changed[name]) for name in now_fields}
    result = Corrected(case_id, applied=now_fields, changed=said)
    if now_fields:
        _apply(uow, who.actor, row, before, after, now_fields, changed, now, action, places,
               {"record": record} if record else {"corrected": True})
    if held:
        names = identity(changed) + list(also or {})
        asked, replaced = _ask(uow, who.actor, case_id, after, {**changed, **(also or {})}, now, names, also_kept)
        result = Corrected(case_id, now_fields, names, asked, replaced, said)
    return result


def _apply(uow: UnitOfWork, actor: str, row: Mapping[str, Any], before: NewCase, after: NewCase, names: list[str],
           changed: Mapping[str, tuple[str, str]], now: datetime, action: str | None, places: PlaceNames,
           source: Mapping[str, object] | None = None, **detail: object) -> None:
    """Write ``names`` of ``after`` over ``before``; audited old → new (as ``action``, unless None: the caller
    does); what depends on them run again; partners and readers told, when what they read of them changed
    (``case_moves.changed_for_partners``: the exports' dates, the feed's, webhooks' ``case.updated``)."""
    taken = {name: getattr(after, name) for name in names}
    if "missing_since" in names:
        taken["missing_since_precision"] = after.missing_since_precision
    uow.set_case_facts(int(row["id"]), corrected(before, taken))
    if action is not None:
        uow.audit(actor, action, "case", int(row["id"]), changed={name: list(changed[name]) for name in names},
                  **detail)
    texts: dict[str, str] = {name: getattr(after, name) for name in ("description", "marks") if name in names}
    if texts:  # what a moderator approved of the old words no longer says what they say: withdrawn, asked again
        sharing.source_changed(uow, actor, dict(row), texts, now, **(source or {"corrected": True}))
    if reruns(dict.fromkeys(names)):
        uow.enqueue("faces.process_case", lock=f"case-{row['id']}", case_id=int(row["id"]))
    moved = LAST_SEEN.intersection(names) and public_place(places, before) != public_place(places, after)
    if published(names) or moved:
        changed_for_partners(uow, int(row["id"]), now)


def public_place(places: PlaceNames, case: NewCase) -> str:
    """Where a case's child was last seen as the exports, the feed, posters and webhooks give it: the city the words
    and the pin's ~1 km cell name (``posters.case_city``), never the words or the pin themselves, nor the cell (a
    partner reading the case by the API reads that when it asks: probe s43 E8, the public feed dated a pin moved
    into the next cell of the same city)."""
    pin = public_pin(case.last_seen_place.lat, case.last_seen_place.lon) if case.last_seen_place else None
    return places.city(case.last_seen_text or "", True, pin)


def _ask(uow: UnitOfWork, actor: str, case_id: int, after: NewCase, changed: Mapping[str, tuple[str, str]],
         now: datetime, names: list[str] | None = None, also_kept: Mapping[str, Any] | None = None) -> tuple[int, bool]:
    """The identity facts corrected (``names``, by default those of ``changed``) wait for a moderator: one request
    per case, the newest replacing one waiting (its values dropped, and said so: whether one was); the photos held
    with the one replaced wait with the new one; the same values again change nothing. ``also_kept``: kept with
    them, given back when a moderator accepts (``decide_correction``)."""
    names = names if names is not None else identity(changed)
    fields = kept(after, identity(dict.fromkeys(names))) | dict(also_kept or {})
    waiting = uow.waiting_correction(case_id)
    if waiting is not None and waiting["fields"] == fields:
        return int(waiting["id"]), False
    replaced = waiting is not None and bool(waiting["fields"])
    if waiting is not None:
        uow.decide_correction(int(waiting["id"]), "replaced", actor, now)
    correction_id = uow.add_correction(case_id, actor, fields, {n: changed[n][0] for n in names},
                                       {n: changed[n][1] for n in names},
                                       list(waiting["photo_ids"] or []) if waiting is not None else [])
    uow.audit(actor, "case.correction_asked", "case", case_id, correction=correction_id,
              changed={name: list(changed[name]) for name in names},
              replaced=int(waiting["id"]) if waiting is not None else None,
              **({"dropped": waiting["became"]} if replaced and waiting is not None else {}))
    return correction_id, replaced


def drop_record_correction(uow: UnitOfWork, actor: str, case_id: int, now: datetime) -> int | None:
    """A partner's newer record that asks nothing of a verified case's identity any more (it says what was verified)
    drops the correction an earlier version of the record asked (``also_kept`` with its fields as sent), still
    waiting and holding no photos: a moderator never accepts an identity its registry took back. Its id, if one."""
    waiting = uow.waiting_correction(case_id)
    if waiting is None or "pfif" not in waiting["fields"] or waiting["photo_ids"]:
        return None
    uow.decide_correction(int(waiting["id"]), "replaced", actor, now)
    return int(waiting["id"])


def decided_already(found: dict[str, Any], status: str, reason: str) -> bool:
    """Whether a correction was decided so already (a retry: nothing to do); 409 when it was decided otherwise,
    or refused already for another reason, which would be dropped unsaid (probe s38 M5)."""
    if found["status"] == "waiting":
        return False
    if found["status"] != status:
        raise Conflict("correction {id} was {status} already", field="decision", id=found["id"],
                       status=found["status"])
    if status == "refused" and found["reason"] != reason:
        raise Conflict("correction {id} was refused already, for another reason: yours was not recorded",
                       field="reason", id=found["id"])
    return True


def decide_correction(deps: Deps, who: Principal, correction_id: int, accept: bool, reason: str = "",
                      checked: bool = False) -> None:
    """A moderator accepts a correction waiting (its values written over the case's, audited old → new, and what
    depends on them run again) or refuses it, saying why in words. The same decision again changes nothing (a
    refusal only with the same reason: another would be dropped unsaid, 409, probe s38 M5); a correction decided
    otherwise, replaced by a newer one, or of a case no longer open is 409. Photos held with it
    are read first (``added_check``: against the case's own photos and other accounts' open cases, probe s35 J1);
    one that asks a person's check is accepted only with ``checked`` (422 otherwise); the reading is audited with the
    decision."""
    require(who, Permission.MODERATE)
    if not accept:
        reason = require_why(reason, "reason")
    with deps.uow() as uow:
        asked = uow.correction(correction_id)
    held = [int(i) for i in (asked or {}).get("photo_ids") or []] if asked and asked["status"] == "waiting" else []
    reading = added_check.read_added(deps, int(asked["case_id"]), held) if asked and held else None
    if accept and reading is not None:
        added_check.require_checked(reading, checked)
    read = {"photos_read": added_check.summary(reading), "checked": checked} if reading is not None else {}
    now = deps.clock.now()
    with deps.uow() as uow:
        found = uow.correction(correction_id)
        if found is None:
            raise NotFound("correction {id} does not exist", id=correction_id)
        status = "accepted" if accept else "refused"
        if decided_already(found, status, reason):
            return
        case_id = int(found["case_id"])
        move_case(uow, case_id, CaseAction.CORRECT, who.actor)  # 409 unless the case is open
        uow.decide_correction(correction_id, status, who.actor, now, reason)
        photo_ids = [int(i) for i in found.get("photo_ids") or []]
        if not accept:  # the photos held with it are not the case's: deleted, never published nor matched
            unused = uow.storage_keys_unused(uow.drop_held_photos(case_id, photo_ids))
            uow.audit(who.actor, "case.correction_refused", "case", case_id, correction=correction_id, reason=reason,
                      photos_deleted=photo_ids, **read)
            uow.commit()
            for key in unused:
                deps.photos.delete(key)
            return
        row = uow.case_facts_row(case_id)
        before = as_registered(row)
        after = kept_time(before, corrected(before, given(found["fields"])))
        check_case(after, [], now)
        changed = changes(before, after)
        if photo_ids:  # the photos held with it published and matched as any other
            uow.release_photos(case_id, photo_ids)
            uow.enqueue("faces.process_case", lock=f"case-{case_id}", case_id=case_id)
        if sent := found["fields"].get("pfif"):  # a partner's record's fields as sent, held with it (pfif_versions)
            uow.merge_pfif(case_id, sent)
        if photo_ids or sent:
            changed_for_partners(uow, case_id, now)
        record: dict[str, object] = {"record_fields": sorted(sent)} if sent else {}  # its record's fields as sent
        if names := identity(changed):
            _apply(uow, who.actor, row, before, after, names, changed, now, "case.correction_accepted", deps.places,
                   None, correction=correction_id, asked_by=found["asked_by"], photos=photo_ids, **record, **read)
        else:
            uow.audit(who.actor, "case.correction_accepted", "case", case_id, correction=correction_id, changed={},
                      photos=photo_ids, **record, **read)
        uow.commit()


def waiting_for(deps: Deps, who: Principal, case_id: int) -> dict[str, Any] | None:
    """The correction of this case waiting for a moderator, for those who may correct it or decide it: what it
    replaces and gives, field by field; None if none waits."""
    with deps.uow() as uow:
        if not (access.corrections_decided(who) or access.may_correct(who, case_id, uow.registrant(case_id))):
            return None
        found = uow.waiting_correction(case_id)
    return None if found is None else {"id": found["id"], "was": found["was"], "became": found["became"],
                                       "asked_at": found["created_at"], "photo_ids": list(found["photo_ids"] or [])}


def require_correctable(deps: Deps, who: Principal, case_id: int) -> None:
    """Before a form is read: 404 for a case ``who`` may not see, 403 for one they may not correct."""
    _reached(deps, who, case_id)
    if not may_correct(deps, who, case_id):
        raise Forbidden("only the family or the partner who registered case {id} may correct it", id=case_id)


def _reached(deps: Deps, who: Principal, case_id: int) -> None:
    """404 for a case ``who`` may neither see nor correct: its registrant corrects it even with a token that may
    write but not read cases (probe s27 A5: an NGO fixing its own typo), learning nothing more of it than it sent."""
    if deps.read.case_head(case_id) is not None and may_correct(deps, who, case_id):
        return
    queries.visible_case(deps, who, case_id)


def may_correct(deps: Deps, who: Principal, case_id: int) -> bool:
    """Whether the case page offers ``who`` its correction form."""
    with deps.uow() as uow:
        return access.may_correct(who, case_id, uow.registrant(case_id))

