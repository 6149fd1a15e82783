"""Reads for pages and the API (a stored photo's or face's bytes: ``services.renditions``; what the public
reads of a case: ``services.posters``). Every record passes through ``domain.access`` before it is
returned, and every read of personal data by anyone but its subject is written to the audit log, saying
what was really read."""

from __future__ import annotations

from typing import Any

from reunite.domain import access, staff
from reunite.domain.access import Permission, Principal, require, require_case
from reunite.domain.corrections import as_registered
from reunite.domain.corrections import version as case_version
from reunite.domain.doubles import CASE_PICTURE, as_one_picture
from reunite.domain.elapsed import Elapsed, since_missing
from reunite.domain.errors import Conflict, NotFound
from reunite.domain.leads import told
from reunite.domain.lifecycle import CaseState, case_state, read_as
from reunite.domain.model import AgeRange, CandidateStatus, CaseStatus, SeenAtBasis, SightingFilter
from reunite.domain.pfif import case_birth_precision
from reunite.domain.ports import ReaderScript
from reunite.domain.scoring import contradictions, doubt_hours, face_evidence, read_stored
from reunite.domain.workbench import waits_for_report
from reunite.services import family_leads, throttle  # family_leads a module: it imports grouping, which imports this
from reunite.services.deps import Deps
from reunite.services.place_days import missing_since_shown, public_city, sighting_day_zone

# the cases a page offers a decision on (verify, reject, close; reopen): its forms send back the version it read
DECIDED_ON = ("open", "reunited", "closed", "rejected")


def audit_read(deps: Deps, who: Principal, action: str, subject: str, subject_id: int, **detail: Any) -> None:
    """One row, committed without waiting for the disk: a read never queues behind WAL flushes."""
    with deps.uow() as uow:
        uow.audit(who.actor, action, subject, subject_id, **detail)
        uow.commit(durable=False)


def list_sightings(deps: Deps, who: Principal, query: SightingFilter,
                   reader: ReaderScript | None = None) -> tuple[int, list[dict[str, Any]]]:
    """Sightings as ``who`` may filter and see them (``access.sighting_filter``), their cities named for
    ``reader``. Without exact places, each listing counts against an hourly limit, and every listing, empty
    or not, is audited with the filter that really ran."""
    require(who, Permission.BROWSE_SIGHTINGS)
    asked = access.sighting_filter(who, query)
    if asked.grid_deg is not None:
        throttle.hit(deps, f"browse:{who.actor}", deps.limits.listings_per_hour)
    total, rows = deps.read.sightings(asked)
    shown = [sighting_shown(deps, who, r, reader) for r in rows]
    near = asked.near
    audit_read(deps, who, "sightings.listed", "sighting", shown[0]["id"] if shown else 0,
                ids=[r["id"] for r in shown], total=total, exact_places=asked.grid_deg is None,
                near=[near.lat, near.lon] if near else None, radius_km=asked.radius_km if near else None,
                place=asked.place or None)
    return total, shown


def sighting_shown(deps: Deps, who: Principal, row: dict[str, Any],
                   reader: ReaderScript | None = None) -> dict[str, Any]:
    """A sighting as ``who`` may see it (``access.sighting_view``), given the city its place words name
    for readers who may not see exact places, named in ``reader``'s language, and the zone its day is
    shown in alone (``day_zone``); ``city``, that city, for every reader (reviewers read it beside the exact
    place: a report placed by its photo's position alone has no words)."""
    city = public_city(deps, row.get("place_text") or "", reader, row.get("lat"), row.get("lon"))
    if not who.can(Permission.SEE_EXACT_PLACES):
        row = row | {"place_city": city}
    kept = row.get("day_zone")  # the zone the date filter read its day in (``sighting_day_zone``): the card's too
    zone = (kept if "day_zone" in row else sighting_day_zone(deps, row)) or deps.site.zone.key
    if not who.can(Permission.SEE_EXACT_PLACES) and row.get("lat") is None and zone.startswith("Etc/"):
        zone = deps.site.zone.key  # no pin: the offset the witness's phone gave (probe s35 J3; the filter: s44 P1)
    return access.sighting_view(who, row | {"day_zone": zone}) | {"city": city}


