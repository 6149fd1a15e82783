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


def workers_warning(deps: Deps) -> str | None:
    """``warning`` for a process that is not a worker (``reunite rematch``): against the recipe the
    workers recorded (what /metrics counts against), which may differ from this process's own engine
    (a setting changed only in the workers' environment); against its own engine only when no worker
    has recorded one yet."""
    with deps.uow() as uow:
        recorded = uow.recorded_recipe()
        if recorded is not None:
            return outdated_warning(uow.outdated_faces(recorded))
    return warning(deps)
