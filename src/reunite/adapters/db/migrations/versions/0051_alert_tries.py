"""When an alert's first delivery began (``alerts.tried_at``, probe s29 C4): set, under a share lock on its case,
before the alert is sent, so that a case ending while the alert is on its way tells that webhook too
(``case_events.case_ended``). Alerts sent before count as tried when they were sent.

Revision ID: 0051_alert_tries
Revises: 0050_partner_links
"""

import sqlalchemy as sa
from alembic import op

revision = "0051_alert_tries"
down_revision = "0050_partner_links"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("alerts", sa.Column("tried_at", sa.DateTime(timezone=True)))
    op.execute("UPDATE alerts SET tried_at = sent_at WHERE sent_at IS NOT NULL")


def downgrade() -> None:
    op.drop_column("alerts", "tried_at")