def get_sighting(deps: Deps, who: Principal, sighting_id: int,
                 reader: ReaderScript | None = None) -> dict[str, Any]:
    """One sighting as ``who`` may see it, its city named for ``reader``. Without exact places, each read
    counts against the same hourly limit as a listing (a listing of one: sequential ids must not bypass it),
    before anything is read, whether the sighting exists or not."""
    require(who, Permission.BROWSE_SIGHTINGS)
    if not who.can(Permission.SEE_EXACT_PLACES):
        throttle.hit(deps, f"browse:{who.actor}", deps.limits.listings_per_hour)
    visible_sighting(deps, who, sighting_id)
    row = deps.read.sighting(sighting_id)
    shown = sighting_shown(deps, who, row, reader)
    shown["trail"] = []
    if who.can(Permission.REVIEW_CANDIDATES):  # reviewers weigh where a report came from and who else sent it
        shown["sources"] = deps.read.sighting_provenance(sighting_id)
        shown["same_picture"] = deps.read.same_picture(sighting_id)
    decided = {} if who.can(Permission.REVIEW_CANDIDATES) else own_decisions(deps, who)
    shown["decided_for_you"] = decided.get(sighting_id)
    if row["group_id"] is not None:  # one child seen several times: where and when, as this reader may see
        trail = deps.read.group_trail(row["group_id"], access.browsable_statuses(who))
        # a family never reads as its child's trail a report a reviewer ruled out for its case (probe s33 G6)
        trail = [sighting_shown(deps, who, r, reader) for r in trail
                 if access.sighting_visible(who, r["status"], bool(r["found"]))
                 and (r["id"] == sighting_id or decided.get(r["id"]) != CandidateStatus.DISMISSED.value)]
        shown["trail"] = sorted(trail, key=lambda r: (r["seen_at"], r["id"]))
    _audit_view(deps, who, shown)
    return shown


def own_decisions(deps: Deps, who: Principal) -> dict[int, str]:
    """What reviewers decided of each sighting for the reader's own verified cases (``confirmed`` or ``dismissed``,
    by sighting id; confirmed wins over a dismissal for another of its cases): a family reads a confirmed sighting
    as confirmed, never asked again whether it is its child, and a dismissed one out of its child's trail. A decision
    is read as every family surface reads it (``access.candidate_visible``): once the reviewer's undo window is over
    (probe s35 J4), a confirmation only as the case page lists it."""
    decided: dict[int, str] = {}
    settled = deps.clock.now() - deps.limits.undo_window
    for case_id in sorted(who.verified_cases & who.own_cases):
        for status in (CandidateStatus.DISMISSED, CandidateStatus.CONFIRMED):
            for row in deps.read.candidates(case_id, status, group_statuses=access.browsable_statuses(who)):
                if access.decision_settled(row, settled) and (
                        status is CandidateStatus.DISMISSED or access.candidate_visible(who, row, settled, case_id)):
                    decided[row["sighting_id"]] = status.value
    return decided


def _audit_view(deps: Deps, who: Principal, shown: dict[str, Any]) -> None:
    """A sighting's read, and one read of each other report its trail showed, filed under that report (as
    the workbench files its trail): "who saw sighting N" finds it by N's own entries, whatever becomes of
    the group later (before, only through the trail's ids, while N stayed in that group)."""
    sighting_id = shown["id"]
    with deps.uow() as uow:
        uow.audit(who.actor, "sighting.viewed", "sighting", sighting_id, exact_place=shown["place_precise"],
                  contact="reporter_contact" in shown, trail_shown=[r["id"] for r in shown["trail"]])
        for member in shown["trail"]:
            if member["id"] != sighting_id:
                uow.audit(who.actor, "sighting.viewed", "sighting", member["id"], via="trail", of=sighting_id,
                          exact_place=member["place_precise"])
        uow.commit(durable=False)


