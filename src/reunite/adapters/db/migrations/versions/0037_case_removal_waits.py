"""A removal request about an open case no longer blanks it at once (probe s21 U0, docs/decisions/0006):
the case's registrant is asked and may object or confirm (``registrant_answer``); a request a moderator
approved waits (``waiting``) until ``due_at`` for an objection; a case removed is hidden (closed) and kept
until ``due_at`` so a moderator may undo it (``undone``), then blanked by the daily job.

Revision ID: 0037_case_removal_waits
Revises: 0036_record_domains
"""

import sqlalchemy as sa
from alembic import op

revision = "0037_case_removal_waits"
down_revision = "0036_record_domains"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("takedowns", sa.Column("registrant_answer", sa.String(16), nullable=False, server_default=""))
    op.add_column("takedowns", sa.Column("due_at", sa.DateTime(timezone=True)))
    op.drop_constraint(op.f("ck_takedowns_status"), "takedowns", type_="check")
    op.create_check_constraint(op.f("ck_takedowns_status"), "takedowns",
                               "status IN ('pending', 'waiting', 'done', 'refused', 'undone')")
    op.create_check_constraint(op.f("ck_takedowns_registrant_answer"), "takedowns",
                               "registrant_answer IN ('', 'confirmed', 'objected')")


def downgrade() -> None:
    op.drop_constraint(op.f("ck_takedowns_registrant_answer"), "takedowns", type_="check")
    op.drop_constraint(op.f("ck_takedowns_status"), "takedowns", type_="check")
    op.execute("UPDATE takedowns SET status = 'refused' WHERE status IN ('waiting', 'undone')")
    op.create_check_constraint(op.f("ck_takedowns_status"), "takedowns", "status IN ('pending', 'done', 'refused')")
    op.drop_column("takedowns", "due_at")
    op.drop_column("takedowns", "registrant_answer")
