"""Why a photo could not be searched for faces (for good: the same bytes fail the same way). Such a
photo counts as done, is never shown to families and partners, and moderators are told why.

Revision ID: 0007
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("photos", sa.Column("failed_reason", sa.Text))


def downgrade() -> None:
    op.drop_column("photos", "failed_reason")
