"""Faces stored with another embedding recipe than the face engine's (docs/models.md): a new
adaptation matrix, or a change of preprocessing, makes old faces incomparable with new ones, and
their scores wrong, until ``reunite rematch --reembed`` has embedded them again."""

from __future__ import annotations

from reunite.domain.recipes import OutdatedFaces, outdated_warning
from reunite.services.deps import Deps


def outdated_faces(deps: Deps, record: bool = False) -> OutdatedFaces:
    """The stored faces this engine would not write as they are (loading the engine, if not yet).
    ``record``: the engine's recipe is also recorded, for processes that do not load it (/metrics):
    what a worker does as it starts."""
    recipe = deps.faces.recipe
    with deps.uow() as uow:
        if record:
            uow.record_recipe(recipe)
        outdated = uow.outdated_faces(recipe)
        uow.commit()
    return outdated


def warning(deps: Deps, record: bool = False) -> str | None:
    """The one line that tells the operator how many faces are outdated and what to run; None: none is."""
    return outdated_warning(outdated_faces(deps, record))
