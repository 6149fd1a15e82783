"""The ``reunite`` commands that bring records in and out: import-sightings, import-cases,
import-pfif, export-pfif, mail-intake (registered on ``cli.app``)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from tqdm import tqdm

from reunite.bootstrap import bootstrap
from reunite.domain.access import OPERATOR, Principal, Role
from reunite.domain.errors import InvalidInput, ReuniteError
from reunite.domain.model import GeoPoint, NewSighting, Upload
from reunite.domain.times import localize
from reunite.entrypoints import jobwatch
from reunite.entrypoints.cli import (
    PORT_MAX,
    STALL_HELP,
    WAIT_HELP,
    _follow,
    _logging,
    app,
    given_time,
    operator_language,
)
from reunite.services import idempotency, intake
from reunite.services.exchange import ImportReport, Problem

if TYPE_CHECKING:
    from reunite.i18n import Language

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif"}


def imported(data: bytes, told: list[tuple[str, str]]) -> idempotency.Key | None:
    """An imported photo named by its bytes and what the command line said of it (time, place, contact): the
    same photo imported again (the command run again after Ctrl-C, or twice) within the days idempotency
    keys are kept (``retention.RETRIES_WITHIN``) is answered with its first sighting, nothing reported again
    (probe s34 H6). A photo imported with another time or place is another report."""
    said = "\n".join(f"{name}={value}" for name, value in told)
    name = hashlib.sha256(data + b"\0" + said.encode()).hexdigest()
    return idempotency.scoped(OPERATOR, "import-sightings", name)


@app.command("import-sightings")
def import_sightings(
    context: typer.Context,
    directory: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="Folder of photos")],
    place_text: Annotated[str, typer.Option(help="Place written on every sighting")] = "",
    seen_at: Annotated[datetime | None, typer.Option(
        parser=given_time, metavar="ISO-8601",
        help="When they were seen, ISO 8601 (without an offset: REUNITE_TIMEZONE); default: each photo's EXIF")] = None,
    lat: Annotated[float | None, typer.Option(help="Where (with --lon); default: each photo's EXIF GPS")] = None,
    lon: Annotated[float | None, typer.Option(help="Where (with --lat)")] = None,
    contact: Annotated[str, typer.Option(help="The reporter's contact (only police and moderators see it)")] = "",
    moderate: Annotated[bool, typer.Option(help="Put them in the moderation queue instead of approving them")] = False,
    wait: Annotated[bool, typer.Option(help=WAIT_HELP)] = False,
    stall: Annotated[float, typer.Option(min=0.1, help=STALL_HELP)] = 60.0,
) -> None:
    """Bulk-report every photo in a folder as one sighting each (time and place from the options, else
    EXIF). Imports are approved at once, skipping moderation, unless --moderate; a photo that shows
    several faces waits for a moderator to choose the child's face. Said in the operator's language (``--lang``)."""
    lang = operator_language(context)
    if (lat is None) != (lon is None):
        raise typer.BadParameter(lang.gettext("give both --lat and --lon, or neither"))
    container = bootstrap()
    where = GeoPoint(lat, lon) if lat is not None and lon is not None else None
    try:
        when = localize(seen_at, container.deps.site.zone, "seen-at") if seen_at else None
    except ReuniteError as exc:  # a time the clocks skipped in the site's zone
        raise typer.BadParameter(lang.error(exc), param_hint="--seen-at") from None
    who = Principal(role=Role.REPORTER, name="cli import") if moderate else OPERATOR
    files = sorted(p for p in directory.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    after = jobwatch.last_job_id(container.engine)
    accepted, already, refused = 0, 0, []
    # as read, not as typed: the same instant written at another offset, the same words in other case or spacing
    told = [("seen_at", when.astimezone(UTC).isoformat() if when else ""), ("place", f"{lat},{lon}" if where else ""),
            ("place_text", " ".join(place_text.casefold().split())), ("contact", " ".join(contact.split()))]
    for path in tqdm(files, desc="importing", unit="photo"):
        sighting = NewSighting(seen_at=when, place=where, place_text=place_text, reporter_contact=contact)
        data = path.read_bytes()
        try:
            receipt = intake.report_sighting(container.deps, who, sighting, [Upload(data, path.name)],
                                             key=imported(data, told))
        except ReuniteError as exc:
            refused.append(f"{path}: {lang.error(exc)}")  # as a page says it (probe s45 P7)
            continue
        if receipt.resent:
            already += 1
        else:
            accepted += 1
    state = (lang.gettext("waiting in the moderation queue") if moderate
             else lang.gettext("approved at once (imports skip moderation; --moderate queues them), but a report whose photo shows several faces waits for a moderator to choose the child's face"))  # noqa: E501
    again = lang.gettext(", {count} already imported (not reported again)", count=already) if already else ""
    typer.echo(lang.gettext("{accepted} sightings accepted{again}, {refused} refused; {state}", accepted=accepted,
                            again=again, refused=len(refused), state=state))
    for line in refused:
        typer.echo(f"  {line}", err=True)
    if accepted:
        _follow(container, after, wait, stall, lang)
    if refused:
        raise typer.Exit(1)


def _print_report(lang: Language, report: ImportReport) -> None:
    """What an import did, in the operator's language: each record not taken, and why, as the API says it."""
    created = lang.gettext("{n} would be created (a dry run: nothing was written)", n=report.created) \
        if report.dry_run else lang.gettext("{n} created", n=report.created)
    typer.echo(lang.gettext("{created}, {updated} updated, {unchanged} unchanged, {expired} expired, {notes} notes added ({known} already known), {linked} duplicates linked, {problems} problems",  # noqa: E501
                            created=created, updated=report.updated, unchanged=report.unchanged,
                            expired=report.expired, notes=report.notes_added, known=report.notes_known,
                            linked=report.linked, problems=len(report.problems)))
    zones: dict[str, list[str]] = {}
    for read in report.read_in_zone:  # a sheet's rows (or PFIF records) whose time named no UTC offset
        named = read.zone if read.zone == read.offset or not read.offset else f"{read.zone}, {read.offset}"
        zones.setdefault(named, []).append(lang.gettext("row {number}", number=read.row) if read.row
                                           else read.record)
    for name, rows in zones.items():
        typer.echo(lang.gettext("missing_since without a UTC offset, read in {zone}: {rows}", zone=name,
                                rows=", ".join(rows)))
    for problem in report.problems:
        typer.echo(f"  {_where(lang, problem)}: {_reason(lang, problem)}", err=True)
    for known in report.already:  # registered before: not an error, nothing registered again
        typer.echo(f"  {_where(lang, known)}: {_reason(lang, known)}")


