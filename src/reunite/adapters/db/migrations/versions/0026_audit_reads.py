"""The audit log read by admins and police (/audit, GET /api/audit, reunite audit): newest first, by
actor, by subject, by time, and the listings and searches that showed a sighting, each by an index, so
that a question to a large log reads only the entries it shows. The subject's index gains the time
order (it replaces ix_audit_log_subject, which it covers).

Revision ID: 0026_audit_reads
Revises: 0025_only_faces
"""

from alembic import op

revision = "0026_audit_reads"
down_revision = "0025_only_faces"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_log_subject_at", "audit_log", ["subject", "subject_id", "at", "id"])
    op.drop_index("ix_audit_log_subject", table_name="audit_log")
    op.create_index("ix_audit_log_actor_at", "audit_log", ["actor", "at", "id"])
    op.create_index("ix_audit_log_at", "audit_log", ["at", "id"])
    op.execute("CREATE INDEX ix_audit_log_listed_ids ON audit_log USING gin ((detail->'ids') jsonb_path_ops) "
               "WHERE action IN ('sightings.listed', 'sightings.searched')")


def downgrade() -> None:
    op.drop_index("ix_audit_log_listed_ids", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_index("ix_audit_log_actor_at", table_name="audit_log")
    op.create_index("ix_audit_log_subject", "audit_log", ["subject", "subject_id"])
    op.drop_index("ix_audit_log_subject_at", table_name="audit_log")
