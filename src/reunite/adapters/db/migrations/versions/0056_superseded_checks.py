"""A check (verification) recorded before its case was reopened (probe s38 M3): a reunion reopened as closed in
error kept its matched check, so the family still read that a caseworker arranged the reunion, and the case could
be closed as reunited again on that same check. Reopening a case marks the checks recorded before it superseded
(``superseded_at``): kept as history for staff, never shown to the family as current, never enough to close the
case as reunited again.

Revision ID: 0056_superseded_checks
Revises: 0055_case_photo_copies
"""

import sqlalchemy as sa
from alembic import op

revision = "0056_superseded_checks"
down_revision = "0055_case_photo_copies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("verifications", sa.Column("superseded_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("verifications", "superseded_at")