def _where(lang: Language, problem: Problem) -> str:
    return lang.gettext("row {number}", number=problem.row) if problem.row else problem.record


def _reason(lang: Language, problem: Problem) -> str:
    """A record's problem as the API says it to its reader (``Language.error``)."""
    return lang.error(InvalidInput(problem.reason, field=problem.field or None, **problem.values))


@app.command("import-cases")
def import_cases(
    context: typer.Context,
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or XLSX, one case per row")],
    dry_run: Annotated[bool, typer.Option(help="Check every row and write nothing")] = False,
) -> None:
    """Register cases from a spreadsheet (they wait for verification). Columns: docs/exchange.md. A child
    registered before (same names, birth date, day missing) is listed with its case, not registered again."""
    from reunite.services.exchange import import_cases_table

    container = bootstrap()
    data = path.read_bytes()
    rows = len(container.deps.tables.read_rows(data)) - 1  # less the header
    with tqdm(total=rows, desc="checking" if dry_run else "importing", unit="row") as bar:
        report = import_cases_table(container.deps, OPERATOR, data, dry_run, bar.update)
    _print_report(operator_language(context), report)
    if report.problems:
        raise typer.Exit(1)


@app.command("import-pfif")
def import_pfif(context: typer.Context,
                path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A PFIF 1.1–1.4 file")]) -> None:
    """Import persons and notes from another registry (Google Person Finder, Sahana, …). Exits 1 when
    some records were not taken (each is listed with the reason), 2 when the file is no PFIF."""
    from reunite.services.pfif import import_pfif as run

    container = bootstrap()
    try:
        report = run(container.deps, OPERATOR, path.read_bytes())
    except ReuniteError as exc:
        typer.echo(f"{path}: {operator_language(context).error(exc)}", err=True)
        raise typer.Exit(2) from None
    _print_report(operator_language(context), report)
    if report.problems:
        raise typer.Exit(1)


@app.command("export-pfif")
def export_pfif(context: typer.Context,
                path: Annotated[Path, typer.Argument(dir_okay=False, help="Where to write the PFIF 1.4 file")]) -> None:
    """Export verified cases and their notes as PFIF 1.4 (closed and expired cases as placeholders)."""
    from reunite.services.pfif import export_pfif as run

    container, lang = bootstrap(), operator_language(context)
    if not container.settings.public_url:
        typer.echo(lang.gettext("warning: REUNITE_PUBLIC_URL is not set, so the file links to {url}; set it to this site's public address", url=container.settings.base_url()), err=True)  # noqa: E501
    document = run(container.deps, OPERATOR)
    if document is None:
        typer.echo(lang.gettext("nothing to export: no case has been verified yet (no file written)"))
        return
    path.write_bytes(document)
    typer.echo(lang.gettext("written {path}", path=path))


@app.command("mail-intake")
def mail_intake(
    context: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=PORT_MAX, help="SMTP port")] = 2525,
) -> None:
    """Take sightings by email: an SMTP server whose messages with photos become reports waiting for
    moderation (a reply tells the sender what happens next). Runs until stopped."""
    import time

    from reunite.entrypoints.mail import serve as start

    _logging()
    container = bootstrap()
    controller = start(container.deps, host, port, container.settings.max_upload_bytes)
    typer.echo(operator_language(context).gettext("taking sightings by email on {host}:{port}", host=host,
                                                  port=port))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        controller.stop()
