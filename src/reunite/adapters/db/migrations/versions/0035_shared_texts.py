"""A case's distinguishing marks as a moderator approved them for sharing, as its description is (0034): the
family's own words ("a mole on the left cheek; her school is …") are read only by the family, police and
moderators; partners' tokens and exports read this reviewed text, empty (nothing) until a moderator writes it.

Revision ID: 0035_shared_texts
Revises: 0034_shared_description
"""

import sqlalchemy as sa
from alembic import op

revision = "0035_shared_texts"
down_revision = "0034_shared_description"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("shared_marks", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_column("cases", "shared_marks")
