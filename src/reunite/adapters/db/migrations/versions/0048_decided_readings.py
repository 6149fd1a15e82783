"""What a lead's "1 in N" reads, and what it read when it was decided (probe s28 B6): ``face_together``, how many
sightings' faces (distinct pictures) a candidate's face score reads together (a group's fused face; 1: its own face
alone), and, copied when a reviewer confirms or dismisses it, the face evidence the decision was made on
(``decided_face_score``, ``decided_hubness``, ``decided_together``), so that a lead whose trail grew after the
decision says what it read then beside what it reads now. Cleared when the decision is undone.

Revision ID: 0048_decided_readings
Revises: 0047_orphaned_checks
"""

import sqlalchemy as sa
from alembic import op

revision = "0048_decided_readings"
down_revision = "0047_orphaned_checks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("candidates", sa.Column("face_together", sa.Integer, nullable=False, server_default="1"))
    op.add_column("candidates", sa.Column("decided_face_score", sa.Float))
    op.add_column("candidates", sa.Column("decided_hubness", sa.Float))
    op.add_column("candidates", sa.Column("decided_together", sa.Integer))


def downgrade() -> None:
    for name in ("decided_together", "decided_hubness", "decided_face_score", "face_together"):
        op.drop_column("candidates", name)
