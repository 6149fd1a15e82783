"""``reunite doubles``: a child possibly registered twice (registered on ``cli.app``). ``list`` shows the open
duplicate flags as ``GET /api/moderation/duplicates`` does, and ``resolve`` decides one as ``POST
/api/moderation/duplicates/{id}`` does, through the same services (``grouping.duplicates``,
``grouping.decide_duplicate``): audited under both cases, with who decided and why. ``alike`` shows the other
accounts' cases whose photos look most alike a case's, whatever their birth dates, as ``GET
/api/cases/{id}/look-alikes`` does, and ``flag`` flags two cases by hand as ``POST /api/moderation/duplicates``
does (``services.look_alikes``). Answers in the operator's language (``cli.operator_language``)."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from reunite.bootstrap import bootstrap
from reunite.domain.access import OPERATOR
from reunite.entrypoints.cli import ID_MAX, app, operator_language

if TYPE_CHECKING:
    from reunite.i18n import Language
from reunite.services import grouping, look_alikes

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
    from reunite.wording import duplicate_words

    container = bootstrap()
    rows = grouping.duplicates(container.deps, OPERATOR)
    if not rows:
        typer.echo(lang.gettext("no duplicate flag is open"))
    for row in rows:
        typer.echo(lang.gettext("flag {flag}: case {case} ({name}) and case {other} ({other_name}), possibly one child",
                                flag=row["id"], case=row["case_id"], name=row["case_name"],
                                other=row["other_case_id"], other_name=row["other_name"]))
        typer.echo(f"  {' · '.join(duplicate_words(lang, row))}")
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


REGISTERED_BY = {"family": "registered by a family's account", "import": "imported from a partner registry",
                 "partner": "registered with a partner's API token", "staff": "registered by police or a moderator"}
FLAG_WORDS = {"open": "Flagged already as possibly the same child: a moderator links them or says they are different "
              "children.", "linked": "Linked by a moderator as the same child.",
              "dismissed": "A moderator said they are different children."}


def alike_lines(lang: Language, case_id: int, alikes: list[dict[str, Any]]) -> list[str]:
    """The look-alikes of a case as the command line says them (``look_alikes.look_alikes``)."""
    from reunite.wording import alike_words

    lines = []
    for a in alikes:
        lines.append(lang.gettext("case {id}: {registered_by}, {state}, born {born}, missing since {since}",
                                  id=a["case_id"], registered_by=lang.gettext(REGISTERED_BY[a["registered_by"]]),
                                  state=lang.gettext("verified" if a["verified"] else "waiting for verification"),
                                  born=lang.date(a["birth_date"]),
                                  since=lang.day_at(a["missing_since"], a["day_zone"], a["missing_since_precision"]))
                     + (f", {a['place_city']}" if a["place_city"] else ""))
        lines.append(f"  {' · '.join(alike_words(lang, case_id, a))}")
        if a["births_disagree"]:
            lines.append("  " + lang.gettext(
                "The two birth dates are more than a year apart ({this} on this case, {other} on case {id}): the automatic duplicate check compares only children born within a year of each other, so it never compared these two. A birth date given differently on purpose is itself a warning sign.",  # noqa: E501
                this=lang.date(a["this_birth_date"]), other=lang.date(a["birth_date"]), id=a["case_id"]))
        if a["flag_id"] is not None:
            lines.append(f"  {lang.gettext(FLAG_WORDS[a['flag_status']])} ({a['flag_id']})")
        else:
            lines.append("  " + lang.gettext(
                "to flag them as possibly one child: reunite doubles flag {id} {other} --by NAME",
                id=case_id, other=a["case_id"]))
    return lines


@doubles_app.command("alike")
def alike(
    context: typer.Context,
    case_id: Annotated[int, typer.Argument(help="The case's number", min=1, max=ID_MAX)],
) -> None:
    """The open cases of other accounts whose photos look most alike this case's, whatever birth date each
    gives (the automatic check compares only children born within a year): compare them before verifying
    (audited as the moderators' reading is)."""
    lang = operator_language(context)
    container = bootstrap()
    from reunite.services.queries import visible_case

    visible_case(container.deps, OPERATOR, case_id)
    found = look_alikes.look_alikes(container.deps, OPERATOR, [case_id], lang, subject_id=case_id).get(case_id, [])
    if not found:
        typer.echo(lang.gettext("No open case of another account looks alike."))
    for line in alike_lines(lang, case_id, found):
        typer.echo(line)


@doubles_app.command("flag")
def flag(
    context: typer.Context,
    case_id: Annotated[int, typer.Argument(help="A case's number", min=1, max=ID_MAX)],
    other_case_id: Annotated[int, typer.Argument(help="The other case's number", min=1, max=ID_MAX)],
    by: Annotated[str, typer.Option(help="Who judged them possibly one child: a name, in words (audited)")],
) -> None:
    """Flag two open cases as possibly one child, as a moderator does beside a Verify form: while the flag is
    open, a case whose other case is verified and another account's cannot be verified (resolve it with
    reunite doubles resolve)."""
    lang = operator_language(context)
    container = bootstrap()
    flag_id, raised = look_alikes.flag_by_hand(container.deps, OPERATOR, case_id, other_case_id, by=by)
    typer.echo(lang.gettext("cases {id} and {other} flagged as possibly one child: flag {flag}", id=case_id,
                            other=other_case_id, flag=flag_id) if raised else
               lang.gettext("cases {id} and {other} were flagged already: flag {flag}", id=case_id,
                            other=other_case_id, flag=flag_id))