def visible_sighting(deps: Deps, who: Principal, sighting_id: int) -> dict[str, Any]:
    """The sighting's head (id, status, child's face) if this reader may see it. One that exists but is
    hidden from them is refused as one that does not exist, after the same one statement: what was
    reported (its photos, faces, place) is read only once access is granted, so that not even the time
    an answer takes tells the two apart; one held again is said so (409: ``access.held_again_shown``)."""
    head = deps.read.sighting_head(sighting_id)
    if head is not None and head["found"] and access.found_child_hidden(who):  # before "checked again" (s32 F2)
        raise NotFound("sighting {id} does not exist", id=sighting_id)
    if head is not None and access.held_again_shown(who, head):
        raise Conflict("sighting {id} is being checked again: something was added to it since it was approved, and moderators are checking the addition; it is shown again once they have",  # noqa: E501
                       id=sighting_id)
    if head is None or not access.sighting_visible(who, head["status"], head["found"]):
        raise NotFound("sighting {id} does not exist", id=sighting_id)
    return head


def visible_case(deps: Deps, who: Principal, case_id: int) -> dict[str, Any]:
    """The case's head (id, status, verified_at) if this reader may see it at all (its family, reviewers;
    partners once it is verified); refused as a missing case otherwise, by the same work (see
    ``visible_sighting``)."""
    require_case(who, case_id)
    head = deps.read.case_head(case_id)
    if head is None or not access.case_checked_for(who, head):
        raise NotFound("case {id} does not exist", id=case_id)
    return head


def checked_case(deps: Deps, who: Principal, case_id: int, reader: ReaderScript | None = None) -> dict[str, Any]:
    """The case, read in full once ``visible_case`` granted it, with the city its last-seen words name
    (for ``reader``)."""
    visible_case(deps, who, case_id)
    row = deps.read.case(case_id)
    return row | {"last_seen_city": public_city(deps, row.get("last_seen_text") or "", reader,
                                                row.get("last_seen_lat"), row.get("last_seen_lon"))}


def get_case(deps: Deps, who: Principal, case_id: int, reader: ReaderScript | None = None) -> dict[str, Any]:
    row = checked_case(deps, who, case_id, reader)
    shown = access.case_view(who, row)
    shown["birth_date_precision"] = case_birth_precision(row)
    shown["missing_since_precision"] = row["missing_since_precision"]
    if "missing_since" in shown and not access.exact_last_seen(who, case_id):
        shown["missing_since"] = missing_since_shown(deps, row)
    if any(who.can(p) for p in (Permission.VERIFY_CASE, Permission.RECORD_REUNION, Permission.MODERATE)) \
            and row["status"] in DECIDED_ON and row.get("given_name") is not None \
            and (state := case_state(row)) is not None:
        # what its verifier, caseworker or moderator reads: the verify, reject, close and reopen forms send it back,
        # refused when the case changed since (probe s27 A3), or was decided meanwhile (probe s34 H2)
        shown["version"] = case_version(as_registered(row), [p["id"] for p in row.get("photos") or []],
                                        read_as(state, row))
    if not who.owns(case_id):
        audit_read(deps, who, "case.viewed", "case", case_id, contact="family_contact" in shown,
                    imported_contacts=sorted(shown.get("imported_contacts", {})),
                    notes=[note["id"] for note in shown.get("notes", [])],
                    notes_aside=[note["id"] for note in shown.get("notes_aside", [])])
    return shown


