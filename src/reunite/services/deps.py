"""What every service receives: the ports, wired once in ``bootstrap.py``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from reunite.domain.ports import (
    Clock,
    FaceEngine,
    PasswordHasher,
    PhotoCodec,
    PhotoStore,
    ReadModel,
    UnitOfWorkFactory,
)
from reunite.domain.scoring import MatchPolicy


@dataclass(frozen=True)
class Limits:
    max_photos_per_report: int = 10
    ann_neighbours: int = 200
    # abuse resistance: per hour, per IP for anonymous people, per account or token otherwise
    reports_per_hour: int = 10
    reports_per_hour_without_proof: int = 3
    searches_per_hour: int = 30
    messages_per_hour: int = 20
    partner_requests_per_hour: int = 5000
    proof_of_work_bits: int = 14
    # sessions and retention
    session_lifetime: timedelta = timedelta(days=14)
    invitation_lifetime: timedelta = timedelta(days=7)
    sighting_retention: timedelta = timedelta(days=730)
    closed_case_retention: timedelta = timedelta(days=180)
    queue_alert_threshold: int = 50


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
    passwords: PasswordHasher
    secret: bytes
