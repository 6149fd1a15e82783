"""A correction still waiting when its case ends (reunited, closed, rejected, removed, expired) is settled, not left
waiting unseen (probe s33 G2): ``case_corrections.status`` 'dropped', with the reason, the time and who ended the
case; the photos held with it are never published.

Revision ID: 0053_dropped_corrections
Revises: 0052_found_sightings
"""

from alembic import op

revision = "0053_dropped_corrections"
down_revision = "0052_found_sightings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint(op.f("ck_case_corrections_status"), "case_corrections", type_="check")
    op.create_check_constraint(op.f("ck_case_corrections_status"), "case_corrections",
                               "status IN ('waiting', 'accepted', 'refused', 'replaced', 'dropped')")
    # those left waiting by a case that ended before this change: dropped as it would drop them now
    op.execute("UPDATE case_corrections k SET status = 'dropped', decided_at = c.closed_at, decided_by = 'system', "
               "reason = 'the case was closed' FROM cases c WHERE c.id = k.case_id AND k.status = 'waiting' "
               "AND c.status <> 'open'")


def downgrade() -> None:
    op.execute("UPDATE case_corrections SET status = 'refused' WHERE status = 'dropped'")
    op.drop_constraint(op.f("ck_case_corrections_status"), "case_corrections", type_="check")
    op.create_check_constraint(op.f("ck_case_corrections_status"), "case_corrections",
                               "status IN ('waiting', 'accepted', 'refused', 'replaced')")