def own_cases(deps: Deps, who: Principal, reader: ReaderScript | None = None) -> list[dict[str, Any]]:
    """The account's own cases in the order they were registered (their ids say nothing of it), each with
    where it stands now (``state``: ``lifecycle.case_state``, the case page's words)."""
    shown = [get_case(deps, who, case_id, reader) for case_id in who.own_cases]
    return registered_order([case | {"state": case_state(case)} for case in shown])


def registered_order(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(cases, key=lambda case: (case["created_at"], case["id"]))


def case_timeline(deps: Deps, who: Principal, case_id: int) -> list[dict[str, Any]]:
    """A case's history as this reader may see it: a family learns of a reviewer's confirmation only
    once it can no longer be undone, as with the lead itself, and only of one that stands (what it was
    told of: ``reach.candidate_confirmed`` tells it of a confirmation still standing once the undo window is
    over), never of a dismissal (dismissed candidates are not shown to it: their mention would tell that a
    proposal existed), nor of a confirmation a dismissal overturned (a dismissal by another name). Nobody but the
    family and reviewers reads it (``access.case_history_shown``): a partner's token reads no history (probe s36 K2)."""
    case = visible_case(deps, who, case_id)
    if not (access.case_history_shown(who, case_id) and access.case_in_full(who, case)):
        return []  # a placeholder has no history to tell, and a partner reads none
    entries = deps.read.case_timeline(case_id)
    overturned = [bool(e.pop("overturned", False)) for e in entries]
    if who.can(Permission.REVIEW_CANDIDATES):
        return entries
    settled = deps.clock.now() - deps.limits.undo_window
    return [e for e, gone in zip(entries, overturned, strict=True) if e["action"] != "candidate.dismissed"
            and (e["action"] != "candidate.confirmed" or (e["at"] <= settled and not gone))]


def with_lead(deps: Deps, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each candidate's lead (band, "1 in N", rank, long-gap caveat, what the reporter saw that the case
    contradicts: ``scoring.contradictions``): what a person is shown, read from
    its face evidence (the same whoever reads it: places never enter it) and its sighting's apparent age by
    the one reading of a pair (``scoring.read_stored``); the rank is the one this reader sees
    (``access.candidate_view``). And when it was seen against when the child went missing, as precisely as both
    are known (``since_missing``: a date given alone in whole days, the time seen as this reader reads it)."""
    for row in rows:
        row["since_missing"] = seen_since_missing(deps, row)
        apparent = AgeRange.of(row.get("apparent_age_low"), row.get("apparent_age_high"))
        evidence = face_evidence(deps.policy, row["face_score"], row["hubness"])
        reading = read_stored(deps.policy, evidence, row["expected_age"], row["gap_years"], row["rank"],
                              row["rank_of"], _alone_age(row.get("face_together"), apparent))
        row["impostor_share"] = reading.share
        against = contradictions(row.get("case_sex"), row.get("apparent_sex"), row["expected_age"], apparent,
                                 row.get("time_score"))
        row["lead"] = as_one_picture(told(reading.lead, against) | {"together": row.get("face_together") or 1},
                                     CASE_PICTURE if row["one_picture"] else None)
        row["lead"]["when_decided"] = _when_decided(deps, row, apparent.middle if apparent else None, against)
        row["resembles_many"] = row["hubness"] > deps.policy.hub_words_above
        if photos_removed(row):  # no figure read from faces deleted at the close is shown as the pair's of now
            row["impostor_share"] = None
            row["lead"] |= {"one_in": None, "bounded": False, "when_decided": None, "photos_removed": True}
    return rows


def photos_removed(row: dict[str, Any]) -> bool:
    """Whether a candidate's case was closed (reunited or otherwise) with the family's photos deleted: its pair's
    case face is gone (``case_face_id`` null), so its stored face evidence reads faces no longer kept. Its lead keeps
    its band as the record of what was decided; its "1 in N", its trail's faces "together" and its reading when
    decided are not shown (``lead["photos_removed"]``: the words say the photos were deleted at the close)."""
    return row.get("case_face_id") is None and row.get("case_state") in (CaseState.CLOSED, CaseState.REUNITED)


def _alone_age(together: int | None, apparent: AgeRange | None) -> float | None:
    """The age a reporter gave the child, read into a lead's calibration cell only when the lead is of that report's
    face alone: the faces of a trail fused together (``face_together`` > 1) are one reading for every report of the
    trail, whatever age one of its reporters typed (probe s33 G4: 1 in 36,000 and 1 in 7,400 for the same faces)."""
    return apparent.middle if apparent and (together or 1) <= 1 else None


def _when_decided(deps: Deps, row: dict[str, Any], sighting_age: float | None,
                  against: list[str]) -> dict[str, Any] | None:
    """A confirmed or dismissed lead's reading when the reviewer decided it (the face evidence stored then,
    ``decided_face_score``), when it reads otherwise now: its trail grew or shrank after the decision and the
    group's fused face moved (probe s28 B6). None when undecided, or reading the same."""
    if row.get("status") not in ("confirmed", "dismissed") or row.get("decided_face_score") is None:
        return None
    then = read_stored(deps.policy, face_evidence(deps.policy, row["decided_face_score"], row["decided_hubness"]),
                       row["expected_age"], row["gap_years"],
                       sighting_age=sighting_age if (row.get("decided_together") or 1) <= 1 else None)
    was = told(then.lead, against) | {"together": row.get("decided_together") or 1}
    keys = ("face_strength", "one_in", "bounded", "together")
    if all(was[k] == row["lead"][k] for k in keys):
        return None
    return {"status": row["status"], "at": row.get("reviewed_at"), **{k: was[k] for k in keys},
            "strength": was["strength"]}


