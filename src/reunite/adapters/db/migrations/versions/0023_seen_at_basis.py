"""How a sighting's time was obtained (probe s12 F8, F9): given by the reporter, the camera's clock with its
offset, the camera's clock read in an assumed zone (and which), or not given: the report's arrival. And the
camera's clock reading set aside as implausible (1970-01-01 on a phone whose battery ran out), for the
moderators to see.

Existing rows: what intake stored says it exactly where it can. A time not given was stored as the very
instant the report arrived (``seen_at = created_at``, to the microsecond: no typed time is): "arrival". A
report sent through the API with an Idempotency-Key kept its receipt, which says whether the time came from
the photo and in which zone it was read. The rest: "given".

Revision ID: 0023_seen_at_basis
Revises: 0022_family_summary
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_seen_at_basis"
down_revision = "0022_family_summary"
branch_labels = None
depends_on = None

BASES = "'given', 'camera', 'camera_zone_assumed', 'arrival'"


def upgrade() -> None:
    op.add_column("sightings", sa.Column("seen_at_basis", sa.String(24), nullable=False, server_default="given"))
    op.add_column("sightings", sa.Column("seen_at_zone", sa.Text, nullable=False, server_default=""))
    op.add_column("sightings", sa.Column("camera_clock", sa.Text, nullable=False, server_default=""))
    op.create_check_constraint(op.f("ck_sightings_seen_at_basis"), "sightings", f"seen_at_basis IN ({BASES})")
    op.execute("UPDATE sightings SET seen_at_basis = 'arrival' WHERE seen_at = created_at")
    op.execute(
        "UPDATE sightings s SET seen_at_basis = CASE WHEN k.result->>'zone_assumed' <> '' "
        "THEN 'camera_zone_assumed' ELSE 'camera' END, seen_at_zone = k.result->>'zone_assumed' "
        "FROM idempotency_keys k WHERE (k.result->>'sighting_id')::bigint = s.id "
        "AND (k.result->>'time_from_photo')::boolean AND NOT coalesce((k.result->>'repeated')::boolean, false)")


def downgrade() -> None:
    op.drop_constraint(op.f("ck_sightings_seen_at_basis"), "sightings", type_="check")
    op.drop_column("sightings", "camera_clock")
    op.drop_column("sightings", "seen_at_zone")
    op.drop_column("sightings", "seen_at_basis")
