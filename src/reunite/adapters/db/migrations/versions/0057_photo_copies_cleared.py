"""A case photo flagged as a copy of a street report's picture may be the family's own photo, reposted first as a
"report" (its WeChat appeal; probe s39 L4): a moderator clears the flag, saying why (``cleared_at``, ``cleared_by``,
``cleared_reason``; audited). A cleared flag blocks nothing (verification, poster, matching) and is never raised
again for the same photo and report. And ``report_prints``: what the copy check reads of a withdrawn or removed
report's pictures once they are deleted (perceptual hash, face embedding, chip print; no image), so that a crop saved
before the withdrawal is still flagged as that report's (probe s39 L3). Nothing else reads them.

Revision ID: 0057_photo_copies_cleared
Revises: 0056_superseded_checks
"""

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import Vector

revision = "0057_photo_copies_cleared"
down_revision = "0056_superseded_checks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("case_photo_copies", sa.Column("cleared_at", sa.DateTime(timezone=True)))
    op.add_column("case_photo_copies", sa.Column("cleared_by", sa.Text))
    op.add_column("case_photo_copies", sa.Column("cleared_reason", sa.Text))
    op.create_table(
        "report_prints",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("sighting_id", sa.BigInteger, sa.ForeignKey("sightings.id", ondelete="CASCADE"), nullable=False),
        sa.Column("phash", sa.BigInteger),
        sa.Column("embedding", Vector()),
        sa.Column("chip", sa.LargeBinary),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(op.f("ix_report_prints_sighting_id"), "report_prints", ["sighting_id"])


def downgrade() -> None:
    op.drop_table("report_prints")
    for column in ("cleared_reason", "cleared_by", "cleared_at"):
        op.drop_column("case_photo_copies", column)
