"""Fusing a second face model's similarity with dlib's (an operator's ArcFace-style model, docs/models.md).

The calibration (impostor share by age and gap, ``domain.leads``) was measured on dlib's similarity, and
nobody has calibrated the operator's model. So the second model's cosine is first put on dlib's scale:
both models' similarities over the same pairs of case and sighting faces in this database (nearly all
pairs of different children) give each model's mean and spread between different people, and the second
model's similarity is mapped to the dlib similarity as many spreads above the mean. The fused similarity
is the weighted mean of dlib's and the mapped one. Between different children it keeps dlib's mean; its
spread can only shrink (two models disagree about strangers), so the calibrated "1 in N" stays true or
errs on the careful side (fewer proposals, never more). Until enough pairs exist to read the second
model's scores, dlib's similarity is used alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from reunite.domain.scoring import MatchPolicy

if TYPE_CHECKING:
    from reunite.domain.matching_store import CaseHitRow, SightingHitRow

MIN_SPREAD = 1e-3


@dataclass(frozen=True)
class Spread:
    """Both models' similarity between (almost surely) different people, over the same pairs."""

    base_mean: float
    base_sd: float
    extra_mean: float
    extra_sd: float
    pairs: int


def fused_similarity(policy: MatchPolicy, spread: Spread | None, base: float, extra: float | None) -> float:
    """dlib's similarity fused with the second model's, on dlib's scale (see the module's words)."""
    if extra is None or spread is None or spread.pairs < policy.extra_min_pairs or policy.extra_weight <= 0:
        return base
    z = (extra - spread.extra_mean) / max(spread.extra_sd, MIN_SPREAD)
    mapped = min(max(spread.base_mean + spread.base_sd * z, -1.0), 1.0)
    return (1.0 - policy.extra_weight) * base + policy.extra_weight * mapped


class ExtraFaceStore(Protocol):
    """The second model's embeddings (one table row per face and model, one vector index per model).
    Every method answers empty (or None) when no second model is configured."""

    def extra_embeddings(self, face_ids: Sequence[int]) -> dict[int, list[float]]:
        """The configured model's embedding of each of these faces that has one."""
        ...

    def extra_similarities(self, query: Sequence[float], face_ids: Sequence[int]) -> dict[int, float]:
        """Exact similarity of ``query`` to each of these faces' embeddings by the configured model."""
        ...

    def extra_similarities_each(
        self, queries: Sequence[Sequence[float] | None], face_ids: Sequence[int]
    ) -> list[dict[int, float]]:
        """For each query (None: none), its similarities to these faces, in one read."""
        ...

    def near_case_faces_extra(self, query: Sequence[float], seen_at: datetime, limit: int) -> list[CaseHitRow]:
        """As ``near_case_faces``, searched in the configured model's index."""
        ...

    def near_sighting_faces_extra(
        self, query: Sequence[float], seen_after: datetime, limit: int
    ) -> list[SightingHitRow]:
        """As ``near_sighting_faces``, searched in the configured model's index (rows carry both embeddings)."""
        ...

    def extra_spread(self) -> Spread | None:
        """Both models' similarities over recent pairs of case and sighting faces (``Spread``)."""
        ...

    def forget_other_models(self) -> int:
        """Delete embeddings by models other than the configured one (after a model change); how many."""
        ...
