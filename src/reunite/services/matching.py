"""Matching: the worker's use cases after a photo's faces are found (``services.faces``). Every function
is idempotent, so a job that is retried after a crash changes nothing it already did."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from reunite.domain import access
from reunite.domain.fusion import Spread, fused_similarity
from reunite.domain.leads import proposable
from reunite.domain.matching_store import CandidateRow, CaseHitRow, StoredFace
from reunite.domain.model import GeoPoint, PhotoOwner
from reunite.domain.ports import UnitOfWork
from reunite.domain.scoring import (
    CaseFacts,
    FaceHit,
    MatchPolicy,
    Score,
    SightingFacts,
    face_evidence,
    impostor_share,
    score_pair,
)
from reunite.services.deps import Deps
from reunite.services.faces import JOB_DURABLE, SYSTEM, process_photos
from reunite.services.grouping import flag_duplicates, fused_faces, join_likeliest_group
from reunite.services.notices import work_waits

Fusion = tuple[MatchPolicy, Spread | None]


def face_hits(rows: Sequence[CaseHitRow], fuse: Fusion | None = None,
              extra: dict[int, float] | None = None, scale: float = 1.0) -> dict[int, list[FaceHit]]:
    """Hits by case; with the second model's similarities (``extra``, by case face), fused with dlib's;
    ``scale``: a group's fused face's (``StoredFace.scale``)."""
    grouped: dict[int, list[FaceHit]] = defaultdict(list)
    for row in rows:
        similarity = scale * row.similarity
        if fuse is not None and extra:
            similarity = fused_similarity(fuse[0], fuse[1], similarity, extra.get(row.case_face_id))
        grouped[row.case_id].append(FaceHit(row.case_face_id, similarity, row.photo_taken_on))
    return grouped


def hits_by_case(uow: UnitOfWork, face: StoredFace, case_ids: Sequence[int], fuse: Fusion) -> dict[int, list[FaceHit]]:
    """A sighting face's exact similarities to every face of these cases, as matching scores them
    (fused with the second model's, scaled for a group's fused face), by case."""
    rows = uow.case_face_hits(face.embedding, case_ids)
    extra = uow.extra_similarities(face.extra, [r.case_face_id for r in rows]) if face.extra else {}
    return face_hits(rows, fuse, extra, face.scale)


def ranked(deps: Deps, rows: list[CandidateRow], rank_of: int, seen: GeoPoint | None,
           last_seen: Mapping[int, GeoPoint | None]) -> list[CandidateRow]:
    """A sighting's scored (case, face) pairs, all its faces matched together, best first, each with its
    calibrated impostor share and two ranks among the cases proposable for the sighting (``plausible``: a
    case ranked above a candidate is a candidate too, so "2nd" never points at a child nobody is shown),
    one ranking for the whole sighting, whatever face each case was matched by (probe s28 B2: two cases
    matched by two faces were both "1st of the cases proposed for this sighting"): by the exact totals (for
    police and moderators), and by every case's total with the distance between the grid cells of where it
    was ``last_seen`` (by case) and where the child was ``seen``: what everyone else sees, so no rank they
    read moves with a place within its cell. Each row says whether it was ``proposable``: the ranks stored
    order a sighting's candidates, and a reader counts, above each, the proposable ones of the cases verified
    and open when it reads (``readmodel``: a case rejected, closed or held again since ranks above nobody)."""
    policy = deps.policy
    shares = {_key(row): impostor_share(policy, row.score) for row in rows}
    by_total = sorted(rows, key=lambda r: (-r.score.total, r.case_id, r.sighting_face_id))
    by_cells = sorted(rows, key=lambda r: (-access.coarse_score(policy, r.score, last_seen.get(r.case_id), seen).total,
                                           r.case_id, r.sighting_face_id))
    exact_rank, coarse_rank = _ranks(policy, by_total, shares), _ranks(policy, by_cells, shares)
    cases = len({row.case_id for row in rows})
    return [replace(row, rank=exact_rank[_key(row)], rank_of=max(rank_of, cases),
                    coarse_rank=coarse_rank[_key(row)], impostor_share=shares[_key(row)],
                    proposable=plausible(policy, row.score, shares[_key(row)])) for row in by_total]


def _ranks(policy: MatchPolicy, ordered: list[CandidateRow],
           shares: Mapping[tuple[int, int], float | None]) -> dict[tuple[int, int], int]:
    """Each pair's rank: one more than the plausible cases ordered before it (a case counted once, whatever
    number of the sighting's faces it was matched by)."""
    ranks: dict[tuple[int, int], int] = {}
    above: set[int] = set()
    for row in ordered:
        ranks[_key(row)] = len(above - {row.case_id}) + 1
        if plausible(policy, row.score, shares[_key(row)]):
            above.add(row.case_id)
    return ranks