def seen_since_missing(deps: Deps, row: dict[str, Any]) -> Elapsed:
    """A candidate's ``elapsed_days`` (as this reader reads it: ``access.times_view``) as precisely as its case's
    "missing since" and its time seen are known (``domain.elapsed``), a date given alone counted in the days of
    the zone it was given in (the site's, when it had that offset)."""
    basis = SeenAtBasis(row.get("seen_at_basis") or SeenAtBasis.GIVEN)
    return since_missing(row["elapsed_days"], doubt_hours(basis), row.get("seen_at_precision") or "instant",
                         row.get("missing_since"), row.get("missing_since_precision") or "instant", deps.site.zone)


def case_candidates(
    deps: Deps, who: Principal, case_id: int, status: CandidateStatus | None = None,
    reader: ReaderScript | None = None,
) -> list[dict[str, Any]]:
    """The case's shortlist: every candidate for reviewers, only confirmed ones for the family."""
    case = visible_case(deps, who, case_id)  # 404 for an unknown case rather than an empty list
    settled = deps.clock.now() - deps.limits.undo_window
    ended = case["status"] in (CaseStatus.CLOSED, CaseStatus.REUNITED)  # its confirmed leads stay listed
    # a family reads each lead's trail and face figure without the reports a reviewer dismissed for its case (s35 J5)
    rows = [sighting_shown(deps, who, access.candidate_view(
                who, family_leads.as_family_reads(deps, who, r, settled), deps.policy), reader)
            for r in deps.read.candidates(case_id, status, group_statuses=access.browsable_statuses(who))
            if access.candidate_visible(who, r, settled, case_id, ended, held=True)]
    # those reviewers can act on first; a report of the case's own picture after the leads (no evidence: s42 N1)
    rows.sort(key=lambda r: (waits_for_report(r), r["one_picture"], -r["score"], r["id"]))
    audit_read(deps, who, "candidates.viewed", "case", case_id, ids=[r["id"] for r in rows],
                sightings=sorted({r["sighting_id"] for r in rows}), exact_places=who.can(Permission.SEE_EXACT_PLACES))
    return [access.scores_shown(who, r) for r in with_lead(deps, rows)]


