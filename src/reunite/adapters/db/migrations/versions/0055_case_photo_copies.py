"""A case photo that is a copy of a street report's photo or face crop (probe s36 K1: a poser registered a child
with a report's crop), or the photo of a case rejected before: ``case_photo_copies`` (``services.photo_copies``).
A copy of a report blocks verification, is never published and never matched; a rejected case's photo is said to
moderators.

Revision ID: 0055_case_photo_copies
Revises: 0054_removal_notices_together
"""

import sqlalchemy as sa
from alembic import op

revision = "0055_case_photo_copies"
down_revision = "0054_removal_notices_together"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_photo_copies",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("case_id", sa.BigInteger, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("photo_id", sa.BigInteger, sa.ForeignKey("photos.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("sighting_id", sa.BigInteger, sa.ForeignKey("sightings.id", ondelete="SET NULL")),
        sa.Column("other_case_id", sa.BigInteger, sa.ForeignKey("cases.id", ondelete="SET NULL")),
        sa.Column("other_photo_id", sa.BigInteger),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("kind IN ('sighting', 'rejected')", name=op.f("ck_case_photo_copies_kind")),
        sa.UniqueConstraint("photo_id", "kind", "sighting_id", "other_case_id",
                            name=op.f("uq_case_photo_copies_photo_id_kind_sighting_id_other_case_id")),
    )
    op.create_index(op.f("ix_case_photo_copies_case_id"), "case_photo_copies", ["case_id"])


def downgrade() -> None:
    op.drop_table("case_photo_copies")
