"""Search by photo: sighting faces alike a photo a family (or a partner) uploads, each read as matching
reads a pair (``scoring.read_pair``): the sighting's face as matching sees it (its group's faces fused,
its hubness subtracted, a second model's similarity fused), and for a named case, the case's photos
fused with the searched one and its age, time, place and sex plausibility, so a sighting reads the
same band and "1 in N" here as on the case page: a candidate's stored score is its pair's score of now
(matching scores a group's candidates again whenever the group changes), and both are read by the one
``scoring.read_stored``. A photo of the child the case does not hold yet counts as one more case photo.
Without a case, the photo's age is unknown and the most cautious age cell reads it. The photo is not stored."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from reunite.domain import access, leads
from reunite.domain.access import Permission, Principal, require
from reunite.domain.doubles import (  # SAME_PHOTO: a searched face is that photo
    CASE_PICTURE,
    SAME_CHIP_FACES,
    SAME_PHOTO,
    SAME_PHOTO_BITS,
    SEARCHED_PICTURE,
    as_one_picture,
    one_picture,
)
from reunite.domain.elapsed import INSTANT, since_missing
from reunite.domain.errors import InvalidInput
from reunite.domain.fusion import Spread, fused_similarity
from reunite.domain.grouping import same_picture
from reunite.domain.leads import Strength, proposable, told
from reunite.domain.matching_store import StoredFace
from reunite.domain.model import DetectedFace, PhotoOwner
from reunite.domain.ports import ReaderScript, UnitOfWork
from reunite.domain.scoring import (
    CaseFacts,
    CasePhoto,
    FaceHit,
    Score,
    SightingFacts,
    contradictions,
    read_case_photos,
    read_pair,
    score_pair,
)
from reunite.services.deps import Deps
from reunite.services.grouping import fused_faces
from reunite.services.matching import hits_by_case
from reunite.services.queries import audit_read, sighting_shown, visible_case

SEARCHED = 0  # the searched photo's face among a case's faces (no stored face has id 0)


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def search_by_photo(deps: Deps, who: Principal, data: bytes, limit: int = 50,
                    case_id: int | None = None, reader: ReaderScript | None = None) -> list[dict[str, Any]]:
    """Rank sighting faces by similarity to the face(s) in the photo, keeping those proposable at the
    operating point, each with the lead matching would give the pair (for ``case_id``: the pair of
    that case and the sighting face, as its case page reads it). With several faces in the photo,
    each sighting face keeps its best reading. Cities are named for ``reader``."""
    require(who, Permission.SEARCH_BY_PHOTO)
    own_child = access.searches_own_child_only(who)
    if case_id is not None:
        visible_case(deps, who, case_id)
    if own_child:
        _require_own_case(who, case_id)
    print_ = deps.codec.inspect(data).phash
    faces = deps.faces.detect(data, thorough=True)  # the searched photo plays a case photo's part
    if not faces:
        raise InvalidInput("no face was found in this photo: try a clearer, front-facing photo", field="photo")
    searched = list(enumerate(faces))  # (its number in the photo, the face)
    if own_child and case_id is not None:
        searched = _the_childs_faces(deps, who, case_id, faces)
    found: dict[int, dict[str, Any]] = {}
    pictures: dict[int, str] = {}  # the faces of reports whose picture is one with the searched photo, or the case's
    for _, face in searched:
        for hit in deps.read.similar_sighting_faces(face.embedding, limit, access.browsable_statuses(who),
                                                   access.found_child_hidden(who)):
            chip, phash = hit.pop("chip"), hit.pop("phash")
            near = [face.chip] if hit["similarity"] >= SAME_CHIP_FACES else []
            if one_picture(hit["similarity"], same_picture(print_, phash, SAME_PHOTO_BITS),
                           None if chip is None else bytes(chip), near):
                pictures[hit["face_id"]] = SEARCHED_PICTURE
            found.setdefault(hit["face_id"], hit)
    candidates = deps.read.candidates(case_id, None) if case_id is not None else []
    pictures |= {r["sighting_face_id"]: CASE_PICTURE for r in candidates if r["one_picture"]}
    best: dict[int, dict[str, Any]] = {}
    with deps.uow() as uow:
        read = _Reader(deps, who, uow, case_id, [h["sighting_id"] for h in found.values()])
        for number, face in searched:
            for face_id, hit in found.items():
                scored = read.score(face, hit["sighting_id"], face_id)
                if scored is not None and (face_id not in best or scored.total > best[face_id]["score"]):
                    best[face_id] = hit | {"query_face": number, "score": scored.total}
                    reading = read_pair(deps.policy, scored)
                    facts = read.facts(hit["sighting_id"], scored)
                    against = facts.pop("contradicts", [])
                    best[face_id] |= facts
                    best[face_id]["lead"] = as_one_picture(
                        told(reading.lead, against) | {"together": read.together(face_id)}, pictures.get(face_id))
                    best[face_id]["impostor_share"] = reading.share
    if case_id is not None:
        _as_candidates(deps, who, case_id, candidates, best)
    ranked = sorted(best.values(), key=most_alike_first)
    ranked = [h for h in ranked if proposable(deps.policy.leads, h["impostor_share"])][:limit]
    ranked = [sighting_shown(deps, who, h, reader) for h in ranked]  # place words as this reader may read them
    audit_read(deps, who, "sightings.searched", "sighting", ranked[0]["sighting_id"] if ranked else 0,
               ids=[h["sighting_id"] for h in ranked], case=case_id, faces=len(faces),
               **({"set_aside": len(faces) - len(searched)} if len(searched) < len(faces) else {}))
    return [access.scores_shown(who, h) for h in ranked]


# A family's photo must look like its own child (probe s32 F3): each face of it is read against each face of
# the case's own photos as the duplicate check reads two case photos (``scoring.read_case_photos``: the searched
# photo's date unknown, so the most cautious age cell and the larger hubness read it), and is searched only when the
# pair reads at least as alike as the weakest lead a family is shown at the shipped settings: a weak lead, at the
# shipped operating point (``LeadPolicy.propose_share``: at most 1 in 500 different children as alike). Lenient
# enough for the child's own later photo (fgnet-dev: a child's photo at 13 against its case photo at 10 reads about
# 1 in 500, at 11 about 1 in 4,000), while another child's photo passes 1 time in 500 at most per face of the case.
# Fixed, not the operator's REUNITE_PROPOSE_ONE_IN: proposing more to reviewers never widens whom a family may search
# for. Without a calibration there is no share to read, and every face passes (as every candidate is then proposed).
OWN_CHILD_SHARE = leads.OWN_CHILD_SHARE


def _looks_like_the_child(share: float | None) -> bool:
    return share is None or share <= OWN_CHILD_SHARE


def _require_own_case(who: Principal, case_id: int | None) -> None:
    """A family searches only for one of its own verified, open cases (its rights as read on this request)."""
    if case_id is None:
        raise InvalidInput("choose your case: families search only with a photo of their own child, for their verified case",  # noqa: E501
                           field="case_id")
    if case_id not in who.verified_cases:
        raise InvalidInput("case {id} is not verified and open: families search only for a case of theirs that a moderator has verified and that is still open",  # noqa: E501
                           field="case_id", id=case_id)


def _the_childs_faces(deps: Deps, who: Principal, case_id: int,
                      faces: list[DetectedFace]) -> list[tuple[int, DetectedFace]]:
    """The faces of a family's photo that look like its case's child (``OWN_CHILD_SHARE`` against any face of
    the case's own photos, or the picture of a report shown to the family as a lead of the case:
    ``_a_shown_leads_picture``), each with its number in the photo: a collage is searched for the child alone. None:
    the search is refused and audited (``sightings.search_refused``), so that reviewers reading the log see a
    family searching another child."""
    policy = deps.policy
    with deps.uow() as uow:
        birth = uow.case_facts(case_id).birth_date
        own = uow.faces_of(PhotoOwner.CASE, case_id)
        spread = uow.extra_spread() if any(face.extra for face in faces) else None
    kept = []
    for number, face in enumerate(faces):
        query_extra = face.extra[0].vector if face.extra else None
        for mine in own:
            similarity = _cosine(face.embedding, mine.embedding)
            if query_extra is not None and mine.extra is not None:
                similarity = fused_similarity(policy, spread, similarity, _cosine(query_extra, mine.extra))
            reading = read_case_photos(policy, similarity, CasePhoto(None, face.hubness),
                                       CasePhoto.of(birth, mine.taken_on, mine.hubness))
            if _looks_like_the_child(reading.share):
                kept.append((number, face))
                break
        else:  # read in memory first; the index only for a face that does not look like the case's photos
            if _a_shown_leads_picture(deps, who, case_id, face):
                kept.append((number, face))
    if not kept:
        audit_read(deps, who, "sightings.search_refused", "case", case_id, faces=len(faces),
                   case_faces=len(own))
        raise InvalidInput("this photo could not be matched to your case's photos (a child changes, and some photos are hard to read): search with another photo of your child, or add this one to your case, where a moderator checks it before it is used",  # noqa: E501
                           field="photo")
    return kept


# a report's face this close to the photo's is that picture as families are shown it (a copy re-encoded, shrunk,
# its bystanders blurred: dlib reads such copies 0.98 and more alike; two photos of one child rarely pass 0.95)
SHOWN_PICTURE = 0.97


def _a_shown_leads_picture(deps: Deps, who: Principal, case_id: int, face: DetectedFace) -> bool:
    """Whether the photo's face is the picture of a report the family is shown as a lead of its case
    (``access.picture_shown_as_lead``): one a reviewer confirmed for it (probe s35 J6: the gate refused a report's own
    photo), or one the family itself sent the reviewers as possibly its child, still waiting for them: the natural
    next step, "is this my child elsewhere?", whatever its case photos' ages read. A report the matching proposed
    and nobody showed the family (it may be a bystander's face, matched before a moderator marked the child's), one
    dismissed or withdrawn, or any other report it browsed, is no picture of its child."""
    with deps.uow() as uow:
        near = uow.near_sighting_faces(face.embedding, datetime.min.replace(tzinfo=UTC), 3)
    close = {hit.sighting_face_id for hit in near if _cosine(face.embedding, hit.embedding) >= SHOWN_PICTURE}
    if not close:
        return False
    settled = deps.clock.now() - deps.limits.undo_window
    return any(row["sighting_face_id"] in close and access.picture_shown_as_lead(who, row, settled, case_id)
               for row in deps.read.candidates(case_id, None))


STRENGTHS = [s.value for s in Strength]  # strongest first


def most_alike_first(hit: dict[str, Any]) -> tuple[int, float, float, int]:
    """The order of search results as a person reads them: by band, then within a band by how few
    different children look this similar (the calibrated "1 in N"), then by the score (face evidence
    and, for a named case, how well age, time, place and sex fit)."""
    share = hit["impostor_share"]
    return (STRENGTHS.index(hit["lead"]["strength"]), 1.0 if share is None else share, -hit["score"],
            hit["face_id"])


def _as_candidates(deps: Deps, who: Principal, case_id: int, candidates: list[dict[str, Any]],
                   best: dict[int, dict[str, Any]]) -> None:
    """A sighting face already the case's candidate (one this reader sees on the case page) names that
    candidate. Its reading is the pair's of now, as every hit's: the candidate's stored score is the same
    number, since matching scores a group's stored candidates again whenever the group changes.
    No review outcome this reader is not shown drops or changes a hit: a sighting reviewers dismissed for
    the case (which its family never reads: not on the case page, not in its history) is found, and read,
    as in a search without the case, so that the difference between the two searches names no decision."""
    settled = deps.clock.now() - deps.limits.undo_window
    for row in candidates:  # the case's (``ReadModel.candidates``)
        if row["sighting_face_id"] in best and access.candidate_visible(who, row, settled, case_id):
            best[row["sighting_face_id"]]["candidate_id"] = row["id"]


class _Reader:
    """Scores the searched faces against sighting faces as matching scores a pair."""

    def __init__(self, deps: Deps, who: Principal, uow: UnitOfWork, case_id: int | None,
                 sighting_ids: list[int]) -> None:
        self.deps, self.who, self.uow = deps, who, uow
        self.spread: Spread | None = uow.extra_spread()
        self.case: CaseFacts | None = uow.case_facts(case_id) if case_id is not None else None
        self.case_faces = uow.faces_of(PhotoOwner.CASE, case_id) if case_id is not None else []
        self.sightings: dict[int, SightingFacts] = uow.sighting_facts_of(sorted(set(sighting_ids)))
        self.faces: dict[int, StoredFace] = {}
        for sighting_id in self.sightings:
            stored = fused_faces(deps, uow, sighting_id, uow.faces_of(PhotoOwner.SIGHTING, sighting_id))
            self.faces |= {f.face_id: f for f in stored}

    def together(self, face_id: int) -> int:
        """How many sightings' pictures the face reads together (its group's fused face), as a candidate says."""
        face = self.faces.get(face_id)
        return 1 if face is None else face.together

    def score(self, query: DetectedFace, sighting_id: int, face_id: int) -> Score | None:
        face, sighting = self.faces.get(face_id), self.sightings.get(sighting_id)
        if face is None or sighting is None:
            return None
        policy = self.deps.policy
        mine = face.scale * _cosine(query.embedding, face.embedding)
        query_extra = query.extra[0].vector if query.extra else None
        if query_extra is not None and face.extra is not None:
            mine = fused_similarity(policy, self.spread, mine, _cosine(query_extra, face.extra))
        if self.case is None:  # the photo's age is unknown: matching's score without case facts
            return Score(mine - policy.hubness_weight * face.hubness, mine, None, None, None, None, SEARCHED,
                         0.0, None, 0.0, face.hubness, None)
        hits = self._case_hits(face)
        if not any(_cosine(query.embedding, f.embedding) >= SAME_PHOTO for f in self.case_faces):
            hits.append(FaceHit(SEARCHED, mine, None))  # another photo of the child, of unknown date
        if not hits:
            return None
        scored = score_pair(policy, self.case, sighting, hits, face.hubness)
        if self.who.can(Permission.SEE_EXACT_PLACES):
            return scored
        return access.coarse_score(policy, scored, self.case.last_seen, sighting.place)

    def facts(self, sighting_id: int, scored: Score) -> dict[str, Any]:
        """For a named case, what the reporter saw and the case's expected age (the words of a
        contradiction read them) and what contradicts the case (``scoring.contradictions``)."""
        sighting = self.sightings[sighting_id]
        if self.case is None:
            return {}
        apparent = sighting.apparent_age
        case = self.case
        return {"apparent_sex": sighting.apparent_sex.value, "expected_age": scored.expected_age,
                "elapsed_days": scored.elapsed_days,
                # said as precisely as both times are known (``domain.elapsed``), as on the case page
                "since_missing": since_missing(scored.elapsed_days, scored.time_doubt_h, INSTANT, case.missing_since,
                                               case.missing_since_precision, self.deps.site.zone),
                "apparent_age_low": apparent.low if apparent else None,
                "apparent_age_high": apparent.high if apparent else None,
                "contradicts": contradictions(self.case.sex, sighting.apparent_sex, scored.expected_age, apparent,
                                              scored.time)}

    def _case_hits(self, face: StoredFace) -> list[FaceHit]:
        """The sighting face's hits among the case's faces, exactly as ``match_sighting`` reads them."""
        assert self.case is not None
        return hits_by_case(self.uow, face, [self.case.case_id], (self.deps.policy, self.spread)).get(
            self.case.case_id, [])
