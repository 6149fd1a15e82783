"""A newer version of a partner registry's PFIF record of a case here (``services.pfif``, newer ``source_date``
wins): its facts correct the case by decision 0007's one rule, as its token's ``PATCH /api/cases/{id}`` would
(probe s29 C1). See docs/exchange.md, "Sync semantics"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reunite.domain.access import Principal
from reunite.domain.errors import ReuniteError
from reunite.domain.lifecycle import CaseAction
from reunite.domain.model import NewCase
from reunite.domain.pfif import held_fields, pfif_time, restated
from reunite.domain.ports import UnitOfWork
from reunite.services import corrections
from reunite.services.case_moves import changed_for_partners, move_case
from reunite.services.deps import Deps
from reunite.services.exchange import ImportReport, Problem

# the case's facts a partner's record carries (``domain.pfif.person_case``); the others are this site's
RECORD_FACTS = ("given_name", "family_name", "sex", "birth_date", "missing_since", "missing_since_precision",
                "description", "nicknames")


def update(deps: Deps, uow: UnitOfWork, who: Principal, record: str, case: NewCase, fields: dict[str, str],
           source: str, recorded: datetime, expiry: datetime | None, existing: dict[str, Any], report: ImportReport,
           version: str) -> bool:
    """A newer version of a partner's record corrects its case by decision 0007's one rule, as its token's
    ``PATCH /api/cases/{id}`` would (``corrections.corrects``, probe s29 C1): of a verified case, the identity facts it
    changes (names, sex, birth date, time missing) and its photo link wait for a moderator as a correction, the case
    keeping its verified values (searched, matched, compared for doubles, exported and published with them) and the
    record its fields as sent before for them (``pfif.held_fields``); its other words are taken at once (new words of
    its description withdraw what a moderator approved of the old ones: ``sharing.source_changed``). A case not
    verified yet, or a sender who may verify cases, takes it whole. The rest of the case (its place last seen, police
    report, marks, the family's contact) is this site's: a record does not carry them. Audited ``case.reimported``
    old → new, with the correction asked and an ``expiry_date`` moved (the registry's to set: it may also withdraw
    its record at once). A newer version that asks nothing any more drops the correction an earlier one asked
    (``corrections.drop_record_correction``). False when the record's facts are refused here (said in the report,
    nothing written)."""
    now, case_id = deps.clock.now(), int(existing["id"])
    state = move_case(uow, case_id, CaseAction.IMPORT, who.actor)  # its row locked until the commit
    sent_before = existing["pfif"] or {}
    kept_fields, waiting = held_fields(sent_before, fields)
    photo = {"photo_url": (sent_before.get("photo_url", ""), waiting["photo_url"])} if "photo_url" in waiting else {}
    values = {name: getattr(case, name) for name in RECORD_FACTS if name not in restated(sent_before, fields)}
    try:
        done = corrections.corrects(uow, who, case_id, state.verified, values, now, None, photo,
                                    {"pfif": waiting} if waiting else None, record=record, places=deps.places)
    except ReuniteError as exc:
        report.problems.append(Problem.of(record, exc))
        return False
    kept = kept_fields if done.waiting else fields
    dropped = corrections.drop_record_correction(uow, who.actor, case_id, now) \
        if state.verified and not done.waiting else None
    uow.update_imported_record(case_id, kept, source, recorded, expiry)
    moved = {"expiry_date": [pfif_time(existing["expiry_date"]), pfif_time(expiry)]} \
        if existing["expiry_date"] != expiry else {}
    if done.waiting:
        report.problem(record, "{fields} of a verified case wait for a moderator: the case keeps its verified values until one accepts them",  # noqa: E501
                       fields=", ".join(done.waiting))
    uow.audit(who.actor, "case.reimported", "case", case_id, record=record, pfif=version, changed=done.changed,
              **({"waiting": done.waiting, "correction": done.correction_id} if done.waiting else {}),
              **({"dropped_correction": dropped} if dropped is not None else {}), **moved)
    if kept != existing["pfif"] or moved:
        changed_for_partners(uow, case_id, now)  # what partners hold of the record: its fields as kept, its dates
    return True
