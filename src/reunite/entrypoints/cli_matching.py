"""``reunite regroup``: the groups of sightings made again in the order the children were seen
(registered on ``cli.app``)."""

from __future__ import annotations

from typing import Annotated

import typer

from reunite.bootstrap import bootstrap
from reunite.entrypoints import jobwatch
from reunite.entrypoints.cli import STALL_HELP, WAIT_HELP, _follow, app, operator_language
from reunite.services.regroup import regroup_all


@app.command()
def regroup(
    context: typer.Context,
    wait: Annotated[bool, typer.Option(help=WAIT_HELP)] = False,
    stall: Annotated[float, typer.Option(min=0.1, help=STALL_HELP)] = 60.0,
) -> None:
    """Group every approved sighting again, in the order they were seen: the same groups whatever order
    reports came in, were approved or matched (run it after a rematch --reembed, or once after upgrading
    the grouping rules). One transaction; run again, it changes nothing; reviewed candidates keep their
    decisions, and the sightings whose trail changed are matched again in the background."""
    container, lang = bootstrap(), operator_language(context)
    after = jobwatch.last_job_id(container.engine)
    done = regroup_all(container.deps, actor="cli")
    typer.echo(lang.gettext("approved sightings regrouped: {sightings}; groups now: {groups}; sightings whose trail changed: {moved}",  # noqa: E501
                            sightings=done.sightings, groups=done.groups, moved=done.moved))
    _follow(container, after, wait, stall, lang)
