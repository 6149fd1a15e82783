"""PFIF exchange without loss: every field a partner sent (``pfif``), when a record last changed here
(``entry_date``), and the ids of persons refused (no case for them), so that their later notes are
refused too.

Revision ID: 0015
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0015"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("pfif", JSONB, nullable=False, server_default="{}"))
    op.add_column("cases", sa.Column("entry_date", sa.DateTime(timezone=True)))
    op.add_column("case_notes", sa.Column("pfif", JSONB, nullable=False, server_default="{}"))
    op.create_table(
        "pfif_refused",
        sa.Column("record_id", sa.Text, primary_key=True),
        sa.Column("refused_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("pfif_refused")
    op.drop_column("case_notes", "pfif")
    op.drop_column("cases", "entry_date")
    op.drop_column("cases", "pfif")
