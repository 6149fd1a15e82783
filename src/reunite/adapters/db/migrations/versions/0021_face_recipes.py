"""Outdated faces: the embedding recipe the workers' face engine writes (recorded by each worker as it
starts, read by /metrics in processes that never load the engine), and indexes on each face's model and
version, so that faces made with another recipe are counted without reading the faces table
(adapters/db/recipes.py). Building the indexes reads the faces once (seconds per million faces).

Revision ID: 0021_face_recipes
Revises: 0020_family_gaps
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0021_face_recipes"
down_revision = "0020_family_gaps"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recorded_settings",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", JSONB, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    for owner in ("case", "sighting"):
        op.create_index(f"ix_faces_{owner}_recipe", "faces", ["model", "model_version", "photo_id"],
                        postgresql_where=sa.text(f"{owner}_id IS NOT NULL"))
    # not named ix_face_emb_…: those are the second models' own vector indexes (adapters/db/extra_faces.py)
    op.create_index("ix_embeddings_recipe", "face_embeddings", ["model", "model_version"])


def downgrade() -> None:
    op.drop_index("ix_embeddings_recipe", "face_embeddings")
    for owner in ("case", "sighting"):
        op.drop_index(f"ix_faces_{owner}_recipe", "faces")
    op.drop_table("recorded_settings")
