"""The database schema (SQLAlchemy Core). Alembic migrations in ``migrations/`` create it."""

from __future__ import annotations

from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.sql.elements import TextClause

from reunite.adapters.db.ann import HNSW_EF_CONSTRUCTION, HNSW_M
from reunite.domain.model import SeenAtBasis

EMBEDDING_DIM = 128

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def opaque_id(table: str) -> TextClause:
    """A new row's id: the table's next number, permuted by a secret of this installation (0027), so that
    ids say nothing of the order or time in which reports, photos and leads arrived."""
    return text(f"reunite_opaque_id('{table}')")


def created_column(default: Any = None) -> Column[object]:
    return Column("created_at", DateTime(timezone=True), nullable=False,
                  server_default=func.now() if default is None else default)


cases = Table(
    "cases",
    metadata,
    Column("id", BigInteger, primary_key=True, server_default=opaque_id("cases")),
    Column("given_name", Text, nullable=False),
    Column("family_name", Text, nullable=False, server_default=""),
    Column("nicknames", ARRAY(Text), nullable=False, server_default="{}"),
    Column("sex", String(8), nullable=False),
    Column("birth_date", Date),  # NULL only once blanked (expired)
    Column("missing_since", DateTime(timezone=True)),  # NULL only once blanked (expired)
    Column("missing_since_offset", SmallInteger),  # minutes east of UTC it was given in; NULL: unknown
    # how precisely it is known (domain.typed_time): an instant, or a date given alone, missing_since then being
    # the first instant of that day (month, year) where it was given: every comparison takes the whole span
    Column("missing_since_precision", String(8), nullable=False, server_default="instant"),
    Column("last_seen_lat", Float),
    Column("last_seen_lon", Float),
    Column("last_seen_text", Text, nullable=False, server_default=""),
    Column("description", Text, nullable=False, server_default=""),  # the family's words: see shared_description
    # the description as a moderator approved it for whoever may not read the family's words (0034)
    Column("shared_description", Text, nullable=False, server_default=""),
    Column("marks", Text, nullable=False, server_default=""),  # the family's words too: see shared_marks
    Column("shared_marks", Text, nullable=False, server_default=""),  # the marks as a moderator approved them (0035)
    Column("police_report", Text, nullable=False, server_default=""),
    Column("family_contact", Text, nullable=False, server_default=""),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("verified_at", DateTime(timezone=True)),
    Column("verified_by", Text),
    # the identity facts as the verification vouched for them, as written (0044, domain.corrections.written)
    Column("verified_facts", JSONB),
    Column("closed_at", DateTime(timezone=True)),
    Column("keep_data", Boolean, nullable=False, server_default=text("true")),
    Column("record_id", Text, unique=True),  # PFIF person_record_id (domain/local-id) of imported cases
    Column("source", Text, nullable=False, server_default=""),
    Column("source_date", DateTime(timezone=True)),
    Column("expiry_date", DateTime(timezone=True)),
    Column("linked_case_id", BigInteger, ForeignKey("cases.id", ondelete="SET NULL")),
    Column("pfif", JSONB, nullable=False, server_default="{}"),  # every PFIF field a partner sent, as sent
    Column("entry_date", DateTime(timezone=True)),  # when an import last changed the record here
    # since when its texts wait for a moderator to approve them for sharing again (its source rewrote them: the
    # approved ones withdrawn; services/sharing.py); NULL: nothing waits (0035)
    Column("sharing_review_since", DateTime(timezone=True)),
    # when a case verified and open once (partners may hold a copy) last went back to waiting for verification
    # (held as a possible second registration, reopened): the exports keep it as a placeholder since (0039)
    Column("withdrawn_at", DateTime(timezone=True)),
    created_column(),
    CheckConstraint("status IN ('open', 'reunited', 'closed', 'rejected', 'expired')", name="status"),
    CheckConstraint("sex IN ('female', 'male', 'unknown')", name="sex"),
    CheckConstraint("missing_since_precision IN ('instant', 'day', 'month', 'year')", name="missing_since_precision"),
    # the open cases a sighting is searched against: verified, open, missing before it (0032)
    Index("ix_cases_open_missing_since", "missing_since",
          postgresql_where=text("status = 'open' AND verified_at IS NOT NULL")),
    Index("ix_cases_sharing_review", "sharing_review_since", "id",
          postgresql_where=text("sharing_review_since IS NOT NULL")),  # the moderators' "sharing" queue (0035)
)

