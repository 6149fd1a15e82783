"""Admins manage staff accounts (probe-rights findings 1, 2, 13, 15): disable, enable and change the role
of an account from /admin, the API and the command line, effective on the account's very next request;
what an admin issued (API tokens, invitations) holds only while that admin still vouches for it; pending
invitations can be withdrawn; the site always keeps an enabled admin."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx import Response
from typer.testing import CliRunner

from reunite.bootstrap import Container
from reunite.domain.access import Role
from reunite.entrypoints.api.app import create_app
from reunite.entrypoints.cli import app as cli
from reunite.services import accounts
from tests.conftest import admin_token, count_rows, session_for
from tests.e2e.test_cli_errors_and_jobs import one_line_error
from tests.e2e.test_journeys import csrf

PASSWORD = "correct horse battery"


def signed_in(container: Container, role: Role, email: str) -> tuple[int, TestClient]:
    account_id, session = session_for(container, role, email)
    client = TestClient(create_app(container))
    client.cookies.set("reunite_session", session)
    return account_id, client


def post_form(client: TestClient, path: str, **fields: str) -> Response:
    return client.post(path, data={"csrf": csrf(client, "/admin"), **fields}, follow_redirects=False)


def audited(container: Container, action: str) -> list[tuple[str, int, dict[str, object]]]:
    with container.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT actor, subject_id, detail FROM audit_log WHERE action = %s ORDER BY id",
                                    (action,)).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_an_admin_disables_a_moderator_on_the_page_and_every_session_ends_at_once(container: Container) -> None:
    admin_id, admin = signed_in(container, Role.ADMIN, "admin@example.org")
    moderator_id, moderator = signed_in(container, Role.MODERATOR, "mod@example.org")
    _, phone = session_for(container, Role.MODERATOR, "other-mod@example.org")
    second = accounts.sign_in(container.deps, "mod@example.org", PASSWORD)  # the same moderator on a phone
    on_phone = TestClient(create_app(container), cookies={"reunite_session": second})
    assert moderator.get("/moderation").status_code == 200
    assert on_phone.get("/api/moderation/queues").status_code == 200

    page = admin.get("/admin").text
    row = re.search(r"<tr><td>mod@example.org.*?</tr>", page, re.S)
    assert row and 'value="moderator" selected' in row.group(0) and "enabled" in row.group(0)
    done = post_form(admin, f"/admin/accounts/{moderator_id}/disable")
    assert done.status_code == 303 and done.headers["location"] == "/admin?done=1#accounts"

    assert moderator.get("/moderation", follow_redirects=False).headers["location"].startswith("/login")
    assert on_phone.get("/api/moderation/queues").status_code == 401  # every session, pages and API
    with container.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM sessions WHERE account_id = %s",
                                    (moderator_id,)).scalar_one() == 0
    again = TestClient(create_app(container))
    signing = again.post("/login", data={"csrf": csrf(again, "/login"), "email": "mod@example.org",
                                         "password": PASSWORD}, follow_redirects=False)
    assert signing.status_code == 422 and "reunite_session" not in again.cookies
    assert "this account is disabled: an admin of this site can enable it again" in signing.text
    assert audited(container, "account.disabled") == [(f"account:{admin_id}", moderator_id,
                                                       {"role": "moderator", "sessions_ended": 2,
                                                        "tokens_revoked": 0, "invitations_ended": 0,
                                                        "subscriptions_ended": 0})]
    assert "disabled since" in admin.get("/admin").text

    assert post_form(admin, f"/admin/accounts/{moderator_id}/enable").status_code == 303
    assert moderator.get("/moderation", follow_redirects=False).status_code == 303  # old sessions stay ended
    assert accounts.sign_in(container.deps, "mod@example.org", PASSWORD)  # a fresh sign-in works again
    assert len(audited(container, "account.enabled")) == 1
    assert TestClient(create_app(container), cookies={"reunite_session": phone}).get("/moderation").status_code == 200


def test_a_new_role_holds_from_the_next_request_through_page_api_and_command_line(
    container: Container, cli_env: CliRunner
) -> None:
    _, admin = signed_in(container, Role.ADMIN, "admin@example.org")
    moderator_id, moderator = signed_in(container, Role.MODERATOR, "mod@example.org")
    api = TestClient(create_app(container), headers={"Authorization": f"Bearer {admin_token(container)}"})
    assert moderator.get("/moderation").status_code == 200

    refused = api.put(f"/api/accounts/{moderator_id}/role", json={"role": "reporter"})
    assert refused.status_code == 403  # no token changes a staff account: people who see exact places
    assert "a token cannot change a staff account" in refused.json()["detail"]
    assert post_form(admin, f"/admin/accounts/{moderator_id}/role", role="reporter").status_code == 303
    assert moderator.get("/moderation").status_code == 403  # the same cookie, the very next request
    assert moderator.get("/api/moderation/queues").status_code == 403
    listed = {a["email"]: a for a in api.get("/api/accounts").json()}
    assert "mod@example.org" not in listed and listed["admin@example.org"]["role"] == "admin"

    promoted = cli_env.invoke(cli, ["set-role", "--email", "mod@example.org", "--role", "police"])
    assert promoted.exit_code == 0 and "mod@example.org is now police" in promoted.output
    assert moderator.get("/moderation").status_code == 200
    assert "mod@example.org\tpolice\tactive" in cli_env.invoke(cli, ["accounts"]).output

    assert post_form(admin, f"/admin/accounts/{moderator_id}/role", role="moderator").status_code == 303
    assert [d for _, _, d in audited(container, "account.role_changed")] == [
        {"before": "moderator", "after": "reporter"}, {"before": "reporter", "after": "police"},
        {"before": "police", "after": "moderator"}]

    family = api.put(f"/api/accounts/{moderator_id}/role", json={"role": "family"},
                     headers={"Accept-Language": "zh-CN"})
    assert family.status_code == 422 and "请选择角色" in family.json()["detail"]
    admin_id = listed["admin@example.org"]["id"]
    making = api.put(f"/api/accounts/{moderator_id}/role", json={"role": "admin"})
    assert making.status_code == 403  # a token makes no admin
    assert api.post(f"/api/accounts/{admin_id}/disable").status_code == 403  # nor touches one
    assert api.post("/api/accounts/999999/disable").status_code == 404


def test_the_only_admin_cannot_disable_or_demote_themself(container: Container, cli_env: CliRunner) -> None:
    admin_id, admin = signed_in(container, Role.ADMIN, "admin@example.org")
    refused = post_form(admin, f"/admin/accounts/{admin_id}/disable")
    assert refused.status_code == 409
    assert "admin@example.org is the only admin left: make another account an admin first" in refused.text
    assert post_form(admin, f"/admin/accounts/{admin_id}/role", role="police").status_code == 409
    zh = admin.post(f"/admin/accounts/{admin_id}/disable", data={"csrf": csrf(admin, "/admin")},
                    headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 409 and "是仅剩的管理员" in zh.text
    by_cli = cli_env.invoke(cli, ["disable-account", "--email", "admin@example.org"])
    assert by_cli.exit_code == 1 and one_line_error(by_cli.output).startswith(
        "error: admin@example.org is the only admin left")
    assert admin.get("/admin").status_code == 200 and not audited(container, "account.disabled")

    assert cli_env.invoke(cli, ["set-role", "--email", "admin@example.org", "--role", "admin"]).exit_code == 0
    created = cli_env.invoke(cli, ["create-account", "--email", "second@example.org"],
                             env={"REUNITE_NEW_PASSWORD": PASSWORD})
    assert created.exit_code == 0, created.output
    assert post_form(admin, f"/admin/accounts/{admin_id}/disable").status_code == 303
    assert admin.get("/admin", follow_redirects=False).headers["location"].startswith("/login")


def test_an_api_token_works_only_while_the_admin_who_issued_it_vouches_for_it(container: Container) -> None:
    admin_id, admin = signed_in(container, Role.ADMIN, "issuer@example.org")
    _, other_admin = signed_in(container, Role.ADMIN, "boss@example.org")
    made = post_form(admin, "/admin/tokens", name="registry", scopes="admin")
    shown = re.search(r'id="shown">([^<]+)<', made.text)
    assert shown
    token = shown.group(1)
    partner = TestClient(create_app(container), headers={"Authorization": f"Bearer {token}"})
    child = partner.post("/api/tokens", json={"name": "its partner", "scopes": ["read:cases"]}).json()
    grandchild = TestClient(create_app(container), headers={"Authorization": f"Bearer {child['token']}"})
    cli_token = TestClient(create_app(container), headers={"Authorization": f"Bearer {admin_token(container)}"})
    assert partner.get("/api/moderation/queues").status_code == 200
    assert grandchild.get("/api/cases/1").status_code == 404  # works (no such case)

    listed = other_admin.get("/admin").text
    registry_id = next(t["id"] for t in container.deps.read.api_tokens() if t["name"] == "registry")
    assert re.search(r"<td>registry</td><td>admin</td>\s*<td>issued by issuer@example.org</td>", listed)
    assert f"<td>issued by token {registry_id} (issuer@example.org)</td>" in listed
    # what the page says is what happens (probe s10, finding 4): revoked for good, not "until enabled again"
    assert "until it is enabled again" not in listed
    assert "revokes the API tokens and invitations it issued, for good" in listed.replace("&#39;", "'")
    assert "enabling it again brings none of them back" in listed
    row = re.search(rf"issuer@example\.org.*?/admin/accounts/{admin_id}/disable.*?</tr>", listed, re.S)
    assert row and "API tokens it issued, revoked for good if it is disabled: 2" in row.group(0)
    chinese = other_admin.get("/admin?lang=zh_CN").text
    assert "永久吊销" in chinese and "再次启用不会恢复" in chinese

    assert post_form(other_admin, f"/admin/accounts/{admin_id}/disable").status_code == 303
    assert partner.get("/api/moderation/queues").status_code == 401
    assert grandchild.get("/api/cases/1").status_code == 401  # the whole line it issued
    assert cli_token.get("/api/moderation/queues").status_code == 200  # the command line's tokens are the site's
    tokens = {t["name"]: t for t in cli_token.get("/api/tokens").json()}
    assert tokens["registry"]["issuer_email"] == "issuer@example.org" and tokens["registry"]["working"] is False
    assert tokens["registry"]["revoked_at"] and tokens["its partner"]["revoked_at"]  # revoked, for good
    assert tokens["its partner"]["issued_by_token"] == tokens["registry"]["id"]
    assert tokens["test police registry"] | {"id": 0, "created_at": "", "last_used_at": ""} == {
        "id": 0, "name": "test police registry", "scopes": ["admin"], "issued_by_token": None,
        "issuer_email": None, "working": True, "revoked_at": None, "allowed_domains": [], "created_at": "",
        "last_used_at": "", "pending_imports": 0}

    # enabled again, the account issues anew: what a possibly stolen account had issued stays revoked
    assert post_form(other_admin, f"/admin/accounts/{admin_id}/enable").status_code == 303
    assert partner.get("/api/moderation/queues").status_code == 401
    admin = TestClient(create_app(container))
    admin.cookies.set("reunite_session", accounts.sign_in(container.deps, "issuer@example.org", PASSWORD))
    again = re.search(r'id="shown">([^<]+)<', post_form(admin, "/admin/tokens", name="registry 2", scopes="admin").text)
    assert again
    renewed = TestClient(create_app(container), headers={"Authorization": f"Bearer {again.group(1)}"})
    assert renewed.get("/api/moderation/queues").status_code == 200
    assert post_form(other_admin, f"/admin/accounts/{admin_id}/role", role="police").status_code == 303
    assert renewed.get("/api/moderation/queues").status_code == 401  # an admin no longer: revoked too
    assert [detail["tokens_revoked"] for _, _, detail in audited(container, "account.role_changed")] == [1]


def test_an_invitation_holds_while_its_admin_does_and_a_pending_one_can_be_withdrawn(container: Container) -> None:
    inviter_id, inviter = signed_in(container, Role.ADMIN, "inviter@example.org")
    _, boss = signed_in(container, Role.ADMIN, "boss@example.org")

    def invite(email: str) -> str:
        made = inviter.post("/admin/invitations", data={"csrf": csrf(inviter, "/admin"), "email": email,
                                                       "role": "moderator"}).text
        found = re.search(r'id="shown">[^<]*(/invite/[^<\s]+)<', made)
        assert found
        return found.group(1)

    link = invite("newmod@example.org")
    assert post_form(boss, f"/admin/accounts/{inviter_id}/disable").status_code == 303
    visitor = TestClient(create_app(container))
    assert visitor.get(link).status_code == 422  # ended with its admin's account, for good
    tried = visitor.post(link, data={"csrf": csrf(visitor, "/login"), "name": "New Mod", "password": PASSWORD})
    assert tried.status_code == 422 and count_rows(container, "accounts") == 2
    assert "expired or withdrawn" in boss.get("/admin").text
    assert post_form(boss, f"/admin/accounts/{inviter_id}/enable").status_code == 303
    assert visitor.get(link).status_code == 422  # enabling the account brings none back
    inviter = signed_in(container, Role.ADMIN, "inviter2@example.org")[1]
    pending = invite("later@example.org")
    invitation_id = max(i["id"] for i in container.deps.read.invitations())
    page = boss.get("/admin").text
    assert f'action="/admin/invitations/{invitation_id}/withdraw"' in page and "invited by inviter2@example.org" in page
    assert post_form(boss, f"/admin/invitations/{invitation_id}/withdraw").status_code == 303
    assert visitor.get(pending).status_code == 422  # the link no longer makes an account
    assert "expired or withdrawn" in boss.get("/admin").text
    again = post_form(boss, f"/admin/invitations/{invitation_id}/withdraw")  # a resend: answered as the first
    assert again.status_code == 303 and again.headers["location"] == "/admin?done=1#accounts"
    assert post_form(boss, "/admin/invitations/999999/withdraw").status_code == 404

    invite("third@example.org")
    third = max(i["id"] for i in container.deps.read.invitations())
    api = TestClient(create_app(container), headers={"Authorization": f"Bearer {admin_token(container)}"})
    for _ in range(2):  # no token withdraws an invitation to a staff role, even an admin-scoped one
        refused = api.delete(f"/api/invitations/{third}", headers={"Accept-Language": "zh-CN"})
        assert refused.status_code == 403 and "令牌不能撤回" in refused.json()["detail"]
    assert "a token cannot withdraw an invitation to a staff role" in api.delete(f"/api/invitations/{third}").text
    assert f'action="/admin/invitations/{third}/withdraw"' in boss.get("/admin").text  # still pending
    assert [s for _, s, _ in audited(container, "invitation.withdrawn")] == [invitation_id]


def test_a_withdrawal_sent_twice_is_made_once_and_an_accepted_invitation_is_refused(container: Container) -> None:
    _, admin = signed_in(container, Role.ADMIN, "admin@example.org")

    def invite(email: str, role: str) -> tuple[int, str]:
        made = post_form(admin, "/admin/invitations", email=email, role=role).text
        found = re.search(r'id="shown">[^<]*(/invite/[^<\s]+)<', made)
        assert found
        return max(i["id"] for i in container.deps.read.invitations()), found.group(1)

    pending, link = invite("new-admin@example.org", "admin")
    page = admin.get("/admin").text
    form = re.search(rf'action="/admin/invitations/{pending}/withdraw".*?name="idempotency_key" value="([^"]+)"', page)
    assert form, "the withdraw form carries a one-time key"
    sent = {"csrf": csrf(admin, "/admin"), "idempotency_key": form.group(1)}
    answers = [admin.post(f"/admin/invitations/{pending}/withdraw", data=sent, follow_redirects=False)
               for _ in range(2)]  # a double click, or a resend after a lost answer
    assert [(a.status_code, a.headers["location"]) for a in answers] == [(303, "/admin?done=1#accounts")] * 2
    assert [s for _, s, _ in audited(container, "invitation.withdrawn")] == [pending]  # recorded once
    visitor = TestClient(create_app(container))
    assert visitor.get(link).status_code == 422

    accepted, link = invite("new-police@example.org", "police")
    took = visitor.post(link, data={"csrf": csrf(visitor, "/login"), "name": "New Police", "password": PASSWORD})
    assert took.status_code in (200, 303) and count_rows(container, "accounts") == 2
    late = post_form(admin, f"/admin/invitations/{accepted}/withdraw")
    assert late.status_code == 409 and "was accepted: its account exists now; disable the account" in late.text
    zh = admin.post(f"/admin/invitations/{accepted}/withdraw", data={"csrf": csrf(admin, "/admin")},
                    headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 409 and "已被接受" in zh.text
    assert [s for _, s, _ in audited(container, "invitation.withdrawn")] == [pending]


def test_issuing_a_token_answers_its_id_for_revoking_it(client: TestClient) -> None:
    issued = client.post("/api/tokens", json={"name": "partner", "scopes": ["read:cases"]})
    assert issued.status_code == 201 and set(issued.json()) == {"id", "token"}
    partner = TestClient(client.app, headers={"Authorization": f"Bearer {issued.json()['token']}"})
    assert partner.get("/api/cases/1").status_code == 404  # works
    assert client.delete(f"/api/tokens/{issued.json()['id']}").status_code == 204
    assert partner.get("/api/cases/1").status_code == 401
    retried = client.post("/api/tokens", json={"name": "p2", "scopes": ["export"]}, headers={"Idempotency-Key": "k1"})
    again = client.post("/api/tokens", json={"name": "p2", "scopes": ["export"]}, headers={"Idempotency-Key": "k1"})
    assert retried.json() == again.json() and retried.json()["id"] == issued.json()["id"] + 1
    schema = client.get("/openapi.json").json()
    answer = schema["paths"]["/api/tokens"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert answer["$ref"].endswith("/TokenIssued")
    assert set(schema["components"]["schemas"]["TokenIssued"]["required"]) == {"id", "token"}


def test_a_refused_value_on_the_command_line_is_one_line_and_exit_code_1(cli_env: CliRunner) -> None:
    env = {"REUNITE_NEW_PASSWORD": PASSWORD}
    assert cli_env.invoke(cli, ["create-account", "--email", "mod2@example.org", "--role", "moderator"],
                          env=env).exit_code == 0
    taken = cli_env.invoke(cli, ["create-account", "--email", "mod2@example.org", "--role", "reporter"], env=env)
    assert taken.exit_code == 1 and one_line_error(taken.output) == "error: an account with this email already exists"
    short = cli_env.invoke(cli, ["create-account", "--email", "x@example.org"], env={"REUNITE_NEW_PASSWORD": "short"})
    assert short.exit_code == 1 and one_line_error(short.output) == "error: the password needs at least 10 characters"
    unknown = cli_env.invoke(cli, ["disable-account", "--email", "nobody@example.org"])
    assert unknown.exit_code == 1
    assert one_line_error(unknown.output) == "error: no account has the email nobody@example.org"
    mistyped = cli_env.invoke(cli, ["set-role", "--email", "mod2@example.org", "--role", "family"])
    assert mistyped.exit_code == 2 and "Usage:" in mistyped.output  # a choice not offered: the usage, as Click does
    disabled = cli_env.invoke(cli, ["disable-account", "--email", "mod2@example.org"])
    assert disabled.exit_code == 0 and "disabled and signed out everywhere" in disabled.output
    assert "API tokens and invitations it issued are revoked for good" in disabled.output
    for command in ("disable-account", "enable-account"):  # the help says what happens (probe s10, finding 4)
        said = " ".join(cli_env.invoke(cli, [command, "--help"]).output.split())
        assert "until it is enabled again" not in said and "issue new ones" in said, said
    assert "mod2@example.org\tmoderator\tdisabled since" in cli_env.invoke(cli, ["accounts"]).output
    enabled = cli_env.invoke(cli, ["enable-account", "--email", "mod2@example.org"])
    assert enabled.exit_code == 0 and "mod2@example.org is enabled" in enabled.output
    assert "it issued before stay revoked" in enabled.output
