"""A case's description as a moderator approved it for sharing (probe s20 T2): the family's own words
("height, build, clothes when last seen", and often where the child lives) are read only by the family,
police and moderators; partners' tokens, webhooks, exports, alerts and the poster read this reviewed text,
empty (nothing) until a moderator writes it.

Revision ID: 0034_shared_description
Revises: 0033_sighting_day_zone
"""

import sqlalchemy as sa
from alembic import op

revision = "0034_shared_description"
down_revision = "0033_sighting_day_zone"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("shared_description", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_column("cases", "shared_description")
