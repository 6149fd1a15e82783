"""PFIF record ids with their domain in lower case (probe s21 U7): a domain is case-insensitive, and
``PartnerB.org/p1`` and ``partnerb.org/p1`` made two cases of one record. Every id kept (cases, notes, the
persons refused, the links of notes) gets its domain lower-cased, unless another row holds that spelling
already (left as it is: a moderator merges such doubles, as any other).

Revision ID: 0036_record_domains
Revises: 0035_shared_texts
"""

from alembic import op

revision = "0036_record_domains"
down_revision = "0035_shared_texts"
branch_labels = None
depends_on = None


def _lowered(column: str) -> str:
    return f"lower(split_part({column}, '/', 1)) || substr({column}, strpos({column}, '/'))"


def _needs(column: str) -> str:
    return f"strpos({column}, '/') > 0 AND {_lowered(column)} <> {column}"


def upgrade() -> None:
    for table, column in (("cases", "record_id"), ("case_notes", "record_id"), ("pfif_refused", "record_id")):
        op.execute(f"UPDATE {table} t SET {column} = {_lowered('t.' + column)} WHERE {_needs('t.' + column)} "
                   f"AND NOT EXISTS (SELECT 1 FROM {table} o WHERE o.{column} = {_lowered('t.' + column)})")
    for column in ("person_record_id", "linked_person_record_id"):
        op.execute(f"UPDATE case_notes SET {column} = {_lowered(column)} WHERE {_needs(column)}")


def downgrade() -> None:
    pass  # the spelling sent is not kept: the ids stay as they are
