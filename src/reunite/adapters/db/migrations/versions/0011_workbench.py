"""The reviewers' workbench and families in the loop: a candidate's claim (who reviews it, until
when), the first reviewer's confirmation when a second must agree (four eyes), the family's answer
to a lead and whether the family proposed the candidate itself; reviewers' passes (skip, later).

Revision ID: 0011
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("candidates", sa.Column("claimed_by", sa.Text))
    op.add_column("candidates", sa.Column("claim_expires_at", sa.DateTime(timezone=True)))
    op.add_column("candidates", sa.Column("first_confirmed_by", sa.Text))
    op.add_column("candidates", sa.Column("first_confirmed_at", sa.DateTime(timezone=True)))
    op.add_column("candidates", sa.Column("family_answer", sa.String(8)))
    op.add_column("candidates", sa.Column("family_note", sa.Text, nullable=False, server_default=""))
    op.add_column("candidates", sa.Column("family_answered_at", sa.DateTime(timezone=True)))
    op.add_column("candidates", sa.Column("proposed_by", sa.String(8), nullable=False, server_default="machine"))
    op.create_check_constraint(op.f("ck_candidates_family_answer"), "candidates", "family_answer IN ('maybe', 'not')")
    op.create_check_constraint(op.f("ck_candidates_proposed_by"), "candidates", "proposed_by IN ('machine', 'family')")
    op.create_table(
        "review_passes",
        sa.Column("candidate_id", sa.BigInteger, sa.ForeignKey("candidates.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("reviewer", sa.Text, primary_key=True),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("review_passes")
    op.drop_constraint(op.f("ck_candidates_proposed_by"), "candidates", type_="check")
    op.drop_constraint(op.f("ck_candidates_family_answer"), "candidates", type_="check")
    for name in ("proposed_by", "family_answered_at", "family_note", "family_answer", "first_confirmed_at",
                 "first_confirmed_by", "claim_expires_at", "claimed_by"):
        op.drop_column("candidates", name)
