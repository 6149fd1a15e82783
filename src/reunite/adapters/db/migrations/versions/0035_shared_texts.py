"""A case's distinguishing marks as a moderator approved them for sharing, as its description is (0034): the
family's own words ("a mole on the left cheek; her school is …") are read only by the family, police and
moderators; partners' tokens and exports read this reviewed text, empty (nothing) until a moderator writes it.
And since when a case waits for a moderator to approve its texts for sharing again, its source (a partner's PFIF
record) having rewritten them (the approved text withdrawn meanwhile): the moderators' "sharing" queue.

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
    op.add_column("cases", sa.Column("sharing_review_since", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_cases_sharing_review", "cases", ["sharing_review_since", "id"],
                    postgresql_where=sa.text("sharing_review_since IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_cases_sharing_review", table_name="cases")
    op.drop_column("cases", "sharing_review_since")
    op.drop_column("cases", "shared_marks")
