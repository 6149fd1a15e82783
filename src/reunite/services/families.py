"""Families in the loop: their word on a lead ("this may be my child" / "not my child"), a sighting
they found in browse sent to the reviewers as a candidate, and which filter emptied their search."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from reunite.domain import access
from reunite.domain.access import Permission, Principal, require
from reunite.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, bounded
from reunite.domain.model import CandidateStatus, PhotoOwner, SightingFilter
from reunite.domain.scoring import impostor_share, score_pair
from reunite.domain.text_limits import TEXT_LIMITS
from reunite.domain.workbench import SECOND_LOOK_COOL_DOWN, FamilyAnswer, word_is_new
from reunite.services import throttle
from reunite.services.deps import Deps
from reunite.services.grouping import fused_faces
from reunite.services.matching import hits_by_case
from reunite.services.queries import visible_sighting


def count_word(deps: Deps, who: Principal) -> None:
    """A family's proposal or answer counts against its hourly limit, as its messages do (``messages_per_hour``,
    one count per account): past it, 429 saying when one more fits (probe s21 U6: one family added 100
    workbench items with long notes in 5 s). Counted once the word is known to be well formed and allowed."""
    throttle.hit(deps, f"family-word:{who.actor}", deps.limits.messages_per_hour)


def answer_lead(deps: Deps, who: Principal, candidate_id: int, answer: str, note: str) -> int:
    """The family's word on a confirmed lead, for the reviewers, kept with the words it sent before
    (``word_is_new``: the same word again is kept once, reviewers told once); returns the case id."""
    row = deps.read.workbench_item(candidate_id)
    settled = deps.clock.now() - deps.limits.undo_window
    # a lead this reader may not see answers exactly as one that does not exist: ids tell nothing
    if not access.candidate_visible(who, row, settled, row["case_id"], held=True):
        _stale(who, row, settled, candidate_id)
    if not who.owns(row["case_id"]):
        raise Forbidden("only the child's family answers on a lead")
    if row["status"] != "confirmed":
        raise NotFound("candidate {id} does not exist", id=candidate_id)
    try:
        chosen = FamilyAnswer(answer)
    except ValueError:
        raise InvalidInput("answer 'this may be my child' or 'not my child'", field="answer") from None
    note = bounded(note, TEXT_LIMITS["note"], "note")
    count_word(deps, who)
    with deps.uow() as uow:
        uow.one_at_a_time(f"family-words:{row['case_id']}")  # two copies of one answer at once: kept once
        if not word_is_new(uow.family_words(candidate_id), chosen.value, note):
            return int(row["case_id"])  # the same word sent again (a double tap): reviewers are told once
        case_id = uow.add_family_word(candidate_id, chosen.value, note, deps.clock.now())
        uow.audit(who.actor, "candidate.family_answered", "candidate", candidate_id, case_id=case_id,
                  answer=chosen.value)
        uow.enqueue("reach.tell_reviewers")
        uow.commit()
    return case_id


def _stale(who: Principal, row: dict[str, Any], settled: datetime, candidate_id: int) -> None:
    """A lead the family may not answer on now, from a form loaded before (probe s28 B7): to the case's own
    family, what is true, in its language: its case has ended (answers are no longer taken), or the lead a
    reviewer confirmed is not final yet (the minutes it may still be undone); to anyone else, and for any other
    lead, 404 as for one that does not exist."""
    case_id = int(row["case_id"])
    lead = row["status"] == "confirmed" and row.get("sighting_status") in ("approved", "pending")
    if who.owns(case_id) and lead and case_id in who.ended_cases and row["reviewed_at"] <= settled:
        raise Conflict("this case has ended: answers on its leads are no longer taken. If there is something the police should know about this sighting, tell them directly")  # noqa: E501
    if who.owns(case_id) and lead and case_id in who.verified_cases:
        raise Conflict("this lead is not final yet: a reviewer may still take it back in the next few minutes. Try again in a few minutes")  # noqa: E501
    raise NotFound("candidate {id} does not exist", id=candidate_id)


def propose_sighting(deps: Deps, who: Principal, sighting_id: int, case_id: int, note: str) -> int:
    """A family marks a sighting it browsed as possibly its child: it reaches the reviewers as a
    candidate (scored like the machine's) with the family's note, kept with any word it sent on it
    before. If the machine had it already, the family's word joins it: a dismissed one goes back to the
    reviewers for a second look, marked with the dismissal's date (the dismissal stays in the audit log), once
    per ``SECOND_LOOK_COOL_DOWN``: more notes within it are kept and shown but leave it dismissed; a confirmation
    stands (one the family had answered "not my child" on: it changed its mind, both answers kept). The same word again
    (``word_is_new``) changes nothing: no second notice, no audit line. Returns the candidate id."""
    require(who, Permission.BROWSE_SIGHTINGS)
    if not (who.owns(case_id) and case_id in who.verified_cases):
        raise Forbidden("only the child's family answers on a lead")
    sighting = visible_sighting(deps, who, sighting_id)
    note = bounded(note, TEXT_LIMITS["note"], "note")
    count_word(deps, who)
    now = deps.clock.now()
    with deps.uow() as uow:
        if not uow.case_is_active(case_id):
            raise Forbidden("only the child's family answers on a lead")
        uow.one_at_a_time(f"family-words:{case_id}")  # two copies of one proposal at once: one candidate, one word
        faces = uow.faces_of(PhotoOwner.SIGHTING, sighting_id)
        child = access.child_face_of(sighting["child_face_id"], [f.face_id for f in faces])
        faces = [f for f in faces if child is None or f.face_id == child]
        case, facts = uow.case_facts(case_id), uow.sighting_facts(sighting_id)
        faces = fused_faces(deps, uow, sighting_id, faces)  # as matching reads a grouped sighting's face
        fuse = (deps.policy, uow.extra_spread())
        scored = []
        for face in faces:
            hits = hits_by_case(uow, face, [case_id], fuse).get(case_id)
            if hits:
                scored.append((score_pair(deps.policy, case, facts, hits, face.hubness), face.face_id))
        if not scored:
            raise InvalidInput("no face to compare in this sighting or in your child's photos",
                               field="sighting_id")
        score, face_id = max(scored, key=lambda pair: pair[0].total)
        existing = uow.candidate_of_face(case_id, face_id)
        if existing is not None:
            candidate_id, status = existing
            if not word_is_new(uow.family_words(candidate_id), FamilyAnswer.MAYBE.value, note):
                return candidate_id  # sent already: reviewers have it
            # the first new note after a dismissal puts it back in the queue, marked "already dismissed";
            # more notes within the cool-down are kept and shown, the lead stays dismissed
            stays = (status == CandidateStatus.DISMISSED
                     and not uow.family_reopen(candidate_id, now, SECOND_LOOK_COOL_DOWN))
        else:
            # calibrated as matching's candidates are: reviewers and the family read the same lead
            values = {"case_face_id": score.best_case_face_id, "score": score.total, "face_score": score.face,
                      "age_score": score.age, "time_score": score.time, "place_score": score.place,
                      "sex_score": score.sex, "expected_age": score.expected_age, "distance_km": score.distance_km,
                      "elapsed_days": score.elapsed_days, "hubness": score.hubness, "gap_years": score.gap_years,
                      "impostor_share": impostor_share(deps.policy, score)}
            candidate_id = uow.add_family_candidate(case_id, sighting_id, face_id, values, now)
            stays = False
        uow.add_family_word(candidate_id, FamilyAnswer.MAYBE.value, note, now)
        uow.audit(who.actor, "candidate.family_proposed", "candidate", candidate_id, case_id=case_id,
                  sighting=sighting_id, **({"queued": False} if stays else {}))
        if not stays:  # a note on a lead left dismissed waits on the case page, nobody is called to it
            uow.enqueue("reach.tell_reviewers")
        uow.commit()
    return candidate_id


FILTERS: dict[str, Callable[[SightingFilter], SightingFilter]] = {  # each filter's name, and the query without it
    "place": lambda q: replace(q, place=""),
    "dates": lambda q: replace(q, seen_from=None, seen_to=None, seen_on_from=None, seen_on_to=None),
    "age": lambda q: replace(q, age=None),
    "sex": lambda q: replace(q, sex=None),
    "map area": lambda q: replace(q, near=None),
    "only known age and sex": lambda q: replace(q, include_unknown=True),
}


def empty_because(deps: Deps, who: Principal, query: SightingFilter) -> list[str]:
    """When a browse finds nothing: the filters that, each left out alone, would find something.
    Counts only what this reader may browse anyway, as this reader's browse does (places by grid
    cell without exact places: ``access.sighting_filter``), and says no number."""
    require(who, Permission.BROWSE_SIGHTINGS)
    base = replace(access.sighting_filter(who, query), limit=1, offset=0)
    found = []
    for name, without in FILTERS.items():
        relaxed = without(base)
        if relaxed != base and deps.read.sightings(relaxed)[0] > 0:
            found.append(name)
    return found


def found_without_filters(deps: Deps, who: Principal, query: SightingFilter) -> bool:
    """When no filter left out alone finds anything: whether leaving them all out would (so the page
    says to clear the filters, not that there is no sighting yet). Says no number."""
    require(who, Permission.BROWSE_SIGHTINGS)
    base = replace(access.sighting_filter(who, query), limit=1, offset=0)
    bare = base
    for without in FILTERS.values():
        bare = without(bare)
    return bare != base and deps.read.sightings(bare)[0] > 0
