"""Many sightings, one child: an approved sighting joins the group whose every member's child looks
like its own and could have been reached (``domain.grouping``; only the face that may be each report's
child takes part), and a grouped sighting is matched with its group's faces fused. Cases that look
like one child registered twice are flagged for moderators."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from reunite.domain.access import Permission, Principal, coarse_point, require
from reunite.domain.chips import SAME_CHIP
from reunite.domain.doubles import BIRTH_WINDOW_DAYS, FLAG_FROM, SAME_CHIP_FACES, SAME_PHOTO, SAME_PHOTO_BITS
from reunite.domain.errors import InvalidInput, bounded
from reunite.domain.fusion import fused_similarity
from reunite.domain.grouping import (
    GROUP_AGE_YEARS,
    Seen,
    fuse_group,
    gap_years,
    one_per_picture,
    pair_score,
    reachable,
    same_child_by_face,
)
from reunite.domain.matching_store import StoredFace
from reunite.domain.model import PhotoOwner
from reunite.domain.names import same_name
from reunite.domain.ports import UnitOfWork
from reunite.domain.reasons import require_why
from reunite.domain.scoring import CasePhoto, SightingFacts, lead_for, read_case_photos
from reunite.domain.text_limits import REASON_LIMIT
from reunite.domain.times import ZONE_DOUBT
from reunite.services import doubles, look_alikes, photo_copies
from reunite.services.deps import Deps

SYSTEM = "system"
NEIGHBOURS = 20
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return float(sum(x * y for x, y in zip(a, b, strict=True)))


def group_sighting(deps: Deps, sighting_id: int) -> int | None:
    """Join the sighting to the group of the most alike plausible sighting (creating the group).
    Returns the group id, or None when it stays alone (or no calibration says what 'alike' means).

    Whether one child could have been at both is judged between the places' grid cells: families see
    the groups (a sighting's trail, "one child seen N times"), so no group follows an exact place."""
    if deps.policy.calibration is None:
        return None
    with deps.uow() as uow:
        me = uow.sighting_facts(sighting_id)
        group = join_likeliest_group(deps, uow, me, uow.faces_of(PhotoOwner.SIGHTING, sighting_id))
        if group is not None:
            group_changed(deps, uow, sighting_id)
            uow.commit()
    return group


def join_likeliest_group(deps: Deps, uow: UnitOfWork, me: SightingFacts, faces: Sequence[StoredFace],
                         earlier_only: bool = False) -> int | None:
    """``group_sighting`` inside the caller's transaction, with the sighting's facts and faces read already.

    Only approved reports are grouped, and by the one face of each that may be its child
    (``uow.groupable_face``: marked, or its only face): a bystander beside two children never makes them
    one trail, and a report nobody approved never changes what anyone reads of a group. A picture two
    reports share (a repost, a picture forwarded beside one's own snapshot) joins them only as their child
    faces do: the same picture's child face is as alike as one child's, while a report whose child is
    another face of its photos stays apart, whatever it shares. Only a report that is a copy of another,
    the same pictures and nothing else (``same_pictures_as``), neither with a face known to be the child's,
    joins it without a face, when one child could have been at both: whichever face is the child's, it
    is the same child.
    A sighting joins a group only if its child looks like every member's child and each could have
    been reached: the best alike sighting's group is checked whole, then the next best's, so that groups
    never chain. With ``earlier_only`` (``services.regroup``: every sighting in the order they were seen)
    only sightings seen before this one are looked at."""
    policy = deps.policy
    mine = uow.groupable_face(me.sighting_id)
    face = next((f for f in faces if f.face_id == mine), None)

    def earlier(other: SightingFacts) -> bool:
        return not earlier_only or (other.seen_at, other.sighting_id) < (me.seen_at, me.sighting_id)

    here = _seen(me)
    if face is None and (copy := uow.same_pictures_as(me.sighting_id)) is not None:
        first = uow.sighting_facts(copy)
        if earlier(first) and reachable(policy.groups, here, _seen(first)):
            joined = uow.join_group(me.sighting_id, first.sighting_id)  # the same pictures: one child, one trail
            uow.spread_found(joined, deps.clock.now())  # a found child's trail: this report is found too
            uow.audit(SYSTEM, "sighting.grouped", "sighting", me.sighting_id, group=joined,
                      with_sighting=first.sighting_id, repost=True)
            return joined
    if policy.calibration is None or face is None:
        return None
    # sightings seen too long before cannot be this child (a face changes), either time perhaps off by as much as a
    # zone is (``reachable`` then reads each pair exactly); with this time unknown, any may be
    window = timedelta(days=365.25 * GROUP_AGE_YEARS) + ZONE_DOUBT
    since = EARLIEST if here.doubt is None else me.seen_at - here.doubt - window
    hits = [h for h in uow.near_child_faces(face.embedding, since, NEIGHBOURS) if h.sighting_id != me.sighting_id]
    # a case's own picture reposted is no sighting of a child: it joins no trail, nor does a trail form around it
    # (probe s42 N1, s43 E1: a real sighting arriving after a poster's repost joined it)
    copies = uow.case_pictures_among([face.face_id, *(h.sighting_face_id for h in hits)])
    if face.face_id in copies:
        return None
    hits = [h for h in hits if h.sighting_face_id not in copies]
    facts = uow.sighting_facts_of(sorted({h.sighting_id for h in hits}))
    alike = sorted(((_score(face, hit.embedding, hit.hubness), hit.sighting_id) for hit in hits
                    if hit.sighting_id in facts and earlier(facts[hit.sighting_id])
                    and _alike(deps, here, face, hit.embedding, hit.hubness, facts[hit.sighting_id])), reverse=True)
    refused: set[int] = set()  # groups checked whole and not fitted
    for _, other in alike:
        group = uow.group_of(other)
        if group in refused:
            continue
        if group is None or _fits(deps, uow, here, face, group):
            joined = uow.join_group(me.sighting_id, other)
            if uow.spread_found(joined, deps.clock.now()):  # joined a found child's trail (probe s35 J2)
                uow.withdraw_found_proposals(group_id=joined)
            uow.audit(SYSTEM, "sighting.grouped", "sighting", me.sighting_id, group=joined, with_sighting=other)
            return joined
        refused.add(group)
    return None


def _seen(facts: SightingFacts) -> Seen:
    """A sighting as grouping reads it: its place's grid cell, and its time with how far it may be off
    (``SeenAtBasis.doubt``; unknown for a report dated by its arrival, which neither joins nor splits by time)."""
    return Seen(facts.sighting_id, facts.seen_at, coarse_point(facts.place), facts.seen_at_basis.doubt)


def _score(face: StoredFace, embedding: Sequence[float], hubness: float) -> float:
    return pair_score(_dot(face.embedding, embedding), face.hubness, hubness)


def _alike(deps: Deps, here: Seen, face: StoredFace, embedding: Sequence[float], hubness: float,
           facts: SightingFacts) -> bool:
    """Whether another sighting's child face is as alike ``face`` as one child's, and reachable from ``here``."""
    policy = deps.policy
    there = _seen(facts)
    return (same_child_by_face(policy.calibration, _score(face, embedding, hubness), gap_years(here, there),
                               policy.groups.share)
            and reachable(policy.groups, here, there))


def _fits(deps: Deps, uow: UnitOfWork, here: Seen, face: StoredFace, group: int) -> bool:
    """Whether the sighting is alike (and reachable from) every other member of the group."""
    members = [m for m in uow.group_child_faces(group) if m[0] != here.sighting_id]
    facts = uow.sighting_facts_of([m[0] for m in members])
    return all(m[0] in facts and _alike(deps, here, face, m[2], m[3], facts[m[0]]) for m in members)


def regroup(deps: Deps, uow: UnitOfWork, sighting_id: int) -> int | None:
    """A sighting approved, rejected, taken down, or its child's face marked: it leaves its group (whose
    members are scored again without it) and, approved with a child's face, joins the group it fits now
    (scored again with it). Returns its group."""
    leave_group(deps, uow, sighting_id)
    group = join_likeliest_group(deps, uow, uow.sighting_facts(sighting_id),
                                 uow.faces_of(PhotoOwner.SIGHTING, sighting_id))
    if group is not None:
        group_changed(deps, uow, sighting_id)
    return group


def leave_group(deps: Deps, uow: UnitOfWork, sighting_id: int) -> None:
    """The sighting leaves its group; the remaining members are scored again (``group_changed``)."""
    if uow.group_of(sighting_id) is not None:
        group_changed(deps, uow, sighting_id)
        uow.leave_group(sighting_id)


def fused_faces(deps: Deps, uow: UnitOfWork, sighting_id: int, faces: list[StoredFace],
                leave_out: Collection[int] = ()) -> list[StoredFace]:
    """The sighting's faces, its child's face replaced by the child faces fused of the group's members
    that look like that same child (``domain.grouping.fuse_group``: scored as the mean of their scores).
    A sighting may have joined its group by another face of its photo (a bystander as alike as another
    sighting's child): once its child's face is marked, that face is never averaged with a different child's.
    One picture counts once (probe s28 B5): members whose child face is in the same photo as an earlier
    member's (perceptual hashes within ``SAME_PHOTO_BITS``: sent again, re-encoded) add no face of their own, so
    copies of one photo never weigh the mean towards it, and a trail of copies alone is its one face.
    ``StoredFace.together`` says how many pictures the fused face reads together. ``leave_out``: members read as if
    not in the trail (those a reviewer dismissed for the case a family reads the lead of: ``family_leads``)."""
    group = uow.group_of(sighting_id) if deps.policy.groups.fuse else None
    members = [m for m in uow.group_child_faces(group) if m[0] not in leave_out] if group is not None else []
    mine = next((m for m in members if m[0] == sighting_id), None)
    alike = _same_child(deps, uow, mine, members) if mine is not None and len(members) > 1 else []
    alike = [alike[i] for i in one_per_picture([m[4] for m in alike], SAME_PHOTO_BITS)]
    if mine is None or len(alike) < 2:
        return faces
    fused = fuse_group([m[2] for m in alike], [m[3] for m in alike])
    return [replace(f, embedding=fused.embedding, hubness=fused.hubness, scale=fused.scale, together=len(alike))
            if f.face_id == mine[1] else f for f in faces]


# (sighting id, child face id, embedding, hubness, its photo's perceptual hash)
Member = tuple[int, int, Sequence[float], float, int | None]


def _same_child(deps: Deps, uow: UnitOfWork, mine: Member, members: list[Member]) -> list[Member]:
    """The members whose child face is as alike ``mine`` as grouping asks of two sightings (itself included)."""
    policy = deps.policy
    seen = {s: _seen(facts) for s, facts in uow.sighting_facts_of([m[0] for m in members]).items()}
    alike = []
    for member in members:
        years = gap_years(seen[member[0]], seen[mine[0]])
        score = pair_score(_dot(mine[2], member[2]), mine[3], member[3])
        if member is mine or same_child_by_face(policy.calibration, score, years, policy.groups.share):
            alike.append(member)
    return alike


def group_changed(deps: Deps, uow: UnitOfWork, sighting_id: int) -> None:
    """A grouped sighting's child face was marked, or it left or rejoined the reports (rejected, approved,
    removed, expired): its group's fused faces change, so its members' candidates are scored again by a
    job enqueued in the caller's transaction (``matching.rescore_group``)."""
    group = uow.group_of(sighting_id) if deps.policy.groups.fuse else None
    if group is not None:
        # one waiting job per group: it reads the group as it is when it runs
        uow.enqueue("matching.rescore_group", lock=f"group-{group}", unless_waiting=True, group_id=group)


def flag_duplicates(deps: Deps, case_id: int) -> int:
    """Flag every case with a photo that is one of this case's photos, whatever its birth date and name
    (``_flag_same_photos``), the open cases born within a year of this one under its name (``_flag_same_names``),
    and open cases born within a year of this one whose faces are as alike as a strong lead: each pair of
    faces read as a lead reads a case photo against a sighting (``scoring.read_case_photos``: both photos'
    ages, by their own cases' birth dates, the gap between them, the hubness of the face in the sighting's
    part, a second model's similarity fused as matching fuses it). A family's case verified before its flag
    was found, registered after the other (verified) case by another account, is held: it waits for
    verification again (``doubles.hold``)."""
    policy = deps.policy
    with deps.uow() as uow:
        doubles.take_turns(uow)
        read = look_alikes.CaseFaces.read(uow, case_id)  # this case's faces: read once, for every pair
        me, mine = read.facts, read.faces
        flagged = _flag_same_photos(uow, case_id) + _flag_same_names(deps, uow, read)
        flagged += photo_copies.flag_copies(uow, case_id)  # a report picture (s36 K1)
        spread = uow.extra_spread() if any(face.extra is not None for face in mine) else None
        for face in mine if policy.calibration is not None else ():
            near = [hit for hit in uow.near_case_faces(face.embedding, FAR_FUTURE, NEIGHBOURS)
                    if hit.case_id != case_id]
            others = uow.case_facts_of(list({hit.case_id for hit in near}))  # one read for all nearby cases
            extra = uow.extra_similarities(face.extra, [hit.case_face_id for hit in near]) \
                if face.extra is not None and spread is not None else {}
            for hit in near:
                other = others[hit.case_id]
                if abs((other.birth_date - me.birth_date).days) > BIRTH_WINDOW_DAYS:
                    continue
                similarity = fused_similarity(policy, spread, hit.similarity, extra.get(hit.case_face_id))
                share = read_case_photos(policy, similarity, CasePhoto.of(me.birth_date, face.taken_on, face.hubness),
                                         CasePhoto.of(other.birth_date, hit.photo_taken_on, hit.hubness)).share
                if share is not None and share <= policy.leads.strong_share \
                        and uow.flag_duplicate(case_id, hit.case_id, share):
                    uow.audit(SYSTEM, "case.duplicate_flagged", "case", case_id, other_case_id=hit.case_id)
                    flagged += 1
        doubles.hold(uow, SYSTEM, [case_id], deps.clock.now())
        photo_copies.hold(uow, case_id, deps.clock.now())  # verified before its copy of a report was found
        uow.commit()
    return flagged


SAME_PHOTO_NEAR = 10  # the nearest case faces of each face of a case searched for one picture (one is the nearest)


def _flag_same_photos(uow: UnitOfWork, case_id: int) -> int:
    """Flag each case (open, or reunited or closed with its photos kept) that has a photo of this case's: one
    picture (``domain.doubles.SAME_PHOTO``: faces of one picture; ``SAME_CHIP_FACES`` with ``domain.chips.SAME_CHIP``:
    faces alike whose aligned chips are one picture's, a copy cropped, framed, turned or mirrored;
    ``SAME_PHOTO_BITS``: perceptual hashes, a copy whose face was read otherwise), the public poster's photo
    downloaded and registered again, whatever birth date and name it is given (probe s25 Y1, s27 A1), or a family's
    own second registration (never kept waiting). Read as alike as a pair can be (share 0). A flag raised already
    otherwise is marked as one picture (and reopened if it was dismissed: the moderator did not know)."""
    flagged = 0
    for same in uow.same_photos(case_id, SAME_PHOTO, SAME_PHOTO_BITS, SAME_PHOTO_NEAR,
                                SAME_CHIP_FACES, SAME_CHIP):
        if uow.flag_duplicate(case_id, same.other_case_id, 0.0, same):
            uow.audit(SYSTEM, "case.duplicate_flagged", "case", case_id, other_case_id=same.other_case_id,
                      same_photo=True, photo=same.photo_id, other_photo=same.other_photo_id)
            flagged += 1
    return flagged


NAMESAKES_FLAGGED = 10  # a registration flags at most this many namesakes: verified cases first, nearest births


def _flag_same_names(deps: Deps, uow: UnitOfWork, mine: look_alikes.CaseFaces) -> int:
    """Flag the open cases born within a year of this one under its name (``domain.names``), whatever their faces
    look like: a poster's or record's name and age copied with another child's photos (another account's), or a
    family's second registration of its child spelled otherwise (its own: linked, never waiting on it). The
    flag keeps the reading of the two cases' most alike faces, or 1.0 (nothing known) as a moderator's own. Verified
    cases come first, so that namesakes registered to crowd them out (never verified) cannot. ``mine``: this case's
    facts and faces, as ``flag_duplicates`` read them."""
    case_id = mine.facts.case_id
    rows = uow.born_near(case_id, BIRTH_WINDOW_DAYS)
    if not rows:  # its birth date blanked (an expired case)
        return 0
    (_, family, given), others = rows[0], rows[1:]
    namesakes = [other_id for other_id, other_family, other_given in others if same_name(
        (family, given), (other_family, other_given), deps.places.simplified, deps.places.readings)]
    flagged = 0
    for other_id in namesakes[:NAMESAKES_FLAGGED]:
        if uow.flag_duplicate(case_id, other_id, look_alikes.pair_share(deps, uow, mine, other_id)):
            uow.audit(SYSTEM, "case.duplicate_flagged", "case", case_id, other_case_id=other_id, same_name=True)
            flagged += 1
    return flagged


DECISIONS = {"link": "linked", "dismiss": "dismissed", "reopen": "open"}


def _one_child(rows: list[dict[str, Any]]) -> dict[int, list[int]]:
    """Each flagged case's fellow registrations: the cases joined to it by open flags (eleven
    registrations of one face are one child, not 55 unrelated pairs)."""
    joined: dict[int, set[int]] = {}
    for row in rows:
        a, b = row["case_id"], row["other_case_id"]
        both = joined.get(a, {a}) | joined.get(b, {b})
        for case_id in both:
            joined[case_id] = both
    return {case_id: sorted(cases) for case_id, cases in joined.items()}


def duplicates(deps: Deps, who: Principal) -> list[dict[str, Any]]:
    """Cases flagged as one child registered twice, for moderators to link or dismiss: the flags of one
    child together (``child_cases``, every registration the flags join), the likeliest child first."""
    require(who, Permission.MODERATE)
    rows = deps.read.duplicates()
    child = _one_child(rows)
    first_seen = {tuple(child[row["case_id"]]): at for at, row in reversed(list(enumerate(rows)))}
    rows.sort(key=lambda row: first_seen[tuple(child[row["case_id"]])])  # stable: likeliest first within
    waits = {(d.flag_id, d.case_id) for d in deps.read.doubles(sorted(child)) if d.blocks}
    for row in rows:
        row["child_cases"] = child[row["case_id"]]
        row["lead"] = asdict(lead_for(deps.policy, row["impostor_share"], 0.0, None))
        names = (row.pop("case_family_name"), row["case_name"]), (row.pop("other_family_name"), row["other_name"])
        apart = row["births_apart_days"]
        row["same_name"] = apart is not None and apart <= BIRTH_WINDOW_DAYS and same_name(
            *names, deps.places.simplified, deps.places.readings)
        row["verification_waits"] = [c for c in (row["case_id"], row["other_case_id"]) if (row["id"], c) in waits]
        posters = [c for c, shown in ((row["other_case_id"], row.pop("other_on_poster")),
                                      (row["case_id"], row.pop("case_on_poster"))) if shown and row["same_photo"]]
        row["photo_on_poster"] = posters[0] if posters else None  # the case whose public poster shows that photo
    with deps.uow() as uow:  # children's names of two cases: a read of personal data, audited
        uow.audit(who.actor, "duplicates.viewed", "case", 0, flags=[row["id"] for row in rows])
        uow.commit()
    return rows


def decide_duplicate(deps: Deps, who: Principal, flag_id: int, decision: str, reason: str = "",
                     by: str | None = None) -> bool:
    """Link two cases as one child (each points at the other, as PFIF's linked_person_record_id),
    dismiss the flag (different children: ``reason`` says why, required), or reopen it (unlinking).
    Either resolves the flag: a case waiting on it may be verified. Reopened, a family's case verified
    after the other is held again (``doubles.hold``). A decided flag is only reopened (409 otherwise: another
    moderator decided first), an open one only decided; a reason is words (``domain.reasons.require_why``).
    Audited under both cases, with the reason (and ``by``: who decided, named on the command line, a name in
    words, required there). The same link or dismissal again (a retried command) answers as the first did and
    changes nothing; returns False then, True when this call decided."""
    require(who, Permission.MODERATE)
    if decision not in DECISIONS:
        raise InvalidInput("decision must be 'link', 'dismiss' or 'reopen'", field="decision")
    if by is not None and not any(ch.isalpha() for ch in by):
        raise InvalidInput("say who decided: a name, in words", field="by")
    why = bounded(reason, REASON_LIMIT, "reason").strip()
    if decision == "dismiss" and not why:
        raise InvalidInput("say why they are different children (what you checked)", field="reason")
    if decision == "dismiss":
        require_why(why, "reason")
    with deps.uow() as uow:
        doubles.take_turns(uow)
        pair = uow.decide_duplicate(flag_id, DECISIONS[decision], FLAG_FROM[DECISIONS[decision]], who.actor,
                                    deps.clock.now())
        if pair is None:  # decided so already: the same answer again, nothing written
            return False
        a, b = pair
        said = ({"reason": why} if why else {}) | ({"by": by.strip()[:200]} if by and by.strip() else {})
        for case_id, other in ((a, b), (b, a)):
            uow.audit(who.actor, f"case.duplicate_{DECISIONS[decision]}", "case", case_id, other_case_id=other,
                      flag=flag_id, **said)
        if decision == "reopen":
            doubles.hold(uow, who.actor, [a, b], deps.clock.now())
        uow.commit()
    return True
