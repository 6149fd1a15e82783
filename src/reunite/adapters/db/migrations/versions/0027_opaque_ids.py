"""Ids that say nothing of when a record arrived: a report's, a photo's, a face's, a lead's, a case's, a
message's and a subscription's id was the next number of a sequence, so anyone who sent two reports of
their own learnt from their ids which other reports (seen to the hour only) arrived between them, to the
second, in what order within an hour, and how many reports, cases and subscribers came meanwhile.
New rows take the sequence's next number passed through a keyed permutation of the numbers below 2^32
(a four-round Feistel network whose round function is an MD5 of a secret made here, per installation,
and of the table's name): distinct numbers stay distinct, their order is lost, nothing outside the
database can undo it, and the n-th row of one table shares nothing with the n-th row of another (probe
s17 Q1: one permutation for all gave case 1, report 1 and group 1 one id, so one table's ids counted
another's).
A number already taken by a row from before is skipped. Existing rows keep their ids. A report's photos
and a photo's faces, shown in the order they came, are ordered by their own instant (clock_timestamp, not
the transaction's) instead of their ids.

Revision ID: 0027_opaque_ids
Revises: 0026_audit_reads
"""

from alembic import op

revision = "0027_opaque_ids"
down_revision = "0026_audit_reads"
branch_labels = None
depends_on = None

# every table whose ids reach people outside the staff (reporters, families, partners, subscribers)
TABLES = ("sightings", "photos", "faces", "candidates", "sighting_groups", "cases", "messages", "subscriptions")

PERMUTE = """
CREATE FUNCTION reunite_permute(tbl text, n bigint) RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE
    secret text := (SELECT value FROM id_secret);
    left_half bigint := (n >> 16) & 65535;
    right_half bigint := n & 65535;
    previous bigint;
BEGIN
    FOR round IN 1..4 LOOP
        previous := right_half;
        right_half := left_half # ('x' || substr(md5(secret || ':' || tbl || ':' || round || ':' || right_half), 1, 4))
            ::bit(16)::bigint;
        left_half := previous;
    END LOOP;
    RETURN (left_half << 16) | right_half;
END $$
"""

OPAQUE_ID = """
CREATE FUNCTION reunite_opaque_id(tbl text) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    candidate bigint;
    taken boolean;
BEGIN
    LOOP
        candidate := reunite_permute(tbl, nextval(tbl || '_id_seq') & 4294967295);
        IF candidate > 0 THEN
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE id = $1)', tbl) INTO taken USING candidate;
            IF NOT taken THEN
                RETURN candidate;
            END IF;
        END IF;
    END LOOP;
END $$
"""


def upgrade() -> None:
    op.execute("CREATE TABLE id_secret (value text NOT NULL)")
    op.execute("INSERT INTO id_secret (value) SELECT md5(gen_random_uuid()::text || gen_random_uuid()::text)")
    op.execute(PERMUTE)
    op.execute(OPAQUE_ID)
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT reunite_opaque_id('{table}')")
    for table in ("photos", "faces"):  # listed in the order they came in (several in one transaction)
        op.execute(f"ALTER TABLE {table} ALTER COLUMN created_at SET DEFAULT clock_timestamp()")


def downgrade() -> None:
    """Plain numbers again; one may meet a permuted id already taken (an insert then fails)."""
    for table in ("photos", "faces"):
        op.execute(f"ALTER TABLE {table} ALTER COLUMN created_at SET DEFAULT now()")
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_id_seq')")
    op.execute("DROP FUNCTION reunite_opaque_id(text)")
    op.execute("DROP FUNCTION reunite_permute(text, bigint)")
    op.execute("DROP TABLE id_secret")
