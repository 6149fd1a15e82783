"""``reunite audit``: the audit log on the command line (the operator reads it as an admin does on /audit),
newest first, one entry a line; the reading is itself audited (``audit.viewed`` by ``operator``)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import typer

from reunite.bootstrap import bootstrap
from reunite.domain.access import OPERATOR
from reunite.domain.audit import MAX_PAGE, PAGE, AuditQuery, parse_subject
from reunite.domain.errors import ReuniteError
from reunite.domain.times import localize
from reunite.entrypoints.cli import app, given_time, operator_language
from reunite.services import audit


def _line(entry: dict[str, Any], zone: Any) -> str:
    at = entry["at"].astimezone(zone).isoformat(timespec="seconds")
    who = entry["actor"] + (f" ({entry['actor_named']})" if entry["actor_named"] else "")
    detail = json.dumps(entry["detail"], ensure_ascii=False, sort_keys=True)
    return f"{entry['id']}\t{at}\t{who}\t{entry['action']}\t{entry['subject']}:{entry['subject_id']}\t{detail}"


@app.command("audit")
def read_audit(
    context: typer.Context,
    actor: Annotated[str, typer.Option(help="account:ID, token:ID, operator, anonymous or an account's email")] = "",
    subject: Annotated[str, typer.Option(help="A record (sighting:12, case:3) or a kind of record (sighting)")] = "",
    action: Annotated[str, typer.Option(help="The start of the action's name: sighting.viewed, case.")] = "",
    since: Annotated[datetime | None, typer.Option(parser=given_time, metavar="ISO-8601", help=(
        "At or after, ISO 8601 (without an offset: REUNITE_TIMEZONE)"))] = None,
    until: Annotated[datetime | None, typer.Option(parser=given_time, metavar="ISO-8601", help="At or before")] = None,
    before: Annotated[int | None, typer.Option(min=1, help="Older than this entry (the next page)")] = None,
    limit: Annotated[int, typer.Option(min=1, max=MAX_PAGE, help="Entries at most")] = PAGE,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a line, times in UTC")] = False,
) -> None:
    """Who opened a sighting, an exact place or a contact, and who changed what: newest first. Times in
    REUNITE_TIMEZONE with their offset; the zone is named on the last line."""
    container = bootstrap()
    zone = container.deps.site.zone
    try:
        kind, number = parse_subject(subject)
        query = AuditQuery(actor=actor.strip(), subject=kind, subject_id=number, action=action.strip(),
                           since=localize(since, zone, "since") if since else None,
                           until=localize(until, zone, "until") if until else None, before=before, limit=limit)
    except ReuniteError as exc:
        raise typer.BadParameter(operator_language(context).error(exc), param_hint=f"--{exc.field or 'subject'}") \
            from None
    page = audit.read_log(container.deps, OPERATOR, query)
    for entry in page.entries:
        typer.echo(json.dumps(entry, default=str, ensure_ascii=False) if as_json else _line(entry, zone))
    count = len(page.entries)
    lang = operator_language(context)
    more = lang.gettext("; older entries: --before {id}", id=page.next_before) if page.next_before else ""
    typer.echo(lang.ngettext("{n} entry, times in {zone}{more}", "{n} entries, times in {zone}{more}", count,
                             zone=container.deps.site.timezone, more=more), err=True)
