"""A case photo that is another case's photo (probe s25 Y1): ``case_duplicates.photo_id`` and ``other_photo_id``,
the two cases' photos (of ``case_id`` and of ``other_case_id``) that are one picture, by face or perceptual hash,
when the flag was raised for that; NULL for a flag raised by faces alike, names or a moderator. Plain ids, no
foreign key: a photo deleted since (a case closed without its photos) leaves the flag saying what it was.

Revision ID: 0040_same_photo_doubles
Revises: 0039_case_withdrawn_at
"""

import sqlalchemy as sa
from alembic import op

revision = "0040_same_photo_doubles"
down_revision = "0039_case_withdrawn_at"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("case_duplicates", sa.Column("photo_id", sa.BigInteger))
    op.add_column("case_duplicates", sa.Column("other_photo_id", sa.BigInteger))


def downgrade() -> None:
    op.drop_column("case_duplicates", "other_photo_id")
    op.drop_column("case_duplicates", "photo_id")
