"""Finding faces in a case's or a sighting's photos: the worker's first step before matching
(``services.matching``). Idempotent: a job retried after a crash changes nothing it already did."""

from __future__ import annotations

import logging

from reunite.domain.errors import FaceEngineUnavailable, ReuniteError
from reunite.domain.matching_store import PhotoToProcess
from reunite.domain.model import DetectedFace, PhotoOwner
from reunite.domain.ports import UnitOfWork
from reunite.domain.quality import FaceProblem, photo_problem
from reunite.services.deps import Deps
from reunite.services.moderation import settle_child_face

SYSTEM = "system"
UNREADABLE = "the face detector cannot read this photo (too small, or of an unusual shape)"
ENGINE_UNAVAILABLE = "faces.engine_unavailable"  # the audit's action when the engine could not load or run
log = logging.getLogger("reunite.worker")

# A face job's transactions commit without waiting for the disk (``synchronous_commit`` off for them
# alone). A database crash may lose the last fraction of a second of such commits; it then loses the
# job's completion mark too, which procrastinate commits after them, durably, on the same server: WAL
# is written and flushed in order, so any later durable commit (that mark, a reviewer's decision)
# makes every earlier one durable as well. A lost suffix therefore leaves the job unfinished, and the
# stalled-job recovery runs it again; every step is idempotent (faces replaced, candidates upserted).
JOB_DURABLE = False


def process_photos(deps: Deps, owner: PhotoOwner, owner_id: int, reembed: bool = False) -> int:
    """Detect and embed every face of every unprocessed photo of a case or sighting.

    Detection runs outside any transaction; then every photo's faces are written in one, replacing
    any from an interrupted run. With ``reembed``, processed photos are embedded again too (after a
    model change): faces found in the same places keep their ids, so reviewed candidates keep their
    decisions. Returns how many faces were stored."""
    with deps.uow() as uow:
        todo = [p for p in uow.photos_of(owner, owner_id) if reembed or not p.processed]
    if not todo:
        return 0
    found = [(photo, _detect(deps, owner, photo)) for photo in todo]
    with deps.uow() as uow:
        stored = sum(_store_faces(deps, uow, photo, faces) for photo, faces in found)
        if owner is PhotoOwner.SIGHTING and (new := [photo.photo_id for photo in todo if not photo.processed]):
            settle_child_face(deps, uow, owner_id, new)  # one face: the child's; several, approved on arrival: held
        uow.commit(durable=JOB_DURABLE)
    return stored


def _detect(deps: Deps, owner: PhotoOwner, photo: PhotoToProcess) -> list[DetectedFace] | Exception:
    """The photo's faces, or why the detector cannot read it (the same bytes fail the same way).

    An engine that cannot load or run (``FaceEngineUnavailable``: a model file missing or damaged,
    out of memory) is no fault of the photo: nothing is written, the job fails and is retried, and the
    photo waits, unprocessed, until the engine is mended."""
    data = deps.photos.get(photo.storage_key)  # a store that is down fails the job, which is retried
    try:
        return deps.faces.detect(data, thorough=owner is PhotoOwner.CASE)
    except FaceEngineUnavailable as exc:
        engine_failed(deps, photo, exc)
        raise
    except MemoryError as exc:
        unavailable = FaceEngineUnavailable(f"out of memory while finding faces ({exc})")
        engine_failed(deps, photo, unavailable)
        raise unavailable from exc
    except Exception as exc:  # done, without faces, and hidden
        return exc


def engine_failed(deps: Deps, photo: PhotoToProcess, exc: FaceEngineUnavailable) -> None:
    """Say once, in the log and the audit (which /metrics counts), that a photo waits for the engine."""
    log.error("photo %d waits, its job to be retried: %s", photo.photo_id, exc)
    with deps.uow() as uow:
        # one subject for every failure, which /metrics counts by its index
        uow.audit(SYSTEM, ENGINE_UNAVAILABLE, "face_engine", 0, photo=photo.photo_id, detail=exc.detail[:500])
        uow.commit()


def _store_faces(deps: Deps, uow: UnitOfWork, photo: PhotoToProcess, found: list[DetectedFace] | Exception) -> int:
    if isinstance(found, Exception):
        _failed(uow, photo.photo_id, found)
        return 0
    problem = photo_problem(found)  # what the reporter is told (domain/quality.py)
    if photo.processed and uow.refresh_faces(photo.photo_id, found):
        uow.set_face_problem(photo.photo_id, problem)
        uow.audit(SYSTEM, "photo.faces_reembedded", "photo", photo.photo_id, faces=len(found))
        return len(found)
    keys = []
    for number, face in enumerate(found):
        key = f"faces/{photo.photo_id}-{number}.jpg"
        deps.photos.put(key, face.crop_jpeg)  # before the commit: a committed face never lacks its crop
        keys.append(key)
    uow.replace_faces(photo.photo_id, found, keys, problem)  # a photo that had failed is read now
    uow.audit(SYSTEM, "photo.faces_detected", "photo", photo.photo_id, faces=len(found),
              **({"recovered": True} if photo.failed else {}))
    return len(found)


def _failed(uow: UnitOfWork, photo_id: int, exc: Exception) -> None:
    """A photo whose faces cannot be searched for: kept from families and partners (its bystanders
    could not be blurred), with the reason moderators see."""
    reason = exc.message if isinstance(exc, ReuniteError) else UNREADABLE
    log.warning("photo %d: faces could not be searched for: %r", photo_id, exc)
    uow.photo_failed(photo_id, reason)
    uow.set_face_problem(photo_id, FaceProblem.NONE.value)
    uow.audit(SYSTEM, "photo.faces_failed", "photo", photo_id, reason=reason[:500])
