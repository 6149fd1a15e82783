"""The family's contact on a case (never shown publicly).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("family_contact", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    op.drop_column("cases", "family_contact")
