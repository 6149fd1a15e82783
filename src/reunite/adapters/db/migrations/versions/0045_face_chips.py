"""A face's chip print (``domain/chips.py``, probe s27 A1): its aligned chip's grey levels, by which a case photo
that is another case's photo cropped, framed, turned or mirrored is still one picture. NULL for faces found
before (compared by their embeddings and their photos' perceptual hashes only, until re-embedded).

Revision ID: 0045_face_chips
Revises: 0044_held_case_photos
"""

import sqlalchemy as sa
from alembic import op

revision = "0045_face_chips"
down_revision = "0044_held_case_photos"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("faces", sa.Column("chip", sa.LargeBinary))


def downgrade() -> None:
    op.drop_column("faces", "chip")
