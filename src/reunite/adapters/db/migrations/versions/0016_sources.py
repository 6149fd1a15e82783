"""Sources that Reunite reads sightings from (feeds, Mastodon timelines, email), where each sighting came
from (one sighting, many reposts), and each photo's perceptual hash to recognise reposted photos.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("url", sa.Text, nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("status", sa.String(16), nullable=False, server_default="active"),
        sa.Column("interval_s", sa.Integer, nullable=False, server_default="900"),
        sa.Column("etag", sa.Text, nullable=False, server_default=""),
        sa.Column("last_modified", sa.Text, nullable=False, server_default=""),
        sa.Column("cursor", sa.Text, nullable=False, server_default=""),
        sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=False, server_default=""),
        sa.Column("last_ok_at", sa.DateTime(timezone=True)),
        sa.Column("posts_seen", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_by", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("kind IN ('feed', 'mastodon')", name="kind"),
        sa.CheckConstraint("status IN ('active', 'paused')", name="status"),
    )
    op.create_table(
        "sighting_sources",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("sighting_id", sa.BigInteger, sa.ForeignKey("sightings.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source_id", sa.BigInteger, sa.ForeignKey("sources.id", ondelete="SET NULL")),
        sa.Column("url", sa.Text, nullable=False, server_default=""),
        sa.Column("author", sa.Text, nullable=False, server_default=""),
        sa.Column("posted_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("kind IN ('form', 'post', 'email')", name="kind"),
    )
    op.create_index("sighting_sources_url", "sighting_sources", ["url"], unique=True,
                    postgresql_where=sa.text("url <> ''"))
    op.add_column("photos", sa.Column("phash", sa.BigInteger))


def downgrade() -> None:
    op.drop_column("photos", "phash")
    op.drop_table("sighting_sources")
    op.drop_table("sources")