def plausible(policy: MatchPolicy, score: Score, share: float | None) -> bool:
    """Proposable at the operating point: the floor and the operating point read the face evidence
    alone (no place rules one out)."""
    return face_evidence(policy, score.face, score.hubness) >= policy.min_score and proposable(policy.leads, share)


def proposals(policy: MatchPolicy, ranked_rows: list[CandidateRow]) -> list[CandidateRow]:
    """Of a sighting's ranked pairs, those plausible at the operating point, at most ``per_sighting`` of each
    face, best total first."""
    taken: dict[int, int] = defaultdict(int)
    out = []
    for row in ranked_rows:
        if plausible(policy, row.score, row.impostor_share) and taken[row.sighting_face_id] < policy.leads.per_sighting:
            taken[row.sighting_face_id] += 1
            out.append(row)
    return out


def shortlist(deps: Deps, rows: list[CandidateRow], rank_of: int, seen: GeoPoint | None,
              last_seen: Mapping[int, GeoPoint | None]) -> list[CandidateRow]:
    """A sighting's proposals: every scored (case, face) pair ranked (``ranked``: the ranks are kept), then
    those plausible at the operating point (calibrated impostor share), at most ``per_sighting`` a face."""
    return proposals(deps.policy, ranked(deps, rows, rank_of, seen, last_seen))


def one_face_per_report(rows: list[CandidateRow], held: set[tuple[int, int]]) -> list[CandidateRow]:
    """A report shows one child: for each (report, case), keep only its best-scoring face, so that two
    photos of one child make one candidate and a moderator decides once (the other faces, in the same
    photo or another, are someone else or the same child again). A face of a candidate a person already
    touched (``held``: its (case, face) pairs) keeps the pair: its decision stands, and no other face of
    the report is proposed for that case beside it."""
    kept_faces: dict[int, set[int]] = defaultdict(set)
    for case_id, face_id in held:
        kept_faces[case_id].add(face_id)
    best: dict[tuple[int, int], CandidateRow] = {}
    for row in rows:
        if row.case_id in kept_faces and row.sighting_face_id not in kept_faces[row.case_id]:
            continue
        key = (row.case_id, row.sighting_id)
        if key not in best or row.score.total > best[key].score.total:
            best[key] = row
    return list(best.values())


def match_sighting(deps: Deps, sighting_id: int) -> int:
    """Search the faces that stand for a sighting (``matched_faces``: the child's, once marked) against all
    open cases; store the shortlist. Returns new candidates."""
    with deps.uow() as uow:
        new = _match_sighting(deps, uow, uow.sighting_facts(sighting_id),
                              uow.faces_of(PhotoOwner.SIGHTING, sighting_id))
        uow.commit(durable=JOB_DURABLE)
    return new


