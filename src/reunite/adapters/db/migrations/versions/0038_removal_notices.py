"""What a case's removal told, and to whom (probe s23 W4): ``alerts.ended_at``, when the webhook an alert was
sent to was told the case ended (``case.ended``), so that it is told ``case.restored`` when the case is verified
and open again (cleared then).

Revision ID: 0038_removal_notices
Revises: 0037_case_removal_waits
"""

import sqlalchemy as sa
from alembic import op

revision = "0038_removal_notices"
down_revision = "0037_case_removal_waits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("alerts", sa.Column("ended_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("alerts", "ended_at")
