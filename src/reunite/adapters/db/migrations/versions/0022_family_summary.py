"""A sighting's words for families: what a moderator writes about the child (clothes, what the child
was doing, who was with the child) for readers who may not read the reporter's own words, which can
name the exact place. Empty until a moderator writes it.

Revision ID: 0022_family_summary
Revises: 0021_face_recipes
"""

import sqlalchemy as sa
from alembic import op

revision = "0022_family_summary"
down_revision = "0021_face_recipes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sightings", sa.Column("family_summary", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_column("sightings", "family_summary")
