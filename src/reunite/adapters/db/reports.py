"""Reporters' own view of their reports: receipts, the phone's key for a report, added details."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, text, update
from sqlalchemy.exc import IntegrityError

from reunite.adapters.db.tables import photos, sightings
from reunite.domain.errors import Conflict
from reunite.domain.model import PlaceBasis, SeenPlace, SeenTime
from reunite.domain.quality import ReportPhoto
from reunite.domain.times import offset_minutes

COLUMNS = (sightings.c.id, sightings.c.receipt, sightings.c.status, sightings.c.seen_at, sightings.c.created_at,
           sightings.c.place_text, sightings.c.description, sightings.c.reporter_contact, sightings.c.seen_at_basis,
           sightings.c.seen_at_zone, sightings.c.camera_clock, sightings.c.moderated_at, sightings.c.lat,
           sightings.c.lon, sightings.c.place_basis, sightings.c.photo_km)


class ReportSql:
    conn: Connection

    def set_receipt(self, sighting_id: int, receipt: str, client_key: str | None) -> None:
        try:
            with self.conn.begin_nested():
                self.conn.execute(update(sightings).where(sightings.c.id == sighting_id).values(
                    receipt=receipt, client_key=client_key or None))
        except IntegrityError:
            raise Conflict("this report was already received") from None

    def report_by_client_key(self, client_key: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(*COLUMNS).where(sightings.c.client_key == client_key)).mappings().first()
        return dict(row) if row else None

    def report_by_receipt(self, receipt: str, lock: bool = False) -> dict[str, Any] | None:
        found = select(*COLUMNS).where(sightings.c.receipt == receipt)
        row = self.conn.execute(found.with_for_update() if lock else found).mappings().first()
        return dict(row) if row else None

    def receipt_of(self, sighting_id: int) -> str:
        found = self.conn.execute(select(sightings.c.receipt).where(sightings.c.id == sighting_id)).scalar()
        return str(found or "")

    def report_helped(self, sighting_id: int) -> bool:
        return bool(self.conn.execute(text(
            "SELECT EXISTS (SELECT 1 FROM candidates c JOIN cases k ON k.id = c.case_id WHERE c.sighting_id = :id "
            "AND c.status = 'confirmed' AND k.status = 'reunited')"), {"id": sighting_id}).scalar())

    def report_found(self, sighting_id: int) -> bool:
        return bool(self.conn.execute(text("SELECT EXISTS (SELECT 1 FROM found_sightings WHERE sighting_id = :id)"),
                                      {"id": sighting_id}).scalar())

    def add_report_details(self, sighting_id: int, description: str, contact: str) -> None:
        self.conn.execute(update(sightings).where(sightings.c.id == sighting_id).values(
            description=description, reporter_contact=contact))

    def set_seen_time(self, sighting_id: int, seen: SeenTime, day_zone: str = "") -> None:
        self.conn.execute(update(sightings).where(sightings.c.id == sighting_id).values(
            seen_at=seen.at, seen_at_offset=offset_minutes(seen.at), seen_at_basis=seen.basis.value,
            seen_at_zone=seen.zone, camera_clock=seen.camera_clock, day_zone=day_zone or None))
        self.conn.execute(update(photos).where(photos.c.sighting_id == sighting_id).values(taken_on=seen.at.date()))

    def set_place(self, sighting_id: int, placed: SeenPlace, words: str, day_zone: str = "") -> None:
        point = placed.point
        aside = {"photo_km": None} if placed.basis is PlaceBasis.PHOTO else {}  # the photo's position is used now
        self.conn.execute(update(sightings).where(sightings.c.id == sighting_id).values(
            lat=point.lat if point else None, lon=point.lon if point else None, place_text=words,
            place_basis=placed.basis.value, day_zone=day_zone or None, **aside))

    def set_face_problem(self, photo_id: int, problem: str | None) -> None:
        self.conn.execute(update(photos).where(photos.c.id == photo_id).values(face_problem=problem))

    def report_photos(self, sighting_id: int) -> list[ReportPhoto]:
        rows = self.conn.execute(select(photos.c.processed_at, photos.c.face_problem, photos.c.sha256)
                                 .where(photos.c.sighting_id == sighting_id)
                                 .order_by(photos.c.created_at, photos.c.id))
        return [ReportPhoto(r.processed_at is not None, r.face_problem, r.sha256) for r in rows]
