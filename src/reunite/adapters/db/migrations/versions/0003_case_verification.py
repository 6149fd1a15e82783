"""Case verification: who checked the case against the police report or documents, and when.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("cases", sa.Column("verified_by", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("cases", "verified_by")
    op.drop_column("cases", "verified_at")
