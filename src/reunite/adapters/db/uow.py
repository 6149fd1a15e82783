"""The unit of work on PostgreSQL: one transaction, its queries, and jobs deferred inside it."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, literal_column, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from reunite.adapters.db.ann import EF_SEARCH
from reunite.adapters.db.case_faces import CaseFacesSql
from reunite.adapters.db.corrections import CorrectionSql, case_columns
from reunite.adapters.db.extra_faces import ExtraModel
from reunite.adapters.db.face_search import FaceSearchSql
from reunite.adapters.db.idempotency import IdempotencySql
from reunite.adapters.db.moderation import ModerationSql
from reunite.adapters.db.people import PeopleSql
from reunite.adapters.db.pfif import PfifSql
from reunite.adapters.db.photo_copies import PhotoCopiesSql
from reunite.adapters.db.reach import ReachSql
from reunite.adapters.db.recipes import RecipeSql
from reunite.adapters.db.removals import RemovalSql
from reunite.adapters.db.reports import ReportSql
from reunite.adapters.db.shortlist import ShortlistSql
from reunite.adapters.db.sources import SourcesSql
from reunite.adapters.db.tables import (
    audit_log,
    candidates,
    cases,
    faces,
    photos,
    sightings,
)
from reunite.adapters.db.workbench import WorkbenchSql
from reunite.domain.errors import NotFound
from reunite.domain.matching_store import CandidateRow, PhotoToProcess
from reunite.domain.model import (
    AgeRange,
    CandidateStatus,
    DetectedFace,
    GeoPoint,
    NewCase,
    NewSighting,
    PhotoFacts,
    PhotoOwner,
    PlaceBasis,
    SeenAtBasis,
    SeenPlace,
    SeenTime,
    Sex,
)
from reunite.domain.scoring import CaseFacts, SightingFacts
from reunite.domain.times import offset_minutes, with_offset
from reunite.domain.typed_time import day_given

QUEUE = "reunite"
# webhook deliveries (and the alerts' emails): a queue of their own, worked beside the rest (``worker.tasks``), so
# that a receiver answering slowly never holds back faces, matching or alerts (probe s29 C3)
DELIVERY_QUEUE = "reunite-deliveries"
DELIVERIES = frozenset({"reach.deliver_alert", "reach.deliver_ended", "reach.deliver_restored",
                        "reach.deliver_updated"})
# One alert's deliveries share a job lock (procrastinate runs jobs of one lock one at a time, each after those
# deferred before it, retries included): ``case.ended`` never overtakes the alert it ends, still being sent or
# retried (probe s29 C4), nor ``case.restored`` the ending it undoes.


def queue_of(task: str) -> str:
    """The queue a task's jobs go to."""
    return DELIVERY_QUEUE if task in DELIVERIES else QUEUE


def _point(lat: float | None, lon: float | None) -> GeoPoint | None:
    return GeoPoint(lat, lon) if lat is not None and lon is not None else None


_SCORE_COLUMNS = ("case_face_id", "score", "face_score", "age_score", "time_score", "place_score", "sex_score",
                  "expected_age", "distance_km", "elapsed_days", "hubness", "rank", "rank_of",
                  "coarse_rank", "impostor_share", "gap_years", "proposable", "face_together")


def _candidate_values(row: CandidateRow) -> dict[str, Any]:
    s = row.score
    return {
        "case_id": row.case_id, "sighting_id": row.sighting_id, "sighting_face_id": row.sighting_face_id,
        "case_face_id": s.best_case_face_id, "score": s.total, "face_score": s.face, "age_score": s.age,
        "time_score": s.time, "place_score": s.place, "sex_score": s.sex, "expected_age": s.expected_age,
        "distance_km": s.distance_km, "elapsed_days": s.elapsed_days, "hubness": s.hubness,
        "rank": row.rank, "rank_of": row.rank_of, "coarse_rank": row.coarse_rank,
        "impostor_share": row.impostor_share, "gap_years": s.gap_years, "proposable": row.proposable,
        "face_together": row.together,
    }


