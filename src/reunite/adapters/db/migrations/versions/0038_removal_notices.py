"""What a case's removal told, and to whom (probe s23 W4, W6): ``alerts.ended_at``, when the webhook an alert was
sent to was told the case ended (``case.ended``), so that it is told ``case.restored`` when the case is verified
and open again (cleared then); ``takedowns.registrant_told``, whether the notice of a removal request reached
the case's registrant: '' (not yet), ``sent``, ``no_email`` (the site sends no email), ``no_address`` (nobody
to email: no account, or its account disabled), ``failed`` (the server refused it; retried).

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
    op.add_column("takedowns", sa.Column("registrant_told", sa.String(16), nullable=False, server_default=""))
    op.create_check_constraint(op.f("ck_takedowns_registrant_told"), "takedowns",
                               "registrant_told IN ('', 'sent', 'no_email', 'no_address', 'failed')")


def downgrade() -> None:
    op.drop_constraint(op.f("ck_takedowns_registrant_told"), "takedowns", type_="check")
    op.drop_column("takedowns", "registrant_told")
    op.drop_column("alerts", "ended_at")
