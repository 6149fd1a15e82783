"""Accounts, sessions, API tokens, invitations; moderation state on sightings and cases; mediated
messages, reunion verification, takedown requests and rate-limit counters.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ROLES = "('reporter', 'family', 'moderator', 'police', 'admin')"


def _created() -> sa.Column[object]:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("display_name", sa.Text, nullable=False, server_default=""),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False, server_default="en"),
        sa.Column("disabled_at", sa.DateTime(timezone=True)),
        _created(),
        sa.CheckConstraint(f"role IN {ROLES}", name=op.f("ck_accounts_role")),
    )
    op.create_index("uq_accounts_email", "accounts", [sa.text("lower(email)")], unique=True)
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.BigInteger, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        _created(),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("scopes", ARRAY(sa.Text), nullable=False),
        sa.Column("allowed_domains", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        _created(),
    )
    op.create_table(
        "invitations",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("invited_by", sa.BigInteger, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        _created(),
        sa.CheckConstraint(f"role IN {ROLES}", name=op.f("ck_invitations_role")),
    )
    op.create_table(
        "case_owners",
        sa.Column("case_id", sa.BigInteger, sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("account_id", sa.BigInteger, sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_case_owners_account_id", "case_owners", ["account_id"])

    # Moderation state. Existing sightings were accepted before moderation existed: approved.
    op.add_column("sightings", sa.Column("status", sa.String(16), nullable=False, server_default="pending"))
    op.execute("UPDATE sightings SET status = 'approved'")
    op.create_check_constraint(
        op.f("ck_sightings_status"), "sightings", "status IN ('pending', 'approved', 'rejected', 'removed', 'expired')")
    op.add_column("sightings", sa.Column("moderation_reason", sa.Text, nullable=False, server_default=""))
    op.add_column("sightings", sa.Column("moderated_by", sa.Text))
    op.add_column("sightings", sa.Column("moderated_at", sa.DateTime(timezone=True)))
    op.add_column("sightings", sa.Column("child_face_id", sa.BigInteger))
    op.add_column("sightings", sa.Column("reporter_account_id", sa.BigInteger,
                                         sa.ForeignKey("accounts.id", ondelete="SET NULL")))
    op.create_index("ix_sightings_status_created", "sightings", ["status", "created_at"])

    op.drop_constraint(op.f("ck_cases_status"), "cases", type_="check")
    op.create_check_constraint(
        op.f("ck_cases_status"), "cases", "status IN ('open', 'reunited', 'closed', 'rejected', 'expired')")
    op.add_column("cases", sa.Column("closed_at", sa.DateTime(timezone=True)))
    op.add_column("cases", sa.Column("keep_data", sa.Boolean, nullable=False, server_default=sa.true()))
    op.create_index("ix_cases_unverified", "cases", ["created_at"], postgresql_where=sa.text("verified_at IS NULL"))

    op.create_table(
        "messages",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("case_id", sa.BigInteger, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("from_family", sa.Boolean, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        _created(),
    )
    op.create_table(
        "verifications",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("case_id", sa.BigInteger, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("candidate_id", sa.BigInteger, sa.ForeignKey("candidates.id", ondelete="SET NULL")),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("result", sa.String(16), nullable=False),
        sa.Column("notes", sa.Text, nullable=False, server_default=""),
        sa.Column("recorded_by", sa.Text, nullable=False),
        _created(),
        sa.CheckConstraint("method IN ('dna', 'document', 'interview')", name=op.f("ck_verifications_method")),
        sa.CheckConstraint("result IN ('match', 'no_match', 'pending')", name=op.f("ck_verifications_result")),
    )
    op.create_table(
        "takedowns",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("subject", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.BigInteger, nullable=False),
        sa.Column("requester", sa.Text, nullable=False),
        sa.Column("relation", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("identity_evidence", sa.Text, nullable=False, server_default=""),
        sa.Column("resolved_by", sa.Text),
        sa.Column("resolved_at", sa.DateTime(timezone=True)),
        _created(),
        sa.CheckConstraint("subject IN ('sighting', 'case')", name=op.f("ck_takedowns_subject")),
        sa.CheckConstraint("status IN ('pending', 'done', 'refused')", name=op.f("ck_takedowns_status")),
    )
    op.create_table(
        "rate_counters",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("window_start", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("hits", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for table in ("rate_counters", "takedowns", "verifications", "messages", "case_owners", "invitations",
                  "api_tokens", "sessions"):
        op.drop_table(table)
    op.drop_index("ix_cases_unverified", "cases")
    op.drop_column("cases", "keep_data")
    op.drop_column("cases", "closed_at")
    op.drop_constraint(op.f("ck_cases_status"), "cases", type_="check")
    op.create_check_constraint(
        op.f("ck_cases_status"), "cases", "status IN ('open', 'reunited', 'closed')")
    op.drop_index("ix_sightings_status_created", "sightings")
    for column in ("reporter_account_id", "child_face_id", "moderated_at", "moderated_by", "moderation_reason",
                   "status"):
        op.drop_column("sightings", column)
    op.drop_table("accounts")
