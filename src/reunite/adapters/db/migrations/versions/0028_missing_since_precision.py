"""How precisely a case's "missing since" is known, stored with it: an instant (a date and time given), or a
date given alone (a day, or a partner's month or year), ``missing_since`` then being the first instant of
that span where it was given. Before, only a partner's PFIF record said it, read again at every showing, and a
case typed on the form, sent through the API or imported from a sheet was shown as a day even when its time
was given.

Existing rows, by what was stored:
- a partner's PFIF record (``pfif`` holds what it sent): by its ``missing since:`` line as imports read it: a
  date alone ("2026-11-20", "2026/11/20", "2026年11月20日", "2026-11", "2026") is that day (month, year), any
  other line a time; without a line, the record's own date, a day, which becomes its (UTC) midnight, the first
  instant of that day;
- any other case: a day when its time is midnight at the offset it was given in (a sheet's date alone, stored
  so), else an instant (the form and the API always took a time).

Revision ID: 0028_missing_since_precision
Revises: 0027_opaque_ids
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0028_missing_since_precision"
down_revision = "0027_opaque_ids"
branch_labels = None
depends_on = None

# the PFIF description's missing-since line (domain/pfif.py MISSING_LINE as of this revision)
MISSING_LINE = re.compile(r"(?im)^\s*(?:missing since|date missing|went missing(?: on)?|走失(?:时间|日期)|"
                          r"失踪(?:时间|日期))\s*[:：]?\s*(.+?)\s*$")
# a date alone as imports read one (domain/dates.py loose_date): year, then month, then day, if given
NUMERIC = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?$")
CHINESE = re.compile(r"^(\d{4})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号])?)?$")
OFFSET = "make_interval(mins => coalesce(missing_since_offset, 0))"


def _pfif_precision(description: str) -> str:
    line = MISSING_LINE.search(description or "")
    if line is None:
        return "day"
    said = line.group(1).strip()
    found = NUMERIC.match(said) or CHINESE.match(said)
    if found is None:
        return "instant"
    _, month, day = found.groups()
    return "day" if day else "month" if month else "year"


def upgrade() -> None:
    op.add_column("cases", sa.Column("missing_since_precision", sa.String(8), nullable=False,
                                     server_default="instant"))
    op.create_check_constraint(op.f("ck_cases_missing_since_precision"), "cases",
                               "missing_since_precision IN ('instant', 'day', 'month', 'year')")
    op.execute(  # a time typed here: midnight where it was given is a date given alone (a sheet's)
        "UPDATE cases SET missing_since_precision = 'day' WHERE pfif = '{}'::jsonb AND missing_since IS NOT NULL "
        f"AND (missing_since AT TIME ZONE 'UTC' + {OFFSET})::time = '00:00'")
    bind = op.get_bind()
    partners = bind.execute(sa.text("SELECT id, pfif->>'description' AS description FROM cases "
                                    "WHERE pfif <> '{}'::jsonb AND missing_since IS NOT NULL")).all()
    by_precision: dict[str, list[int]] = {}
    for row in partners:
        by_precision.setdefault(_pfif_precision(row.description), []).append(row.id)
    for precision, ids in by_precision.items():
        bind.execute(sa.text("UPDATE cases SET missing_since_precision = :p WHERE id = ANY(:ids)"),
                     {"p": precision, "ids": ids})
    op.execute(  # a day's first instant where it was given (a PFIF record's date was its publication's instant)
        "UPDATE cases SET missing_since = (date_trunc('day', missing_since AT TIME ZONE 'UTC' + "
        f"{OFFSET}) - {OFFSET}) AT TIME ZONE 'UTC' WHERE missing_since_precision = 'day'")


def downgrade() -> None:
    op.drop_constraint(op.f("ck_cases_missing_since_precision"), "cases", type_="check")
    op.drop_column("cases", "missing_since_precision")
