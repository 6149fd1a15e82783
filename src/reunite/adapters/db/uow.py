"""The unit of work on PostgreSQL: one transaction, its queries, and jobs deferred inside it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import Connection, Engine, column, func, insert, select, text, update

from reunite.adapters.db.moderation import ModerationSql
from reunite.adapters.db.people import PeopleSql
from reunite.adapters.db.pfif import PfifSql
from reunite.adapters.db.reach import ReachSql
from reunite.adapters.db.reports import ReportSql
from reunite.adapters.db.sources import SourcesSql
from reunite.adapters.db.tables import EMBEDDING_DIM, audit_log, candidates, cases, faces, photos, sightings
from reunite.adapters.db.workbench import WorkbenchSql
from reunite.domain.errors import NotFound
from reunite.domain.model import (
    AgeRange,
    CandidateStatus,
    DetectedFace,
    GeoPoint,
    NewCase,
    NewSighting,
    PhotoFacts,
    PhotoOwner,
    Sex,
)
from reunite.domain.ports import CandidateRow, CaseHitRow, PhotoToProcess, SightingHitRow, StoredFace
from reunite.domain.scoring import CaseFacts, SightingFacts

QUEUE = "reunite"


def _point(lat: float | None, lon: float | None) -> GeoPoint | None:
    return GeoPoint(lat, lon) if lat is not None and lon is not None else None


def vector_literal(values: Sequence[float]) -> str:
    return "[" + ",".join(f"{v:.7g}" for v in values) + "]"


class SqlUnitOfWork(PeopleSql, ModerationSql, ReachSql, PfifSql, SourcesSql, WorkbenchSql, ReportSql):
    """Implements ``domain.ports.UnitOfWork`` on one SQLAlchemy connection and transaction."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.conn: Connection

    def __enter__(self) -> SqlUnitOfWork:
        self.conn = self._engine.connect()
        self._tx = self.conn.begin()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._tx.is_active:
            self._tx.rollback()
        self.conn.close()

    def commit(self) -> None:
        self._tx.commit()

    # -- jobs and audit ---------------------------------------------------------------
    def enqueue(self, task: str, *, lock: str | None = None, at: datetime | None = None, **args: Any) -> None:
        self.conn.execute(
            text(
                "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, :lock, NULL, "
                "CAST(:args AS jsonb), CAST(:at AS timestamptz))::procrastinate_job_to_defer_v1])"
            ),
            {"queue": QUEUE, "task": task, "lock": lock, "args": json.dumps(args), "at": at},
        )

    def audit(self, actor: str, action: str, subject: str, subject_id: int, **detail: Any) -> None:
        self.conn.execute(
            insert(audit_log).values(
                actor=actor, action=action, subject=subject, subject_id=subject_id, detail=detail
            )
        )

    # -- writes -------------------------------------------------------------------------
    def add_case(self, case: NewCase, created_at: datetime) -> int:
        place = case.last_seen_place
        return int(self.conn.execute(
            insert(cases).values(
                given_name=case.given_name, family_name=case.family_name, nicknames=list(case.nicknames),
                sex=case.sex.value, birth_date=case.birth_date, missing_since=case.missing_since,
                last_seen_lat=place.lat if place else None, last_seen_lon=place.lon if place else None,
                last_seen_text=case.last_seen_text, description=case.description, marks=case.marks,
                police_report=case.police_report, family_contact=case.family_contact, created_at=created_at,
            ).returning(cases.c.id)
        ).scalar_one())

    def add_sighting(
        self, sighting: NewSighting, seen_at: datetime, created_at: datetime, status: str,
        reporter_account_id: int | None,
    ) -> int:
        age, place = sighting.apparent_age, sighting.place
        return int(self.conn.execute(
            insert(sightings).values(
                seen_at=seen_at, lat=place.lat if place else None, lon=place.lon if place else None,
                place_text=sighting.place_text, apparent_age_low=age.low if age else None,
                apparent_age_high=age.high if age else None, apparent_sex=sighting.apparent_sex.value,
                description=sighting.description, reporter_contact=sighting.reporter_contact,
                created_at=created_at, status=status, reporter_account_id=reporter_account_id,
            ).returning(sightings.c.id)
        ).scalar_one())

    def add_photo(
        self, owner: PhotoOwner, owner_id: int, facts: PhotoFacts, storage_key: str, taken_on: date | None
    ) -> int:
        owner_col = "case_id" if owner is PhotoOwner.CASE else "sighting_id"
        return int(self.conn.execute(
            insert(photos).values({
                owner_col: owner_id, "storage_key": storage_key, "sha256": facts.sha256, "mime": facts.mime,
                "width": facts.width, "height": facts.height, "taken_on": taken_on, "phash": facts.phash,
            }).returning(photos.c.id)
        ).scalar_one())

    def replace_faces(self, photo_id: int, found: Sequence[DetectedFace], crop_keys: Sequence[str]) -> list[int]:
        photo = self.conn.execute(
            select(photos.c.case_id, photos.c.sighting_id).where(photos.c.id == photo_id).with_for_update()
        ).one()
        self.conn.execute(faces.delete().where(faces.c.photo_id == photo_id))
        ids = []
        for face, crop_key in zip(found, crop_keys, strict=True):
            box = face.box
            ids.append(int(self.conn.execute(
                insert(faces).values(
                    photo_id=photo_id, case_id=photo.case_id, sighting_id=photo.sighting_id,
                    box_left=box.left, box_top=box.top, box_right=box.right, box_bottom=box.bottom,
                    landmarks=[list(p) for p in face.landmarks], detection_score=face.detection_score,
                    quality=face.quality, detector=face.detector, embedding=list(face.embedding),
                    model=face.model, model_version=face.model_version, crop_key=crop_key, hubness=face.hubness,
                ).returning(faces.c.id)
            ).scalar_one()))
        self.conn.execute(
            update(photos).where(photos.c.id == photo_id).values(processed_at=func.now(), face_count=len(ids))
        )
        return ids

    def refresh_faces(self, photo_id: int, found: Sequence[DetectedFace]) -> bool:
        stored = self.conn.execute(
            select(faces.c.id, faces.c.box_left, faces.c.box_top, faces.c.box_right, faces.c.box_bottom)
            .where(faces.c.photo_id == photo_id).order_by(faces.c.id).with_for_update()
        ).all()
        boxes = [(f.box.left, f.box.top, f.box.right, f.box.bottom) for f in found]
        if not stored or [tuple(r[1:]) for r in stored] != boxes:
            return False
        for row, face in zip(stored, found, strict=True):
            self.conn.execute(update(faces).where(faces.c.id == row.id).values(
                embedding=list(face.embedding), hubness=face.hubness, quality=face.quality,
                model=face.model, model_version=face.model_version))
        return True

    def save_candidates(self, rows: Sequence[CandidateRow]) -> int:
        new = 0
        for row in rows:
            s = row.score
            values = {
                "case_face_id": s.best_case_face_id, "score": s.total, "face_score": s.face, "age_score": s.age,
                "time_score": s.time, "place_score": s.place, "sex_score": s.sex, "expected_age": s.expected_age,
                "distance_km": s.distance_km, "elapsed_days": s.elapsed_days, "hubness": s.hubness,
            }
            inserted = self.conn.execute(
                text(
                    "INSERT INTO candidates (case_id, sighting_id, sighting_face_id, case_face_id, score, "
                    "face_score, age_score, time_score, place_score, sex_score, expected_age, distance_km, "
                    "elapsed_days, hubness) VALUES (:case_id, :sighting_id, :sighting_face_id, :case_face_id, "
                    ":score, :face_score, :age_score, :time_score, :place_score, :sex_score, :expected_age, "
                    ":distance_km, :elapsed_days, :hubness) "
                    "ON CONFLICT (case_id, sighting_face_id) DO UPDATE SET case_face_id = EXCLUDED.case_face_id, "
                    "score = EXCLUDED.score, face_score = EXCLUDED.face_score, age_score = EXCLUDED.age_score, "
                    "time_score = EXCLUDED.time_score, place_score = EXCLUDED.place_score, "
                    "sex_score = EXCLUDED.sex_score, expected_age = EXCLUDED.expected_age, "
                    "distance_km = EXCLUDED.distance_km, elapsed_days = EXCLUDED.elapsed_days, "
                    "hubness = EXCLUDED.hubness, updated_at = now() "
                    "RETURNING (xmax = 0) AS inserted"
                ),
                dict(values, case_id=row.case_id, sighting_id=row.sighting_id, sighting_face_id=row.sighting_face_id),
            ).scalar_one()
            new += bool(inserted)
        return new

    def set_candidate_status(
        self, candidate_id: int, status: CandidateStatus, reason: str, reviewer: str, at: datetime
    ) -> int:
        case_id = self.conn.execute(
            update(candidates).where(candidates.c.id == candidate_id)
            .values(status=status.value, review_reason=reason, reviewed_by=reviewer, reviewed_at=at, updated_at=at)
            .returning(candidates.c.case_id)
        ).scalar_one_or_none()
        if case_id is None:
            raise NotFound("candidate {id} does not exist", id=candidate_id)
        return int(case_id)

    # -- reads used by services ---------------------------------------------------------
    def _photo_row(self, row: Any) -> PhotoToProcess:
        owner = PhotoOwner.CASE if row.case_id is not None else PhotoOwner.SIGHTING
        owner_id = row.case_id or row.sighting_id
        return PhotoToProcess(row.id, owner, owner_id, row.storage_key, row.processed_at is not None)

    def photos_of(self, owner: PhotoOwner, owner_id: int) -> list[PhotoToProcess]:
        col = photos.c.case_id if owner is PhotoOwner.CASE else photos.c.sighting_id
        rows = self.conn.execute(select(photos).where(col == owner_id).order_by(photos.c.id))
        return [self._photo_row(r) for r in rows]

    def case_facts(self, case_id: int) -> CaseFacts:
        row = self.conn.execute(select(cases).where(cases.c.id == case_id)).one_or_none()
        if row is None:
            raise NotFound("case {id} does not exist", id=case_id)
        return CaseFacts(row.id, row.birth_date, Sex(row.sex), row.missing_since,
                         _point(row.last_seen_lat, row.last_seen_lon))

    def sighting_facts(self, sighting_id: int) -> SightingFacts:
        row = self.conn.execute(select(sightings).where(sightings.c.id == sighting_id)).one_or_none()
        if row is None:
            raise NotFound("sighting {id} does not exist", id=sighting_id)
        age = None
        if row.apparent_age_low is not None:
            age = AgeRange(row.apparent_age_low, row.apparent_age_high)
        return SightingFacts(row.id, row.seen_at, _point(row.lat, row.lon), age, Sex(row.apparent_sex))

    def faces_of(self, owner: PhotoOwner, owner_id: int) -> list[StoredFace]:
        col = faces.c.case_id if owner is PhotoOwner.CASE else faces.c.sighting_id
        rows = self.conn.execute(
            select(faces.c.id, faces.c.photo_id, faces.c.embedding, faces.c.hubness).where(col == owner_id)
            .order_by(faces.c.id)
        )
        return [StoredFace(r.id, r.photo_id, [float(v) for v in r.embedding], r.hubness) for r in rows]

    def _ann(self) -> None:
        # Filtered HNSW returns too few rows unless the scan may continue past the first candidates.
        self.conn.exec_driver_sql("SET LOCAL hnsw.iterative_scan = relaxed_order")
        self.conn.exec_driver_sql("SET LOCAL hnsw.ef_search = 200")

    def near_case_faces(self, embedding: Sequence[float], seen_at: datetime, limit: int) -> list[CaseHitRow]:
        self._ann()
        rows = self.conn.execute(
            text(
                "SELECT f.case_id, f.id, 1 - (f.embedding <=> CAST(:q AS vector)) AS sim, p.taken_on "
                "FROM faces f JOIN cases c ON c.id = f.case_id JOIN photos p ON p.id = f.photo_id "
                "WHERE f.case_id IS NOT NULL AND c.status = 'open' AND c.verified_at IS NOT NULL "
                "AND c.missing_since <= :seen_at "
                "ORDER BY f.embedding <=> CAST(:q AS vector) LIMIT :limit"
            ),
            {"q": vector_literal(embedding), "seen_at": seen_at, "limit": limit},
        )
        return [CaseHitRow(r.case_id, r.id, float(r.sim), r.taken_on) for r in rows]

    def case_face_hits(self, embedding: Sequence[float], case_ids: Sequence[int]) -> list[CaseHitRow]:
        rows = self.conn.execute(
            text(
                "SELECT f.case_id, f.id, 1 - (f.embedding <=> CAST(:q AS vector)) AS sim, p.taken_on "
                "FROM faces f JOIN photos p ON p.id = f.photo_id WHERE f.case_id = ANY(:ids)"
            ),
            {"q": vector_literal(embedding), "ids": list(case_ids)},
        )
        return [CaseHitRow(r.case_id, r.id, float(r.sim), r.taken_on) for r in rows]

    def near_sighting_faces(
        self, embedding: Sequence[float], seen_after: datetime, limit: int
    ) -> list[SightingHitRow]:
        self._ann()
        rows = self.conn.execute(
            text(
                "SELECT f.sighting_id, f.id, f.photo_id, f.embedding, f.hubness "
                "FROM faces f JOIN sightings s ON s.id = f.sighting_id "
                "WHERE f.sighting_id IS NOT NULL AND s.seen_at >= :after AND s.status IN ('pending', 'approved') "
                "ORDER BY f.embedding <=> CAST(:q AS vector) LIMIT :limit"
            ).columns(column("sighting_id"), column("id"), column("photo_id"),
                     column("embedding", Vector(EMBEDDING_DIM)), column("hubness")),
            {"q": vector_literal(embedding), "after": seen_after, "limit": limit},
        )
        return [SightingHitRow(r.sighting_id, r.id, r.photo_id, [float(v) for v in r.embedding], r.hubness)
                for r in rows]

    def mark_verified(self, case_id: int, verifier: str, at: datetime) -> None:
        done = self.conn.execute(
            update(cases).where(cases.c.id == case_id).values(verified_at=at, verified_by=verifier)
        ).rowcount
        if not done:
            raise NotFound("case {id} does not exist", id=case_id)

    def all_ids(self, owner: PhotoOwner) -> list[int]:
        table = cases if owner is PhotoOwner.CASE else sightings
        return [int(i) for i in self.conn.execute(select(table.c.id).order_by(table.c.id)).scalars()]
