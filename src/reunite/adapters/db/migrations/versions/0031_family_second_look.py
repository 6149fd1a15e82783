"""A dismissed lead a family writes on again goes back to the reviewers once (probe s19 S8): the first new
note after a dismissal re-queues it, marked for the reviewer with the date of the dismissal it undid
(``dismissed_before_at``); further notes within the cool-down (``domain.workbench.SECOND_LOOK_COOL_DOWN``,
counted from ``family_reopened_at``) are kept and shown but do not re-queue it.

Revision ID: 0031_family_second_look
Revises: 0030_subscriptions_ended
"""

import sqlalchemy as sa
from alembic import op

revision = "0031_family_second_look"
down_revision = "0030_subscriptions_ended"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("candidates", sa.Column("family_reopened_at", sa.DateTime(timezone=True)))
    op.add_column("candidates", sa.Column("dismissed_before_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("candidates", "dismissed_before_at")
    op.drop_column("candidates", "family_reopened_at")
