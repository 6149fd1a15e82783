"""Idempotency keys: the first answer to a report or registration, kept under the key the sender
chose (a hidden one-time key in each form, the ``Idempotency-Key`` header in the API), so that a
retried request gets that answer again instead of storing a duplicate.

Revision ID: 0009
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0009"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("result", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
