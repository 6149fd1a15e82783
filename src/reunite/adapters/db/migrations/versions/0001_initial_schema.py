"""Initial schema: extensions, procrastinate's job tables, and Reunite's tables.

Revision ID: 0001
Revises: 
Create Date: 2026-11-29 05:04:22.400059
"""

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import Vector
from procrastinate.schema import SchemaManager
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.execute("CREATE EXTENSION IF NOT EXISTS cube")
    op.execute("CREATE EXTENSION IF NOT EXISTS earthdistance")
    # procrastinate's schema, as the installed version ships it (jobs share our transactions)
    op.execute(SchemaManager.get_schema())
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('actor', sa.Text(), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=32), nullable=False),
    sa.Column('subject_id', sa.BigInteger(), nullable=False),
    sa.Column('detail', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_index('ix_audit_log_subject', 'audit_log', ['subject', 'subject_id'], unique=False)
    op.create_table('cases',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('given_name', sa.Text(), nullable=False),
    sa.Column('family_name', sa.Text(), server_default='', nullable=False),
    sa.Column('nicknames', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False),
    sa.Column('sex', sa.String(length=8), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('missing_since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_lat', sa.Float(), nullable=True),
    sa.Column('last_seen_lon', sa.Float(), nullable=True),
    sa.Column('last_seen_text', sa.Text(), server_default='', nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('marks', sa.Text(), server_default='', nullable=False),
    sa.Column('police_report', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.String(length=16), server_default='open', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("sex IN ('female', 'male', 'unknown')", name=op.f('ck_cases_sex')),
    sa.CheckConstraint("status IN ('open', 'reunited', 'closed')", name=op.f('ck_cases_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases'))
    )
    op.create_table('sightings',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('place_text', sa.Text(), server_default='', nullable=False),
    sa.Column('apparent_age_low', sa.SmallInteger(), nullable=True),
    sa.Column('apparent_age_high', sa.SmallInteger(), nullable=True),
    sa.Column('apparent_sex', sa.String(length=8), server_default='unknown', nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('reporter_contact', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("apparent_sex IN ('female', 'male', 'unknown')", name=op.f('ck_sightings_apparent_sex')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sightings'))
    )
    op.create_index('ix_sightings_earth', 'sightings', [sa.literal_column('ll_to_earth(lat, lon)')], unique=False, postgresql_using='gist', postgresql_where=sa.text('lat IS NOT NULL'))
    op.create_index('ix_sightings_seen_at', 'sightings', ['seen_at'], unique=False)
    op.create_table('photos',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('case_id', sa.BigInteger(), nullable=True),
    sa.Column('sighting_id', sa.BigInteger(), nullable=True),
    sa.Column('storage_key', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('mime', sa.String(length=32), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=True),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('face_count', sa.SmallInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('(case_id IS NULL) <> (sighting_id IS NULL)', name=op.f('ck_photos_one_owner')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_photos_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sighting_id'], ['sightings.id'], name=op.f('fk_photos_sighting_id_sightings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photos'))
    )
    op.create_index(op.f('ix_photos_case_id'), 'photos', ['case_id'], unique=False)
    op.create_index(op.f('ix_photos_sighting_id'), 'photos', ['sighting_id'], unique=False)
    op.create_table('faces',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('photo_id', sa.BigInteger(), nullable=False),
    sa.Column('case_id', sa.BigInteger(), nullable=True),
    sa.Column('sighting_id', sa.BigInteger(), nullable=True),
    sa.Column('box_left', sa.Integer(), nullable=False),
    sa.Column('box_top', sa.Integer(), nullable=False),
    sa.Column('box_right', sa.Integer(), nullable=False),
    sa.Column('box_bottom', sa.Integer(), nullable=False),
    sa.Column('landmarks', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('detection_score', sa.Float(), nullable=False),
    sa.Column('quality', sa.Float(), nullable=False),
    sa.Column('detector', sa.String(length=32), nullable=False),
    sa.Column('embedding', Vector(128), nullable=False),
    sa.Column('model', sa.String(length=64), nullable=False),
    sa.Column('model_version', sa.String(length=64), nullable=False),
    sa.Column('crop_key', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_faces_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], name=op.f('fk_faces_photo_id_photos'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sighting_id'], ['sightings.id'], name=op.f('fk_faces_sighting_id_sightings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_faces'))
    )
    op.create_index('ix_faces_case_embedding', 'faces', ['embedding'], unique=False, postgresql_using='hnsw', postgresql_with={'m': 16, 'ef_construction': 64}, postgresql_ops={'embedding': 'vector_cosine_ops'}, postgresql_where=sa.text('case_id IS NOT NULL'))
    op.create_index('ix_faces_case_id', 'faces', ['case_id'], unique=False, postgresql_where=sa.text('case_id IS NOT NULL'))
    op.create_index(op.f('ix_faces_photo_id'), 'faces', ['photo_id'], unique=False)
    op.create_index('ix_faces_sighting_embedding', 'faces', ['embedding'], unique=False, postgresql_using='hnsw', postgresql_with={'m': 16, 'ef_construction': 64}, postgresql_ops={'embedding': 'vector_cosine_ops'}, postgresql_where=sa.text('sighting_id IS NOT NULL'))
    op.create_index('ix_faces_sighting_id', 'faces', ['sighting_id'], unique=False, postgresql_where=sa.text('sighting_id IS NOT NULL'))
    op.create_table('candidates',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('case_id', sa.BigInteger(), nullable=False),
    sa.Column('sighting_id', sa.BigInteger(), nullable=False),
    sa.Column('sighting_face_id', sa.BigInteger(), nullable=False),
    sa.Column('case_face_id', sa.BigInteger(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('face_score', sa.Float(), nullable=False),
    sa.Column('age_score', sa.Float(), nullable=True),
    sa.Column('time_score', sa.Float(), nullable=True),
    sa.Column('place_score', sa.Float(), nullable=True),
    sa.Column('sex_score', sa.Float(), nullable=True),
    sa.Column('expected_age', sa.Float(), nullable=False),
    sa.Column('distance_km', sa.Float(), nullable=True),
    sa.Column('elapsed_days', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='proposed', nullable=False),
    sa.Column('review_reason', sa.Text(), server_default='', nullable=False),
    sa.Column('reviewed_by', sa.Text(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('proposed', 'confirmed', 'dismissed')", name=op.f('ck_candidates_status')),
    sa.ForeignKeyConstraint(['case_face_id'], ['faces.id'], name=op.f('fk_candidates_case_face_id_faces'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_candidates_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sighting_face_id'], ['faces.id'], name=op.f('fk_candidates_sighting_face_id_faces'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sighting_id'], ['sightings.id'], name=op.f('fk_candidates_sighting_id_sightings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_candidates')),
    sa.UniqueConstraint('case_id', 'sighting_face_id', name=op.f('uq_candidates_case_id_sighting_face_id'))
    )
    op.create_index('ix_candidates_case_id_score', 'candidates', ['case_id', sa.literal_column('score DESC')], unique=False)
    op.create_index(op.f('ix_candidates_sighting_id'), 'candidates', ['sighting_id'], unique=False)


def downgrade() -> None:
    # Extensions and procrastinate's tables stay: other software may use them.
    op.drop_index(op.f('ix_candidates_sighting_id'), table_name='candidates')
    op.drop_index('ix_candidates_case_id_score', table_name='candidates')
    op.drop_table('candidates')
    op.drop_index('ix_faces_sighting_id', table_name='faces', postgresql_where=sa.text('sighting_id IS NOT NULL'))
    op.drop_index('ix_faces_sighting_embedding', table_name='faces', postgresql_using='hnsw', postgresql_with={'m': 16, 'ef_construction': 64}, postgresql_ops={'embedding': 'vector_cosine_ops'}, postgresql_where=sa.text('sighting_id IS NOT NULL'))
    op.drop_index(op.f('ix_faces_photo_id'), table_name='faces')
    op.drop_index('ix_faces_case_id', table_name='faces', postgresql_where=sa.text('case_id IS NOT NULL'))
    op.drop_index('ix_faces_case_embedding', table_name='faces', postgresql_using='hnsw', postgresql_with={'m': 16, 'ef_construction': 64}, postgresql_ops={'embedding': 'vector_cosine_ops'}, postgresql_where=sa.text('case_id IS NOT NULL'))
    op.drop_table('faces')
    op.drop_index(op.f('ix_photos_sighting_id'), table_name='photos')
    op.drop_index(op.f('ix_photos_case_id'), table_name='photos')
    op.drop_table('photos')
    op.drop_index('ix_sightings_seen_at', table_name='sightings')
    op.drop_index('ix_sightings_earth', table_name='sightings', postgresql_using='gist', postgresql_where=sa.text('lat IS NOT NULL'))
    op.drop_table('sightings')
    op.drop_table('cases')
    op.drop_index('ix_audit_log_subject', table_name='audit_log')
    op.drop_table('audit_log')