def _match_sighting(deps: Deps, uow: UnitOfWork, sighting: SightingFacts, own: list[StoredFace],
                    audited: str = "sighting.matched") -> int:
    """``match_sighting`` in the caller's transaction, the sighting's facts and faces read already
    (``audited``: the audit's action, ``sighting.rescored`` when its group changed).

    A constant number of queries per face, however many cases are near: the index read, one read of
    every face of the nearby cases, one read of the facts of cases not yet seen; then one read of the
    stored candidates (each is scored again, reviewed or not: a stored score is always its pair's score
    of now) and the writes at the end. Idempotent: run again, it changes nothing."""
    sighting_id = sighting.sighting_id
    # a decision on a face ruled out (another of its photo marked the child's) is that face's history: it holds
    # no case back from the child's face, as a decision on a face of another photo does (the child again, maybe)
    ruled_out = access.ruled_out_faces(sighting.child_face_id, [(f.face_id, f.photo_id) for f in own])
    own = matched_faces(sighting, own)
    faces = fused_faces(deps, uow, sighting_id, own)
    rows: list[CandidateRow] = []
    cases: dict[int, CaseFacts] = {}
    fuse = (deps.policy, uow.extra_spread())
    for face in faces:
        near = uow.near_case_faces(face.embedding, sighting.latest_seen, deps.limits.ann_neighbours)
        if face.extra is not None:  # the second model's index finds cases dlib's may miss
            near += uow.near_case_faces_extra(face.extra, sighting.latest_seen, deps.limits.ann_neighbours)
        case_ids = list(dict.fromkeys(row.case_id for row in near))
        exact = hits_by_case(uow, face, case_ids, fuse)  # all of each nearby case's photos, not only those found
        cases.update(uow.case_facts_of([c for c in exact if c not in cases]))
        for case_id, hits in exact.items():
            score = score_pair(deps.policy, cases[case_id], sighting, hits, face.hubness)
            rows.append(CandidateRow(case_id, sighting_id, face.face_id, score, together=face.together))
    existing = set(uow.candidate_pairs(sighting_id))
    kept = one_face_per_report(rows, {pair for pair in uow.held_pairs(sighting_id) if pair[1] not in ruled_out})
    left_out = existing - _pairs(kept)  # stored candidates no nearby case's pair kept: scored all the same
    extra = [r for r in rows if _key(r) in left_out] + _score_pairs(
        deps, uow, sighting, faces, left_out - _pairs(rows), cases, fuse)
    open_cases = uow.open_cases_count(sighting.latest_seen)
    last_seen = {case_id: facts.last_seen for case_id, facts in cases.items()}
    ranks = ranked(deps, kept + extra, open_cases, sighting.place, last_seen)  # one ranking for the sighting
    # a found child's report (``found_sightings``) is no other family's lead: scored still, proposed to none, its
    # undecided proposals withdrawn (probe s35 J2; its own case is closed, never matched)
    found = uow.report_found(sighting_id)
    proposed = [] if found else proposals(deps.policy, [r for r in ranks if _key(r) not in left_out])
    stale = existing - _pairs(proposed)
    refreshed = [r for r in ranks if _key(r) in stale]
    new = save_within_caps(deps, uow, sighting_id, proposed, refreshed)
    # the cases it was proposed for: "who saw sighting N" finds their candidate lists, also once the proposal is gone
    uow.audit(SYSTEM, audited, "sighting", sighting_id, new_candidates=new, refreshed=len(refreshed),
              cases=sorted({r.case_id for r in proposed}))
    work_waits(deps, uow)  # new candidates, or the report itself waiting for its approval
    return new


def matched_faces(sighting: SightingFacts, own: list[StoredFace]) -> list[StoredFace]:
    """The faces of a report that stand for it in matching: the child's alone once a moderator marked it (or
    its only face was taken as the child's; the others of its photo are someone else's, never a lead for
    anyone: probe s28 B1); every face while a report of several has none marked (waiting for a moderator, or
    approved as "the child's face is not among them"); none when its only face was said not to be the
    child's (an adult's, the child turned away). A face no longer matched makes no proposal: those nobody
    touched are withdrawn (``save_within_caps``)."""
    if sighting.child_face_id is not None:
        return [face for face in own if face.face_id == sighting.child_face_id]
    return own if len(own) > 1 else []


def _key(row: CandidateRow) -> tuple[int, int]:
    return row.case_id, row.sighting_face_id


def _pairs(rows: Sequence[CandidateRow]) -> set[tuple[int, int]]:
    return {_key(row) for row in rows}


