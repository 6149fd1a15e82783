"""Which face of a case photo is the missing child's (probe s25 Y3): ``photos.child_face_id``, chosen by the
family or the verifier when a case photo shows several faces. A case photo's face stands for the child (is
matched, compared for doubles and look-alikes, kept sharp on every published copy) when it is the photo's only
face or its chosen one (``adapters/db/case_faces.CHILD_FACE``); a photo of several faces none chosen is neither
published nor matched. NULL for a sighting's photos (a sighting's child face is ``sightings.child_face_id``).

Revision ID: 0043_case_child_faces
Revises: 0042_day_zone_by_words
"""

import sqlalchemy as sa
from alembic import op

revision = "0043_case_child_faces"
down_revision = "0042_day_zone_by_words"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("photos", sa.Column("child_face_id", sa.BigInteger))


def downgrade() -> None:
    op.drop_column("photos", "child_face_id")
