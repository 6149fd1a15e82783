"""The command line and a child registered twice. ``reunite verify-case`` refused a case waiting on a
duplicate flag in English only, whatever the operator's language, and nothing on the command line could
resolve the flag. Now refusals come in the operator's language (``--lang``, else the locale), and ``reunite
doubles list`` / ``reunite doubles resolve`` list and decide the flags through the moderators' service,
audited under both cases with who decided and why."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from reunite.bootstrap import Container
from reunite.entrypoints.cli import app as cli
from reunite.language_tags import from_locale
from tests.conftest import count_rows
from tests.e2e.test_impostor import first_family, impostor_registers


@pytest.mark.parametrize(("environ", "language"), [
    ({"LANG": "zh_CN.UTF-8"}, "zh_CN"), ({"LANG": "zh_TW.UTF-8"}, "zh_TW"), ({"LC_ALL": "zh_HK.UTF-8"}, "zh_HK"),
    ({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "zh_CN"), ({"LANG": "C.UTF-8"}, "en"), ({}, "en"),
    ({"LANG": "de_DE.UTF-8"}, "en"), ({"LANG": "de_DE.UTF-8", "LANGUAGE": "de:zh_TW:en"}, "zh_TW"),
    ({"LANG": "C", "LANGUAGE": "zh_CN"}, "en"),  # as gettext: LANGUAGE counts only with a locale set
])
def test_the_operators_language_is_read_from_the_locale_as_gettext_reads_it(
    environ: dict[str, str], language: str
) -> None:
    assert from_locale(environ) == language


def test_the_command_line_refuses_in_the_operators_language_and_resolves_a_duplicate_flag(
    cli_env: CliRunner, client: TestClient, container: Container
) -> None:
    _, real, _, _ = first_family(container, seen=False)  # no report: the impostor's photo copies none (s36 K1)
    _, fake = impostor_registers(container, real)
    verify = ["verify-case", str(fake), "--by", "officer Wang", "--evidence", "police report PR-FAKE-999 seen"]

    english = cli_env.invoke(cli, verify, env={"LANG": "C.UTF-8"})
    assert english.exit_code == 1 and f"case {fake} is possibly the same child as case {real}" in english.output
    chinese = cli_env.invoke(cli, verify, env={"LANG": "zh_CN.UTF-8"})
    assert chinese.exit_code == 1 and f"案件 {fake} 可能与案件 {real} 是同一个孩子" in chinese.output, chinese.output
    traditional = cli_env.invoke(cli, ["--lang", "zh-TW", *verify], env={"LANG": "C.UTF-8"})
    assert traditional.exit_code == 1 and f"案件 {fake} 可能與案件 {real} 是同一個孩子" in traditional.output
    chosen = cli_env.invoke(cli, ["--lang", "en", *verify], env={"LANG": "zh_CN.UTF-8"})  # --lang wins
    assert chosen.exit_code == 1 and "possibly the same child" in chosen.output
    bare = cli_env.invoke(cli, ["verify-case", str(fake), "--by", "officer Wang", "--evidence", "x"],
                          env={"LANG": "zh_CN.UTF-8"})
    assert bare.exit_code == 1 and "“依据”必须用文字写明" in bare.output  # what was checked is words on its own
    assert container.deps.read.case(fake)["verified_at"] is None

    listed = cli_env.invoke(cli, ["doubles", "list"], env={"LANG": "C.UTF-8"})
    assert listed.exit_code == 0, listed.output
    [flag] = client.get("/api/moderation/duplicates").json()
    assert f"flag {flag['id']}: case {flag['case_id']} (浩然) and case {flag['other_case_id']} (浩然)" in listed.output
    assert f"case {fake} cannot be verified until this flag is resolved" in listed.output
    listed_zh = cli_env.invoke(cli, ["doubles", "list"], env={"LANG": "zh_CN.UTF-8"})
    assert f"此标记处理之前，案件 {fake} 无法核实" in listed_zh.output

    resolve = ["doubles", "resolve", str(flag["id"]), "--decision", "dismiss", "--by", "moderator Li"]
    no_reason = cli_env.invoke(cli, [*resolve, "--reason", "."], env={"LANG": "C.UTF-8"})
    assert no_reason.exit_code == 1 and "“Reason” must be words" in no_reason.output
    wrong = cli_env.invoke(cli, ["doubles", "resolve", str(flag["id"]), "--decision", "confirm", "--by", "Li"])
    assert wrong.exit_code == 2 and "'link', 'dismiss', 'reopen'" in wrong.output  # the API's decisions only
    assert [f["id"] for f in client.get("/api/moderation/duplicates").json()] == [flag["id"]]

    done = cli_env.invoke(cli, [*resolve, "--reason", "DNA on file differs"], env={"LANG": "C.UTF-8"})
    assert done.exit_code == 0 and f"flag {flag['id']} dismissed: they are different children" in done.output
    assert client.get("/api/moderation/duplicates").json() == []
    with container.engine.connect() as conn:
        audited = conn.exec_driver_sql(
            "SELECT subject_id, actor, detail->>'reason', detail->>'by' FROM audit_log "
            "WHERE action = 'case.duplicate_dismissed'").all()
    assert sorted(audited) == sorted([(real, "operator", "DNA on file differs", "moderator Li"),
                                      (fake, "operator", "DNA on file differs", "moderator Li")])
    again = cli_env.invoke(cli, [*resolve, "--reason", "DNA on file differs"], env={"LANG": "zh_CN.UTF-8"})
    # a retried command answers as the first did, writes nothing more
    assert again.exit_code == 0 and f"标记 {flag['id']} 此前已驳回：他们是不同的孩子" in again.output, again.output
    assert count_rows(container, "audit_log WHERE action = 'case.duplicate_dismissed'") == 2
    link = ["doubles", "resolve", str(flag["id"]), "--decision", "link"]
    for blank in ("", "  ", "..."):  # who linked two families' cases is always on record
        nobody = cli_env.invoke(cli, [*link, "--by", blank], env={"LANG": "C.UTF-8"})
        assert nobody.exit_code == 1 and "say who decided" in nobody.output, nobody.output
    assert count_rows(container, "audit_log WHERE action = 'case.duplicate_linked'") == 0

    verified = cli_env.invoke(cli, verify, env={"LANG": "zh_CN.UTF-8"})
    assert verified.exit_code == 0 and f"案件 {fake} 已核实" in verified.output
    with container.engine.connect() as conn:
        evidence = conn.exec_driver_sql(
            "SELECT detail->>'evidence' FROM audit_log WHERE action = 'case.verified' "
            f"AND subject_id = {fake}").scalar()
    assert evidence == "police report PR-FAKE-999 seen (checked by officer Wang)"
