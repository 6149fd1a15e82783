"""A shortlist people can act on: each candidate's rank among open cases, its calibrated impostor
share and the years between photos; groups of sightings of one child; cases that look like the
same child registered twice, flagged for moderators to link.

Candidates stored before this migration keep NULL rank and share until `reunite rematch`.

Revision ID: 0010
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for name, kind in (("rank", sa.Integer), ("rank_of", sa.Integer), ("impostor_share", sa.Float),
                       ("gap_years", sa.Float)):
        op.add_column("candidates", sa.Column(name, kind))
    op.create_table(
        "sighting_groups",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.add_column("sightings", sa.Column("group_id", sa.BigInteger,
                                         sa.ForeignKey("sighting_groups.id", ondelete="SET NULL")))
    op.create_index("ix_sightings_group_id", "sightings", ["group_id"], postgresql_where=sa.text("group_id IS NOT NULL"))
    op.create_table(
        "case_duplicates",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("case_id", sa.BigInteger, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("other_case_id", sa.BigInteger, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("impostor_share", sa.Float, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
        sa.Column("decided_by", sa.Text),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("case_id", "other_case_id"),
        sa.CheckConstraint("case_id < other_case_id", name="ordered"),
        sa.CheckConstraint("status IN ('open', 'linked', 'dismissed')", name="status"),
    )


def downgrade() -> None:
    op.drop_table("case_duplicates")
    op.drop_index("ix_sightings_group_id", "sightings")
    op.drop_column("sightings", "group_id")
    op.drop_table("sighting_groups")
    for name in ("gap_years", "impostor_share", "rank_of", "rank"):
        op.drop_column("candidates", name)
