"""Ranks read against the cases verified and open now (probe s20 T4): a lead's rank among the cases
proposed for its sighting face is counted when it is read, among the candidates of cases verified and
open then, so a case rejected, closed or held again after matching no longer ranks above the others (nor
counts among the open cases searched), and one verified again counts again. What matching leaves for that
count is whether each candidate was proposable (at the operating point) when it ranked them
(``candidates.proposable``): only those rank above another, as in ``services.matching.ranked``.

Candidates stored before this migration are read as matching proposed them: a machine's proposal is
proposable unless another candidate of its sighting face ranked the same and lower (a proposable case
raises the rank of every case after it); `reunite rematch` stores what matching finds now.

The count of open cases (``readmodel``'s ``rank_of``, matching's ``open_cases_count``) reads a partial
index of the verified open cases by when their children went missing.

Revision ID: 0032_ranks_now
Revises: 0031_family_second_look
"""

import sqlalchemy as sa
from alembic import op

revision = "0032_ranks_now"
down_revision = "0031_family_second_look"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("candidates", sa.Column("proposable", sa.Boolean))
    op.execute(
        "UPDATE candidates c SET proposable = c.proposed_by = 'machine' AND c.rank IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM candidates o WHERE o.sighting_id = c.sighting_id AND o.sighting_face_id = c.sighting_face_id "
        "AND o.id <> c.id AND o.rank = c.rank AND o.score < c.score)")
    op.create_index("ix_cases_open_missing_since", "cases", ["missing_since"],
                    postgresql_where=sa.text("status = 'open' AND verified_at IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_cases_open_missing_since", table_name="cases")
    op.drop_column("candidates", "proposable")
