"""Reach and exchange: alert subscriptions, alerts sent once per case and subscriber, an outbox of
every email and webhook, PFIF record ids, provenance and notes, and links between duplicate cases.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _created() -> sa.Column[object]:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("radius_km", sa.Float, nullable=False, server_default="0"),
        sa.Column("region", sa.Text, nullable=False, server_default=""),
        sa.Column("language", sa.String(8), nullable=False, server_default="en"),
        sa.Column("digest", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("secret", sa.Text, nullable=False, server_default=""),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True)),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True)),
        _created(),
        sa.CheckConstraint("channel IN ('email', 'webhook')", name=op.f("ck_subscriptions_channel")),
        sa.CheckConstraint("status IN ('pending', 'active', 'unsubscribed')", name=op.f("ck_subscriptions_status")),
        sa.CheckConstraint("(lat IS NULL) = (lon IS NULL) AND (lat IS NOT NULL OR region <> '')",
                           name=op.f("ck_subscriptions_area")),
    )
    op.create_index("ix_subscriptions_earth", "subscriptions", [sa.text("ll_to_earth(lat, lon)")],
                    postgresql_using="gist", postgresql_where=sa.text("lat IS NOT NULL AND status = 'active'"))
    op.create_table(
        "alerts",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("case_id", sa.BigInteger, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("subscription_id", sa.BigInteger, sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("radius_km", sa.Float, nullable=False),
        sa.Column("distance_km", sa.Float),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        _created(),
        sa.UniqueConstraint("case_id", "subscription_id", name=op.f("uq_alerts_case_id_subscription_id")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("recipient", sa.Text, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject", sa.Text, nullable=False, server_default=""),
        sa.Column("status", sa.String(16), nullable=False, server_default="queued"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error", sa.Text, nullable=False, server_default=""),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        _created(),
    )
    op.add_column("cases", sa.Column("record_id", sa.Text))
    op.add_column("cases", sa.Column("source", sa.Text, nullable=False, server_default=""))
    op.add_column("cases", sa.Column("source_date", sa.DateTime(timezone=True)))
    op.add_column("cases", sa.Column("expiry_date", sa.DateTime(timezone=True)))
    op.add_column("cases", sa.Column("linked_case_id", sa.BigInteger, sa.ForeignKey("cases.id", ondelete="SET NULL")))
    op.create_index("uq_cases_record_id", "cases", ["record_id"], unique=True)
    op.create_table(
        "case_notes",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("record_id", sa.Text, nullable=False, unique=True),
        sa.Column("person_record_id", sa.Text, nullable=False, index=True),
        sa.Column("case_id", sa.BigInteger, sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True),
        sa.Column("linked_person_record_id", sa.Text, nullable=False, server_default=""),
        sa.Column("author_name", sa.Text, nullable=False, server_default=""),
        sa.Column("author_made_contact", sa.Boolean),
        sa.Column("status", sa.String(32), nullable=False, server_default=""),
        sa.Column("last_known_location", sa.Text, nullable=False, server_default=""),
        sa.Column("text", sa.Text, nullable=False, server_default=""),
        sa.Column("source_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entry_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.Text, nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_table("case_notes")
    op.drop_index("uq_cases_record_id", "cases")
    for column in ("linked_case_id", "expiry_date", "source_date", "source", "record_id"):
        op.drop_column("cases", column)
    op.drop_table("outbox")
    op.drop_table("alerts")
    op.drop_index("ix_subscriptions_earth", "subscriptions")
    op.drop_table("subscriptions")