sighting_groups = Table(  # sightings of one unknown child (domain/grouping.py)
    "sighting_groups",
    metadata,
    Column("id", BigInteger, primary_key=True, server_default=opaque_id("sighting_groups")),
    created_column(),
)

# the latest sighting ``s``'s child may have been seen (``SeenAtBasis.doubt``: a camera's clock read in an
# assumed zone may be that much later), for the windows that leave out pairs seen before a child went missing
_DOUBTS = " ".join(f"WHEN '{b.value}' THEN interval '{int(b.doubt.total_seconds())} seconds'"
                   for b in SeenAtBasis if b.doubt)
LATEST_SEEN = f"(s.seen_at + CASE s.seen_at_basis {_DOUBTS} ELSE interval '0 seconds' END)"

sightings = Table(
    "sightings",
    metadata,
    Column("id", BigInteger, primary_key=True, server_default=opaque_id("sightings")),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Column("seen_at_offset", SmallInteger),  # minutes east of UTC it was given in; NULL: unknown
    # how seen_at was obtained (domain.model.SeenAtBasis), the zone a camera's zone-less time was read in,
    # and a camera's clock set aside as implausible, as it read (0023)
    Column("seen_at_basis", String(24), nullable=False, server_default="given"),
    Column("seen_at_zone", Text, nullable=False, server_default=""),
    Column("camera_clock", Text, nullable=False, server_default=""),
    Column("lat", Float),
    Column("lon", Float),
    # how its place was obtained (domain.model.PlaceBasis), and the photo's EXIF position set aside when it lay
    # photo_km from the city the reporter's words name: for the moderators only (0046)
    Column("place_basis", String(8), nullable=False, server_default="given"),
    Column("photo_lat", Float),
    Column("photo_lon", Float),
    Column("photo_km", Integer),
    # the zone its day is read in (services.place_days.sighting_day_zone: its ~1 km cell's, else the city its words
    # name, else its time's offset); NULL: the site's (0032)
    Column("day_zone", Text),
    Column("place_text", Text, nullable=False, server_default=""),
    Column("apparent_age_low", SmallInteger),
    Column("apparent_age_high", SmallInteger),
    Column("apparent_sex", String(8), nullable=False, server_default="unknown"),
    Column("description", Text, nullable=False, server_default=""),  # what the child was doing, wearing
    Column("with_whom", Text, nullable=False, server_default=""),
    Column("family_summary", Text, nullable=False, server_default=""),  # a moderator's words for families (0022)
    Column("reporter_contact", Text, nullable=False, server_default=""),
    Column("status", String(16), nullable=False, server_default="pending"),
    Column("moderation_reason", Text, nullable=False, server_default=""),
    Column("moderated_by", Text),
    Column("moderated_at", DateTime(timezone=True)),
    Column("child_face_id", BigInteger),
    Column("reporter_account_id", BigInteger, ForeignKey("accounts.id", ondelete="SET NULL")),
    Column("group_id", BigInteger, ForeignKey("sighting_groups.id", ondelete="SET NULL")),
    Column("receipt", String(16)),  # the reporter's receipt number (0013)
    Column("client_key", String(64)),  # the phone's key for this report: a resent report is stored once
    created_column(),
    Index("ix_sightings_group_id", "group_id", postgresql_where=text("group_id IS NOT NULL")),
    CheckConstraint("apparent_sex IN ('female', 'male', 'unknown')", name="apparent_sex"),
    CheckConstraint("seen_at_basis IN ('given', 'camera', 'camera_zone_assumed', 'arrival')", name="seen_at_basis"),
    CheckConstraint("place_basis IN ('given', 'photo', 'words', 'none')", name="place_basis"),
    Index("ux_sightings_receipt", "receipt", unique=True),
    Index("ux_sightings_client_key", "client_key", unique=True),
    Index("ix_sightings_seen_at", "seen_at"),
    Index("ix_sightings_earth", text("ll_to_earth(lat, lon)"), postgresql_using="gist",
          postgresql_where=text("lat IS NOT NULL")),
)

