"""The zone a sighting's day is read in, kept with it (``sightings.day_zone``): the zone of its place's ~1 km
grid cell (``services.place_days.cell_zone``, as the card shows its day: ``place_days.day_zone``), NULL where it has
no place or none is drawn there (the site's zone then). The browse page's From/To compare each sighting's day
where it was seen in SQL (``sighting_filter._where``), so a day asked is the day its card shows. Written by intake;
filled here for the sightings kept, by the same lookup (``adapters.zones.zone_at`` at the cell's centre).

Revision ID: 0033_sighting_day_zone
Revises: 0032_ranks_now
"""

import sqlalchemy as sa
from alembic import op

revision = "0033_sighting_day_zone"
down_revision = "0032_ranks_now"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sightings", sa.Column("day_zone", sa.Text))
    conn = op.get_bind()
    placed = conn.execute(sa.text("SELECT id, lat, lon FROM sightings WHERE lat IS NOT NULL AND lon IS NOT NULL"))
    rows = placed.all()
    if not rows:
        return
    from reunite.adapters.zones import zone_at  # loaded only when there is something to fill (~40 MB)
    from reunite.domain.access import coarsen

    zones = [{"id": r.id, "zone": zone_at(coarsen(r.lat), coarsen(r.lon)) or None} for r in rows]
    conn.execute(sa.text("UPDATE sightings SET day_zone = :zone WHERE id = :id"),
                 [z for z in zones if z["zone"] is not None])


def downgrade() -> None:
    op.drop_column("sightings", "day_zone")