def _score_pairs(deps: Deps, uow: UnitOfWork, sighting: SightingFacts, faces: list[StoredFace],
                 pairs: set[tuple[int, int]], cases: dict[int, CaseFacts], fuse: Fusion) -> list[CandidateRow]:
    """These (case, sighting face) pairs scored as matching scores every pair: stored candidates the
    nearest cases left out (reviewed ones, a family's proposals, a pair whose group's fused face moved
    away), so that each stored candidate holds its pair's score of now, whatever its review."""
    if not pairs:
        return []
    by_face: dict[int, list[int]] = defaultdict(list)
    for case_id, face_id in pairs:
        by_face[face_id].append(case_id)
    cases.update(uow.case_facts_of(sorted({c for c, _ in pairs} - set(cases))))
    return [CandidateRow(case_id, sighting.sighting_id, face.face_id,
                         score_pair(deps.policy, cases[case_id], sighting, hits, face.hubness), together=face.together)
            for face in faces if face.face_id in by_face
            for case_id, hits in hits_by_case(uow, face, sorted(by_face[face.face_id]), fuse).items()]


def save_within_caps(deps: Deps, uow: UnitOfWork, sighting_id: int, proposed: list[CandidateRow],
                     refreshed: Sequence[CandidateRow] = ()) -> int:
    """Store a sighting's proposals, refresh the scores of its other stored candidates (``refreshed``;
    their reviews stay), withdraw its unreviewed ones no longer proposed, and keep each case's waiting
    proposals within ``per_case`` (a better one replaces the weakest)."""
    new = uow.save_candidates(proposed)
    uow.refresh_candidates(refreshed)
    uow.withdraw_proposals(sighting_id, [(r.case_id, r.sighting_face_id) for r in proposed])
    uow.trim_proposals(sorted({r.case_id for r in proposed}), deps.policy.leads.per_case)
    return new


def match_case(deps: Deps, case_id: int) -> int:
    """Search a case's faces against all sightings since the child went missing; each sighting
    found plausible is then matched again against every open case, so its rank among them and
    the per-sighting cap hold whichever side arrived last. Returns new candidates."""
    # flagged first: waiting, as a child registered already, for the moderator verifying it; verified
    # already (a moderator was quicker than this job), a family's second registration of a child another
    # account registered first is held before it is matched (``doubles.hold``)
    flag_duplicates(deps, case_id)
    with deps.uow() as uow:
        active = uow.case_is_active(case_id)
    if not active:  # matched once a moderator verifies it (verification defers this job again)
        return 0
    with deps.uow() as uow:
        case = uow.case_facts(case_id)
        case_faces = uow.faces_of(PhotoOwner.CASE, case_id)
        rows: dict[int, CandidateRow] = {}
        sightings: dict[int, SightingFacts] = {}
        fuse = (deps.policy, uow.extra_spread())
        for face in case_faces:  # a constant number of queries per case face, however many hits
            near = uow.near_sighting_faces(face.embedding, case.missing_since, deps.limits.ann_neighbours)
            if face.extra is not None:
                near += uow.near_sighting_faces_extra(face.extra, case.missing_since, deps.limits.ann_neighbours)
            fresh = list({hit.sighting_face_id: hit for hit in near if hit.sighting_face_id not in rows}.values())
            sightings.update(uow.sighting_facts_of([h.sighting_id for h in fresh if h.sighting_id not in sightings]))
            each = uow.case_face_hits_each([h.embedding for h in fresh], case_id)
            extras = uow.extra_similarities_each([h.extra for h in fresh], [f.face_id for f in case_faces])
            for hit, hits, extra in zip(fresh, each, extras, strict=True):
                fused = face_hits(hits, fuse, extra)[case_id]
                score = score_pair(deps.policy, case, sightings[hit.sighting_id], fused, hit.hubness)
                rows[hit.sighting_face_id] = CandidateRow(case_id, hit.sighting_id, hit.sighting_face_id, score)
        plausible = {r.sighting_id for r in one_face_per_report(list(rows.values()), set())
                     if proposable(deps.policy.leads, impostor_share(deps.policy, r.score))}
        # and every sighting it holds a lead of: scored again by the case's facts of now (a corrected birth date,
        # time or place last seen), proposed or withdrawn as matching would, its reviews kept
        plausible |= set(uow.candidate_sightings(case_id))
        uow.audit(SYSTEM, "case.matched", "case", case_id, sightings=len(plausible))
        uow.commit(durable=JOB_DURABLE)
    return sum(match_sighting(deps, sighting_id) for sighting_id in sorted(plausible))


