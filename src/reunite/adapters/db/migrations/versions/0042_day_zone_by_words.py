"""The zone a sighting's day is read in (``sightings.day_zone``) for the sightings kept without one: those with no
pin (or none in a drawn zone) stored before intake read it from their place words too (``place_days.place_zone``:
"Canal Street station, Manhattan, New York" is dated in New York's zone, "Richmond, BC" in Vancouver's; probe s26
Z5). Filled by the same lookup (``adapters.zones.city_zone``), so the browse page's From/To and the cards agree for
old sightings as for new ones; words that name no city surely (a bare "Richmond") leave it NULL (the site's zone).
The offset a time was given with is not kept, so it cannot date an old sighting.

Revision ID: 0042_day_zone_by_words
Revises: 0041_case_corrections
"""

import sqlalchemy as sa
from alembic import op

revision = "0042_day_zone_by_words"
down_revision = "0041_case_corrections"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, place_text FROM sightings WHERE day_zone IS NULL "
                                "AND coalesce(btrim(place_text), '') <> ''")).all()
    if not rows:
        return
    from reunite.adapters.zones import city_zone  # loaded only when there is something to fill (the gazetteers)

    zones = [{"id": r.id, "zone": city_zone(r.place_text)} for r in rows]
    filled = [z for z in zones if z["zone"]]
    if filled:
        conn.execute(sa.text("UPDATE sightings SET day_zone = :zone WHERE id = :id"), filled)


def downgrade() -> None:
    """Nothing to undo: the zones filled are the ones intake writes."""
