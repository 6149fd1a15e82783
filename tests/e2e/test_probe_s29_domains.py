"""Probe s29 C9: token domains were kept as typed, so a token for ``PartnerC.ORG`` could never import its own records
(``partnerc.org/k1``), and values that could never match (``*``, ``""``, ``partnerc.org/evil``) were taken without
a word. Now they are trimmed, lower-cased and checked at issue, and migration 0046 reads the stored ones so."""

from __future__ import annotations

from alembic import command
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from reunite.adapters.db.migrate import alembic_config, upgrade
from reunite.bootstrap import Container
from reunite.entrypoints.api.app import create_app
from reunite.entrypoints.cli import app as cli
from tests.conftest import admin_token
from tests.e2e.test_pfif_sync import doc, person, rows
from tests.e2e.test_probe_pfif import XML


def test_token_domains_are_kept_as_record_ids_compare_them(container: Container, cli_env: CliRunner) -> None:
    desk = TestClient(create_app(container), headers={"Authorization": f"Bearer {admin_token(container)}"})
    issued = desk.post("/api/tokens", json={"name": "Partner C", "scopes": ["write"], "domains": [" PartnerC.ORG "]})
    assert issued.status_code == 201, issued.text
    [(kept,)] = rows(container, f"SELECT allowed_domains FROM api_tokens WHERE id = {issued.json()['id']}")
    assert kept == ["partnerc.org"]
    writer = TestClient(create_app(container), headers={"Authorization": f"Bearer {issued.json()['token']}"})
    record = doc(person("partnerc.org/k1", entry_date="2026-11-01T10:00:00Z", source_date="2026-11-01T10:00:00Z",
                        full_name="Kai", age="7"))
    assert writer.post("/api/pfif", headers=XML, content=record).json()["created"] == 1
    for bad in ("*", "", "partnerc.org/evil", "partner c.org", "-partner.org", "localhost", "10.0.0.1",
                "https://partnerc.org"):
        refused = desk.post("/api/tokens", headers={"Accept-Language": "zh-CN"},
                            json={"name": "Partner C", "scopes": ["write"], "domains": [bad]})
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.json()["field"] == "domains" and "域名" in refused.json()["detail"], refused.json()
    # the command line reads them so too
    made = cli_env.invoke(cli, ["issue-token", "--name", "Partner E", "--scope", "write", "--domain", "PartnerE.ORG"],
                          env={"LANG": "C.UTF-8"})
    assert made.exit_code == 0, made.output
    assert rows(container, "SELECT allowed_domains FROM api_tokens WHERE name = 'Partner E'") == [(["partnere.org"],)]
    wild = cli_env.invoke(cli, ["issue-token", "--name", "Partner W", "--scope", "write", "--domain", "*"],
                          env={"LANG": "zh_CN.UTF-8"})
    assert wild.exit_code == 1 and "域名" in wild.output, wild.output
    assert rows(container, "SELECT count(*) FROM api_tokens WHERE name = 'Partner W'") == [(0,)]

    # kept as typed before: migration 0049 reads them as record ids compare them, dropping what never matched
    command.downgrade(alembic_config(container.engine), "0048_decided_readings")
    with container.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE api_tokens SET allowed_domains = ARRAY[' PartnerF.ORG.', '*', '', "
                             "'partnerf.org', 'x.org/evil', 'B.Example'] WHERE name = 'Partner E'")
    upgrade(container.engine)
    assert rows(container, "SELECT allowed_domains FROM api_tokens WHERE name = 'Partner E'") == [
        (["partnerf.org", "b.example"],)]
