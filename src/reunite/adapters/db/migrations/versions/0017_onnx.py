"""A second face model's embeddings (an operator's ONNX model, docs/models.md): one row per face and model,
the vector without a fixed dimension (each model's indexes are made when it is configured); and why a
photo's face is poor for matching, to tell the reporter (the thank-you page and the receipt).

Revision ID: 0017_onnx
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import Vector

revision = "0017_onnx"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "face_embeddings",
        sa.Column("face_id", sa.BigInteger, sa.ForeignKey("faces.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("model", sa.String(64), primary_key=True),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("case_id", sa.BigInteger),
        sa.Column("sighting_id", sa.BigInteger),
        sa.Column("embedding", Vector(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.add_column("photos", sa.Column("face_problem", sa.String(16)))


def downgrade() -> None:
    op.drop_column("photos", "face_problem")
    op.drop_table("face_embeddings")
