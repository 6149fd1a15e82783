"""A verified case guarded against a swap of its child (probe s27 A2, A4; docs/decisions/0007):
``photos.held_since``: a photo added to a verified case by someone who may not verify cases (its family, a partner
token) waits for a moderator: neither published nor matched nor compared for doubles or look-alikes until one accepts
it (``adapters/db/case_faces``); ``case_corrections.photo_ids``: the photos a correction waiting for a moderator asks
to add; ``cases.verified_facts``: the identity facts as the verification vouched for them (as written,
``domain.corrections.written``), what the moderators' queue compares a correction with.

Revision ID: 0044_held_case_photos
Revises: 0043_case_child_faces
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0044_held_case_photos"
down_revision = "0043_case_child_faces"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("photos", sa.Column("held_since", sa.DateTime(timezone=True)))
    op.add_column("case_corrections", sa.Column("photo_ids", ARRAY(sa.BigInteger), nullable=False,
                                                server_default="{}"))
    op.add_column("cases", sa.Column("verified_facts", JSONB))


def downgrade() -> None:
    op.drop_column("cases", "verified_facts")
    op.drop_column("case_corrections", "photo_ids")
    op.drop_column("photos", "held_since")
