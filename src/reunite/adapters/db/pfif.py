"""SQL for PFIF records (mixed into the unit of work and the read model): imported cases with every
field their registry sent, notes, refused persons, and what an export reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from reunite.adapters.db.case_faces import poster_photo
from reunite.adapters.db.people_tables import case_notes, pfif_refused
from reunite.adapters.db.tables import cases
from reunite.domain.model import NewCase
from reunite.domain.times import offset_minutes

# the cases an account or token brought in that nobody verified yet, still open: what revoking the token
# withdraws and what /admin counts as its pending imports. Imported (PFIF, a sheet) or registered one by one
# through POST /api/cases alike (probe s22 V6): both are the same flood. ``{actor}`` compares ``a.actor``.
PENDING_BROUGHT_IN = (
    "SELECT c.id FROM cases c WHERE c.status = 'open' AND c.verified_at IS NULL AND c.id IN ("
    "SELECT a.subject_id FROM audit_log a WHERE a.actor {actor} AND a.subject = 'case' "
    "AND a.action IN ('case.registered', 'case.imported'))")

# the cases the exports list (``c``): verified ones (in full while open, else as placeholders), and those verified
# once that went back to waiting for verification (``withdrawn_at``: placeholders, so partners delete their copy)
EXPORTED = "(c.verified_at IS NOT NULL OR c.withdrawn_at IS NOT NULL)"


def _case_values(case: NewCase) -> dict[str, Any]:
    return {
        "given_name": case.given_name, "family_name": case.family_name, "nicknames": list(case.nicknames),
        "sex": case.sex.value, "birth_date": case.birth_date, "missing_since": case.missing_since,
        "missing_since_offset": offset_minutes(case.missing_since),  # the offset the record gave it in
        "missing_since_precision": case.missing_since_precision,
        "last_seen_text": case.last_seen_text, "description": case.description,
    }


class PfifSql:
    conn: Connection

    def case_for_record(self, record_id: str, local_id: int | None) -> dict[str, Any] | None:
        row = self.conn.execute(
            select(cases.c.id, cases.c.status, cases.c.verified_at, cases.c.source_date, cases.c.expiry_date,
                   cases.c.pfif, cases.c.description, cases.c.marks, cases.c.given_name).where(
                (cases.c.record_id == record_id) | (cases.c.record_id.is_(None) & (cases.c.id == (local_id or -1)))
            )
        ).first()
        return dict(row._mapping) if row else None

    def add_imported_case(self, record_id: str, case: NewCase, fields: dict[str, str], source: str,
                          source_date: datetime, expiry: datetime | None, at: datetime) -> int:
        return int(self.conn.execute(insert(cases).values(
            record_id=record_id, pfif=fields, source=source, source_date=source_date, expiry_date=expiry,
            entry_date=at, **_case_values(case)).returning(cases.c.id)).scalar_one())

    def update_imported_record(self, case_id: int, fields: dict[str, str], source: str, source_date: datetime,
                               expiry: datetime | None) -> None:
        self.conn.execute(update(cases).where(cases.c.id == case_id).values(
            pfif=fields, source=source, source_date=source_date, expiry_date=expiry))

    def add_note(self, values: dict[str, Any]) -> bool:
        """Store a note unless its record id is known (notes never change); True if new."""
        added = self.conn.execute(pg_insert(case_notes).values(**values)
                                  .on_conflict_do_nothing(index_elements=["record_id"]).returning(case_notes.c.id))
        return added.first() is not None

    def refuse_person(self, record_id: str) -> None:
        self.conn.execute(text("INSERT INTO pfif_refused (record_id) VALUES (:r) ON CONFLICT DO NOTHING"),
                          {"r": record_id})
        self.conn.execute(case_notes.delete().where(case_notes.c.case_id.is_(None),
                                                    case_notes.c.person_record_id == record_id))

    def person_refused(self, record_id: str) -> bool:
        return self.conn.execute(select(pfif_refused.c.record_id).where(
            pfif_refused.c.record_id == record_id)).first() is not None

    def link_notes_and_duplicates(self, own_domain: str) -> list[tuple[int, int, str]]:
        # a waiting note is attached only where its sender may write the case: a note of the person's own
        # registry (its domain, which only keys of that domain write). A note another registry sent is kept
        # aside (a moderator may attach it: ``attach_note``), never attached by whoever imports the person.
        self.conn.execute(text(
            "UPDATE case_notes n SET case_id = c.id FROM cases c "
            "WHERE n.case_id IS NULL AND c.record_id = n.person_record_id AND c.status = 'open' "
            "AND lower(split_part(n.record_id, '/', 1)) = lower(split_part(c.record_id, '/', 1))"))
        # a note's place stays on the note (reviewers read it): it never becomes the case's last-seen
        # place, which the public reads. A link only to a case partners may read: a checked, live one; this site's
        # own records have no record id: the export names them ``{domain}/case.{id}`` (probe s29 C7). Each pair once:
        # not flagged with a link already, nor decided by a moderator (``case_duplicates``)
        linked = self.conn.execute(text(
            "SELECT DISTINCT ON (least(c.id, other.id), greatest(c.id, other.id)) c.id, other.id, n.record_id "
            "FROM case_notes n JOIN cases c ON c.id = n.case_id JOIN cases other "
            "ON other.record_id = n.linked_person_record_id OR (other.record_id IS NULL "
            "AND n.linked_person_record_id = :own || '/case.' || other.id) "
            "WHERE n.linked_person_record_id <> '' AND other.id <> c.id AND c.status = 'open' "
            "AND other.verified_at IS NOT NULL AND other.status = 'open' "
            "AND NOT EXISTS (SELECT 1 FROM case_duplicates d WHERE d.case_id = least(c.id, other.id) "
            "AND d.other_case_id = greatest(c.id, other.id) "
            "AND (d.linked_by IS NOT NULL OR d.status <> 'open')) "
            "ORDER BY least(c.id, other.id), greatest(c.id, other.id), n.entry_date, n.id"),
            {"own": own_domain.lower()})
        return [(int(r[0]), int(r[1]), str(r[2])) for r in linked]

    def note_aside(self, note_id: int, case_id: int) -> dict[str, Any] | None:
        """A note kept aside (attached to no case) whose person is this open case; None if there is none."""
        row = self.conn.execute(text(
            "SELECT n.id, n.record_id, n.source FROM case_notes n JOIN cases c ON c.record_id = n.person_record_id "
            "WHERE n.id = :n AND c.id = :c AND n.case_id IS NULL AND c.status = 'open' FOR UPDATE OF n"),
            {"n": note_id, "c": case_id}).first()
        return dict(row._mapping) if row else None

    def attach_note(self, note_id: int, case_id: int) -> None:
        self.conn.execute(update(case_notes).where(case_notes.c.id == note_id).values(case_id=case_id))

    def pending_imported_by(self, actors: list[str]) -> list[int]:
        return [int(i) for i in self.conn.execute(text(
            PENDING_BROUGHT_IN.format(actor="= ANY(:actors)") + " ORDER BY c.created_at FOR UPDATE OF c"),
            {"actors": actors}).scalars()]

    def blank_notes(self, case_id: int) -> None:
        """A closed or expired case's notes become placeholders: ids and dates only."""
        self.conn.execute(update(case_notes).where(case_notes.c.case_id == case_id).values(
            linked_person_record_id="", author_name="", author_made_contact=None, status="",
            last_known_location="", text="", pfif={}))

    def drop_stray_notes(self, before: datetime) -> int:
        """Notes whose person never arrived (nor was refused) are deleted after a while."""
        # a note kept aside on a case here waits for a moderator (``attach_note``): not a stray
        return int(self.conn.execute(text(
            "DELETE FROM case_notes n WHERE n.case_id IS NULL AND n.entry_date < :before "
            "AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.record_id = n.person_record_id AND c.status = 'open')"),
            {"before": before}).rowcount or 0)


