"""What the moderators' queues show: each queue's size and its oldest items, with what a moderator reads beside
them (a correction's identity facts changed since verifying, added photos read, duplicate flags, look-alikes,
copies of reports' photos, removal requests' registrants). A read of personal data, audited as a listing."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from reunite.domain.access import Permission, Principal, exact_places, require
from reunite.domain.corrections import as_registered, vouched
from reunite.domain.corrections import version as case_version
from reunite.domain.lifecycle import CaseState, read_as
from reunite.domain.ports import ReaderScript
from reunite.domain.workbench import queue_words
from reunite.services import added_check, doubles, look_alikes, photo_copies, workbench
from reunite.services.deps import Deps
from reunite.services.place_days import day_zone, public_city
from reunite.services.queries import audit_read


def _since_verified(deps: Deps, rows: list[dict[str, Any]]) -> None:
    """Of each correction waiting, the identity facts its case was corrected in since it was verified (probe s27
    A4: a run of small corrections, each looking like a typo, is seen whole)."""
    if not rows:
        return
    with deps.uow() as uow:
        for row in rows:
            vouched_then = row.get("verified_facts") or {}
            now = vouched(as_registered(uow.case_facts_row(int(row["case_id"]))))
            row["changed_since_verified"] = [name for name, said in now.items()
                                             if name in vouched_then and vouched_then[name] != said]


def queue_overview(deps: Deps, who: Principal, limit: int = 100,
                   reader: ReaderScript | None = None) -> dict[str, object]:
    """Each queue's size and its oldest waiting items. They show reports with their exact places,
    cases with the family's words and police report, removal requests with who asked: a read of
    personal data, audited with the ids of every item shown, queue by queue, as a listing is. Each
    case waiting carries its open duplicate flags (``doubles``: the other case, whether it ``blocks``
    verifying this one) and the other accounts' open cases whose photos look most alike
    (``look_alikes``, whatever their birth dates: one read for every case shown; cities for ``reader``)."""
    require(who, Permission.MODERATE)
    counts = deps.read.queue_counts()
    loads = workbench.queue_loads(deps)
    read = {name: deps.read.queue(name, limit) for name in counts}
    for row in read.get("cases", []):  # what the verifier reads, sent back with Verify (probe s27 A3)
        row["version"] = case_version(as_registered(row), row["photo_ids"], read_as(CaseState.WAITING))
        for name in ("sex", "nicknames", "family_contact"):  # read for the version only
            row.pop(name, None)
    shown = {name: [exact_places(row) for row in rows] for name, rows in read.items()}
    _since_verified(deps, shown.get("corrections", []))
    added_check.shown_with(deps, who, shown.get("corrections", []), reader)  # photos added, read (probe s35 J1)
    _near_added(deps, who, shown.get("corrections", []), reader)
    flags = doubles.flags_shown(deps, who, [row["id"] for row in shown.get("cases", [])])
    alike = look_alikes.look_alikes(deps, who, [row["id"] for row in shown.get("cases", [])], reader)
    copies = photo_copies.copies_shown(deps, who, [row["id"] for row in shown.get("cases", [])], reader)
    near = photo_copies.near_reports(deps, who, [row["id"] for row in shown.get("cases", [])], reader)
    for row in shown.get("sightings", []):  # the city it is placed in, as its reporter and families read it
        row["city"] = public_city(deps, row["place_text"] or "", reader, row["lat"], row["lon"])
        row["day_zone"] = row.get("day_zone") or deps.site.zone.key  # its time read where seen too (probe s37 K6)
    for row in shown.get("cases", []):  # a case that may be a child registered already says so by its Verify
        row["doubles"] = flags.get(row["id"], [])
        row["look_alikes"] = alike.get(row["id"], [])
        row["photo_copies"] = copies.get(row["id"], [])  # a report's picture as its photo (probe s36 K1)
        row["near_reports"] = near.get(row["id"], [])  # one covered over, to compare by eye (probe s39 L2)
        row["day_zone"] = day_zone(deps, row.pop("last_seen_lat"), row.pop("last_seen_lon"),  # its day's zone only
                                   row.get("last_seen_text") or "", row.get("missing_since"))
    removed = _registrants(deps, shown)
    audit_read(deps, who, "queues.viewed", "system", 0, counts=counts,
               ids={name: [row["id"] for row in rows] for name, rows in shown.items()}
               | ({"removals": [row["id"] for row in removed]} if removed else {}), sightings=_reports_in(shown),
               exact_places=who.can(Permission.SEE_EXACT_PLACES))
    alarms = [{**asdict(load), "words": queue_words(load.name)} for load in loads if load.alarm]  # in words
    return {"counts": counts, "alarms": alarms, **shown, "removals": removed,
            "removal_days": deps.limits.case_removal_wait.days, "undo_days": deps.limits.case_removal_undo.days}


def _registrants(deps: Deps, shown: dict[str, Any]) -> list[dict[str, Any]]:
    """Beside each removal request about a case, who registered it and the contact on file (moderators
    read contacts), and the registrant's answer, to compare with the requester's words (probe s21 U0);
    returns the case removals a moderator may still undo."""
    with deps.uow() as uow:
        for row in shown.get("takedowns", []):
            found = uow.registrant(row["subject_id"]) if row["subject"] == "case" else None
            row["registrant"] = None if found is None else {
                "kind": found["kind"], "token_name": found["token_name"], "contact": found["family_contact"],
                "emails": [address for address, _ in found["emails"]]}
            stored = uow.takedown(row["id"]) or {}
            # the answer, and whether the registrant was told at all (probe s23 W6: no email, no address)
            row["registrant_answer"] = stored.get("registrant_answer", "")
            row["registrant_told"] = stored.get("registrant_told", "")
        return uow.case_removals(deps.clock.now())


def _reports_in(queues: dict[str, list[dict[str, Any]]]) -> list[int]:
    """The reports the queues show: waiting, proposed as candidates, asked to be removed."""
    ids = {row["id"] for row in queues.get("sightings", [])}
    ids |= {row["sighting_id"] for row in queues.get("candidates", [])}
    return sorted(ids | {row["subject_id"] for row in queues.get("takedowns", []) if row["subject"] == "sighting"})


def _near_added(deps: Deps, who: Principal, rows: list[dict[str, Any]], reader: ReaderScript | None) -> None:
    """Each correction holding photos added to a verified case gets the street reports sent before one of them whose
    face reads nearly as the child's in it (``photo_copies.near_reports``, as beside Verify: probe s43 E9)."""
    held = {int(row["case_id"]): set(row["held_photo_ids"]) for row in rows if row.get("held_photo_ids")}
    near = photo_copies.near_reports(deps, who, sorted(held), reader)
    for row in rows:
        row["near_reports"] = [r for r in near.get(int(row["case_id"]), [])
                               if r["photo_id"] in held.get(int(row["case_id"]), set())]
