"""When a case partners may hold a copy of (it was verified and open once) last left "verified and open" for
"waiting for verification" (probe s25 Y2): held as a possible second registration, or reopened after it ended.
``cases.withdrawn_at``: the exports keep such a case as a placeholder dated then (``withdrawn`` in the CSV, an
expired PFIF record), so that a partner that mirrored it deletes its copy; NULL: never withdrawn so. Cases held
or reopened before this migration that had been verified get the time of their last hold or reopening.

Revision ID: 0039_case_withdrawn_at
Revises: 0038_removal_notices
"""

import sqlalchemy as sa
from alembic import op

revision = "0039_case_withdrawn_at"
down_revision = "0038_removal_notices"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("withdrawn_at", sa.DateTime(timezone=True)))
    op.execute(
        "UPDATE cases c SET withdrawn_at = COALESCE((SELECT max(a.at) FROM audit_log a WHERE a.subject = 'case' "
        "AND a.subject_id = c.id AND a.action IN ('case.held', 'case.reopened')), now()) "
        "WHERE c.verified_at IS NULL AND EXISTS (SELECT 1 FROM audit_log a WHERE a.subject = 'case' "
        "AND a.subject_id = c.id AND a.action = 'case.verified')")


def downgrade() -> None:
    op.drop_column("cases", "withdrawn_at")
