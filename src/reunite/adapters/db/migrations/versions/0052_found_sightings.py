"""The reports of a child found, recorded (probe s32 F2): ``found_sightings`` holds each report confirmed for a
case closed as reunited (or named by a check of it that matched) and every report of its trail, written when the
case is closed so, and for a report joining such a trail later. Before, "found" was read anew on every query from
the case's status, the candidate's and the trail as they are now, so a reunited case expiring (or removed), its
confirmed report withdrawn or held again brought the child's reports back to every family and partner. Filled
from what is found now.

Revision ID: 0052_found_sightings
Revises: 0051_alert_tries
"""

import sqlalchemy as sa
from alembic import op

revision = "0052_found_sightings"
down_revision = "0051_alert_tries"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "found_sightings",
        sa.Column("sighting_id", sa.BigInteger, sa.ForeignKey("sightings.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("case_id", sa.BigInteger, sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_found_sightings_case_id", "found_sightings", ["case_id"])
    op.execute(
        "WITH leads AS (SELECT DISTINCT fc.sighting_id, fk.id AS case_id, coalesce(fk.closed_at, now()) AS at "
        "FROM cases fk JOIN candidates fc ON fc.case_id = fk.id WHERE fk.status = 'reunited' "
        "AND (fc.status = 'confirmed' OR EXISTS (SELECT 1 FROM verifications fv WHERE fv.candidate_id = fc.id "
        "AND fv.result = 'match'))) "
        "INSERT INTO found_sightings (sighting_id, case_id, found_at) "
        "SELECT sighting_id, case_id, at FROM leads UNION "
        "SELECT g.id, l.case_id, l.at FROM leads l JOIN sightings fs ON fs.id = l.sighting_id "
        "JOIN sightings g ON g.group_id = fs.group_id ON CONFLICT DO NOTHING")


def downgrade() -> None:
    op.drop_table("found_sightings")
