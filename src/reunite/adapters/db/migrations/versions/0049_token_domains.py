"""The PFIF domains a token may write, kept as record ids compare them (probe s29 C9): trimmed, in lower case, one
trailing dot dropped, once each. A domain was kept as typed, so a token for ``PartnerC.ORG`` could never import
``partnerc.org/k1``; it now can, as it was meant to. Values that are no host name (``*``, ``""``,
``partnerc.org/evil``) never matched a record's domain: they are dropped, which changes nothing a token may do
(``domain.pfif.token_domain`` refuses them at issue from now on).

Revision ID: 0049_token_domains
Revises: 0048_decided_readings
"""

from alembic import op

revision = "0049_token_domains"
down_revision = "0048_decided_readings"
branch_labels = None
depends_on = None

LABEL = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
HOST = rf"^({LABEL}\.)+{LABEL}$"  # as domain.pfif.token_domain reads one (its last label not all digits)


def upgrade() -> None:
    op.execute(
        "UPDATE api_tokens t SET allowed_domains = ARRAY(SELECT d FROM (SELECT n.d, min(n.i) AS i FROM ("
        "SELECT regexp_replace(lower(btrim(u.v)), '\\.$', '') AS d, u.i FROM unnest(t.allowed_domains) "
        "WITH ORDINALITY AS u(v, i)) n "
        f"WHERE n.d ~ '{HOST}' AND length(n.d) <= 253 AND n.d !~ '\\.[0-9]+$' GROUP BY n.d) k ORDER BY k.i) "
        "WHERE cardinality(t.allowed_domains) > 0")


def downgrade() -> None:
    pass  # the spellings typed are not kept: the domains stay as they are