class PfifReads:
    def _all(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        raise NotImplementedError

    def export_cases(self) -> list[dict[str, Any]]:
        """Cases verified (a record nobody checked never reaches another registry), and those verified once that
        wait for verification again (``withdrawn_at``: held, reopened): partners may hold a copy, which the
        exports' placeholder tells them to delete."""
        return self._all(
            "SELECT c.id, c.record_id, c.given_name, c.family_name, c.nicknames, c.sex, c.birth_date, "
            "c.missing_since, c.missing_since_offset, c.missing_since_precision, "
            "c.last_seen_text, c.last_seen_lat, c.last_seen_lon, c.description, c.shared_description, c.marks, "
            "c.shared_marks, c.status, c.verified_at, "
            "c.closed_at, c.withdrawn_at, c.expiry_date, c.source, c.source_date, c.created_at, c.entry_date, c.pfif, "
            f"{poster_photo()} IS NOT NULL AS has_photo "
            f"FROM cases c WHERE {EXPORTED} ORDER BY c.id")

    def export_notes(self) -> list[dict[str, Any]]:
        """Notes of the cases exported (``export_cases``), with their case's record id (or id) and status."""
        return self._all(
            "SELECT n.*, c.id AS case_id, c.record_id AS case_record_id, c.status AS case_status "
            f"FROM case_notes n JOIN cases c ON c.id = n.case_id WHERE {EXPORTED} "
            "ORDER BY n.source_date, n.id")
