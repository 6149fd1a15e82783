"""The UTC offset each sighting's and case's time was given in (minutes east of UTC), so that times
are shown and exported as they were given. Rows written before keep NULL: unknown, shown in the
reader's zone like every other time.

Who the child was with is kept apart from what the child was doing (``sightings.with_whom``).

Confirmed candidates outlive the family's photos: when a case closes and its photos are deleted, a
confirmed lead stays in the case's history without the case face (``case_face_id`` becomes NULL).

Revision ID: 0012
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sightings", sa.Column("seen_at_offset", sa.SmallInteger))
    op.add_column("cases", sa.Column("missing_since_offset", sa.SmallInteger))
    op.add_column("sightings", sa.Column("with_whom", sa.Text, nullable=False, server_default=""))
    op.drop_constraint("fk_candidates_case_face_id_faces", "candidates", type_="foreignkey")
    op.alter_column("candidates", "case_face_id", nullable=True)
    op.create_foreign_key("fk_candidates_case_face_id_faces", "candidates", "faces", ["case_face_id"], ["id"],
                          ondelete="SET NULL")


def downgrade() -> None:
    op.execute("DELETE FROM candidates WHERE case_face_id IS NULL")
    op.drop_constraint("fk_candidates_case_face_id_faces", "candidates", type_="foreignkey")
    op.alter_column("candidates", "case_face_id", nullable=False)
    op.create_foreign_key("fk_candidates_case_face_id_faces", "candidates", "faces", ["case_face_id"], ["id"],
                          ondelete="CASCADE")
    op.drop_column("sightings", "with_whom")
    op.drop_column("cases", "missing_since_offset")
    op.drop_column("sightings", "seen_at_offset")
