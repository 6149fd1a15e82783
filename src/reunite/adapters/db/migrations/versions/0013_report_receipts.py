"""Receipts for street reports: a receipt number (with a private link derived from it, never
stored) and the phone's own key for the report, so a report queued offline and sent twice is
stored once; and the status 'withdrawn' (taken back by its reporter).

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sightings", sa.Column("receipt", sa.String(16)))
    op.add_column("sightings", sa.Column("client_key", sa.String(64)))
    op.create_index("ux_sightings_receipt", "sightings", ["receipt"], unique=True)
    op.create_index("ux_sightings_client_key", "sightings", ["client_key"], unique=True)
    op.drop_constraint(op.f("ck_sightings_status"), "sightings", type_="check")
    op.create_check_constraint(op.f("ck_sightings_status"), "sightings",
                               "status IN ('pending', 'approved', 'rejected', 'removed', 'expired', 'withdrawn')")


def downgrade() -> None:
    op.execute("UPDATE sightings SET status = 'removed' WHERE status = 'withdrawn'")
    op.drop_constraint(op.f("ck_sightings_status"), "sightings", type_="check")
    op.create_check_constraint(op.f("ck_sightings_status"), "sightings",
                               "status IN ('pending', 'approved', 'rejected', 'removed', 'expired')")
    op.drop_index("ux_sightings_client_key", "sightings")
    op.drop_index("ux_sightings_receipt", "sightings")
    op.drop_column("sightings", "client_key")
    op.drop_column("sightings", "receipt")