# the reports of a child found (0052): recorded when its case is closed as reunited (the reports confirmed for it or
# named by a check that matched, and every report of their trails) and for a report that joins such a trail later;
# families and partners never read them again, whatever becomes of the case, the confirmed report or the trail
# (``sighting_filter.NOT_FOUND``). A case reopened from its reunion takes its rows back
found_sightings = Table(
    "found_sightings",
    metadata,
    Column("sighting_id", BigInteger, ForeignKey("sightings.id", ondelete="CASCADE"), primary_key=True),
    Column("case_id", BigInteger, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("found_at", DateTime(timezone=True), nullable=False),
    Index("ix_found_sightings_case_id", "case_id"),
)

photos = Table(
    "photos",
    metadata,
    Column("id", BigInteger, primary_key=True, server_default=opaque_id("photos")),
    Column("case_id", BigInteger, ForeignKey("cases.id", ondelete="CASCADE"), index=True),
    Column("sighting_id", BigInteger, ForeignKey("sightings.id", ondelete="CASCADE"), index=True),
    Column("storage_key", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("mime", String(32), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("taken_on", Date),
    Column("processed_at", DateTime(timezone=True)),
    Column("face_count", SmallInteger),
    Column("phash", BigInteger),  # perceptual hash (imagehash pHash, 64 bits): reposts of the same photo
    Column("failed_reason", Text),  # set (with processed_at) when faces could not be searched for good
    # why the photo's best face is poor for matching ('small', 'blurred', 'turned', 'none'); NULL: fine
    Column("face_problem", String(16)),
    # of a case photo of several faces, the one a person chose as the missing child's (0039; case_faces.CHILD_FACE)
    Column("child_face_id", BigInteger),
    # of a case photo added to a verified case by someone who may not verify cases: waiting for a moderator since
    # then, neither published nor matched (0044, case_faces.child_face / published)
    Column("held_since", DateTime(timezone=True)),
    created_column(func.clock_timestamp()),  # each photo its own instant: the order they came in (0027)
    CheckConstraint("(case_id IS NULL) <> (sighting_id IS NULL)", name="one_owner"),
)

faces = Table(
    "faces",
    metadata,
    Column("id", BigInteger, primary_key=True, server_default=opaque_id("faces")),
    Column("photo_id", BigInteger, ForeignKey("photos.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("case_id", BigInteger, ForeignKey("cases.id", ondelete="CASCADE")),
    Column("sighting_id", BigInteger, ForeignKey("sightings.id", ondelete="CASCADE")),
    Column("box_left", Integer, nullable=False),
    Column("box_top", Integer, nullable=False),
    Column("box_right", Integer, nullable=False),
    Column("box_bottom", Integer, nullable=False),
    Column("landmarks", JSONB, nullable=False),
    Column("detection_score", Float, nullable=False),
    Column("quality", Float, nullable=False),
    Column("detector", String(32), nullable=False),
    Column("embedding", Vector(EMBEDDING_DIM), nullable=False),
    Column("model", String(64), nullable=False),
    Column("model_version", String(64), nullable=False),
    Column("crop_key", Text, nullable=False),
    Column("hubness", Float, nullable=False, server_default="0"),
    Column("chip", LargeBinary),  # the aligned chip's print (domain/chips.py, 0045)
    created_column(func.clock_timestamp()),  # a photo's faces in the order found (0027)
    Index("ix_faces_case_id", "case_id", postgresql_where=text("case_id IS NOT NULL")),
    Index("ix_faces_sighting_id", "sighting_id", postgresql_where=text("sighting_id IS NOT NULL")),
    # faces made with another recipe, counted from these alone (adapters/db/recipes.py)
    Index("ix_faces_case_recipe", "model", "model_version", "photo_id", postgresql_where=text("case_id IS NOT NULL")),
    Index("ix_faces_sighting_recipe", "model", "model_version", "photo_id",
          postgresql_where=text("sighting_id IS NOT NULL")),
    Index(
        "ix_faces_case_embedding", "embedding", postgresql_using="hnsw",
        postgresql_with={"m": HNSW_M, "ef_construction": HNSW_EF_CONSTRUCTION},
        postgresql_ops={"embedding": "vector_cosine_ops"}, postgresql_where=text("case_id IS NOT NULL"),
    ),
    Index(
        "ix_faces_sighting_embedding", "embedding", postgresql_using="hnsw",
        postgresql_with={"m": HNSW_M, "ef_construction": HNSW_EF_CONSTRUCTION},
        postgresql_ops={"embedding": "vector_cosine_ops"}, postgresql_where=text("sighting_id IS NOT NULL"),
    ),
)

# Embeddings by an operator's second model (docs/models.md): one row per face and model. The vector has no
# fixed dimension (models differ); each model's HNSW indexes are on a cast to its dimension, made when the
# model is configured (adapters/db/extra_faces.py). case_id / sighting_id copy the face's, for those indexes.
face_embeddings = Table(
    "face_embeddings",
    metadata,
    Column("face_id", BigInteger, ForeignKey("faces.id", ondelete="CASCADE"), primary_key=True),
    Column("model", String(64), primary_key=True),
    Column("model_version", String(64), nullable=False),
    Column("case_id", BigInteger),
    Column("sighting_id", BigInteger),
    Column("embedding", Vector(), nullable=False),
    created_column(),
    Index("ix_embeddings_recipe", "model", "model_version"),
)

candidates = Table(
    "candidates",
    metadata,
    Column("id", BigInteger, primary_key=True, server_default=opaque_id("candidates")),
    Column("case_id", BigInteger, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("sighting_id", BigInteger, ForeignKey("sightings.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("sighting_face_id", BigInteger, ForeignKey("faces.id", ondelete="CASCADE"), nullable=False),
    # NULL once the family's photos are deleted: a confirmed lead stays in the case's history
    Column("case_face_id", BigInteger, ForeignKey("faces.id", ondelete="SET NULL")),
    Column("score", Float, nullable=False),
    Column("face_score", Float, nullable=False),
    Column("age_score", Float),
    Column("time_score", Float),
    Column("place_score", Float),
    Column("sex_score", Float),
    Column("expected_age", Float, nullable=False),
    Column("distance_km", Float),
    Column("elapsed_days", Float, nullable=False),
    Column("hubness", Float, nullable=False, server_default="0"),
    Column("rank", Integer),  # among the open cases searched for this sighting (all its faces matched, ranked as one)
    Column("rank_of", Integer),
    Column("coarse_rank", Integer),  # the same from the places' grid cells: what families and partners see
    # proposable at the operating point when matching ranked it: only such a case ranks above another, the
    # ranks read counting those of cases verified and open at the time of reading (readmodel, 0032)
    Column("proposable", Boolean),
    Column("impostor_share", Float),  # calibrated: share of different children's pairs scoring as high
    Column("gap_years", Float),  # between the best case photo and the sighting
    Column("status", String(16), nullable=False, server_default="proposed"),
    Column("review_reason", Text, nullable=False, server_default=""),
    Column("reviewed_by", Text),
    Column("reviewed_at", DateTime(timezone=True)),
    created_column(),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # the workbench (migration 0011): who holds it until when, the first of two reviewers, the family's word
    Column("claimed_by", Text),
    Column("claim_expires_at", DateTime(timezone=True)),
    Column("first_confirmed_by", Text),
    Column("first_confirmed_at", DateTime(timezone=True)),
    Column("family_answer", String(8)),
    Column("family_note", Text, nullable=False, server_default=""),
    Column("family_answered_at", DateTime(timezone=True)),
    Column("proposed_by", String(8), nullable=False, server_default="machine"),
    # a dismissed lead the family wrote on again (migration 0031): when it went back, and the dismissal it undid
    Column("family_reopened_at", DateTime(timezone=True)),
    Column("dismissed_before_at", DateTime(timezone=True)),
    # how many sightings' faces (distinct pictures) the face score reads together: a group's fused face, 1 its own
    # alone; and the face evidence a confirmation or dismissal was made on, cleared when it is undone (0048)
    Column("face_together", Integer, nullable=False, server_default="1"),
    Column("decided_face_score", Float),
    Column("decided_hubness", Float),
    Column("decided_together", Integer),
    UniqueConstraint("case_id", "sighting_face_id"),
    CheckConstraint("status IN ('proposed', 'confirmed', 'dismissed')", name="status"),
    CheckConstraint("family_answer IN ('maybe', 'not')", name="family_answer"),
    CheckConstraint("proposed_by IN ('machine', 'family')", name="proposed_by"),
    Index("ix_candidates_case_id_score", "case_id", text("score DESC")),
)

family_words = Table(  # every word a family sent on a candidate, kept (migration 0029): "maybe" or "not", a note
    "family_words",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("candidate_id", BigInteger, ForeignKey("candidates.id", ondelete="CASCADE"), nullable=False),
    Column("answer", String(8), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("at", DateTime(timezone=True), nullable=False),
    CheckConstraint("answer IN ('maybe', 'not')", name="answer"),
    Index("ix_family_words_candidate_id_at", "candidate_id", "at", "id"),
)

review_passes = Table(  # a reviewer's "skip" (until far ahead) or "later" (until soon) on a candidate
    "review_passes",
    metadata,
    Column("candidate_id", BigInteger, ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True),
    Column("reviewer", Text, primary_key=True),
    Column("until", DateTime(timezone=True), nullable=False),
)

case_duplicates = Table(  # cases that look like one child registered twice, for moderators to link
    "case_duplicates",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("case_id", BigInteger, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("other_case_id", BigInteger, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("impostor_share", Float, nullable=False),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("decided_by", Text),
    Column("decided_at", DateTime(timezone=True)),
    # the two cases' photos that are one picture (of case_id, of other_case_id), when flagged for that
    Column("photo_id", BigInteger),
    Column("other_photo_id", BigInteger),
    # a partner registry's PFIF link between the two: whose import resolved it, and the note; ``partner_only``: raised
    # by nothing else (it holds no case back: ``domain.doubles.Double``)
    Column("linked_by", Text),
    Column("linked_note", Text),
    Column("partner_only", Boolean, nullable=False, server_default=text("false")),
    created_column(),
    UniqueConstraint("case_id", "other_case_id"),
    CheckConstraint("case_id < other_case_id", name="ordered"),
    CheckConstraint("status IN ('open', 'linked', 'dismissed')", name="status"),
)

case_photo_copies = Table(  # a case photo that is a report's photo or face crop, or a rejected case's (0055)
    "case_photo_copies",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("case_id", BigInteger, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("photo_id", BigInteger, ForeignKey("photos.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # 'sighting': a report's picture; 'rejected': a rejected case's
    Column("sighting_id", BigInteger, ForeignKey("sightings.id", ondelete="SET NULL")),
    Column("other_case_id", BigInteger, ForeignKey("cases.id", ondelete="SET NULL")),
    Column("other_photo_id", BigInteger),
    created_column(),
    # a moderator cleared it, saying why (the family's own photo reposted as a report first: 0057, probe s39 L4)
    Column("cleared_at", DateTime(timezone=True)),
    Column("cleared_by", Text),
    Column("cleared_reason", Text),
    UniqueConstraint("photo_id", "kind", "sighting_id", "other_case_id"),
    CheckConstraint("kind IN ('sighting', 'rejected')", name="kind"),
    Index("ix_case_photo_copies_case_id", "case_id"),
)

report_prints = Table(  # a withdrawn or removed report's pictures, for the copy check only (0057, probe s39 L3)
    "report_prints",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("sighting_id", BigInteger, ForeignKey("sightings.id", ondelete="CASCADE"), nullable=False),
    Column("phash", BigInteger),  # the photo's perceptual hash
    Column("embedding", Vector()),  # a face's embedding (one row per face; NULL: a photo with no face)
    Column("chip", LargeBinary),  # that face's chip print
    Column("stored_at", DateTime(timezone=True), nullable=False),  # when the report's photo was stored
    Index("ix_report_prints_sighting_id", "sighting_id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("actor", Text, nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(32), nullable=False),
    Column("subject_id", BigInteger, nullable=False),
    Column("detail", JSONB, nullable=False, server_default="{}"),
    # the audit log's readers (adapters/db/audit.py, migration 0026_audit_reads): newest first, by subject,
    # by actor, by time (and ix_audit_log_listed_ids: the listings that showed a sighting, by their ids: GIN)
    Index("ix_audit_log_subject_at", "subject", "subject_id", "at", "id"),
    Index("ix_audit_log_actor_at", "actor", "at", "id"),
    Index("ix_audit_log_at", "at", "id"),
)
