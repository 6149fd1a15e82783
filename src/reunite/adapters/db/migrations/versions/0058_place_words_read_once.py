"""An emailed report's or a post's place was read by cpca alone, which names a municipality's districts "市辖区"
("北京朝阳区" stored as "北京市市辖区"; probe s45 P3); it is now read as the form's place words are
(``parse.place_words``). The places stored so are written as that reading writes them: "北京市". Nothing else changes.

Revision ID: 0058_place_words_read_once
Revises: 0057_photo_copies_cleared
"""

from alembic import op

revision = "0058_place_words_read_once"
down_revision = "0057_photo_copies_cleared"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE sightings SET place_text = regexp_replace(place_text, '市市辖区$', '市') "
               "WHERE place_text ~ '^(北京|上海|天津|重庆)市市辖区$'")


def downgrade() -> None:
    pass  # "北京市" was always what "北京市市辖区" meant
