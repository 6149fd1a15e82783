"""An expired case (retention, an approved takedown, a partner's record withdrawn) keeps nothing
personal: its birth date and the date it went missing are emptied too (so they may be NULL), and
the cases blanked before this migration, which kept their first name, sex, dates, place last seen
and police report, their partner notes and their verifications' notes, are blanked now.

Revision ID: 0019_blank_cases
Revises: 0018_coarse_rank
"""

from alembic import op

revision = "0019_blank_cases"
down_revision = "0018_coarse_rank"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("cases", "birth_date", nullable=True)
    op.alter_column("cases", "missing_since", nullable=True)
    op.execute(
        "UPDATE cases SET given_name = '', family_name = '', nicknames = '{}', sex = 'unknown', birth_date = NULL, "
        "missing_since = NULL, missing_since_offset = NULL, last_seen_lat = NULL, last_seen_lon = NULL, "
        "last_seen_text = '', description = '', marks = '', police_report = '', family_contact = '', pfif = '{}', "
        "linked_case_id = NULL WHERE status = 'expired'")
    op.execute("DELETE FROM messages m USING cases c WHERE c.id = m.case_id AND c.status = 'expired'")
    op.execute("UPDATE verifications v SET notes = '' FROM cases c WHERE c.id = v.case_id AND c.status = 'expired'")
    op.execute(
        "UPDATE case_notes n SET linked_person_record_id = '', author_name = '', author_made_contact = NULL, "
        "status = '', last_known_location = '', text = '', pfif = '{}' FROM cases c "
        "WHERE c.id = n.case_id AND c.status = 'expired'")


def downgrade() -> None:
    # what was blanked stays blanked: a placeholder date stands in where the column needs one
    op.execute("UPDATE cases SET birth_date = created_at::date WHERE birth_date IS NULL")
    op.execute("UPDATE cases SET missing_since = created_at WHERE missing_since IS NULL")
    op.alter_column("cases", "birth_date", nullable=False)
    op.alter_column("cases", "missing_since", nullable=False)
