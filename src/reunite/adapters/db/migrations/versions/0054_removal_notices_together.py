"""A removal request's notice to the registrant may be ``together`` (``takedowns.registrant_told``, probe s32 F1):
not emailed again, because another request about the same case, made within a day before it, was; a burst
of requests is one email to the family, each request still read by the moderators.

Revision ID: 0054_removal_notices_together
Revises: 0053_dropped_corrections
"""

from alembic import op

revision = "0054_removal_notices_together"
down_revision = "0053_dropped_corrections"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint(op.f("ck_takedowns_registrant_told"), "takedowns", type_="check")
    op.create_check_constraint(op.f("ck_takedowns_registrant_told"), "takedowns",
                               "registrant_told IN ('', 'sent', 'no_email', 'no_address', 'failed', 'together')")


def downgrade() -> None:
    op.execute("UPDATE takedowns SET registrant_told = 'sent' WHERE registrant_told = 'together'")
    op.drop_constraint(op.f("ck_takedowns_registrant_told"), "takedowns", type_="check")
    op.create_check_constraint(op.f("ck_takedowns_registrant_told"), "takedowns",
                               "registrant_told IN ('', 'sent', 'no_email', 'no_address', 'failed')")
