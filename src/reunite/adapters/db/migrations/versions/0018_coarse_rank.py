"""The rank families and partners see: each candidate's rank among the open cases searched for its
sighting face, by totals whose place and time terms come from the places' grid cells only (the stored
``rank`` follows the exact place, which only police and moderators may see).

It cannot be computed here (only the shortlisted cases of a search are stored, not every case it
ranked), so candidates stored before this migration show families no rank until `reunite rematch`.

Revision ID: 0018_coarse_rank
Revises: 0017_onnx
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_coarse_rank"
down_revision = "0017_onnx"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("candidates", sa.Column("coarse_rank", sa.Integer))


def downgrade() -> None:
    op.drop_column("candidates", "coarse_rank")
