"""A child registered twice, for people to judge: beside a case waiting for verification, the open cases of
other accounts whose photos look most alike, whatever the birth dates they give (``domain.doubles.most_alike``),
and a moderator's own duplicate flag (``flag_by_hand``) when they judge two cases may be one child.

The automatic flag (``grouping.flag_duplicates``) compares only cases born within a year of each other: an
impostor who registers a child again with a birth date years off is never compared, and comparing every pair
of cases would flag different children too often (1 in 5,000 pairs read as a strong lead, times thousands of
cases). So the machine shows the few most alike to whoever verifies (and says when their birth dates
disagree), and a person decides."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from reunite.domain import access
from reunite.domain.access import Permission, Principal, require
from reunite.domain.doubles import FacePair, LookAlike, best_pair, most_alike
from reunite.domain.errors import Conflict, InvalidInput
from reunite.domain.matching_store import StoredFace
from reunite.domain.model import CaseStatus, PhotoOwner
from reunite.domain.ports import ReaderScript, UnitOfWork
from reunite.domain.scoring import CaseFacts
from reunite.services import doubles, place_days, queries
from reunite.services.deps import Deps

# the nearest faces of other cases read per face of a case shown (``ReadModel.look_alike_faces``): faces, not
# cases, so a few cases of many photos each (a registration made with one child's photos over and over) could
# fill a handful and push a real double out; this many leaves room for the three shown after them
PER_FACE = 24
PAIR = ("case_id", "face_id", "birth_date", "taken_on", "hubness", "other_case_id", "other_face_id",
        "other_birth_date", "other_taken_on", "other_hubness", "similarity")


def look_alikes(deps: Deps, who: Principal, case_ids: Sequence[int], reader: ReaderScript | None = None,
                subject_id: int = 0) -> dict[int, list[dict[str, Any]]]:
    """For each of these cases, for those who verify (``access.look_alikes_shown``; nothing for anyone else):
    the few cases of other accounts, open (verified or waiting) or ended (closed, reunited: ``status``; the same
    child registered again after its case ended, or sought by a poser: probe s43 E6), whose photos look most alike,
    read as the duplicate check reads a pair of case photos (``lead``), each with its face (``face_id``), who registered
    it (``registered_by``: family, import, partner or staff, never who), its birth date and whether the two
    birth dates are more than a year apart (``births_disagree``), when and where (the city, for ``reader``)
    the child went missing, and the pair's duplicate flag if any. One read for all the cases (the face index),
    audited as ``look_alikes.viewed`` (under ``subject_id``: the case page's case, else 0) with what was shown."""
    if not case_ids or not access.look_alikes_shown(who):
        return {}
    rows = deps.read.look_alike_faces(sorted(set(case_ids)), PER_FACE)
    about = {(row["case_id"], row["other_case_id"]): row for row in rows}
    posters = {(row["case_id"], row["other_face_id"]) for row in rows if row["on_poster"]}
    found = most_alike(deps.policy, [FacePair(**{name: row[name] for name in PAIR}) for row in rows])
    shown = {case_id: [shown_alike(deps, alike, about[(case_id, alike.pair.other_case_id)], reader,
                              (case_id, alike.pair.other_face_id) in posters) for alike in alikes]
             for case_id, alikes in found.items()}
    queries.audit_read(deps, who, "look_alikes.viewed", "case", subject_id, of=sorted(set(case_ids)),
                       shown={str(case_id): [a["case_id"] for a in alikes] for case_id, alikes in shown.items()})
    return shown


def shown_alike(deps: Deps, alike: LookAlike, row: dict[str, Any], reader: ReaderScript | None,
           on_poster: bool) -> dict[str, Any]:
    pair, lat, lon = alike.pair, row["last_seen_lat"], row["last_seen_lon"]
    return {"case_id": pair.other_case_id, "face_id": pair.other_face_id, "this_face_id": pair.face_id,
            "registered_by": row["registered_by"], "verified": row["other_verified"], "status": row["other_status"],
            "birth_date": pair.other_birth_date, "this_birth_date": pair.birth_date,
            "births_disagree": alike.births_disagree, "births_apart_years": round(alike.births_apart_days / 365.25),
            "missing_since": row["missing_since"], "missing_since_precision": row["missing_since_precision"],
            "day_zone": place_days.day_zone(deps, lat, lon, row["last_seen_text"] or "", row["missing_since"]),
            "place_city": place_days.public_city(deps, row["last_seen_text"] or "", reader, lat, lon),
            "impostor_share": alike.reading.share, "lead": asdict(alike.reading.lead),
            "flag_id": row["flag_id"], "flag_status": row["flag_status"],
            # one picture in both (``domain.doubles.SAME_PHOTO``, or flagged so: ``grouping.flag_duplicates``), and
            # whether it is the photo of the other case's public poster
            "same_photo": alike.same_photo or bool(row["flag_same_photo"]), "on_poster": on_poster}


def flag_by_hand(deps: Deps, who: Principal, case_id: int, other_case_id: int,
                 by: str | None = None) -> tuple[int, bool]:
    """A moderator judges two open cases may be one child (a look-alike beside a Verify form, whatever their
    birth dates): a duplicate flag, as the automatic check raises one, stored with the pair's reading
    (``domain.doubles.best_pair``) and resolved the same way (``grouping.decide_duplicate``). While it is open,
    a case whose other case is verified and another account's cannot be verified (``doubles.refuse_verifying``),
    and a family's case verified after the other is held (``doubles.hold``). Audited under both cases
    (``case.duplicate_flagged``, ``by_hand``, and ``by``: who flagged, named on the command line, a name in words).
    Flagged already and open: nothing changes (a retry). Returns the flag and whether this call raised it."""
    require(who, Permission.MODERATE)
    if by is not None and not any(ch.isalpha() for ch in by):
        raise InvalidInput("say who decided: a name, in words", field="by")
    if case_id == other_case_id:
        raise InvalidInput("choose two different cases: a case is not a double of itself", field="other_case_id")
    with deps.uow() as uow:
        doubles.take_turns(uow)
        for one in sorted((case_id, other_case_id)):  # locked until the commit, always in one order
            if uow.case_state(one)[0] != CaseStatus.OPEN:
                raise Conflict("case {id} is not open: there is nothing to compare or link", id=one)
        if (flag := uow.duplicate_flag(case_id, other_case_id)) is not None:
            if flag[1] != "open":
                raise Conflict("cases {id} and {other} were already decided by a moderator (duplicate flag {flag}): reopen that flag to decide again",  # noqa: E501
                               id=case_id, other=other_case_id, flag=flag[0])
            return flag[0], False
        uow.flag_duplicate(case_id, other_case_id, pair_share(deps, uow, CaseFaces.read(uow, case_id), other_case_id))
        flag = uow.duplicate_flag(case_id, other_case_id)
        assert flag is not None
        said = {"by": by.strip()[:200]} if by and by.strip() else {}
        for one, other in ((case_id, other_case_id), (other_case_id, case_id)):
            uow.audit(who.actor, "case.duplicate_flagged", "case", one, other_case_id=other, flag=flag[0], by_hand=True,
                      **said)
        doubles.hold(uow, who.actor, [case_id, other_case_id], deps.clock.now())
        uow.commit()
    return flag[0], True


def flag_linked(deps: Deps, uow: UnitOfWork, actor: str, case_id: int, other_case_id: int, note: str) -> bool:
    """A partner registry's PFIF link (a note's ``linked_person_record_id``: "the same child as that record", its own
    or one of this site's, probe s29 C7): a duplicate flag in the moderators' queue, read as a moderator's by hand
    (``pair_share``), saying whose import linked them and by which note, resolved the same way
    (``grouping.decide_duplicate``). A registry's word alone holds back neither case (``Double.partner_only``: no
    verification waits on it, no verified case is held), or one partner could take another family's verified case
    offline by naming it (probe s29 C1). An open flag raised already says who linked it too. Audited under both
    cases (``case.duplicate_flagged``, ``linked_by_partner``, the note). Whether a flag was raised or told so; the
    caller took its turn (``doubles.take_turns``)."""
    if not uow.flag_linked(case_id, other_case_id, pair_share(deps, uow, CaseFaces.read(uow, case_id), other_case_id),
                           actor, note):
        return False
    flag = uow.duplicate_flag(case_id, other_case_id)
    assert flag is not None
    for one, other in ((case_id, other_case_id), (other_case_id, case_id)):
        uow.audit(actor, "case.duplicate_flagged", "case", one, other_case_id=other, flag=flag[0],
                  linked_by_partner=True, note=note)
    return True


@dataclass(frozen=True)
class CaseFaces:
    """A case's facts and its faces, read once for every pair of cases it is one side of."""

    facts: CaseFacts
    faces: list[StoredFace]

    @classmethod
    def read(cls, uow: UnitOfWork, case_id: int) -> CaseFaces:
        return cls(uow.case_facts(case_id), uow.faces_of(PhotoOwner.CASE, case_id))


def pair_share(deps: Deps, uow: UnitOfWork, mine: CaseFaces, other_case_id: int) -> float:
    """The share a duplicate flag of a case (``mine``, as read) and another keeps when a person or their names
    raise it: the reading of their most alike faces (``domain.doubles.best_pair``), or 1.0 (nothing known)
    without one."""
    best = best_pair(deps.policy, face_pairs(uow, mine, other_case_id))
    return best.reading.share if best is not None and best.reading.share is not None else 1.0


def face_pairs(uow: UnitOfWork, mine: CaseFaces, other_case_id: int) -> list[FacePair]:
    """Every pair of a face of one case (``mine``, as read) and a face of the other (read here), as
    ``ReadModel.look_alike_faces`` gives them."""
    me, other = mine.facts, uow.case_facts(other_case_id)
    theirs = uow.faces_of(PhotoOwner.CASE, other_case_id)
    return [FacePair(me.case_id, a.face_id, me.birth_date, a.taken_on, a.hubness, other_case_id, b.face_id,
                     other.birth_date, b.taken_on, b.hubness,
                     float(sum(x * y for x, y in zip(a.embedding, b.embedding, strict=True))))
            for a in mine.faces for b in theirs]
