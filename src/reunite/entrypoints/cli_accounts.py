"""The ``reunite`` commands for people: create-account, accounts, disable-account, enable-account,
set-role and issue-token (registered on ``cli.app``). A refused value (an email already taken, the only
admin left) is one line on stderr and exit code 1, from ``cli.FriendlyGroup``."""

from __future__ import annotations

import enum
from typing import Annotated

import typer

from reunite.bootstrap import bootstrap
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.domain.staff import SETTABLE_ROLES
from reunite.entrypoints.cli import app, operator_language
from reunite.services import queries, staff


class AccountRole(enum.StrEnum):
    """The roles an account may have (anonymous visitors and partners' tokens are not accounts)."""

    ADMIN = Role.ADMIN.value
    POLICE = Role.POLICE.value
    MODERATOR = Role.MODERATOR.value
    FAMILY = Role.FAMILY.value
    REPORTER = Role.REPORTER.value


class SettableRole(enum.StrEnum):
    """The roles ``set-role`` gives (``domain.staff.SETTABLE_ROLES``)."""

    ADMIN = Role.ADMIN.value
    POLICE = Role.POLICE.value
    MODERATOR = Role.MODERATOR.value
    REPORTER = Role.REPORTER.value


assert {r.value for r in SettableRole} == {r.value for r in SETTABLE_ROLES}
EMAIL_HELP = "The account's sign-in email"


def email_language(tag: str) -> str:
    """``--lang`` of create-account read as the global ``--lang`` reads it (zh-CN and zh_CN alike): one of
    ``accounts.EMAIL_LANGUAGES``."""
    from reunite.language_tags import chosen

    if (code := chosen(tag)) is None:
        raise typer.BadParameter("en, zh-CN, zh-TW or zh-HK")
    return code


@app.command("create-account")
def create_account(
    context: typer.Context,
    email: Annotated[str, typer.Option(help="Sign-in email")],
    role: Annotated[AccountRole, typer.Option(help="Who the account is for")] = AccountRole.ADMIN,
    name: Annotated[str, typer.Option(help="Display name")] = "",
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                          envvar="REUNITE_NEW_PASSWORD", help="At least 10 characters")] = "",
    lang: Annotated[str, typer.Option(callback=email_language, help=(
        "The language of the account's emails: en, zh-CN, zh-TW or zh-HK (its owner changes it on /account)"))]
    = "en",
) -> None:
    """Make an account directly (the first admin; after that, admins invite people from /admin)."""
    from reunite.services.accounts import sign_up

    container = bootstrap()
    account_id = sign_up(container.deps, email, password, name, language=lang, role=Role(role.value))
    typer.echo(operator_language(context).gettext("account {id} ({role}, emails in {lang}) created for {email}",
                                                  id=account_id, role=role.value, lang=lang, email=email))


@app.command("accounts")
def list_accounts(context: typer.Context) -> None:
    """Staff accounts (admins, police, moderators) and disabled accounts, with their role and state."""
    container = bootstrap()
    rows = queries.admin_lists(container.deps, OPERATOR)["accounts"]
    if not rows:
        typer.echo(operator_language(context).gettext(
            "no staff account yet: make the first admin with reunite create-account --email ADDRESS"))
    for row in rows:
        state = f"disabled since {row['disabled_at'].isoformat()}" if row["disabled_at"] else "active"
        typer.echo(f"{row['id']}\t{row['email']}\t{row['role']}\t{state}")


@app.command("disable-account")
def disable_account(context: typer.Context, email: Annotated[str, typer.Option(help=EMAIL_HELP)]) -> None:
    """Disable an account: every session of it ends now, it cannot sign in, and the API tokens and
    invitations it issued are revoked for good (enabling it again brings none back: issue new ones)."""
    container = bootstrap()
    changed = staff.set_disabled(container.deps, OPERATOR, staff.account_id(container.deps, email), True)
    lang = operator_language(context)
    typer.echo(lang.gettext("{email} is disabled and signed out everywhere; the API tokens and invitations it issued are revoked for good", email=email)  # noqa: E501
               if changed else lang.gettext("{email} was already disabled", email=email))


@app.command("enable-account")
def enable_account(context: typer.Context, email: Annotated[str, typer.Option(help=EMAIL_HELP)]) -> None:
    """Enable a disabled account again (it signs in anew). The API tokens and invitations it issued stay
    revoked: issue new ones."""
    container = bootstrap()
    changed = staff.set_disabled(container.deps, OPERATOR, staff.account_id(container.deps, email), False)
    lang = operator_language(context)
    typer.echo(lang.gettext("{email} is enabled; the API tokens and invitations it issued before stay revoked",
                            email=email) if changed else lang.gettext("{email} was not disabled", email=email))


@app.command("set-role")
def set_role(
    context: typer.Context,
    email: Annotated[str, typer.Option(help=EMAIL_HELP)],
    role: Annotated[SettableRole, typer.Option(help="The new role (a family's account is a reporter's that "
                                                    "registered a case)")],
) -> None:
    """Change an account's role; its open sessions carry the new role from their next request."""
    container = bootstrap()
    changed = staff.set_role(container.deps, OPERATOR, staff.account_id(container.deps, email), Role(role.value))
    lang = operator_language(context)
    typer.echo(lang.gettext("{email} is now {role}", email=email, role=role.value) if changed
               else lang.gettext("{email} already was {role}", email=email, role=role.value))


@app.command("issue-token")
def issue_token(
    name: Annotated[str, typer.Option(help="The partner organisation")],
    scope: Annotated[list[Scope], typer.Option(help="Repeat for several: read:cases, read:sightings, write, "
                                                    "export, webhooks, admin")],
    domain: Annotated[list[str] | None, typer.Option(help="PFIF domain it may write; repeat for several")] = None,
) -> None:
    """Issue an API token with explicit scopes. It is printed once and stored only as a hash."""
    from reunite.services.accounts import issue_token as issue

    container = bootstrap()
    typer.echo(issue(container.deps, OPERATOR, name, scope, domain or []))
