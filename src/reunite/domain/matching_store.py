"""The part of the unit of work that matching reads and writes: photos to process, their faces, the
vector index's nearest faces, and the candidates they make. ``ports.UnitOfWork`` combines it with the rest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from reunite.domain.model import CandidateStatus, DetectedFace, PhotoOwner
from reunite.domain.scoring import CaseFacts, Score, SightingFacts


@dataclass(frozen=True)
class PhotoToProcess:
    photo_id: int
    owner: PhotoOwner
    owner_id: int
    storage_key: str
    processed: bool
    failed: bool = False  # processed, but its faces could not be searched for (``failed_reason``)


@dataclass(frozen=True)
class StoredFace:
    face_id: int
    photo_id: int
    embedding: Sequence[float]
    hubness: float = 0.0
    extra: Sequence[float] | None = None  # by the operator's second model, when it has embedded this face
    scale: float = 1.0  # a group's fused face: its similarities times this are its members' mean
    together: int = 1  # a group's fused face: how many sightings' faces (distinct pictures) it reads together
    taken_on: date | None = None  # its photo's date, when known (a case photo's: the child's age in it)


@dataclass(frozen=True)
class CaseHitRow:
    """A case face found near a sighting face by the vector index."""

    case_id: int
    case_face_id: int
    similarity: float
    photo_taken_on: date | None
    hubness: float = 0.0  # of the case face (read by the duplicate check, where it may play a sighting's part)


@dataclass(frozen=True)
class SightingHitRow:
    """A sighting face found near a case face by the vector index."""

    sighting_id: int
    sighting_face_id: int
    photo_id: int
    embedding: Sequence[float]
    hubness: float = 0.0
    extra: Sequence[float] | None = None


@dataclass(frozen=True)
class CandidateRow:
    case_id: int
    sighting_id: int
    sighting_face_id: int
    score: Score
    rank: int | None = None  # among the open cases searched for this sighting face
    rank_of: int | None = None
    # the rank by every case's total with the distance between the places' grid cells: what anyone without
    # exact places is shown (the exact rank is derived from the sighting's exact place)
    coarse_rank: int | None = None
    impostor_share: float | None = None
    proposable: bool | None = None  # at the operating point when ranked: only such a case ranks above another
    together: int = 1  # how many sightings' faces (distinct pictures) its face score reads together (``StoredFace``)


class MatchingStore(Protocol):
    """Faces and candidates, written inside a unit of work."""

    def photos_of(self, owner: PhotoOwner, owner_id: int) -> list[PhotoToProcess]: ...

    def replace_faces(self, photo_id: int, faces: Sequence[DetectedFace], crop_keys: Sequence[str],
                      problem: str | None = None) -> list[int]:
        """Store the photo's faces, replacing any from an earlier run, and mark it processed with the
        ``problem`` of its faces (``domain.quality``: what the reporter is told); a photo marked failed
        before (``photo_failed``) is not any more."""
        ...

    def photo_failed(self, photo_id: int, reason: str) -> None:
        """Mark the photo done without faces: they could not be searched for (``reason``), until
        ``reunite rematch --reembed`` looks again."""
        ...

    def refresh_faces(self, photo_id: int, faces: Sequence[DetectedFace]) -> bool:
        """Give the photo's stored faces new embeddings in place (same ids, so candidates and their
        reviews stay) when the new faces have the same boxes; False, changing nothing, otherwise."""
        ...

    def case_facts(self, case_id: int) -> CaseFacts: ...

    def case_facts_of(self, case_ids: Sequence[int]) -> dict[int, CaseFacts]:
        """The facts of every existing case of ``case_ids``, in one read."""
        ...

    def sighting_facts(self, sighting_id: int) -> SightingFacts: ...

    def sighting_facts_of(self, sighting_ids: Sequence[int]) -> dict[int, SightingFacts]:
        """The facts of every existing sighting of ``sighting_ids``, in one read."""
        ...

    def faces_of(self, owner: PhotoOwner, owner_id: int) -> list[StoredFace]: ...

    def near_case_faces(self, embedding: Sequence[float], seen_at: datetime, limit: int) -> list[CaseHitRow]:
        """Faces of open cases whose child went missing before ``seen_at``, nearest first."""
        ...

    def case_face_hits(self, embedding: Sequence[float], case_ids: Sequence[int]) -> list[CaseHitRow]:
        """Exact similarities to every face of the given cases (one ``= ANY`` read)."""
        ...

    def case_face_hits_each(self, embeddings: Sequence[Sequence[float]], case_id: int) -> list[list[CaseHitRow]]:
        """For each embedding, exact similarities to every face of one case, in one read."""
        ...

    def near_sighting_faces(
        self, embedding: Sequence[float], seen_after: datetime, limit: int
    ) -> list[SightingHitRow]: ...

    def save_candidates(self, rows: Sequence[CandidateRow]) -> int:
        """Insert or refresh candidates in one statement; a reviewed candidate keeps its decision.
        Returns new ones."""
        ...

    def refresh_candidates(self, rows: Sequence[CandidateRow]) -> int:
        """Refresh the scores (and ranks) of existing candidates, keeping every review; adds none."""
        ...

    def set_candidate_status(
        self, candidate_id: int, status: CandidateStatus, reason: str, reviewer: str, at: datetime
    ) -> int:
        """Record a review; returns the candidate's case id."""
        ...
