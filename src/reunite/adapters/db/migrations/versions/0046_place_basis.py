"""How a sighting's place was obtained (probe s30 D4): a position the reporter gave, the photo's EXIF position, the
reporter's words alone, or nothing; and the photo's EXIF position set aside when it lay far from the city the
words name (a photo forwarded, or taken earlier elsewhere), with that distance, for the moderators.

Existing rows: a report without a position has its words ("words") or nothing ("none"). One with a position took
it from the photo where its receipt, kept under its sender's key, says so (``place_from_photo``); the rest
"given".

Revision ID: 0046_place_basis
Revises: 0045_face_chips
"""

import sqlalchemy as sa
from alembic import op

revision = "0046_place_basis"
down_revision = "0045_face_chips"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sightings", sa.Column("place_basis", sa.String(8), nullable=False, server_default="given"))
    op.add_column("sightings", sa.Column("photo_lat", sa.Float))
    op.add_column("sightings", sa.Column("photo_lon", sa.Float))
    op.add_column("sightings", sa.Column("photo_km", sa.Integer))
    op.create_check_constraint(op.f("ck_sightings_place_basis"), "sightings",
                               "place_basis IN ('given', 'photo', 'words', 'none')")
    op.execute("UPDATE sightings SET place_basis = CASE WHEN coalesce(btrim(place_text), '') = '' THEN 'none' "
               "ELSE 'words' END WHERE lat IS NULL")
    op.execute(
        "UPDATE sightings s SET place_basis = 'photo' FROM idempotency_keys k "
        "WHERE (k.result->>'sighting_id')::bigint = s.id AND s.lat IS NOT NULL "
        "AND coalesce((k.result->>'place_from_photo')::boolean, false) "
        "AND NOT coalesce((k.result->>'repeated')::boolean, false)")


def downgrade() -> None:
    op.drop_constraint(op.f("ck_sightings_place_basis"), "sightings", type_="check")
    op.drop_column("sightings", "photo_km")
    op.drop_column("sightings", "photo_lon")
    op.drop_column("sightings", "photo_lat")
    op.drop_column("sightings", "place_basis")
