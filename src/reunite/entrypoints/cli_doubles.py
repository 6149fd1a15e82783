"""``reunite doubles``: a child possibly registered twice (registered on ``cli.app``). ``list`` shows the open
duplicate flags as ``GET /api/moderation/duplicates`` does, and ``resolve`` decides one as ``POST
/api/moderation/duplicates/{id}`` does, through the same services (``grouping.duplicates``,
``grouping.decide_duplicate``): audited under both cases, with who decided and why. Answers in the
operator's language (``cli.operator_language``)."""

from __future__ import annotations

import enum
from typing import Annotated

import typer

from reunite.bootstrap import bootstrap
from reunite.domain.access import OPERATOR
from reunite.entrypoints.cli import ID_MAX, app, operator_language
from reunite.services import grouping

doubles_app = typer.Typer(help="A child possibly registered twice: the open duplicate flags, and deciding them.",
                          rich_markup_mode=None)
app.add_typer(doubles_app, name="doubles")


class Decision(enum.StrEnum):
    """What a moderator decides of a flag (``grouping.DECISIONS``)."""

    LINK = "link"  # one child: the two cases point at each other
    DISMISS = "dismiss"  # different children: the reason says why (words)
    REOPEN = "reopen"  # a decision undone: the flag is open again (a family's later case is held again)


assert {d.value for d in Decision} == set(grouping.DECISIONS)


@doubles_app.command("list")
def list_doubles(context: typer.Context) -> None:
    """The open duplicate flags, likeliest first: the two cases, how alike, and which case cannot be verified
    until the flag is resolved (audited as the moderators' list is)."""
    lang = operator_language(context)
    from reunite.wording import lead_words

    container = bootstrap()
    rows = grouping.duplicates(container.deps, OPERATOR)
    if not rows:
        typer.echo(lang.gettext("no duplicate flag is open"))
    for row in rows:
        typer.echo(lang.gettext("flag {flag}: case {case} ({name}) and case {other} ({other_name}), possibly one child",
                                flag=row["id"], case=row["case_id"], name=row["case_name"],
                                other=row["other_case_id"], other_name=row["other_name"]))
        typer.echo(f"  {' · '.join(lead_words(lang, row['lead']))}")
        for waiting in row["verification_waits"]:
            typer.echo("  " + lang.gettext("case {id} cannot be verified until this flag is resolved", id=waiting))
        if len(row["child_cases"]) > 2:
            typer.echo("  " + lang.gettext("registrations that may all be this child: cases {ids}",
                                           ids=", ".join(map(str, row["child_cases"]))))


@doubles_app.command("resolve")
def resolve(
    context: typer.Context,
    flag_id: Annotated[int, typer.Argument(help="The flag's number (reunite doubles list)", min=1, max=ID_MAX)],
    decision: Annotated[Decision, typer.Option(help="link: one child; dismiss: different children (with "
                                                    "--reason); reopen: undo a decision")],
    by: Annotated[str, typer.Option(help="Who decided: a name, in words (kept in the audit log)")],
    reason: Annotated[str, typer.Option(help="Why (required to dismiss: what was checked, in words)")] = "",
) -> None:
    """Link a flag's two cases as one child, dismiss it (different children, saying why), or reopen it: as a
    moderator does on /moderation or the API; a case waiting on the flag may then be verified."""
    lang = operator_language(context)
    container = bootstrap()
    if not grouping.decide_duplicate(container.deps, OPERATOR, flag_id, decision.value, reason, by=by):
        typer.echo(lang.gettext("flag {id} was already linked: its two cases are one child", id=flag_id)
                   if decision == Decision.LINK else
                   lang.gettext("flag {id} was already dismissed: they are different children", id=flag_id))
        return
    done = {Decision.LINK: lang.gettext("flag {id} linked: its two cases are one child", id=flag_id),
            Decision.DISMISS: lang.gettext("flag {id} dismissed: they are different children", id=flag_id),
            Decision.REOPEN: lang.gettext("flag {id} reopened: it waits for a moderator's decision again", id=flag_id)}
    typer.echo(done[decision])
