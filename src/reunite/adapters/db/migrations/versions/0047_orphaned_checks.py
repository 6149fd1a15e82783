"""A check (verification) whose sighting is gone (probe s28 B7): its reporter withdrew it, someone had it removed,
or it expired. The candidate the check named is deleted with the sighting (``candidate_id`` set NULL), so the check
keeps why and when its sighting went (``lead_removed``: withdrawn, removed or expired), for the police and the
family who read it, and for the moderators' "families waiting" queue.

Revision ID: 0047_orphaned_checks
Revises: 0046_place_basis
"""

import sqlalchemy as sa
from alembic import op

revision = "0047_orphaned_checks"
down_revision = "0046_place_basis"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("verifications", sa.Column("lead_removed", sa.String(16)))
    op.add_column("verifications", sa.Column("lead_removed_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("verifications", "lead_removed_at")
    op.drop_column("verifications", "lead_removed")
