"""Face indexes rebuilt with the parameters chosen from bench/search.py's measured table
(docs/benchmarks.md, "Search"): HNSW m 24, ef_construction 128 (was 16, 64), which with ef_search 400
raised recall@10 at 100k faces from 0.87 to 0.99.

Rebuilding takes minutes per million faces; matching waits meanwhile (run it in a quiet hour).

Revision ID: 0014
Revises: 0011
"""

from alembic import op

revision = "0014"
down_revision = "0011"
branch_labels = None
depends_on = None

INDEXES = (("ix_faces_case_embedding", "case_id"), ("ix_faces_sighting_embedding", "sighting_id"))


def _rebuild(m: int, ef_construction: int) -> None:
    op.execute("SET LOCAL maintenance_work_mem = '1GB'")
    for name, owner in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute(f"CREATE INDEX {name} ON faces USING hnsw (embedding vector_cosine_ops) "
                   f"WITH (m = {m}, ef_construction = {ef_construction}) WHERE {owner} IS NOT NULL")


def upgrade() -> None:
    _rebuild(24, 128)


def downgrade() -> None:
    _rebuild(16, 64)
