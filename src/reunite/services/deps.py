"""What every service receives: the ports, wired once in ``bootstrap.py``."""

from __future__ import annotations

from dataclasses import dataclass

from reunite.domain.ports import Clock, FaceEngine, PhotoCodec, PhotoStore, ReadModel, UnitOfWorkFactory
from reunite.domain.scoring import MatchPolicy


@dataclass(frozen=True)
class Limits:
    max_photos_per_report: int = 10
    ann_neighbours: int = 200


@dataclass(frozen=True)
class Deps:
    uow: UnitOfWorkFactory
    read: ReadModel
    photos: PhotoStore
    codec: PhotoCodec
    faces: FaceEngine
    clock: Clock
    policy: MatchPolicy
    limits: Limits
