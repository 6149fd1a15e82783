"""A partner registry's PFIF link (a note's ``linked_person_record_id``: "this is the same child as that record")
opens a duplicate flag in the moderators' queue (probe s29 C7): ``case_duplicates.linked_by`` (the token or account
whose import resolved the link), ``linked_note`` (the note's record id) and ``partner_only`` (raised by nothing but
such a link: it holds no case back, ``domain.doubles.Double``; a flag the duplicate check raises for the same pair is
one like any other).

Revision ID: 0050_partner_links
Revises: 0049_token_domains
"""

import sqlalchemy as sa
from alembic import op

revision = "0050_partner_links"
down_revision = "0049_token_domains"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("case_duplicates", sa.Column("linked_by", sa.Text))
    op.add_column("case_duplicates", sa.Column("linked_note", sa.Text))
    op.add_column("case_duplicates", sa.Column("partner_only", sa.Boolean, nullable=False,
                                               server_default=sa.text("false")))


def downgrade() -> None:
    for column in ("partner_only", "linked_note", "linked_by"):
        op.drop_column("case_duplicates", column)
