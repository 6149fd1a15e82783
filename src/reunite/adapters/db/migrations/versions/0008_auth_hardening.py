"""Sign-in backoff and token lineage.

``backoffs``: failed sign-ins per account (keyed by a hash of the email, known or not) and per address,
with the time until which further attempts are refused. ``api_tokens.issued_by``: the token that issued
a token (null for accounts and the command line), so that revoking a token revokes what it issued.

Revision ID: 0008
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "backoffs",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.add_column("api_tokens", sa.Column("issued_by", sa.BigInteger,
                                          sa.ForeignKey("api_tokens.id", ondelete="CASCADE")))
    op.create_index("api_tokens_issued_by", "api_tokens", ["issued_by"])


def downgrade() -> None:
    op.drop_index("api_tokens_issued_by", "api_tokens")
    op.drop_column("api_tokens", "issued_by")
    op.drop_table("backoffs")
