"""Reads for pages and the API, including search by a child's photo."""

from __future__ import annotations

from typing import Any

from reunite.domain.errors import InvalidInput, NotFound
from reunite.domain.model import CandidateStatus, SightingFilter, age_in_years
from reunite.domain.scoring import impostor_percentile
from reunite.services.deps import Deps


def list_sightings(deps: Deps, query: SightingFilter) -> tuple[int, list[dict[str, Any]]]:
    return deps.read.sightings(query)


def get_sighting(deps: Deps, sighting_id: int) -> dict[str, Any]:
    return deps.read.sighting(sighting_id)


def get_case(deps: Deps, case_id: int) -> dict[str, Any]:
    return deps.read.case(case_id)


def _with_percentile(deps: Deps, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        row["face_percentile"] = impostor_percentile(deps.policy, row["face_score"])
    return rows


def case_candidates(deps: Deps, case_id: int, status: CandidateStatus | None = None) -> list[dict[str, Any]]:
    deps.read.case(case_id)  # 404 for an unknown case rather than an empty list
    return _with_percentile(deps, deps.read.candidates(case_id, status))


def sighting_candidates(deps: Deps, sighting_id: int) -> list[dict[str, Any]]:
    deps.read.sighting(sighting_id)
    return _with_percentile(deps, deps.read.candidates(None, None, sighting_id=sighting_id))


def search_by_photo(deps: Deps, data: bytes, limit: int = 50) -> list[dict[str, Any]]:
    """Rank sighting faces by similarity to the face(s) in a photo a family uploads. The photo is
    not stored. With several faces, each face's results are merged (best similarity wins)."""
    deps.codec.inspect(data)
    faces = deps.faces.detect(data)
    if not faces:
        raise InvalidInput("no face was found in this photo: try a clearer, front-facing photo", field="photo")
    best: dict[int, dict[str, Any]] = {}
    for number, face in enumerate(faces):
        for hit in deps.read.similar_sighting_faces(face.embedding, limit):
            hit["query_face"] = number
            if hit["face_id"] not in best or hit["similarity"] > best[hit["face_id"]]["similarity"]:
                best[hit["face_id"]] = hit
    ranked = sorted(best.values(), key=lambda h: h["similarity"], reverse=True)
    return ranked[:limit]


def poster(deps: Deps, case_id: int) -> dict[str, Any]:
    """What a public poster shows of a verified, open case: first name, ages, when and where last seen.
    Never the family's name or contact."""
    row = deps.read.poster(case_id)
    now = deps.clock.now().date()
    row["age_then"] = int(age_in_years(row["birth_date"], row["missing_since"].date()))
    row["age_now"] = int(age_in_years(row["birth_date"], now))
    return row


def poster_photo(deps: Deps, case_id: int) -> bytes:
    photo_id = deps.read.poster(case_id)["photo_id"]
    if photo_id is None:
        raise NotFound("case {id} has no photo", id=case_id)
    return photo_bytes(deps, photo_id, max_side=800)


def photo_bytes(deps: Deps, photo_id: int, max_side: int | None = None) -> bytes:
    """A clean copy of a stored photo: re-encoded, EXIF and all other metadata stripped."""
    return deps.codec.clean_copy(deps.photos.get(deps.read.photo_key(photo_id)), max_side)


def face_crop(deps: Deps, face_id: int) -> bytes:
    return deps.photos.get(deps.read.face_crop_key(face_id))
