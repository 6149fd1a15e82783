"""Hubness of each face (how much it resembles many people at once) and of each candidate's
sighting face, which the ranking subtracts.

Faces embedded before this migration keep 0 (no correction) until `reunite rematch` re-embeds them.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("faces", sa.Column("hubness", sa.Float, nullable=False, server_default="0"))
    op.add_column("candidates", sa.Column("hubness", sa.Float, nullable=False, server_default="0"))


def downgrade() -> None:
    op.drop_column("candidates", "hubness")
    op.drop_column("faces", "hubness")
