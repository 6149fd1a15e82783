"""Every word a family sends on a candidate is kept, with its time: "this may be my child" sent again on a
sighting, or "not my child" and later "this may be my child" on a lead. Before, the candidate held one answer
and one note, and each new one replaced the last (probe s18 R6: the family's first note was lost). The
candidate keeps its latest answer and note (``family_answer``, ``family_note``: the workbench's order reads
them); ``family_words`` holds them all.

Existing rows: each candidate's one answer and note, at the time it was given.

Revision ID: 0029_family_words
Revises: 0028_missing_since_precision
"""

import sqlalchemy as sa
from alembic import op

revision = "0029_family_words"
down_revision = "0028_missing_since_precision"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "family_words",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("candidate_id", sa.BigInteger, sa.ForeignKey("candidates.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("answer", sa.String(8), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("answer IN ('maybe', 'not')", name=op.f("ck_family_words_answer")),
    )
    op.create_index("ix_family_words_candidate_id_at", "family_words", ["candidate_id", "at", "id"])
    op.execute("INSERT INTO family_words (candidate_id, answer, note, at) SELECT id, family_answer, family_note, "
               "COALESCE(family_answered_at, updated_at) FROM candidates WHERE family_answer IS NOT NULL")


def downgrade() -> None:
    op.drop_table("family_words")
