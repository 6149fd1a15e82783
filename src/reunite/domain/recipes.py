"""Embedding recipes: what a face engine writes on every face (model, version), and the faces stored
with another one, which are not comparable with new faces until they are embedded again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

REEMBED_COMMAND = "reunite rematch --reembed"


@dataclass(frozen=True)
class FaceRecipe:
    """The model and versions an engine writes now: ``version`` on sighting faces, ``case_version`` on
    the faces of cases' photos (embedded more thoroughly), and the second model's, when one is set."""

    model: str
    version: str
    case_version: str
    extra_model: str | None = None
    extra_version: str | None = None


@dataclass(frozen=True)
class OutdatedFaces:
    """Stored faces embedded with another recipe: ``faces`` (in ``photos`` photos) by the main model,
    ``extra`` by the second model."""

    faces: int = 0
    photos: int = 0
    extra: int = 0

    def __bool__(self) -> bool:
        return bool(self.faces or self.extra)


def outdated_warning(outdated: OutdatedFaces) -> str | None:
    """The one line that tells the operator, or None when every stored face is current."""
    if not outdated:
        return None
    parts = []
    if outdated.faces:
        parts.append(f"{outdated.faces} stored faces (in {outdated.photos} photos)")
    if outdated.extra:
        parts.append(f"{outdated.extra} embeddings by the second face model")
    return (f"{' and '.join(parts)} were made with another embedding recipe than the face engine's now "
            f"(model, preprocessing or adaptation changed): their scores are wrong until you run "
            f"`{REEMBED_COMMAND}`")


class RecipeStore(Protocol):
    """The recipe the workers' engine writes, recorded for processes that do not load it (the web's
    /metrics), and the count of stored faces made with another."""

    def record_recipe(self, recipe: FaceRecipe) -> None: ...

    def recorded_recipe(self) -> FaceRecipe | None: ...

    def outdated_faces(self, recipe: FaceRecipe, photos: bool = True) -> OutdatedFaces:
        """Faces (and second-model embeddings) whose model or version is not ``recipe``'s; ``photos``
        False: the photos are not counted (cheaper)."""
        ...
