"""A subscription can be ended (probe s18 R4): by an admin, by the token or account that made it, or when
that token is revoked or that account disabled or no longer an admin's (``services/subscriptions.py``).
Apart from "unsubscribed" (by its owner, through the link in its emails), an ended subscription cannot be
confirmed again. Subscriptions whose maker lost the right before this revision are ended, audited, at their
next delivery, which checks the maker's rights as they stand.

Revision ID: 0030_subscriptions_ended
Revises: 0029_family_words
"""

from alembic import op

revision = "0030_subscriptions_ended"
down_revision = "0029_family_words"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint(op.f("ck_subscriptions_status"), "subscriptions", type_="check")
    op.create_check_constraint(op.f("ck_subscriptions_status"), "subscriptions",
                               "status IN ('pending', 'active', 'unsubscribed', 'ended')")


def downgrade() -> None:
    op.execute("UPDATE subscriptions SET status = 'unsubscribed' WHERE status = 'ended'")
    op.drop_constraint(op.f("ck_subscriptions_status"), "subscriptions", type_="check")
    op.create_check_constraint(op.f("ck_subscriptions_status"), "subscriptions",
                               "status IN ('pending', 'active', 'unsubscribed')")