def family_sent(deps: Deps, who: Principal, case_id: int, reader: ReaderScript | None = None,
                sighting_id: int | None = None) -> list[dict[str, Any]]:
    """What the child's family sent the reviewers on its case (``access.family_sent_view``): each sighting
    it marked as possibly its child, or lead it answered on (``sighting_id``: on that one only), with every
    word it sent and where it stands, the latest sent first; empty for anyone else. A found child's report
    leaves it as it leaves every list (probe s32 F4); once the case is no longer verified and open, the
    reports' times and places leave it too (rights follow the case's status)."""
    if not who.owns(case_id):
        return []
    visible_case(deps, who, case_id)
    settled = deps.clock.now() - deps.limits.undo_window
    sent = [access.family_sent_view(who, sighting_shown(deps, who, access.candidate_view(who, r, deps.policy), reader),
                                    settled)
            for r in deps.read.candidates(case_id, None, group_statuses=access.browsable_statuses(who))
            if r["family_words"] and sighting_id in (None, r["sighting_id"])
            and not (r["sighting_found"] and access.found_child_hidden(who))]
    rows = sorted((r for r in sent if r), key=lambda r: (r["words"][-1]["at"], r["id"]), reverse=True)
    if rows:
        audit_read(deps, who, "candidates.viewed", "case", case_id, ids=[r["id"] for r in rows],
                   sightings=sorted({r["sighting_id"] for r in rows}), sent_by_family=True)
    return rows


def sighting_candidates(deps: Deps, who: Principal, sighting_id: int) -> list[dict[str, Any]]:
    """The cases this sighting was proposed for, for reviewers: first the leads of the cases verified and
    open now, ranked among them (the read model counts ranks when read), best first; then, as their history,
    those of cases that are not (waiting for verification, held again, ended, rejected: ``case_state``), with
    no rank; last those of faces a moderator ruled out (``ruled_out``), with none either. Each says its
    decision (``status``)."""
    require(who, Permission.REVIEW_CANDIDATES)
    visible_sighting(deps, who, sighting_id)
    found = deps.read.candidates(None, None, sighting_id, access.browsable_statuses(who))
    # stable: best first within each; the leads of faces ruled out (another face marked the child's) last
    found.sort(key=lambda r: (bool(r["ruled_out"]), r["case_state"] is not CaseState.ACTIVE))
    rows = [access.candidate_view(who, r, deps.policy) for r in found]
    audit_read(deps, who, "candidates.viewed", "sighting", sighting_id, ids=[r["id"] for r in rows],
                exact_places=who.can(Permission.SEE_EXACT_PLACES))
    return with_lead(deps, rows)


def case_messages(deps: Deps, who: Principal, case_id: int) -> list[dict[str, Any]]:
    """The conversation on a case: for the family and reviewers only."""
    access.require_correspondent(who, case_id, reading=True)
    found = deps.read.messages(case_id)
    audit_read(deps, who, "case.messages_read", "case", case_id, messages=len(found))
    return found


def admin_lists(deps: Deps, who: Principal) -> dict[str, list[dict[str, Any]]]:
    """Staff accounts, API tokens and invitations (emails) for the admin page; each token and invitation
    says who issued it and whether that account still vouches for it (``staff.vouches``)."""
    require(who, Permission.ADMINISTER)
    tokens = [t | {"vouched": t["issuer_account"] is None or staff.vouches(t["issuer_role"], t["issuer_disabled"])}
              for t in deps.read.api_tokens()]
    invitations = [i | {"vouched": staff.vouches(i["inviter_role"], i["inviter_disabled"]),
                        "pending": i["used_at"] is None and i["expires_at"] > deps.clock.now()}
                   for i in deps.read.invitations()]
    lists = {"accounts": deps.read.staff_accounts(), "tokens": tokens, "invitations": invitations}
    audit_read(deps, who, "admin.viewed", "system", 0, invitations=len(invitations), accounts=len(lists["accounts"]))
    return lists
