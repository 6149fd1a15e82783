"""A case photo flagged as a copy of a street report's picture may be the family's own photo, reposted first as a
"report" (its WeChat appeal; probe s39 L4): a moderator clears the flag, saying why (``cleared_at``, ``cleared_by``,
``cleared_reason``; audited). A cleared flag blocks nothing (verification, poster, matching) and is never raised
again for the same photo and report.

Revision ID: 0057_photo_copies_cleared
Revises: 0056_superseded_checks
"""

import sqlalchemy as sa
from alembic import op

revision = "0057_photo_copies_cleared"
down_revision = "0056_superseded_checks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("case_photo_copies", sa.Column("cleared_at", sa.DateTime(timezone=True)))
    op.add_column("case_photo_copies", sa.Column("cleared_by", sa.Text))
    op.add_column("case_photo_copies", sa.Column("cleared_reason", sa.Text))


def downgrade() -> None:
    for column in ("cleared_reason", "cleared_by", "cleared_at"):
        op.drop_column("case_photo_copies", column)