class SqlUnitOfWork(PeopleSql, ModerationSql, CaseFacesSql, ReachSql, PfifSql, SourcesSql, WorkbenchSql, ShortlistSql,
                    IdempotencySql, ReportSql, FaceSearchSql, RecipeSql, RemovalSql, CorrectionSql, PhotoCopiesSql):
    """Implements ``domain.ports.UnitOfWork`` on one SQLAlchemy connection and transaction."""

    def __init__(self, engine: Engine, ef_search: int = EF_SEARCH, extra_model: ExtraModel | None = None) -> None:
        self._engine = engine
        self.ef_search = ef_search
        self.extra_model = extra_model
        self.conn: Connection

    def __enter__(self) -> SqlUnitOfWork:
        self.conn = self._engine.connect()
        self._tx = self.conn.begin()
        self.scan_set = False  # ``AnnScanOnce``: the vector settings are set again in this transaction
        return self

    def __exit__(self, *exc: object) -> None:
        if self._tx.is_active:
            self._tx.rollback()
        self.conn.close()

    def commit(self, durable: bool = True) -> None:
        if not durable:  # this transaction only: its COMMIT returns before the WAL is on disk
            self.conn.exec_driver_sql("SET LOCAL synchronous_commit TO off")
        self._tx.commit()

    # -- jobs and audit ---------------------------------------------------------------
    def enqueue(self, task: str, *, lock: str | None = None, at: datetime | None = None, unless_waiting: bool = False,
                **args: Any) -> None:
        if task in DELIVERIES and lock is None:  # one alert's deliveries one at a time, in the order planned (``lock``)
            lock = f"alert:{args['alert_id']}"
        waiting = (" WHERE NOT EXISTS (SELECT 1 FROM procrastinate_jobs WHERE task_name = :task AND status = 'todo' "
                   "AND args = CAST(:args AS jsonb))" if unless_waiting else "")
        self.conn.execute(
            text(
                "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, :lock, NULL, "
                "CAST(:args AS jsonb), CAST(:at AS timestamptz))::procrastinate_job_to_defer_v1])" + waiting
            ),
            {"queue": queue_of(task), "task": task, "lock": lock, "args": json.dumps(args), "at": at},
        )

    def waiting_jobs(self, task: str) -> list[dict[str, Any]]:
        return [dict(row.args) for row in self.conn.execute(text(
            "SELECT args FROM procrastinate_jobs WHERE task_name = :task AND status = 'todo'"), {"task": task})]

    def audit(self, actor: str, action: str, subject: str, subject_id: int, **detail: Any) -> None:
        self.conn.execute(
            insert(audit_log).values(
                actor=actor, action=action, subject=subject, subject_id=subject_id, detail=detail
            )
        )

    # -- writes -------------------------------------------------------------------------
    def add_case(self, case: NewCase, created_at: datetime) -> int:
        return int(self.conn.execute(
            insert(cases).values(**case_columns(case), created_at=created_at).returning(cases.c.id)
        ).scalar_one())

    def registered_cases(self, actor: str, domains: Collection[str],
                         cases: Sequence[NewCase]) -> list[tuple[int, str] | None]:
        if not cases:
            return []
        # the day missing of each as the case here reads it (in its own offset): one instant written in another
        # offset is the same day (probe s41 D4); a day given alone is that day, whatever zone either was given in
        # (probe s46 P1: ``typed_time.same_day_missing``); a month or year only that month or year; an open case
        # before an ended one
        day = "(({at} AT TIME ZONE 'UTC') + make_interval(mins => coalesce(c.missing_since_offset, 0)))::date"
        coarse = "('month', 'year')"
        found: dict[int, tuple[int, str]] = {int(n): (int(i), str(status)) for n, i, status in self.conn.execute(text(
            "SELECT DISTINCT ON (k.n) k.n, c.id, c.status FROM unnest(CAST(:given AS text[]), "
            "CAST(:family AS text[]), CAST(:born AS date[]), CAST(:at AS timestamptz[]), CAST(:day AS date[]), "
            "CAST(:precision AS text[])) WITH ORDINALITY AS k(given, family, born, at, day, precision, n) "
            "JOIN cases c ON c.birth_date = k.born AND lower(c.given_name) = lower(k.given) "
            f"AND lower(c.family_name) = lower(k.family) AND CASE WHEN k.precision IN {coarse} "
            f"OR c.missing_since_precision IN {coarse} THEN k.precision = c.missing_since_precision "
            f"AND k.day = {day.format(at='c.missing_since')} "
            f"ELSE coalesce(k.day, {day.format(at='k.at')}) = {day.format(at='c.missing_since')} END "
            "WHERE c.status IN ('open', 'closed', 'reunited') AND EXISTS (SELECT 1 FROM audit_log a "
            "WHERE a.subject = 'case' AND a.subject_id = c.id AND a.action IN ('case.registered', 'case.imported') "
            "AND (a.actor = :actor OR a.actor IN (SELECT 'token:' || t.id FROM api_tokens t "
            "WHERE t.allowed_domains && CAST(:domains AS text[])))) "
            "ORDER BY k.n, c.status = 'open' DESC, c.id"),
            {"given": [c.given_name for c in cases], "family": [c.family_name for c in cases],
             "born": [c.birth_date for c in cases], "at": [c.missing_since for c in cases],
             "day": [day_given(c.missing_since, c.missing_since_precision) for c in cases],
             "precision": [c.missing_since_precision for c in cases],
             "actor": actor, "domains": sorted(domains)}).all()}
        return [found.get(n) for n in range(1, len(cases) + 1)]

    def add_sighting(
        self, sighting: NewSighting, seen: SeenTime, created_at: datetime, status: str,
        reporter_account_id: int | None, day_zone: str = "", placed: SeenPlace | None = None,
    ) -> int:
        age, place = sighting.apparent_age, sighting.place
        placed = placed or SeenPlace(place, PlaceBasis.GIVEN if place else PlaceBasis.WORDS
                                     if sighting.place_text.strip() else PlaceBasis.NONE)
        aside = placed.photo_aside
        return int(self.conn.execute(
            insert(sightings).values(
                seen_at=seen.at, seen_at_offset=offset_minutes(seen.at), seen_at_basis=seen.basis.value,
                seen_at_zone=seen.zone, camera_clock=seen.camera_clock,
                lat=place.lat if place else None, lon=place.lon if place else None, day_zone=day_zone or None,
                place_basis=placed.basis.value, photo_lat=aside.lat if aside else None,
                photo_lon=aside.lon if aside else None, photo_km=placed.photo_km,
                place_text=sighting.place_text, apparent_age_low=age.low if age else None,
                apparent_age_high=age.high if age else None, apparent_sex=sighting.apparent_sex.value,
                description=sighting.description, with_whom=sighting.with_whom,
                reporter_contact=sighting.reporter_contact,
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

    def replace_faces(self, photo_id: int, found: Sequence[DetectedFace], crop_keys: Sequence[str],
                      problem: str | None = None) -> list[int]:
        photo = self.conn.execute(
            select(photos.c.case_id, photos.c.sighting_id).where(photos.c.id == photo_id).with_for_update()
        ).one()
        self.conn.execute(faces.delete().where(faces.c.photo_id == photo_id))
        ids = []
        for face, crop_key in zip(found, crop_keys, strict=True):
            box = face.box
            face_id = int(self.conn.execute(
                insert(faces).values(
                    photo_id=photo_id, case_id=photo.case_id, sighting_id=photo.sighting_id,
                    box_left=box.left, box_top=box.top, box_right=box.right, box_bottom=box.bottom,
                    landmarks=[list(p) for p in face.landmarks], detection_score=face.detection_score,
                    quality=face.quality, detector=face.detector, embedding=list(face.embedding),
                    model=face.model, model_version=face.model_version, crop_key=crop_key, hubness=face.hubness,
                    chip=face.chip or None,
                ).returning(faces.c.id)
            ).scalar_one())
            self.store_extra(face_id, photo.case_id, photo.sighting_id, face)
            ids.append(face_id)
        self.conn.execute(
            update(photos).where(photos.c.id == photo_id)
            .values(processed_at=func.now(), face_count=len(ids), face_problem=problem, failed_reason=None)
        )
        return ids

    def photo_failed(self, photo_id: int, reason: str) -> None:
        self.conn.execute(faces.delete().where(faces.c.photo_id == photo_id))
        self.conn.execute(update(photos).where(photos.c.id == photo_id).values(
            processed_at=func.now(), face_count=None, failed_reason=reason[:500]))

    def refresh_faces(self, photo_id: int, found: Sequence[DetectedFace]) -> bool:
        stored = self.conn.execute(
            select(faces.c.id, faces.c.box_left, faces.c.box_top, faces.c.box_right, faces.c.box_bottom,
                   faces.c.case_id, faces.c.sighting_id)
            .where(faces.c.photo_id == photo_id).order_by(faces.c.created_at, faces.c.id).with_for_update()
        ).all()
        boxes = [(f.box.left, f.box.top, f.box.right, f.box.bottom) for f in found]
        if not stored or [tuple(r[1:5]) for r in stored] != boxes:
            return False
        for row, face in zip(stored, found, strict=True):
            self.conn.execute(update(faces).where(faces.c.id == row.id).values(
                embedding=list(face.embedding), hubness=face.hubness, quality=face.quality,
                model=face.model, model_version=face.model_version, chip=face.chip or None))
            self.store_extra(row.id, row.case_id, row.sighting_id, face)
        return True

    def save_candidates(self, rows: Sequence[CandidateRow]) -> int:
        """One statement for all rows: insert, or refresh the scores of an existing candidate (its
        review stays). Returns how many were new."""
        if not rows:
            return 0
        statement = pg_insert(candidates).values([_candidate_values(row) for row in rows])
        refreshed = {name: statement.excluded[name] for name in _SCORE_COLUMNS}
        inserted: Sequence[bool] = self.conn.execute(statement.on_conflict_do_update(
            index_elements=[candidates.c.case_id, candidates.c.sighting_face_id],
            set_=dict(refreshed, updated_at=func.now()),
        ).returning(literal_column("xmax = 0"))).scalars().all()
        return sum(bool(new) for new in inserted)

    def refresh_candidates(self, rows: Sequence[CandidateRow]) -> int:
        """Refresh the scores of existing candidates (never their review); adds none. Returns how many."""
        if not rows:
            return 0
        names = ("case_id", "sighting_face_id", *_SCORE_COLUMNS)
        sets = ", ".join(f"{name} = :{name}" for name in _SCORE_COLUMNS)
        values = [{name: value for name, value in _candidate_values(row).items() if name in names} for row in rows]
        return int(self.conn.execute(text(
            f"UPDATE candidates SET {sets}, updated_at = now() "
            "WHERE case_id = :case_id AND sighting_face_id = :sighting_face_id"), values).rowcount)

    def set_candidate_status(
        self, candidate_id: int, status: CandidateStatus, reason: str, reviewer: str, at: datetime
    ) -> int:
        case_id = self.conn.execute(
            update(candidates).where(candidates.c.id == candidate_id)
            # the face evidence the decision is made on, kept beside the pair's score of now (probe s28 B6)
            .values(status=status.value, review_reason=reason, reviewed_by=reviewer, reviewed_at=at, updated_at=at,
                    decided_face_score=candidates.c.face_score, decided_hubness=candidates.c.hubness,
                    decided_together=candidates.c.face_together)
            .returning(candidates.c.case_id)
        ).scalar_one_or_none()
        if case_id is None:
            raise NotFound("candidate {id} does not exist", id=candidate_id)
        return int(case_id)

    # -- reads used by services ---------------------------------------------------------
    def _photo_row(self, row: Any) -> PhotoToProcess:
        owner = PhotoOwner.CASE if row.case_id is not None else PhotoOwner.SIGHTING
        owner_id = row.case_id or row.sighting_id
        return PhotoToProcess(row.id, owner, owner_id, row.storage_key, row.processed_at is not None,
                              row.failed_reason is not None)

    def photos_of(self, owner: PhotoOwner, owner_id: int) -> list[PhotoToProcess]:
        col = photos.c.case_id if owner is PhotoOwner.CASE else photos.c.sighting_id
        rows = self.conn.execute(select(photos).where(col == owner_id).order_by(photos.c.created_at, photos.c.id))
        return [self._photo_row(r) for r in rows]

    def case_facts(self, case_id: int) -> CaseFacts:
        found = self.case_facts_of([case_id])
        if case_id not in found:
            raise NotFound("case {id} does not exist", id=case_id)
        return found[case_id]

    def case_facts_of(self, case_ids: Sequence[int]) -> dict[int, CaseFacts]:
        rows = self.conn.execute(select(cases).where(cases.c.id == func.any(list(case_ids))))
        return {row.id: CaseFacts(row.id, row.birth_date, Sex(row.sex),
                                  row.missing_since and with_offset(row.missing_since, row.missing_since_offset),
                                  _point(row.last_seen_lat, row.last_seen_lon), row.missing_since_precision)
                for row in rows}

    def sighting_facts(self, sighting_id: int) -> SightingFacts:
        found = self.sighting_facts_of([sighting_id])
        if sighting_id not in found:
            raise NotFound("sighting {id} does not exist", id=sighting_id)
        return found[sighting_id]

    def sighting_facts_of(self, sighting_ids: Sequence[int]) -> dict[int, SightingFacts]:
        rows = self.conn.execute(select(sightings).where(sightings.c.id == func.any(list(sighting_ids))))
        found = {}
        for row in rows:
            age = None
            if row.apparent_age_low is not None:
                age = AgeRange(row.apparent_age_low, row.apparent_age_high)
            found[row.id] = SightingFacts(row.id, row.seen_at, _point(row.lat, row.lon), age, Sex(row.apparent_sex),
                                          SeenAtBasis(row.seen_at_basis), row.child_face_id)
        return found

    def mark_verified(self, case_id: int, verifier: str, at: datetime) -> None:
        done = self.conn.execute(
            update(cases).where(cases.c.id == case_id).values(verified_at=at, verified_by=verifier)
        ).rowcount
        if not done:
            raise NotFound("case {id} does not exist", id=case_id)

    def all_ids(self, owner: PhotoOwner) -> list[int]:
        table = cases if owner is PhotoOwner.CASE else sightings
        return [int(i) for i in self.conn.execute(select(table.c.id).order_by(table.c.id)).scalars()]