def process_and_match(deps: Deps, owner: PhotoOwner, owner_id: int, reembed: bool = False) -> int:
    """The job behind every upload: faces first, then the search in the right direction."""
    stored = process_photos(deps, owner, owner_id, reembed)
    if owner is not PhotoOwner.SIGHTING:
        new = match_case(deps, owner_id)
        with deps.uow() as uow:  # a case waiting for its check, or its new candidates
            work_waits(deps, uow)
            uow.commit()
        return new
    # grouped and matched in one transaction, apart from the faces' own: another worker's grouping
    # must see this sighting's faces while this one looks for its group (else two sightings processed
    # at once could each miss the other)
    with deps.uow() as uow:
        sighting = uow.sighting_facts(owner_id)
        faces = uow.faces_of(PhotoOwner.SIGHTING, owner_id)
        before = uow.group_of(owner_id)
        if before is None:  # first: a grouped sighting is matched once, fused. A grouped one stays (a rematch
            join_likeliest_group(deps, uow, sighting, faces)  # never regroups in job order: ``reunite regroup``)
        new = _match_sighting(deps, uow, sighting, faces)
        after = uow.group_of(owner_id)
        # a group it joined, left, or whose fused face its new faces moved: the other members' candidates
        # follow, in this transaction
        moved = deps.policy.groups.fuse and (stored > 0 or before != after)
        for group in dict.fromkeys((before, after)) if moved else ():
            if group is not None:
                new += rescore_members(deps, uow, group, but=owner_id)
        uow.commit(durable=JOB_DURABLE)
    return new


def rescore_members(deps: Deps, uow: UnitOfWork, group_id: int, but: int | None = None) -> int:
    """Match every reported member of a group (``but`` one) again in the caller's transaction: each is
    matched with the group's fused face of now, so its stored candidates' scores and bands, and its
    proposals, follow the group's members (reviews kept, nothing stored twice). Each candidate stores how many
    pictures its face score reads together (``face_together``: the words say "these N sightings together"); a
    decided one keeps the face evidence it was decided on beside it (``decided_face_score``). Returns new
    candidates."""
    return sum(_match_sighting(deps, uow, uow.sighting_facts(member), uow.faces_of(PhotoOwner.SIGHTING, member),
                               "sighting.rescored") for member in uow.group_members(group_id) if member != but)


def rescore_group(deps: Deps, group_id: int) -> int:
    """The job behind ``grouping.group_changed``: a group's members matched again, in one transaction."""
    with deps.uow() as uow:
        new = rescore_members(deps, uow, group_id)
        uow.audit(SYSTEM, "group.rescored", "sighting_group", group_id, new_candidates=new)
        uow.commit(durable=JOB_DURABLE)
    return new


def rematch_all(deps: Deps, actor: str, reembed: bool = False) -> tuple[int, int]:
    """Re-run matching for every sighting and case (after a model or policy change; with
    ``reembed``, embedding every face again first, and detecting again in photos marked unreadable:
    one whose faces are found now loses its mark). Idempotent: reviewed candidates keep their
    decisions. A job already waiting to do the same (a rematch run twice) is not queued again (probe s34
    H6). Returns the number of jobs deferred, and of those already waiting."""
    with deps.uow() as uow:
        forgotten = uow.forget_other_models() if reembed else 0  # a model removed or replaced
        sighting_ids = uow.all_ids(PhotoOwner.SIGHTING)
        case_ids = uow.all_ids(PhotoOwner.CASE)
        jobs: list[tuple[str, str, dict[str, Any]]] = [
            *(("faces.process_sighting", "sighting", {"sighting_id": i, "reembed": reembed}) for i in sighting_ids),
            *(("faces.process_case", "case", {"case_id": i, "reembed": reembed}) for i in case_ids)]
        waiting = {(task, frozenset(args.items())) for task in ("faces.process_sighting", "faces.process_case")
                   for args in uow.waiting_jobs(task)}
        queued = 0
        for task, owner, args in jobs:
            if (task, frozenset(args.items())) in waiting:
                continue
            uow.enqueue(task, lock=f"{owner}-{args[f'{owner}_id']}", **args)
            queued += 1
        uow.audit(actor, "matching.rematch", "system", 0, sightings=len(sighting_ids), cases=len(case_ids),
                  reembed=reembed, embeddings_forgotten=forgotten, queued=queued)
        uow.commit()
    return queued, len(jobs) - queued
