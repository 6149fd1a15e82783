"""A case corrected by its registrant (docs/decisions/0007): ``case_corrections`` holds a correction of a verified
case's identity facts (names, sex, birth date, time and place last seen, police report) that waits for a moderator,
with the values it would replace and those it gives, and the moderator's decision (``accepted``, ``refused`` with
why, ``replaced`` by a newer correction of the same case); at most one waits per case.

Revision ID: 0041_case_corrections
Revises: 0040_same_photo_doubles
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0041_case_corrections"
down_revision = "0040_same_photo_doubles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_corrections",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("case_id", sa.BigInteger, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("asked_by", sa.Text, nullable=False),
        sa.Column("fields", JSONB, nullable=False),
        sa.Column("was", JSONB, nullable=False),
        sa.Column("became", JSONB, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="waiting"),
        sa.Column("decided_by", sa.Text),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("status IN ('waiting', 'accepted', 'refused', 'replaced')",
                           name=op.f("ck_case_corrections_status")),
    )
    op.execute("ALTER TABLE case_corrections ALTER COLUMN id SET DEFAULT reunite_opaque_id('case_corrections')")
    op.create_index("ix_case_corrections_waiting", "case_corrections", ["case_id"], unique=True,
                    postgresql_where=sa.text("status = 'waiting'"))


def downgrade() -> None:
    op.drop_table("case_corrections")
