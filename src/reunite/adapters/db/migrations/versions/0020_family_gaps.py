"""Families' proposals stored before their gap was: the years between the case photo that scored best
and the sighting, from that photo's date (as ``Score.gap_years``), so their lead is read against that
photo's age cell. Their impostor share is read from the stored score whenever a lead is shown
(``scoring.read_stored``), so none is stored here.

Revision ID: 0020_family_gaps
Revises: 0019_blank_cases
"""

from alembic import op

revision = "0020_family_gaps"
down_revision = "0019_blank_cases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE candidates c SET gap_years = GREATEST(c.expected_age - (p.taken_on - k.birth_date) / 365.25, 0) "
        "FROM faces f, photos p, cases k "
        "WHERE c.proposed_by = 'family' AND c.gap_years IS NULL AND f.id = c.case_face_id "
        "AND p.id = f.photo_id AND p.taken_on IS NOT NULL AND k.id = c.case_id"
    )


def downgrade() -> None:
    pass  # the gaps are true of the stored scores: nothing to undo
