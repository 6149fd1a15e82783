"""SQL for a case corrected by its registrant (mixed into the unit of work; docs/decisions/0007): the case's facts
as a correction reads and writes them, and the corrections of a verified case's identity waiting for a moderator."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, text, update

from reunite.adapters.db.people_tables import case_corrections
from reunite.adapters.db.tables import cases, faces, photos
from reunite.domain.model import NewCase
from reunite.domain.times import offset_minutes


def case_columns(case: NewCase) -> dict[str, Any]:
    """A case's facts as its row holds them (registered or corrected alike)."""
    place = case.last_seen_place
    return {"given_name": case.given_name, "family_name": case.family_name, "nicknames": list(case.nicknames),
            "sex": case.sex.value, "birth_date": case.birth_date, "missing_since": case.missing_since,
            "missing_since_offset": offset_minutes(case.missing_since),
            "missing_since_precision": case.missing_since_precision,
            "last_seen_lat": place.lat if place else None, "last_seen_lon": place.lon if place else None,
            "last_seen_text": case.last_seen_text, "description": case.description, "marks": case.marks,
            "police_report": case.police_report, "family_contact": case.family_contact}

FACTS = ("id", "given_name", "family_name", "nicknames", "sex", "birth_date", "missing_since", "missing_since_offset",
         "missing_since_precision", "last_seen_lat", "last_seen_lon", "last_seen_text", "description", "marks",
         "police_report", "family_contact", "status", "verified_at", "verified_facts", "closed_at")


class CorrectionSql:
    conn: Connection

    def case_facts_row(self, case_id: int) -> dict[str, Any]:
        """The case's facts a correction may change (the caller locked its row: ``case_moves``)."""
        row = self.conn.execute(select(*(cases.c[name] for name in FACTS)).where(cases.c.id == case_id)).one()
        return dict(row._mapping)

    def set_case_facts(self, case_id: int, case: NewCase) -> None:
        self.conn.execute(update(cases).where(cases.c.id == case_id).values(**case_columns(case)))

    def mark_case_changed(self, case_id: int, at: datetime) -> None:
        self.conn.execute(update(cases).where(cases.c.id == case_id).values(
            entry_date=func.greatest(func.coalesce(cases.c.entry_date, at), at)))

    def merge_pfif(self, case_id: int, fields: dict[str, str]) -> None:
        kept = self.conn.execute(select(cases.c.pfif).where(cases.c.id == case_id)).scalar_one() or {}
        merged = {name: value for name, value in {**kept, **fields}.items() if value}
        self.conn.execute(update(cases).where(cases.c.id == case_id).values(pfif=merged))

    def waiting_correction(self, case_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(case_corrections.select().where(
            case_corrections.c.case_id == case_id, case_corrections.c.status == "waiting").with_for_update()).first()
        return None if row is None else dict(row._mapping)

    def correction(self, correction_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(case_corrections.select().where(
            case_corrections.c.id == correction_id).with_for_update()).first()
        return None if row is None else dict(row._mapping)

    def add_correction(self, case_id: int, asked_by: str, fields: dict[str, Any], was: dict[str, str],
                       became: dict[str, str], photo_ids: Sequence[int] = ()) -> int:
        return int(self.conn.execute(insert(case_corrections).values(
            case_id=case_id, asked_by=asked_by, fields=fields, was=was, became=became,
            photo_ids=list(photo_ids)).returning(case_corrections.c.id)).scalar_one())

    def add_correction_photos(self, correction_id: int, photo_ids: Sequence[int]) -> None:
        self.conn.execute(update(case_corrections).where(case_corrections.c.id == correction_id).values(
            photo_ids=case_corrections.c.photo_ids + list(photo_ids)))

    def hold_photos(self, photo_ids: Sequence[int], at: datetime) -> None:
        self.conn.execute(update(photos).where(photos.c.id.in_(list(photo_ids))).values(held_since=at))

    def release_photos(self, case_id: int, photo_ids: Sequence[int]) -> None:
        self.conn.execute(update(photos).where(photos.c.case_id == case_id, photos.c.id.in_(list(photo_ids)))
                          .values(held_since=None))

    def drop_held_photos(self, case_id: int, photo_ids: Sequence[int]) -> list[str]:
        held = (photos.c.case_id == case_id) & photos.c.id.in_(list(photo_ids)) & photos.c.held_since.is_not(None)
        ids = list(self.conn.execute(select(photos.c.id).where(held)).scalars())
        crops = self.conn.execute(select(faces.c.crop_key).where(faces.c.photo_id.in_(ids))).scalars().all()
        keys = self.conn.execute(photos.delete().where(photos.c.id.in_(ids)).returning(photos.c.storage_key))
        return [*keys.scalars().all(), *(c for c in crops if c)]

    def vouch_facts(self, case_id: int, facts: dict[str, str]) -> None:
        self.conn.execute(update(cases).where(cases.c.id == case_id).values(verified_facts=facts))

    def decide_correction(self, correction_id: int, status: str, by: str, at: datetime, reason: str = "") -> None:
        self.conn.execute(update(case_corrections).where(case_corrections.c.id == correction_id).values(
            status=status, decided_by=by, decided_at=at, reason=reason))

    def drop_waiting_correction(self, case_id: int, by: str, reason: str) -> dict[str, Any] | None:
        row = self.conn.execute(update(case_corrections).where(
            case_corrections.c.case_id == case_id, case_corrections.c.status == "waiting").values(
            status="dropped", decided_by=by, decided_at=func.now(), reason=reason).returning(
            case_corrections.c.id, case_corrections.c.was, case_corrections.c.became,
            case_corrections.c.photo_ids)).first()
        return None if row is None else dict(row._mapping)

    def held_photos(self, case_id: int) -> list[int]:
        return [int(i) for i in self.conn.execute(select(photos.c.id).where(
            photos.c.case_id == case_id, photos.c.held_since.is_not(None))).scalars()]

    def own_open_cases(self, account_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(text(
            "SELECT c.id, c.given_name, c.family_name, c.birth_date, c.missing_since, c.missing_since_offset, "
            "c.missing_since_precision "
            "FROM cases c JOIN case_owners o ON o.case_id = c.id WHERE o.account_id = :a AND c.status = 'open' "
            "ORDER BY c.created_at, c.id"), {"a": account_id}).mappings().all()
        return [dict(row) for row in rows]

    def candidate_sightings(self, case_id: int) -> list[int]:
        return [int(i) for i in self.conn.execute(text(
            "SELECT DISTINCT sighting_id FROM candidates WHERE case_id = :c ORDER BY sighting_id"),
            {"c": case_id}).scalars()]
