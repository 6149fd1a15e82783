"""The child's face is the one marked: a report whose photos show one face had it read as the child's
without being marked; it is marked now, as new reports' only faces are when found, so that a moderator
can unmark one that is an adult's (the child turned away) and no face is the child's by default.

Revision ID: 0025_only_faces
Revises: 0023_seen_at_basis
"""

from alembic import op

revision = "0025_only_faces"
down_revision = "0023_seen_at_basis"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE sightings s SET child_face_id = (SELECT min(f.id) FROM faces f WHERE f.sighting_id = s.id) "
        "WHERE s.child_face_id IS NULL AND (SELECT count(*) FROM faces f WHERE f.sighting_id = s.id) = 1")


def downgrade() -> None:
    pass  # a marked only face reads as it did unmarked
