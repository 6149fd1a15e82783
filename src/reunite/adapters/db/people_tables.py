"""The schema's tables for people and reach (SQLAlchemy Core): accounts, sessions, tokens, invitations,
families' links to cases, messages, verifications, takedowns, throttles, subscriptions and alerts, the
outbox, case notes and exchange records, sources, idempotency keys, recorded settings. The records that
matching works on are in ``tables.py``; both share its ``metadata``."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from reunite.adapters.db.tables import created_column, metadata, opaque_id

accounts = Table(
    "accounts",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("email", Text, nullable=False),
    Column("display_name", Text, nullable=False, server_default=""),
    Column("password_hash", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("language", String(8), nullable=False, server_default="en"),
    Column("disabled_at", DateTime(timezone=True)),
    created_column(),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("account_id", BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    created_column(),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("name", Text, nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("scopes", ARRAY(Text), nullable=False),
    Column("allowed_domains", ARRAY(Text), nullable=False, server_default="{}"),
    Column("created_by", Text, nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("issued_by", BigInteger, ForeignKey("api_tokens.id", ondelete="CASCADE"), index=True),
    created_column(),
)

invitations = Table(
    "invitations",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("email", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("invited_by", BigInteger, ForeignKey("accounts.id"), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    created_column(),
)

case_owners = Table(
    "case_owners",
    metadata,
    Column("case_id", BigInteger, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("account_id", BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
)

messages = Table(
    "messages",
    metadata,
    Column("id", BigInteger, primary_key=True, server_default=opaque_id("messages")),
    Column("case_id", BigInteger, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("author", Text, nullable=False),
    Column("from_family", Boolean, nullable=False),
    Column("body", Text, nullable=False),
    created_column(),
)

verifications = Table(
    "verifications",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("case_id", BigInteger, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("candidate_id", BigInteger, ForeignKey("candidates.id", ondelete="SET NULL")),
    Column("method", String(16), nullable=False),
    Column("result", String(16), nullable=False),
    Column("notes", Text, nullable=False, server_default=""),
    Column("recorded_by", Text, nullable=False),
    created_column(),
    # its sighting is gone (0047): withdrawn, removed or expired, and when (its candidate deleted with it)
    Column("lead_removed", String(16)),
    Column("lead_removed_at", DateTime(timezone=True)),
    # its case was reopened since (0056): history for staff, not the family's current check, closes nothing
    Column("superseded_at", DateTime(timezone=True)),
)

takedowns = Table(
    "takedowns",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("subject", String(16), nullable=False),
    Column("subject_id", BigInteger, nullable=False),
    Column("requester", Text, nullable=False),
    Column("relation", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", String(16), nullable=False, server_default="pending"),
    Column("identity_evidence", Text, nullable=False, server_default=""),
    Column("resolved_by", Text),
    Column("resolved_at", DateTime(timezone=True)),
    # the case's registrant's word on the request ('', confirmed, objected), and until when a request
    # approved waits for an objection (waiting) or a case removed can be restored (done): 0035
    Column("registrant_answer", String(16), nullable=False, server_default=""),
    Column("due_at", DateTime(timezone=True)),
    # whether the notice reached the registrant: '' (not yet), sent, no_email, no_address, failed (0038), together
    # (not emailed again: another request's email about the case, within a day before, told of it: 0054)
    Column("registrant_told", String(16), nullable=False, server_default=""),
    created_column(),
)

backoffs = Table(
    "backoffs",
    metadata,
    Column("key", Text, primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("locked_until", DateTime(timezone=True)),
    Column("last_failure_at", DateTime(timezone=True), nullable=False),
)

rate_counters = Table(
    "rate_counters",
    metadata,
    Column("key", Text, primary_key=True),
    Column("window_start", DateTime(timezone=True), primary_key=True),
    Column("hits", Integer, nullable=False),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", BigInteger, primary_key=True, server_default=opaque_id("subscriptions")),
    Column("channel", String(8), nullable=False),
    Column("address", Text, nullable=False),
    Column("lat", Float),
    Column("lon", Float),
    Column("radius_km", Float, nullable=False, server_default="0"),
    Column("region", Text, nullable=False, server_default=""),
    Column("language", String(8), nullable=False, server_default="en"),
    Column("digest", Boolean, nullable=False, server_default=text("false")),
    Column("secret", Text, nullable=False, server_default=""),
    Column("status", String(16), nullable=False, server_default="pending"),
    Column("created_by", Text, nullable=False),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("unsubscribed_at", DateTime(timezone=True)),
    created_column(),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("case_id", BigInteger, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("subscription_id", BigInteger, ForeignKey("subscriptions.id", ondelete="CASCADE"), nullable=False),
    Column("radius_km", Float, nullable=False),
    Column("distance_km", Float),
    Column("sent_at", DateTime(timezone=True)),
    Column("tried_at", DateTime(timezone=True)),  # its first delivery began (0051): a case ending then tells it too
    # told the case ended (a webhook: cleared once told it is back; an email: once, kept)
    Column("ended_at", DateTime(timezone=True)),
    created_column(),
    UniqueConstraint("case_id", "subscription_id"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("channel", String(8), nullable=False),
    Column("recipient", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("subject", Text, nullable=False, server_default=""),
    Column("status", String(16), nullable=False, server_default="queued"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("error", Text, nullable=False, server_default=""),
    Column("sent_at", DateTime(timezone=True)),
    created_column(),
)

case_notes = Table(
    "case_notes",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("record_id", Text, nullable=False, unique=True),
    Column("person_record_id", Text, nullable=False),
    Column("case_id", BigInteger, ForeignKey("cases.id", ondelete="CASCADE")),
    Column("linked_person_record_id", Text, nullable=False, server_default=""),
    Column("author_name", Text, nullable=False, server_default=""),
    Column("author_made_contact", Boolean),
    Column("status", String(32), nullable=False, server_default=""),
    Column("last_known_location", Text, nullable=False, server_default=""),
    Column("text", Text, nullable=False, server_default=""),
    Column("source_date", DateTime(timezone=True), nullable=False),
    Column("entry_date", DateTime(timezone=True), nullable=False),
    Column("source", Text, nullable=False, server_default=""),
    Column("pfif", JSONB, nullable=False, server_default="{}"),  # every PFIF field the note came with
)

pfif_refused = Table(
    "pfif_refused",  # persons that are no case here (adults, no age): their notes are refused too
    metadata,
    Column("record_id", Text, primary_key=True),
    Column("refused_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

sources = Table(
    "sources",  # public feeds and timelines read for sightings (docs/sources.md)
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("url", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False, server_default=""),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("interval_s", Integer, nullable=False, server_default="900"),
    Column("etag", Text, nullable=False, server_default=""),
    Column("last_modified", Text, nullable=False, server_default=""),
    Column("cursor", Text, nullable=False, server_default=""),
    Column("next_poll_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("failures", Integer, nullable=False, server_default="0"),
    Column("last_error", Text, nullable=False, server_default=""),
    Column("last_ok_at", DateTime(timezone=True)),
    Column("posts_seen", Integer, nullable=False, server_default="0"),
    Column("created_by", Text, nullable=False, server_default=""),
    created_column(),
    CheckConstraint("kind IN ('feed', 'mastodon')", name="kind"),
    CheckConstraint("status IN ('active', 'paused')", name="status"),
)

sighting_sources = Table(
    "sighting_sources",  # where a sighting came from: one row per post, email or repeated form
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("sighting_id", BigInteger, ForeignKey("sightings.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("source_id", BigInteger, ForeignKey("sources.id", ondelete="SET NULL")),
    Column("url", Text, nullable=False, server_default=""),
    Column("author", Text, nullable=False, server_default=""),
    Column("posted_at", DateTime(timezone=True)),
    created_column(),
    CheckConstraint("kind IN ('form', 'post', 'email')", name="kind"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key", Text, primary_key=True),  # sha256 of who, what and the sender's key
    Column("result", JSONB, nullable=False),
    created_column(),
)

recorded_settings = Table(
    "recorded_settings",  # what one process records for the others: the workers' face recipe (0021)
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", JSONB, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# a correction of a verified case's identity facts by its registrant, waiting for a moderator (0039, dropped when
# its case ends: 0053; docs/decisions/0007): the fields it gives (``domain.corrections.kept``), what they replace
# and become as written
case_corrections = Table(
    "case_corrections",
    metadata,
    Column("id", BigInteger, primary_key=True, server_default=opaque_id("case_corrections")),
    Column("case_id", BigInteger, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("asked_by", Text, nullable=False),
    Column("fields", JSONB, nullable=False),
    Column("was", JSONB, nullable=False),
    Column("became", JSONB, nullable=False),
    Column("status", String(16), nullable=False, server_default="waiting"),
    Column("decided_by", Text),
    Column("decided_at", DateTime(timezone=True)),
    Column("reason", Text, nullable=False, server_default=""),
    # photos added to the verified case with it, held until it is accepted (0044)
    Column("photo_ids", ARRAY(BigInteger), nullable=False, server_default="{}"),
    created_column(),
    CheckConstraint("status IN ('waiting', 'accepted', 'refused', 'replaced', 'dropped')", name="status"),
)
